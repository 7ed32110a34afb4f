//! Irreversible actions ask first, naming what they affect (as the ledger UI does).
//!
//! In the page, the action's button opens a panel (`<details>`, no script) that says what will
//! happen and holds the real submit button, which posts `confirmed=yes`. The handler refuses to
//! act without it and answers with a confirmation page instead, so a form posted some other way
//! (an old page, a keyboard slip, a replayed request) still asks before acting.

use super::Lic;
use crate::form::Fields;
use crate::page::{acting_for, csrf_field};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

/// The confirming button's field.
const FIELD: &str = "confirmed";

/// "Yes, submit to Metrc": the label with its first letter in lower case (names keep theirs).
fn yes(label: &str) -> String {
    let mut c = label.chars();
    match c.next() {
        Some(first) => format!("Yes, {}{}", first.to_lowercase(), c.as_str()),
        None => "Yes".into(),
    }
}

/// A button that first shows `consequence` and asks again; inside the action's form.
pub fn button(label: &str, consequence: &str) -> Markup {
    html! {
        details.confirm {
            summary.act.danger { (label) }
            div.confirm-panel role="group" aria-label={ "Confirm: " (label) } {
                p { (consequence) " This cannot be undone." }
                button.act.danger type="submit" name=(FIELD) value="yes" { (yes(label)) }
            }
        }
    }
}

/// Whether the form was confirmed.
pub fn confirmed(fields: &Fields) -> bool {
    fields.get(FIELD) == "yes"
}

/// The page a form posted without confirmation gets: the same fields (never a secret), posted
/// again with `confirmed=yes`, or back to `cancel`.
#[allow(clippy::too_many_arguments)]
pub fn ask(
    l: &Lic,
    section: &'static str,
    fields: &Fields,
    action: &str,
    label: &str,
    consequence: &str,
    cancel: &str,
) -> Response {
    let body = html! {
        h1 { (label) "?" }
        div.card {
            p { (consequence) " This cannot be undone." }
            form method="post" action=(action) {
                (csrf_field(&l.signed.csrf))
                @for (k, v) in &fields.typed().0 {
                    @if k != FIELD { input type="hidden" name=(k) value=(v); }
                }
                div.buttons {
                    button.act.danger type="submit" name=(FIELD) value="yes" { (yes(label)) }
                    (acting_for(&l.lic))
                }
                p { a href=(cancel) { "Cancel" } }
            }
        }
    };
    l.page(StatusCode::OK, section, label, body)
}
