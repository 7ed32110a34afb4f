//! Write bodies, one element of the JSON array each. Unknown fields are ignored, as Metrc does.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct ItemRequest {
    /// Only on `PUT /items/v2`.
    pub id: Option<i64>,
    pub item_category: Option<String>,
    pub name: Option<String>,
    pub global_product_name: Option<String>,
    pub unit_of_measure: Option<String>,
    pub strain: Option<String>,
    pub item_brand: Option<String>,
    pub administration_method: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub unit_cbd_percent: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub unit_cbd_content: Option<Decimal>,
    pub unit_cbd_content_unit_of_measure: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub unit_cbd_content_dose: Option<Decimal>,
    pub unit_cbd_content_dose_unit_of_measure: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub unit_thc_percent: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub unit_thc_content: Option<Decimal>,
    pub unit_thc_content_unit_of_measure: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub unit_thc_content_dose: Option<Decimal>,
    pub unit_thc_content_dose_unit_of_measure: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub unit_volume: Option<Decimal>,
    pub unit_volume_unit_of_measure: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub unit_weight: Option<Decimal>,
    pub unit_weight_unit_of_measure: Option<String>,
    pub serving_size: Option<String>,
    pub supply_duration_days: Option<i64>,
    pub number_of_doses: Option<i64>,
    pub public_ingredients: Option<String>,
    pub description: Option<String>,
    pub allergens: Option<String>,
    pub product_photo_description: Option<String>,
    pub label_photo_description: Option<String>,
    pub packaging_photo_description: Option<String>,
    pub processing_job_type_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct IdNameRequest {
    pub id: Option<i64>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct StrainRequest {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub testing_status: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub thc_level: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub cbd_level: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub indica_percentage: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub sativa_percentage: Option<Decimal>,
    pub genetics: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct LocationRequest {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub location_type_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct TagOrderRequest {
    pub plant_tags: Option<i64>,
    pub package_tags: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct IdRequest {
    pub id: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct LabelRequest {
    pub label: Option<String>,
}
