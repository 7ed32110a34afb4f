//! A license's dashboard (seed 003 §03, "show local count, METRC count, sync timestamp, and
//! status"): what the workbench expects against what Metrc says, the last sync, open
//! exceptions, submissions waiting for someone, and the keys' expiry.

use super::Lic;
use crate::AppState;
use crate::error::Result;
use crate::page::{acting_for, csrf_field, when};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use tagtrail_workbench::credentials::{KeyKind, KeyStatus};
use tagtrail_workbench::model::discrepancy::Status;
use tagtrail_workbench::model::role::Duty;

/// A key's expiry in words, and whether it needs attention.
pub fn expiry_words(k: &KeyStatus) -> Option<String> {
    let (Some(on), Some(days)) = (k.expires_on, k.days_left) else {
        return None;
    };
    let date = on.format("%b %-d, %Y");
    Some(match days {
        d if d < 0 => format!("expired on {date}"),
        0 => format!("expires today ({date})"),
        1 => format!("expires tomorrow ({date})"),
        d => format!("expires on {date}, in {d} days"),
    })
}

pub fn key_name(k: &KeyStatus) -> &'static str {
    match k.kind {
        KeyKind::Vendor => "vendor key",
        KeyKind::User => "user key",
    }
}

/// [`key_name`] at the start of a sentence or a cell.
pub fn key_title(k: &KeyStatus) -> &'static str {
    match k.kind {
        KeyKind::Vendor => "Vendor key",
        KeyKind::User => "User key",
    }
}

/// "1 record", "2 records".
pub fn plural(n: i64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn figure(n: impl std::fmt::Display, what: &str, href: &str, tone: &str) -> Markup {
    html! {
        div class={ "figure " (tone) } {
            a href=(href) { span.n { (n) } span.what { (what) } }
        }
    }
}

pub async fn page(State(s): State<AppState>, l: Lic) -> Result<Response> {
    let lic = &l.lic;
    let lines = s.wb.reconciliation_lines(lic).await?;
    let live = |p: &Option<tagtrail_workbench::model::discrepancy::PackageView>| {
        p.as_ref().is_some_and(|p| p.status != Status::Inactive)
    };
    let expected = lines.iter().filter(|x| live(&x.expected)).count();
    let in_metrc = lines.iter().filter(|x| live(&x.metrc)).count();
    let differing = lines.iter().filter(|x| !x.discrepancies.is_empty()).count();
    let runs = s.wb.sync_runs(lic, 1).await?;
    let open = s.wb.exceptions(lic, false).await?.len();
    let counts = s.wb.submission_counts(lic).await?;
    let n = |state: &str| counts.get(state).copied().unwrap_or(0);
    let keys = s.wb.key_status(lic).await?;
    let zone = &s.options.zone;
    let user_key = keys.iter().any(|k| k.kind == KeyKind::User);
    let vendor_key = keys.iter().any(|k| k.kind == KeyKind::Vendor);
    let body = html! {
        h1 { "Dashboard" }
        @for k in keys.iter().filter(|k| k.reminder) {
            div.banner.hold role="status" {
                "The Metrc " (key_name(k)) " ending " span.mono { (k.last4) } " "
                (expiry_words(k).unwrap_or_default()) ". "
                @if k.kind == KeyKind::User { a href=(l.url("/settings")) { "Rotate it under Settings" } "." }
                @else { "The installation's administrator rotates it." }
            }
        }
        @if !user_key || !vendor_key {
            div.banner.hold role="status" {
                @if !vendor_key { "The company has no Metrc vendor key yet. " }
                @if !user_key { "This license has no Metrc user key yet: sync and submissions need it. " a href=(l.url("/settings")) { "Settings" } }
            }
        }
        div.figures {
            (figure(expected, "packages expected here", &l.url("/reconciliation"), ""))
            (figure(in_metrc, "packages in Metrc", &l.url("/reconciliation"), ""))
            (figure(differing, "packages that differ", &l.url("/reconciliation"), if differing > 0 { "bad" } else { "" }))
            (figure(open, "open exceptions", &l.url("/exceptions"), if open > 0 { "alert" } else { "" }))
            (figure(n("review"), "waiting for review", &format!("{}?state=review", l.url("/outbox")), if n("review") > 0 { "alert" } else { "" }))
            (figure(n("approved"), "approved, not yet submitted", &format!("{}?state=approved", l.url("/outbox")), ""))
            (figure(n("submitted"), "sent, waiting for Metrc", &format!("{}?state=submitted", l.url("/outbox")), ""))
            (figure(n("draft"), "drafts", &format!("{}?state=draft", l.url("/outbox")), ""))
        }
        div.card {
            h2 { "Last sync" }
            @match runs.first() {
                Some(r) => {
                    p {
                        span class={ "state " (r.status) } { (r.status) } " "
                        "started " (when(zone, r.started_at))
                        @if let Some(f) = r.finished_at { ", finished " (when(zone, f)) }
                        ": " (plural(r.records, "record")) " read, " (plural(r.new_versions, "new version")) "."
                    }
                    @if let Some(e) = r.errors.as_deref().filter(|e| !e.is_empty()) { p.muted { "Errors: " (e) } }
                }
                None => p { "This license has not been synced yet." }
            }
            div.buttons {
                a href=(l.url("/sync")) { "All sync runs" }
            }
            @if lic.allows(Duty::Sync) && !l.signed.caller.installation_admin {
                form method="post" action=(l.url("/sync")) {
                    (csrf_field(&l.signed.csrf))
                    button.act type="submit" { "Sync now" }
                    (acting_for(lic))
                }
            }
        }
        div.card {
            h2 { "Metrc keys" }
            @if keys.is_empty() { p { "No keys stored." } }
            ul {
                @for k in &keys {
                    li {
                        "The " (key_name(k)) " ending " span.mono { (k.last4) }
                        @if let Some(w) = expiry_words(k) { ", " (w) } @else { ", no expiry date recorded" }
                    }
                }
            }
        }
    };
    Ok(l.page(
        StatusCode::OK,
        "",
        &format!("Dashboard · {}", lic.name),
        body,
    ))
}
