//! The mass-balance panel: a batch's weights in grams side by side, the verdict in words, the
//! lines that cannot be weighed and why, the process-loss form, and — when out of balance —
//! the explanation, who wrote it, and its review by another person.

use super::super::Lic;
use super::{grams, may_produce};
use crate::form::Refill;
use crate::page::{acting_for, csrf_field, refusal};
use maud::{Markup, html};
use tagtrail_domain::quantity::{QuantityType, UNITS};
use tagtrail_workbench::batches::Batch;
use tagtrail_workbench::model::batch::Balance;
use tagtrail_workbench::model::role::Duty;

/// The verdict in one sentence.
fn verdict(b: &Balance) -> Markup {
    let diff = b.difference.abs();
    let which = if b.difference.is_sign_negative() {
        "more came out than went in"
    } else {
        "unaccounted for"
    };
    html! {
        @if b.difference.is_zero() {
            p.verdict.within { strong { "Within tolerance." } " Everything that went in is accounted for, to the gram." }
        } @else if b.within() {
            p.verdict.within { strong { "Within tolerance." } " " (grams(diff)) " g " (which) "; up to " (grams(b.allowed)) " g (" (b.tolerance_percent.normalize()) " % of the inputs) is allowed." }
        } @else {
            p.verdict.out { strong { "Out of tolerance." } " " (grams(diff)) " g " (which) ", more than the " (grams(b.allowed)) " g (" (b.tolerance_percent.normalize()) " % of the inputs) allowed. The batch completes only with an explanation another person has reviewed." }
        }
    }
}

fn figures(b: &Balance) -> Markup {
    html! {
        table.massbal {
            caption.sr { "Mass balance in grams" }
            tbody {
                tr { th scope="row" { "Inputs" } td.num { (grams(b.inputs)) " g" } }
                tr { th scope="row" { "Outputs" } td.num { (grams(b.outputs)) " g" } }
                tr { th scope="row" { "Waste" } td.num { (grams(b.waste)) " g" } }
                tr { th scope="row" { "Process loss" } td.num { (grams(b.process_loss)) " g" } }
                tr.diff class=@if !b.within() { "out" } {
                    th scope="row" { "Difference" }
                    td.num { (grams(b.difference)) " g" span.muted { " of " (grams(b.allowed)) " g allowed" } }
                }
                tr { th scope="row" { "Yield" } td.num { (b.yield_percent.normalize()) " %" } }
            }
        }
    }
}

/// The declared process loss and the form that changes it, while the batch is open.
fn loss_form(l: &Lic, b: &Batch, refill: Option<&Refill>) -> Markup {
    let v = |name: &str| Refill::value(refill, "loss", name);
    let typed = refill.is_some_and(|r| r.form == "loss");
    let (q, u) = match (&b.process_loss, typed) {
        (_, true) => (v("quantity"), v("unit")),
        (Some(a), false) => (a.quantity.normalize().to_string(), a.unit.clone()),
        (None, false) => (String::new(), "Grams".to_string()),
    };
    html! {
        form.stack.loss method="post" action=(l.url(&format!("/batches/{}/loss", b.id))) {
            (csrf_field(&l.signed.csrf))
            h3 { "Process loss" }
            (refusal(Refill::error(refill, "loss")))
            p.hint #loss-hint { "What the process consumes that is neither an output nor weighed waste: evaporation, residue on the equipment. Leave the weight empty to clear it." }
            div.row {
                div {
                    label for="loss-quantity" { "Weight" }
                    input type="text" id="loss-quantity" name="quantity" inputmode="decimal" aria-describedby="loss-hint" value=(q);
                }
                div {
                    label for="loss-unit" { "Unit" }
                    select id="loss-unit" name="unit" {
                        @for x in UNITS.iter().filter(|x| x.active && x.quantity_type == QuantityType::WeightBased) {
                            option value=(x.name) selected[u == x.name] { (x.name) }
                        }
                    }
                }
            }
            div.buttons { button.act type="submit" { "Declare the process loss" } (acting_for(&l.lic)) }
        }
    }
}

/// The explanation of an imbalance: what it says, who wrote it, its review, and the forms.
fn explanation(l: &Lic, b: &Batch, refill: Option<&Refill>, out: bool) -> Markup {
    let me = l.signed.caller.user_id;
    let reviewer = l.lic.allows(Duty::Approve) && !l.signed.caller.installation_admin;
    let typed = Refill::value(refill, "explain", "why");
    html! {
        section.explain aria-labelledby="explain-h" {
            h3 #explain-h { "Explanation of the imbalance" }
            (refusal(Refill::error(refill, "review")))
            @match &b.explanation {
                Some(e) => {
                    blockquote.why { (e.text) }
                    p { "Written by " strong { (e.written_by) } "." " "
                        @match &e.reviewed_by {
                            Some(r) => { span.state.accepted { "Reviewed" } " by " strong { (r) } "." }
                            None => { span.state.submitted { "Not reviewed yet" } " Another person who may approve submissions must review it." }
                        }
                    }
                    @if e.reviewed_by.is_none() && b.status.open() {
                        @if reviewer && e.written_by_id != me {
                            form method="post" action=(l.url(&format!("/batches/{}/review", b.id))) {
                                (csrf_field(&l.signed.csrf))
                                div.buttons { button.act type="submit" { "Mark the explanation reviewed" } (acting_for(&l.lic)) }
                                p.hint { "You confirm you read it and accept it as the reason this batch is out of balance." }
                            }
                        } @else if reviewer {
                            p.muted { "You wrote this explanation; another person must review it." }
                        }
                    }
                }
                None if out => { p { "None written yet." } }
                None => {}
            }
            @if b.status.open() && may_produce(l) && (out || b.explanation.is_some()) {
                form.stack method="post" action=(l.url(&format!("/batches/{}/explain", b.id))) {
                    (csrf_field(&l.signed.csrf))
                    (refusal(Refill::error(refill, "explain")))
                    label for="explain-why" { @if b.explanation.is_some() { "Replace the explanation" } @else { "Why the weights do not balance" } }
                    textarea id="explain-why" name="why" required maxlength="4000" aria-describedby="explain-hint" { (typed) }
                    p.hint #explain-hint { "A new explanation clears an earlier review: it must be reviewed again." }
                    div.buttons { button.act type="submit" { "Save the explanation" } (acting_for(&l.lic)) }
                }
            }
        }
    }
}

pub(super) fn panel(l: &Lic, b: &Batch, refill: Option<&Refill>) -> Markup {
    let bal = b.balance();
    let out = bal.as_ref().is_ok_and(|x| !x.within());
    let nothing = b.inputs.is_empty() && b.outputs.is_empty() && b.waste.is_empty();
    html! {
        section.card.balance #balance aria-labelledby="balance-h" {
            h2 #balance-h { "Mass balance" }
            @if nothing {
                p.muted { "Nothing is recorded yet: record the inputs and outputs, and the balance shows here." }
            } @else {
                @match &bal {
                    Ok(x) => { (verdict(x)) (figures(x)) }
                    Err(bad) => {
                        p.verdict.out { strong { "The balance cannot be computed" } " until every line can be weighed:" }
                        ul.problems { @for u in bad { li { strong { (u.line) } ": " (u.why) } } }
                    }
                }
            }
            @if b.status.open() && may_produce(l) { (loss_form(l, b, refill)) }
            @else if let Some(a) = &b.process_loss { p { "Process loss declared: " (a.quantity.normalize()) " " (a.unit) "." } }
            @if out || b.explanation.is_some() || Refill::error(refill, "explain").is_some() {
                (explanation(l, b, refill, out))
            }
        }
    }
}
