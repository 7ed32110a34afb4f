//! One submission: its intent as a table, preflight's problems, the steps the person may take,
//! a manual task's checklist, Metrc's answer and the history.

use super::super::{Lic, confirm};
use super::*;
use crate::AppState;
use crate::error::{Fail, Result};
use crate::form::{Fields, Refill};
use crate::page::{acting_line, csrf_field, refusal, short_hash, when, when_text, wide};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde_json::Value;
use std::collections::BTreeSet;
use tagtrail_workbench::WbError;
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::manifests::{self, Tick};
use tagtrail_workbench::model::preflight::{Intent, Problem};
use tagtrail_workbench::model::role::Duty;
use tagtrail_workbench::model::submission::{self, Actor, Facts, Kind, State as SubState, Step};
use tagtrail_workbench::outbox::{Delivery, Submission};

// ----- one submission -----

fn problems(list: &[Problem]) -> Markup {
    html! {
        ul.problems {
            @for p in list {
                li {
                    @match p.row { Some(r) => { strong { "Row " (r + 1) ": " } } None => { strong { "Whole submission: " } } }
                    (p.message)
                }
            }
        }
    }
}

/// What Metrc said in a refusal, row by row (its two error shapes: a list of `{row, message}`,
/// or one `{Message}`), in words; nothing when the answer is neither.
fn metrc_messages(body: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return vec![];
    };
    let message = |o: &Value| {
        o.get("message")
            .or_else(|| o.get("Message"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    match &v {
        Value::Array(rows) => rows
            .iter()
            .filter_map(|r| {
                let m = message(r)?;
                Some(
                    match r
                        .get("row")
                        .or_else(|| r.get("Row"))
                        .and_then(Value::as_u64)
                    {
                        Some(n) => format!("Row {}: {m}", n + 1),
                        None => m,
                    },
                )
            })
            .collect(),
        other => message(other).into_iter().collect(),
    }
}

/// The intent as a table a person reads, rows numbered as preflight names them.
fn intent_table(intent: &Intent, problems: &[Problem]) -> Markup {
    let title = "What it asks Metrc to do";
    let bad: BTreeSet<usize> = problems.iter().filter_map(|p| p.row).collect();
    let mark = |i: usize| if bad.contains(&i) { "bad-row" } else { "" };
    let table = match intent {
        Intent::CreateStrains(names) => html! {
            table { thead { tr { th.row { "Row" } th { "New strain" } } }
                tbody { @for (i, n) in names.iter().enumerate() { tr class=(mark(i)) { td.row { (i + 1) } td { (n) } } } } }
        },
        Intent::CreateLocations(list) => html! {
            table { thead { tr { th.row { "Row" } th { "New location" } th { "Type" } } }
                tbody { @for (i, x) in list.iter().enumerate() { tr class=(mark(i)) { td.row { (i + 1) } td { (x.name) } td { (x.location_type) } } } } }
        },
        Intent::MovePackages(list) => html! {
            table { thead { tr { th.row { "Row" } th { "Package" } th { "Moves to" } } }
                tbody { @for (i, m) in list.iter().enumerate() { tr class=(mark(i)) { td.row { (i + 1) } td.mono { (m.label) } td { (m.location) } } } } }
        },
        Intent::FinishPackages(list) => html! {
            table { thead { tr { th.row { "Row" } th { "Package to finish" } } }
                tbody { @for (i, p) in list.iter().enumerate() { tr class=(mark(i)) { td.row { (i + 1) } td.mono { (p) } } } } }
        },
        Intent::OutgoingTransfer(t) => html! {
            dl.facts {
                dt { "Template" } dd { (t.name) }
                dt { "Recipient" } dd.mono { (t.recipient_license) }
                dt { "Recipient is a retailer" } dd { @if t.recipient_is_retailer { "yes" } @else { "no" } }
                dt { "Transfer type" } dd { (t.transfer_type) }
            }
            table { thead { tr { th.row { "#" } th { "Package on the transfer" } @if !t.wholesale_prices.is_empty() { th { "Wholesale price" } } } }
                tbody { @for (i, p) in t.packages.iter().enumerate() { tr { td.row { (i + 1) } td.mono { (p) }
                    @if !t.wholesale_prices.is_empty() { td { @if let Some(price) = t.wholesale_prices.get(p) { (format!("${price:.2}")) } } }
                } } } }
        },
        Intent::RegisterManifest(m) => {
            let (t, x) = (&m.transfer, &m.transport);
            // Preflight names a manifest's packages in its messages (all of row 1).
            let named = |label: &str| {
                problems
                    .iter()
                    .any(|p| p.row == Some(0) && p.message.contains(label))
            };
            let transport: [(&str, &str, bool); 10] = [
                ("Transporter license", &x.transporter_license, true),
                ("Driver's name", &x.driver_name, true),
                (
                    "Driver's occupational license",
                    &x.driver_occupational_license,
                    true,
                ),
                ("Driver's license number", &x.driver_license, true),
                ("Vehicle make", &x.vehicle_make, true),
                ("Vehicle model", &x.vehicle_model, true),
                ("License plate", &x.vehicle_plate, true),
                ("Estimated departure", &x.estimated_departure, true),
                ("Estimated arrival", &x.estimated_arrival, true),
                ("Phone for questions", &x.phone_for_questions, false),
            ];
            return html! {
                div class={ "card manifest" @if bad.contains(&0) { " bad" } } {
                    h3 { "Row 1: the manifest" }
                    dl.facts {
                        dt { "Reference name" } dd { (t.name) }
                        dt { "Recipient" } dd.mono { (t.recipient_license) }
                        dt { "Recipient is a retailer" } dd { @if t.recipient_is_retailer { "yes" } @else { "no" } }
                        dt { "Transfer type" } dd { (t.transfer_type) }
                        @for (name, value, needed) in transport {
                            dt { (name) }
                            @if value.trim().is_empty() {
                                @if needed { dd.missing { "missing" } } @else { dd.muted { "not given" } }
                            } @else if name.starts_with("Estimated") {
                                dd { (value.replacen('T', " ", 1)) }
                            } @else {
                                dd { (value) }
                            }
                        }
                    }
                }
                (wide("Packages on the manifest", html! {
                    table { thead { tr { th.row { "#" } th { "Package on the manifest" } @if !t.wholesale_prices.is_empty() { th { "Wholesale price" } } } }
                        tbody { @for (i, p) in t.packages.iter().enumerate() {
                            tr class=(if named(p) { "bad-row" } else { "" }) { td.row { (i + 1) } td.mono { (p) }
                                @if !t.wholesale_prices.is_empty() { td { @if let Some(price) = t.wholesale_prices.get(p) { (format!("${price:.2}")) } } }
                            }
                        } } }
                }))
            };
        }
        Intent::ReceiveDelivery(r) => {
            return html! {
                dl.facts.receipt {
                    dt { "Manifest" } dd.mono { (r.manifest_number) }
                    dt { "From" } dd.mono { (r.shipper_license) }
                }
                (wide(title, html! {
                    table.cards { thead { tr { th.row { "Row" } th { "Package" } th { "Counted on arrival" } th { "Checks" } th { "Decision" } th { "Quantity received" } th { "Reason" } } }
                        tbody { @for (i, x) in r.lines.iter().enumerate() { tr class=(mark(i)) {
                            td.row data-label="Row" { (i + 1) } td.mono data-label="Package" { (x.label) }
                            td data-label="Counted on arrival" { @match x.counted { Some(c) => { (c.normalize()) }, None => { span.muted { "not counted" } } } }
                            td data-label="Checks" {
                                @match (x.label_ok, x.intact) {
                                    (None, None) => { span.muted { "not checked" } }
                                    (Some(true), Some(true)) => { "label and seal fine" }
                                    (label, seal) => {
                                        @if label == Some(false) { div { strong { "label does not match" } } }
                                        @if seal == Some(false) { div { strong { "damaged or opened" } } }
                                    }
                                }
                            }
                            td data-label="Decision" { @if x.accept { "Accept" } @else { strong { "Reject" } } }
                            td data-label="Received" { @if !x.accept { "" } @else if let Some(q) = x.received_quantity { (q.normalize()) } @else { span.muted { "as shipped" } } }
                            td data-label="Reason" { (x.reason.as_deref().unwrap_or("")) }
                        } } } }
                }))
            };
        }
        Intent::TakeBack(t) => html! {
            dl.facts {
                dt { "Manifest" } dd.mono { (t.manifest_number) }
                dt { "Rejected by" } dd.mono { (t.recipient_license) }
            }
            table { thead { tr { th.row { "#" } th { "Package taken back" } } }
                tbody { @for (i, p) in t.labels.iter().enumerate() { tr { td.row { (i + 1) } td.mono { (p) } } } } }
        },
        Intent::DestroyPackages(list) => html! {
            table.cards { thead { tr { th.row { "Row" } th { "Package" } th { "Destroyed" } th { "How" } th { "Witness" } th { "Why" } } }
                tbody { @for (i, x) in list.iter().enumerate() { tr class=(mark(i)) {
                    td.row data-label="Row" { (i + 1) } td.mono data-label="Package" { (x.label) }
                    td data-label="Destroyed" { (x.quantity.normalize()) " " (x.unit) }
                    td data-label="How" { (x.method) } td data-label="Witness" { (x.witness) } td data-label="Why" { (x.reason) }
                } } } }
        },
        Intent::CreatePackages(list) | Intent::CreateTestingSamples(list) => html! {
            table { thead { tr { th.row { "Row" } th { "New tag" } th { "Item" } th { "Quantity" } th { "Location" } th { "From" } } }
                tbody { @for (i, p) in list.iter().enumerate() { tr class=(mark(i)) {
                    td.row { (i + 1) } td.mono { (p.tag) } td { (p.item) } td { (p.quantity.normalize()) " " (p.unit) }
                    td { (p.location.as_deref().unwrap_or("")) }
                    td { @for ing in &p.ingredients { div { span.mono { (ing.package) } " " (ing.quantity.normalize()) " " (ing.unit) } } }
                } } } }
        },
    };
    wide(title, table)
}

/// The steps this person could take on the submission now (the model's rule; approving also
/// needs the code, asked for on the form).
fn offered(l: &Lic, sub: &Submission, manual: bool) -> Vec<Step> {
    if l.signed.caller.installation_admin {
        return vec![];
    }
    let actor = Actor::Person {
        user_id: l.signed.caller.user_id,
        roles: l.lic.roles.clone(),
        second_factor: true,
    };
    // Preflight runs again on the way to review, so the button is offered and the rule decides.
    let facts = Facts {
        author_id: sub.author_id,
        preflight_passed: true,
        manual_task: manual,
    };
    [
        Step::SendToReview,
        Step::Approve,
        Step::SendBack,
        Step::Submit,
        Step::Withdraw,
    ]
    .into_iter()
    .filter(|st| submission::decide(sub.state, *st, &actor, facts).is_ok())
    .collect()
}

/// A package's state on its delivery, in words.
fn shipment_words(state: Option<&str>) -> &'static str {
    match state {
        Some("Shipped") => "on its way, or waiting for the recipient to receive it",
        Some("Accepted") => "accepted by the recipient",
        Some("Rejected") => "rejected by the recipient: take it back when it returns",
        Some("Returned") => "rejected, and taken back",
        _ => "not seen on a manifest yet: run a sync",
    }
}

/// What withdrawing does, for the confirmation.
fn withdraw_words(sub: &Submission) -> String {
    if sub.state == SubState::Submitted {
        format!(
            "The task #{} is dropped: do not do it in Metrc any more.",
            sub.id
        )
    } else {
        format!("Submission #{} is withdrawn and never sent.", sub.id)
    }
}

fn step_slug(st: Step) -> &'static str {
    match st {
        Step::SendToReview => "send_to_review",
        Step::Approve => "approve",
        Step::SendBack => "send_back",
        Step::Withdraw => "withdraw",
        Step::Submit => "submit",
        Step::Accept => "accept",
        Step::Reject => "reject",
    }
}

fn step_of(slug: &str) -> Option<Step> {
    [
        Step::SendToReview,
        Step::Approve,
        Step::SendBack,
        Step::Withdraw,
        Step::Submit,
    ]
    .into_iter()
    .find(|s| step_slug(*s) == slug)
}

/// Who ticked a checklist step, and when.
fn ticked(zone: &tagtrail_web::Zone, t: &Tick) -> Markup {
    html! { span.ticked { "✓ Done: ticked by " (t.by) ", " (when_text(zone, &t.at)) } }
}

/// The submit step's label, hint and consequence: a manual task becomes a task to do in
/// Metrc's web UI; anything else is sent now.
fn submit_words(manual: bool, id: i64, l: &Lic) -> (&'static str, &'static str, String) {
    if manual {
        (
            "Submit as a task",
            "Metrc's API cannot do this step: once submitted it becomes a task on this page, a checklist to work through in Metrc's web UI. The next sync that shows it done accepts it.",
            format!(
                "Submission #{id} becomes a task to do in Metrc's web UI for {} ({}).",
                l.lic.name, l.lic.number
            ),
        )
    } else {
        (
            "Submit to Metrc",
            "Sent once now; if Metrc does not answer, the outbox tries again, first checking whether it was applied.",
            format!(
                "Submission #{id} is sent to Metrc for {} ({}) now.",
                l.lic.name, l.lic.number
            ),
        )
    }
}

async fn detail_page(
    s: &AppState,
    l: &Lic,
    id: i64,
    status: StatusCode,
    refill: Option<&Refill>,
) -> Result<Response> {
    let sub = s.wb.submission(&l.lic, id).await?;
    let zone = &s.options.zone;
    let history = s.wb.submission_history(&l.lic, id).await?;
    // A registered manifest's delivery, as Metrc showed it at the last sync: the shipper's
    // confirmation that the recipient accepted (or rejected) each package.
    let delivered: Vec<(String, Option<String>)> = match &sub.intent {
        Intent::RegisterManifest(m) if sub.state == SubState::Accepted => {
            let states = s.wb.outgoing_package_states(&l.lic).await?;
            m.transfer
                .packages
                .iter()
                .map(|p| (p.clone(), states.get(p).map(|r| r.state.clone())))
                .collect()
        }
        _ => vec![],
    };
    let ledger = s.wb.ledger_extensions(l.lic.company_id).await?;
    let manual = sub.kind.manual_in_metrc() && !ledger;
    let steps = offered(l, &sub, manual);
    // A manual task's checklist, while it waits to be done in Metrc's web UI.
    let task = if manual && sub.state == SubState::Submitted {
        manifests::checklist(&l.lic, &sub.intent)
    } else {
        vec![]
    };
    let may_tick = l.lic.allows(Duty::Submit) && !l.signed.caller.installation_admin;
    let (submit_label, submit_hint, submit_what) = submit_words(manual, id, l);
    let action = l.url(&format!("/outbox/{id}/step"));
    let v = |name: &str| Refill::value(refill, "step", name);
    let for_step = |st: Step| {
        refill
            .filter(|r| r.fields.get("step") == step_slug(st))
            .map(|r| r.error.as_str())
    };
    let approver = l.lic.allows(Duty::Approve) && !l.signed.caller.installation_admin;
    let body = html! {
        h1 { "#" (sub.id) " " (sub.title) }
        p {
            (state_badge(sub.state))
            @if !task.is_empty() { " " span.badge.hold { "To do in Metrc's web UI" } }
            " " (sub.kind.label()) ", " (sub.intent.rows()) " row" @if sub.intent.rows() != 1 { "s" }
        }
        // A refusal of a step this page offers is shown at its form; any other at the top.
        (refusal(refill.filter(|r| if r.form == "tick" { task.is_empty() } else { step_of(r.fields.get("step")).is_none_or(|st| !steps.contains(&st)) }).map(|r| r.error.as_str())))
        @if steps.is_empty() {
            p.muted #actions {
                @if sub.state == SubState::Review && sub.author_id == l.signed.caller.user_id && approver {
                    "You wrote this submission; another person must review and approve it."
                } @else if sub.state.is_final() {
                    "This submission is " (lower_first(sub.state.label())) "; nothing more happens to it."
                } @else if sub.state == SubState::Submitted && manual {
                    "It is a task to do in Metrc's web UI: Metrc's API has no way of doing it. The next sync that shows it done in Metrc accepts it."
                } @else if sub.state == SubState::Submitted {
                    "It is with Metrc. The outbox keeps trying until Metrc answers, checking first whether an earlier try was applied."
                } @else {
                    "Your role in this license allows no step at this stage."
                }
            }
        } @else {
            div.card #actions {
                h2 { "What you can do" }
                (acting_line(&l.lic))
                @if sub.state == SubState::Review && sub.author_id == l.signed.caller.user_id && approver {
                    p.hint { "You wrote this submission, so you cannot approve it; another person must." }
                }
                div.steps {
                    @for st in &steps {
                        @match st {
                            Step::SendToReview => {
                                form.step.stack method="post" action=(action) {
                                    (csrf_field(&l.signed.csrf))
                                    input type="hidden" name="step" value="send_to_review";
                                    h3 { "Send to review" }
                                    (refusal(for_step(*st)))
                                    p.hint { "Preflight runs again first; it must find nothing that would fail. Then another person reviews it." }
                                    div.buttons { button.act type="submit" { "Send to review" } }
                                }
                            }
                            Step::Approve => {
                                form.step.stack method="post" action=(action) autocomplete="off" {
                                    (csrf_field(&l.signed.csrf))
                                    input type="hidden" name="step" value="approve";
                                    h3 { "Approve" }
                                    (refusal(for_step(*st)))
                                    label for="approve-code" { "Your 6-digit code" }
                                    input type="text" id="approve-code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required autocomplete="one-time-code" aria-describedby="approve-hint";
                                    p.hint #approve-hint { "Approving needs your second factor: the code from your authenticator app." }
                                    label for="approve-note" { "Note (optional)" }
                                    input type="text" id="approve-note" name="note" maxlength="1000" value=(if for_step(*st).is_some() { v("note") } else { String::new() });
                                    div.buttons { button.act type="submit" { "Approve" } }
                                }
                            }
                            Step::SendBack => {
                                form.step.stack method="post" action=(action) {
                                    (csrf_field(&l.signed.csrf))
                                    input type="hidden" name="step" value="send_back";
                                    h3 { "Send back to draft" }
                                    (refusal(for_step(*st)))
                                    label for="back-note" { "What to change" }
                                    input type="text" id="back-note" name="note" maxlength="1000" value=(if for_step(*st).is_some() { v("note") } else { String::new() });
                                    div.buttons { button.act type="submit" { "Send back" } }
                                }
                            }
                            Step::Submit => {
                                form.step method="post" action=(action) {
                                    (csrf_field(&l.signed.csrf))
                                    input type="hidden" name="step" value="submit";
                                    h3 { (submit_label) }
                                    (refusal(for_step(*st)))
                                    p.hint { (submit_hint) }
                                    (confirm::button(submit_label, &submit_what))
                                }
                            }
                            Step::Withdraw => {
                                form.step method="post" action=(action) {
                                    (csrf_field(&l.signed.csrf))
                                    input type="hidden" name="step" value="withdraw";
                                    h3 { "Withdraw" }
                                    (refusal(for_step(*st)))
                                    @if sub.state == SubState::Submitted {
                                        p.hint { "The task is dropped and stays in the outbox as withdrawn. If the step was already done in Metrc, the next sync and reconciliation show it." }
                                    } @else {
                                        p.hint { "It is never sent, and stays in the outbox as withdrawn." }
                                    }
                                    (confirm::button("Withdraw", &withdraw_words(&sub)))
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        @if let (Intent::TakeBack(t), SubState::Accepted) = (&sub.intent, sub.state) {
            section.card #next aria-labelledby="next-h" {
                h2 #next-h { "The packages are back in inventory" }
                p { "They are this license's active inventory again. Keep them, or, if they cannot be sold, destroy them: the destruction is a submission of its own, with its witness and waste record." }
                p { a.act href=(super::draft::destruction_url(l, &t.labels, &format!("Rejected on manifest {} by {}, taken back", t.manifest_number, t.recipient_license))) { "Draft their destruction" } }
            }
        }
        @if !task.is_empty() {
            section.card.task #task aria-labelledby="task-h" {
                h2 #task-h { "A task to do in Metrc's web UI" }
                p { "Metrc's API has no way of " (match sub.kind { Kind::ReceiveDelivery => "receiving a delivery", Kind::TakeBackRejected => "taking back rejected packages", _ => "registering a manifest" }) ", so a person does it in Metrc's web UI. Work through these steps there and tick each one as it is done; every tick is recorded in the audit log." }
                (refusal(Refill::error(refill, "tick")))
                @let next = (0..task.len()).find(|i| !sub.ticks.iter().any(|t| t.step == *i));
                ol.checklist {
                    @for (i, words) in task.iter().enumerate() {
                        @let done = sub.ticks.iter().find(|t| t.step == i);
                        li class=@if done.is_some() { "done" } {
                            span.words { (words) }
                            @if let Some(t) = done { (ticked(zone, t)) }
                            @if may_tick {
                                form.tick method="post" action=(l.url(&format!("/outbox/{id}/tick"))) {
                                    (csrf_field(&l.signed.csrf))
                                    input type="hidden" name="step" value=(i);
                                    @if done.is_some() {
                                        input type="hidden" name="done" value="no";
                                        button type="submit" { "Untick step " (i + 1) }
                                    } @else {
                                        input type="hidden" name="done" value="yes";
                                        button class=@if next == Some(i) { "act" } type="submit" { "Tick step " (i + 1) " as done" }
                                    }
                                }
                            }
                        }
                    }
                }
                p { strong { "Ticking the steps accepts nothing." } " The task is accepted when the next sync shows it done in Metrc's records. "
                    a href=(l.url("/sync")) { "Sync runs" } " shows the syncs of " (l.lic.name) " and lets you start one." }
                @if !may_tick {
                    p.muted { "Your role in this license does not allow doing the task." }
                }
            }
        }
        h2 { "Preflight" }
        @if sub.preflight.is_empty() {
            p { "Preflight found nothing that would fail." }
        } @else {
            div.banner.failed role="status" {
                strong { (sub.preflight.len()) " problem" @if sub.preflight.len() != 1 { "s" } " Metrc or the workbench would refuse:" }
                (problems(&sub.preflight))
            }
        }
        h2 { "What it asks Metrc to do" }
        (intent_table(&sub.intent, &sub.preflight))
        @if !delivered.is_empty() {
            h2 { "Delivery" }
            div.card {
                p.hint { "Each package as Metrc showed it at the last sync of this license." }
                table.cards { thead { tr { th { "Package" } th { "Delivery" } } }
                    tbody { @for (p, state) in &delivered { tr {
                        td.mono data-label="Package" { (p) }
                        td data-label="Delivery" { (shipment_words(state.as_deref())) }
                    } } } }
            }
        }
        h2 { "Details" }
        div.card {
            dl.facts {
                dt { "Why" } dd { (sub.reason) }
                dt { "Author" } dd { (sub.author) }
                dt { "Drafted" } dd { (when(zone, sub.created_at)) }
                dt { "Last change" } dd { (when(zone, sub.updated_at)) }
                @if let Some(a) = &sub.approved_by { dt { "Approved by" } dd { (a) } }
                @if sub.attempts > 0 { dt { "Attempts to send" } dd { (sub.attempts) } }
                @if let Some(e) = &sub.last_error { dt { "Last note from the outbox" } dd { (e) } }
            }
        }
        @if sub.response_status.is_some() || sub.response_sha256.is_some() {
            h2 { "Metrc's answer" }
            div.card {
                dl.facts {
                    dt { "Status" } dd { (sub.response_status.map(|s| s.to_string()).unwrap_or_else(|| "none (found applied by reading back)".into())) }
                    @if let Some(h) = &sub.response_sha256 { dt { "SHA-256 of the answer" } dd.mono { (h) } }
                }
                @let said = metrc_messages(sub.response_body.as_deref().unwrap_or(""));
                @if sub.state == SubState::Rejected && !said.is_empty() {
                    ul.problems { @for m in &said { li { (m) } } }
                }
                @if let Some(b) = sub.response_body.as_deref().filter(|b| !b.is_empty()) {
                    details open[sub.state == SubState::Rejected] {
                        summary { "The answer as Metrc sent it" }
                        pre { (b.chars().take(20_000).collect::<String>()) }
                    }
                }
            }
        }
        h2 { "History" }
        @if history.is_empty() { p.muted { "Nothing recorded." } }
        @else {
            ol.history {
                @for e in history.iter().rev() {
                    li {
                        (when_text(zone, &e.entry.at)) " · " strong { (e.entry.action) }
                        " by " (e.user.as_deref().unwrap_or(match e.entry.door.as_str() { "outbox" => "the outbox", "sync" => "the sync", _ => "the workbench" }))
                        br;
                        span.muted { (e.entry.reason) }
                        @if let Some(h) = &e.entry.response_sha256 { br; "Answer " (short_hash(h)) }
                    }
                }
            }
        }
        p { a href=(l.url("/outbox")) { "Back to the outbox" } }
    };
    Ok(l.page(
        status,
        "/outbox",
        &format!("#{} {} · {}", sub.id, sub.title, l.lic.name),
        body,
    ))
}

pub async fn detail(State(s): State<AppState>, l: Lic) -> Result<Response> {
    let id = l.id()?;
    detail_page(&s, &l, id, StatusCode::OK, None).await
}

/// What delivering once did, in words.
fn delivery_words(id: i64, manual: bool, d: std::result::Result<Delivery, WbError>) -> String {
    match d {
        Ok(Delivery::NotMine) if manual => format!(
            "Submitted. #{id} is now a task: work through the checklist in Metrc's web UI; the next sync that shows it done accepts it."
        ),
        Ok(Delivery::Accepted) => format!("Submitted. Metrc accepted #{id}."),
        Ok(Delivery::Rejected) => format!("Submitted. Metrc rejected #{id}: its answer is below."),
        Ok(Delivery::Pending(why)) => format!(
            "Submitted, but Metrc did not answer yet ({why}). The outbox tries again in the background, first checking whether Metrc applied it."
        ),
        Ok(Delivery::NotMine) => format!("Submitted. The outbox is sending #{id}."),
        Err(e) => {
            format!("Submitted, but sending failed: {e}. The outbox tries again in the background.")
        }
    }
}

pub async fn step(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let id = l.id()?;
    let refuse = |status: StatusCode, m: String| {
        let (s, l, fields) = (&s, &l, &fields);
        async move {
            let r = Refill::new("step", fields, m);
            detail_page(s, l, id, status, Some(&r)).await
        }
    };
    let Some(step) = step_of(fields.get("step")) else {
        return refuse(StatusCode::BAD_REQUEST, "Choose a step.".into()).await;
    };
    // Submitting a manual task makes it a task in Metrc's web UI rather than sending it.
    let manual = if step == Step::Submit {
        let sub = s.wb.submission(&l.lic, id).await?;
        sub.kind.manual_in_metrc() && !s.wb.ledger_extensions(l.lic.company_id).await?
    } else {
        false
    };
    let mut caller = l.signed.caller.clone();
    if step == Step::Approve {
        let code = fields.get("code").trim();
        if code.is_empty() {
            return refuse(
                StatusCode::BAD_REQUEST,
                "Enter the 6-digit code from your authenticator app: approving needs your second factor.".into(),
            )
            .await;
        }
        if let Err(e) =
            s.wb.confirm_second_factor(l.signed.token(), &caller, code)
                .await
        {
            let f = Fail::from(e);
            return refuse(f.status, f.message).await;
        }
        // The session now holds the confirmation; the step reads it from the caller.
        match s.wb.session(l.signed.token()).await? {
            Some((fresh, _)) => caller = fresh,
            None => {
                return Err(Fail::new(
                    StatusCode::UNAUTHORIZED,
                    "Your session ended; sign in again.",
                ));
            }
        }
    }
    if matches!(step, Step::Submit | Step::Withdraw) && !confirm::confirmed(&fields) {
        let (label, what) = match step {
            Step::Submit => {
                let (label, _, what) = submit_words(manual, id, &l);
                (label, what)
            }
            _ => match s.wb.submission(&l.lic, id).await {
                Ok(sub) => ("Withdraw", withdraw_words(&sub)),
                Err(_) => (
                    "Withdraw",
                    format!("Submission #{id} is withdrawn and never sent."),
                ),
            },
        };
        return Ok(confirm::ask(
            &l,
            "/outbox",
            &fields,
            &l.url(&format!("/outbox/{id}/step")),
            label,
            &what,
            &l.url(&format!("/outbox/{id}")),
        ));
    }
    let to = match s
        .wb
        .step(&caller, Door::Web, &l.lic, id, step, fields.get("note"))
        .await
    {
        Ok(to) => to,
        Err(e) => {
            let f = Fail::from(e);
            if f.status == StatusCode::NOT_FOUND || f.status.is_server_error() {
                return Err(f);
            }
            return refuse(f.status, f.message).await;
        }
    };
    let message = if step == Step::Submit {
        // Once, now, so the person sees how it ended; the background worker retries.
        delivery_words(id, manual, s.wb.deliver(&l.lic, id).await)
    } else {
        format!("#{id} is now {}.", lower_first(to.label()))
    };
    Ok(l.done(&s, &l.url(&format!("/outbox/{id}")), &message).await)
}

/// Ticks (or unticks) one step of a manual task's checklist.
pub async fn tick(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let id = l.id()?;
    let refuse = |status: StatusCode, m: String| {
        let (s, l, fields) = (&s, &l, &fields);
        async move {
            let r = Refill::new("tick", fields, m);
            detail_page(s, l, id, status, Some(&r)).await
        }
    };
    let Ok(step) = fields.get("step").trim().parse::<usize>() else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Choose a step of the checklist.".into(),
        )
        .await;
    };
    let done = fields.get("done") == "yes";
    match s
        .wb
        .tick(&l.signed.caller, Door::Web, &l.lic, id, step, done)
        .await
    {
        Ok(()) => {
            let m = if done {
                format!("Step {} of #{id} ticked as done.", step + 1)
            } else {
                format!("Step {} of #{id} unticked.", step + 1)
            };
            Ok(l.done(&s, &l.url(&format!("/outbox/{id}#task")), &m).await)
        }
        Err(e) => {
            let f = Fail::from(e);
            if f.status == StatusCode::NOT_FOUND || f.status.is_server_error() {
                return Err(f);
            }
            refuse(f.status, f.message).await
        }
    }
}
