//! Reconciliation (seed 003 §03): each package's three sources side by side — what the
//! workbench expects, what Metrc says at the last sync, what was counted on the floor — with
//! each disagreement named; running a reconciliation (a report, and an exception per new
//! discrepancy); and recording counts, one at a time or from a CSV count sheet.

use super::Lic;
use super::dashboard::plural;
use crate::AppState;
use crate::error::{Fail, Result};
use crate::form::{Fields, Refill};
use crate::page::{acting_for, csrf_field, refusal, segment, when, wide};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use tagtrail_domain::quantity::UNITS;
use tagtrail_workbench::model::discrepancy::{PackageView, Status};
use tagtrail_workbench::model::role::Duty;

fn view(p: Option<&PackageView>) -> Markup {
    match p {
        None => html! { span.muted { "—" } },
        Some(p) => html! {
            (p.quantity.normalize()) " " (p.unit)
            @if let Some(loc) = &p.location { br; span.muted { (loc) } }
            @if p.status != Status::Active { br; span.state { (p.status.as_str()) } }
            @if p.on_hold { br; span.badge.hold { "on hold" } }
            @if let Some(lab) = &p.lab_state { br; span.muted { (lab) } }
        },
    }
}

async fn render(
    s: &AppState,
    l: &Lic,
    status: StatusCode,
    refill: Option<&Refill>,
) -> Result<Response> {
    let mut lines = s.wb.reconciliation_lines(&l.lic).await?;
    // Disagreements first: they are what the page is for.
    let reports = s.wb.reconciliation_reports(&l.lic, 20).await?;
    // Counts reset at each reconciliation; what it found stays open as exceptions until a
    // person resolves them, so the table says so beside each package.
    let mut open: std::collections::BTreeMap<String, Vec<&'static str>> = Default::default();
    for e in s.wb.exceptions(&l.lic, false).await? {
        open.entry(e.label).or_default().push(e.class.label());
    }
    lines.sort_by(|a, b| {
        let calm = |x: &tagtrail_workbench::reconcile::Line| {
            x.discrepancies.is_empty() && !open.contains_key(&x.label)
        };
        calm(a).cmp(&calm(b)).then_with(|| a.label.cmp(&b.label))
    });
    let zone = &s.options.zone;
    let differing = lines.iter().filter(|x| !x.discrepancies.is_empty()).count();
    let may_count = l.lic.allows(Duty::Count) && !l.signed.caller.installation_admin;
    let v = |form: &str, name: &str| Refill::value(refill, form, name);
    let body = html! {
        h1 { "Reconciliation" }
        p.lead.muted { "Expected is what the workbench last submitted, adopted or was told by a person; Metrc is the last sync; Counted is the physical count since the last reconciliation." }
        (refusal(Refill::error(refill, "run")))
        @if !l.signed.caller.installation_admin {
            form.card method="post" action=(l.url("/reconciliation/run")) {
                (csrf_field(&l.signed.csrf))
                button.act type="submit" { "Run reconciliation" }
                (acting_for(&l.lic))
                p.hint { "Writes a report and opens an exception for each new discrepancy; exceptions that no longer differ close." }
            }
        }
        h2 {
            (plural(lines.len() as i64, "package")) ": " (differing) " differ now"
            @if !open.is_empty() { ", " (open.len()) " with an open exception" }
        }
        (wide("Packages side by side", html! {
            table.recon.cards {
                thead { tr { th { "Package" } th { "Expected" } th { "Metrc" } th { "Counted" } th { "Discrepancies" } } }
                tbody {
                    @for line in &lines {
                        tr {
                            td.mono data-label="Package" { a href=(l.url(&format!("/packages/{}", segment(&line.label)))) { (line.label) } }
                            td data-label="Expected" { (view(line.expected.as_ref())) }
                            td data-label="Metrc" { (view(line.metrc.as_ref())) }
                            td data-label="Counted" { @if let Some(c) = &line.counted { (c.quantity.normalize()) " " (c.unit) } @else { span.muted { "—" } } }
                            @let exceptions = open.get(&line.label);
                            @if line.discrepancies.is_empty() && exceptions.is_none() {
                                td data-label="Discrepancies" { span.muted { "agrees" } }
                            } @else {
                                td.diff data-label="Discrepancies" {
                                    @for d in &line.discrepancies {
                                        div title=(d.detail) { (d.class.label()) }
                                    }
                                    @if let Some(list) = exceptions {
                                        div { a href=(l.url("/exceptions")) { "open exception: " (list.join(", ")) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }))
        @if may_count {
            div.lic-cards {
                form.card.stack method="post" action=(l.url("/reconciliation/count")) {
                    (csrf_field(&l.signed.csrf))
                    h2 { "Record a count" }
                    (refusal(Refill::error(refill, "count")))
                    label for="count-label" { "Package tag" }
                    input type="text" id="count-label" name="label" required list="labels" autocapitalize="characters" value=(v("count", "label"));
                    datalist #labels { @for line in &lines { option value=(line.label) {} } }
                    div.row {
                        div {
                            label for="count-qty" { "Quantity" }
                            input type="text" id="count-qty" name="quantity" inputmode="decimal" required value=(v("count", "quantity"));
                        }
                        div {
                            label for="count-unit" { "Unit" }
                            select id="count-unit" name="unit" {
                                @for u in UNITS.iter().filter(|u| u.active) {
                                    option value=(u.name) selected[v("count", "unit") == u.name] { (u.name) }
                                }
                            }
                        }
                    }
                    div.buttons {
                        button.act type="submit" { "Record count" }
                        (acting_for(&l.lic))
                    }
                }
                form.card.stack method="post" action=(l.url("/reconciliation/sheet")) enctype="multipart/form-data" {
                    (csrf_field(&l.signed.csrf))
                    h2 { "Import a count sheet" }
                    (refusal(Refill::error(refill, "sheet")))
                    p.hint { "A CSV file with a header row and three columns: " span.mono { "Label,Quantity,UnitOfMeasure" } ". All rows or none: a bad row refuses the sheet, naming its line." }
                    label for="sheet" { "Count sheet (CSV)" }
                    input type="file" id="sheet" name="sheet" accept=".csv,text/csv" required;
                    div.buttons {
                        button.act type="submit" { "Import counts" }
                        (acting_for(&l.lic))
                    }
                }
            }
        }
        h2 { "Reports" }
        @if reports.is_empty() { p.muted { "No reconciliation has run yet." } }
        @else {
            (wide("Reconciliation reports", html! {
                table.cards {
                    thead { tr { th { "Report" } th { "When" } th { "Expected" } th { "In Metrc" } th { "Counted" } th { "Synced" } th { "Discrepancies" } th { "Status" } } }
                    tbody {
                        @for r in &reports {
                            tr {
                                td data-label="Report" { (r.id) }
                                td data-label="When" { (when(zone, r.at)) }
                                td.num data-label="Expected" { (r.local_count) }
                                td.num data-label="In Metrc" { (r.metrc_count) }
                                td.num data-label="Counted" { (r.counted) }
                                td data-label="Synced" { @if let Some(t) = r.synced_at { (when(zone, t)) } @else { span.muted { "never" } } }
                                td.num data-label="Discrepancies" { (r.discrepancies) }
                                td data-label="Status" { span class={ "state " (r.status.replace(' ', "-")) } { (r.status) } }
                            }
                        }
                    }
                }
            }))
        }
    };
    Ok(l.page(
        status,
        "/reconciliation",
        &format!("Reconciliation · {}", l.lic.name),
        body,
    ))
}

pub async fn page(State(s): State<AppState>, l: Lic) -> Result<Response> {
    render(&s, &l, StatusCode::OK, None).await
}

/// Answers a form: its message and back to the page, or the page again with the refusal.
async fn answer(
    s: &AppState,
    l: &Lic,
    outcome: std::result::Result<String, tagtrail_workbench::WbError>,
    form: &'static str,
    fields: &Fields,
) -> Result<Response> {
    match outcome {
        Ok(m) => Ok(l.done(s, &l.url("/reconciliation"), &m).await),
        Err(e) => {
            let f = Fail::from(e);
            if f.status == StatusCode::NOT_FOUND || f.status.is_server_error() {
                return Err(f);
            }
            let r = Refill::new(form, fields, f.message.clone());
            render(s, l, f.status, Some(&r)).await
        }
    }
}

pub async fn run(State(s): State<AppState>, l: Lic) -> Result<Response> {
    let outcome = s
        .wb
        .reconcile(Some(&l.signed.caller), &l.lic)
        .await
        .map(|r| {
            format!(
                "Reconciliation {} of {}: {} expected, {} in Metrc, {} counted, {} discrepancies.",
                r.id, l.lic.name, r.local_count, r.metrc_count, r.counted, r.discrepancies
            )
        });
    answer(&s, &l, outcome, "run", &Fields::default()).await
}

pub async fn count(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let label = fields.get("label").trim().to_ascii_uppercase();
    let outcome =
        s.wb.record_count(
            &l.signed.caller,
            &l.lic,
            &label,
            fields.get("quantity"),
            fields.get("unit"),
        )
        .await
        .map(|()| {
            format!(
                "Counted {} {} of {}.",
                fields.get("quantity").trim(),
                fields.get("unit"),
                label
            )
        });
    answer(&s, &l, outcome, "count", &fields).await
}

pub async fn sheet(State(s): State<AppState>, l: Lic, req: Request) -> Result<Response> {
    let refuse = |m: &str| Refill::new("sheet", &Fields::default(), m);
    let mut form = match Multipart::from_request(req, &s).await {
        Ok(f) => f,
        Err(_) => {
            return render(
                &s,
                &l,
                StatusCode::BAD_REQUEST,
                Some(&refuse("The upload could not be read.")),
            )
            .await;
        }
    };
    let mut bytes = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("sheet") {
            match field.bytes().await {
                Ok(b) => bytes = Some(b),
                Err(_) => {
                    return render(
                        &s,
                        &l,
                        StatusCode::BAD_REQUEST,
                        Some(&refuse("The file could not be read.")),
                    )
                    .await;
                }
            }
        }
    }
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        return render(
            &s,
            &l,
            StatusCode::BAD_REQUEST,
            Some(&refuse("Choose a CSV count sheet to import.")),
        )
        .await;
    };
    let outcome =
        s.wb.import_count_sheet(&l.signed.caller, &l.lic, &bytes)
            .await
            .map(|n| format!("{n} counts imported from the sheet."));
    answer(&s, &l, outcome, "sheet", &Fields::default()).await
}
