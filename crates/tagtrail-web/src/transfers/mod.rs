//! Transfer pages: the lists; the manifest editor (tick packages, add N of them at once, or list
//! them by UID, bulletin IV); the manifest page with the steps the viewing license may take and
//! the package-list upload; the receipt screen; and the manifest document. Every write runs the
//! action the matching API endpoint runs, with its permissions, so the UI cannot do what the API
//! would refuse.

pub mod detail;
mod directory;
pub mod document;
pub mod editor;
pub mod lists;
pub mod receipt;

use crate::WebState;
use crate::error::WebError;
use crate::frame::Frame;
use maud::{Markup, html};
use tagtrail_app::Scope;
use tagtrail_app::actions::transfers::Loaded;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Party, Transfer, TransferState};

// The API's permissions for the same reads and writes.
const VIEW: &[Permission] = &[Permission::ViewTransfers, Permission::ManageTransfers];
const MANAGE: &[Permission] = &[Permission::ManageTransfers];
const VIEW_TEMPLATES: &[Permission] = &[
    Permission::ViewTransferTemplates,
    Permission::ManageTransferTemplates,
];
const MANAGE_TEMPLATES: &[Permission] = &[Permission::ManageTransferTemplates];
/// Any transfer permission: enough to open a transfer page, whose content then checks the one
/// permission that kind of record needs.
const ANY: &[Permission] = &[
    Permission::ViewTransfers,
    Permission::ManageTransfers,
    Permission::ViewTransferTemplates,
    Permission::ManageTransferTemplates,
];
const EDITORS: &[Permission] = &[
    Permission::ManageTransfers,
    Permission::ManageTransferTemplates,
];

/// Which parties to a manifest the viewing license is. A template is its shipper's alone.
struct Roles {
    shipper: bool,
    recipient: bool,
    transporter: bool,
}

fn roles(t: &Transfer, lic: &str) -> Roles {
    let registered = t.state != TransferState::Template;
    Roles {
        shipper: t.license_number == lic,
        recipient: registered && t.recipient.license_number == lic,
        transporter: registered && t.transporter.license_number == lic,
    }
}

/// The manifest or template `id`, if `scope`'s license is a party to it and the employee holds
/// the permission its kind needs (templates and manifests are permitted separately, as in the
/// API).
async fn visible(
    s: &WebState,
    scope: &Scope,
    id: i64,
    templates: &[Permission],
    manifests: &[Permission],
) -> Result<Loaded, WebError> {
    let l = s.ledger.manifest_in(scope, id).await?;
    let perms = if l.transfer.state == TransferState::Template {
        templates
    } else {
        manifests
    };
    scope.require(perms)?;
    Ok(l)
}

/// The manifest's name on its pages: "Manifest 0000000012", or a template's name. A transfer is
/// the record; its manifest is the document that travels with the packages, known by its number.
fn title(t: &Transfer) -> String {
    if t.state == TransferState::Template {
        format!("Template {}", t.name.clone().unwrap_or_default())
    } else {
        format!("Manifest {}", t.manifest_number)
    }
}

/// A transfer's list status in words, with the badge class it reads with.
fn status_words(status: &str) -> (&'static str, &'static str) {
    match status {
        "Template" => ("Template", "badge neutral"),
        "Outgoing" => ("Registered, not departed", "badge neutral"),
        "InTransit" => ("⇢ In transit", "badge transit"),
        "Delivered" => ("Arrived, awaiting receipt", "badge testing"),
        "Received" => ("✓ Received", "badge passed"),
        "Rejected" => ("Received · packages rejected", "badge hold"),
        "Returned" => ("Received · rejected packages returned", "badge closed"),
        "Voided" => ("Voided", "badge closed"),
        _ => ("", "badge neutral"),
    }
}

/// The state of a transfer as a badge of words (the ledger's name kept for machines).
fn state_badge(t: &Transfer) -> Markup {
    let status = t.list_status();
    let (words, class) = status_words(&status);
    html! { span class=(class) data-state=(status) { @if words.is_empty() { (status) } @else { (words) } } }
}

/// A package line's state on a manifest in words.
fn line_words(status: &str) -> &str {
    match status {
        "Planned" => "Planned",
        "Shipped" => "In transit",
        other => other,
    }
}

/// One sentence, shown once on the transfer pages, for the names they use.
fn glossary() -> Markup {
    html! {
        p.muted.glossary-line {
            "A " strong { "transfer" } " moves packages from one license to another. Its "
            strong { "manifest" } " is the document that travels with them, known by its ten-digit manifest number. "
            "A " strong { "template" } " is a saved transfer plan with no manifest yet."
        }
    }
}

/// A planned time as the manifest holds it. Estimated times are typed as the facility's local
/// time and kept without an offset, so they are shown as typed (with the zone they are in and
/// the UTC instant on hover); a time with an offset is converted like any other.
fn planned(zone: crate::when::Zone, v: &str) -> Markup {
    use chrono::TimeZone;
    if chrono::DateTime::parse_from_rfc3339(v.trim()).is_ok() {
        return zone.when(v);
    }
    let naive = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|fmt| chrono::NaiveDateTime::parse_from_str(v.trim(), fmt).ok());
    match naive.and_then(|n| zone.0.from_local_datetime(&n).earliest()) {
        Some(t) => {
            let utc = t.with_timezone(&chrono::Utc);
            html! {
                time datetime=(utc.to_rfc3339()) title={ (utc.format("%Y-%m-%d %H:%M:%S UTC")) } {
                    (t.format("%b %-d, %Y, %-I:%M %p %Z"))
                }
            }
        }
        None => html! { (v) },
    }
}

fn party(p: &Party) -> Markup {
    html! { (p.name) " " span.mono.muted { (p.license_number) } }
}

fn page(f: &Frame, title: &str, body: Markup) -> Markup {
    f.page(title, "transfers", body)
}

fn opt(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

fn with_warnings(mut msg: String, warnings: &[String]) -> String {
    for w in warnings {
        msg.push(' ');
        msg.push_str(w);
    }
    msg
}

/// A date-time input's value (`2026-11-21T08:00`) as the manifest stores it, with seconds.
fn with_seconds(v: &str) -> String {
    let v = v.trim();
    if v.len() == 16 && v.as_bytes().get(10) == Some(&b'T') {
        format!("{v}:00")
    } else {
        v.to_string()
    }
}

/// A stored date-time as a `datetime-local` input shows it (to the minute); empty when it is not
/// in that shape, so that the browser does not show a wrong time.
fn local(v: &str) -> String {
    match v.get(..16) {
        Some(head)
            if v.as_bytes().get(10) == Some(&b'T')
                && tagtrail_domain::time::parse_instant(head).is_some() =>
        {
            head.to_string()
        }
        _ => String::new(),
    }
}

/// The manifest page of `id` at the license as typed in the address.
fn detail_path(license: &str, id: i64) -> String {
    format!("/ui/l/{}/transfers/{id}", crate::urls::segment(license))
}

pub fn routes() -> axum::Router<WebState> {
    use crate::lic;
    use axum::routing::{get, post};
    axum::Router::new()
        .route(&lic("/transfers"), get(lists::page_of))
        .route(
            &lic("/transfers/new"),
            get(editor::new_form).post(editor::create),
        )
        .route(&lic("/transfers/{id}"), get(detail::page_of))
        .route(
            &lic("/transfers/{id}/edit"),
            get(editor::edit_form).post(editor::update),
        )
        .route(&lic("/transfers/{id}/upload"), post(detail::upload))
        .route(
            &lic("/transfers/{id}/receive"),
            get(receipt::form).post(receipt::receive),
        )
        .route(&lic("/transfers/{id}/manifest.pdf"), get(document::pdf))
        .route(&lic("/transfers/{id}/manifest.html"), get(document::html))
        .route(&lic("/transfers/{id}/{action}"), post(detail::act))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_round_trip_through_the_input() {
        assert_eq!(with_seconds("2026-11-21T08:00"), "2026-11-21T08:00:00");
        assert_eq!(with_seconds(" 2026-11-21T08:00:30 "), "2026-11-21T08:00:30");
        assert_eq!(local("2026-11-20T12:30:00"), "2026-11-20T12:30");
        assert_eq!(local("tomorrow"), "");
    }

    /// Estimated times are the facility's local time as typed: shown as typed, not shifted as
    /// if they were UTC; a time with an offset is converted.
    #[test]
    fn planned_times_are_local_as_typed() {
        let z = crate::when::Zone::default();
        let html = planned(z, "2026-11-20T08:00:00").into_string();
        assert!(html.contains("Nov 20, 2026, 8:00 AM PST"), "{html}");
        assert!(html.contains("2026-11-20 16:00:00 UTC"), "{html}");
        let html = planned(z, "2026-07-01T19:05:00+00:00").into_string();
        assert!(html.contains("12:05 PM PDT"), "{html}");
        assert_eq!(planned(z, "soon").into_string(), "soon");
    }
}
