//! Additives (`metrc-v2-api.md` §12 AdditivesTemplates, and the additive endpoints of
//! PlantBatches and Plants): the facility's additive templates and the additives applied to
//! plants, plant batches and every plant of a location.

use crate::error::ApiError;
use crate::extract::Caller;
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::{Read, Write, created, map, ok};
use axum::extract::Path;
use axum::http::StatusCode;
use tagtrail_app::actions::additives as act;
use tagtrail_domain::commands::additives::{
    Application, BatchAdditiveSpec, IngredientSpec, LocationAdditiveSpec, PlantAdditiveSpec,
    Product, ProductSpec, TemplateSpec, TemplateUse,
};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{self as rec, AdditiveType, AdditivesTemplate, PlantAdditive};
use tagtrail_metrc::additives::{self as wire, *};
use tagtrail_metrc::{Ids, Paged};

const TEMPLATES: &[Permission] = &[Permission::ManageAdditives];
const VIEW: &[Permission] = &[
    Permission::ViewPlantsAdditives,
    Permission::ManagePlantsAdditives,
];

fn ingredients_out(list: &[rec::ActiveIngredient]) -> Option<Vec<wire::ActiveIngredient>> {
    Some(
        list.iter()
            .map(|i| wire::ActiveIngredient {
                name: Some(i.name.clone()),
                percentage: Some(i.percentage),
            })
            .collect(),
    )
}

fn ingredients_in(list: &Option<Vec<wire::ActiveIngredient>>) -> Vec<IngredientSpec> {
    list.iter()
        .flatten()
        .map(|i| IngredientSpec {
            name: i.name.clone(),
            percentage: i.percentage,
        })
        .collect()
}

/// A template as Metrc shows it.
fn template(t: &AdditivesTemplate) -> wire::AdditivesTemplate {
    wire::AdditivesTemplate {
        id: Some(t.id),
        facility_id: Some(t.facility_id),
        name: Some(t.name.clone()),
        additive_type: Some(t.additive_type.as_str().to_string()),
        additive_type_name: Some(t.additive_type.as_str().to_string()),
        application_device: t.application_device.clone(),
        epa_registration_number: t.epa_registration_number.clone(),
        note: t.note.clone(),
        product_supplier: t.product_supplier.clone(),
        product_trade_name: Some(t.product_trade_name.clone()),
        restrictive_entry_interval_quantity_description: t
            .restrictive_entry_interval_quantity_description
            .clone(),
        restrictive_entry_interval_time_description: t
            .restrictive_entry_interval_time_description
            .clone(),
        active_ingredients: ingredients_out(&t.active_ingredients),
        last_modified: Some(t.last_modified.clone()),
        is_active: Some(t.active),
    }
}

/// An application as `GET /plants/v2/additives` shows it.
fn additive(a: &PlantAdditive) -> wire::PlantAdditive {
    wire::PlantAdditive {
        additive_type_name: Some(a.additive_type.as_str().to_string()),
        product_trade_name: Some(a.product_trade_name.clone()),
        epa_registration_number: a.epa_registration_number.clone(),
        product_supplier: a.product_supplier.clone(),
        application_device: a.application_device.clone(),
        amount_unit_of_measure: Some(a.amount_unit_of_measure.clone()),
        total_amount_applied: Some(a.total_amount_applied),
        plant_batch_id: a.plant_batch_id,
        plant_batch_name: a.plant_batch_name.clone(),
        plant_count: Some(a.plant_count),
        restrictive_entry_interval_quantity_description: a
            .restrictive_entry_interval_quantity_description
            .clone(),
        restrictive_entry_interval_time_description: a
            .restrictive_entry_interval_time_description
            .clone(),
        rate: a.rate.clone(),
        volume: a.volume.clone(),
        note: a.note.clone(),
        id: Some(a.id),
        additives_template_name: a.template_name.clone(),
        active_ingredients: ingredients_out(&a.active_ingredients),
        plant_labels: Some(a.plant_labels.clone()),
        location_name: a.location_name.clone(),
        sublocation_name: a.sublocation_name.clone(),
        actual_date: Some(a.actual_date.clone()),
        recorded_by_user_name: Some(a.recorded_by.clone()),
        last_modified: Some(a.last_modified.clone()),
    }
}

fn template_spec(r: &AdditivesTemplateRequest) -> TemplateSpec {
    TemplateSpec {
        id: r.id,
        name: r.name.clone(),
        additive_type: r.additive_type.clone(),
        application_device: r.application_device.clone(),
        epa_registration_number: r.epa_registration_number.clone(),
        note: r.note.clone(),
        product_supplier: r.product_supplier.clone(),
        product_trade_name: r.product_trade_name.clone(),
        restrictive_entry_interval_quantity_description: r
            .restrictive_entry_interval_quantity_description
            .clone(),
        restrictive_entry_interval_time_description: r
            .restrictive_entry_interval_time_description
            .clone(),
        active_ingredients: ingredients_in(&r.active_ingredients),
    }
}

fn direct(r: &AdditiveRequest) -> Application {
    Application {
        product: Product::Direct(ProductSpec {
            additive_type: r.additive_type.clone(),
            product_trade_name: r.product_trade_name.clone(),
            epa_registration_number: r.epa_registration_number.clone(),
            product_supplier: r.product_supplier.clone(),
            application_device: r.application_device.clone(),
            active_ingredients: ingredients_in(&r.active_ingredients),
        }),
        total_amount_applied: r.total_amount_applied,
        total_amount_unit_of_measure: r.total_amount_unit_of_measure.clone(),
        actual_date: r.actual_date.clone(),
    }
}

fn from_template(r: &AdditiveTemplateUseRequest) -> Application {
    Application {
        product: Product::Template(TemplateUse {
            template_name: r.additives_template_name.clone(),
            rate: r.rate.clone(),
            volume: r.volume.clone(),
        }),
        total_amount_applied: r.total_amount_applied,
        total_amount_unit_of_measure: r.total_amount_unit_of_measure.clone(),
        actual_date: r.actual_date.clone(),
    }
}

// ---- AdditivesTemplates ----

#[utoipa::path(post, path = "/additivestemplates/v2", tag = "AdditivesTemplates", params(LicenseParam), request_body = Vec<AdditivesTemplateRequest>, responses((status = 200, body = Ids)))]
pub async fn create_templates(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::CreateTemplates, AdditivesTemplateRequest>(map::each(template_spec))
        .await
        .map(created)
}

#[utoipa::path(put, path = "/additivestemplates/v2", tag = "AdditivesTemplates", params(LicenseParam), request_body = Vec<AdditivesTemplateRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_templates(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::UpdateTemplates, AdditivesTemplateRequest>(map::each(template_spec))
        .await
        .map(ok)
}

/// One template. Metrc's example answers an array; a single object, as every other by-id GET
/// answers, is what tagtrail serves.
#[utoipa::path(get, path = "/additivestemplates/v2/{id}", tag = "AdditivesTemplates", params(("id" = i64, Path), ("licenseNumber" = Option<String>, Query)), responses((status = 200, body = wire::AdditivesTemplate)))]
pub async fn get_template(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<wire::AdditivesTemplate>, ApiError> {
    r.one::<AdditivesTemplate, _>(&id, TEMPLATES, "Additives Template", template)
        .await
}

#[utoipa::path(get, path = "/additivestemplates/v2/active", tag = "AdditivesTemplates", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::AdditivesTemplate>)))]
pub async fn get_active_templates(
    r: Read,
) -> Result<Json<Paged<wire::AdditivesTemplate>>, ApiError> {
    r.list::<AdditivesTemplate, _>(TEMPLATES, Some(true), true, |q| q, template)
        .await
}

#[utoipa::path(get, path = "/additivestemplates/v2/inactive", tag = "AdditivesTemplates", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::AdditivesTemplate>)))]
pub async fn get_inactive_templates(
    r: Read,
) -> Result<Json<Paged<wire::AdditivesTemplate>>, ApiError> {
    r.list::<AdditivesTemplate, _>(TEMPLATES, Some(false), true, |q| q, template)
        .await
}

// ---- applications ----

/// Every recorded additive application of the facility: to tagged plants, by location and to
/// plant batches.
#[utoipa::path(get, path = "/plants/v2/additives", tag = "Plants", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::PlantAdditive>)))]
pub async fn get_additives(r: Read) -> Result<Json<Paged<wire::PlantAdditive>>, ApiError> {
    r.list::<PlantAdditive, _>(VIEW, Some(true), true, |q| q, additive)
        .await
}

/// The additive types (no `licenseNumber`; any authenticated caller).
#[utoipa::path(get, path = "/plants/v2/additives/types", tag = "Plants", responses((status = 200, body = Vec<String>)))]
pub async fn get_additive_types(_: Caller) -> Json<Vec<String>> {
    Json(
        AdditiveType::ALL
            .iter()
            .map(|t| t.as_str().to_string())
            .collect(),
    )
}

fn plants_spec(application: Application, labels: &Option<Vec<String>>) -> PlantAdditiveSpec {
    PlantAdditiveSpec {
        application,
        plant_labels: labels.clone().unwrap_or_default(),
    }
}

/// Records additives applied to tagged plants (rule 17).
#[utoipa::path(post, path = "/plants/v2/additives", tag = "Plants", params(LicenseParam), request_body = Vec<AdditiveRequest>, responses((status = 200, body = Ids)))]
pub async fn apply_to_plants(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::ApplyToPlants, AdditiveRequest>(map::each(|r: &AdditiveRequest| {
        plants_spec(direct(r), &r.plant_labels)
    }))
    .await
    .map(created)
}

/// Records additives from a template applied to tagged plants (rule 17).
#[utoipa::path(post, path = "/plants/v2/additives/usingtemplate", tag = "Plants", params(LicenseParam), request_body = Vec<AdditiveTemplateUseRequest>, responses((status = 200, body = Ids)))]
pub async fn apply_template_to_plants(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::ApplyToPlants, AdditiveTemplateUseRequest>(map::each(
        |r: &AdditiveTemplateUseRequest| plants_spec(from_template(r), &r.plant_labels),
    ))
    .await
    .map(created)
}

/// Records additives applied to every growing plant of a location (rule 17).
#[utoipa::path(post, path = "/plants/v2/additives/bylocation", tag = "Plants", params(LicenseParam), request_body = Vec<AdditiveRequest>, responses((status = 200, body = Ids)))]
pub async fn apply_by_location(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::ApplyByLocation, AdditiveRequest>(map::each(|r: &AdditiveRequest| {
        LocationAdditiveSpec {
            application: direct(r),
            location_name: r.location_name.clone(),
            sublocation_name: r.sublocation_name.clone(),
        }
    }))
    .await
    .map(created)
}

/// Records additives from a template applied to every growing plant of a location (rule 17).
#[utoipa::path(post, path = "/plants/v2/additives/bylocation/usingtemplate", tag = "Plants", params(LicenseParam), request_body = Vec<AdditiveTemplateUseRequest>, responses((status = 200, body = Ids)))]
pub async fn apply_template_by_location(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::ApplyByLocation, AdditiveTemplateUseRequest>(map::each(
        |r: &AdditiveTemplateUseRequest| LocationAdditiveSpec {
            application: from_template(r),
            location_name: r.location_name.clone(),
            sublocation_name: r.sublocation_name.clone(),
        },
    ))
    .await
    .map(created)
}

/// Records additives applied to plant batches (rule 17).
#[utoipa::path(post, path = "/plantbatches/v2/additives", tag = "PlantBatches", params(LicenseParam), request_body = Vec<AdditiveRequest>, responses((status = 200, body = Ids)))]
pub async fn apply_to_batches(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::ApplyToBatches, AdditiveRequest>(map::each(|r: &AdditiveRequest| {
        BatchAdditiveSpec {
            application: direct(r),
            plant_batch_name: r.plant_batch_name.clone(),
        }
    }))
    .await
    .map(created)
}

/// Records additives from a template applied to plant batches (rule 17).
#[utoipa::path(post, path = "/plantbatches/v2/additives/usingtemplate", tag = "PlantBatches", params(LicenseParam), request_body = Vec<AdditiveTemplateUseRequest>, responses((status = 200, body = Ids)))]
pub async fn apply_template_to_batches(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::ApplyToBatches, AdditiveTemplateUseRequest>(map::each(
        |r: &AdditiveTemplateUseRequest| BatchAdditiveSpec {
            application: from_template(r),
            plant_batch_name: r.plant_batch_name.clone(),
        },
    ))
    .await
    .map(created)
}
