//! The right side of a lot's page: the review checklist, the decision (release with the code, or
//! reject), and the holds.

use super::lot::View;
use super::rejected_to;
use crate::page::{acting_for, acting_line, csrf_field, refusal, sentence, when};
use crate::pages::confirm;
use maud::{Markup, html};
use std::collections::BTreeSet;
use tagtrail_workbench::model::qa::{CheckItem, Refusal};
use tagtrail_workbench::model::submission::Actor;

/// The checklist: the form while the lot waits for a decision (for those who may prepare it),
/// else what the newest review checked.
pub(super) fn review(v: &View<'_>) -> Markup {
    let lot = v.lot;
    let newest = lot.review.as_ref();
    let pending = newest.filter(|r| r.outcome.is_none());
    let may_prepare = v.may_hold && lot.metrc.is_some() && !lot.released();
    let refilled = v.refill.filter(|r| r.form == "review");
    let ticked: BTreeSet<CheckItem> = match refilled {
        Some(r) => r
            .fields
            .0
            .iter()
            .filter(|(k, _)| k == "check")
            .filter_map(|(_, c)| CheckItem::parse(c))
            .collect(),
        None => pending.map(|r| r.checked.clone()).unwrap_or_default(),
    };
    let notes = match refilled {
        Some(r) => r.fields.get("notes").to_string(),
        None => pending.map(|r| r.notes.clone()).unwrap_or_default(),
    };
    let version = |id: Option<i64>| {
        id.and_then(|id| lot.coas.iter().find(|c| c.id == id))
            .map(|c| c.version)
    };
    let current = lot.current_coa().map(|c| c.id);
    let others = refilled.is_none()
        && pending.is_some_and(|r| r.prepared_by_id != v.l.signed.caller.user_id);
    let form = html! {
        form.stack method="post" action=(v.action("/review", "review")) {
            (csrf_field(&v.l.signed.csrf))
            (v.error("review"))
            fieldset.qa-checks {
                legend { "Checked against the current COA" }
                @for item in CheckItem::ALL {
                    label.choice {
                        input type="checkbox" name="check" value=(item.as_str()) checked[ticked.contains(item)];
                        span { (item.label()) }
                    }
                }
            }
            label for="review-notes" { "Notes" }
            textarea id="review-notes" name="notes" maxlength="4000" { (notes) }
            div.buttons {
                button.act type="submit" { @if pending.is_some() { "Save the review again" } @else { "Save the review" } }
                (acting_for(&v.l.lic))
            }
            p.hint { "Saving makes you its preparer: another person with the QA role releases the lot." }
        }
    };
    html! {
        section.card #review aria-labelledby="review-h" {
            h2 #review-h { "Review checklist" }
            @if let Some(r) = newest {
                p {
                    "Prepared by " strong { (r.prepared_by) } ", " (when(v.zone, r.prepared_at))
                    @match version(r.coa_id) {
                        Some(n) => { ", against COA version " (n) "." }
                        None => { ", with no COA attached." }
                    }
                }
                @if r.outcome.is_none() && current.is_some() && r.coa_id != current {
                    div.banner.hold role="status" { strong { "A newer COA was attached since." } " Review the lot against it again before it can be released." }
                }
                @if !r.notes.is_empty() { p.qa-notes { strong { "Notes: " } (r.notes) } }
            } @else {
                p.muted { "No one has prepared the review yet." }
            }
            // Someone else's review waiting for a decision is read, not edited: saving it again
            // would make this person its preparer, who then cannot release it.
            @if let Some(r) = newest.filter(|_| !may_prepare || others) {
                ul.qa-ticks {
                    @for item in CheckItem::ALL {
                        @let done = r.checked.contains(item);
                        li class=@if done { "done" } {
                            span aria-hidden="true" { @if done { "✓ " } @else { "○ " } }
                            (item.label())
                            @if !done { span.muted { " (not checked)" } }
                        }
                    }
                }
            }
            @if may_prepare && others {
                details.qa-redo {
                    summary { "Prepare the review again yourself" }
                    (form)
                }
            } @else if may_prepare {
                (form)
            }
        }
    }
}

/// The decision: how it ended, or the release form with the code (offered only to a person the
/// model lets release now; anyone else reads why not), and the reject form.
pub(super) fn decision(v: &View<'_>) -> Markup {
    let (l, lot) = (v.l, v.lot);
    // The code is asked for on the form; whether the person may is the model's rule.
    let actor = Actor::Person {
        user_id: l.signed.caller.user_id,
        roles: l.lic.roles.clone(),
        second_factor: true,
    };
    let mut refusals = lot.refusals(&actor);
    // With no review prepared, its unticked checks and "review the current COA again" only say
    // the same thing again (and the latter reads wrongly when a COA is attached).
    if refusals.contains(&Refusal::NotPrepared) {
        let has_coa = lot.current_coa().is_some();
        refusals.retain(|r| match r {
            Refusal::Unchecked(_) => false,
            Refusal::NoCoa => !has_coa,
            _ => true,
        });
    }
    let newest = lot.review.as_ref();
    let pending = newest.filter(|r| r.outcome.is_none());
    html! {
        section.card #decision aria-labelledby="decision-h" {
            h2 #decision-h { "Decision" }
            @if let (true, Some(r)) = (lot.released(), newest) {
                p {
                    span.badge.passed { span aria-hidden="true" { "✓ " } "Released" }
                    " by " strong { (r.decided_by.as_deref().unwrap_or("QA")) }
                    @if let Some(t) = r.decided_at { ", " (when(v.zone, t)) }
                    "; prepared by " (r.prepared_by) "."
                }
            } @else if let (Some(to), Some(r)) = (rejected_to(lot), newest) {
                p {
                    span.badge.failed { span aria-hidden="true" { "✕ " } "Rejected to " (to) }
                    " by " strong { (r.decided_by.as_deref().unwrap_or("QA")) }
                    @if let Some(t) = r.decided_at { ", " (when(v.zone, t)) }
                    @if let Some(why) = r.decision_reason.as_deref() { ": " (why) }
                }
                @if to == "destruction" {
                    p { a.act href=(crate::pages::outbox::destruction_url(l, std::slice::from_ref(&lot.label), &format!("Rejected by QA to destruction: {}", r.decision_reason.as_deref().unwrap_or("")))) { "Draft its destruction" } }
                    p.hint { "The destruction is a submission of its own, with its witness and waste record; it goes through review like any other." }
                } @else {
                    p.hint { "After remediation and a passing retest, a new review can release it." }
                }
            }
            @if !lot.released() {
                (acting_line(&l.lic))
                h3 { "Release to sellable inventory" }
                (v.error("release"))
                @if refusals.is_empty() {
                    form.stack method="post" action=(v.action("/release", "decision")) autocomplete="off" {
                        (csrf_field(&l.signed.csrf))
                        label for="release-code" { "Your 6-digit code" }
                        input type="text" id="release-code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required autocomplete="one-time-code" aria-describedby="release-hint";
                        p.hint #release-hint {
                            "Releasing needs your second factor: the code from your authenticator app. "
                            @if let Some(r) = pending { (r.prepared_by) " prepared the review; you are the second person." }
                        }
                        div.buttons {
                            (confirm::button("Release", &format!("{} becomes sellable inventory, released by you.", lot.label)))
                        }
                    }
                } @else {
                    p { "You cannot release this lot now:" }
                    ul.problems.qa-refusals {
                        @for r in &refusals { li { (sentence(&r.to_string())) } }
                    }
                }
                @if v.may_hold && pending.is_some() {
                    form.stack method="post" action=(v.action("/reject", "decision")) {
                        (csrf_field(&l.signed.csrf))
                        h3 { "Reject" }
                        (v.error("reject"))
                        @let to = v.typed("reject", "to");
                        fieldset {
                            legend { "Send the lot to" }
                            label.choice { input type="radio" name="to" value="remediation" required checked[to == "remediation"]; span { "Remediation (treated, retested, reviewed again)" } }
                            label.choice { input type="radio" name="to" value="destruction" checked[to == "destruction"]; span { "Destruction" } }
                        }
                        label for="reject-reason" { "Why" }
                        textarea id="reject-reason" name="reason" required maxlength="1000" { (v.typed("reject", "reason")) }
                        div.buttons {
                            (confirm::button("Reject", &format!("The review of {} ends rejected, and the lot is placed on hold.", lot.label)))
                        }
                    }
                }
            }
        }
    }
}

/// The holds people placed (each with its lift form), Metrc's own hold, and the form placing one.
pub(super) fn holds(v: &View<'_>) -> Markup {
    let (l, lot) = (v.l, v.lot);
    let in_metrc = lot.metrc.as_ref().is_some_and(|p| p.on_hold);
    // A refused lift is shown at its hold's form.
    let lifting = v.refill.filter(|r| r.form == "lift");
    let lifted_id = lifting.map(|r| r.fields.get("hold").to_string());
    let shown_at_hold = lot
        .holds
        .iter()
        .any(|h| lifted_id.as_deref() == Some(h.id.to_string().as_str()));
    html! {
        section.card #holds aria-labelledby="holds-h" {
            h2 #holds-h { "Holds" }
            @if !shown_at_hold { (v.error("lift")) }
            @if lot.holds.is_empty() && !in_metrc {
                p { "The lot is on no hold." }
            } @else {
                ul.qa-holds {
                    @for h in &lot.holds {
                        @let id = h.id.to_string();
                        @let mine = lifting.filter(|_| lifted_id.as_deref() == Some(id.as_str()));
                        li {
                            span.badge.hold { "‖ On hold" } " " strong { (h.reason) } br;
                            span.muted { "Placed by " (h.placed_by) ", " (when(v.zone, h.placed_at)) }
                            @if v.may_hold {
                                form.stack method="post" action=(v.action(&format!("/hold/{id}/lift"), "holds")) {
                                    (csrf_field(&l.signed.csrf))
                                    input type="hidden" name="hold" value=(id);
                                    (refusal(mine.map(|r| r.error.as_str())))
                                    label for={ "lift-" (id) } { "Why it is lifted" }
                                    input type="text" id={ "lift-" (id) } name="reason" required maxlength="1000" value=(mine.map(|r| r.fields.get("reason")).unwrap_or(""));
                                    div.buttons { button.act type="submit" { "Lift this hold" } }
                                }
                            }
                        }
                    }
                    @if in_metrc {
                        li {
                            span.badge.hold { "‖ On hold in Metrc" } br;
                            span.muted { "Lifted in Metrc only; the next sync sees it lifted." }
                        }
                    }
                }
            }
            @if v.may_hold {
                form.stack method="post" action=(v.action("/hold", "holds")) {
                    (csrf_field(&l.signed.csrf))
                    h3 { "Place a hold" }
                    (v.error("hold"))
                    label for="hold-reason" { "Why" }
                    input type="text" id="hold-reason" name="reason" required maxlength="1000" value=(v.typed("hold", "reason"));
                    div.buttons {
                        button.act type="submit" { "Place hold" }
                        (acting_for(&l.lic))
                    }
                    p.hint { "A hold keeps the lot out of sellable inventory until a person lifts it; a sync never does." }
                }
            }
        }
    }
}
