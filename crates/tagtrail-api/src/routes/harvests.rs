//! Harvests (`metrc-v2-api.md` §12 Harvests), and the two Plants endpoints that make them:
//! `PUT /plants/v2/harvest` and `POST /plants/v2/manicure`.

use crate::error::ApiError;
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::{Read, Write, created, map, ok};
use axum::extract::Path;
use axum::http::StatusCode;
use tagtrail_app::actions::harvests as act;
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::commands::harvests::{
    self as cmd, FinishSpec, HarvestIngredient, HarvestPackageSpec, HarvestPlantSpec, MoveSpec,
    RenameSpec, RestoreSpec, WasteSpec,
};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Harvest, HarvestWaste, Package};
use tagtrail_metrc::harvests::{self as wire, *};
use tagtrail_metrc::{Ids, Paged};

const VIEW: &[Permission] = &[Permission::ViewHarvests];

/// A harvest as Metrc shows it.
pub(super) fn harvest(h: &Harvest) -> wire::Harvest {
    wire::Harvest {
        id: Some(h.id),
        name: Some(h.name.clone()),
        harvest_type: Some(h.harvest_type.as_str().to_string()),
        source_strain_count: Some(h.strain_names.len() as i64),
        source_strain_names: Some(h.strain_names.join(", ")),
        strains: h.strain_names.clone(),
        drying_location_id: Some(h.drying_location_id),
        drying_location_name: Some(h.drying_location_name.clone()),
        drying_sublocation_id: h.drying_sublocation_id,
        drying_sublocation_name: h.drying_sublocation_name.clone(),
        drying_location_type_name: Some(h.drying_location_type_name.clone()),
        patient_license_number: h.patient_license_number.clone(),
        current_weight: Some(h.current_weight()),
        total_waste_weight: Some(h.total_waste_weight),
        plant_count: Some(h.plant_count() as i64),
        total_wet_weight: Some(h.total_wet_weight),
        total_restored_weight: Some(h.total_restored_weight),
        package_count: Some(i64::from(h.package_count)),
        total_packaged_weight: Some(h.total_packaged_weight),
        unit_of_weight_name: Some(h.unit_of_weight.clone()),
        lab_testing_state: Some(h.lab_testing_state.name().to_string()),
        lab_testing_state_date: Some(h.lab_testing_state_date.clone()),
        is_on_hold: Some(h.on_hold),
        is_on_investigation: Some(false),
        is_on_investigation_hold: Some(false),
        is_on_investigation_recall: Some(false),
        harvest_start_date: Some(h.harvest_start_date.clone()),
        finished_date: h.finished_date.clone(),
        archived_date: h.archived_date.clone(),
        last_modified: Some(h.last_modified.clone()),
    }
}

fn waste(w: &HarvestWaste) -> wire::HarvestWaste {
    wire::HarvestWaste {
        id: Some(w.id),
        waste_type_name: Some(w.waste_type.clone()),
        waste_weight: Some(w.waste_weight),
        unit_of_weight_name: Some(w.unit_of_weight.clone()),
        actual_date: Some(w.actual_date.clone()),
    }
}

fn by_status(statuses: &'static [&'static str]) -> impl FnOnce(ListQuery) -> ListQuery {
    move |q| q.with(Column::Status, statuses.iter().copied())
}

/// Harvests being worked (held ones included, as for packages).
#[utoipa::path(get, path = "/harvests/v2/active", tag = "Harvests", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Harvest>)))]
pub async fn get_active_harvests(r: Read) -> Result<Json<Paged<wire::Harvest>>, ApiError> {
    r.list::<Harvest, _>(VIEW, Some(true), true, |q| q, harvest)
        .await
}

/// Finished harvests: out of the active list, still readable (rule 72).
#[utoipa::path(get, path = "/harvests/v2/inactive", tag = "Harvests", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Harvest>)))]
pub async fn get_inactive_harvests(r: Read) -> Result<Json<Paged<wire::Harvest>>, ApiError> {
    r.list::<Harvest, _>(VIEW, Some(false), true, |q| q, harvest)
        .await
}

#[utoipa::path(get, path = "/harvests/v2/onhold", tag = "Harvests", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Harvest>)))]
pub async fn get_onhold_harvests(r: Read) -> Result<Json<Paged<wire::Harvest>>, ApiError> {
    r.list::<Harvest, _>(VIEW, None, true, by_status(&["OnHold"]), harvest)
        .await
}

#[utoipa::path(get, path = "/harvests/v2/{id}", tag = "Harvests", params(("id" = i64, Path), ("licenseNumber" = Option<String>, Query)), responses((status = 200, body = wire::Harvest)))]
pub async fn get_harvest(r: Read, Path(id): Path<String>) -> Result<Json<wire::Harvest>, ApiError> {
    r.one::<Harvest, _>(&id, VIEW, "Harvest", harvest).await
}

/// The waste records of one harvest (discontinued ones leave the list).
#[utoipa::path(get, path = "/harvests/v2/waste", tag = "Harvests", params(LicenseParam, ("harvestId" = i64, Query), PagingParams), responses((status = 200, body = Paged<wire::HarvestWaste>)))]
pub async fn get_harvest_waste(r: Read) -> Result<Json<Paged<wire::HarvestWaste>>, ApiError> {
    let raw = r
        .params()
        .get("harvestId")
        .ok_or_else(|| ApiError::bad_request("harvestId is required."))?;
    let id = raw
        .trim()
        .parse::<i64>()
        .map_err(|_| ApiError::bad_request(format!("harvestId {raw} is not a number.")))?;
    let scope = r.scope(VIEW).await?;
    // The harvest must be this facility's: 404 for none, 401 for another's.
    r.ledger().get::<Harvest>(&scope, id, "Harvest").await?;
    r.list::<HarvestWaste, _>(
        VIEW,
        Some(true),
        false,
        |q| q.with(Column::HarvestId, [id]),
        waste,
    )
    .await
}

#[utoipa::path(get, path = "/harvests/v2/waste/types", tag = "Harvests", params(PagingParams), responses((status = 200, body = Paged<wire::NameOnly>)))]
pub async fn get_harvest_waste_types(r: Read) -> Result<Json<Paged<wire::NameOnly>>, ApiError> {
    r.page_of(
        cmd::WASTE_TYPES
            .iter()
            .map(|n| wire::NameOnly {
                name: Some(n.to_string()),
            })
            .collect(),
    )
}

fn plant_spec(r: &HarvestPlantRequest) -> HarvestPlantSpec {
    HarvestPlantSpec {
        plant: r.plant.clone(),
        weight: r.weight,
        unit_of_weight: r.unit_of_weight.clone(),
        drying_location: r.drying_location.clone(),
        drying_sublocation: r.drying_sublocation.clone(),
        harvest_name: r.harvest_name.clone(),
        patient_license_number: r.patient_license_number.clone(),
        actual_date: r.actual_date.clone(),
    }
}

/// Harvests whole flowering plants into harvests by name (made if none of that name exists).
#[utoipa::path(put, path = "/plants/v2/harvest", tag = "Plants", params(LicenseParam), request_body = Vec<HarvestPlantRequest>, responses((status = 200, description = "empty body")))]
pub async fn harvest_plants(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::HarvestPlants, HarvestPlantRequest>(map::each(plant_spec))
        .await
        .map(ok)
}

/// Manicures growing plants into harvests (rule 25); the plants keep growing. Answers the
/// harvest each row went into.
#[utoipa::path(post, path = "/plants/v2/manicure", tag = "Plants", params(LicenseParam), request_body = Vec<HarvestPlantRequest>, responses((status = 200, body = Ids)))]
pub async fn manicure_plants(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::Manicure, HarvestPlantRequest>(map::each(plant_spec))
        .await
        .map(created)
}

/// Finishes harvests (rule 72).
#[utoipa::path(put, path = "/harvests/v2/finish", tag = "Harvests", params(LicenseParam), request_body = Vec<HarvestFinishRequest>, responses((status = 200, body = Ids)))]
pub async fn finish_harvests(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::Finish, HarvestFinishRequest>(map::each(|r: &HarvestFinishRequest| FinishSpec {
        id: r.id,
        actual_date: r.actual_date.clone(),
    }))
    .await
    .map(created)
}

/// Unfinishes harvests (rule 72).
#[utoipa::path(put, path = "/harvests/v2/unfinish", tag = "Harvests", params(LicenseParam), request_body = Vec<HarvestIdRequest>, responses((status = 200, body = Ids)))]
pub async fn unfinish_harvests(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::Unfinish, HarvestIdRequest>(map::each(|r: &HarvestIdRequest| r.id))
        .await
        .map(created)
}

#[utoipa::path(put, path = "/harvests/v2/rename", tag = "Harvests", params(LicenseParam), request_body = Vec<HarvestRenameRequest>, responses((status = 200, body = Ids)))]
pub async fn rename_harvests(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::Rename, HarvestRenameRequest>(map::each(|r: &HarvestRenameRequest| RenameSpec {
        id: r.id,
        old_name: r.old_name.clone(),
        new_name: r.new_name.clone(),
    }))
    .await
    .map(created)
}

#[utoipa::path(put, path = "/harvests/v2/location", tag = "Harvests", params(LicenseParam), request_body = Vec<HarvestLocationRequest>, responses((status = 200, body = Ids)))]
pub async fn move_harvests(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::Move, HarvestLocationRequest>(map::each(|r: &HarvestLocationRequest| MoveSpec {
        id: r.id,
        harvest_name: r.harvest_name.clone(),
        drying_location: r.drying_location.clone(),
        drying_sublocation: r.drying_sublocation.clone(),
        actual_date: r.actual_date.clone(),
    }))
    .await
    .map(created)
}

/// Restores harvested plants out of a harvest: back to flowering, their weight out of it.
#[utoipa::path(put, path = "/harvests/v2/restore/harvestedplants", tag = "Harvests", params(LicenseParam), request_body = Vec<HarvestRestoreRequest>, responses((status = 200, body = Ids)))]
pub async fn restore_harvested_plants(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::RestorePlants, HarvestRestoreRequest>(map::each(|r: &HarvestRestoreRequest| {
        RestoreSpec {
            harvest_id: r.harvest_id,
            plant_tags: r.plant_tags.clone(),
        }
    }))
    .await
    .map(created)
}

/// Records waste against harvests (rule 57); answers the waste records' ids.
#[utoipa::path(post, path = "/harvests/v2/waste", tag = "Harvests", params(LicenseParam), request_body = Vec<HarvestWasteRequest>, responses((status = 200, body = Ids)))]
pub async fn record_harvest_waste(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::RecordWaste, HarvestWasteRequest>(map::each(|r: &HarvestWasteRequest| WasteSpec {
        id: r.id,
        waste_type: r.waste_type.clone(),
        unit_of_weight: r.unit_of_weight.clone(),
        waste_weight: r.waste_weight,
        actual_date: r.actual_date.clone(),
    }))
    .await
    .map(created)
}

/// Discontinues one waste record; its weight goes back to the harvest.
#[utoipa::path(delete, path = "/harvests/v2/waste/{id}", tag = "Harvests", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn discontinue_harvest_waste(
    Path(id): Path<String>,
    w: Write,
) -> Result<StatusCode, ApiError> {
    w.run_on::<act::DiscontinueWaste>(&id).await
}

fn package_spec(r: &HarvestPackageRequest) -> HarvestPackageSpec {
    HarvestPackageSpec {
        tag: r.tag.clone(),
        location: r.location.clone(),
        sublocation: r.sublocation.clone(),
        item: r.item.clone(),
        unit_of_weight: r.unit_of_weight.clone(),
        patient_license_number: r.patient_license_number.clone(),
        note: r.note.clone(),
        is_production_batch: r.is_production_batch.unwrap_or(false),
        production_batch_number: r.production_batch_number.clone(),
        is_trade_sample: r.is_trade_sample.unwrap_or(false),
        is_donation: r.is_donation.unwrap_or(false),
        product_requires_remediation: r.product_requires_remediation.unwrap_or(false),
        actual_date: r.actual_date.clone(),
        expiration_date: r.expiration_date.clone(),
        sell_by_date: r.sell_by_date.clone(),
        use_by_date: r.use_by_date.clone(),
        ingredients: r
            .ingredients
            .iter()
            .map(|i| HarvestIngredient {
                harvest_id: i.harvest_id,
                harvest_name: i.harvest_name.clone(),
                weight: i.weight,
                unit_of_weight: i.unit_of_weight.clone(),
            })
            .collect(),
    }
}

/// Creates packages from harvests: each weighs what its ingredients take from them.
#[utoipa::path(post, path = "/harvests/v2/packages", tag = "Harvests", params(LicenseParam), request_body = Vec<HarvestPackageRequest>, responses((status = 200, body = Ids)))]
pub async fn create_harvest_packages(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::CreatePackages, HarvestPackageRequest>(map::each(package_spec))
        .await
        .map(created)
}

/// Creates testing-sample packages from harvests (the harvests are submitted for testing).
#[utoipa::path(post, path = "/harvests/v2/packages/testing", tag = "Harvests", params(LicenseParam), request_body = Vec<HarvestPackageRequest>, responses((status = 200, body = Ids)))]
pub async fn create_harvest_testing_packages(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::CreateTestingPackages, HarvestPackageRequest>(map::each(package_spec))
        .await
        .map(created)
}

/// The source harvests of a package, as `GET /packages/v2/{id}/source/harvests` answers them.
pub(crate) fn source_harvests(p: &Package) -> Vec<PackageSourceHarvest> {
    p.source_harvests
        .iter()
        .map(|s| PackageSourceHarvest {
            harvested_by_facility_license_number: Some(s.harvested_by_license.clone()),
            harvested_by_facility_name: Some(s.harvested_by_name.clone()),
            name: Some(s.name.clone()),
            harvest_start_date: Some(s.harvest_start_date.clone()),
        })
        .collect()
}
