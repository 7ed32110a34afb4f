//! The license's audit log (newest first, each entry's hash shortened: the chain is checked by
//! `tagtrail workbench audit verify`), and the requests made to Metrc for it: method, endpoint,
//! status and the answer's hash, as evidence. Never a key: requests are stored without them.

use super::Lic;
use crate::AppState;
use crate::error::Result;
use crate::page::{short_hash, when_text, wide};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

/// The newest entries a page shows.
const SHOWN: i64 = 500;

fn door_words(door: &str) -> &'static str {
    match door {
        "web" => "the web",
        "cli" => "the command line",
        "sync" => "the sync",
        "outbox" => "the outbox",
        _ => "another door",
    }
}

pub async fn log(State(s): State<AppState>, l: Lic) -> Result<Response> {
    let rows =
        s.wb.audit_log(&l.signed.caller, Some(&l.lic), SHOWN)
            .await?;
    let zone = &s.options.zone;
    let body = html! {
        h1 { "Audit log" }
        p.lead.muted {
            "Every action taken for this license, newest first. Each entry is chained to the one before by its hash, so none can be changed or removed without the chain's check finding it. "
            a href=(l.url("/requests")) { "Requests to Metrc" }
        }
        @if rows.is_empty() { p { "Nothing recorded yet." } }
        @else {
            (wide("Audit log", html! {
                table.cards {
                    thead { tr { th { "#" } th { "When" } th { "Who" } th { "Action" } th { "Reason" } th { "Metrc" } th { "Hash" } } }
                    tbody {
                        @for r in &rows {
                            tr {
                                td data-label="#" { (r.entry.seq) }
                                td data-label="When" { (when_text(zone, &r.entry.at)) }
                                td data-label="Who" {
                                    @match r.user.as_deref() {
                                        Some(u) => { (u) br; span.muted { "via " (door_words(&r.entry.door)) } }
                                        None => { span.muted { (door_words(&r.entry.door)) } }
                                    }
                                }
                                td data-label="Action" { (r.entry.action) }
                                td data-label="Reason" { (r.entry.reason) }
                                td data-label="Metrc" {
                                    @if let Some(st) = r.entry.response_status { "answered " (st) }
                                    @if let Some(h) = &r.entry.response_sha256 { br; "answer " (short_hash(h)) }
                                }
                                td data-label="Hash" { (short_hash(&r.hash)) }
                            }
                        }
                    }
                }
            }))
            @if rows.len() as i64 == SHOWN { p.muted { "The newest " (SHOWN) " entries are shown." } }
        }
    };
    Ok(l.page(
        StatusCode::OK,
        "/audit",
        &format!("Audit log · {}", l.lic.name),
        body,
    ))
}

pub async fn requests(State(s): State<AppState>, l: Lic) -> Result<Response> {
    let rows = s.wb.requests(&l.lic, SHOWN).await?;
    let zone = &s.options.zone;
    let body = html! {
        h1 { "Requests to Metrc" }
        p.lead.muted {
            "Every request made to Metrc for this license, newest first, with the SHA-256 of each answer as evidence of what Metrc said. Keys are never stored with them. "
            a href=(l.url("/audit")) { "Audit log" }
        }
        @if rows.is_empty() { p { "No requests yet." } }
        @else {
            (wide("Requests to Metrc", html! {
                table.cards {
                    thead { tr { th { "When" } th { "Request" } th { "Status" } th { "Took" } th { "Answer" } th { "For" } } }
                    tbody {
                        @for r in &rows {
                            tr {
                                td data-label="When" { (when_text(zone, &r.at)) }
                                td.mono.hash data-label="Request" { (r.method) " " (r.path) @if !r.query.is_empty() { br; span.muted { "?" (r.query) } } }
                                td data-label="Status" { @match r.status { Some(st) => { (st) } None => { span.muted { "no answer" } } } @if let Some(e) = &r.error { br; span.muted { (e) } } }
                                td.num data-label="Took" { (r.elapsed_ms) " ms" }
                                td data-label="Answer" { @if let Some(h) = &r.response_sha256 { (short_hash(h)) } }
                                td data-label="For" {
                                    @if let Some(id) = r.submission_id { a href=(l.url(&format!("/outbox/{id}"))) { "submission #" (id) } }
                                    @else if let Some(run) = r.sync_run_id { "sync run " (run) }
                                    @if let Some(u) = &r.user { br; span.muted { (u) } }
                                }
                            }
                        }
                    }
                }
            }))
        }
    };
    Ok(l.page(
        StatusCode::OK,
        "/audit",
        &format!("Requests to Metrc · {}", l.lic.name),
        body,
    ))
}
