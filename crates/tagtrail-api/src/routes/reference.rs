//! Facilities, employees and the global reference lists.

use crate::error::ApiError;
use crate::extract::Caller;
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams};
use crate::{AppState, Read, map};
use axum::extract::State;
use axum::http::StatusCode;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::{quantity, reference as refdata};
use tagtrail_metrc::Paged;
use tagtrail_metrc::records as wire;

/// Every facility the user key may act for.
#[utoipa::path(get, path = "/facilities/v2", tag = "Facilities", responses((status = 200, body = Vec<wire::Facility>)))]
pub async fn get_facilities(
    State(s): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<wire::Facility>>, ApiError> {
    let Some(user) = caller.0.user() else {
        return Ok(Json(vec![]));
    };
    let list = s.ledger.facilities_of(&caller.0).await?;
    Ok(Json(
        list.iter()
            .map(|(f, job)| map::facility(f, job, user))
            .collect(),
    ))
}

#[utoipa::path(get, path = "/employees/v2", tag = "Employees", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::Employee>)))]
pub async fn get_employees(r: Read) -> Result<Json<Paged<wire::Employee>>, ApiError> {
    let scope = r
        .scope(&[Permission::ViewEmployees, Permission::ManageEmployees])
        .await?;
    let paging = r.params().paging(&r.ledger().config)?;
    let (total, rows) = r.ledger().employees(&scope, paging).await?;
    r.paged(
        rows.iter().map(|(u, j)| map::employee(u, j)).collect(),
        total,
    )
}

/// The permissions an employee (by employee license number) holds at the facility.
#[utoipa::path(get, path = "/employees/v2/permissions", tag = "Employees", params(LicenseParam, ("employeeLicenseNumber" = String, Query)), responses((status = 200, body = Vec<String>)))]
pub async fn get_employee_permissions(r: Read) -> Result<Json<Vec<String>>, ApiError> {
    let scope = r.scope(&[Permission::ManageEmployees]).await?;
    let wanted = r
        .params()
        .get("employeeLicenseNumber")
        .ok_or_else(|| ApiError::bad_request("employeeLicenseNumber is required."))?;
    let (_, rows) = r.ledger().employees(&scope, None).await?;
    let (_, job) = rows
        .iter()
        .find(|(u, _)| u.employee_license_number.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            ApiError::Status(
                StatusCode::NOT_FOUND,
                format!("No employee with license number {wanted} at this facility."),
            )
        })?;
    Ok(Json(
        job.permissions.iter().map(|p| p.wire_name()).collect(),
    ))
}

#[utoipa::path(get, path = "/unitsofmeasure/v2/active", tag = "UnitsOfMeasure", responses((status = 200, body = Vec<wire::UnitOfMeasure>)))]
pub async fn get_units_active(_: Caller) -> Json<Vec<wire::UnitOfMeasure>> {
    Json(
        quantity::UNITS
            .iter()
            .filter(|u| u.active)
            .map(map::unit)
            .collect(),
    )
}

#[utoipa::path(get, path = "/unitsofmeasure/v2/inactive", tag = "UnitsOfMeasure", responses((status = 200, body = Vec<wire::UnitOfMeasure>)))]
pub async fn get_units_inactive(_: Caller) -> Json<Vec<wire::UnitOfMeasure>> {
    Json(
        quantity::UNITS
            .iter()
            .filter(|u| !u.active)
            .map(map::unit)
            .collect(),
    )
}

#[utoipa::path(get, path = "/wastemethods/v2", tag = "WasteMethods", responses((status = 200, body = Vec<wire::NameOnly>)))]
pub async fn get_waste_methods(_: Caller) -> Json<Vec<wire::NameOnly>> {
    Json(
        refdata::WASTE_METHODS
            .iter()
            .map(|m| wire::NameOnly {
                name: Some((*m).into()),
            })
            .collect(),
    )
}
