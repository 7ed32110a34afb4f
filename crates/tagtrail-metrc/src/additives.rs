//! Additives on the wire (`metrc-v2-api.md` §12 AdditivesTemplates, the additive endpoints of
//! PlantBatches and Plants, and §12b record shapes AdditivesTemplate and PlantAdditive).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One active ingredient of a product, as records and bodies carry it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct ActiveIngredient {
    pub name: Option<String>,
    /// A percentage, 0 to 100.
    #[schema(value_type = Option<f64>)]
    pub percentage: Option<Decimal>,
}

/// An additive template (`GET /additivestemplates/v2/{id}`, `/active`, `/inactive`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct AdditivesTemplate {
    pub id: Option<i64>,
    pub facility_id: Option<i64>,
    pub name: Option<String>,
    pub additive_type: Option<String>,
    pub additive_type_name: Option<String>,
    pub application_device: Option<String>,
    pub epa_registration_number: Option<String>,
    pub note: Option<String>,
    pub product_supplier: Option<String>,
    pub product_trade_name: Option<String>,
    pub restrictive_entry_interval_quantity_description: Option<String>,
    pub restrictive_entry_interval_time_description: Option<String>,
    pub active_ingredients: Option<Vec<ActiveIngredient>>,
    pub last_modified: Option<String>,
    pub is_active: Option<bool>,
}

/// `POST /additivestemplates/v2` (no `Id`) and `PUT /additivestemplates/v2` (with `Id`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct AdditivesTemplateRequest {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub additive_type: Option<String>,
    pub application_device: Option<String>,
    pub epa_registration_number: Option<String>,
    pub note: Option<String>,
    pub product_supplier: Option<String>,
    pub product_trade_name: Option<String>,
    pub restrictive_entry_interval_quantity_description: Option<String>,
    pub restrictive_entry_interval_time_description: Option<String>,
    pub active_ingredients: Option<Vec<ActiveIngredient>>,
}

/// One recorded additive application (`GET /plants/v2/additives`). Metrc's shape, plus the
/// fields tagtrail keeps that Metrc's example leaves out (`Id`, the plants, the date, who).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlantAdditive {
    pub additive_type_name: Option<String>,
    pub product_trade_name: Option<String>,
    pub epa_registration_number: Option<String>,
    pub product_supplier: Option<String>,
    pub application_device: Option<String>,
    pub amount_unit_of_measure: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub total_amount_applied: Option<Decimal>,
    pub plant_batch_id: Option<i64>,
    pub plant_batch_name: Option<String>,
    pub plant_count: Option<i64>,
    pub restrictive_entry_interval_quantity_description: Option<String>,
    pub restrictive_entry_interval_time_description: Option<String>,
    pub rate: Option<String>,
    pub volume: Option<String>,
    pub note: Option<String>,
    pub id: Option<i64>,
    pub additives_template_name: Option<String>,
    pub active_ingredients: Option<Vec<ActiveIngredient>>,
    pub plant_labels: Option<Vec<String>>,
    pub location_name: Option<String>,
    pub sublocation_name: Option<String>,
    pub actual_date: Option<String>,
    pub recorded_by_user_name: Option<String>,
    pub last_modified: Option<String>,
}

/// The product of `POST /plants/v2/additives`, `…/bylocation` and
/// `POST /plantbatches/v2/additives`, with the target each names (`PlantLabels`,
/// `LocationName`/`SublocationName` or `PlantBatchName`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct AdditiveRequest {
    pub additive_type: Option<String>,
    pub product_trade_name: Option<String>,
    pub epa_registration_number: Option<String>,
    pub product_supplier: Option<String>,
    pub application_device: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub total_amount_applied: Option<Decimal>,
    pub total_amount_unit_of_measure: Option<String>,
    pub active_ingredients: Option<Vec<ActiveIngredient>>,
    pub plant_labels: Option<Vec<String>>,
    pub location_name: Option<String>,
    pub sublocation_name: Option<String>,
    pub plant_batch_name: Option<String>,
    pub actual_date: Option<String>,
}

/// The `…/usingtemplate` bodies: the template's product, with this application's rate, volume
/// and amount, and the target (`PlantLabels`, `LocationName`/`SublocationName` or
/// `PlantBatchName`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct AdditiveTemplateUseRequest {
    pub additives_template_name: Option<String>,
    pub rate: Option<String>,
    pub volume: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub total_amount_applied: Option<Decimal>,
    pub total_amount_unit_of_measure: Option<String>,
    pub plant_labels: Option<Vec<String>>,
    pub location_name: Option<String>,
    pub sublocation_name: Option<String>,
    pub plant_batch_name: Option<String>,
    pub actual_date: Option<String>,
}
