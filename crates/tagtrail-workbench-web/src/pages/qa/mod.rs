//! Distribution's QA release gate (issue 11): the queue of lots not sellable yet, each with what
//! it waits for; sellable inventory; labels a revised COA contradicts; and a page per lot where
//! the COA and the review sit side by side, with the decision (release, reject), holds and the
//! label's potency.
//!
//! What a page offers follows the model's own rules (`qa::release_refusals`, the roles' duties),
//! so a page cannot offer what the workbench would refuse; every form is decided again by the
//! application layer when it is posted.

use super::Lic;
use crate::AppState;
use crate::error::{Fail, Result};
use crate::form::{Fields, Refill};
use crate::page::segment;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use tagtrail_domain::lab_state::LabState;
use tagtrail_workbench::WbError;
use tagtrail_workbench::model::coa::Potency;
use tagtrail_workbench::model::qa::{CheckItem, Refusal};
use tagtrail_workbench::model::role::Role;
use tagtrail_workbench::model::submission::Actor;
use tagtrail_workbench::release::Lot;

mod decide;
mod document;
mod lot;
mod queue;
mod review;

pub use decide::{claim, hold, lift, prepare, reject, release};
pub use document::{attach_coa, document};
pub use lot::lot;
pub use queue::queue;

/// The section every QA page is in.
const SECTION: &str = "/qa";

/// A lot's page.
fn lot_url(l: &Lic, label: &str) -> String {
    l.url(&format!("/qa/{}", segment(label)))
}

/// The label an address names, as the workbench keeps labels.
fn label_of(l: &Lic) -> String {
    l.param("label").trim().to_ascii_uppercase()
}

/// A potency as a label prints it: "THC 20 %, CBD 0.5 %".
fn potency(p: &Potency) -> String {
    let part = |name: &str, v: Option<rust_decimal::Decimal>| {
        v.map(|d| format!("{name} {} %", d.normalize()))
    };
    let parts: Vec<String> = [part("THC", p.thc_percent), part("CBD", p.cbd_percent)]
        .into_iter()
        .flatten()
        .collect();
    if parts.is_empty() {
        "no potency given".into()
    } else {
        parts.join(", ")
    }
}

/// Metrc's lab testing state (`TestPassed`) in words ("Test passed").
fn lab_words(state: &str) -> String {
    let mut out = String::new();
    for (i, c) in state.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Metrc's lab testing state as a badge: a colour, a mark and words, so it cannot be misread.
fn lab_badge(state: Option<&str>) -> Markup {
    let Some(state) = state.filter(|s| !s.is_empty()) else {
        return html! { span.badge.untested { "○ none in Metrc" } };
    };
    let (class, mark) = match LabState::parse(state) {
        Some(s) if s.passing() => ("badge passed", "✓"),
        Some(s) if s.failed() => ("badge failed", "✕"),
        _ => ("badge testing", "…"),
    };
    html! { span class=(class) { span aria-hidden="true" { (mark) " " } (lab_words(state)) } }
}

/// Whether the newest review was rejected, and to what.
fn rejected_to(lot: &Lot) -> Option<&str> {
    lot.review
        .as_ref()
        .and_then(|r| r.outcome.as_deref())
        .filter(|o| *o != "released")
}

/// What a lot waits for, in words: how its review ended, if it did, then each gate still closed
/// (the model's refusals for a second QA person with their code, so what is left is the lot's
/// own state, not who looks at it). Nothing when it is sellable.
fn waits(lot: &Lot) -> (Option<Markup>, Vec<Markup>) {
    if lot.sellable() {
        return (None, vec![]);
    }
    // Someone other than the preparer, with the QA role and a fresh second factor.
    let second = Actor::Person {
        user_id: i64::MIN,
        roles: vec![Role::Qa],
        second_factor: true,
    };
    let refused = lot.refusals(&second);
    let mut out = vec![];
    let review = lot.review.as_ref();
    let head = if let (Some(to), Some(r)) = (rejected_to(lot), review) {
        Some(html! {
            strong { "Rejected to " (to) } " by " (r.decided_by.as_deref().unwrap_or("QA"))
            @if let Some(why) = r.decision_reason.as_deref() { ": " (why) }
        })
    } else if lot.released() {
        Some(html! {
            "Released by " (review.and_then(|r| r.decided_by.as_deref()).unwrap_or("QA")) ", but not sellable:"
        })
    } else {
        None
    };
    let deciding = rejected_to(lot).is_none() && !lot.released();
    for r in &refused {
        match r {
            Refusal::NoCoa if lot.coas.is_empty() => out.push(html! { strong { "Needs a COA" } }),
            Refusal::NoCoa if deciding && review.is_some_and(|r| r.outcome.is_none()) => {
                out.push(html! {
                    strong { "Needs a new review" } ": COA version "
                    (lot.current_coa().map(|c| c.version).unwrap_or(0)) " came after it"
                })
            }
            Refusal::NotPrepared if deciding && !lot.coas.is_empty() => {
                out.push(html! { strong { "Needs a QA review" } })
            }
            Refusal::Unchecked(items) if deciding && review.is_some() => out.push(html! {
                strong { "Review incomplete" } ": " (items.len()) " of " (CheckItem::ALL.len()) " checks not ticked"
            }),
            Refusal::Held(why) => out.push(html! { strong { "On hold" } ": " (why) }),
            Refusal::Discrepancy(class) => {
                out.push(html! { strong { "Open discrepancy" } ": " (class) })
            }
            Refusal::LabState => out.push(html! {
                strong { "Metrc's lab state is not passing" } ": "
                (lot.metrc.as_ref().and_then(|p| p.lab_state.as_deref()).map(lab_words).unwrap_or_else(|| "none".into()))
            }),
            _ => {}
        }
    }
    if out.is_empty() && head.is_none() {
        // Every gate is open but the second person's own: the review waits for their release.
        let by = review.map(|r| r.prepared_by.as_str()).unwrap_or("QA");
        out.push(
            html! { strong { "Ready for a second person's release" } " (prepared by " (by) ")" },
        );
    }
    (head, out)
}

/// Where a lot stands, as a badge.
fn standing(lot: &Lot) -> Markup {
    if lot.sellable() {
        html! { span.badge.passed { span aria-hidden="true" { "✓ " } "Sellable" } }
    } else if let Some(to) = rejected_to(lot) {
        html! { span.badge.failed { span aria-hidden="true" { "✕ " } "Rejected to " (to) } }
    } else if lot.on_hold() {
        html! { span.badge.hold { span aria-hidden="true" { "‖ " } "On hold" } }
    } else if lot.released() {
        html! { span.badge.testing { "Released, not sellable" } }
    } else {
        html! { span.badge.untested { "Waiting for QA" } }
    }
}

/// The answer to a form: its message on the lot's page, or the lot's page again with the
/// refusal at the form and what was typed in it.
async fn answer(
    s: &AppState,
    l: &Lic,
    label: &str,
    form: &'static str,
    fields: &Fields,
    outcome: std::result::Result<String, WbError>,
) -> Result<Response> {
    match outcome {
        // To the top, where the message is (a redirect without a fragment would keep the
        // form's, which points at its section).
        Ok(message) => Ok(l
            .done(s, &format!("{}#main", lot_url(l, label)), &message)
            .await),
        Err(e) => refuse(s, l, label, form, fields, Fail::from(e)).await,
    }
}

/// The lot's page again with `f` shown at `form` (a missing lot or a failure is no form's).
async fn refuse(
    s: &AppState,
    l: &Lic,
    label: &str,
    form: &'static str,
    fields: &Fields,
    f: Fail,
) -> Result<Response> {
    if f.status == StatusCode::NOT_FOUND || f.status.is_server_error() {
        return Err(f);
    }
    let r = Refill::new(form, fields, f.message);
    lot::render(s, l, label, f.status, Some(&r)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn potency_and_lab_state_read_as_words() {
        let p = Potency {
            thc_percent: Some("20.50".parse().unwrap_or_default()),
            cbd_percent: None,
        };
        assert_eq!(potency(&p), "THC 20.5 %");
        assert_eq!(potency(&Potency::default()), "no potency given");
        assert_eq!(lab_words("TestPassed"), "Test passed");
    }
}
