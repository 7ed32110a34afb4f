//! Locations and sublocations.

use crate::error::ApiError;
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::{Read, Write, created, map, ok};
use axum::extract::Path;
use axum::http::StatusCode;
use tagtrail_app::actions::{locations, sublocations};
use tagtrail_domain::commands::premises::{LocationSpec, SublocationSpec};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Location, Sublocation};
use tagtrail_domain::reference;
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::{IdNameRequest, LocationRequest};
use tagtrail_metrc::{Ids, Paged};

const PERMS: &[Permission] = &[Permission::ManageLocations];

/// A create addresses no existing location, whatever `Id` the body carries.
fn new_location(r: &LocationRequest) -> LocationSpec {
    LocationSpec {
        id: None,
        ..map::location_spec(r)
    }
}

fn sublocation(r: &IdNameRequest) -> SublocationSpec {
    SublocationSpec {
        id: r.id,
        name: r.name.clone(),
    }
}

fn new_sublocation(r: &IdNameRequest) -> SublocationSpec {
    SublocationSpec {
        id: None,
        ..sublocation(r)
    }
}

#[utoipa::path(post, path = "/locations/v2", tag = "Locations", params(LicenseParam), request_body = Vec<LocationRequest>, responses((status = 200, body = Ids)))]
pub async fn create_locations(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<locations::Create, LocationRequest>(map::each(new_location))
        .await
        .map(created)
}

#[utoipa::path(put, path = "/locations/v2", tag = "Locations", params(LicenseParam), request_body = Vec<LocationRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_locations(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<locations::Update, LocationRequest>(map::each(map::location_spec))
        .await
        .map(ok)
}

#[utoipa::path(get, path = "/locations/v2/active", tag = "Locations", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Location>)))]
pub async fn get_active_locations(r: Read) -> Result<Json<Paged<wire::Location>>, ApiError> {
    r.list::<Location, _>(PERMS, Some(true), true, |q| q, map::location)
        .await
}

#[utoipa::path(get, path = "/locations/v2/inactive", tag = "Locations", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::Location>)))]
pub async fn get_inactive_locations(r: Read) -> Result<Json<Paged<wire::Location>>, ApiError> {
    r.list::<Location, _>(PERMS, Some(false), false, |q| q, map::location)
        .await
}

/// Location types this facility's license type may use.
#[utoipa::path(get, path = "/locations/v2/types", tag = "Locations", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::LocationType>)))]
pub async fn get_location_types(r: Read) -> Result<Json<Paged<wire::LocationType>>, ApiError> {
    let scope = r.scope(PERMS).await?;
    r.page_of(
        reference::location_types_for(scope.facility().license_type)
            .map(map::location_type)
            .collect(),
    )
}

#[utoipa::path(get, path = "/locations/v2/{id}", tag = "Locations", params(("id" = i64, Path), ("licenseNumber" = Option<String>, Query)), responses((status = 200, body = wire::Location)))]
pub async fn get_location(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<wire::Location>, ApiError> {
    r.one::<Location, _>(&id, PERMS, "Location", map::location)
        .await
}

#[utoipa::path(delete, path = "/locations/v2/{id}", tag = "Locations", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_location(Path(id): Path<String>, w: Write) -> Result<StatusCode, ApiError> {
    w.run_on::<locations::Archive>(&id).await
}

#[utoipa::path(post, path = "/sublocations/v2", tag = "Sublocations", params(LicenseParam), request_body = Vec<IdNameRequest>, responses((status = 200, body = Ids)))]
pub async fn create_sublocations(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<sublocations::Create, IdNameRequest>(map::each(new_sublocation))
        .await
        .map(created)
}

#[utoipa::path(put, path = "/sublocations/v2", tag = "Sublocations", params(LicenseParam), request_body = Vec<IdNameRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_sublocations(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<sublocations::Update, IdNameRequest>(map::each(sublocation))
        .await
        .map(ok)
}

#[utoipa::path(get, path = "/sublocations/v2/active", tag = "Sublocations", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::IdName>)))]
pub async fn get_active_sublocations(r: Read) -> Result<Json<Paged<wire::IdName>>, ApiError> {
    r.list::<Sublocation, _>(PERMS, Some(true), true, |q| q, map::sublocation)
        .await
}

#[utoipa::path(get, path = "/sublocations/v2/inactive", tag = "Sublocations", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::IdName>)))]
pub async fn get_inactive_sublocations(r: Read) -> Result<Json<Paged<wire::IdName>>, ApiError> {
    r.list::<Sublocation, _>(PERMS, Some(false), false, |q| q, map::sublocation)
        .await
}

#[utoipa::path(get, path = "/sublocations/v2/{id}", tag = "Sublocations", params(("id" = i64, Path), ("licenseNumber" = Option<String>, Query)), responses((status = 200, body = wire::IdName)))]
pub async fn get_sublocation(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<wire::IdName>, ApiError> {
    r.one::<Sublocation, _>(&id, PERMS, "Sublocation", map::sublocation)
        .await
}

#[utoipa::path(delete, path = "/sublocations/v2/{id}", tag = "Sublocations", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_sublocation(Path(id): Path<String>, w: Write) -> Result<StatusCode, ApiError> {
    w.run_on::<sublocations::Archive>(&id).await
}
