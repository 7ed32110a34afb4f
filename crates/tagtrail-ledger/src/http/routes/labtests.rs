//! Lab tests (`metrc-v2-api.md` §12 LabTests), lab samples, and the tagtrail extension that
//! sends a testing sample to a laboratory.

use crate::app::NewDocument;
use crate::http::error::ApiError;
use crate::http::extract::{Caller, Params, action, parse_body, parse_id};
use crate::http::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::http::{AppState, created, empty_ok, map};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use base64::Engine;
use tagtrail_domain::commands::lab::{RecordSpec, ResultSpec};
use tagtrail_domain::records::{LabDocument, LabResult, LabSample, Package};
use tagtrail_domain::reference;
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::*;
use tagtrail_metrc::{Ids, Paged, RowError};

const VIEW: &[&str] = &["View Packages"];
const MANAGE: &[&str] = &["Manage Packages Inventory"];
/// Metrc accepts PDF certificates of at most 5 MB.
const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

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

fn page_of<T>(q: &Params, s: &AppState, all: Vec<T>) -> Result<Json<Paged<T>>, ApiError> {
    let total = all.len() as i64;
    let data = match q.paging(&s.ledger.config)? {
        Some((page, size)) => all
            .into_iter()
            .skip(usize::try_from(u64::from(page - 1) * u64::from(size)).unwrap_or(usize::MAX))
            .take(size as usize)
            .collect(),
        None => all,
    };
    Ok(Json(q.paged(&s.ledger.config, data, total)?))
}

#[utoipa::path(get, path = "/labtests/v2/states", tag = "LabTests", responses((status = 200, body = Vec<String>)))]
pub async fn get_lab_test_states(_: Caller) -> Json<Vec<String>> {
    Json(
        reference::LAB_TESTING_STATES
            .iter()
            .map(|s| s.to_string())
            .collect(),
    )
}

#[utoipa::path(get, path = "/labtests/v2/types", tag = "LabTests", params(PagingParams), responses((status = 200, body = Paged<wire::LabTestType>)))]
pub async fn get_lab_test_types(
    State(s): State<AppState>,
    _: Caller,
    q: Params,
) -> Result<Json<Paged<wire::LabTestType>>, ApiError> {
    page_of(
        &q,
        &s,
        reference::LAB_TEST_TYPES.iter().map(test_type).collect(),
    )
}

/// One batch: California's regulatory panel (every non-R&D type).
#[utoipa::path(get, path = "/labtests/v2/batches", tag = "LabTests", params(PagingParams), responses((status = 200, body = Paged<wire::LabTestBatch>)))]
pub async fn get_lab_test_batches(
    State(s): State<AppState>,
    _: Caller,
    q: Params,
) -> Result<Json<Paged<wire::LabTestBatch>>, ApiError> {
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
    page_of(&q, &s, vec![batch])
}

/// Decodes a base64 PDF certificate, checking it is a PDF of at most 5 MB.
fn decode_pdf(name: &Option<String>, b64: &Option<String>) -> Result<Option<NewDocument>, String> {
    let Some(b64) = b64.as_deref().map(str::trim).filter(|b| !b.is_empty()) else {
        return Ok(None);
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.replace(['\n', '\r', ' '], ""))
        .map_err(|_| "DocumentFileBase64 is not valid base64.".to_string())?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "The document is {} bytes; at most 5 MB is allowed.",
            bytes.len()
        ));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err("The document must be a PDF.".into());
    }
    let file_name = name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or("DocumentFileName was not specified.")?;
    Ok(Some(NewDocument {
        file_name: file_name.to_string(),
        bytes,
    }))
}

/// Records results for samples sent to this laboratory. A facility that cannot test answers 401,
/// as Metrc does for a facility type without the capability.
#[utoipa::path(post, path = "/labtests/v2/record", tag = "LabTests", params(LicenseParam), request_body = Vec<LabRecordRequest>, responses((status = 200, body = Ids)))]
pub async fn record_lab_results(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Ids>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, MANAGE).await?;
    if !scope.facility.license_type.can("CanTestPackages") {
        return Err(ApiError::Status(
            StatusCode::UNAUTHORIZED,
            "Only a testing laboratory records lab test results.".into(),
        ));
    }
    let body = parse_body::<LabRecordRequest>(&s.ledger.config, &body)?;
    let mut docs = Vec::new();
    let mut rows = Vec::new();
    for (row, r) in body.items.iter().enumerate() {
        match decode_pdf(&r.document_file_name, &r.document_file_base64) {
            Ok(d) => docs.push(d),
            Err(message) => rows.push(RowError { row, message }),
        }
    }
    if !rows.is_empty() {
        return Err(ApiError::Rows(rows));
    }
    let specs: Vec<RecordSpec> = body
        .items
        .iter()
        .map(|r| RecordSpec {
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
        })
        .collect();
    // The journal keeps the request without the file; the file's hash is in the entry's changes.
    let mut raw = body.raw;
    if let Some(items) = raw.as_array_mut() {
        for item in items {
            if let Some(o) = item.as_object_mut()
                && o.contains_key("DocumentFileBase64")
            {
                o.insert(
                    "DocumentFileBase64".into(),
                    serde_json::Value::String(
                        "(stored in the document store; see the entry's lab_documents change)"
                            .into(),
                    ),
                );
            }
        }
    }
    let act = action(
        &headers,
        "POST /labtests/v2/record",
        "Record lab test results",
        raw,
    )?;
    Ok(created(
        s.ledger
            .record_lab_results(&caller.0, &scope, act, &specs, &docs)
            .await?,
    ))
}

/// Releases recorded results: the sample and its lot take the outcome.
#[utoipa::path(put, path = "/labtests/v2/results/release", tag = "LabTests", params(LicenseParam), request_body = Vec<PackageLabelRequest>, responses((status = 200, description = "empty body")))]
pub async fn release_lab_results(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let scope = caller.authorize(&s, q.license()?, MANAGE).await?;
    if !scope.facility.license_type.can("CanTestPackages") {
        return Err(ApiError::Status(
            StatusCode::UNAUTHORIZED,
            "Only a testing laboratory releases lab test results.".into(),
        ));
    }
    let body = parse_body::<PackageLabelRequest>(&s.ledger.config, &body)?;
    let labels: Vec<_> = body.items.iter().map(|r| r.package_label.clone()).collect();
    let act = action(
        &headers,
        "PUT /labtests/v2/results/release",
        "Release lab test results",
        body.raw,
    )?;
    s.ledger
        .release_lab_results(&caller.0, &scope, act, &labels)
        .await?;
    Ok(empty_ok())
}

/// Replaces the certificate of recorded results.
#[utoipa::path(put, path = "/labtests/v2/labtestdocument", tag = "LabTests", params(LicenseParam), request_body = Vec<LabDocumentRequest>, responses((status = 200, description = "empty body")))]
pub async fn replace_lab_document(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let scope = caller.authorize(&s, q.license()?, MANAGE).await?;
    let body = parse_body::<LabDocumentRequest>(&s.ledger.config, &body)?;
    let mut docs = Vec::new();
    let mut rows = Vec::new();
    for (row, r) in body.items.iter().enumerate() {
        match decode_pdf(&r.document_file_name, &r.document_file_base64) {
            Ok(Some(d)) => docs.push(d),
            Ok(None) => rows.push(RowError {
                row,
                message: "DocumentFileBase64 was not specified.".into(),
            }),
            Err(message) => rows.push(RowError { row, message }),
        }
    }
    if !rows.is_empty() {
        return Err(ApiError::Rows(rows));
    }
    let ids: Vec<_> = body.items.iter().map(|r| r.lab_test_result_id).collect();
    let mut raw = body.raw;
    if let Some(items) = raw.as_array_mut() {
        for item in items.iter_mut().filter_map(|i| i.as_object_mut()) {
            item.insert(
                "DocumentFileBase64".into(),
                serde_json::Value::String("(stored in the document store)".into()),
            );
        }
    }
    let act = action(
        &headers,
        "PUT /labtests/v2/labtestdocument",
        "Replace lab test document",
        raw,
    )?;
    s.ledger
        .replace_lab_document(&caller.0, &scope, act, &ids, &docs)
        .await?;
    Ok(empty_ok())
}

/// Whether `license` may see a sample's results: its owner, or the laboratory it was sent to.
fn may_see(p: &Package, license: &str) -> bool {
    p.license_number == license || p.lab_license.as_deref() == Some(license)
}

/// Results for one package (`packageId`): the sample's own, or, for a lot, those of the samples
/// taken from it.
#[utoipa::path(get, path = "/labtests/v2/results", tag = "LabTests", params(("packageId" = i64, Query), LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::LabTestResult>)))]
pub async fn get_lab_test_results(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::LabTestResult>>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, VIEW).await?;
    let id = parse_id(
        q.get("packageId")
            .ok_or_else(|| ApiError::bad_request("packageId is required."))?,
    )?;
    let p: Package = s
        .ledger
        .store
        .get(id)
        .await
        .map_err(crate::app::AppError::from)?
        .ok_or_else(|| {
            ApiError::Status(
                StatusCode::NOT_FOUND,
                format!("Package {id} does not exist."),
            )
        })?;
    if !may_see(&p, scope.license()) {
        return Err(ApiError::Status(
            StatusCode::UNAUTHORIZED,
            format!(
                "Package {id} does not belong to license {}.",
                scope.license()
            ),
        ));
    }
    let results = results_for(&s, &p).await?;
    page_of(&q, &s, results)
}

async fn results_for(s: &AppState, p: &Package) -> Result<Vec<wire::LabTestResult>, ApiError> {
    let lineage = s.ledger.lineage(p.clone(), 1).await?;
    let mut keys = vec![p.id.to_string()];
    keys.extend(
        lineage
            .descendants
            .iter()
            .filter(|(_, c)| c.is_testing_sample)
            .map(|(_, c)| c.id.to_string()),
    );
    let rows: Vec<LabResult> = s
        .ledger
        .store
        .find_many(None, &keys, Some(true))
        .await
        .map_err(crate::app::AppError::from)?;
    let mut by_sample: std::collections::HashMap<i64, bool> = std::collections::HashMap::new();
    for r in &rows {
        let ok = by_sample.entry(r.package_id).or_insert(true);
        *ok &= r.research || r.informational || r.passed;
    }
    let mut out: Vec<_> = rows
        .iter()
        .map(|r| wire::LabTestResult {
            package_id: Some(r.package_id),
            lab_test_result_id: Some(r.id),
            lab_facility_license_number: Some(r.lab_license.clone()),
            lab_facility_name: Some(r.lab_name.clone()),
            source_package_label: Some(r.package_label.clone()),
            product_name: Some(r.item_name.clone()),
            product_category_name: Some(r.item_category.clone()),
            test_performed_date: r.result_date.get(..10).map(str::to_string),
            overall_passed: by_sample.get(&r.package_id).copied(),
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
        })
        .collect();
    out.sort_by_key(|r| r.lab_test_result_id);
    Ok(out)
}

/// Downloads a certificate of analysis by document id.
#[utoipa::path(get, path = "/labtests/v2/labtestdocument/{id}", tag = "LabTests", params(("id" = i64, Path), LicenseParam), responses((status = 200, body = wire::FileDownload)))]
pub async fn get_lab_test_document(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    Path(id): Path<String>,
) -> Result<Json<wire::FileDownload>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, VIEW).await?;
    let id = parse_id(&id)?;
    let not_found = || {
        ApiError::Status(
            StatusCode::NOT_FOUND,
            format!("Lab test document {id} does not exist."),
        )
    };
    let doc: LabDocument = s
        .ledger
        .store
        .get(id)
        .await
        .map_err(crate::app::AppError::from)?
        .ok_or_else(not_found)?;
    let p: Package = s
        .ledger
        .store
        .get(doc.package_id)
        .await
        .map_err(crate::app::AppError::from)?
        .ok_or_else(not_found)?;
    if !may_see(&p, scope.license()) {
        return Err(ApiError::Status(
            StatusCode::UNAUTHORIZED,
            format!(
                "Lab test document {id} does not belong to license {}.",
                scope.license()
            ),
        ));
    }
    let bytes = s
        .ledger
        .store
        .document(&doc.sha256)
        .await
        .map_err(crate::app::AppError::from)?
        .ok_or_else(not_found)?;
    Ok(Json(wire::FileDownload {
        file_contents: Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
        content_type: Some(doc.content_type),
        file_download_name: Some(doc.file_name),
    }))
}

/// Testing samples: at a laboratory the ones sent to it, elsewhere the ones the facility sent.
#[utoipa::path(get, path = "/packages/v2/labsamples", tag = "Packages", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::LabSamplePackage>)))]
pub async fn get_lab_samples(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::LabSamplePackage>>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, VIEW).await?;
    let lq = q.list_query(&s.ledger.config, Some(scope.license()), Some(true), true)?;
    let page = s.ledger.lab_samples(&scope, &lq).await?;
    let mut data = Vec::new();
    for sample in &page.rows {
        let Some(p) = s
            .ledger
            .store
            .get::<Package>(sample.id)
            .await
            .map_err(crate::app::AppError::from)?
        else {
            continue;
        };
        data.push(lab_sample(&s, sample, &p).await?);
    }
    Ok(Json(q.paged(&s.ledger.config, data, page.total)?))
}

async fn lab_sample(
    s: &AppState,
    sample: &LabSample,
    p: &Package,
) -> Result<wire::LabSamplePackage, ApiError> {
    let results: Vec<LabResult> = s
        .ledger
        .store
        .find_many(None, &[p.id.to_string()], Some(true))
        .await
        .map_err(crate::app::AppError::from)?;
    let released = !results.is_empty() && results.iter().all(|r| r.released);
    Ok(wire::LabSamplePackage {
        lab_facility_license_number: Some(sample.lab_license.clone()),
        lab_facility_name: Some(sample.lab_name.clone()),
        overall_passed: (!results.is_empty()).then(|| {
            results
                .iter()
                .all(|r| r.research || r.informational || r.passed)
        }),
        test_performed_date: results
            .first()
            .and_then(|r| r.result_date.get(..10))
            .map(str::to_string),
        result_released: Some(released),
        result_release_date_time: results.iter().filter_map(|r| r.released_at.clone()).max(),
        item_strain_name: p.item_strain_name.clone(),
        package: map::package(p),
    })
}
