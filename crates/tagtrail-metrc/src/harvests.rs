//! The Harvests group on the wire (`metrc-v2-api.md` §12 Harvests and §12b record shapes
//! Harvest, HarvestWaste, NameOnly, PackageSourceHarvest), and the plant bodies that make
//! harvests (`PUT /plants/v2/harvest`, `POST /plants/v2/manicure`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A harvest batch (`GET /harvests/v2/{id}`, `/active`, `/inactive`, `/onhold`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct Harvest {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub harvest_type: Option<String>,
    pub source_strain_count: Option<i64>,
    pub source_strain_names: Option<String>,
    /// Metrc documents the element shape as unknown; tagtrail lists the strain names.
    pub strains: Vec<String>,
    pub drying_location_id: Option<i64>,
    pub drying_location_name: Option<String>,
    pub drying_sublocation_id: Option<i64>,
    pub drying_sublocation_name: Option<String>,
    pub drying_location_type_name: Option<String>,
    pub patient_license_number: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub current_weight: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub total_waste_weight: Option<Decimal>,
    pub plant_count: Option<i64>,
    #[schema(value_type = Option<f64>)]
    pub total_wet_weight: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub total_restored_weight: Option<Decimal>,
    pub package_count: Option<i64>,
    #[schema(value_type = Option<f64>)]
    pub total_packaged_weight: Option<Decimal>,
    pub unit_of_weight_name: Option<String>,
    pub lab_testing_state: Option<String>,
    pub lab_testing_state_date: Option<String>,
    pub is_on_hold: Option<bool>,
    pub is_on_investigation: Option<bool>,
    pub is_on_investigation_hold: Option<bool>,
    pub is_on_investigation_recall: Option<bool>,
    pub harvest_start_date: Option<String>,
    pub finished_date: Option<String>,
    pub archived_date: Option<String>,
    pub last_modified: Option<String>,
}

/// One waste record of a harvest (`GET /harvests/v2/waste`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct HarvestWaste {
    pub id: Option<i64>,
    pub waste_type_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub waste_weight: Option<Decimal>,
    pub unit_of_weight_name: Option<String>,
    pub actual_date: Option<String>,
}

/// A name alone (`GET /harvests/v2/waste/types`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct NameOnly {
    pub name: Option<String>,
}

/// A harvest a package was made from (`GET /packages/v2/{id}/source/harvests`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PackageSourceHarvest {
    pub harvested_by_facility_license_number: Option<String>,
    pub harvested_by_facility_name: Option<String>,
    pub name: Option<String>,
    pub harvest_start_date: Option<String>,
}

/// `PUT /plants/v2/harvest` and `POST /plants/v2/manicure` (which also carries `PlantCount`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct HarvestPlantRequest {
    pub plant: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub weight: Option<Decimal>,
    pub unit_of_weight: Option<String>,
    pub drying_location: Option<String>,
    pub drying_sublocation: Option<String>,
    pub harvest_name: Option<String>,
    pub patient_license_number: Option<String>,
    pub actual_date: Option<String>,
    /// Manicure only; tagtrail manicures one tagged plant per row and ignores it.
    pub plant_count: Option<i64>,
}

/// `PUT /harvests/v2/finish`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct HarvestFinishRequest {
    pub id: Option<i64>,
    pub actual_date: Option<String>,
}

/// `PUT /harvests/v2/unfinish`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct HarvestIdRequest {
    pub id: Option<i64>,
}

/// `PUT /harvests/v2/rename`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct HarvestRenameRequest {
    pub id: Option<i64>,
    pub old_name: Option<String>,
    pub new_name: Option<String>,
}

/// `PUT /harvests/v2/location`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct HarvestLocationRequest {
    pub id: Option<i64>,
    pub harvest_name: Option<String>,
    pub drying_location: Option<String>,
    pub drying_sublocation: Option<String>,
    pub actual_date: Option<String>,
}

/// `PUT /harvests/v2/restore/harvestedplants`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct HarvestRestoreRequest {
    pub harvest_id: Option<i64>,
    pub plant_tags: Vec<String>,
}

/// `POST /harvests/v2/waste` (`Id` is the harvest's).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct HarvestWasteRequest {
    pub id: Option<i64>,
    pub waste_type: Option<String>,
    pub unit_of_weight: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub waste_weight: Option<Decimal>,
    pub actual_date: Option<String>,
}

/// One harvest drawn on by a package, by id or by name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct HarvestIngredientRequest {
    pub harvest_id: Option<i64>,
    pub harvest_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub weight: Option<Decimal>,
    pub unit_of_weight: Option<String>,
}

/// `POST /harvests/v2/packages` and `/packages/testing`. Remediation, decontamination, processing
/// job and lab-test-batch fields are accepted and not acted on.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct HarvestPackageRequest {
    pub tag: Option<String>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub item: Option<String>,
    pub unit_of_weight: Option<String>,
    pub patient_license_number: Option<String>,
    pub note: Option<String>,
    pub is_production_batch: Option<bool>,
    pub production_batch_number: Option<String>,
    pub is_trade_sample: Option<bool>,
    pub is_donation: Option<bool>,
    pub product_requires_remediation: Option<bool>,
    pub actual_date: Option<String>,
    pub expiration_date: Option<String>,
    pub sell_by_date: Option<String>,
    pub use_by_date: Option<String>,
    pub ingredients: Vec<HarvestIngredientRequest>,
}
