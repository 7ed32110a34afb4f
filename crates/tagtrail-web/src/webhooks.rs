//! A facility's webhooks: who receives its data. Integrators subscribe over the API (Metrc v2
//! Webhooks) with their vendor key and an employee's user key; these pages let the facility's
//! people see each subscription that reads this license (the integrator, whose key, where it
//! posts, what it wants, whether it is delivering and how far it has got), its delivery log,
//! and disable or enable it.
//!
//! Who sees what is decided in the application layer (`Ledger::facility_webhooks`): whoever
//! may manage the license's employees sees every subscription and may disable or enable it (a
//! state inspector sees them, read-only); another employee sees only the subscriptions reading
//! with their own key, and is not offered the page if there are none. The signing secret is
//! never shown here: it was shown once, when the subscription was created over the API.

use crate::error::{Page, WebError};
use crate::fields::Posted;
use crate::flash::{notices, reply};
use crate::frame::Frame;
use crate::layout::{csrf_field, wide};
use crate::session::Signed;
use crate::urls::segment;
use crate::{WebState, confirm, lic};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use tagtrail_app::webhooks::{DeliveryRow, FacilityWebhook};

/// Deliveries shown per page of the log.
const LOG_PAGE: u32 = 25;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route(&lic("/webhooks"), get(list))
        .route(&lic("/webhooks/{id}"), get(detail))
        .route(&lic("/webhooks/{id}/disable"), post(disable))
        .route(&lic("/webhooks/{id}/enable"), post(enable))
}

fn list_url(license: &str) -> String {
    format!("/ui/l/{}/webhooks", segment(license))
}

fn hook_url(license: &str, id: i64) -> String {
    format!("/ui/l/{}/webhooks/{id}", segment(license))
}

/// The receiver as host and path: the scheme says little, and a query string may carry the
/// receiver's own token, which this page has no business repeating.
fn receiver(url: &str) -> (String, String) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    match rest.split_once('/') {
        Some((host, path)) => (host.to_string(), format!("/{path}")),
        None => (rest.to_string(), "/".to_string()),
    }
}

/// A stored list of object types or verbs in words: `*` is everything.
fn names(list: &str, all: &str) -> String {
    if list == "*" {
        all.to_string()
    } else {
        list.split(',').collect::<Vec<_>>().join(", ")
    }
}

/// The status a person reads: active, or disabled with why.
fn status(w: &FacilityWebhook) -> Markup {
    html! {
        @if w.status == "Active" {
            span.badge.passed { "Active" }
        } @else {
            span.badge.hold { "Disabled" }
            @if let Some(why) = w.disabled_reason.as_deref().filter(|r| !r.is_empty()) {
                " " span.why { (why) }
            }
        }
    }
}

/// How far the subscription has got in this facility's feed, in words.
fn position(w: &FacilityWebhook) -> Markup {
    match w.position.as_deref() {
        None => {
            html! { "Nothing sent yet: it starts at the beginning of this facility's changes." }
        }
        Some(c) => {
            let (seq, change) = c.split_once('.').unwrap_or((c, "0"));
            html! {
                "Sent up to journal entry " (seq)
                @if change != "0" { ", change " (change) }
                " " span.muted.mono { "(cursor " (c) ")" }
            }
        }
    }
}

/// A subscription's facts, as on the list and its own page.
fn facts(f: &Frame, w: &FacilityWebhook) -> Markup {
    let (host, path) = receiver(&w.url);
    html! {
        dl.people-facts {
            dt { "Integrator (vendor key)" } dd { (w.vendor) }
            dt { "Reads with the user key of" } dd { (w.employee) }
            dt { "Receiver" } dd { span.mono { (host) } " " span.mono.muted { (path) } }
            dt { "Object types" } dd { (names(&w.object_types, "All types")) }
            dt { "Changes" } dd { (names(&w.verbs, "All changes")) }
            dt { "Status" } dd { (status(w)) }
            dt { "Failures in a row" } dd { (w.consecutive_failures) }
            dt { "Next attempt" }
            dd { @if w.status == "Active" { (f.when(&w.next_attempt_at)) } @else { span.muted { "None while disabled" } } }
            dt { "Last attempt" }
            dd { @match w.last_attempt_at.as_deref() { Some(t) => (f.when(t)), None => span.muted { "Never" } } }
            dt { "Position in this facility's data" } dd { (position(w)) }
            @if w.other_licenses > 0 {
                dt { "Other facilities" } dd { "It also reads " (w.other_licenses) " other license(s) of " (w.employee) "." }
            }
        }
    }
}

/// Disable (confirmed first) or enable, for those who may.
fn actions(f: &Frame, w: &FacilityWebhook) -> Markup {
    if !w.may_change {
        return html! {};
    }
    let base = hook_url(f.license(), w.id);
    html! {
        @if w.status == "Active" {
            form.card #disable method="post" action={ (base) "/disable" } {
                (csrf_field(f.csrf()))
                (confirm::button_then("Disable", &disable_consequence(w), "Enable it again to resume from where it stopped."))
            }
        } @else {
            form.card #enable method="post" action={ (base) "/enable" } {
                (csrf_field(f.csrf()))
                p.muted { "It resumes from where it stopped: nothing this facility recorded meanwhile is missed." }
                button.act type="submit" { "Enable" }
            }
        }
    }
}

fn disable_consequence(w: &FacilityWebhook) -> String {
    let (host, _) = receiver(&w.url);
    format!(
        "{} stops receiving this facility's changes at {host} (subscription {}, with the key of {}).",
        w.vendor, w.id, w.employee
    )
}

pub async fn list(State(s): State<WebState>, signed: Signed, Path(license): Path<String>) -> Page {
    let f = Frame::of(&s, signed, &license, &[]).await?;
    let hooks = s.ledger.facility_webhooks(&f.scope).await?;
    let body = html! {
        h1 { "Webhooks · " (f.scope.facility().name) }
        (notices(f.flash()))
        p.muted { "Integrators that receive this facility's changes as they happen. An integrator subscribes through the API with its vendor key and an employee's API key, and reads what that employee may read here." }
        @if hooks.is_empty() {
            p #no-webhooks { "No integrator receives this facility's data by webhook." }
        }
        @for w in &hooks {
            section.webhook aria-labelledby={ "hook-" (w.id) } {
                h2 #{ "hook-" (w.id) } {
                    a href=(hook_url(f.license(), w.id)) { (w.vendor) " · subscription " (w.id) }
                }
                div.card { (facts(&f, w)) }
            }
        }
    };
    Ok(f.page("Webhooks", "webhooks", body))
}

#[derive(Deserialize, Default)]
pub struct LogQuery {
    /// Deliveries older than this one (the log's next page).
    before: Option<i64>,
}

fn log_table(f: &Frame, rows: &[DeliveryRow]) -> Markup {
    html! {
        (wide(html! { table #deliveries {
            thead { tr { th { "Time" } th { "Result" } th { "HTTP status" } th { "Items" } th { "Error" } } }
            tbody { @for d in rows {
                @let ok = d.http_status.is_some_and(|c| (200..300).contains(&c));
                tr {
                    td { (f.when(&d.attempted_at)) }
                    td { @if ok { span.badge.passed { "Delivered" } } @else { span.badge.failed { "Failed" } }
                         @if d.attempt > 1 { " " span.muted { "attempt " (d.attempt) } } }
                    td { @match d.http_status { Some(c) => (c), None => span.muted { "No answer" } } }
                    td { (d.items) }
                    td { @if let Some(e) = d.error.as_deref() { (e) } }
                }
            } }
        } }))
    }
}

pub async fn detail(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    Query(q): Query<LogQuery>,
) -> Page {
    let f = Frame::of(&s, signed, &license, &[]).await?;
    let w = s.ledger.facility_webhook(&f.scope, id).await?;
    // One more than a page, to know whether older deliveries exist.
    let mut log = s
        .ledger
        .facility_webhook_log(&f.scope, id, q.before, LOG_PAGE + 1)
        .await?;
    let older = log.len() > LOG_PAGE as usize;
    log.truncate(LOG_PAGE as usize);
    let here = hook_url(f.license(), id);
    let body = html! {
        p { a href=(list_url(f.license())) { "← Webhooks" } }
        h1 { (w.vendor) " · subscription " (w.id) }
        (notices(f.flash()))
        div.card { (facts(&f, &w)) }
        (actions(&f, &w))
        h2 #log { "Deliveries" }
        p.muted { "Every attempt to send this facility's changes, newest first." }
        @if log.is_empty() {
            p { @if q.before.is_some() { "No older deliveries." } @else { "Nothing has been sent yet." } }
        } @else {
            (log_table(&f, &log))
        }
        nav.pager aria-label="Delivery log pages" {
            @if q.before.is_some() { a href={ (here) "#log" } { "Newest" } " " }
            @if let (true, Some(last)) = (older, log.last()) {
                a href={ (here) "?before=" (last.id) "#log" } { "Older deliveries" }
            }
        }
    };
    Ok(f.page(&format!("Webhook {id}"), "webhooks", body))
}

/// Runs a disable or enable and says what happened, back on the subscription's page.
async fn change(
    s: &WebState,
    signed: &Signed,
    license: &str,
    id: i64,
    enabled: bool,
) -> Result<String, WebError> {
    let scope = s.ledger.scope(&signed.acting, license).await?;
    let w = s
        .ledger
        .set_facility_webhook_enabled(&scope, id, enabled)
        .await?;
    Ok(if enabled {
        format!(
            "Subscription {id} enabled: {} receives this facility's changes again.",
            w.vendor
        )
    } else {
        format!(
            "Subscription {id} disabled: {} receives nothing more until it is enabled.",
            w.vendor
        )
    })
}

pub async fn disable(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    posted: Posted,
) -> Response {
    let back = hook_url(&license, id);
    if !confirm::confirmed(&posted) {
        let shown = async {
            let scope = s.ledger.scope(&signed.acting, &license).await?;
            Ok::<_, WebError>(s.ledger.facility_webhook(&scope, id).await?)
        }
        .await;
        return match shown {
            Ok(w) => confirm::ask_then(
                &posted,
                "Disable",
                &disable_consequence(&w),
                "Enable it again to resume from where it stopped.",
                &back,
            ),
            Err(e) => axum::response::IntoResponse::into_response(e),
        };
    }
    let result = change(&s, &signed, &license, id, false).await;
    reply(&s, &signed, &back, result, None).await
}

pub async fn enable(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Response {
    let result = change(&s, &signed, &license, id, true).await;
    reply(&s, &signed, &hook_url(&license, id), result, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_receiver_shows_host_and_path_without_its_query() {
        assert_eq!(
            receiver("https://hooks.example.com:8443/metrc/in?token=abc#x"),
            ("hooks.example.com:8443".into(), "/metrc/in".into())
        );
        assert_eq!(
            receiver("http://127.0.0.1:9000"),
            ("127.0.0.1:9000".into(), "/".into())
        );
        assert_eq!(names("*", "All types"), "All types");
        assert_eq!(names("Package,Strain", "All"), "Package, Strain");
    }
}
