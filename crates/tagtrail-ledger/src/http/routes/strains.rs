//! Strains.

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
use tagtrail_domain::records::Strain;
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::StrainRequest;
use tagtrail_metrc::{Ids, Paged};

const PERMS: &[&str] = &["Manage Strains"];

#[utoipa::path(post, path = "/strains/v2", tag = "Strains", params(LicenseParam), request_body = Vec<StrainRequest>, responses((status = 200, body = Ids)))]
pub async fn create_strains(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Ids>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, PERMS).await?;
    let body = parse_body::<StrainRequest>(&s.ledger.config, &body)?;
    let specs: Vec<_> = body
        .items
        .iter()
        .map(|r| {
            map::strain_spec(&StrainRequest {
                id: None,
                ..r.clone()
            })
        })
        .collect();
    Ok(created(
        s.ledger
            .upsert_strains(
                &caller.0,
                &scope,
                action(&headers, "POST /strains/v2", "Create strains", body.raw)?,
                &specs,
            )
            .await?,
    ))
}

#[utoipa::path(put, path = "/strains/v2", tag = "Strains", params(LicenseParam), request_body = Vec<StrainRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_strains(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let scope = caller.authorize(&s, q.license()?, PERMS).await?;
    let body = parse_body::<StrainRequest>(&s.ledger.config, &body)?;
    require_ids(body.items.iter().map(|r| r.id))?;
    let specs: Vec<_> = body.items.iter().map(map::strain_spec).collect();
    s.ledger
        .upsert_strains(
            &caller.0,
            &scope,
            action(&headers, "PUT /strains/v2", "Update strains", body.raw)?,
            &specs,
        )
        .await?;
    Ok(empty_ok())
}

#[utoipa::path(get, path = "/strains/v2/active", tag = "Strains", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Strain>)))]
pub async fn get_active_strains(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::Strain>>, ApiError> {
    list_scoped::<Strain, _>(
        &s,
        &caller,
        &q,
        PERMS,
        Some(true),
        true,
        |_| {},
        map::strain,
    )
    .await
}

#[utoipa::path(get, path = "/strains/v2/inactive", tag = "Strains", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::Strain>)))]
pub async fn get_inactive_strains(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::Strain>>, ApiError> {
    list_scoped::<Strain, _>(
        &s,
        &caller,
        &q,
        PERMS,
        Some(false),
        false,
        |_| {},
        map::strain,
    )
    .await
}

#[utoipa::path(get, path = "/strains/v2/{id}", tag = "Strains", params(("id" = i64, Path), ("licenseNumber" = Option<String>, Query)), responses((status = 200, body = wire::Strain)))]
pub async fn get_strain(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    Path(id): Path<String>,
) -> Result<Json<wire::Strain>, ApiError> {
    get_scoped::<Strain, _>(&s, &caller, &q, &id, PERMS, "Strain", map::strain).await
}

#[utoipa::path(delete, path = "/strains/v2/{id}", tag = "Strains", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_strain(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    archive_one::<Strain>(
        &s,
        &caller,
        &q,
        &headers,
        &id,
        PERMS,
        ("/strains/v2", "Strain"),
    )
    .await
}
