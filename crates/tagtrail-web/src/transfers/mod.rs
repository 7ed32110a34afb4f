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

fn title(t: &Transfer) -> String {
    if t.state == TransferState::Template {
        format!("Template {}", t.name.clone().unwrap_or_default())
    } else {
        format!("Manifest {}", t.manifest_number)
    }
}

fn state_pill(t: &Transfer) -> Markup {
    let status = t.list_status();
    let class = match t.state {
        TransferState::Voided => "pill off",
        TransferState::Received if t.rejected_count > 0 && t.rejected_returned_at.is_none() => {
            "pill warn"
        }
        TransferState::InTransit | TransferState::Delivered => "pill warn",
        _ => "pill",
    };
    html! { span class=(class) { (status) } }
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
}
