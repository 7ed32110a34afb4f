//! A license's journal, newest first: every regulated action, the door it came through and its
//! place in the hash chain.

use crate::WebState;
use crate::error::Page;
use crate::frame::Frame;
use crate::layout::wide;
use crate::session::Signed;
use axum::extract::{Path, Query, State};
use maud::{Markup, html};
use serde::Deserialize;
use tagtrail_domain::journal::Entry;
use tagtrail_domain::permission::Permission;

const PAGE: u32 = 50;

#[derive(Deserialize, Default)]
pub struct Older {
    before: Option<i64>,
}

/// The door an entry came through (`web`, `api`…) and where in it. Entries written before doors
/// were recorded show the endpoint alone.
pub fn door(e: &Entry) -> Markup {
    html! {
        @if let Some(kind) = &e.body.door { span.pill { (kind) } " " }
        span.mono { (e.body.endpoint) }
    }
}

/// A table of entries: the journal page and a record's own history.
pub fn entries(entries: &[Entry], full: bool) -> Markup {
    wide(html! { table {
        thead { tr {
            th { "#" } th { "Recorded" } th { "Who" } th { "Action" } th { "Door" } th { "Reason" }
            @if full { th { "Ids" } th { "Changes" } th { "Hash" } }
        } }
        tbody { @for e in entries { tr {
            td.mono { (e.seq) } td.mono { (e.body.recorded_at) } td { (e.body.actor.name) }
            td { (e.body.action.clone().unwrap_or_default()) }
            td { (door(e)) } td { (e.body.reason) }
            @if full {
                td.mono { (e.body.result_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")) }
                td { (e.body.changes.len()) } td.mono title=(e.hash) { (e.hash.get(..12).unwrap_or("")) "…" }
            }
        } } }
    } })
}

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(q): Query<Older>,
) -> Page {
    let f = Frame::of(&s, signed, &license, &[Permission::ViewJournal]).await?;
    let list = s.ledger.journal(&f.scope, q.before, PAGE).await?;
    Ok(f.page(
        "Journal",
        "journal",
        html! {
            h1 { "Journal · " (f.scope.facility().name) }
            p.muted { "Every regulated action for this license, newest first. Each entry's SHA-256 covers its content and the previous entry's hash." }
            (entries(&list, true))
            @if let Some(last) = list.last() {
                @if list.len() == PAGE as usize { p { a href={ "?before=" (last.seq) } { "Older entries →" } } }
            }
        },
    ))
}
