//! The journal, read over the API (tagtrail extension) by integrators and inspectors.

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{Caller, Params};
use crate::http::openapi::LicenseParam;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct JournalEntry {
    pub seq: i64,
    pub recorded_at: String,
    pub license_number: Option<String>,
    pub actor: String,
    pub endpoint: String,
    pub reason: String,
    #[schema(value_type = Object)]
    pub request: Value,
    pub result_ids: Vec<i64>,
    pub prev_hash: String,
    pub hash: String,
}

/// Journal entries for a license, newest first; `before` (a sequence number) pages back,
/// `pageSize` (≤ 20) limits.
#[utoipa::path(get, path = "/tagtrail/v1/journal", tag = "tagtrail", params(LicenseParam, ("before" = Option<i64>, Query), ("pageSize" = Option<u32>, Query)), responses((status = 200, body = Vec<JournalEntry>)))]
pub async fn get_journal(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Vec<JournalEntry>>, ApiError> {
    let scope = caller
        .authorize(&s, q.license()?, &["View Journal"])
        .await?;
    let limit = q
        .paging(&s.ledger.config)?
        .map(|(_, size)| size)
        .unwrap_or(s.ledger.config.max_page_size);
    let before = match q.get("before") {
        Some(b) => Some(
            b.parse::<i64>()
                .map_err(|_| ApiError::bad_request("before must be a sequence number."))?,
        ),
        None => None,
    };
    let entries = s
        .ledger
        .store
        .journal(Some(&[scope.license().to_string()]), before, limit)
        .await
        .map_err(crate::app::AppError::from)?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| JournalEntry {
                seq: e.seq,
                recorded_at: e.body.recorded_at,
                license_number: e.body.license_number,
                actor: e.body.actor.name,
                endpoint: e.body.endpoint,
                reason: e.body.reason,
                request: e.body.request,
                result_ids: e.body.result_ids,
                prev_hash: e.prev_hash,
                hash: e.hash,
            })
            .collect(),
    ))
}
