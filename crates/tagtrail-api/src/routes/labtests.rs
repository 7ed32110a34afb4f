//! Lab tests (`metrc-v2-api.md` §12 LabTests), lab samples, and the tagtrail extension that
//! sends a testing sample to a laboratory.

use crate::error::ApiError;
use crate::extract::{Caller, parse_body, parse_id};
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::{Read, Write, created, map, ok};
use axum::extract::Path;
use axum::http::StatusCode;
use base64::Engine;
use tagtrail_app::actions::lab::{self as act, DocumentReplacement, NewDocument, SampleResults};
use tagtrail_domain::commands::lab::{RecordSpec, ResultSpec};
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{LabResult, LabSample, Package};
use tagtrail_domain::reference;
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::*;
use tagtrail_metrc::{Ids, Paged, RowError};

const VIEW: &[Permission] = &[Permission::ViewPackages];

fn test_type(t: &reference::LabTestType) -> wire::LabTestType {
    wire::LabTestType {
        id: Some(t.id),
        name: Some(t.name.into()),
        requires_test_result: Some(t.requires_test_result),
        informational_only: Some(t.informational_only),
        research_and_development: Some(t.research_and_development),
        always_passes: Some(false),
        max_allowed_failure_count: Some(0),
        lab_test_result_mode: Some(0),
        lab_test_result_expiration_days: Some(365),
        dependency_mode: Some("RequiresOne".into()),
    }
}

#[utoipa::path(get, path = "/labtests/v2/states", tag = "LabTests", responses((status = 200, body = Vec<String>)))]
pub async fn get_lab_test_states(_: Caller) -> Json<Vec<String>> {
    Json(LabState::ALL.iter().map(|s| s.name().to_string()).collect())
}

#[utoipa::path(get, path = "/labtests/v2/types", tag = "LabTests", params(PagingParams), responses((status = 200, body = Paged<wire::LabTestType>)))]
pub async fn get_lab_test_types(r: Read) -> Result<Json<Paged<wire::LabTestType>>, ApiError> {
    r.page_of(reference::LAB_TEST_TYPES.iter().map(test_type).collect())
}

/// One batch: California's regulatory panel (every non-R&D type).
#[utoipa::path(get, path = "/labtests/v2/batches", tag = "LabTests", params(PagingParams), responses((status = 200, body = Paged<wire::LabTestBatch>)))]
pub async fn get_lab_test_batches(r: Read) -> Result<Json<Paged<wire::LabTestBatch>>, ApiError> {
    let types: Vec<_> = reference::LAB_TEST_TYPES
        .iter()
        .filter(|t| !t.research_and_development)
        .map(test_type)
        .collect();
    let batch = wire::LabTestBatch {
        id: Some(1),
        name: Some("California Regulatory Compliance".into()),
        lab_test_type_count: Some(types.len() as i64),
        lab_test_types: types,
        item_category_count: Some(0),
        item_categories: vec![],
        requires_all_from_lab_test_batch: Some(true),
    };
    r.page_of(vec![batch])
}

/// Decodes a base64 certificate. Whether it is a named PDF of at most 5 MB is the action's rule
/// (`tagtrail_domain::commands::lab::check_document`), checked for every door alike.
fn decode(name: &Option<String>, b64: &Option<String>) -> Result<Option<NewDocument>, String> {
    let Some(b64) = b64.as_deref().map(str::trim).filter(|b| !b.is_empty()) else {
        return Ok(None);
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.replace(['\n', '\r', ' '], ""))
        .map_err(|_| "DocumentFileBase64 is not valid base64.".to_string())?;
    Ok(Some(NewDocument {
        file_name: name.clone(),
        bytes,
    }))
}

/// Decodes every element's certificate; a bad one is reported on its row.
fn decode_all<'a>(
    docs: impl Iterator<Item = (&'a Option<String>, &'a Option<String>)>,
) -> Result<Vec<Option<NewDocument>>, ApiError> {
    let mut out = Vec::new();
    let mut rows = Vec::new();
    for (row, (name, b64)) in docs.enumerate() {
        match decode(name, b64) {
            Ok(d) => out.push(d),
            Err(message) => rows.push(RowError { row, message }),
        }
    }
    if rows.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::Rows(rows))
    }
}

/// The journal keeps the request without the file: the file's hash is in the entry's changes.
fn without_files(mut raw: serde_json::Value, note: &str) -> serde_json::Value {
    if let Some(items) = raw.as_array_mut() {
        for item in items.iter_mut().filter_map(|i| i.as_object_mut()) {
            if item.contains_key("DocumentFileBase64") {
                item.insert(
                    "DocumentFileBase64".into(),
                    serde_json::Value::String(note.into()),
                );
            }
        }
    }
    raw
}

/// Parses a body whose elements may carry a certificate: every certificate decoded (a bad one
/// reported on its row), each element mapped with its certificate, and the request as the journal
/// keeps it (without the file: the file's hash is in the entry's changes).
fn with_documents<T: serde::de::DeserializeOwned, R>(
    s: &crate::AppState,
    bytes: &[u8],
    file: impl Fn(&T) -> (&Option<String>, &Option<String>),
    each: impl Fn(&T, Option<NewDocument>) -> R,
) -> Result<(serde_json::Value, Vec<R>), ApiError> {
    let body = parse_body::<T>(s.ledger.config.max_objects, bytes)?.or_long_rows()?;
    let docs = decode_all(body.items.iter().map(file))?;
    let req = body
        .items
        .iter()
        .zip(docs)
        .map(|(r, d)| each(r, d))
        .collect();
    Ok((
        without_files(body.raw, "(stored in the document store)"),
        req,
    ))
}

/// Records results for samples sent to this laboratory. A facility that cannot test answers 401,
/// as Metrc does for a facility type without the capability.
#[utoipa::path(post, path = "/labtests/v2/record", tag = "LabTests", params(LicenseParam), request_body = Vec<LabRecordRequest>, responses((status = 200, body = Ids)))]
pub async fn record_lab_results(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run_built::<act::Record>(|s, bytes| {
        with_documents(
            s,
            bytes,
            |r: &LabRecordRequest| (&r.document_file_name, &r.document_file_base64),
            |r, document| SampleResults {
                spec: RecordSpec {
                    label: r.label.clone(),
                    result_date: r.result_date.clone(),
                    document: None,
                    results: r
                        .results
                        .iter()
                        .map(|x| ResultSpec {
                            test_type: x.lab_test_type_name.clone(),
                            quantity: x.quantity,
                            passed: x.passed,
                            notes: x.notes.clone(),
                        })
                        .collect(),
                },
                document,
            },
        )
    })
    .await
    .map(created)
}

/// Releases recorded results: the sample and its lot take the outcome.
#[utoipa::path(put, path = "/labtests/v2/results/release", tag = "LabTests", params(LicenseParam), request_body = Vec<PackageLabelRequest>, responses((status = 200, description = "empty body")))]
pub async fn release_lab_results(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::Release, PackageLabelRequest>(map::each(|r: &PackageLabelRequest| {
        r.package_label.clone()
    }))
    .await
    .map(ok)
}

/// Replaces the certificate of recorded results.
#[utoipa::path(put, path = "/labtests/v2/labtestdocument", tag = "LabTests", params(LicenseParam), request_body = Vec<LabDocumentRequest>, responses((status = 200, description = "empty body")))]
pub async fn replace_lab_document(w: Write) -> Result<StatusCode, ApiError> {
    w.run_built::<act::ReplaceDocument>(|s, bytes| {
        with_documents(
            s,
            bytes,
            |r: &LabDocumentRequest| (&r.document_file_name, &r.document_file_base64),
            |r, document| DocumentReplacement {
                result_id: r.lab_test_result_id,
                document,
            },
        )
    })
    .await
    .map(ok)
}

fn result(r: &LabResult, overall: Option<bool>) -> wire::LabTestResult {
    wire::LabTestResult {
        package_id: Some(r.package_id),
        lab_test_result_id: Some(r.id),
        lab_facility_license_number: Some(r.lab_license.clone()),
        lab_facility_name: Some(r.lab_name.clone()),
        source_package_label: Some(r.package_label.clone()),
        product_name: Some(r.item_name.clone()),
        product_category_name: Some(r.item_category.clone()),
        test_performed_date: r.result_date.get(..10).map(str::to_string),
        overall_passed: overall,
        revoked_date: None,
        lab_test_result_document_file_id: r.document_id,
        result_released: Some(r.released),
        result_release_date_time: r.released_at.clone(),
        expiration_date_time: None,
        test_type_name: Some(r.test_type.clone()),
        test_passed: Some(r.passed),
        test_result_level: r.quantity,
        test_comment: r.notes.clone(),
        test_informational_only: Some(r.informational),
        lab_test_detail_revoked_date: None,
    }
}

/// Whether every compliance result of a sample passed (informational and R&D tests never fail
/// one).
fn passed(results: &[LabResult]) -> bool {
    results
        .iter()
        .all(|r| r.research || r.informational || r.passed)
}

/// Results for one package (`packageId`): the sample's own, or, for a lot, those of the samples
/// taken from it. The owner sees results once the laboratory releases them.
#[utoipa::path(get, path = "/labtests/v2/results", tag = "LabTests", params(("packageId" = i64, Query), LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::LabTestResult>)))]
pub async fn get_lab_test_results(r: Read) -> Result<Json<Paged<wire::LabTestResult>>, ApiError> {
    let scope = r.scope(VIEW).await?;
    let id = parse_id(
        r.params()
            .get("packageId")
            .ok_or_else(|| ApiError::bad_request("packageId is required."))?,
    )?;
    let rows = r.ledger().lab_results(&scope, id).await?;
    let mut by_sample: std::collections::HashMap<i64, Vec<LabResult>> = Default::default();
    for x in &rows {
        by_sample.entry(x.package_id).or_default().push(x.clone());
    }
    r.page_of(
        rows.iter()
            .map(|x| result(x, by_sample.get(&x.package_id).map(|v| passed(v))))
            .collect(),
    )
}

/// Downloads a certificate of analysis by document id.
#[utoipa::path(get, path = "/labtests/v2/labtestdocument/{id}", tag = "LabTests", params(("id" = i64, Path), LicenseParam), responses((status = 200, body = wire::FileDownload)))]
pub async fn get_lab_test_document(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<wire::FileDownload>, ApiError> {
    let scope = r.scope(VIEW).await?;
    let (doc, bytes) = r.ledger().lab_document(&scope, parse_id(&id)?).await?;
    Ok(Json(wire::FileDownload {
        file_contents: Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
        content_type: Some(doc.content_type),
        file_download_name: Some(doc.file_name),
    }))
}

/// Testing samples: at a laboratory the ones sent to it, elsewhere the ones the facility sent.
#[utoipa::path(get, path = "/packages/v2/labsamples", tag = "Packages", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::LabSamplePackage>)))]
pub async fn get_lab_samples(r: Read) -> Result<Json<Paged<wire::LabSamplePackage>>, ApiError> {
    let scope = r.scope(VIEW).await?;
    let lq = r.params().list_query(r.ledger(), Some(true), true)?;
    let page = r.ledger().lab_samples(&scope, lq).await?;
    let mut data = Vec::new();
    for sample in &page.rows {
        if let Some((p, results)) = r.ledger().sample(&scope, sample).await? {
            data.push(lab_sample(sample, &p, &results));
        }
    }
    r.paged(data, page.total)
}

fn lab_sample(sample: &LabSample, p: &Package, results: &[LabResult]) -> wire::LabSamplePackage {
    let released = !results.is_empty() && results.iter().all(|r| r.released);
    wire::LabSamplePackage {
        lab_facility_license_number: Some(sample.lab_license.clone()),
        lab_facility_name: Some(sample.lab_name.clone()),
        overall_passed: (!results.is_empty()).then(|| passed(results)),
        test_performed_date: results
            .first()
            .and_then(|r| r.result_date.get(..10))
            .map(str::to_string),
        result_released: Some(released),
        result_release_date_time: results.iter().filter_map(|r| r.released_at.clone()).max(),
        item_strain_name: p.item_strain_name.clone(),
        package: map::package(p),
    }
}
