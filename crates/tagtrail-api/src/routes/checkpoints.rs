//! Signed checkpoints of the journal head, published (tagtrail extension). Any authenticated
//! caller may read them: a checkpoint names an entry's sequence number, hash and time, and
//! reveals nothing of any license's records. An inspector compares them, or the export file
//! (`tagtrail audit checkpoints`), with a copy of the database (`tagtrail audit verify
//! --checkpoints`).

use crate::Read;
use crate::error::ApiError;
use crate::json::Json;
use crate::openapi::PagingParams;
use axum::http::StatusCode;
use serde::Serialize;
use tagtrail_domain::checkpoint as domain;
use tagtrail_metrc::Paged;
use utoipa::ToSchema;

/// A signed checkpoint: the ledger's ed25519 key signed the text
/// `tagtrail-checkpoint-v1\n{Seq}\n{Hash}\n{RecordedAt}\n{SignedAt}\n`. The same object as in
/// the export file.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Checkpoint {
    /// The journal entry signed.
    pub seq: i64,
    /// That entry's hash (SHA-256, hex).
    pub hash: String,
    /// That entry's time.
    pub recorded_at: String,
    pub signed_at: String,
    /// The signing key: the first 8 bytes of the SHA-256 of the public key, hex.
    pub key_id: String,
    /// The ed25519 signature, hex.
    pub signature: String,
}

impl From<domain::Checkpoint> for Checkpoint {
    fn from(c: domain::Checkpoint) -> Self {
        Checkpoint {
            seq: c.seq,
            hash: c.hash,
            recorded_at: c.recorded_at,
            signed_at: c.signed_at,
            key_id: c.key_id,
            signature: c.signature,
        }
    }
}

/// A checkpoint signing key. Confirm it through a channel other than this ledger (the
/// operator publishes it) before trusting what it signed.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CheckpointKey {
    pub key_id: String,
    /// The ed25519 public key, 32 bytes in hex.
    pub public_key: String,
    /// Always `ed25519`.
    pub algorithm: String,
}

/// Checkpoints, newest first; paged with `pageNumber`/`pageSize` like every list.
#[utoipa::path(get, path = "/tagtrail/v1/checkpoints", tag = "tagtrail", params(PagingParams), responses((status = 200, body = Paged<Checkpoint>)))]
pub async fn get_checkpoints(r: Read) -> Result<Json<Paged<Checkpoint>>, ApiError> {
    let paging = r.params().paging(&r.ledger().config)?;
    let page = r.ledger().checkpoints(paging, true).await?;
    r.paged(
        page.rows.into_iter().map(Checkpoint::from).collect(),
        page.total,
    )
}

/// The key that signed the newest checkpoint (404 before the first checkpoint).
#[utoipa::path(get, path = "/tagtrail/v1/checkpoints/publickey", tag = "tagtrail", responses((status = 200, body = CheckpointKey), (status = 404)))]
pub async fn get_checkpoint_public_key(r: Read) -> Result<Json<CheckpointKey>, ApiError> {
    let newest = r.ledger().checkpoints(Some((1, 1)), true).await?;
    let Some(cp) = newest.rows.first() else {
        return Err(ApiError::Status(
            StatusCode::NOT_FOUND,
            "No checkpoint has been signed yet.".into(),
        ));
    };
    let key = r
        .ledger()
        .checkpoint_keys()
        .await?
        .into_iter()
        .find(|k| k.key_id == cp.key_id)
        .ok_or_else(|| {
            ApiError::Status(
                StatusCode::NOT_FOUND,
                format!(
                    "The key {} of the newest checkpoint is not recorded.",
                    cp.key_id
                ),
            )
        })?;
    Ok(Json(CheckpointKey {
        key_id: key.key_id,
        public_key: key.public_key,
        algorithm: key.algorithm,
    }))
}
