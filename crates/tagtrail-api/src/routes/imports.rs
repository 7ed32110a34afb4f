//! tagtrail: the Data Import page over the API (rule 73; bulletin V–VII). A CSV file is
//! uploaded, validated in the background by the same actions the matching endpoints run, shown
//! as a preview, then applied all or nothing. A refused file answers in Metrc's row shape, each
//! message naming its line in the file (`row` is the data row's index, line − 2).

use crate::error::ApiError;
use crate::extract::parse_id;
use crate::json::Json;
use crate::openapi::LicenseParam;
use crate::{Read, Write};
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::time::Duration;
use tagtrail_app::imports::{self as imp, Import, ImportStatus, Preview};
use tagtrail_domain::commands::imports::{Change, ImportKind};
use utoipa::ToSchema;

/// How long a request waits for its run before answering with the status so far (202). Long
/// enough that a file of a few thousand rows is answered in the one request even on a loaded
/// machine (the first CI run answered a 2-row file 202 at 5 s, with both cores busy); a large
/// file is answered 202 and runs on, its progress at `Location`.
const WAIT: Duration = Duration::from_secs(30);

/// Rows of the preview an answer carries; the web page pages through the rest.
const PREVIEW_ROWS: usize = 100;

/// An upload and where it stands.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImportAnswer {
    pub id: i64,
    /// `plant-additives`, `immature-plant-additives` or `plantings`.
    pub r#type: String,
    pub file_name: String,
    pub sha256: String,
    pub rows: usize,
    /// `validating`, `failed`, `ready`, `applying` or `applied`.
    pub status: String,
    /// The status in words: "Failed: 3 errors", "Applying 4,000 of 50,000".
    pub status_text: String,
    pub progress: Option<usize>,
    /// The first problems, each naming its line.
    pub errors: Vec<String>,
    pub uploaded_by: String,
    pub uploaded_at: String,
    /// The journal entries the apply appended (one per group of 10 rows).
    pub journal_first: Option<i64>,
    pub journal_last: Option<i64>,
    /// What applying will change (ready uploads, one by one).
    pub preview: Option<PreviewAnswer>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct PreviewAnswer {
    pub rows: usize,
    pub totals: Vec<String>,
    /// The first rows' changes.
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<Change>,
}

fn answer(i: Import, preview: Option<Preview>) -> ImportAnswer {
    let (progress, journal) = match &i.status {
        ImportStatus::Validating { done, .. } | ImportStatus::Applying { done, .. } => {
            (Some(*done), None)
        }
        ImportStatus::Applied { first, last } => (None, Some((*first, *last))),
        _ => (None, None),
    };
    ImportAnswer {
        id: i.id,
        r#type: i.kind.slug().to_string(),
        file_name: i.file_name,
        sha256: i.sha256,
        rows: i.rows,
        status: i.status.name().to_string(),
        status_text: i.status.words(),
        progress,
        errors: i.errors.iter().map(|e| e.text()).collect(),
        uploaded_by: i.created_by,
        uploaded_at: i.created_at,
        journal_first: journal.map(|j| j.0),
        journal_last: journal.map(|j| j.1),
        preview: preview.map(|p| PreviewAnswer {
            rows: p.rows,
            totals: p.totals,
            changes: p.changes,
        }),
    }
}

/// The answer to an upload or an apply once its run ended or the wait ran out: the row errors
/// (400) when it failed, else the upload (200 when done, 202 while it still runs), with its
/// address in `Location`.
async fn settled(
    ledger: &tagtrail_app::Ledger,
    scope: &tagtrail_app::Scope,
    id: i64,
) -> Result<Response, ApiError> {
    let i = ledger.import_wait(scope, id, WAIT).await?;
    let location = HeaderValue::from_str(&format!("/tagtrail/v1/imports/{id}"))
        .map_err(|_| ApiError::bad_request("bad id"))?;
    let mut resp = match i.status {
        ImportStatus::Failed { .. } => ApiError::Rows(
            i.errors
                .iter()
                .map(|e| tagtrail_metrc::RowError {
                    row: e.line.saturating_sub(2),
                    message: e.text(),
                })
                .collect(),
        )
        .into_response(),
        ref s => {
            let code = if s.running() {
                StatusCode::ACCEPTED
            } else {
                StatusCode::OK
            };
            let preview = if *s == ImportStatus::Ready {
                Some(ledger.import_preview(scope, id, 0, PREVIEW_ROWS).await?)
            } else {
                None
            };
            (code, Json(answer(i, preview))).into_response()
        }
    };
    resp.headers_mut().insert(header::LOCATION, location);
    Ok(resp)
}

fn kind_of(s: Option<&str>) -> Result<ImportKind, ApiError> {
    let names: Vec<&str> = ImportKind::ALL.iter().map(|k| k.slug()).collect();
    let msg = || format!("type must be one of: {}.", names.join(", "));
    s.and_then(ImportKind::parse)
        .ok_or_else(|| ApiError::bad_request(msg()))
}

/// tagtrail: uploads a CSV file (`type=plant-additives`, `immature-plant-additives` or
/// `plantings`; the header row names the columns, see the web UI's format guide) and validates it; answers the upload with its preview, or its row
/// errors (400, each message naming its line). Nothing is applied until `…/apply`.
#[utoipa::path(post, path = "/tagtrail/v1/imports", tag = "tagtrail", params(LicenseParam, ("type" = String, Query, description = "plant-additives, immature-plant-additives or plantings"), ("fileName" = Option<String>, Query)), request_body(content = String, content_type = "text/csv"), responses((status = 200, body = ImportAnswer), (status = 202, body = ImportAnswer), (status = 400)))]
pub async fn upload(w: Write) -> Result<Response, ApiError> {
    let kind = kind_of(w.q.get("type"))?;
    let license = w.q.license()?.to_string();
    let scope = w
        .caller
        .authorize_for(&w.s, &license, imp::definition(kind))
        .await?;
    let name = w.q.get("fileName").unwrap_or("upload.csv").to_string();
    let ledger = &w.s.ledger;
    let id = ledger.import_upload(&scope, kind, &name, &w.body).await?;
    settled(ledger, &scope, id).await
}

/// tagtrail: applies a validated upload, all or nothing (one journal entry per 10 rows, in one
/// transaction); answers 202 while it runs, then the upload with its journal entries.
#[utoipa::path(post, path = "/tagtrail/v1/imports/{id}/apply", tag = "tagtrail", params(("id" = i64, Path), LicenseParam), responses((status = 200, body = ImportAnswer), (status = 202, body = ImportAnswer), (status = 400), (status = 409)))]
pub async fn apply(Path(id): Path<String>, w: Write) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let license = w.q.license()?.to_string();
    let ledger = &w.s.ledger;
    let scope = ledger.scope(&w.caller.0, &license).await?;
    ledger.import_apply(&scope, id).await?;
    settled(ledger, &scope, id).await
}

/// tagtrail: the license's uploads, newest first (the Data Import page's grid).
#[utoipa::path(get, path = "/tagtrail/v1/imports", tag = "tagtrail", params(LicenseParam), responses((status = 200, body = Vec<ImportAnswer>)))]
pub async fn list(r: Read) -> Result<Json<Vec<ImportAnswer>>, ApiError> {
    let ledger = r.ledger();
    let scope = ledger.scope(&r.caller().0, r.params().license()?).await?;
    let all = ledger.imports(&scope).await?;
    Ok(Json(all.into_iter().map(|i| answer(i, None)).collect()))
}

/// tagtrail: one upload, with its errors or (when ready) the preview of its first rows.
#[utoipa::path(get, path = "/tagtrail/v1/imports/{id}", tag = "tagtrail", params(("id" = i64, Path), LicenseParam), responses((status = 200, body = ImportAnswer), (status = 404)))]
pub async fn get_one(Path(id): Path<String>, r: Read) -> Result<Json<ImportAnswer>, ApiError> {
    let id = parse_id(&id)?;
    let ledger = r.ledger();
    let scope = ledger.scope(&r.caller().0, r.params().license()?).await?;
    let i = ledger.import(&scope, id).await?;
    let preview = if i.status == ImportStatus::Ready {
        Some(ledger.import_preview(&scope, id, 0, PREVIEW_ROWS).await?)
    } else {
        None
    };
    Ok(Json(answer(i, preview)))
}
