//! Manifests: every manifest of the license either way, as the last sync saw it, with each
//! package's state on its delivery — the shipper's confirmation of delivery for every manifest,
//! whether the workbench registered it or someone did in Metrc's web UI, and the way into the
//! next step (receive, take back, destroy).

use super::Lic;
use crate::AppState;
use crate::error::Result;
use crate::page::{segment, when, wide};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use tagtrail_workbench::manifests::ManifestSeen;

/// A package state on a delivery, in words, with a mark that does not rely on colour.
fn state_badge(state: &str) -> Markup {
    let (class, mark, words) = match state {
        "Accepted" => ("passed", "✓", "Accepted"),
        "Rejected" => ("failed", "✕", "Rejected, on its way back"),
        "Returned" => ("hold", "↩", "Returned"),
        "Shipped" => ("testing", "→", "In transit"),
        "" => ("untested", "?", "Not synced"),
        other => ("untested", "?", other),
    };
    html! { span class={ "badge " (class) } { span aria-hidden="true" { (mark) " " } (words) } }
}

/// What the manifest waits for, if anything, and the step that answers it.
fn next_step(l: &Lic, m: &ManifestSeen) -> Markup {
    let has = |s: &str| m.packages.iter().any(|(_, x)| x == s);
    let returned: Vec<String> = m
        .packages
        .iter()
        .filter(|(_, s)| s == "Returned")
        .map(|(p, _)| p.clone())
        .collect();
    html! {
        @if m.voided {
            span.muted { "Voided" }
        } @else if !m.outgoing && has("Shipped") {
            a href={ (l.url("/outbox/new")) "?kind=receive&delivery=" (m.delivery_id) } { "Receive it" }
        } @else if m.outgoing && has("Rejected") {
            a href={ (l.url("/outbox/new")) "?kind=takeback&delivery=" (m.delivery_id) } { "Take back the rejected" }
        } @else if m.outgoing && !returned.is_empty() {
            a href=(super::outbox::destruction_url(l, &returned, &format!("Rejected on manifest {} by {}, taken back", m.manifest_number, m.other_license))) { "Destroy the returned" }
        } @else if m.outgoing && has("Shipped") {
            span.muted { "Waiting for the recipient" }
        } @else {
            span.muted { "Nothing to do" }
        }
    }
}

fn row(l: &Lic, zone: &tagtrail_web::Zone, m: &ManifestSeen) -> Markup {
    html! {
        tr {
            td.mono data-label="Manifest" { (m.manifest_number) }
            td data-label="Direction" { @if m.outgoing { "Sent to" } @else { "Received from" } }
            td data-label="Other license" {
                span.mono { (m.other_license) }
                @if !m.other_name.is_empty() { br; span.muted { (m.other_name) } }
            }
            td data-label="Type" { (m.transfer_type) }
            td data-label="Registered" { @if let Some(t) = m.created { (when(zone, t)) } }
            td data-label="Received" { @if let Some(t) = m.received { (when(zone, t)) } @else { span.muted { "not yet" } } }
            td data-label="Packages" {
                details.packages {
                    summary {
                        @for (i, (state, n)) in m.counts().into_iter().enumerate() {
                            @if i > 0 { " " }
                            (n) " " (state_badge(state))
                        }
                        @if m.packages.is_empty() { span.muted { "none synced" } }
                    }
                    ul.plain {
                        @for (label, state) in &m.packages {
                            li { a.mono href=(l.url(&format!("/packages/{}", segment(label)))) { (label) } " " (state_badge(state)) }
                        }
                    }
                }
            }
            td data-label="Next" { (next_step(l, m)) }
        }
    }
}

pub async fn list(State(s): State<AppState>, l: Lic) -> Result<Response> {
    let all = s.wb.manifests_seen(&l.lic).await?;
    let zone = &s.options.zone;
    let head = html! {
        thead { tr { th { "Manifest" } th { "Direction" } th { "Other license" } th { "Type" } th { "Registered" } th { "Received" } th { "Packages on the delivery" } th { "Next" } } }
    };
    let body = html! {
        h1 { "Manifests" }
        p.lead { "Every manifest this license sent or received, as the last sync saw it in Metrc, with each package's state on its delivery — whether it was registered here or in Metrc's web UI. "
            "A package accepted by its recipient is the shipper's confirmation of delivery." }
        @if all.is_empty() {
            p.muted { "No manifest at the last sync. " a href=(l.url("/sync")) { "Run a sync" } " to read them from Metrc." }
        } @else {
            (wide("Manifests", html! {
                table.cards.manifests { (head) tbody { @for m in &all { (row(&l, zone, m)) } } }
            }))
        }
    };
    Ok(l.page(
        StatusCode::OK,
        "/manifests",
        &format!("Manifests · {}", l.lic.name),
        body,
    ))
}
