//! The submission outbox (seed 003 §03): every write to Metrc is a submission that moves draft →
//! review → approved → submitted → accepted (or rejected, or withdrawn). The list by state; a
//! page per submission with its intent as a table, preflight's problems by row, its history
//! from the audit log and Metrc's answer; the steps the person may take; and the draft forms.
//!
//! Which buttons a page offers is decided by the model's own rule (`submission::decide`), so a
//! page cannot offer a step the workbench would refuse; the step is decided again when it is
//! taken.

use super::{Lic, confirm};
use crate::AppState;
use crate::error::{Fail, Result};
use crate::form::{Fields, Refill};
use crate::page::{
    acting_for, acting_line, csrf_field, refusal, short_hash, when, when_text, wide,
};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde_json::Value;
use std::collections::BTreeSet;
use tagtrail_workbench::WbError;
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::preflight::{Intent, Move, NewLocation, Problem, TransferDraft};
use tagtrail_workbench::model::role::Duty;
use tagtrail_workbench::model::submission::{self, Actor, Facts, Kind, State as SubState, Step};
use tagtrail_workbench::outbox::{Delivery, Submission};

/// The draft forms: the address's `kind`, the kind, and what the form asks for.
const FORMS: &[(&str, Kind, &str)] = &[
    (
        "strains",
        Kind::CreateStrains,
        "New strains, one name per line.",
    ),
    (
        "locations",
        Kind::CreateLocations,
        "New locations of one type, one name per line.",
    ),
    (
        "move",
        Kind::MovePackages,
        "Packages to move to one location.",
    ),
    ("finish", Kind::FinishPackages, "Empty packages to finish."),
    (
        "transfer",
        Kind::OutgoingTransferTemplate,
        "Packages to send to another license, as a transfer template.",
    ),
];

fn state_class(s: SubState) -> &'static str {
    s.as_str()
}

fn state_badge(s: SubState) -> Markup {
    html! { span class={ "state " (state_class(s)) } { (s.label()) } }
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    state: Option<String>,
}

pub async fn list(
    State(s): State<AppState>,
    l: Lic,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let state = q.state.as_deref().and_then(SubState::parse);
    let subs = s.wb.submissions(&l.lic, state, 500).await?;
    let counts = s.wb.submission_counts(&l.lic).await?;
    let total: i64 = counts.values().sum();
    let zone = &s.options.zone;
    let may_draft = l.lic.allows(Duty::Draft) && !l.signed.caller.installation_admin;
    let body = html! {
        h1 { "Outbox" }
        p.lead.muted { "Every change to Metrc is a submission: drafted, checked by preflight, reviewed and approved by another person, then submitted." }
        @if may_draft {
            div.card {
                h2 { "New submission" }
                div.buttons {
                    @for (slug, kind, _) in FORMS {
                        a.act href={ (l.url("/outbox/new")) "?kind=" (slug) } { (kind.label()) }
                    }
                }
            }
        }
        nav.tabs aria-label="Submissions by state" {
            a class=@if state.is_none() { "on" } aria-current=[state.is_none().then_some("page")] href=(l.url("/outbox")) { "All (" (total) ")" }
            @for st in SubState::ALL {
                @let on = state == Some(*st);
                a class=@if on { "on" } aria-current=[on.then_some("page")] href={ (l.url("/outbox")) "?state=" (st.as_str()) } {
                    (st.label()) " (" (counts.get(st.as_str()).copied().unwrap_or(0)) ")"
                }
            }
        }
        @if subs.is_empty() {
            p { "No submissions" @if let Some(st) = state { " " (st.label().to_lowercase()) } "." }
        } @else {
            (wide("Submissions", html! {
                table.cards {
                    thead { tr { th { "#" } th { "Title" } th { "What" } th { "State" } th { "Author" } th { "Last change" } } }
                    tbody {
                        @for sub in &subs {
                            tr {
                                td data-label="#" { a href=(l.url(&format!("/outbox/{}", sub.id))) { (sub.id) } }
                                td data-label="Title" { a href=(l.url(&format!("/outbox/{}", sub.id))) { (sub.title) } }
                                td data-label="What" { (sub.kind.label()) ", " (sub.intent.rows()) " row" @if sub.intent.rows() != 1 { "s" } }
                                td data-label="State" { (state_badge(sub.state)) @if !sub.preflight.is_empty() && !sub.state.is_final() { " " span.badge.hold { (sub.preflight.len()) " problem" @if sub.preflight.len() != 1 { "s" } } } }
                                td data-label="Author" { (sub.author) }
                                td data-label="Last change" { (when(zone, sub.updated_at)) }
                            }
                        }
                    }
                }
            }))
        }
    };
    Ok(l.page(
        StatusCode::OK,
        "/outbox",
        &format!("Outbox · {}", l.lic.name),
        body,
    ))
}

// ----- drafting -----

#[derive(serde::Deserialize, Default)]
pub struct KindQuery {
    kind: Option<String>,
}

fn form_of(slug: &str) -> Option<&'static (&'static str, Kind, &'static str)> {
    FORMS.iter().find(|(s, _, _)| *s == slug)
}

/// Labels typed one per line (or separated by commas or spaces), as Metrc spells them.
fn labels(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .map(|t| t.trim().to_ascii_uppercase())
        .filter(|t| !t.is_empty())
        .collect()
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The intent a draft form describes, or what is missing.
fn intent_of(kind: Kind, f: &Fields) -> std::result::Result<Intent, String> {
    let need = |v: Vec<String>, what: &str| {
        if v.is_empty() {
            Err(format!("Name at least one {what}."))
        } else {
            Ok(v)
        }
    };
    Ok(match kind {
        Kind::CreateStrains => Intent::CreateStrains(need(lines(f.get("names")), "strain")?),
        Kind::CreateLocations => {
            let ty = f.get("location_type").trim();
            if ty.is_empty() {
                return Err("Say which type of location these are.".into());
            }
            Intent::CreateLocations(
                need(lines(f.get("names")), "location")?
                    .into_iter()
                    .map(|name| NewLocation {
                        name,
                        location_type: ty.to_string(),
                    })
                    .collect(),
            )
        }
        Kind::MovePackages => {
            let to = f.get("location").trim();
            if to.is_empty() {
                return Err("Say which location the packages move to.".into());
            }
            Intent::MovePackages(
                need(labels(f.get("labels")), "package")?
                    .into_iter()
                    .map(|label| Move {
                        label,
                        location: to.to_string(),
                    })
                    .collect(),
            )
        }
        Kind::FinishPackages => Intent::FinishPackages(need(labels(f.get("labels")), "package")?),
        Kind::OutgoingTransferTemplate => {
            let recipient = f.get("recipient").trim().to_string();
            if recipient.is_empty() {
                return Err("Say which license receives the transfer.".into());
            }
            let name = f.get("template").trim().to_string();
            if name.is_empty() {
                return Err("Give the transfer template a name.".into());
            }
            let ty = f.get("transfer_type").trim().to_string();
            if ty.is_empty() {
                return Err("Say which type of transfer this is.".into());
            }
            Intent::OutgoingTransfer(TransferDraft {
                name,
                recipient_license: recipient,
                recipient_is_retailer: f.get("retailer") == "yes",
                transfer_type: ty,
                packages: need(labels(f.get("labels")), "package")?,
            })
        }
        Kind::CreatePackages => {
            return Err("New packages are drafted from the command line for now.".into());
        }
    })
}

/// What the license's last sync knows, for the forms' suggestions.
async fn suggestions(
    s: &AppState,
    l: &Lic,
) -> Result<(Vec<String>, Vec<String>, BTreeSet<String>)> {
    let packages: Vec<String> =
        s.wb.records(&l.lic, "package")
            .await?
            .into_iter()
            .filter(|(_, v)| v.get("IsFinished").and_then(Value::as_bool) != Some(true))
            .map(|(k, _)| k)
            .collect();
    let locs = s.wb.records(&l.lic, "location").await?;
    let names = locs
        .iter()
        .filter_map(|(_, v)| v.get("Name").and_then(Value::as_str).map(str::to_string))
        .collect();
    let types = locs
        .iter()
        .filter_map(|(_, v)| {
            v.get("LocationTypeName")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    Ok((packages, names, types))
}

async fn draft_page(
    s: &AppState,
    l: &Lic,
    slug: &str,
    status: StatusCode,
    refill: Option<&Refill>,
) -> Result<Response> {
    if !l.lic.allows(Duty::Draft) || l.signed.caller.installation_admin {
        return Err(Fail::new(
            StatusCode::FORBIDDEN,
            format!(
                "Your role in {} ({}) does not allow drafting submissions.",
                l.lic.name, l.lic.number
            ),
        ));
    }
    let Some((slug, kind, what)) = form_of(slug) else {
        // No kind chosen yet: which kind of submission.
        let body = html! {
            h1 { "New submission" }
            div.card {
                p { "What should the submission ask Metrc to do?" }
                ul {
                    @for (slug, kind, what) in FORMS {
                        li { a href={ (l.url("/outbox/new")) "?kind=" (slug) } { (kind.label()) } ": " (what) }
                    }
                }
            }
        };
        return Ok(l.page(
            status,
            "/outbox",
            &format!("New submission · {}", l.lic.name),
            body,
        ));
    };
    let (packages, locations, types) = suggestions(s, l).await?;
    let v = |name: &str| Refill::value(refill, "draft", name);
    let title = if refill.is_some() {
        v("title")
    } else {
        kind.label().to_string()
    };
    let body = html! {
        h1 { "New submission: " (kind.label().to_lowercase()) }
        p.lead.muted { (what) " It is saved as a draft and checked by preflight; nothing reaches Metrc until another person approves it and it is submitted." }
        form.card.stack method="post" action=(l.url("/outbox/new")) {
            (csrf_field(&l.signed.csrf))
            input type="hidden" name="kind" value=(slug);
            (refusal(Refill::error(refill, "draft")))
            label for="d-title" { "Title" }
            input type="text" id="d-title" name="title" required maxlength="200" value=(title);
            label for="d-reason" { "Why (recorded in the audit log)" }
            input type="text" id="d-reason" name="reason" required maxlength="1000" value=(v("reason"));
            @match kind {
                Kind::CreateStrains => {
                    label for="d-names" { "Strain names, one per line" }
                    textarea id="d-names" name="names" required { (v("names")) }
                }
                Kind::CreateLocations => {
                    label for="d-names" { "Location names, one per line" }
                    textarea id="d-names" name="names" required { (v("names")) }
                    label for="d-type" { "Location type" }
                    input type="text" id="d-type" name="location_type" required list="location-types" value=(v("location_type"));
                    datalist #location-types { @for t in &types { option value=(t) {} } }
                }
                Kind::MovePackages => {
                    label for="d-labels" { "Package tags, one per line" }
                    textarea id="d-labels" name="labels" required autocapitalize="characters" { (v("labels")) }
                    label for="d-loc" { "New location" }
                    input type="text" id="d-loc" name="location" required list="locations" value=(v("location"));
                    datalist #locations { @for n in &locations { option value=(n) {} } }
                }
                Kind::FinishPackages => {
                    label for="d-labels" { "Package tags, one per line" }
                    textarea id="d-labels" name="labels" required autocapitalize="characters" { (v("labels")) }
                }
                Kind::OutgoingTransferTemplate => {
                    label for="d-template" { "Template name" }
                    input type="text" id="d-template" name="template" required maxlength="200" value=(v("template"));
                    label for="d-recipient" { "Recipient license number" }
                    input type="text" id="d-recipient" name="recipient" required value=(v("recipient"));
                    label.choice { input type="checkbox" name="retailer" value="yes" checked[v("retailer") == "yes"]; " The recipient is a retailer (only packages that passed testing may go)" }
                    label for="d-type" { "Transfer type" }
                    input type="text" id="d-type" name="transfer_type" required list="transfer-types" value=(Some(v("transfer_type")).filter(|t| !t.is_empty()).unwrap_or_else(|| "Transfer".into()));
                    datalist #transfer-types { option value="Transfer" {} option value="Wholesale" {} option value="Wholesale Manifest" {} }
                    label for="d-labels" { "Package tags, one per line" }
                    textarea id="d-labels" name="labels" required autocapitalize="characters" { (v("labels")) }
                }
                Kind::CreatePackages => {}
            }
            @if matches!(kind, Kind::MovePackages | Kind::FinishPackages | Kind::OutgoingTransferTemplate) && !packages.is_empty() {
                details {
                    summary { "Packages of this license at the last sync (" (packages.len()) ")" }
                    p.mono.hint { (packages.join(" ")) }
                }
            }
            div.buttons {
                button.act type="submit" { "Save draft" }
                (acting_for(&l.lic))
            }
        }
    };
    Ok(l.page(
        status,
        "/outbox",
        &format!("New submission · {}", l.lic.name),
        body,
    ))
}

pub async fn new_form(
    State(s): State<AppState>,
    l: Lic,
    Query(q): Query<KindQuery>,
) -> Result<Response> {
    draft_page(
        &s,
        &l,
        q.kind.as_deref().unwrap_or(""),
        StatusCode::OK,
        None,
    )
    .await
}

pub async fn create(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let slug = fields.get("kind").to_string();
    let Some((_, kind, _)) = form_of(&slug) else {
        return Err(Fail::not_found());
    };
    let intent = match intent_of(*kind, &fields) {
        Ok(i) => i,
        Err(m) => {
            let r = Refill::new("draft", &fields, m);
            return draft_page(&s, &l, &slug, StatusCode::BAD_REQUEST, Some(&r)).await;
        }
    };
    match s
        .wb
        .draft(
            &l.signed.caller,
            Door::Web,
            &l.lic,
            fields.get("title"),
            fields.get("reason"),
            intent,
        )
        .await
    {
        Ok(id) => {
            let sub = s.wb.submission(&l.lic, id).await?;
            let m = if sub.preflight.is_empty() {
                format!(
                    "Draft #{id} saved. Preflight found nothing that would fail; send it to review when ready."
                )
            } else {
                format!(
                    "Draft #{id} saved. Preflight found {} problem(s): fix them before it can go to review.",
                    sub.preflight.len()
                )
            };
            Ok(l.done(&s, &l.url(&format!("/outbox/{id}")), &m).await)
        }
        Err(e) => {
            let f = Fail::from(e);
            if f.status == StatusCode::NOT_FOUND || f.status.is_server_error() {
                return Err(f);
            }
            let r = Refill::new("draft", &fields, f.message.clone());
            draft_page(&s, &l, &slug, f.status, Some(&r)).await
        }
    }
}

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
            table { thead { tr { th.row { "#" } th { "Package on the transfer" } } }
                tbody { @for (i, p) in t.packages.iter().enumerate() { tr { td.row { (i + 1) } td.mono { (p) } } } } }
        },
        Intent::CreatePackages(list) => html! {
            table { thead { tr { th.row { "Row" } th { "New tag" } th { "Item" } th { "Quantity" } th { "Location" } th { "From" } } }
                tbody { @for (i, p) in list.iter().enumerate() { tr class=(mark(i)) {
                    td.row { (i + 1) } td.mono { (p.tag) } td { (p.item) } td { (p.quantity.normalize()) " " (p.unit) }
                    td { (p.location.as_deref().unwrap_or("")) }
                    td { @for ing in &p.ingredients { div { span.mono { (ing.package) } " " (ing.quantity.normalize()) " " (ing.unit) } } }
                } } } }
        },
    };
    wide("What it asks Metrc to do", table)
}

/// The steps this person could take on the submission now (the model's rule; approving also
/// needs the code, asked for on the form).
fn offered(l: &Lic, sub: &Submission) -> Vec<Step> {
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

async fn detail_page(
    s: &AppState,
    l: &Lic,
    id: i64,
    status: StatusCode,
    refill: Option<&Refill>,
) -> Result<Response> {
    let sub = s.wb.submission(&l.lic, id).await?;
    let zone = &s.options.zone;
    let history: Vec<_> =
        s.wb.audit_log(&l.signed.caller, Some(&l.lic), 5000)
            .await?
            .into_iter()
            .filter(|e| e.entry.reason.starts_with(&format!("#{id} ")))
            .collect();
    let steps = offered(l, &sub);
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
        p { (state_badge(sub.state)) " " (sub.kind.label()) ", " (sub.intent.rows()) " row" @if sub.intent.rows() != 1 { "s" } }
        // A refusal of a step this page offers is shown at its form; any other at the top.
        (refusal(refill.filter(|r| step_of(r.fields.get("step")).is_none_or(|st| !steps.contains(&st))).map(|r| r.error.as_str())))
        @if steps.is_empty() {
            p.muted #actions {
                @if sub.state == SubState::Review && sub.author_id == l.signed.caller.user_id && approver {
                    "You wrote this submission; another person must review and approve it."
                } @else if sub.state.is_final() {
                    "This submission is " (sub.state.label().to_lowercase()) "; nothing more happens to it."
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
                                    h3 { "Submit to Metrc" }
                                    (refusal(for_step(*st)))
                                    p.hint { "Sent once now; if Metrc does not answer, the outbox tries again, first checking whether it was applied." }
                                    (confirm::button("Submit to Metrc", &format!("Submission #{} is sent to Metrc for {} ({}) now.", sub.id, l.lic.name, l.lic.number)))
                                }
                            }
                            Step::Withdraw => {
                                form.step method="post" action=(action) {
                                    (csrf_field(&l.signed.csrf))
                                    input type="hidden" name="step" value="withdraw";
                                    h3 { "Withdraw" }
                                    (refusal(for_step(*st)))
                                    p.hint { "It is never sent, and stays in the outbox as withdrawn." }
                                    (confirm::button("Withdraw", &format!("Submission #{} is withdrawn and never sent.", sub.id)))
                                }
                            }
                            _ => {}
                        }
                    }
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
fn delivery_words(id: i64, d: std::result::Result<Delivery, WbError>) -> String {
    match d {
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
            Step::Submit => (
                "Submit to Metrc",
                format!(
                    "Submission #{id} is sent to Metrc for {} ({}) now.",
                    l.lic.name, l.lic.number
                ),
            ),
            _ => (
                "Withdraw",
                format!("Submission #{id} is withdrawn and never sent."),
            ),
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
        delivery_words(id, s.wb.deliver(&l.lic, id).await)
    } else {
        format!("#{id} is now {}.", to.label().to_lowercase())
    };
    Ok(l.done(&s, &l.url(&format!("/outbox/{id}")), &message).await)
}
