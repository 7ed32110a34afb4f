//! Items (products) and item brands.

use crate::error::ApiError;
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::{Read, Write, created, map, ok};
use axum::extract::Path;
use axum::http::StatusCode;
use tagtrail_app::actions::{brands, items};
use tagtrail_domain::commands::catalog::{BrandSpec, ItemSpec};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Item, ItemBrand};
use tagtrail_domain::reference;
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::{IdNameRequest, ItemRequest};
use tagtrail_metrc::{Ids, Paged};

const PERMS: &[Permission] = &[Permission::ManageItems];

/// A create addresses no existing item, whatever `Id` the body carries.
fn new_item(r: &ItemRequest) -> ItemSpec {
    ItemSpec {
        id: None,
        ..map::item_spec(r)
    }
}

fn brand(r: &IdNameRequest) -> BrandSpec {
    BrandSpec {
        id: r.id,
        name: r.name.clone(),
    }
}

fn new_brand(r: &IdNameRequest) -> BrandSpec {
    BrandSpec {
        id: None,
        ..brand(r)
    }
}

#[utoipa::path(post, path = "/items/v2", tag = "Items", params(LicenseParam), request_body = Vec<ItemRequest>, responses((status = 200, body = Ids)))]
pub async fn create_items(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<items::Create, ItemRequest>(map::each(new_item))
        .await
        .map(created)
}

#[utoipa::path(put, path = "/items/v2", tag = "Items", params(LicenseParam), request_body = Vec<ItemRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_items(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<items::Update, ItemRequest>(map::each(map::item_spec))
        .await
        .map(ok)
}

#[utoipa::path(get, path = "/items/v2/active", tag = "Items", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Item>)))]
pub async fn get_active_items(r: Read) -> Result<Json<Paged<wire::Item>>, ApiError> {
    r.list::<Item, _>(PERMS, Some(true), true, |q| q, map::item)
        .await
}

#[utoipa::path(get, path = "/items/v2/inactive", tag = "Items", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::Item>)))]
pub async fn get_inactive_items(r: Read) -> Result<Json<Paged<wire::Item>>, ApiError> {
    r.list::<Item, _>(PERMS, Some(false), false, |q| q, map::item)
        .await
}

#[utoipa::path(get, path = "/items/v2/{id}", tag = "Items", params(("id" = i64, Path), ("licenseNumber" = Option<String>, Query)), responses((status = 200, body = wire::Item)))]
pub async fn get_item(r: Read, Path(id): Path<String>) -> Result<Json<wire::Item>, ApiError> {
    r.one::<Item, _>(&id, PERMS, "Item", map::item).await
}

#[utoipa::path(delete, path = "/items/v2/{id}", tag = "Items", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_item(Path(id): Path<String>, w: Write) -> Result<StatusCode, ApiError> {
    w.run_on::<items::Archive>(&id).await
}

/// Item categories. `licenseNumber` is optional.
#[utoipa::path(get, path = "/items/v2/categories", tag = "Items", params(("licenseNumber" = Option<String>, Query), PagingParams), responses((status = 200, body = Paged<wire::ItemCategory>)))]
pub async fn get_item_categories(r: Read) -> Result<Json<Paged<wire::ItemCategory>>, ApiError> {
    if let Some(lic) = r.params().get("licenseNumber") {
        r.caller().authorize(r.state(), lic, &[]).await?;
    }
    r.page_of(
        reference::ITEM_CATEGORIES
            .iter()
            .map(map::category)
            .collect(),
    )
}

#[utoipa::path(get, path = "/items/v2/brands", tag = "Items", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::ItemBrand>)))]
pub async fn get_item_brands(r: Read) -> Result<Json<Paged<wire::ItemBrand>>, ApiError> {
    r.list::<ItemBrand, _>(PERMS, Some(true), false, |q| q, map::brand)
        .await
}

#[utoipa::path(post, path = "/items/v2/brand", tag = "Items", params(LicenseParam), request_body = Vec<IdNameRequest>, responses((status = 200, body = Ids)))]
pub async fn create_item_brands(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<brands::Create, IdNameRequest>(map::each(new_brand))
        .await
        .map(created)
}

#[utoipa::path(put, path = "/items/v2/brand", tag = "Items", params(LicenseParam), request_body = Vec<IdNameRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_item_brands(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<brands::Update, IdNameRequest>(map::each(brand))
        .await
        .map(ok)
}

#[utoipa::path(delete, path = "/items/v2/brand/{id}", tag = "Items", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_item_brand(Path(id): Path<String>, w: Write) -> Result<StatusCode, ApiError> {
    w.run_on::<brands::Archive>(&id).await
}
