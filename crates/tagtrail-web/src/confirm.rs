//! Irreversible actions ask first, naming what they affect.
//!
//! In the page, the action's button opens a panel (`<details>`, no script) that says what will
//! happen and holds the real submit button, which posts `confirmed=yes`. The handler refuses to
//! act without it and answers with a confirmation page instead, so a form posted some other way
//! (an old page, a keyboard slip, a replayed request) still asks before acting.

use crate::fields::Posted;
use crate::layout::{csrf_field, page};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

/// The field the confirming button sends.
const FIELD: &str = "confirmed";

/// A button that first shows `consequence` and asks again. Place it inside the action's form.
pub fn button(label: &str, consequence: &str) -> Markup {
    button_then(label, consequence, "This cannot be undone.")
}

/// [`button`] for an action another action reverses (finishing, which unfinishing undoes):
/// `after` says so instead of "This cannot be undone."
pub fn button_then(label: &str, consequence: &str, after: &str) -> Markup {
    html! {
        details.confirm {
            summary.act.danger { (label) }
            div.confirm-panel role="group" aria-label={ "Confirm: " (label) } {
                p { (consequence) " " (after) }
                button.act.danger type="submit" name=(FIELD) value="yes" { "Yes, " (label.to_lowercase()) }
            }
        }
    }
}

/// Whether the form was confirmed.
pub fn confirmed(posted: &Posted) -> bool {
    posted.fields.get(FIELD) == Some("yes")
}

/// The confirmation page for a form posted without confirmation: the same fields, posted again
/// with `confirmed=yes`, or back to `cancel`. Also the review step of a form whose effect is
/// worth reading before it happens (an adjustment names the quantity before and after).
pub fn ask(posted: &Posted, label: &str, consequence: &str, cancel: &str) -> Response {
    ask_then(posted, label, consequence, "This cannot be undone.", cancel)
}

/// [`ask`] for an action another action reverses, with `after` saying how.
pub fn ask_then(
    posted: &Posted,
    label: &str,
    consequence: &str,
    after: &str,
    cancel: &str,
) -> Response {
    let body = html! {
        h1 { (label) "?" }
        div.card {
            p { (consequence) " " (after) }
            form method="post" action=(posted.path) {
                // The session's token comes first, as in every form.
                @if let Some(t) = posted.fields.get("csrf") { (csrf_field(t)) }
                @for (k, v) in posted.fields.pairs() {
                    @if k != "csrf" && k != FIELD { input type="hidden" name=(k) value=(v); }
                }
                button.act.danger type="submit" name=(FIELD) value="yes" { "Yes, " (label.to_lowercase()) }
                " "
                a href=(cancel) { "Cancel" }
            }
        }
    };
    (StatusCode::OK, page(label, None, body)).into_response()
}
