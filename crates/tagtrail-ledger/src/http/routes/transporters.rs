//! Transporters: drivers and vehicles (`metrc-v2-api.md` §12 Transporters).

use crate::http::error::ApiError;
use crate::http::extract::{Caller, Params, action, parse_body, parse_id};
use crate::http::openapi::{LicenseParam, PagingParams};
use crate::http::{AppState, archive_one, created, empty_ok, list_scoped, require_ids};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use tagtrail_domain::commands::transporters::{DriverSpec, VehicleSpec};
use tagtrail_domain::records::{Driver, Record, Vehicle};
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::{DriverRequest, VehicleRequest};
use tagtrail_metrc::{Ids, Paged};

const VIEW: &[&str] = &["Transporters", "Manage Transporters"];
const MANAGE: &[&str] = &["Manage Transporters"];

fn driver(d: &Driver, facility_id: i64) -> wire::Driver {
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

fn vehicle(v: &Vehicle, facility_id: i64) -> wire::Vehicle {
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

async fn one<R: Record>(
    s: &AppState,
    caller: &Caller,
    q: &Params,
    id: &str,
    what: &str,
) -> Result<(R, i64), ApiError> {
    let scope = caller.authorize(s, q.license()?, VIEW).await?;
    let id = parse_id(id)?;
    let found: Option<R> = s
        .ledger
        .store
        .get(id)
        .await
        .map_err(crate::app::AppError::from)?;
    match found {
        Some(r) if r.license() == Some(scope.license()) => Ok((r, scope.facility.id)),
        Some(_) => Err(ApiError::Status(
            StatusCode::UNAUTHORIZED,
            format!(
                "{what} {id} does not belong to license {}.",
                scope.license()
            ),
        )),
        None => Err(ApiError::Status(
            StatusCode::NOT_FOUND,
            format!("{what} {id} does not exist."),
        )),
    }
}

#[utoipa::path(get, path = "/transporters/v2/drivers", tag = "Transporters", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::Driver>)))]
pub async fn get_drivers(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::Driver>>, ApiError> {
    let fid = caller.authorize(&s, q.license()?, VIEW).await?.facility.id;
    list_scoped::<Driver, _>(
        &s,
        &caller,
        &q,
        VIEW,
        Some(true),
        false,
        |_| {},
        |d| driver(d, fid),
    )
    .await
}

#[utoipa::path(get, path = "/transporters/v2/drivers/{id}", tag = "Transporters", params(("id" = i64, Path), LicenseParam), responses((status = 200, body = wire::Driver)))]
pub async fn get_driver(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    Path(id): Path<String>,
) -> Result<Json<wire::Driver>, ApiError> {
    let (d, fid) = one::<Driver>(&s, &caller, &q, &id, "Driver").await?;
    Ok(Json(driver(&d, fid)))
}

fn driver_specs(items: &[DriverRequest], with_ids: bool) -> Vec<DriverSpec> {
    items
        .iter()
        .map(|r| DriverSpec {
            id: if with_ids { r.id } else { None },
            name: r.name.clone(),
            drivers_license_number: r.drivers_license_number.clone(),
            employee_id: r.employee_id.clone(),
        })
        .collect()
}

/// Registers drivers (distributors only, rule 39).
#[utoipa::path(post, path = "/transporters/v2/drivers", tag = "Transporters", params(LicenseParam), request_body = Vec<DriverRequest>, responses((status = 200, body = Ids)))]
pub async fn create_drivers(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Ids>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, MANAGE).await?;
    let body = parse_body::<DriverRequest>(&s.ledger.config, &body)?;
    let specs = driver_specs(&body.items, false);
    let act = action(
        &headers,
        "POST /transporters/v2/drivers",
        "Register drivers",
        body.raw,
    )?;
    Ok(created(
        s.ledger
            .upsert_drivers(&caller.0, &scope, act, &specs)
            .await?,
    ))
}

#[utoipa::path(put, path = "/transporters/v2/drivers", tag = "Transporters", params(LicenseParam), request_body = Vec<DriverRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_drivers(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let scope = caller.authorize(&s, q.license()?, MANAGE).await?;
    let body = parse_body::<DriverRequest>(&s.ledger.config, &body)?;
    require_ids(body.items.iter().map(|r| r.id))?;
    let specs = driver_specs(&body.items, true);
    let act = action(
        &headers,
        "PUT /transporters/v2/drivers",
        "Update drivers",
        body.raw,
    )?;
    s.ledger
        .upsert_drivers(&caller.0, &scope, act, &specs)
        .await?;
    Ok(empty_ok())
}

#[utoipa::path(delete, path = "/transporters/v2/drivers/{id}", tag = "Transporters", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_driver(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    archive_one::<Driver>(
        &s,
        &caller,
        &q,
        &headers,
        &id,
        MANAGE,
        ("/transporters/v2/drivers", "Driver"),
    )
    .await
}

#[utoipa::path(get, path = "/transporters/v2/vehicles", tag = "Transporters", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::Vehicle>)))]
pub async fn get_vehicles(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::Vehicle>>, ApiError> {
    let fid = caller.authorize(&s, q.license()?, VIEW).await?.facility.id;
    list_scoped::<Vehicle, _>(
        &s,
        &caller,
        &q,
        VIEW,
        Some(true),
        false,
        |_| {},
        |v| vehicle(v, fid),
    )
    .await
}

#[utoipa::path(get, path = "/transporters/v2/vehicles/{id}", tag = "Transporters", params(("id" = i64, Path), LicenseParam), responses((status = 200, body = wire::Vehicle)))]
pub async fn get_vehicle(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    Path(id): Path<String>,
) -> Result<Json<wire::Vehicle>, ApiError> {
    let (v, fid) = one::<Vehicle>(&s, &caller, &q, &id, "Vehicle").await?;
    Ok(Json(vehicle(&v, fid)))
}

fn vehicle_specs(items: &[VehicleRequest], with_ids: bool) -> Vec<VehicleSpec> {
    items
        .iter()
        .map(|r| VehicleSpec {
            id: if with_ids { r.id } else { None },
            make: r.make.clone(),
            model: r.model.clone(),
            license_plate_number: r.license_plate_number.clone(),
        })
        .collect()
}

/// Registers vehicles the distributor owns or leases (rule 39).
#[utoipa::path(post, path = "/transporters/v2/vehicles", tag = "Transporters", params(LicenseParam), request_body = Vec<VehicleRequest>, responses((status = 200, body = Ids)))]
pub async fn create_vehicles(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Ids>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, MANAGE).await?;
    let body = parse_body::<VehicleRequest>(&s.ledger.config, &body)?;
    let specs = vehicle_specs(&body.items, false);
    let act = action(
        &headers,
        "POST /transporters/v2/vehicles",
        "Register vehicles",
        body.raw,
    )?;
    Ok(created(
        s.ledger
            .upsert_vehicles(&caller.0, &scope, act, &specs)
            .await?,
    ))
}

#[utoipa::path(put, path = "/transporters/v2/vehicles", tag = "Transporters", params(LicenseParam), request_body = Vec<VehicleRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_vehicles(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let scope = caller.authorize(&s, q.license()?, MANAGE).await?;
    let body = parse_body::<VehicleRequest>(&s.ledger.config, &body)?;
    require_ids(body.items.iter().map(|r| r.id))?;
    let specs = vehicle_specs(&body.items, true);
    let act = action(
        &headers,
        "PUT /transporters/v2/vehicles",
        "Update vehicles",
        body.raw,
    )?;
    s.ledger
        .upsert_vehicles(&caller.0, &scope, act, &specs)
        .await?;
    Ok(empty_ok())
}

#[utoipa::path(delete, path = "/transporters/v2/vehicles/{id}", tag = "Transporters", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_vehicle(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    archive_one::<Vehicle>(
        &s,
        &caller,
        &q,
        &headers,
        &id,
        MANAGE,
        ("/transporters/v2/vehicles", "Vehicle"),
    )
    .await
}
