//! Strains.

use crate::error::ApiError;
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::{Read, Write, created, map, ok};
use axum::extract::Path;
use axum::http::StatusCode;
use tagtrail_app::actions::strains;
use tagtrail_domain::commands::catalog::StrainSpec;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::Strain;
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::StrainRequest;
use tagtrail_metrc::{Ids, Paged};

const PERMS: &[Permission] = &[Permission::ManageStrains];

/// A create addresses no existing strain, whatever `Id` the body carries.
fn new_strain(r: &StrainRequest) -> StrainSpec {
    StrainSpec {
        id: None,
        ..map::strain_spec(r)
    }
}

#[utoipa::path(post, path = "/strains/v2", tag = "Strains", params(LicenseParam), request_body = Vec<StrainRequest>, responses((status = 200, body = Ids)))]
pub async fn create_strains(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<strains::Create, StrainRequest>(map::each(new_strain))
        .await
        .map(created)
}

#[utoipa::path(put, path = "/strains/v2", tag = "Strains", params(LicenseParam), request_body = Vec<StrainRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_strains(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<strains::Update, StrainRequest>(map::each(map::strain_spec))
        .await
        .map(ok)
}

#[utoipa::path(get, path = "/strains/v2/active", tag = "Strains", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Strain>)))]
pub async fn get_active_strains(r: Read) -> Result<Json<Paged<wire::Strain>>, ApiError> {
    r.list::<Strain, _>(PERMS, Some(true), true, |q| q, map::strain)
        .await
}

#[utoipa::path(get, path = "/strains/v2/inactive", tag = "Strains", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::Strain>)))]
pub async fn get_inactive_strains(r: Read) -> Result<Json<Paged<wire::Strain>>, ApiError> {
    r.list::<Strain, _>(PERMS, Some(false), false, |q| q, map::strain)
        .await
}

#[utoipa::path(get, path = "/strains/v2/{id}", tag = "Strains", params(("id" = i64, Path), ("licenseNumber" = Option<String>, Query)), responses((status = 200, body = wire::Strain)))]
pub async fn get_strain(r: Read, Path(id): Path<String>) -> Result<Json<wire::Strain>, ApiError> {
    r.one::<Strain, _>(&id, PERMS, "Strain", map::strain).await
}

#[utoipa::path(delete, path = "/strains/v2/{id}", tag = "Strains", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_strain(Path(id): Path<String>, w: Write) -> Result<StatusCode, ApiError> {
    w.run_on::<strains::Archive>(&id).await
}
