//! The Sales group's receipts on the wire (`metrc-v2-api.md` §Sales and §12b `SalesReceipt`):
//! the receipt record, its transaction lines, and the write bodies of `POST`/`PUT
//! /sales/v2/receipts` and the finalize/unfinalize bodies. Deliveries have their own module.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One transaction line of a sale body (`Transactions[]`), shared by receipts and deliveries.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct SaleTransactionRequest {
    pub package_label: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub quantity: Option<Decimal>,
    pub unit_of_measure: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub total_amount: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub unit_thc_percent: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub unit_thc_content: Option<Decimal>,
    pub unit_thc_content_unit_of_measure: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub unit_weight: Option<Decimal>,
    pub unit_weight_unit_of_measure: Option<String>,
    pub invoice_number: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub price: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub excise_tax: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub city_tax: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub county_tax: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub municipal_tax: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub discount_amount: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub sub_total: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub sales_tax: Option<Decimal>,
    /// Metrc documents the shape as unknown; tagtrail accepts and ignores it.
    #[schema(value_type = Option<Object>)]
    pub qr_codes: Option<serde_json::Value>,
}

/// One element of `POST /sales/v2/receipts` (no `Id`) or `PUT /sales/v2/receipts` (`Id`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct SalesReceiptRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Facility-local date and time of the sale.
    pub sales_date_time: Option<String>,
    pub external_receipt_number: Option<String>,
    pub sales_customer_type: Option<String>,
    pub patient_license_number: Option<String>,
    pub caregiver_license_number: Option<String>,
    pub identification_method: Option<String>,
    pub patient_registration_location_id: Option<i64>,
    pub transactions: Vec<SaleTransactionRequest>,
}

/// One element of the finalize and unfinalize bodies: `[{"Id": 1}]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct ReceiptIdRequest {
    pub id: Option<i64>,
}

/// A line of a recorded receipt (`SalesReceipt.Transactions[]`; Metrc documents the shape as
/// unknown, tagtrail answers with the package, item and amounts of the line).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct SaleTransaction {
    pub package_id: Option<i64>,
    pub package_label: Option<String>,
    pub product_name: Option<String>,
    pub product_category_name: Option<String>,
    pub item_strain_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub quantity_sold: Option<Decimal>,
    pub unit_of_measure_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub total_price: Option<Decimal>,
    pub invoice_number: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub price: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub excise_tax: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub city_tax: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub county_tax: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub municipal_tax: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub discount_amount: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub sub_total: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub sales_tax: Option<Decimal>,
}

/// A sales receipt (`GET /sales/v2/receipts/{id}`, `/active`, `/inactive`,
/// `/external/{externalNumber}`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct SalesReceipt {
    pub id: Option<i64>,
    pub receipt_number: Option<String>,
    pub external_receipt_number: Option<String>,
    pub sales_date_time: Option<String>,
    pub sales_customer_type: Option<String>,
    pub patient_license_number: Option<String>,
    pub caregiver_license_number: Option<String>,
    pub identification_method: Option<String>,
    pub patient_registration_location_id: Option<i64>,
    pub total_packages: Option<i64>,
    #[schema(value_type = Option<f64>)]
    pub total_price: Option<Decimal>,
    pub transactions: Vec<SaleTransaction>,
    pub is_final: Option<bool>,
    pub archived_date: Option<String>,
    pub recorded_date_time: Option<String>,
    pub recorded_by_user_name: Option<String>,
    pub last_modified: Option<String>,
}
