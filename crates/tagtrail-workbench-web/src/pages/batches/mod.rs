//! Production batches (issue 11): the board of a license's batches by status with the form
//! that plans one, and a page per batch (`detail`) with its lines, its mass balance, its flow
//! drawn to scale, and the steps the person may take. Under the board, each completed batch's
//! yield over time by product (`yields`).
//!
//! The rules are the model's (`model::batch`): the page offers only the steps `decide` allows
//! and the workbench decides again when one is taken.

use super::Lic;
use crate::AppState;
use crate::error::{Fail, Result};
use crate::form::{Fields, Refill};
use crate::page::{acting_for, csrf_field, refusal, when};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use rust_decimal::Decimal;
use tagtrail_workbench::WbError;
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::batches::BatchRow;
use tagtrail_workbench::model::batch::{BatchType, Status};
use tagtrail_workbench::model::role::Duty;

mod balance;
mod detail;
mod flow;
mod lines;
mod yields;

pub use detail::{detail, explain, review, set_loss, step};
pub use lines::{add_line, remove_line};

/// Whether this person may plan and work batches here (the installation's administrators act
/// in no license).
fn may_produce(l: &Lic) -> bool {
    l.lic.allows(Duty::Produce) && !l.signed.caller.installation_admin
}

fn status_badge(st: Status) -> Markup {
    html! { span class={ "bstate " (st.as_str()) } { (st.label()) } }
}

/// Grams as a person reads them: at most three decimals (a milligram), no trailing zeros.
fn grams(g: Decimal) -> String {
    g.round_dp(3).normalize().to_string()
}

/// A quantity typed into a form, or what is wrong with it in words.
fn decimal(text: &str, what: &str) -> std::result::Result<Decimal, String> {
    let t = text.trim().trim_end_matches('%').trim();
    if t.is_empty() {
        return Err(format!("Give the {what}."));
    }
    t.parse::<Decimal>()
        .map_err(|_| format!("The {what} must be a number, not “{t}”."))
}

/// An optional number: `None` when left empty.
fn optional_decimal(text: &str, what: &str) -> std::result::Result<Option<Decimal>, String> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        decimal(text, what).map(Some)
    }
}

/// What a refused form becomes: shown again with what was typed when the person can fix it;
/// a page that does not exist, or a failure, is shown as such.
fn refused(e: WbError) -> std::result::Result<Fail, Fail> {
    let f = Fail::from(e);
    if f.status == StatusCode::NOT_FOUND || f.status.is_server_error() {
        Err(f)
    } else {
        Ok(f)
    }
}

// ----- the board -----

pub async fn board(State(s): State<AppState>, l: Lic) -> Result<Response> {
    board_page(&s, &l, StatusCode::OK, None).await
}

fn card(l: &Lic, zone: &tagtrail_web::Zone, b: &BatchRow) -> Markup {
    html! {
        li.bcard {
            a href=(l.url(&format!("/batches/{}", b.id))) { strong { (b.name) } }
            span.btype { (b.batch_type.label()) }
            span.muted { "Updated " (when(zone, b.updated_at)) }
        }
    }
}

async fn board_page(
    s: &AppState,
    l: &Lic,
    status: StatusCode,
    refill: Option<&Refill>,
) -> Result<Response> {
    let rows = s.wb.batches(&l.lic, None).await?;
    let history = s.wb.yield_history(&l.lic).await?;
    let zone = &s.options.zone;
    let v = |name: &str| Refill::value(refill, "plan", name);
    let chosen = BatchType::parse(&v("batch_type"));
    let body = html! {
        h1 { "Batches" }
        p.lead.muted { "Production batches of " (l.lic.name) ": what each draws from which packages, what it makes and wastes, and whether its weights balance. A completed batch is submitted to Metrc through the outbox as new packages." }
        div.board {
            @for st in Status::ALL {
                @let these: Vec<&BatchRow> = rows.iter().filter(|b| b.status == *st).collect();
                section.bcol aria-labelledby={ "col-" (st.as_str()) } {
                    h2 id={ "col-" (st.as_str()) } { (status_badge(*st)) " " span.count { (these.len()) } }
                    @if these.is_empty() {
                        p.muted.none { "None." }
                    } @else {
                        ul.bcards { @for b in &these { (card(l, zone, b)) } }
                    }
                }
            }
        }
        (yields::card(l, zone, &history))
        @if may_produce(l) {
            form.card.stack.plan #plan method="post" action=(l.url("/batches")) {
                (csrf_field(&l.signed.csrf))
                h2 { "Plan a batch" }
                (refusal(Refill::error(refill, "plan")))
                label for="plan-name" { "Name" }
                input type="text" id="plan-name" name="name" required maxlength="200" placeholder="Vapes 2026-47" value=(v("name"));
                div.row {
                    div {
                        label for="plan-type" { "Type" }
                        select id="plan-type" name="batch_type" {
                            @for t in BatchType::ALL {
                                option value=(t.as_str()) selected[chosen == Some(*t)] {
                                    (t.label()) " (tolerance " (t.default_tolerance_percent().normalize()) " %)"
                                }
                            }
                        }
                    }
                    div {
                        label for="plan-tolerance" { "Tolerance, % of the inputs (optional)" }
                        input type="text" id="plan-tolerance" name="tolerance" inputmode="decimal" aria-describedby="plan-tolerance-hint" value=(v("tolerance"));
                    }
                }
                p.hint #plan-tolerance-hint { "Left empty, the type's default shown beside it: how far the weights out may differ from the weights in before the batch needs an explanation a second person reviews." }
                label for="plan-text" { "Plan or recipe" }
                textarea id="plan-text" name="plan" maxlength="4000" { (v("plan")) }
                div.buttons {
                    button.act type="submit" { "Plan the batch" }
                    (acting_for(&l.lic))
                }
            }
        }
    };
    Ok(l.page(
        status,
        "/batches",
        &format!("Batches · {}", l.lic.name),
        body,
    ))
}

pub async fn create(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let refuse = |status: StatusCode, m: String| {
        let (s, l, fields) = (&s, &l, &fields);
        async move {
            let r = Refill::new("plan", fields, m);
            board_page(s, l, status, Some(&r)).await
        }
    };
    let Some(batch_type) = BatchType::parse(fields.get("batch_type")) else {
        return refuse(StatusCode::BAD_REQUEST, "Choose the batch's type.".into()).await;
    };
    let tolerance = match optional_decimal(fields.get("tolerance"), "tolerance") {
        Ok(t) => t,
        Err(m) => return refuse(StatusCode::BAD_REQUEST, m).await,
    };
    let name = fields.get("name").trim();
    match s
        .wb
        .create_batch(
            &l.signed.caller,
            Door::Web,
            &l.lic,
            name,
            batch_type,
            fields.get("plan"),
            tolerance,
        )
        .await
    {
        Ok(id) => Ok(l
            .done(
                &s,
                &l.url(&format!("/batches/{id}")),
                &format!("Batch {name} planned. Start it when the work begins."),
            )
            .await),
        Err(e) => {
            let f = refused(e)?;
            refuse(f.status, f.message).await
        }
    }
}
