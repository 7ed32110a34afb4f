//! Cultivation on the wire: the PlantBatches and Plants groups' records and request bodies
//! (`metrc-v2-api.md`, "PlantBatches", "Plants", and the records `PlantBatch`, `PlantBatchType`,
//! `PlantWaste`, `Plant`, `WasteMethod`, `PlantWastePlant`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantBatch {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub plant_batch_type_id: Option<i64>,
    pub plant_batch_type_name: Option<String>,
    pub location_id: Option<i64>,
    pub location_name: Option<String>,
    pub location_type_name: Option<String>,
    pub strain_id: Option<i64>,
    pub strain_name: Option<String>,
    pub sublocation_id: Option<i64>,
    pub sublocation_name: Option<String>,
    pub patient_license_number: Option<String>,
    pub untracked_count: Option<i64>,
    pub tracked_count: Option<i64>,
    pub packaged_count: Option<i64>,
    pub destroyed_count: Option<i64>,
    pub source_package_id: Option<i64>,
    pub source_package_label: Option<String>,
    pub source_plant_id: Option<i64>,
    pub source_plant_label: Option<String>,
    pub source_plant_batch_ids: Option<Vec<i64>>,
    pub source_plant_batch_names: Option<String>,
    pub multi_plant_batch: Option<bool>,
    pub planted_date: Option<String>,
    pub last_modified: Option<String>,
    pub is_on_hold: Option<bool>,
    pub is_on_investigation: Option<bool>,
    pub is_on_investigation_hold: Option<bool>,
    pub is_on_investigation_recall: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantBatchType {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub can_be_cloned: Option<bool>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantWaste {
    /// Not in Metrc's documented shape; `GET /plants/v2/waste/{id}/plant` takes it.
    pub id: Option<i64>,
    pub plant_waste_number: Option<String>,
    pub waste_method_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub waste_weight: Option<Decimal>,
    pub waste_unit_of_measure_name: Option<String>,
    pub waste_reason_name: Option<String>,
    pub plant_batch_id: Option<i64>,
    pub plant_batch_name: Option<String>,
    pub plant_count: Option<i64>,
    pub waste_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct Plant {
    pub id: Option<i64>,
    pub label: Option<String>,
    pub state: Option<String>,
    pub growth_phase: Option<String>,
    pub group_tag_type_max: Option<i64>,
    pub tag_type_max: Option<i64>,
    pub plant_batch_id: Option<i64>,
    pub plant_batch_name: Option<String>,
    pub plant_batch_type_id: Option<i64>,
    pub plant_batch_type_name: Option<String>,
    pub strain_id: Option<i64>,
    pub strain_name: Option<String>,
    pub location_id: Option<i64>,
    pub location_name: Option<String>,
    pub location_type_name: Option<String>,
    pub sublocation_id: Option<i64>,
    pub sublocation_name: Option<String>,
    pub patient_license_number: Option<String>,
    pub harvest_id: Option<i64>,
    pub harvested_unit_of_weight_name: Option<String>,
    pub harvested_unit_of_weight_abbreviation: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub harvested_wet_weight: Option<Decimal>,
    pub harvest_count: Option<i64>,
    pub is_on_hold: Option<bool>,
    pub is_on_investigation: Option<bool>,
    pub is_on_investigation_hold: Option<bool>,
    pub is_on_investigation_recall: Option<bool>,
    pub planted_date: Option<String>,
    pub vegetative_date: Option<String>,
    pub flowering_date: Option<String>,
    pub harvested_date: Option<String>,
    pub destroyed_date: Option<String>,
    pub destroyed_note: Option<String>,
    pub destroyed_by_user_name: Option<String>,
    pub mother_plant_date: Option<String>,
    pub cloned_count: Option<i64>,
    pub survived_count: Option<i64>,
    pub descended_count: Option<i64>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct WasteMethod {
    pub name: Option<String>,
    pub for_plants: Option<bool>,
    pub for_product_destruction: Option<bool>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantWastePlant {
    pub plant_waste_id: Option<i64>,
    pub plant_id: Option<i64>,
    pub label: Option<String>,
    pub state_name: Option<String>,
    /// Metrc documents an integer here: 1 vegetative, 2 flowering (a guess at the coding).
    pub growth_phase: Option<i64>,
    pub location_id: Option<i64>,
    pub location_name: Option<String>,
    pub sublocation_id: Option<i64>,
    pub sublocation_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub waste_amount: Option<Decimal>,
    pub waste_unit_of_measure_abbreviation: Option<String>,
}

// ---- request bodies ----

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantingRequest {
    pub name: Option<String>,
    pub r#type: Option<String>,
    pub count: Option<i64>,
    pub strain: Option<String>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub patient_license_number: Option<String>,
    pub actual_date: Option<String>,
    /// Names of the batches the plants were taken from.
    pub source_plant_batches: Option<Vec<String>>,
    /// tagtrail: the label of the package of seeds or clones planted (rule 22); its count goes
    /// down by `Count`.
    pub source_package: Option<String>,
}

/// `POST /packages/v2/plantings`: plant a batch out of a package of seeds or clones.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PackagePlantingRequest {
    pub package_label: Option<String>,
    /// How much the package goes down by; tagtrail counts seed and clone packages in plants, so
    /// this must equal `PlantCount` when given.
    #[schema(value_type = Option<f64>)]
    pub package_adjustment_amount: Option<Decimal>,
    pub package_adjustment_unit_of_measure_name: Option<String>,
    pub plant_batch_name: Option<String>,
    pub plant_batch_type: Option<String>,
    pub plant_count: Option<i64>,
    pub location_name: Option<String>,
    pub sublocation_name: Option<String>,
    pub strain_name: Option<String>,
    pub patient_license_number: Option<String>,
    pub planted_date: Option<String>,
    pub unpackaged_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantingFromPlantRequest {
    pub plant_label: Option<String>,
    pub plant_batch_name: Option<String>,
    pub plant_batch_type: Option<String>,
    pub plant_count: Option<i64>,
    pub location_name: Option<String>,
    pub sublocation_name: Option<String>,
    pub strain_name: Option<String>,
    pub patient_license_number: Option<String>,
    pub actual_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct BatchGrowthPhaseRequest {
    pub name: Option<String>,
    pub count: Option<i64>,
    pub starting_tag: Option<String>,
    pub growth_phase: Option<String>,
    pub new_location: Option<String>,
    pub new_sublocation: Option<String>,
    pub growth_date: Option<String>,
    pub patient_license_number: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct BatchAdjustRequest {
    pub plant_batch_name: Option<String>,
    pub quantity: Option<i64>,
    pub adjustment_reason: Option<String>,
    pub adjustment_date: Option<String>,
    pub reason_note: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct BatchSplitRequest {
    pub plant_batch: Option<String>,
    pub group_name: Option<String>,
    pub count: Option<i64>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub strain: Option<String>,
    pub patient_license_number: Option<String>,
    pub actual_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct BatchLocationRequest {
    pub name: Option<String>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub move_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct BatchNameRequest {
    pub id: Option<i64>,
    pub group: Option<String>,
    pub new_group: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct BatchStrainRequest {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub strain_id: Option<i64>,
    pub strain_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct BatchTagRequest {
    pub id: Option<i64>,
    pub group: Option<String>,
    pub tag_id: Option<i64>,
    pub new_tag: Option<String>,
    pub replace_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct BatchWasteRequest {
    pub waste_method_name: Option<String>,
    pub mixed_material: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub waste_weight: Option<Decimal>,
    pub unit_of_measure_name: Option<String>,
    pub reason_name: Option<String>,
    pub note: Option<String>,
    pub waste_date: Option<String>,
    pub plant_batch_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct BatchDestroyRequest {
    pub plant_batch: Option<String>,
    pub count: Option<i64>,
    pub waste_method_name: Option<String>,
    pub waste_material_mixed: Option<String>,
    pub waste_reason_name: Option<String>,
    pub reason_note: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub waste_weight: Option<Decimal>,
    pub waste_unit_of_measure: Option<String>,
    pub actual_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantGrowthPhaseRequest {
    pub id: Option<i64>,
    pub label: Option<String>,
    pub new_tag: Option<String>,
    pub growth_phase: Option<String>,
    pub new_location: Option<String>,
    pub new_sublocation: Option<String>,
    pub growth_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantLocationRequest {
    pub id: Option<i64>,
    pub label: Option<String>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub actual_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantStrainRequest {
    pub id: Option<i64>,
    pub label: Option<String>,
    pub strain_id: Option<i64>,
    pub strain_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantTagRequest {
    pub id: Option<i64>,
    pub label: Option<String>,
    pub tag_id: Option<i64>,
    pub new_tag: Option<String>,
    pub replace_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantWasteRequest {
    pub waste_method_name: Option<String>,
    pub mixed_material: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub waste_weight: Option<Decimal>,
    pub unit_of_measure_name: Option<String>,
    pub reason_name: Option<String>,
    pub note: Option<String>,
    pub location_name: Option<String>,
    pub sublocation_name: Option<String>,
    pub waste_date: Option<String>,
    pub plant_labels: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantDestroyRequest {
    pub id: Option<i64>,
    pub label: Option<String>,
    pub waste_method_name: Option<String>,
    pub waste_material_mixed: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub waste_weight: Option<Decimal>,
    pub waste_unit_of_measure_name: Option<String>,
    pub waste_reason_name: Option<String>,
    pub count: Option<i64>,
    pub reason_note: Option<String>,
    pub actual_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct BatchPackageRequest {
    pub id: Option<i64>,
    pub plant_batch: Option<String>,
    pub count: Option<i64>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub item: Option<String>,
    pub tag: Option<String>,
    pub patient_license_number: Option<String>,
    pub note: Option<String>,
    pub is_trade_sample: Option<bool>,
    pub is_donation: Option<bool>,
    pub actual_date: Option<String>,
    pub expiration_date: Option<String>,
    pub sell_by_date: Option<String>,
    pub use_by_date: Option<String>,
}

/// `POST /plants/v2/plantbatch/packages`: clones or seeds taken from a plant, packaged.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantBatchPackageRequest {
    pub plant_label: Option<String>,
    pub package_tag: Option<String>,
    pub plant_batch_type: Option<String>,
    pub item: Option<String>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub note: Option<String>,
    pub is_trade_sample: Option<bool>,
    pub patient_license_number: Option<String>,
    pub is_donation: Option<bool>,
    pub count: Option<i64>,
    pub actual_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantSplitRequest {
    pub split_date: Option<String>,
    pub source_plant_label: Option<String>,
    pub plant_count: Option<i64>,
    pub tag_label: Option<String>,
    pub strain_label: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantMergeRequest {
    pub target_plant_group_label: Option<String>,
    pub source_plant_group_label: Option<String>,
    pub merge_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantAdjustRequest {
    pub id: Option<i64>,
    pub label: Option<String>,
    pub adjust_count: Option<i64>,
    pub adjust_reason: Option<String>,
    pub reason_note: Option<String>,
    pub adjustment_date: Option<String>,
}
