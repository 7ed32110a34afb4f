//! The exceptions queue: each open discrepancy, and a person's decision closing it. A decision
//! cannot be taken back, so it asks first (as the ledger UI does): the button opens a panel
//! saying what will happen, whose own button posts `confirmed=yes`; the handler refuses to act
//! without it and answers with a confirmation page instead.

use super::{Lic, confirm};
use crate::AppState;
use crate::error::{Fail, Result};
use crate::form::{Fields, Refill};
use crate::page::{acting_for, csrf_field, refusal, segment, when};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use tagtrail_workbench::model::role::Duty;
use tagtrail_workbench::reconcile::Decision;

async fn render(
    s: &AppState,
    l: &Lic,
    status: StatusCode,
    refill: Option<&Refill>,
) -> Result<Response> {
    let all = s.wb.exceptions(&l.lic, true).await?;
    let zone = &s.options.zone;
    let (open, closed): (Vec<_>, Vec<_>) = all.iter().partition(|e| e.resolved_at.is_none());
    let may = l.lic.allows(Duty::Resolve) && !l.signed.caller.installation_admin;
    let body = html! {
        h1 { "Exceptions" }
        p.lead.muted { "Each is a package where what the workbench expects, what Metrc says and what was counted disagree. A package with an open exception cannot go on a transfer." }
        h2 { (open.len()) " open" }
        @if open.is_empty() { p { "Nothing to resolve." } }
        @for e in &open {
            @let id = e.id.to_string();
            @let mine = refill.filter(|r| r.form == "resolve" && r.fields.get("exception") == id);
            section.card id={ "exception-" (e.id) } {
                h3 {
                    a.mono href=(l.url(&format!("/packages/{}", segment(&e.label)))) { (e.label) }
                    " · " (e.class.label())
                }
                p { (e.detail) }
                p.muted { "Opened " (when(zone, e.opened_at)) }
                @if may {
                    form.stack method="post" action=(l.url(&format!("/exceptions/{}/resolve", e.id))) {
                        (csrf_field(&l.signed.csrf))
                        input type="hidden" name="exception" value=(e.id);
                        (refusal(mine.map(|r| r.error.as_str())))
                        fieldset {
                            legend { "Decision" }
                            @let d = mine.map(|r| r.fields.get("decision")).unwrap_or("");
                            label.choice { input type="radio" name="decision" value="accept_metrc" required checked[d == "accept_metrc"]; " Accept Metrc's record (the workbench now expects what Metrc says)" }
                            label.choice { input type="radio" name="decision" value="explained" checked[d == "explained"]; " Explained (the difference is accounted for; the expectation stays)" }
                        }
                        label for={ "reason-" (e.id) } { "Why" }
                        textarea id={ "reason-" (e.id) } name="reason" required maxlength="1000" { (mine.map(|r| r.fields.get("reason")).unwrap_or("")) }
                        div.buttons {
                            (confirm::button("Resolve", &format!("The exception on {} closes with your decision and reason, recorded in the audit log.", e.label)))
                            (acting_for(&l.lic))
                        }
                    }
                }
            }
        }
        h2 { "Resolved" }
        @if closed.is_empty() { p.muted { "None yet." } }
        @else {
            div.scroll tabindex="0" role="region" aria-label="Resolved exceptions" {
                table.cards {
                    thead { tr { th { "Package" } th { "What differed" } th { "Opened" } th { "Resolved" } th { "How" } } }
                    tbody {
                        @for e in &closed {
                            tr {
                                td.mono data-label="Package" { (e.label) }
                                td data-label="What differed" { (e.class.label()) ": " (e.detail) }
                                td data-label="Opened" { (when(zone, e.opened_at)) }
                                td data-label="Resolved" { @if let Some(t) = e.resolved_at { (when(zone, t)) } }
                                td data-label="How" { (e.resolution.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(l.page(
        status,
        "/exceptions",
        &format!("Exceptions · {}", l.lic.name),
        body,
    ))
}

pub async fn list(State(s): State<AppState>, l: Lic) -> Result<Response> {
    render(&s, &l, StatusCode::OK, None).await
}

pub async fn resolve(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let id = l.id()?;
    let mut fields = fields;
    // The exception is the one in the address, whatever the form said.
    fields.0.retain(|(k, _)| k != "exception");
    fields.0.push(("exception".into(), id.to_string()));
    let decision = match fields.get("decision") {
        "accept_metrc" => Some(Decision::AcceptMetrc),
        "explained" => Some(Decision::Explained),
        _ => None,
    };
    let Some(decision) = decision else {
        let r = Refill::new(
            "resolve",
            &fields,
            "Choose a decision: accept Metrc's record, or explained.",
        );
        return render(&s, &l, StatusCode::BAD_REQUEST, Some(&r)).await;
    };
    if fields.get("reason").trim().is_empty() {
        let r = Refill::new(
            "resolve",
            &fields,
            "Say why: the reason is recorded with the decision.",
        );
        return render(&s, &l, StatusCode::BAD_REQUEST, Some(&r)).await;
    }
    if !confirm::confirmed(&fields) {
        return Ok(confirm::ask(
            &l,
            "/exceptions",
            &fields,
            &l.url(&format!("/exceptions/{id}/resolve")),
            "Resolve",
            "The exception closes with your decision and reason, recorded in the audit log.",
            &l.url("/exceptions"),
        ));
    }
    match s
        .wb
        .resolve_exception(&l.signed.caller, &l.lic, id, decision, fields.get("reason"))
        .await
    {
        Ok(()) => Ok(l
            .done(&s, &l.url("/exceptions"), "Exception resolved.")
            .await),
        Err(e) => {
            let f = Fail::from(e);
            if f.status == StatusCode::NOT_FOUND {
                return Err(f);
            }
            let r = Refill::new("resolve", &fields, f.message.clone());
            render(&s, &l, f.status, Some(&r)).await
        }
    }
}
