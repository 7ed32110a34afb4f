//! Locations, location types and sublocations.

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
use tagtrail_domain::commands::premises::SublocationSpec;
use tagtrail_domain::records::{Location, Sublocation};
use tagtrail_domain::reference;
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::{IdNameRequest, LocationRequest};
use tagtrail_metrc::{Ids, Paged};

const PERMS: &[&str] = &["Manage Locations"];

#[utoipa::path(post, path = "/locations/v2", tag = "Locations", params(LicenseParam), request_body = Vec<LocationRequest>, responses((status = 200, body = Ids)))]
pub async fn create_locations(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Ids>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, PERMS).await?;
    let body = parse_body::<LocationRequest>(&s.ledger.config, &body)?;
    let specs: Vec<_> = body
        .items
        .iter()
        .map(|r| {
            map::location_spec(&LocationRequest {
                id: None,
                ..r.clone()
            })
        })
        .collect();
    Ok(created(
        s.ledger
            .upsert_locations(
                &caller.0,
                &scope,
                action(&headers, "POST /locations/v2", "Create locations", body.raw)?,
                &specs,
            )
            .await?,
    ))
}

#[utoipa::path(put, path = "/locations/v2", tag = "Locations", params(LicenseParam), request_body = Vec<LocationRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_locations(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let scope = caller.authorize(&s, q.license()?, PERMS).await?;
    let body = parse_body::<LocationRequest>(&s.ledger.config, &body)?;
    require_ids(body.items.iter().map(|r| r.id))?;
    let specs: Vec<_> = body.items.iter().map(map::location_spec).collect();
    s.ledger
        .upsert_locations(
            &caller.0,
            &scope,
            action(&headers, "PUT /locations/v2", "Update locations", body.raw)?,
            &specs,
        )
        .await?;
    Ok(empty_ok())
}

#[utoipa::path(get, path = "/locations/v2/active", tag = "Locations", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Location>)))]
pub async fn get_active_locations(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::Location>>, ApiError> {
    list_scoped::<Location, _>(
        &s,
        &caller,
        &q,
        PERMS,
        Some(true),
        true,
        |_| {},
        map::location,
    )
    .await
}

#[utoipa::path(get, path = "/locations/v2/inactive", tag = "Locations", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::Location>)))]
pub async fn get_inactive_locations(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::Location>>, ApiError> {
    list_scoped::<Location, _>(
        &s,
        &caller,
        &q,
        PERMS,
        Some(false),
        false,
        |_| {},
        map::location,
    )
    .await
}

/// Location types this facility's license type may use.
#[utoipa::path(get, path = "/locations/v2/types", tag = "Locations", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::LocationType>)))]
pub async fn get_location_types(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::LocationType>>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, PERMS).await?;
    let all: Vec<_> = reference::location_types_for(scope.facility.license_type)
        .map(map::location_type)
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

#[utoipa::path(get, path = "/locations/v2/{id}", tag = "Locations", params(("id" = i64, Path), ("licenseNumber" = Option<String>, Query)), responses((status = 200, body = wire::Location)))]
pub async fn get_location(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    Path(id): Path<String>,
) -> Result<Json<wire::Location>, ApiError> {
    get_scoped::<Location, _>(&s, &caller, &q, &id, PERMS, "Location", map::location).await
}

#[utoipa::path(delete, path = "/locations/v2/{id}", tag = "Locations", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_location(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    archive_one::<Location>(
        &s,
        &caller,
        &q,
        &headers,
        &id,
        PERMS,
        ("/locations/v2", "Location"),
    )
    .await
}

fn sub_specs(items: &[IdNameRequest], with_ids: bool) -> Vec<SublocationSpec> {
    items
        .iter()
        .map(|r| SublocationSpec {
            id: if with_ids { r.id } else { None },
            name: r.name.clone(),
        })
        .collect()
}

#[utoipa::path(post, path = "/sublocations/v2", tag = "Sublocations", params(LicenseParam), request_body = Vec<IdNameRequest>, responses((status = 200, body = Ids)))]
pub async fn create_sublocations(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Ids>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, PERMS).await?;
    let body = parse_body::<IdNameRequest>(&s.ledger.config, &body)?;
    let specs = sub_specs(&body.items, false);
    Ok(created(
        s.ledger
            .upsert_sublocations(
                &caller.0,
                &scope,
                action(
                    &headers,
                    "POST /sublocations/v2",
                    "Create sublocations",
                    body.raw,
                )?,
                &specs,
            )
            .await?,
    ))
}

#[utoipa::path(put, path = "/sublocations/v2", tag = "Sublocations", params(LicenseParam), request_body = Vec<IdNameRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_sublocations(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let scope = caller.authorize(&s, q.license()?, PERMS).await?;
    let body = parse_body::<IdNameRequest>(&s.ledger.config, &body)?;
    require_ids(body.items.iter().map(|r| r.id))?;
    let specs = sub_specs(&body.items, true);
    s.ledger
        .upsert_sublocations(
            &caller.0,
            &scope,
            action(
                &headers,
                "PUT /sublocations/v2",
                "Update sublocations",
                body.raw,
            )?,
            &specs,
        )
        .await?;
    Ok(empty_ok())
}

#[utoipa::path(get, path = "/sublocations/v2/active", tag = "Sublocations", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::IdName>)))]
pub async fn get_active_sublocations(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::IdName>>, ApiError> {
    list_scoped::<Sublocation, _>(
        &s,
        &caller,
        &q,
        PERMS,
        Some(true),
        true,
        |_| {},
        map::sublocation,
    )
    .await
}

#[utoipa::path(get, path = "/sublocations/v2/inactive", tag = "Sublocations", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::IdName>)))]
pub async fn get_inactive_sublocations(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::IdName>>, ApiError> {
    list_scoped::<Sublocation, _>(
        &s,
        &caller,
        &q,
        PERMS,
        Some(false),
        false,
        |_| {},
        map::sublocation,
    )
    .await
}

#[utoipa::path(get, path = "/sublocations/v2/{id}", tag = "Sublocations", params(("id" = i64, Path), ("licenseNumber" = Option<String>, Query)), responses((status = 200, body = wire::IdName)))]
pub async fn get_sublocation(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    Path(id): Path<String>,
) -> Result<Json<wire::IdName>, ApiError> {
    get_scoped::<Sublocation, _>(&s, &caller, &q, &id, PERMS, "Sublocation", map::sublocation).await
}

#[utoipa::path(delete, path = "/sublocations/v2/{id}", tag = "Sublocations", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_sublocation(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    archive_one::<Sublocation>(
        &s,
        &caller,
        &q,
        &headers,
        &id,
        PERMS,
        ("/sublocations/v2", "Sublocation"),
    )
    .await
}
