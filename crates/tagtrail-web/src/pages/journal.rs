//! A license's journal, newest first: every regulated action in words, who took it and through
//! which door, and on each entry's own page the request as that door received it (the API path
//! with its body, the form with its fields), what it changed and its place in the hash chain.

use crate::WebState;
use crate::error::{Page, WebError};
use crate::frame::Frame;
use crate::layout::wide;
use crate::session::Signed;
use crate::when::Zone;
use axum::extract::{Path, Query, State};
use maud::{Markup, html};
use serde::Deserialize;
use tagtrail_domain::commands::manifests::manifest_number;
use tagtrail_domain::journal::Entry;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Record, Transfer};

const PAGE: u32 = 50;

#[derive(Deserialize, Default)]
pub struct Older {
    before: Option<i64>,
}

/// The door in words.
fn door_words(kind: Option<&str>) -> &'static str {
    match kind {
        Some("web") => "web",
        Some("api") => "API",
        Some("operator") => "operator",
        Some("import") => "bulk import",
        _ => "recorded before doors were named",
    }
}

/// What an entry did, in words: its action, the manifests it touched by number, and the door
/// (`Receive a manifest · manifest 0000000007 (web)`). Entries from before actions were named
/// say what their endpoint was.
pub fn said(e: &Entry) -> Markup {
    let mut manifests: Vec<String> = e
        .body
        .changes
        .iter()
        .filter(|c| c.table == Transfer::TABLE)
        .map(|c| manifest_number(c.id))
        .collect();
    manifests.dedup();
    let what = e
        .body
        .action
        .clone()
        .unwrap_or_else(|| e.body.endpoint.clone());
    html! {
        span.said {
            (what)
            @match manifests.as_slice() {
                [] => {},
                [one] => { " · manifest " span.mono { (one) } },
                many => { " · " (many.len()) " manifests" },
            }
            " " span.door { "(" (door_words(e.body.door.as_deref())) ")" }
        }
    }
}

/// A table of entries: the journal page and a record's own history. Each links to its detail.
pub fn entries(license: &str, zone: Zone, entries: &[Entry]) -> Markup {
    let lic = crate::urls::segment(license);
    wide(html! { table.journal {
        thead { tr { th { "#" } th { "When" } th { "Who" } th { "What" } th { "Reason" } } }
        tbody { @for e in entries { tr {
            td.mono { a href={ "/ui/l/" (lic) "/journal/" (e.seq) } { (e.seq) } }
            td { (zone.when(&e.body.recorded_at)) }
            td { (e.body.actor.name) }
            td { (said(e)) }
            td { (e.body.reason) }
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
            p.muted { "Every regulated action for this license, newest first. Each entry's SHA-256 covers its content and the previous entry's hash; open an entry for the request as it arrived and what it changed." }
            (entries(f.license(), f.zone, &list))
            @if let Some(last) = list.last() {
                @if list.len() == PAGE as usize { p { a href={ "?before=" (last.seq) } { "Older entries →" } } }
            }
        },
    ))
}

/// One entry, whole.
pub async fn entry(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, seq)): Path<(String, i64)>,
) -> Page {
    let f = Frame::of(&s, signed, &license, &[Permission::ViewJournal]).await?;
    let e = s
        .ledger
        .journal(&f.scope, seq.checked_add(1), 1)
        .await?
        .into_iter()
        .find(|e| e.seq == seq)
        .ok_or_else(|| {
            WebError::not_found(format!("Journal entry {seq} is not one of this license's."))
        })?;
    let request = serde_json::to_string_pretty(&e.body.request).unwrap_or_default();
    Ok(f.page(
        &format!("Journal entry {seq}"),
        "journal",
        html! {
            h1 { "Journal entry " (seq) }
            div.card { table.fields #entry {
                tr { th { "What" } td { (said(&e)) } }
                tr { th { "When" } td { (f.when(&e.body.recorded_at)) br; span.mono.muted { (e.body.recorded_at) " (UTC, as recorded)" } } }
                tr { th { "Who" } td { (e.body.actor.name) } }
                tr { th { "Reason" } td { (e.body.reason) } }
                tr { th { "Door" } td { (door_words(e.body.door.as_deref())) } }
                tr { th { "Request" } td.mono { (e.body.endpoint) } }
                tr { th { "Records" } td { (e.body.result_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")) } }
                tr { th { "Previous hash" } td.mono.hash { (e.prev_hash) } }
                tr { th { "Hash" } td.mono.hash { (e.hash) } }
            } }
            h2 { "The request as received" }
            pre.request { (request) }
            h2 { "What it changed" }
            (wide(html! { table {
                thead { tr { th { "Record" } th { "Id" } th { "Shape version" } } }
                tbody { @for c in &e.body.changes { tr { td { (c.table) } td.mono { (c.id) } td { (c.schema) } } } }
            } }))
            p { a href=(f.url("journal")) { "← Journal" } }
        },
    ))
}
