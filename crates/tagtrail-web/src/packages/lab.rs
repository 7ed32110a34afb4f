//! Laboratory testing: the samples a laboratory holds (with result entry and release) or a
//! facility sent, and certificates of analysis.
//!
//! What a facility sees of results and certificates is decided by the application's reads
//! (`lab_samples`, `sample`, `lab_document`): the laboratory sees what it recorded, the owner only
//! what has been released.

use crate::WebState;
use crate::error::{Page, WebError};
use crate::fields::Posted;
use crate::flash::{Typed, notices, reply};
use crate::frame::Frame;
use crate::layout::{csrf_field, wide, yes_no};
use crate::session::Signed;
use crate::urls::segment;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::html;
use rust_decimal::Decimal;
use tagtrail_app::actions::lab::{NewDocument, Record, Release, SampleResults};
use tagtrail_app::reads::ListQuery;
use tagtrail_app::{Action, Scope};
use tagtrail_domain::commands::lab::{RecordSpec, ResultSpec};
use tagtrail_domain::license::Capability;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::reference;

/// A certificate of analysis, to the laboratory that stored it or, once released, the owner.
pub async fn document(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let f = Frame::of(&s, signed, &license, &[Permission::ViewPackages]).await?;
    let (doc, bytes) = s.ledger.lab_document(&f.scope, id).await?;
    let disposition = format!(
        "inline; filename=\"{}\"",
        doc.file_name.replace(['"', '\\', '\r', '\n'], "")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

pub async fn samples(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
) -> Page {
    let f = Frame::of(&s, signed, &license, &[Permission::ViewPackages]).await?;
    let lic = f.license().to_string();
    let active = ListQuery {
        active: Some(true),
        ..Default::default()
    };
    let listed = s.ledger.lab_samples(&f.scope, active).await?.rows;
    let is_lab = f
        .scope
        .facility()
        .license_type
        .can(Capability::CanTestPackages);
    let mut rows = Vec::new();
    for sample in listed {
        if let Some((p, results)) = s.ledger.sample(&f.scope, &sample).await? {
            rows.push((sample, p, results));
        }
    }
    Ok(f.page(
        "Lab samples",
        "labsamples",
        html! {
            h1 { "Lab samples · " (f.scope.facility().name) }
            (notices(f.flash()))
            p.muted { @if is_lab { "Samples sent to this laboratory." } @else { "Testing samples this facility sent to laboratories." } }
            @for (sample, p, results) in &rows {
                div.card.sample data-label=(p.label) {
                    strong.mono { (p.label) } " · " (p.item_name)
                    " · item strain: " (p.item_strain_name.clone().unwrap_or_else(|| "—".into()))
                    " · from " span.mono { (sample.owner_license) } " to " (sample.lab_name)
                    " · " span.pill { (p.lab_testing_state.name()) }
                    @if !results.is_empty() {
                        (wide(html! { table { tbody { @for r in results { tr {
                            td { (r.test_type) } td { (r.quantity.map(|q| q.to_string()).unwrap_or_default()) } td { (yes_no(r.passed)) }
                            td { @if r.released { "released" } @else { "recorded" } }
                        } } } } }))
                    }
                    @if is_lab && results.iter().all(|r| r.released) {
                        h2 { "Record results" }
                        form method="post" enctype="multipart/form-data" action={ "/ui/l/" (lic) "/labsamples/" (p.id) "/record" } {
                            (csrf_field(f.csrf()))
                            (wide(html! { table {
                                thead { tr { th { "Test" } th { "Result" } th { "Passed" } } }
                                tbody { @for t in reference::LAB_TEST_TYPES { tr {
                                    td { (t.name) @if t.informational_only { " (informational)" } @if t.research_and_development { " (R&D)" } }
                                    td { input type="text" name={ "q_" (t.id) } size="8"; }
                                    td { input type="checkbox" name={ "p_" (t.id) } checked; }
                                } } }
                            } }))
                            p { "Certificate of analysis (PDF, at most 5 MB): " input type="file" name="coa" accept="application/pdf"; }
                            button.act type="submit" { "Record results" }
                        }
                    }
                    @if is_lab && results.iter().any(|r| !r.released) {
                        form method="post" action={ "/ui/l/" (lic) "/labsamples/" (p.id) "/release" } {
                            (csrf_field(f.csrf()))
                            button.act type="submit" { "Release results" }
                        }
                    }
                }
            }
            @if rows.is_empty() { p { "No samples." } }
        },
    ))
}

fn to_samples(license: &str) -> String {
    format!("/ui/l/{}/labsamples", segment(license))
}

/// The laboratory's scope for action `A` and the sample `id` it holds.
async fn lab_and_sample<A: Action>(
    s: &WebState,
    signed: &Signed,
    license: &str,
    id: i64,
) -> Result<(Scope, String), WebError> {
    let scope = s
        .ledger
        .authorize_for(&signed.acting, license, &A::DEF)
        .await?;
    let p = s.ledger.package_seen(&scope, id).await?;
    Ok((scope, p.label.to_string()))
}

/// The laboratory's result entry: a result for each test type with a value entered, and the
/// certificate if one was chosen (the rules on it, a PDF of at most 5 MB, are the domain's).
pub async fn record(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    posted: Posted,
) -> Response {
    let result = async {
        let (scope, label) = lab_and_sample::<Record>(&s, &signed, &license, id).await?;
        let form = &posted.fields;
        let mut results = Vec::new();
        let mut problems = Vec::new();
        for t in reference::LAB_TEST_TYPES {
            let Some(v) = form.text(&format!("q_{}", t.id)) else {
                continue;
            };
            match v.parse::<Decimal>() {
                Ok(q) => results.push(ResultSpec {
                    test_type: Some(t.name.into()),
                    quantity: Some(q),
                    passed: Some(form.get(&format!("p_{}", t.id)).is_some()),
                    notes: None,
                }),
                Err(_) => problems.push(format!("{}: {v} is not a number.", t.name)),
            }
        }
        if !problems.is_empty() {
            return Err(WebError {
                status: axum::http::StatusCode::BAD_REQUEST,
                messages: problems,
            });
        }
        let document = form.file("coa").map(|f| NewDocument {
            file_name: Some(f.file_name.clone()),
            bytes: f.bytes.clone(),
        });
        let request = vec![SampleResults {
            spec: RecordSpec {
                label: Some(label.clone()),
                result_date: None,
                document: None,
                results,
            },
            document,
        }];
        let w = s
            .ledger
            .run::<Record>(&scope, posted.door(None), &request)
            .await?;
        Ok(format!(
            "{} result(s) recorded for {label} (journal entry {}).",
            w.ids.len(),
            w.seq
        ))
    }
    .await;
    let typed = Typed::of(&posted.path, &posted.fields);
    reply(&s, &signed, &to_samples(&license), result, Some(typed)).await
}

pub async fn release(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    posted: Posted,
) -> Response {
    let result = async {
        let (scope, label) = lab_and_sample::<Release>(&s, &signed, &license, id).await?;
        let w = s
            .ledger
            .run::<Release>(&scope, posted.door(None), &vec![Some(label.clone())])
            .await?;
        Ok(format!(
            "Results for {label} released (journal entry {}).",
            w.seq
        ))
    }
    .await;
    let typed = Typed::of(&posted.path, &posted.fields);
    reply(&s, &signed, &to_samples(&license), result, Some(typed)).await
}
