//! Package pages: the list, the detail (lineage, adjustments, lab results, journal), the common
//! writes, and the laboratory's sample list with result entry and release.

use super::layout::{Nav, flash, page, yes_no};
use super::pages::{Page, WebError, acting, frame, urlencode};
use super::session::Employee;
use crate::app::{Action, NewDocument, Refs};
use crate::http::AppState;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use rust_decimal::Decimal;
use serde::Deserialize;
use tagtrail_domain::commands::lab::{RecordSpec, ResultSpec};
use tagtrail_domain::commands::packages::{self as decide, AdjustSpec};
use tagtrail_domain::records::{
    LabResult, LabSample, Location, Package, PackageAdjustment, PackageState,
};
use tagtrail_domain::reference;
use tagtrail_store::ListQuery;

const PAGE: u32 = 25;

#[derive(Deserialize, Default)]
pub struct ListFilter {
    state: Option<String>,
    item: Option<String>,
    location: Option<String>,
    lab: Option<String>,
    page: Option<u32>,
    msg: Option<String>,
    err: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

pub async fn list(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path(license): Path<String>,
    Query(f): Query<ListFilter>,
) -> Page {
    let (scope, licenses) = frame(&s, &user, &license, &["View Packages"]).await?;
    let lic = scope.license().to_string();
    let state = nonempty(&f.state).unwrap_or("active");
    let mut q = ListQuery {
        license: Some(lic.clone()),
        ..Default::default()
    };
    match state {
        "onhold" => q.status = Some("OnHold".into()),
        "intransit" => q.status = Some("InTransit".into()),
        "inactive" => q.status_in = vec!["Finished".into(), "Discontinued".into()],
        _ => q.active = Some(true),
    }
    let page_no = f.page.unwrap_or(1).max(1);
    let filtered = nonempty(&f.item).is_some()
        || nonempty(&f.location).is_some()
        || nonempty(&f.lab).is_some();
    // Live inventory is small next to history, so item, location and lab-state filters are
    // applied to the state's rows here; history is paged by the database, unfiltered beyond state.
    let (total, rows) = if filtered && state != "inactive" {
        let all = s.ledger.store.list::<Package>(&q).await?.rows;
        let keep: Vec<Package> = all
            .into_iter()
            .filter(|p| nonempty(&f.item).is_none_or(|i| p.item_name.eq_ignore_ascii_case(i)))
            .filter(|p| {
                nonempty(&f.location).is_none_or(|l| {
                    p.location_name
                        .as_deref()
                        .is_some_and(|n| n.eq_ignore_ascii_case(l))
                })
            })
            .filter(|p| nonempty(&f.lab).is_none_or(|l| p.lab_testing_state == l))
            .collect();
        let total = keep.len() as i64;
        (
            total,
            keep.into_iter()
                .skip(((page_no - 1) * PAGE) as usize)
                .take(PAGE as usize)
                .collect(),
        )
    } else {
        q.page = Some((page_no, PAGE));
        let p = s.ledger.store.list::<Package>(&q).await?;
        (p.total, p.rows)
    };
    let locations = s
        .ledger
        .store
        .list::<Location>(&ListQuery {
            license: Some(lic.clone()),
            active: Some(true),
            ..Default::default()
        })
        .await?
        .rows;
    let pages = ((total + i64::from(PAGE) - 1) / i64::from(PAGE)).max(1);
    let keep = |p: u32| {
        format!(
            "?state={state}&item={}&location={}&lab={}&page={p}",
            urlencode(nonempty(&f.item).unwrap_or("")),
            urlencode(nonempty(&f.location).unwrap_or("")),
            urlencode(nonempty(&f.lab).unwrap_or(""))
        )
    };
    let nav = Nav {
        license: Some(&lic),
        licenses: &licenses,
        active: "packages",
        username: &user.username,
    };
    Ok(page(
        "Packages",
        Some(nav),
        html! {
            h1 { "Packages · " (scope.facility.name) }
            (flash(f.msg.as_deref(), false))
            (flash(f.err.as_deref(), true))
            form.card method="get" {
                label { "State " select name="state" {
                    @for (v, l) in [("active", "Active"), ("onhold", "On hold"), ("intransit", "In transit"), ("inactive", "Finished / discontinued")] {
                        option value=(v) selected[v == state] { (l) }
                    }
                } }
                " " label { "Item " input type="text" name="item" value=(nonempty(&f.item).unwrap_or("")) size="18"; }
                " " label { "Location " select name="location" {
                    option value="" { "any" }
                    @for l in &locations { option value=(l.name) selected[nonempty(&f.location) == Some(l.name.as_str())] { (l.name) } }
                } }
                " " label { "Lab state " select name="lab" {
                    option value="" { "any" }
                    @for st in reference::LAB_TESTING_STATES { option value=(st) selected[nonempty(&f.lab) == Some(*st)] { (st) } }
                } }
                " " button.act type="submit" { "Filter" }
                @if state == "inactive" && filtered { p.muted { "History is filtered by state only." } }
            }
            table {
                thead { tr { th { "Label" } th { "Item" } th { "Quantity" } th { "Location" } th { "Lab state" } th { "Packaged by" } th { "Flags" } th { "Last modified" } } }
                tbody { @for p in &rows { tr {
                    td.mono { a href={ "/ui/l/" (lic) "/packages/" (p.id) } { (p.label) } }
                    td { (p.item_name) } td { (p.quantity) " " (p.unit_of_measure) }
                    td { (p.location_name.clone().unwrap_or_default()) }
                    td { span class=@if reference::lab_state_passing(&p.lab_testing_state) { "pill" } @else { "pill warn" } { (p.lab_testing_state) } }
                    td.mono { (p.packaged_by_license) }
                    td { @if p.on_hold { span.pill.warn { "on hold" } " " } @if p.is_testing_sample { span.pill { "sample" } " " } @if p.state == PackageState::Finished { span.pill.off { "finished" } } }
                    td.mono { (p.last_modified) }
                } } }
            }
            p.muted {
                (total) " package(s) · page " (page_no) " of " (pages) " "
                @if page_no > 1 { a href=(keep(page_no - 1)) { "← previous" } " " }
                @if i64::from(page_no) < pages { a href=(keep(page_no + 1)) { "next →" } }
            }
        },
    ))
}

async fn package_at(s: &AppState, license: &str, id: i64) -> Result<Package, WebError> {
    match s.ledger.store.get::<Package>(id).await? {
        Some(p) if p.license_number == license || p.lab_license.as_deref() == Some(license) => {
            Ok(p)
        }
        Some(_) => Err(WebError(
            StatusCode::UNAUTHORIZED,
            format!("Package {id} does not belong to license {license}."),
        )),
        None => Err(WebError(
            StatusCode::NOT_FOUND,
            format!("Package {id} does not exist."),
        )),
    }
}

fn package_row(lic: &str, depth: u32, p: &Package) -> Markup {
    html! { tr {
        td { (depth) } td.mono { a href={ "/ui/l/" (lic) "/packages/" (p.id) } { (p.label) } } td { (p.item_name) }
        td { (p.quantity) " " (p.unit_of_measure) } td { (p.lab_testing_state) } td.mono { (p.license_number) }
    } }
}

pub async fn detail(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path((license, id)): Path<(String, i64)>,
    Query(f): Query<ListFilter>,
) -> Page {
    let (scope, licenses) = frame(&s, &user, &license, &["View Packages"]).await?;
    let lic = scope.license().to_string();
    let p = package_at(&s, &lic, id).await?;
    let lineage = s.ledger.lineage(p.clone(), 10).await?;
    let adjustments: Vec<PackageAdjustment> = s
        .ledger
        .store
        .find_many(Some(&p.license_number), &[p.id.to_string()], None)
        .await?;
    let mut keys = vec![p.id.to_string()];
    keys.extend(
        lineage
            .descendants
            .iter()
            .filter(|(_, c)| c.is_testing_sample)
            .map(|(_, c)| c.id.to_string()),
    );
    let mut results: Vec<LabResult> = s.ledger.store.find_many(None, &keys, Some(true)).await?;
    results.sort_by_key(|r| r.id);
    let history = s
        .ledger
        .store
        .journal_touching("packages", p.id, 50)
        .await?;
    let locations = s
        .ledger
        .store
        .list::<Location>(&ListQuery {
            license: Some(lic.clone()),
            active: Some(true),
            ..Default::default()
        })
        .await?
        .rows;
    let mine = p.license_number == lic;
    let base = format!("/ui/l/{lic}/packages/{}", p.id);
    let nav = Nav {
        license: Some(&lic),
        licenses: &licenses,
        active: "packages",
        username: &user.username,
    };
    Ok(page(
        &format!("Package {}", p.label),
        Some(nav),
        html! {
            h1.mono { (p.label) }
            (flash(f.msg.as_deref(), false))
            (flash(f.err.as_deref(), true))
            div.card {
                table {
                    tr { th { "Item" } td { (p.item_name) " (" (p.item_category) ")" } th { "Quantity" } td { (p.quantity) " " (p.unit_of_measure) " of " (p.original_quantity) } }
                    tr { th { "Location" } td { (p.location_name.clone().unwrap_or_default()) @if let Some(sub) = &p.sublocation_name { " / " (sub) } } th { "Lab testing state" } td { (p.lab_testing_state) " since " (p.lab_testing_state_date) } }
                    tr { th { "Packaged by" } td.mono { (p.packaged_by_license) " " span.muted { (p.packaged_by_name) } } th { "Packaged" } td { (p.packaged_date) } }
                    tr { th { "State" } td { (format!("{:?}", p.state)) @if p.on_hold { " " span.pill.warn { "on hold: " (p.hold_reason.clone().unwrap_or_default()) } } } th { "Finished" } td { (p.finished_date.clone().unwrap_or_default()) } }
                    tr { th { "Testing sample" } td { (yes_no(p.is_testing_sample)) @if let Some(l) = &p.lab_license { " sent to " span.mono { (l) } } } th { "Remediations" } td { (p.remediation_count) } }
                    tr { th { "Note" } td colspan="3" { (p.note.clone().unwrap_or_default()) } }
                }
            }
            @if mine {
                h2 { "Actions" }
                div.card {
                    @if p.state == PackageState::Finished {
                        form.inline method="post" action={ (base) "/unfinish" } { button.act type="submit" { "Unfinish" } }
                    } @else {
                        form method="post" action={ (base) "/adjust" } {
                            "Adjust by " input type="text" name="quantity" size="6" placeholder="-1.5" required; " " (p.unit_of_measure) " · reason "
                            select name="reason" { @for r in reference::ADJUST_REASONS { option value=(r.name) { (r.name) @if r.requires_note { " (note required)" } } } }
                            " " input type="text" name="note" placeholder="Note"; " " button.act type="submit" { "Adjust" }
                        }
                        p {}
                        form method="post" action={ (base) "/move" } {
                            "Move to " select name="location" { @for l in &locations { option value=(l.name) { (l.name) } } }
                            " " button.act type="submit" { "Move" }
                        }
                        p {}
                        form method="post" action={ (base) "/note" } {
                            input type="text" name="note" size="40" value=(p.note.clone().unwrap_or_default()) placeholder="Note"; " " button.act type="submit" { "Save note" }
                        }
                        @if p.quantity.is_zero() {
                            p {} form.inline method="post" action={ (base) "/finish" } { button.act type="submit" { "Finish" } }
                        }
                    }
                }
            }
            h2 { "Lineage" }
            table {
                thead { tr { th { "Depth" } th { "Label" } th { "Item" } th { "Quantity" } th { "Lab state" } th { "License" } } }
                tbody {
                    @for (d, a) in &lineage.ancestors { (package_row(&lic, *d, a)) }
                    tr { td { "·" } td.mono { strong { (p.label) } } td { (p.item_name) } td { (p.quantity) " " (p.unit_of_measure) } td { (p.lab_testing_state) } td.mono { (p.license_number) } }
                    @for (d, c) in &lineage.descendants { (package_row(&lic, *d, c)) }
                }
            }
            p.muted { "Sources above the package, packages made from it below." }
            h2 { "Adjustments" }
            table {
                thead { tr { th { "Date" } th { "Quantity" } th { "Reason" } th { "Note" } th { "By" } } }
                tbody { @for a in &adjustments { tr { td { (a.adjustment_date) } td { (a.quantity) " " (a.unit_of_measure) } td { (a.reason) } td { (a.note.clone().unwrap_or_default()) } td { (a.adjusted_by) } } } }
            }
            h2 { "Lab results" }
            table {
                thead { tr { th { "Sample" } th { "Laboratory" } th { "Test" } th { "Result" } th { "Passed" } th { "Released" } th { "COA" } } }
                tbody { @for r in &results { tr {
                    td.mono { (r.package_label) } td { (r.lab_name) } td { (r.test_type) @if r.research { " (R&D)" } }
                    td { (r.quantity.map(|q| q.to_string()).unwrap_or_default()) } td { (yes_no(r.passed)) } td { (yes_no(r.released)) }
                    td { @if let Some(d) = r.document_id { a href={ "/ui/l/" (lic) "/documents/" (d) } { "PDF" } } }
                } } }
            }
            h2 { "Journal entries for this package" }
            table {
                thead { tr { th { "#" } th { "Recorded" } th { "Who" } th { "Endpoint" } th { "Reason" } } }
                tbody { @for e in &history { tr { td.mono { (e.seq) } td.mono { (e.body.recorded_at) } td { (e.body.actor.name) } td.mono { (e.body.endpoint) } td { (e.body.reason) } } } }
            }
        },
    ))
}

fn back_to(lic: &str, id: i64, result: Result<String, WebError>) -> Response {
    match result {
        Ok(msg) => Redirect::to(&format!(
            "/ui/l/{lic}/packages/{id}?msg={}",
            urlencode(&msg)
        ))
        .into_response(),
        Err(WebError(StatusCode::BAD_REQUEST, m)) => {
            Redirect::to(&format!("/ui/l/{lic}/packages/{id}?err={}", urlencode(&m)))
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct PackageForm {
    quantity: Option<String>,
    reason: Option<String>,
    note: Option<String>,
    location: Option<String>,
}

/// The package actions of the detail page: each calls the same application function as the
/// matching Metrc endpoint, with the web user as the actor.
pub async fn act(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path((license, id, what)): Path<(String, i64, String)>,
    Form(f): Form<PackageForm>,
) -> Response {
    let result = async {
        let who = acting(&user);
        let perms: &[&str] = match what.as_str() {
            "move" => &["Create/Submit/Discontinue Packages"],
            "note" => &["Manage Package Notes", "Manage Packages Inventory"],
            _ => &["Manage Packages Inventory"],
        };
        let scope = s.ledger.authorize(&who, &license, perms).await?;
        let p = package_at(&s, scope.license(), id).await?;
        let label = p.label.to_string();
        let refs = Refs { packages: vec![label.clone()], locations: f.location.clone().into_iter().collect(), ..Default::default() };
        let labels = [Some(label.clone())];
        let body = serde_json::json!([{"Label": label, "Quantity": f.quantity, "Reason": f.reason, "Note": f.note, "Location": f.location}]);
        let w = match what.as_str() {
            "adjust" => {
                let qty: Decimal = f.quantity.as_deref().unwrap_or("").trim().parse().map_err(|_| WebError(StatusCode::BAD_REQUEST, "The quantity is not a number.".into()))?;
                let spec = AdjustSpec { label: Some(label.clone()), quantity: Some(qty), unit_of_measure: None, reason: f.reason.clone(), date: None, note: f.note.clone() };
                s.ledger.adjust_packages(&who, &scope, Action::new("POST /packages/v2/adjust", f.note.as_deref(), "Adjust packages", body), &[spec], false).await?
            }
            "move" => {
                let spec = [(labels[0].clone(), f.location.clone(), None)];
                s.ledger.update_packages(&who, &scope, Action::new("PUT /packages/v2/location", None, "Move packages", body), &refs, |ctx, w| decide::relocate(ctx, &w.sources, &spec, &w.locations, &w.sublocations)).await?
            }
            "note" => {
                let note = f.note.clone().filter(|n| !n.trim().is_empty());
                s.ledger.update_packages(&who, &scope, Action::new("PUT /packages/v2/note", None, "Set package notes", body), &refs, |ctx, w| decide::edit(ctx, &w.sources, &labels, |p, _| {
                    p.note = note.clone();
                    Ok(())
                })).await?
            }
            "finish" => s.ledger.update_packages(&who, &scope, Action::new("PUT /packages/v2/finish", None, "Finish packages", body), &refs, |ctx, w| decide::finish(ctx, &w.sources, &[(labels[0].clone(), None)])).await?,
            "unfinish" => s.ledger.update_packages(&who, &scope, Action::new("PUT /packages/v2/unfinish", None, "Unfinish packages", body), &refs, |ctx, w| decide::unfinish(ctx, &w.sources, &labels)).await?,
            _ => return Err(WebError(StatusCode::NOT_FOUND, "No such action.".into())),
        };
        Ok::<_, WebError>(format!("Done (journal entry {}).", w.seq))
    }
    .await;
    back_to(&license, id, result)
}

pub async fn document(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let (scope, _) = frame(&s, &user, &license, &["View Packages"]).await?;
    let doc: tagtrail_domain::records::LabDocument = s
        .ledger
        .store
        .get(id)
        .await?
        .ok_or_else(|| WebError(StatusCode::NOT_FOUND, "No such document.".into()))?;
    package_at(&s, scope.license(), doc.package_id).await?;
    let bytes = s
        .ledger
        .store
        .document(&doc.sha256)
        .await?
        .ok_or_else(|| WebError(StatusCode::NOT_FOUND, "The document is missing.".into()))?;
    let disposition = format!("inline; filename=\"{}\"", doc.file_name.replace('"', ""));
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

pub async fn lab_samples(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path(license): Path<String>,
    Query(f): Query<ListFilter>,
) -> Page {
    let (scope, licenses) = frame(&s, &user, &license, &["View Packages"]).await?;
    let lic = scope.license().to_string();
    let samples = s
        .ledger
        .lab_samples(
            &scope,
            &ListQuery {
                license: Some(lic.clone()),
                active: Some(true),
                ..Default::default()
            },
        )
        .await?
        .rows;
    let is_lab = scope.facility.license_type.can("CanTestPackages");
    let mut rows: Vec<(LabSample, Package, Vec<LabResult>)> = Vec::new();
    for sample in samples {
        if let Some(p) = s.ledger.store.get::<Package>(sample.id).await? {
            let results: Vec<LabResult> = s
                .ledger
                .store
                .find_many(None, &[p.id.to_string()], Some(true))
                .await?;
            rows.push((sample, p, results));
        }
    }
    let nav = Nav {
        license: Some(&lic),
        licenses: &licenses,
        active: "labsamples",
        username: &user.username,
    };
    Ok(page(
        "Lab samples",
        Some(nav),
        html! {
            h1 { "Lab samples · " (scope.facility.name) }
            (flash(f.msg.as_deref(), false))
            (flash(f.err.as_deref(), true))
            p.muted { @if is_lab { "Samples sent to this laboratory." } @else { "Testing samples this facility sent to laboratories." } }
            @for (sample, p, results) in &rows {
                div.card {
                    strong.mono { (p.label) } " · " (p.item_name)
                    " · item strain: " (p.item_strain_name.clone().unwrap_or_else(|| "—".into()))
                    " · from " span.mono { (sample.owner_license) } " to " (sample.lab_name)
                    " · " span.pill { (p.lab_testing_state) }
                    @if !results.is_empty() {
                        table { tbody { @for r in results { tr { td { (r.test_type) } td { (r.quantity.map(|q| q.to_string()).unwrap_or_default()) } td { (yes_no(r.passed)) } td { @if r.released { "released" } @else { "recorded" } } } } } }
                    }
                    @if is_lab && results.iter().all(|r| r.released) {
                        h2 { "Record results" }
                        form method="post" enctype="multipart/form-data" action={ "/ui/l/" (lic) "/labsamples/" (p.id) "/record" } {
                            table {
                                thead { tr { th { "Test" } th { "Result" } th { "Passed" } } }
                                tbody { @for t in reference::LAB_TEST_TYPES { tr {
                                    td { (t.name) @if t.informational_only { " (informational)" } @if t.research_and_development { " (R&D)" } }
                                    td { input type="text" name={ "q_" (t.id) } size="8"; }
                                    td { input type="checkbox" name={ "p_" (t.id) } checked; }
                                } } }
                            }
                            p { "Certificate of analysis (PDF, at most 5 MB): " input type="file" name="coa" accept="application/pdf"; }
                            button.act type="submit" { "Record results" }
                        }
                    }
                    @if is_lab && results.iter().any(|r| !r.released) {
                        form method="post" action={ "/ui/l/" (lic) "/labsamples/" (p.id) "/release" } { button.act type="submit" { "Release results" } }
                    }
                }
            }
            @if rows.is_empty() { p { "No samples." } }
        },
    ))
}

fn back_samples(lic: &str, result: Result<String, WebError>) -> Response {
    match result {
        Ok(msg) => {
            Redirect::to(&format!("/ui/l/{lic}/labsamples?msg={}", urlencode(&msg))).into_response()
        }
        Err(WebError(StatusCode::BAD_REQUEST, m)) => {
            Redirect::to(&format!("/ui/l/{lic}/labsamples?err={}", urlencode(&m))).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// The laboratory's result entry: a row per test type with a value entered, and the COA.
pub async fn record(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path((license, id)): Path<(String, i64)>,
    mut form: Multipart,
) -> Response {
    let result = async {
        let who = acting(&user);
        let scope = s.ledger.authorize(&who, &license, &["Manage Packages Inventory"]).await?;
        let p = package_at(&s, scope.license(), id).await?;
        let bad = |m: &str| WebError(StatusCode::BAD_REQUEST, m.to_string());
        let (mut values, mut passed, mut doc) = (std::collections::HashMap::new(), std::collections::HashSet::new(), None);
        while let Some(field) = form.next_field().await.map_err(|_| bad("The form could not be read."))? {
            let name = field.name().unwrap_or_default().to_string();
            if name == "coa" {
                let file_name = field.file_name().unwrap_or("coa.pdf").to_string();
                let bytes = field.bytes().await.map_err(|_| bad("The file could not be read."))?;
                if !bytes.is_empty() {
                    if bytes.len() > 5 * 1024 * 1024 || !bytes.starts_with(b"%PDF-") {
                        return Err(bad("The certificate must be a PDF of at most 5 MB."));
                    }
                    doc = Some(NewDocument { file_name, bytes: bytes.to_vec() });
                }
            } else if let Some(t) = name.strip_prefix("q_") {
                let v = field.text().await.unwrap_or_default();
                if !v.trim().is_empty() {
                    values.insert(t.to_string(), v.trim().to_string());
                }
            } else if let Some(t) = name.strip_prefix("p_") {
                passed.insert(t.to_string());
            }
        }
        let mut results = Vec::new();
        for t in reference::LAB_TEST_TYPES {
            if let Some(v) = values.get(&t.id.to_string()) {
                let q: Decimal = v.parse().map_err(|_| bad(&format!("{}: {v} is not a number.", t.name)))?;
                results.push(ResultSpec { test_type: Some(t.name.into()), quantity: Some(q), passed: Some(passed.contains(&t.id.to_string())), notes: None });
            }
        }
        let spec = RecordSpec { label: Some(p.label.to_string()), result_date: None, document: None, results };
        let action = Action::new("POST /labtests/v2/record", None, "Record lab test results", serde_json::json!([{"Label": p.label.to_string(), "Document": doc.as_ref().map(|d| d.file_name.clone())}]));
        let w = s.ledger.record_lab_results(&who, &scope, action, &[spec], &[doc]).await?;
        Ok::<_, WebError>(format!("{} result(s) recorded for {} (journal entry {}).", w.ids.len(), p.label, w.seq))
    }
    .await;
    back_samples(&license, result)
}

pub async fn release(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path((license, id)): Path<(String, i64)>,
) -> Response {
    let result = async {
        let who = acting(&user);
        let scope = s
            .ledger
            .authorize(&who, &license, &["Manage Packages Inventory"])
            .await?;
        let p = package_at(&s, scope.license(), id).await?;
        let action = Action::new(
            "PUT /labtests/v2/results/release",
            None,
            "Release lab test results",
            serde_json::json!([{"PackageLabel": p.label.to_string()}]),
        );
        let w = s
            .ledger
            .release_lab_results(&who, &scope, action, &[Some(p.label.to_string())])
            .await?;
        Ok::<_, WebError>(format!(
            "Results for {} released (journal entry {}).",
            p.label, w.seq
        ))
    }
    .await;
    back_samples(&license, result)
}
