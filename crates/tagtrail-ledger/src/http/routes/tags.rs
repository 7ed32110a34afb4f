//! UID tags (Metrc reads) and the tagtrail tag-order extension.

use crate::http::error::ApiError;
use crate::http::extract::{Caller, Params, action, parse_body};
use crate::http::openapi::{LicenseParam, PagingParams};
use crate::http::{AppState, created, empty_ok, list_scoped, map};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use tagtrail_domain::commands::tags::OrderSpec;
use tagtrail_domain::records::{Tag, TagOrder};
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::{IdRequest, LabelRequest, TagOrderRequest};
use tagtrail_metrc::{Ids, Paged};
use tagtrail_store::ListQuery;

const PERMS: &[&str] = &["Manage Tags"];

async fn available(
    s: &AppState,
    caller: &Caller,
    q: &Params,
    status: &str,
) -> Result<Json<Vec<wire::Tag>>, ApiError> {
    let scope = caller.authorize(s, q.license()?, PERMS).await?;
    let lq = ListQuery {
        license: Some(scope.license().into()),
        active: Some(true),
        status: Some(status.into()),
        ..Default::default()
    };
    let page = s
        .ledger
        .store
        .list::<Tag>(&lq)
        .await
        .map_err(crate::app::AppError::from)?;
    Ok(Json(
        page.rows
            .iter()
            .map(|t| map::tag(t, scope.facility.id))
            .collect(),
    ))
}

/// Unused package tags whose receipt has been recorded (rule 11: only received tags are available).
#[utoipa::path(get, path = "/tags/v2/package/available", tag = "Tags", params(LicenseParam), responses((status = 200, body = Vec<wire::Tag>)))]
pub async fn get_package_tags_available(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Vec<wire::Tag>>, ApiError> {
    available(&s, &caller, &q, "Package:Received").await
}

#[utoipa::path(get, path = "/tags/v2/plant/available", tag = "Tags", params(LicenseParam), responses((status = 200, body = Vec<wire::Tag>)))]
pub async fn get_plant_tags_available(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Vec<wire::Tag>>, ApiError> {
    available(&s, &caller, &q, "Plant:Received").await
}

/// Staged tags. Staging belongs to Retail ID, which tagtrail does not implement yet, so no tag
/// is ever staged and the list is empty for every facility.
#[utoipa::path(get, path = "/tags/v2/staged", tag = "Tags", params(LicenseParam), responses((status = 200, body = Vec<wire::StagedTag>)))]
pub async fn get_staged_tags(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Vec<wire::StagedTag>>, ApiError> {
    caller.authorize(&s, q.license()?, PERMS).await?;
    Ok(Json(vec![]))
}

/// The facility's tag orders (tagtrail extension; Metrc has no tag-ordering API).
#[utoipa::path(get, path = "/tagtrail/v1/tags/orders", tag = "tagtrail", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::TagOrder>)))]
pub async fn get_tag_orders(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::TagOrder>>, ApiError> {
    list_scoped::<TagOrder, _>(&s, &caller, &q, PERMS, None, false, |_| {}, map::tag_order).await
}

/// Orders tags. Plant tags only for cultivation licenses (rule 12).
#[utoipa::path(post, path = "/tagtrail/v1/tags/orders", tag = "tagtrail", params(LicenseParam), request_body = Vec<TagOrderRequest>, responses((status = 200, body = Ids)))]
pub async fn create_tag_orders(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Ids>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, PERMS).await?;
    let body = parse_body::<TagOrderRequest>(&s.ledger.config, &body)?;
    let specs: Vec<_> = body
        .items
        .iter()
        .map(|r| OrderSpec {
            plant_tags: r.plant_tags,
            package_tags: r.package_tags,
        })
        .collect();
    Ok(created(
        s.ledger
            .order_tags(
                &caller.0,
                &scope,
                action(
                    &headers,
                    "POST /tagtrail/v1/tags/orders",
                    "Order UID tags",
                    body.raw,
                )?,
                &specs,
            )
            .await?,
    ))
}

/// Records physical receipt of shipped tag orders; their tags become available (rule 11).
#[utoipa::path(put, path = "/tagtrail/v1/tags/orders/receive", tag = "tagtrail", params(LicenseParam), request_body = Vec<IdRequest>, responses((status = 200, description = "empty body")))]
pub async fn receive_tag_orders(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let scope = caller.authorize(&s, q.license()?, PERMS).await?;
    let body = parse_body::<IdRequest>(&s.ledger.config, &body)?;
    let ids: Vec<_> = body.items.iter().map(|r| r.id).collect();
    s.ledger
        .receive_tag_orders(
            &caller.0,
            &scope,
            action(
                &headers,
                "PUT /tagtrail/v1/tags/orders/receive",
                "Record receipt of UID tags",
                body.raw,
            )?,
            &ids,
        )
        .await?;
    Ok(empty_ok())
}

/// Voids unused tags (rule 14).
#[utoipa::path(put, path = "/tagtrail/v1/tags/void", tag = "tagtrail", params(LicenseParam), request_body = Vec<LabelRequest>, responses((status = 200, description = "empty body")))]
pub async fn void_tags(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let scope = caller.authorize(&s, q.license()?, PERMS).await?;
    let body = parse_body::<LabelRequest>(&s.ledger.config, &body)?;
    let labels: Vec<_> = body.items.iter().map(|r| r.label.clone()).collect();
    s.ledger
        .void_tags(
            &caller.0,
            &scope,
            action(
                &headers,
                "PUT /tagtrail/v1/tags/void",
                "Void unused UID tags",
                body.raw,
            )?,
            &labels,
        )
        .await?;
    Ok(empty_ok())
}
