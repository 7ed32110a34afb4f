//! Sync runs: each run with its windows and counts, and "Sync now" for people whose role may
//! start one. A sync takes seconds; it runs while the browser waits, so the person sees how it
//! ended (the scheduler's runs go on in the background as before).

use super::Lic;
use super::dashboard::plural;
use crate::AppState;
use crate::error::{Fail, Result};
use crate::page::{acting_for, csrf_field, refusal, when, wide};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use tagtrail_workbench::model::role::Duty;
use tagtrail_workbench::sync::Trigger;

async fn render(
    s: &AppState,
    l: &Lic,
    status: StatusCode,
    error: Option<&str>,
) -> Result<Response> {
    let runs = s.wb.sync_runs(&l.lic, 100).await?;
    let zone = &s.options.zone;
    let body = html! {
        h1 { "Sync runs" }
        p.lead.muted {
            "Each run reads every entity group from Metrc in windows of last-modified time, each window overlapping the one before so a record stamped late is not missed. "
            a href=(l.url("/requests")) { "Every request to Metrc" } " is kept with the hash of its answer."
        }
        (refusal(error))
        @if l.lic.allows(Duty::Sync) && !l.signed.caller.installation_admin {
            form.card method="post" action=(l.url("/sync")) {
                (csrf_field(&l.signed.csrf))
                button.act type="submit" { "Sync now" }
                (acting_for(&l.lic))
                p.hint { "Reads what changed in Metrc since the last run. It takes a few seconds." }
            }
        }
        @if runs.is_empty() {
            p { "No sync has run yet." }
        } @else {
            (wide("Sync runs", html! {
                table.cards {
                    thead { tr {
                        th { "Run" } th { "Started" } th { "Finished" } th { "Why" } th { "Status" }
                        th { "Windows" } th { "Requests" } th { "Records" } th { "New versions" } th { "Errors" }
                    } }
                    tbody {
                        @for r in &runs {
                            tr {
                                td data-label="Run" { (r.id) }
                                td data-label="Started" { (when(zone, r.started_at)) }
                                td data-label="Finished" { @if let Some(f) = r.finished_at { (when(zone, f)) } @else { span.muted { "—" } } }
                                td data-label="Why" { (match r.trigger.as_str() { "first" => "first sync", "incremental" => "scheduled", "manual" => "asked for", other => other }) }
                                td data-label="Status" { span class={ "state " (r.status) } { (r.status) } }
                                td.num data-label="Windows" { (r.windows) }
                                td.num data-label="Requests" { (r.requests) }
                                td.num data-label="Records" { (r.records) }
                                td.num data-label="New versions" { (r.new_versions) }
                                td data-label="Errors" { @if let Some(e) = r.errors.as_deref().filter(|e| !e.is_empty()) { (e) } @else { span.muted { "none" } } }
                            }
                        }
                    }
                }
            }))
        }
    };
    Ok(l.page(
        status,
        "/sync",
        &format!("Sync runs · {}", l.lic.name),
        body,
    ))
}

pub async fn list(State(s): State<AppState>, l: Lic) -> Result<Response> {
    render(&s, &l, StatusCode::OK, None).await
}

pub async fn sync_now(State(s): State<AppState>, l: Lic) -> Result<Response> {
    // A license that never finished a sync gets a first sync, which then adopts Metrc's
    // packages as what the workbench expects (as the scheduler does).
    let first = !s
        .wb
        .sync_runs(&l.lic, 100)
        .await?
        .iter()
        .any(|r| r.status == "finished");
    let trigger = if first {
        Trigger::First
    } else {
        Trigger::Manual
    };
    let report = match s
        .wb
        .sync_license(&l.lic, Some(&l.signed.caller), trigger, &|_| {})
        .await
    {
        Ok(r) => r,
        Err(e) => {
            let f = Fail::from(e);
            if f.status == StatusCode::NOT_FOUND {
                return Err(f);
            }
            return render(&s, &l, f.status, Some(&f.message)).await;
        }
    };
    if first && report.errors.is_empty() {
        s.wb.adopt_metrc_as_expected(&l.lic).await?;
    }
    let message = if report.errors.is_empty() {
        format!(
            "Sync finished for {}: {}, {}, {} read, {}.",
            l.lic.name,
            plural(report.windows as i64, "window"),
            plural(report.requests as i64, "request"),
            plural(report.records as i64, "record"),
            plural(report.new_versions as i64, "new version")
        )
    } else {
        format!(
            "Sync of {} ended with {} error(s): {}",
            l.lic.name,
            report.errors.len(),
            report.errors.join("; ")
        )
    };
    Ok(l.done(&s, &l.url("/sync"), &message).await)
}
