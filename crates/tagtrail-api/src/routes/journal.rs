//! The journal, read over the API (tagtrail extension) by integrators and inspectors.

use crate::Read;
use crate::error::ApiError;
use crate::json::Json;
use crate::openapi::LicenseParam;
use serde::Serialize;
use serde_json::Value;
use tagtrail_domain::permission::Permission;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct JournalEntry {
    pub seq: i64,
    pub recorded_at: String,
    pub license_number: Option<String>,
    pub actor: String,
    /// The kind of door the request came through: `api`, `web`, `operator` or `import` (none for
    /// entries written before doors were recorded).
    pub door: Option<String>,
    /// Where in the door: `POST /strains/v2`, a web form's path, an operator's command.
    pub endpoint: String,
    /// The regulated action taken, in words ("Create strains").
    pub action: Option<String>,
    pub reason: String,
    /// The request as the door received it.
    #[schema(value_type = Object)]
    pub request: Value,
    pub result_ids: Vec<i64>,
    pub prev_hash: String,
    pub hash: String,
}

/// Journal entries for a license, newest first; `before` (a sequence number) pages back,
/// `pageSize` (≤ 20) limits.
#[utoipa::path(get, path = "/tagtrail/v1/journal", tag = "tagtrail", params(LicenseParam, ("before" = Option<i64>, Query), ("pageSize" = Option<u32>, Query)), responses((status = 200, body = Vec<JournalEntry>)))]
pub async fn get_journal(r: Read) -> Result<Json<Vec<JournalEntry>>, ApiError> {
    let scope = r.scope(&[Permission::ViewJournal]).await?;
    let cfg = &r.ledger().config;
    let limit = r
        .params()
        .paging(cfg)?
        .map(|(_, size)| size)
        .unwrap_or(cfg.max_page_size);
    let before = match r.params().get("before") {
        Some(b) => Some(
            b.parse::<i64>()
                .map_err(|_| ApiError::bad_request("before must be a sequence number."))?,
        ),
        None => None,
    };
    let entries = r.ledger().journal(&scope, before, limit).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| JournalEntry {
                seq: e.seq,
                recorded_at: e.body.recorded_at,
                license_number: e.body.license_number,
                actor: e.body.actor.name,
                door: e.body.door,
                endpoint: e.body.endpoint,
                action: e.body.action,
                reason: e.body.reason,
                request: e.body.request,
                result_ids: e.body.result_ids,
                prev_hash: e.prev_hash,
                hash: e.hash,
            })
            .collect(),
    ))
}
