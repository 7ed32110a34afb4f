//! One batch: its header and the steps the person may take, its lines and their forms, the
//! mass-balance panel, the flow, and its submissions in the outbox.

use super::super::{Lic, confirm};
use super::{balance, flow, lines};
use super::{decimal, may_produce, refused, status_badge};
use crate::AppState;
use crate::error::{Fail, Result};
use crate::form::{Fields, Refill};
use crate::page::{acting_line, csrf_field, refusal, sentence, when};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use tagtrail_workbench::WbError;
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::batches::Batch;
use tagtrail_workbench::model::batch::{self, Amount, Facts, Status, Step};

/// The steps a person asks of a batch on this page (accepting is Metrc's).
const STEPS: &[Step] = &[Step::Start, Step::Complete, Step::Submit, Step::Reopen];

fn step_slug(st: Step) -> &'static str {
    match st {
        Step::Start => "start",
        Step::Complete => "complete",
        Step::Submit => "submit",
        Step::Reopen => "reopen",
        Step::Accept => "accept",
    }
}

fn step_of(slug: &str) -> Option<Step> {
    STEPS.iter().copied().find(|s| step_slug(*s) == slug)
}

/// A step's button label, what it does in words, and whether it asks first (it cannot be
/// taken back).
fn step_words(st: Step, b: &Batch) -> (&'static str, String, bool) {
    match st {
        Step::Start => (
            "Start the batch",
            "Work begins: record what it draws, does, makes and wastes as it happens.".into(),
            false,
        ),
        Step::Complete => (
            "Complete the batch",
            format!(
                "Batch {} is completed: its inputs, outputs, waste and steps no longer change.",
                b.name
            ),
            true,
        ),
        Step::Submit => (
            "Submit to the outbox",
            format!(
                "The outputs of batch {} are drafted in the outbox as new packages drawing from its inputs, to be reviewed and sent to Metrc.",
                b.name
            ),
            true,
        ),
        Step::Reopen => (
            "Reopen the batch",
            "Metrc applied none of it: the batch is back in progress, its lines may change again."
                .into(),
            false,
        ),
        Step::Accept => ("", String::new(), false),
    }
}

/// Why the batch's next step is not open yet, in words (so the person knows what is missing).
fn blocked(b: &Batch, f: &Facts) -> Option<String> {
    let next = match b.status {
        Status::InProgress => Step::Complete,
        Status::Submitted => Step::Reopen,
        _ => return None,
    };
    let why = batch::decide(b.status, next, f).err()?;
    Some(match next {
        Step::Complete => format!("Not ready to complete: {why}."),
        _ => "Its submission is in the outbox or was accepted: the batch reopens only if Metrc refuses it or it is withdrawn.".into(),
    })
}

fn steps_card(l: &Lic, b: &Batch, refill: Option<&Refill>) -> Markup {
    let f = b.facts();
    let offered: Vec<Step> = if may_produce(l) {
        STEPS
            .iter()
            .copied()
            .filter(|st| batch::decide(b.status, *st, &f).is_ok())
            .collect()
    } else {
        vec![]
    };
    let action = l.url(&format!("/batches/{}/step", b.id));
    html! {
        @if let Some(why) = blocked(b, &f) { p.blocked { (why) } }
        @if !offered.is_empty() {
            div.card.bsteps #actions {
                (acting_line(&l.lic))
                (refusal(Refill::error(refill, "step")))
                div.buttons {
                    @for st in &offered {
                        @let (label, what, asks) = step_words(*st, b);
                        form.bstep method="post" action=(action) {
                            (csrf_field(&l.signed.csrf))
                            input type="hidden" name="step" value=(step_slug(*st));
                            @if asks {
                                (confirm::button(label, &what))
                            } @else {
                                button.act type="submit" title=(what) { (label) }
                            }
                        }
                    }
                }
            }
        } @else if let Some(e) = Refill::error(refill, "step") {
            (refusal(Some(e)))
        }
    }
}

pub(super) async fn detail_page(
    s: &AppState,
    l: &Lic,
    id: i64,
    status: StatusCode,
    refill: Option<&Refill>,
) -> Result<Response> {
    let b = s.wb.batch(&l.lic, id).await?;
    let zone = &s.options.zone;
    let editable = b.status.open() && may_produce(l);
    let sug = if editable {
        Some(lines::suggestions(s, l).await?)
    } else {
        None
    };
    let bal = b.balance();
    let body = html! {
        p.crumbs { a href=(l.url("/batches")) { "Batches" } " ›" }
        h1 { (b.name) " " (status_badge(b.status)) }
        p.bmeta {
            (b.batch_type.label()) " batch · tolerance " (b.tolerance_percent.normalize()) " % · planned by " (b.created_by) " " (when(zone, b.created_at))
            " · last change " (when(zone, b.updated_at))
        }
        @if !b.plan.trim().is_empty() {
            details.plan open {
                summary { "Plan" }
                p.plantext { (b.plan) }
            }
        }
        (steps_card(l, &b, refill))
        @if !b.submissions.is_empty() {
            div.card.bsubs {
                h2 { "In the outbox" }
                ul {
                    @for (sid, st) in &b.submissions {
                        li {
                            a href=(l.url(&format!("/outbox/{sid}"))) { "Submission #" (sid) }
                            " " span class={ "state " (st.as_str()) } { (st.label()) }
                        }
                    }
                }
                @if b.status == Status::Submitted {
                    p.hint { "It goes through review and approval like any other submission; when Metrc accepts it, the batch is accepted and its lineage recorded for recalls." }
                }
            }
        }
        div.bgrid {
            (balance::panel(l, &b, refill))
            @if let Ok(x) = &bal {
                @if let Some(svg) = flow::drawing(&b, x) {
                    figure.card.flowfig {
                        h2 { "Flow" }
                        (svg)
                        figcaption.muted { (flow::words(&b, x)) " Band widths are to scale." }
                    }
                }
            }
        }
        section #lines aria-labelledby="lines-h" {
            h2 #lines-h { "Lines" }
            (refusal(Refill::error(refill, "lines")))
            (lines::tables(l, zone, &b))
            @if let Some(sug) = &sug { (lines::forms(l, &b, sug, refill)) }
        }
    };
    Ok(l.page(
        status,
        "/batches",
        &format!("Batch {} · {}", b.name, l.lic.name),
        body,
    ))
}

pub async fn detail(State(s): State<AppState>, l: Lic) -> Result<Response> {
    let id = l.id()?;
    detail_page(&s, &l, id, StatusCode::OK, None).await
}

/// Answers one of the page's forms: its message and back to the page, or the page again with
/// the refusal and what was typed.
async fn answer(
    s: &AppState,
    l: &Lic,
    id: i64,
    outcome: std::result::Result<String, WbError>,
    form: &'static str,
    fields: &Fields,
    anchor: &str,
) -> Result<Response> {
    match outcome {
        Ok(m) => Ok(l
            .done(s, &l.url(&format!("/batches/{id}{anchor}")), &m)
            .await),
        Err(e) => {
            let f = refused(e)?;
            let r = Refill::new(form, fields, f.message);
            detail_page(s, l, id, f.status, Some(&r)).await
        }
    }
}

pub async fn set_loss(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let id = l.id()?;
    let loss = if fields.get("quantity").trim().is_empty() {
        None
    } else {
        match decimal(fields.get("quantity"), "process loss") {
            Ok(q) => Some(Amount::new(q, fields.get("unit").trim())),
            Err(m) => {
                let r = Refill::new("loss", &fields, m);
                return detail_page(&s, &l, id, StatusCode::BAD_REQUEST, Some(&r)).await;
            }
        }
    };
    let words = match &loss {
        Some(a) => format!(
            "Process loss declared: {} {}.",
            a.quantity.normalize(),
            a.unit
        ),
        None => "Process loss cleared.".into(),
    };
    let outcome =
        s.wb.set_process_loss(&l.signed.caller, Door::Web, &l.lic, id, loss)
            .await
            .map(|()| words);
    answer(&s, &l, id, outcome, "loss", &fields, "#balance").await
}

pub async fn explain(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let id = l.id()?;
    let outcome =
        s.wb.explain_batch(&l.signed.caller, Door::Web, &l.lic, id, fields.get("why"))
            .await
            .map(|()| {
                "Explanation saved. Another person who may approve submissions must review it."
                    .to_string()
            });
    answer(&s, &l, id, outcome, "explain", &fields, "#balance").await
}

pub async fn review(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let id = l.id()?;
    let outcome =
        s.wb.review_explanation(&l.signed.caller, Door::Web, &l.lic, id)
            .await
            .map(|()| "Explanation reviewed: the batch may complete out of balance.".to_string());
    answer(&s, &l, id, outcome, "review", &fields, "#balance").await
}

pub async fn step(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let id = l.id()?;
    let Some(step) = step_of(fields.get("step")) else {
        let r = Refill::new("step", &fields, "Choose a step.");
        return detail_page(&s, &l, id, StatusCode::BAD_REQUEST, Some(&r)).await;
    };
    let (label, what, asks) = match s.wb.batch(&l.lic, id).await {
        Ok(b) => step_words(step, &b),
        Err(e) => return Err(Fail::from(e)),
    };
    if asks && !confirm::confirmed(&fields) {
        return Ok(confirm::ask(
            &l,
            "/batches",
            &fields,
            &l.url(&format!("/batches/{id}/step")),
            label,
            &what,
            &l.url(&format!("/batches/{id}")),
        ));
    }
    let outcome = match s
        .wb
        .batch_step(&l.signed.caller, Door::Web, &l.lic, id, step)
        .await
    {
        Ok(to) if step == Step::Submit => {
            let sid =
                s.wb.batch(&l.lic, id)
                    .await
                    .ok()
                    .and_then(|b| b.submissions.last().map(|(sid, _)| *sid));
            Ok(match sid {
                Some(sid) => format!(
                    "Batch submitted: its new packages are drafted as outbox submission #{sid}. Send it to review from the outbox."
                ),
                None => sentence(&format!("the batch is {}.", to.label().to_lowercase())),
            })
        }
        Ok(to) => Ok(format!("The batch is {}.", to.label().to_lowercase())),
        Err(e) => Err(e),
    };
    answer(&s, &l, id, outcome, "step", &fields, "").await
}
