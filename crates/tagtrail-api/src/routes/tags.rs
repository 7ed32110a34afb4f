//! UID tags: available and staged tags (Metrc v2), and tagtrail's order, receipt and void.

use crate::error::ApiError;
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams};
use crate::{Read, Write, created, map, ok};
use axum::http::StatusCode;
use tagtrail_app::actions::tags;
use tagtrail_app::reads::Column;
use tagtrail_domain::commands::tags::OrderSpec;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Tag, TagOrder};
use tagtrail_domain::tag::{TagKind, TagStatus};
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::{IdRequest, LabelRequest, TagOrderRequest};
use tagtrail_metrc::{Ids, Paged};

const PERMS: &[Permission] = &[Permission::ManageTags];

/// Unused tags of `kind` whose receipt has been recorded (rule 11: only received tags are
/// available).
async fn available(r: &Read, kind: TagKind) -> Result<Json<Vec<wire::Tag>>, ApiError> {
    let scope = r.scope(PERMS).await?;
    let q = tagtrail_app::reads::ListQuery {
        active: Some(true),
        ..Default::default()
    }
    .with(Column::Kind, [kind.as_str()])
    .with(Column::Status, [TagStatus::Received.as_str()]);
    let page = r.ledger().list::<Tag>(&scope, q).await?;
    let fid = scope.facility().id;
    Ok(Json(page.rows.iter().map(|t| map::tag(t, fid)).collect()))
}

/// Unused package tags whose receipt has been recorded (rule 11: only received tags are available).
#[utoipa::path(get, path = "/tags/v2/package/available", tag = "Tags", params(LicenseParam), responses((status = 200, body = Vec<wire::Tag>)))]
pub async fn get_package_tags_available(r: Read) -> Result<Json<Vec<wire::Tag>>, ApiError> {
    available(&r, TagKind::Package).await
}

#[utoipa::path(get, path = "/tags/v2/plant/available", tag = "Tags", params(LicenseParam), responses((status = 200, body = Vec<wire::Tag>)))]
pub async fn get_plant_tags_available(r: Read) -> Result<Json<Vec<wire::Tag>>, ApiError> {
    available(&r, TagKind::Plant).await
}

/// Staged tags. Staging belongs to Retail ID, which tagtrail does not implement yet, so no tag
/// is ever staged and the list is empty for every facility.
#[utoipa::path(get, path = "/tags/v2/staged", tag = "Tags", params(LicenseParam), responses((status = 200, body = Vec<wire::StagedTag>)))]
pub async fn get_staged_tags(r: Read) -> Result<Json<Vec<wire::StagedTag>>, ApiError> {
    r.scope(PERMS).await?;
    Ok(Json(vec![]))
}

/// The facility's tag orders (tagtrail extension; Metrc has no tag-ordering API).
#[utoipa::path(get, path = "/tagtrail/v1/tags/orders", tag = "tagtrail", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::TagOrder>)))]
pub async fn get_tag_orders(r: Read) -> Result<Json<Paged<wire::TagOrder>>, ApiError> {
    r.list::<TagOrder, _>(PERMS, None, false, |q| q, map::tag_order)
        .await
}

/// Orders tags. Plant tags only for cultivation licenses (rule 12).
#[utoipa::path(post, path = "/tagtrail/v1/tags/orders", tag = "tagtrail", params(LicenseParam), request_body = Vec<TagOrderRequest>, responses((status = 200, body = Ids)))]
pub async fn create_tag_orders(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<tags::Order, TagOrderRequest>(map::each(|r: &TagOrderRequest| OrderSpec {
        plant_tags: r.plant_tags,
        package_tags: r.package_tags,
    }))
    .await
    .map(created)
}

/// Records physical receipt of shipped tag orders; their tags become available (rule 11).
#[utoipa::path(put, path = "/tagtrail/v1/tags/orders/receive", tag = "tagtrail", params(LicenseParam), request_body = Vec<IdRequest>, responses((status = 200, description = "empty body")))]
pub async fn receive_tag_orders(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<tags::Receive, IdRequest>(map::each(|r: &IdRequest| r.id))
        .await
        .map(ok)
}

/// Voids unused tags (rule 14).
#[utoipa::path(put, path = "/tagtrail/v1/tags/void", tag = "tagtrail", params(LicenseParam), request_body = Vec<LabelRequest>, responses((status = 200, description = "empty body")))]
pub async fn void_tags(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<tags::Void, LabelRequest>(map::each(|r: &LabelRequest| r.label.clone()))
        .await
        .map(ok)
}
