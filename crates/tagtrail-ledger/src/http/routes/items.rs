//! Items (products) and item brands.

use crate::http::error::ApiError;
use crate::http::extract::{Caller, Params, action, parse_body};
use crate::http::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::http::{
    AppState, archive_one, created, empty_ok, get_scoped, list_scoped, map, require_ids,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use tagtrail_domain::commands::catalog::BrandSpec;
use tagtrail_domain::records::{Item, ItemBrand};
use tagtrail_domain::reference;
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::{IdNameRequest, ItemRequest};
use tagtrail_metrc::{Ids, Paged};

const PERMS: &[&str] = &["Manage Items"];

#[utoipa::path(post, path = "/items/v2", tag = "Items", params(LicenseParam), request_body = Vec<ItemRequest>, responses((status = 200, body = Ids)))]
pub async fn create_items(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Ids>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, PERMS).await?;
    let body = parse_body::<ItemRequest>(&s.ledger.config, &body)?;
    let specs: Vec<_> = body
        .items
        .iter()
        .map(|r| {
            map::item_spec(&ItemRequest {
                id: None,
                ..r.clone()
            })
        })
        .collect();
    let w = s
        .ledger
        .upsert_items(
            &caller.0,
            &scope,
            action(&headers, "POST /items/v2", "Create items", body.raw)?,
            &specs,
        )
        .await?;
    Ok(created(w))
}

#[utoipa::path(put, path = "/items/v2", tag = "Items", params(LicenseParam), request_body = Vec<ItemRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_items(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let scope = caller.authorize(&s, q.license()?, PERMS).await?;
    let body = parse_body::<ItemRequest>(&s.ledger.config, &body)?;
    require_ids(body.items.iter().map(|r| r.id))?;
    let specs: Vec<_> = body.items.iter().map(map::item_spec).collect();
    s.ledger
        .upsert_items(
            &caller.0,
            &scope,
            action(&headers, "PUT /items/v2", "Update items", body.raw)?,
            &specs,
        )
        .await?;
    Ok(empty_ok())
}

#[utoipa::path(get, path = "/items/v2/active", tag = "Items", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Item>)))]
pub async fn get_active_items(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::Item>>, ApiError> {
    list_scoped::<Item, _>(&s, &caller, &q, PERMS, Some(true), true, |_| {}, map::item).await
}

#[utoipa::path(get, path = "/items/v2/inactive", tag = "Items", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::Item>)))]
pub async fn get_inactive_items(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::Item>>, ApiError> {
    list_scoped::<Item, _>(
        &s,
        &caller,
        &q,
        PERMS,
        Some(false),
        false,
        |_| {},
        map::item,
    )
    .await
}

#[utoipa::path(get, path = "/items/v2/{id}", tag = "Items", params(("id" = i64, Path), ("licenseNumber" = Option<String>, Query)), responses((status = 200, body = wire::Item)))]
pub async fn get_item(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    Path(id): Path<String>,
) -> Result<Json<wire::Item>, ApiError> {
    get_scoped::<Item, _>(&s, &caller, &q, &id, PERMS, "Item", map::item).await
}

#[utoipa::path(delete, path = "/items/v2/{id}", tag = "Items", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_item(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    archive_one::<Item>(&s, &caller, &q, &headers, &id, PERMS, ("/items/v2", "Item")).await
}

/// Item categories. `licenseNumber` is optional.
#[utoipa::path(get, path = "/items/v2/categories", tag = "Items", params(("licenseNumber" = Option<String>, Query), PagingParams), responses((status = 200, body = Paged<wire::ItemCategory>)))]
pub async fn get_item_categories(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::ItemCategory>>, ApiError> {
    if let Some(lic) = q.get("licenseNumber") {
        caller.authorize(&s, lic, &[]).await?;
    }
    let all: Vec<_> = reference::ITEM_CATEGORIES
        .iter()
        .map(map::category)
        .collect();
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

#[utoipa::path(get, path = "/items/v2/brands", tag = "Items", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::ItemBrand>)))]
pub async fn get_item_brands(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::ItemBrand>>, ApiError> {
    list_scoped::<ItemBrand, _>(
        &s,
        &caller,
        &q,
        PERMS,
        Some(true),
        false,
        |_| {},
        map::brand,
    )
    .await
}

fn brand_specs(items: &[IdNameRequest], with_ids: bool) -> Vec<BrandSpec> {
    items
        .iter()
        .map(|r| BrandSpec {
            id: if with_ids { r.id } else { None },
            name: r.name.clone(),
        })
        .collect()
}

#[utoipa::path(post, path = "/items/v2/brand", tag = "Items", params(LicenseParam), request_body = Vec<IdNameRequest>, responses((status = 200, body = Ids)))]
pub async fn create_item_brands(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Ids>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, PERMS).await?;
    let body = parse_body::<IdNameRequest>(&s.ledger.config, &body)?;
    let specs = brand_specs(&body.items, false);
    Ok(created(
        s.ledger
            .upsert_brands(
                &caller.0,
                &scope,
                action(
                    &headers,
                    "POST /items/v2/brand",
                    "Create item brands",
                    body.raw,
                )?,
                &specs,
            )
            .await?,
    ))
}

#[utoipa::path(put, path = "/items/v2/brand", tag = "Items", params(LicenseParam), request_body = Vec<IdNameRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_item_brands(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let scope = caller.authorize(&s, q.license()?, PERMS).await?;
    let body = parse_body::<IdNameRequest>(&s.ledger.config, &body)?;
    require_ids(body.items.iter().map(|r| r.id))?;
    let specs = brand_specs(&body.items, true);
    s.ledger
        .upsert_brands(
            &caller.0,
            &scope,
            action(
                &headers,
                "PUT /items/v2/brand",
                "Update item brands",
                body.raw,
            )?,
            &specs,
        )
        .await?;
    Ok(empty_ok())
}

#[utoipa::path(delete, path = "/items/v2/brand/{id}", tag = "Items", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_item_brand(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    archive_one::<ItemBrand>(
        &s,
        &caller,
        &q,
        &headers,
        &id,
        PERMS,
        ("/items/v2/brand", "Item Brand"),
    )
    .await
}
