//! Plant batches (`metrc-v2-api.md` "PlantBatches"): immature lots, their plantings (also
//! Metrc's `POST /packages/v2/plantings`), growth-phase changes, waste, destruction and packages
//! of immature plants, from a batch or from the mother plant it was planted from.

use crate::error::ApiError;
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::{Read, Write, created, map, ok};
use axum::extract::Path;
use axum::http::StatusCode;
use tagtrail_app::actions::plants as act;
use tagtrail_app::reads::Column;
use tagtrail_domain::commands::plants::batches::{
    AdjustSpec, BatchWasteSpec, DestroySpec, GrowthPhaseSpec, MoveSpec, PackageSpec, Planting,
    RenameSpec, SplitSpec, StrainSpec, TagSpec,
};
use tagtrail_domain::commands::plants::{WASTE_REASONS, WasteSpec};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{self as rec, PlantBatchType as BatchType};
use tagtrail_metrc::plants::*;
use tagtrail_metrc::records::ReasonDefinition;
use tagtrail_metrc::{Ids, Paged};

const VIEW: &[Permission] = &[Permission::ViewImmaturePlants];
pub(super) const VIEW_WASTE: &[Permission] = &[Permission::ViewPlantsWaste];

pub(super) fn batch(b: &rec::PlantBatch) -> PlantBatch {
    PlantBatch {
        id: Some(b.id),
        name: Some(b.name.clone()),
        plant_batch_type_id: Some(b.plant_batch_type.id()),
        plant_batch_type_name: Some(b.plant_batch_type.as_str().into()),
        location_id: Some(b.location_id),
        location_name: Some(b.location_name.clone()),
        location_type_name: Some(b.location_type_name.clone()),
        strain_id: Some(b.strain_id),
        strain_name: Some(b.strain_name.clone()),
        sublocation_id: b.sublocation_id,
        sublocation_name: b.sublocation_name.clone(),
        patient_license_number: b.patient_license_number.clone(),
        untracked_count: Some(b.untracked_count),
        tracked_count: Some(b.tracked_count),
        packaged_count: Some(b.packaged_count),
        destroyed_count: Some(b.destroyed_count),
        source_package_id: b.source_package_id,
        source_package_label: b.source_package_label.clone(),
        source_plant_id: b.source_plant_id,
        source_plant_label: b.source_plant_label.clone(),
        source_plant_batch_ids: Some(b.source_plant_batch_ids.clone()),
        source_plant_batch_names: Some(b.source_plant_batch_names.join(", ")),
        multi_plant_batch: Some(b.source_plant_batch_ids.len() > 1),
        planted_date: Some(b.planted_date.clone()),
        last_modified: Some(b.last_modified.clone()),
        is_on_hold: Some(b.on_hold),
        is_on_investigation: Some(false),
        is_on_investigation_hold: Some(false),
        is_on_investigation_recall: Some(false),
    }
}

pub(super) fn waste(w: &rec::PlantWaste) -> PlantWaste {
    PlantWaste {
        id: Some(w.id),
        plant_waste_number: Some(w.waste_number.clone()),
        waste_method_name: Some(w.waste_method_name.clone()),
        waste_weight: Some(w.waste_weight),
        waste_unit_of_measure_name: Some(w.waste_unit_of_measure_name.clone()),
        waste_reason_name: Some(w.waste_reason_name.clone()),
        plant_batch_id: w.plant_batch_id,
        plant_batch_name: w.plant_batch_name.clone(),
        plant_count: Some(w.plant_count),
        waste_date: Some(w.waste_date.clone()),
    }
}

pub(super) fn reasons() -> Vec<ReasonDefinition> {
    WASTE_REASONS
        .iter()
        .map(|r| ReasonDefinition {
            name: Some(r.name.into()),
            requires_note: Some(r.requires_note),
            requires_waste_weight: Some(true),
            requires_immature_waste_weight: Some(true),
            requires_mature_waste_weight: Some(true),
        })
        .collect()
}

fn planting(r: &PlantingRequest) -> Planting {
    Planting {
        name: r.name.clone(),
        batch_type: r.r#type.clone(),
        count: r.count,
        strain: r.strain.clone(),
        location: r.location.clone(),
        sublocation: r.sublocation.clone(),
        patient_license_number: r.patient_license_number.clone(),
        actual_date: r.actual_date.clone(),
        source_package: r.source_package.clone(),
        source_plant_batches: r.source_plant_batches.clone().unwrap_or_default(),
        source_plant: None,
    }
}

/// New batches from seeds or clones. `SourcePlantBatches` is Metrc's; `SourcePackage` (the label
/// of the package of seeds or clones planted, whose count goes down by `Count`) is a tagtrail
/// extension, the same planting Metrc's `POST /packages/v2/plantings` makes. Rule 22: a planting
/// names a source (a package, a batch, or a plant through `POST /plants/v2/plantings`).
#[utoipa::path(post, path = "/plantbatches/v2/plantings", tag = "PlantBatches", params(LicenseParam), request_body = Vec<PlantingRequest>, responses((status = 200, body = Ids)))]
pub async fn create_plantings(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::CreatePlantings, PlantingRequest>(map::each(planting))
        .await
        .map(created)
}

/// Plants batches out of packages of seeds or clones: Metrc's `POST /packages/v2/plantings`. It
/// runs the same planting as `POST /plantbatches/v2/plantings` with `SourcePackage` (rule 22: the
/// package is the batch's source; its count goes down by `PlantCount`), so both doors decide
/// alike. It lives here, not with the package routes, because it is a planting: the batch is
/// what it creates and what its Ids name. tagtrail counts seed and clone packages in plants, so a
/// `PackageAdjustmentAmount` must equal `PlantCount` and its unit be `Each`; `PlantedDate` dates
/// both the batch and the package's decrease (`UnpackagedDate` is accepted and not kept).
#[utoipa::path(post, path = "/packages/v2/plantings", tag = "Packages", params(LicenseParam), request_body = Vec<PackagePlantingRequest>, responses((status = 200, body = Ids)))]
pub async fn create_package_plantings(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run_built::<act::CreatePlantings>(|s, bytes| {
        let body = crate::extract::parse_body::<PackagePlantingRequest>(
            s.ledger.config.max_objects,
            bytes,
        )?
        .or_long_rows()?;
        let mut rows = Vec::new();
        for (row, r) in body.items.iter().enumerate() {
            if let Some(message) = package_adjustment_mismatch(r) {
                rows.push(tagtrail_metrc::RowError { row, message });
            }
        }
        if !rows.is_empty() {
            return Err(ApiError::Rows(rows));
        }
        let specs = body.items.iter().map(package_planting).collect();
        Ok((body.raw, specs))
    })
    .await
    .map(created)
}

/// Why a package planting's adjustment cannot be the plants drawn from the package, if it cannot.
fn package_adjustment_mismatch(r: &PackagePlantingRequest) -> Option<String> {
    if let Some(unit) = r.package_adjustment_unit_of_measure_name.as_deref()
        && !unit.trim().is_empty()
        && !unit.trim().eq_ignore_ascii_case("Each")
    {
        return Some(format!(
            "PackageAdjustmentUnitOfMeasureName {unit} is not Each; seed and clone packages are counted in plants."
        ));
    }
    let amount = r.package_adjustment_amount?;
    match r.plant_count {
        Some(n) if rust_decimal::Decimal::from(n) == amount => None,
        _ => Some(format!(
            "PackageAdjustmentAmount {amount} must equal PlantCount: each plant planted takes one from the package."
        )),
    }
}

fn package_planting(r: &PackagePlantingRequest) -> Planting {
    Planting {
        name: r.plant_batch_name.clone(),
        batch_type: r.plant_batch_type.clone(),
        count: r.plant_count,
        strain: r.strain_name.clone(),
        location: r.location_name.clone(),
        sublocation: r.sublocation_name.clone(),
        patient_license_number: r.patient_license_number.clone(),
        actual_date: r.planted_date.clone(),
        // An empty label is no source: the planting then fails rule 22 like any other.
        source_package: r.package_label.clone(),
        source_plant_batches: vec![],
        source_plant: None,
    }
}

#[utoipa::path(post, path = "/plantbatches/v2/growthphase", tag = "PlantBatches", params(LicenseParam), request_body = Vec<BatchGrowthPhaseRequest>, responses((status = 200, body = Ids)))]
pub async fn change_growth_phase(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::ChangeBatchGrowthPhase, BatchGrowthPhaseRequest>(map::each(
        |r: &BatchGrowthPhaseRequest| GrowthPhaseSpec {
            name: r.name.clone(),
            count: r.count,
            starting_tag: r.starting_tag.clone(),
            growth_phase: r.growth_phase.clone(),
            new_location: r.new_location.clone(),
            new_sublocation: r.new_sublocation.clone(),
            growth_date: r.growth_date.clone(),
        },
    ))
    .await
    .map(created)
}

#[utoipa::path(post, path = "/plantbatches/v2/adjust", tag = "PlantBatches", params(LicenseParam), request_body = Vec<BatchAdjustRequest>, responses((status = 200, body = Ids)))]
pub async fn adjust(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::AdjustBatches, BatchAdjustRequest>(map::each(|r: &BatchAdjustRequest| {
        AdjustSpec {
            name: r.plant_batch_name.clone(),
            quantity: r.quantity,
            reason: r.adjustment_reason.clone(),
            date: r.adjustment_date.clone(),
            note: r.reason_note.clone(),
        }
    }))
    .await
    .map(created)
}

#[utoipa::path(post, path = "/plantbatches/v2/split", tag = "PlantBatches", params(LicenseParam), request_body = Vec<BatchSplitRequest>, responses((status = 200, body = Ids)))]
pub async fn split(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::SplitBatches, BatchSplitRequest>(map::each(|r: &BatchSplitRequest| SplitSpec {
        batch: r.plant_batch.clone(),
        group_name: r.group_name.clone(),
        count: r.count,
        location: r.location.clone(),
        sublocation: r.sublocation.clone(),
        strain: r.strain.clone(),
        patient_license_number: r.patient_license_number.clone(),
        date: r.actual_date.clone(),
    }))
    .await
    .map(created)
}

#[utoipa::path(put, path = "/plantbatches/v2/location", tag = "PlantBatches", params(LicenseParam), request_body = Vec<BatchLocationRequest>, responses((status = 200, description = "empty body")))]
pub async fn move_batches(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::MoveBatches, BatchLocationRequest>(map::each(|r: &BatchLocationRequest| {
        MoveSpec {
            name: r.name.clone(),
            location: r.location.clone(),
            sublocation: r.sublocation.clone(),
            date: r.move_date.clone(),
        }
    }))
    .await
    .map(ok)
}

#[utoipa::path(put, path = "/plantbatches/v2/name", tag = "PlantBatches", params(LicenseParam), request_body = Vec<BatchNameRequest>, responses((status = 200, description = "empty body")))]
pub async fn rename(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::RenameBatches, BatchNameRequest>(map::each(|r: &BatchNameRequest| RenameSpec {
        id: r.id,
        group: r.group.clone(),
        new_group: r.new_group.clone(),
    }))
    .await
    .map(ok)
}

#[utoipa::path(put, path = "/plantbatches/v2/strain", tag = "PlantBatches", params(LicenseParam), request_body = Vec<BatchStrainRequest>, responses((status = 200, description = "empty body")))]
pub async fn change_strain(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::ChangeBatchStrains, BatchStrainRequest>(map::each(|r: &BatchStrainRequest| {
        StrainSpec {
            id: r.id,
            name: r.name.clone(),
            strain_id: r.strain_id,
            strain_name: r.strain_name.clone(),
        }
    }))
    .await
    .map(ok)
}

#[utoipa::path(put, path = "/plantbatches/v2/tag", tag = "PlantBatches", params(LicenseParam), request_body = Vec<BatchTagRequest>, responses((status = 200, description = "empty body")))]
pub async fn retag(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::TagBatches, BatchTagRequest>(map::each(|r: &BatchTagRequest| TagSpec {
        id: r.id,
        group: r.group.clone(),
        new_tag: r.new_tag.clone(),
        date: r.replace_date.clone(),
    }))
    .await
    .map(ok)
}

#[utoipa::path(post, path = "/plantbatches/v2/waste", tag = "PlantBatches", params(LicenseParam), request_body = Vec<BatchWasteRequest>, responses((status = 200, body = Ids)))]
pub async fn record_waste(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::RecordBatchWaste, BatchWasteRequest>(map::each(|r: &BatchWasteRequest| {
        BatchWasteSpec {
            batch: r.plant_batch_name.clone(),
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

/// Destroys plants of batches; each row records its waste (rules 17, 57).
#[utoipa::path(delete, path = "/plantbatches/v2", tag = "PlantBatches", params(LicenseParam), request_body = Vec<BatchDestroyRequest>, responses((status = 200, body = Ids)))]
pub async fn destroy(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::DestroyBatchPlants, BatchDestroyRequest>(map::each(|r: &BatchDestroyRequest| {
        DestroySpec {
            batch: r.plant_batch.clone(),
            count: r.count,
            waste: WasteSpec {
                method: r.waste_method_name.clone(),
                mixed: r.waste_material_mixed.clone(),
                weight: r.waste_weight,
                unit: r.waste_unit_of_measure.clone(),
                reason: r.waste_reason_name.clone(),
                note: r.reason_note.clone(),
                date: r.actual_date.clone(),
            },
        }
    }))
    .await
    .map(created)
}

fn package(r: &BatchPackageRequest) -> PackageSpec {
    PackageSpec {
        batch: r.plant_batch.clone(),
        count: r.count,
        location: r.location.clone(),
        sublocation: r.sublocation.clone(),
        item: r.item.clone(),
        tag: r.tag.clone(),
        patient_license_number: r.patient_license_number.clone(),
        note: r.note.clone(),
        is_trade_sample: r.is_trade_sample.unwrap_or(false),
        is_donation: r.is_donation.unwrap_or(false),
        actual_date: r.actual_date.clone(),
        expiration_date: r.expiration_date.clone(),
        sell_by_date: r.sell_by_date.clone(),
        use_by_date: r.use_by_date.clone(),
    }
}

/// Immature plant packages from batches: the batch's count goes down (rule 24). With
/// `isFromMotherPlant=true` this is `POST /plantbatches/v2/packages/frommotherplant`.
#[utoipa::path(post, path = "/plantbatches/v2/packages", tag = "PlantBatches", params(LicenseParam, ("isFromMotherPlant" = Option<bool>, Query)), request_body = Vec<BatchPackageRequest>, responses((status = 200, body = Ids)))]
pub async fn create_packages(w: Write) -> Result<Json<Ids>, ApiError> {
    if w.params()
        .get("isFromMotherPlant")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return create_packages_from_mother_plant(w).await;
    }
    w.run::<act::PackageBatches, BatchPackageRequest>(map::each(package))
        .await
        .map(created)
}

/// Packages of new clones cut from the mother plant `PlantBatch` was planted from (a batch made
/// by `POST /plants/v2/plantings`). The mother stays and the batch keeps its count; the clones
/// pass through a new batch named after the package's tag (source: the mother and `PlantBatch`),
/// packaged whole, so rules 16, 19, 22 and 24 hold as for any planting and packaging.
#[utoipa::path(post, path = "/plantbatches/v2/packages/frommotherplant", tag = "PlantBatches", params(LicenseParam), request_body = Vec<BatchPackageRequest>, responses((status = 200, body = Ids)))]
pub async fn create_packages_from_mother_plant(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::PackageMotherPlantCuttings, BatchPackageRequest>(map::each(package))
        .await
        .map(created)
}

#[utoipa::path(get, path = "/plantbatches/v2/waste", tag = "PlantBatches", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<PlantWaste>)))]
pub async fn get_waste(r: Read) -> Result<Json<Paged<PlantWaste>>, ApiError> {
    r.list::<rec::PlantWaste, _>(
        VIEW_WASTE,
        None,
        false,
        |q| q.with(Column::Kind, ["PlantBatch"]),
        waste,
    )
    .await
}

#[utoipa::path(get, path = "/plantbatches/v2/waste/reasons", tag = "PlantBatches", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<ReasonDefinition>)))]
pub async fn get_waste_reasons(r: Read) -> Result<Json<Paged<ReasonDefinition>>, ApiError> {
    r.scope(VIEW_WASTE).await?;
    r.page_of(reasons())
}

#[utoipa::path(get, path = "/plantbatches/v2/active", tag = "PlantBatches", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<PlantBatch>)))]
pub async fn get_active(r: Read) -> Result<Json<Paged<PlantBatch>>, ApiError> {
    r.list::<rec::PlantBatch, _>(VIEW, Some(true), true, |q| q, batch)
        .await
}

#[utoipa::path(get, path = "/plantbatches/v2/inactive", tag = "PlantBatches", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<PlantBatch>)))]
pub async fn get_inactive(r: Read) -> Result<Json<Paged<PlantBatch>>, ApiError> {
    r.list::<rec::PlantBatch, _>(VIEW, Some(false), true, |q| q, batch)
        .await
}

#[utoipa::path(get, path = "/plantbatches/v2/types", tag = "PlantBatches", params(PagingParams), responses((status = 200, body = Paged<PlantBatchType>)))]
pub async fn get_types(r: Read) -> Result<Json<Paged<PlantBatchType>>, ApiError> {
    let types = BatchType::ALL
        .into_iter()
        .map(|t| PlantBatchType {
            id: Some(t.id()),
            name: Some(t.as_str().into()),
            can_be_cloned: Some(t == BatchType::Clone),
            last_modified: None,
        })
        .collect();
    r.page_of(types)
}

#[utoipa::path(get, path = "/plantbatches/v2/{id}", tag = "PlantBatches", params(("id" = i64, Path), ("licenseNumber" = Option<String>, Query)), responses((status = 200, body = PlantBatch)))]
pub async fn get_batch(r: Read, Path(id): Path<String>) -> Result<Json<PlantBatch>, ApiError> {
    r.one::<rec::PlantBatch, _>(&id, VIEW, "Plant Batch", batch)
        .await
}
