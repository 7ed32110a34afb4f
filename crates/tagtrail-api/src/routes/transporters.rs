//! Transporters: drivers and vehicles (`metrc-v2-api.md` §12 Transporters).

use crate::error::ApiError;
use crate::extract::parse_id;
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams};
use crate::{Read, Write, created, map, ok};
use axum::extract::Path;
use axum::http::StatusCode;
use tagtrail_app::actions::{drivers, vehicles};
use tagtrail_domain::commands::transporters::{DriverSpec, VehicleSpec};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Driver, Vehicle};
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::{DriverRequest, VehicleRequest};
use tagtrail_metrc::{Ids, Paged};

const VIEW: &[Permission] = &[Permission::Transporters, Permission::ManageTransporters];

pub(super) fn driver(d: &Driver, facility_id: i64) -> wire::Driver {
    wire::Driver {
        id: Some(d.id),
        facility_id: Some(facility_id),
        employee_id: d.employee_id.clone(),
        name: Some(d.name.clone()),
        drivers_license_number: Some(d.drivers_license_number.clone()),
        is_archived: Some(!d.active),
        last_modified: Some(d.last_modified.clone()),
    }
}

pub(super) fn vehicle(v: &Vehicle, facility_id: i64) -> wire::Vehicle {
    wire::Vehicle {
        id: Some(v.id),
        facility_id: Some(facility_id),
        make: Some(v.make.clone()),
        model: Some(v.model.clone()),
        license_plate_number: Some(v.license_plate_number.clone()),
        is_archived: Some(!v.active),
        last_modified: Some(v.last_modified.clone()),
    }
}

fn driver_spec(r: &DriverRequest) -> DriverSpec {
    DriverSpec {
        id: r.id,
        name: r.name.clone(),
        drivers_license_number: r.drivers_license_number.clone(),
        employee_id: r.employee_id.clone(),
    }
}

fn new_driver(r: &DriverRequest) -> DriverSpec {
    DriverSpec {
        id: None,
        ..driver_spec(r)
    }
}

fn vehicle_spec(r: &VehicleRequest) -> VehicleSpec {
    VehicleSpec {
        id: r.id,
        make: r.make.clone(),
        model: r.model.clone(),
        license_plate_number: r.license_plate_number.clone(),
    }
}

fn new_vehicle(r: &VehicleRequest) -> VehicleSpec {
    VehicleSpec {
        id: None,
        ..vehicle_spec(r)
    }
}

#[utoipa::path(get, path = "/transporters/v2/drivers", tag = "Transporters", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::Driver>)))]
pub async fn get_drivers(r: Read) -> Result<Json<Paged<wire::Driver>>, ApiError> {
    let fid = r.scope(VIEW).await?.facility().id;
    r.list::<Driver, _>(VIEW, Some(true), false, |q| q, |d| driver(d, fid))
        .await
}

#[utoipa::path(get, path = "/transporters/v2/drivers/{id}", tag = "Transporters", params(("id" = i64, Path), LicenseParam), responses((status = 200, body = wire::Driver)))]
pub async fn get_driver(r: Read, Path(id): Path<String>) -> Result<Json<wire::Driver>, ApiError> {
    let scope = r.scope(VIEW).await?;
    let d: Driver = r.ledger().get(&scope, parse_id(&id)?, "Driver").await?;
    Ok(Json(driver(&d, scope.facility().id)))
}

/// Registers drivers (distributors only, rule 39).
#[utoipa::path(post, path = "/transporters/v2/drivers", tag = "Transporters", params(LicenseParam), request_body = Vec<DriverRequest>, responses((status = 200, body = Ids)))]
pub async fn create_drivers(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<drivers::Create, DriverRequest>(map::each(new_driver))
        .await
        .map(created)
}

#[utoipa::path(put, path = "/transporters/v2/drivers", tag = "Transporters", params(LicenseParam), request_body = Vec<DriverRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_drivers(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<drivers::Update, DriverRequest>(map::each(driver_spec))
        .await
        .map(ok)
}

#[utoipa::path(delete, path = "/transporters/v2/drivers/{id}", tag = "Transporters", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_driver(Path(id): Path<String>, w: Write) -> Result<StatusCode, ApiError> {
    w.run_on::<drivers::Archive>(&id).await
}

#[utoipa::path(get, path = "/transporters/v2/vehicles", tag = "Transporters", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::Vehicle>)))]
pub async fn get_vehicles(r: Read) -> Result<Json<Paged<wire::Vehicle>>, ApiError> {
    let fid = r.scope(VIEW).await?.facility().id;
    r.list::<Vehicle, _>(VIEW, Some(true), false, |q| q, |v| vehicle(v, fid))
        .await
}

#[utoipa::path(get, path = "/transporters/v2/vehicles/{id}", tag = "Transporters", params(("id" = i64, Path), LicenseParam), responses((status = 200, body = wire::Vehicle)))]
pub async fn get_vehicle(r: Read, Path(id): Path<String>) -> Result<Json<wire::Vehicle>, ApiError> {
    let scope = r.scope(VIEW).await?;
    let v: Vehicle = r.ledger().get(&scope, parse_id(&id)?, "Vehicle").await?;
    Ok(Json(vehicle(&v, scope.facility().id)))
}

/// Registers vehicles the distributor owns or leases (rule 39).
#[utoipa::path(post, path = "/transporters/v2/vehicles", tag = "Transporters", params(LicenseParam), request_body = Vec<VehicleRequest>, responses((status = 200, body = Ids)))]
pub async fn create_vehicles(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<vehicles::Create, VehicleRequest>(map::each(new_vehicle))
        .await
        .map(created)
}

#[utoipa::path(put, path = "/transporters/v2/vehicles", tag = "Transporters", params(LicenseParam), request_body = Vec<VehicleRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_vehicles(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<vehicles::Update, VehicleRequest>(map::each(vehicle_spec))
        .await
        .map(ok)
}

#[utoipa::path(delete, path = "/transporters/v2/vehicles/{id}", tag = "Transporters", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_vehicle(Path(id): Path<String>, w: Write) -> Result<StatusCode, ApiError> {
    w.run_on::<vehicles::Archive>(&id).await
}
