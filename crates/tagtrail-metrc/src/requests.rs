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

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct IngredientRequest {
    pub package: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub quantity: Option<Decimal>,
    pub unit_of_measure: Option<String>,
}

/// `POST /packages/v2` and `POST /packages/v2/testing`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PackageRequest {
    pub tag: Option<String>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub item: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub quantity: Option<Decimal>,
    pub unit_of_measure: Option<String>,
    pub patient_license_number: Option<String>,
    pub note: Option<String>,
    pub is_production_batch: Option<bool>,
    pub production_batch_number: Option<String>,
    pub is_donation: Option<bool>,
    pub is_trade_sample: Option<bool>,
    pub is_finished_good: Option<bool>,
    pub product_requires_remediation: Option<bool>,
    pub use_same_item: Option<bool>,
    pub actual_date: Option<String>,
    pub expiration_date: Option<String>,
    pub sell_by_date: Option<String>,
    pub use_by_date: Option<String>,
    pub ingredients: Vec<IngredientRequest>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct AdjustRequest {
    pub label: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub quantity: Option<Decimal>,
    pub unit_of_measure: Option<String>,
    pub adjustment_reason: Option<String>,
    pub adjustment_date: Option<String>,
    pub reason_note: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct FinishRequest {
    pub label: Option<String>,
    pub actual_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PackageLocationRequest {
    pub label: Option<String>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub move_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PackageItemRequest {
    pub label: Option<String>,
    pub item: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PackageNoteRequest {
    pub package_label: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct RemediateRequest {
    pub package_label: Option<String>,
    pub remediation_method_name: Option<String>,
    pub remediation_date: Option<String>,
    pub remediation_steps: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct DecontaminateRequest {
    pub package_label: Option<String>,
    pub decontamination_method_name: Option<String>,
    pub decontamination_date: Option<String>,
    pub decontamination_steps: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct UseByDateRequest {
    pub label: Option<String>,
    pub expiration_date: Option<String>,
    pub sell_by_date: Option<String>,
    pub use_by_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct ExternalIdRequest {
    pub package_label: Option<String>,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct LabResultRequest {
    pub lab_test_type_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub quantity: Option<Decimal>,
    pub passed: Option<bool>,
    pub notes: Option<String>,
}

/// `POST /labtests/v2/record`: results for one sample, with an optional PDF certificate.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct LabRecordRequest {
    pub label: Option<String>,
    pub result_date: Option<String>,
    pub document_file_name: Option<String>,
    pub document_file_base64: Option<String>,
    pub results: Vec<LabResultRequest>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PackageLabelRequest {
    pub package_label: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct LabDocumentRequest {
    pub lab_test_result_id: Option<i64>,
    pub document_file_name: Option<String>,
    pub document_file_base64: Option<String>,
}

/// Metrc's examples send some ids as strings (`"Id": "1"`); accept a number or a numeric string.
pub fn lenient_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::Error;
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| D::Error::custom("Id must be a whole number")),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom("Id must be a whole number")),
        Some(_) => Err(D::Error::custom("Id must be a whole number")),
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct DriverRequest {
    #[serde(deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    pub name: Option<String>,
    pub drivers_license_number: Option<String>,
    pub employee_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct VehicleRequest {
    #[serde(deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub license_plate_number: Option<String>,
}
