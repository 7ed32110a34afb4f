//! Plants (`metrc-v2-api.md` "Plants"): individually tagged plants, their lists, growth phase,
//! moves, strain and tag changes, waste and destruction, plantings and packages of clones from a
//! plant. Harvest and manicure are served with the harvests; additives, split, merge and adjust
//! are not served yet.

use super::plantbatches::{VIEW_WASTE, reasons, waste};
use crate::error::ApiError;
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::{Read, Write, created, map, ok};
use axum::extract::Path;
use axum::http::StatusCode;
use tagtrail_app::actions::plants as act;
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::commands::plants::WasteSpec;
use tagtrail_domain::commands::plants::batches::{PackageSpec, Planting};
use tagtrail_domain::commands::plants::clones::PlantPackageSpec;
use tagtrail_domain::commands::plants::tagged::{
    DestroySpec, GrowthPhaseSpec, MoveSpec, PlantWasteSpec, StrainSpec, TagSpec,
};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{self as rec, GrowthPhase};
use tagtrail_domain::reference;
use tagtrail_metrc::plants::*;
use tagtrail_metrc::records::ReasonDefinition;
use tagtrail_metrc::{Ids, Paged};

const VIEW: &[Permission] = &[Permission::ViewVegFlowerPlants];
const VIEW_MOTHERS: &[Permission] = &[Permission::ViewMotherPlants];

pub(super) fn plant(p: &rec::Plant) -> Plant {
    Plant {
        id: Some(p.id),
        label: Some(p.label.to_string()),
        state: Some(p.state.as_str().into()),
        growth_phase: Some(p.growth_phase.as_str().into()),
        group_tag_type_max: Some(0),
        tag_type_max: Some(1),
        plant_batch_id: Some(p.plant_batch_id),
        plant_batch_name: Some(p.plant_batch_name.clone()),
        plant_batch_type_id: Some(p.plant_batch_type.id()),
        plant_batch_type_name: Some(p.plant_batch_type.as_str().into()),
        strain_id: Some(p.strain_id),
        strain_name: Some(p.strain_name.clone()),
        location_id: Some(p.location_id),
        location_name: Some(p.location_name.clone()),
        location_type_name: Some(p.location_type_name.clone()),
        sublocation_id: p.sublocation_id,
        sublocation_name: p.sublocation_name.clone(),
        patient_license_number: p.patient_license_number.clone(),
        harvest_id: p.harvest_id,
        harvested_unit_of_weight_name: p.harvested_unit_of_weight_name.clone(),
        harvested_unit_of_weight_abbreviation: p
            .harvested_unit_of_weight_name
            .as_deref()
            .and_then(tagtrail_domain::quantity::unit)
            .map(|u| u.abbreviation.into()),
        harvested_wet_weight: p.harvested_wet_weight,
        harvest_count: Some(p.harvest_count),
        is_on_hold: Some(p.on_hold),
        is_on_investigation: Some(false),
        is_on_investigation_hold: Some(false),
        is_on_investigation_recall: Some(false),
        planted_date: Some(p.planted_date.clone()),
        vegetative_date: p.vegetative_date.clone(),
        flowering_date: p.flowering_date.clone(),
        harvested_date: p.harvested_date.clone(),
        destroyed_date: p.destroyed_date.clone(),
        destroyed_note: p.destroyed_note.clone(),
        destroyed_by_user_name: p.destroyed_by_user_name.clone(),
        mother_plant_date: p.mother_plant_date.clone(),
        cloned_count: Some(p.cloned_count),
        survived_count: None,
        descended_count: None,
        last_modified: Some(p.last_modified.clone()),
    }
}

/// A list of plants: of one status, mother plants or the others.
fn listed(statuses: &'static [&'static str], mother: bool) -> impl FnOnce(ListQuery) -> ListQuery {
    move |q| {
        q.with(Column::Status, statuses.iter().copied())
            .with(Column::Mother, [mother])
    }
}

const GROWING: &[&str] = &["Vegetative", "Flowering", "OnHold"];
const ENDED: &[&str] = &["Harvested", "Destroyed"];

#[utoipa::path(get, path = "/plants/v2/vegetative", tag = "Plants", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<Plant>)))]
pub async fn get_vegetative(r: Read) -> Result<Json<Paged<Plant>>, ApiError> {
    r.list::<rec::Plant, _>(
        VIEW,
        Some(true),
        true,
        listed(&["Vegetative"], false),
        plant,
    )
    .await
}

#[utoipa::path(get, path = "/plants/v2/flowering", tag = "Plants", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<Plant>)))]
pub async fn get_flowering(r: Read) -> Result<Json<Paged<Plant>>, ApiError> {
    r.list::<rec::Plant, _>(VIEW, Some(true), true, listed(&["Flowering"], false), plant)
        .await
}

#[utoipa::path(get, path = "/plants/v2/onhold", tag = "Plants", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<Plant>)))]
pub async fn get_onhold(r: Read) -> Result<Json<Paged<Plant>>, ApiError> {
    r.list::<rec::Plant, _>(VIEW, Some(true), true, listed(&["OnHold"], false), plant)
        .await
}

/// Harvested and destroyed plants.
#[utoipa::path(get, path = "/plants/v2/inactive", tag = "Plants", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<Plant>)))]
pub async fn get_inactive(r: Read) -> Result<Json<Paged<Plant>>, ApiError> {
    r.list::<rec::Plant, _>(VIEW, Some(false), true, listed(ENDED, false), plant)
        .await
}

/// Growing mother plants (a plant becomes one when clones are taken from it).
#[utoipa::path(get, path = "/plants/v2/mother", tag = "Plants", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<Plant>)))]
pub async fn get_mothers(r: Read) -> Result<Json<Paged<Plant>>, ApiError> {
    r.list::<rec::Plant, _>(VIEW_MOTHERS, Some(true), true, listed(GROWING, true), plant)
        .await
}

#[utoipa::path(get, path = "/plants/v2/mother/inactive", tag = "Plants", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<Plant>)))]
pub async fn get_inactive_mothers(r: Read) -> Result<Json<Paged<Plant>>, ApiError> {
    r.list::<rec::Plant, _>(VIEW_MOTHERS, Some(false), true, listed(ENDED, true), plant)
        .await
}

#[utoipa::path(get, path = "/plants/v2/mother/onhold", tag = "Plants", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<Plant>)))]
pub async fn get_onhold_mothers(r: Read) -> Result<Json<Paged<Plant>>, ApiError> {
    r.list::<rec::Plant, _>(
        VIEW_MOTHERS,
        Some(true),
        true,
        listed(&["OnHold"], true),
        plant,
    )
    .await
}

/// One plant by numeric id or by tag label (an all-digit segment is an id). A plant of another
/// facility answers 401 either way, as Metrc documents for `licenseNumber` naming a facility the
/// record is not in; by id without `licenseNumber` the plant's own facility must be the caller's.
#[utoipa::path(get, path = "/plants/v2/{id}", tag = "Plants", params(("id" = String, Path, description = "Id or label"), ("licenseNumber" = Option<String>, Query)), responses((status = 200, body = Plant)))]
pub async fn get_plant(r: Read, Path(key): Path<String>) -> Result<Json<Plant>, ApiError> {
    let key = key.trim();
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_digit()) {
        return r.one::<rec::Plant, _>(key, VIEW, "Plant", plant).await;
    }
    let scope = r.scope(VIEW).await?;
    let p: rec::Plant = r
        .ledger()
        .by_key(&scope, &key.to_ascii_uppercase(), "Plant")
        .await?;
    Ok(Json(plant(&p)))
}

#[utoipa::path(get, path = "/plants/v2/growthphases", tag = "Plants", params(LicenseParam), responses((status = 200, body = Vec<String>)))]
pub async fn get_growth_phases(r: Read) -> Result<Json<Vec<String>>, ApiError> {
    r.scope(VIEW).await?;
    Ok(Json(
        GrowthPhase::ALL
            .iter()
            .map(|p| p.as_str().to_string())
            .collect(),
    ))
}

#[utoipa::path(put, path = "/plants/v2/growthphase", tag = "Plants", params(LicenseParam), request_body = Vec<PlantGrowthPhaseRequest>, responses((status = 200, description = "empty body")))]
pub async fn change_growth_phase(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::ChangePlantGrowthPhase, PlantGrowthPhaseRequest>(map::each(
        |r: &PlantGrowthPhaseRequest| GrowthPhaseSpec {
            id: r.id,
            label: r.label.clone(),
            new_tag: r.new_tag.clone(),
            growth_phase: r.growth_phase.clone(),
            new_location: r.new_location.clone(),
            new_sublocation: r.new_sublocation.clone(),
            growth_date: r.growth_date.clone(),
        },
    ))
    .await
    .map(ok)
}

#[utoipa::path(put, path = "/plants/v2/location", tag = "Plants", params(LicenseParam), request_body = Vec<PlantLocationRequest>, responses((status = 200, description = "empty body")))]
pub async fn move_plants(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::MovePlants, PlantLocationRequest>(map::each(|r: &PlantLocationRequest| MoveSpec {
        id: r.id,
        label: r.label.clone(),
        location: r.location.clone(),
        sublocation: r.sublocation.clone(),
        date: r.actual_date.clone(),
    }))
    .await
    .map(ok)
}

#[utoipa::path(put, path = "/plants/v2/strain", tag = "Plants", params(LicenseParam), request_body = Vec<PlantStrainRequest>, responses((status = 200, description = "empty body")))]
pub async fn change_strain(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::ChangePlantStrains, PlantStrainRequest>(map::each(|r: &PlantStrainRequest| {
        StrainSpec {
            id: r.id,
            label: r.label.clone(),
            strain_id: r.strain_id,
            strain_name: r.strain_name.clone(),
        }
    }))
    .await
    .map(ok)
}

#[utoipa::path(put, path = "/plants/v2/tag", tag = "Plants", params(LicenseParam), request_body = Vec<PlantTagRequest>, responses((status = 200, description = "empty body")))]
pub async fn retag(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::TagPlants, PlantTagRequest>(map::each(|r: &PlantTagRequest| TagSpec {
        id: r.id,
        label: r.label.clone(),
        new_tag: r.new_tag.clone(),
        date: r.replace_date.clone(),
    }))
    .await
    .map(ok)
}

#[utoipa::path(post, path = "/plants/v2/waste", tag = "Plants", params(LicenseParam), request_body = Vec<PlantWasteRequest>, responses((status = 200, body = Ids)))]
pub async fn record_waste(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::RecordPlantWaste, PlantWasteRequest>(map::each(|r: &PlantWasteRequest| {
        PlantWasteSpec {
            labels: r.plant_labels.clone().unwrap_or_default(),
            location: r.location_name.clone(),
            sublocation: r.sublocation_name.clone(),
            waste: WasteSpec {
                method: r.waste_method_name.clone(),
                mixed: r.mixed_material.clone(),
                weight: r.waste_weight,
                unit: r.unit_of_measure_name.clone(),
                reason: r.reason_name.clone(),
                note: r.note.clone(),
                date: r.waste_date.clone(),
            },
        }
    }))
    .await
    .map(created)
}

/// Destroys plants; each row records its waste first (rules 17, 57).
#[utoipa::path(delete, path = "/plants/v2", tag = "Plants", params(LicenseParam), request_body = Vec<PlantDestroyRequest>, responses((status = 200, body = Ids)))]
pub async fn destroy(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::DestroyPlants, PlantDestroyRequest>(map::each(|r: &PlantDestroyRequest| {
        DestroySpec {
            id: r.id,
            label: r.label.clone(),
            count: r.count,
            waste: WasteSpec {
                method: r.waste_method_name.clone(),
                mixed: r.waste_material_mixed.clone(),
                weight: r.waste_weight,
                unit: r.waste_unit_of_measure_name.clone(),
                reason: r.waste_reason_name.clone(),
                note: r.reason_note.clone(),
                date: r.actual_date.clone(),
            },
        }
    }))
    .await
    .map(created)
}

/// Plant batches from a plant: clones or seeds taken from it (it becomes a mother plant).
#[utoipa::path(post, path = "/plants/v2/plantings", tag = "Plants", params(LicenseParam), request_body = Vec<PlantingFromPlantRequest>, responses((status = 200, body = Ids)))]
pub async fn create_plantings(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::CreatePlantings, PlantingFromPlantRequest>(map::each(
        |r: &PlantingFromPlantRequest| Planting {
            name: r.plant_batch_name.clone(),
            batch_type: r.plant_batch_type.clone(),
            count: r.plant_count,
            strain: r.strain_name.clone(),
            location: r.location_name.clone(),
            sublocation: r.sublocation_name.clone(),
            patient_license_number: r.patient_license_number.clone(),
            actual_date: r.actual_date.clone(),
            source_package: None,
            source_plant_batches: vec![],
            source_plant: r.plant_label.clone(),
        },
    ))
    .await
    .map(created)
}

/// Clones or seeds taken from a plant, packaged: `Count` cuttings of `PlantLabel` become a
/// batch of `PlantBatchType` named after `PackageTag` (its source the plant, rule 22), packaged
/// whole under that tag (an Immature Plants item counted in Each, rule 24). The plant stays, now a
/// mother plant, and counts the clones (`ClonedCount`). Answers with the packages' ids.
#[utoipa::path(post, path = "/plants/v2/plantbatch/packages", tag = "Plants", params(LicenseParam), request_body = Vec<PlantBatchPackageRequest>, responses((status = 200, body = Ids)))]
pub async fn create_plant_batch_packages(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::PackagePlantCuttings, PlantBatchPackageRequest>(map::each(
        |r: &PlantBatchPackageRequest| PlantPackageSpec {
            plant: r.plant_label.clone(),
            batch_type: r.plant_batch_type.clone(),
            package: PackageSpec {
                batch: None,
                count: r.count,
                location: r.location.clone(),
                sublocation: r.sublocation.clone(),
                item: r.item.clone(),
                tag: r.package_tag.clone(),
                patient_license_number: r.patient_license_number.clone(),
                note: r.note.clone(),
                is_trade_sample: r.is_trade_sample.unwrap_or(false),
                is_donation: r.is_donation.unwrap_or(false),
                actual_date: r.actual_date.clone(),
                ..Default::default()
            },
        },
    ))
    .await
    .map(created)
}

#[utoipa::path(get, path = "/plants/v2/waste", tag = "Plants", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<PlantWaste>)))]
pub async fn get_waste(r: Read) -> Result<Json<Paged<PlantWaste>>, ApiError> {
    r.list::<rec::PlantWaste, _>(
        VIEW_WASTE,
        None,
        false,
        |q| q.with(Column::Kind, ["Plant"]),
        waste,
    )
    .await
}

#[utoipa::path(get, path = "/plants/v2/waste/reasons", tag = "Plants", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<ReasonDefinition>)))]
pub async fn get_waste_reasons(r: Read) -> Result<Json<Paged<ReasonDefinition>>, ApiError> {
    r.scope(VIEW_WASTE).await?;
    r.page_of(reasons())
}

#[utoipa::path(get, path = "/plants/v2/waste/methods/all", tag = "Plants", params(PagingParams), responses((status = 200, body = Paged<WasteMethod>)))]
pub async fn get_waste_methods(r: Read) -> Result<Json<Paged<WasteMethod>>, ApiError> {
    let methods = reference::WASTE_METHODS
        .iter()
        .map(|m| WasteMethod {
            name: Some((*m).into()),
            for_plants: Some(true),
            for_product_destruction: Some(true),
            last_modified: None,
        })
        .collect();
    r.page_of(methods)
}

/// The plants a waste record names, with each one's share of the weight.
#[utoipa::path(get, path = "/plants/v2/waste/{id}/plant", tag = "Plants", params(("id" = i64, Path), LicenseParam, PagingParams), responses((status = 200, body = Paged<PlantWastePlant>)))]
pub async fn get_waste_plants(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<Paged<PlantWastePlant>>, ApiError> {
    let scope = r.scope(VIEW_WASTE).await?;
    let id = waste_id(&id)?;
    let w: rec::PlantWaste = r.ledger().get(&scope, id, "Plant Waste").await?;
    let unit = tagtrail_domain::quantity::unit(&w.waste_unit_of_measure_name)
        .map(|u| u.abbreviation.to_string());
    let rows = w
        .plants
        .iter()
        .map(|p| PlantWastePlant {
            plant_waste_id: Some(w.id),
            plant_id: Some(p.plant_id),
            label: Some(p.label.clone()),
            state_name: Some(p.state_name.clone()),
            growth_phase: Some(match p.growth_phase {
                GrowthPhase::Vegetative => 1,
                GrowthPhase::Flowering => 2,
            }),
            location_id: Some(p.location_id),
            location_name: Some(p.location_name.clone()),
            sublocation_id: p.sublocation_id,
            sublocation_name: p.sublocation_name.clone(),
            waste_amount: Some(p.waste_amount),
            waste_unit_of_measure_abbreviation: unit.clone(),
        })
        .collect();
    r.page_of(rows)
}

/// Packages made from a plant waste record. Plant waste is not packaged here (no endpoint
/// creates such packages), so the list is empty once the waste record is found.
#[utoipa::path(get, path = "/plants/v2/waste/{id}/package", tag = "Plants", params(("id" = i64, Path), LicenseParam, PagingParams), responses((status = 200, body = Paged<tagtrail_metrc::records::Package>)))]
pub async fn get_waste_packages(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<Paged<tagtrail_metrc::records::Package>>, ApiError> {
    let scope = r.scope(VIEW_WASTE).await?;
    let id = waste_id(&id)?;
    let _: rec::PlantWaste = r.ledger().get(&scope, id, "Plant Waste").await?;
    r.page_of(vec![])
}

/// Plant groups: refused in California, where every plant carries its own tag (rule 20).
#[utoipa::path(put, path = "/plants/v2/split", tag = "Plants", params(LicenseParam), request_body = Vec<PlantSplitRequest>, responses((status = 400, description = "not available in California")))]
pub async fn split(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::SplitPlantGroups, PlantSplitRequest>(|v| v.len())
        .await
        .map(created)
}

/// Plant groups: refused in California, where every plant carries its own tag (rule 20).
#[utoipa::path(put, path = "/plants/v2/merge", tag = "Plants", params(LicenseParam), request_body = Vec<PlantMergeRequest>, responses((status = 400, description = "not available in California")))]
pub async fn merge(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::MergePlantGroups, PlantMergeRequest>(|v| v.len())
        .await
        .map(ok)
}

/// Plant group counts: refused in California, where every plant carries its own tag (rule 20).
#[utoipa::path(put, path = "/plants/v2/adjust", tag = "Plants", params(LicenseParam), request_body = Vec<PlantAdjustRequest>, responses((status = 400, description = "not available in California")))]
pub async fn adjust(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::AdjustPlantGroups, PlantAdjustRequest>(|v| v.len())
        .await
        .map(ok)
}

fn waste_id(id: &str) -> Result<i64, ApiError> {
    id.trim()
        .parse::<i64>()
        .map_err(|_| ApiError::bad_request(format!("{id} is not an id.")))
}
