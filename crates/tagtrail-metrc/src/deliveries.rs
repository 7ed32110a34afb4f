//! Sales deliveries and retailer (route) deliveries on the wire (`metrc-v2-api.md` §Sales and
//! §12b `SalesDelivery`, `RetailerDelivery`): the records the lists and by-id reads answer with,
//! and the write bodies of `/sales/v2/deliveries…`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One line of a delivery (`Transactions[]`), as written and as read back.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeliveryTransaction {
    pub package_id: Option<i64>,
    pub package_label: Option<String>,
    pub product_name: Option<String>,
    pub product_category_name: Option<String>,
    pub item_strain_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub quantity: Option<Decimal>,
    pub unit_of_measure: Option<String>,
    /// Read back as `UnitOfMeasureName` too, as Metrc's receipts show it.
    pub unit_of_measure_name: Option<String>,
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
}

/// A package a customer sent back (`ReturnedPackages[]` of a completion, and read back).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct ReturnedPackage {
    pub label: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub return_quantity_verified: Option<Decimal>,
    pub return_unit_of_measure: Option<String>,
    pub return_reason: Option<String>,
    pub return_reason_note: Option<String>,
}

/// `GET /sales/v2/deliveries/{id}|active|inactive`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct SalesDelivery {
    pub id: Option<i64>,
    pub delivery_number: Option<String>,
    pub facility_license_number: Option<String>,
    pub facility_name: Option<String>,
    pub shipper_facility_license_number: Option<String>,
    pub transporter_facility_id: Option<String>,
    pub transporter_facility_license_number: Option<String>,
    pub transporter_facility_name: Option<String>,
    pub sales_date_time: Option<String>,
    pub sales_customer_type: Option<String>,
    pub patient_license_number: Option<String>,
    pub consumer_id: Option<String>,
    pub driver_employee_id: Option<String>,
    pub driver_name: Option<String>,
    pub drivers_license_number: Option<String>,
    pub phone_number_for_questions: Option<String>,
    pub vehicle_make: Option<String>,
    pub vehicle_model: Option<String>,
    pub vehicle_license_plate_number: Option<String>,
    pub recipient_name: Option<String>,
    pub recipient_address_street1: Option<String>,
    pub recipient_address_street2: Option<String>,
    pub recipient_address_city: Option<String>,
    pub recipient_zone_id: Option<String>,
    pub recipient_address_county: Option<String>,
    pub recipient_address_state: Option<String>,
    pub recipient_address_postal_code: Option<String>,
    pub planned_route: Option<String>,
    pub direction: Option<String>,
    pub estimated_departure_date_time: Option<String>,
    pub actual_departure_date_time: Option<String>,
    pub estimated_arrival_date_time: Option<String>,
    pub actual_arrival_date_time: Option<String>,
    pub total_packages: Option<i64>,
    #[schema(value_type = Option<f64>)]
    pub total_price: Option<Decimal>,
    pub accepted_date_time: Option<String>,
    pub transactions: Vec<DeliveryTransaction>,
    pub accepted_packages: Vec<String>,
    pub returned_packages: Vec<ReturnedPackage>,
    pub payment_type: Option<String>,
    pub completed_date_time: Option<String>,
    pub sales_delivery_state: Option<String>,
    pub voided_date: Option<String>,
    /// tagtrail: the retailer delivery (route) it was sold from.
    pub retailer_delivery_id: Option<i64>,
    pub recorded_date_time: Option<String>,
    pub recorded_by_user_name: Option<String>,
    pub last_modified: Option<String>,
}

/// A package on a route (`Packages[]` of a `RetailerDelivery`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct RetailerDeliveryPackage {
    pub package_id: Option<i64>,
    pub package_label: Option<String>,
    pub product_name: Option<String>,
    pub product_category_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub quantity: Option<Decimal>,
    pub unit_of_measure: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub sold_quantity: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub remaining_quantity: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub end_quantity: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub total_price: Option<Decimal>,
    pub removed: Option<bool>,
    pub date_time: Option<String>,
}

/// A pre-ordered stop of a route (`Destinations[]`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct RetailerDeliveryDestination {
    pub sales_customer_type: Option<String>,
    pub patient_license_number: Option<String>,
    pub consumer_id: Option<String>,
    pub recipient_name: Option<String>,
    pub recipient_address_street1: Option<String>,
    pub recipient_address_street2: Option<String>,
    pub recipient_address_city: Option<String>,
    pub recipient_address_county: Option<String>,
    pub recipient_address_state: Option<String>,
    pub recipient_address_postal_code: Option<String>,
    pub recipient_zone_id: Option<String>,
    pub estimated_arrival_date_time: Option<String>,
    pub transactions: Vec<DeliveryTransaction>,
}

/// `GET /sales/v2/deliveries/retailer/{id}|active|inactive`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct RetailerDelivery {
    pub id: Option<i64>,
    pub retailer_delivery_number: Option<String>,
    pub facility_license_number: Option<String>,
    pub facility_name: Option<String>,
    pub date_time: Option<String>,
    pub driver_employee_id: Option<String>,
    pub driver_name: Option<String>,
    pub drivers_license_number: Option<String>,
    pub phone_number_for_questions: Option<String>,
    pub vehicle_make: Option<String>,
    pub vehicle_model: Option<String>,
    pub vehicle_license_plate_number: Option<String>,
    pub vehicle_info: Option<String>,
    pub direction: Option<String>,
    pub estimated_departure_date_time: Option<String>,
    pub actual_departure_date_time: Option<String>,
    pub restock_date_time: Option<String>,
    pub actual_arrival_date_time: Option<String>,
    pub total_packages: Option<i64>,
    #[schema(value_type = Option<f64>)]
    pub total_price: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub total_price_sold: Option<Decimal>,
    pub accepted_date_time: Option<String>,
    pub destinations: Vec<RetailerDeliveryDestination>,
    /// tagtrail: the sales deliveries recorded from the route.
    pub sales_delivery_ids: Vec<i64>,
    pub completed_date_time: Option<String>,
    pub retailer_delivery_state: Option<String>,
    pub allow_full_edit: Option<bool>,
    pub leg: Option<i64>,
    pub voided_date: Option<String>,
    pub recorded_date_time: Option<String>,
    pub recorded_by_user_name: Option<String>,
    pub last_modified: Option<String>,
    pub packages: Vec<RetailerDeliveryPackage>,
}

/// An element of `POST`/`PUT /sales/v2/deliveries`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct SalesDeliveryRequest {
    pub id: Option<i64>,
    pub transporter_facility_license_number: Option<String>,
    pub sales_date_time: Option<String>,
    pub sales_customer_type: Option<String>,
    pub patient_license_number: Option<String>,
    pub consumer_id: Option<String>,
    pub driver_employee_id: Option<String>,
    pub driver_name: Option<String>,
    pub drivers_license_number: Option<String>,
    pub phone_number_for_questions: Option<String>,
    pub vehicle_make: Option<String>,
    pub vehicle_model: Option<String>,
    pub vehicle_license_plate_number: Option<String>,
    pub recipient_name: Option<String>,
    pub recipient_address_street1: Option<String>,
    pub recipient_address_street2: Option<String>,
    pub recipient_address_city: Option<String>,
    pub recipient_address_county: Option<String>,
    pub recipient_address_state: Option<String>,
    pub recipient_address_postal_code: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub recipient_zone_id: Option<serde_json::Value>,
    pub planned_route: Option<String>,
    pub estimated_departure_date_time: Option<String>,
    pub estimated_arrival_date_time: Option<String>,
    pub transactions: Vec<DeliveryTransaction>,
}

/// An element of `PUT /sales/v2/deliveries/complete`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct CompleteDeliveryRequest {
    pub id: Option<i64>,
    pub actual_arrival_date_time: Option<String>,
    pub payment_type: Option<String>,
    pub accepted_packages: Vec<String>,
    pub returned_packages: Vec<ReturnedPackage>,
}

/// An element of `PUT /sales/v2/deliveries/hub`, `/hub/accept`, `/hub/depart`, `/hub/verifyID`
/// (each reads the fields it needs).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct HubDeliveryRequest {
    pub id: Option<i64>,
    pub transporter_facility_id: Option<String>,
    pub driver_employee_id: Option<String>,
    pub driver_name: Option<String>,
    pub drivers_license_number: Option<String>,
    pub phone_number_for_questions: Option<String>,
    pub vehicle_make: Option<String>,
    pub vehicle_model: Option<String>,
    pub vehicle_license_plate_number: Option<String>,
    pub planned_route: Option<String>,
    pub estimated_departure_date_time: Option<String>,
    pub estimated_arrival_date_time: Option<String>,
    pub payment_type: Option<String>,
}

/// A destination of a route write (`Destinations[]`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct DestinationRequest {
    pub id: Option<i64>,
    pub sales_customer_type: Option<String>,
    pub patient_license_number: Option<String>,
    pub consumer_id: Option<String>,
    pub recipient_name: Option<String>,
    pub recipient_address_street1: Option<String>,
    pub recipient_address_street2: Option<String>,
    pub recipient_address_city: Option<String>,
    pub recipient_address_county: Option<String>,
    pub recipient_address_state: Option<String>,
    pub recipient_address_postal_code: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub recipient_zone_id: Option<serde_json::Value>,
    pub estimated_arrival_date_time: Option<String>,
    pub transactions: Vec<DeliveryTransaction>,
}

/// A package loaded onto a route (`Packages[]` of create, update and restock).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct RoutePackageRequest {
    pub date_time: Option<String>,
    pub package_label: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub quantity: Option<Decimal>,
    pub unit_of_measure: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub total_price: Option<Decimal>,
    pub remove_current_package: Option<bool>,
}

/// An element of `POST`/`PUT /sales/v2/deliveries/retailer`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct RetailerDeliveryRequest {
    pub id: Option<i64>,
    pub date_time: Option<String>,
    pub driver_employee_id: Option<String>,
    pub driver_name: Option<String>,
    pub drivers_license_number: Option<String>,
    pub phone_number_for_questions: Option<String>,
    pub vehicle_make: Option<String>,
    pub vehicle_model: Option<String>,
    pub vehicle_license_plate_number: Option<String>,
    pub estimated_departure_date_time: Option<String>,
    pub destinations: Vec<DestinationRequest>,
    pub packages: Vec<RoutePackageRequest>,
}

/// An element of `POST /sales/v2/deliveries/retailer/depart`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct RetailerDeliveryIdRequest {
    pub retailer_delivery_id: Option<i64>,
}

/// A package brought back (`Packages[]` of `…/retailer/end`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct EndPackageRequest {
    pub label: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub end_quantity: Option<Decimal>,
    pub end_unit_of_measure: Option<String>,
}

/// An element of `POST /sales/v2/deliveries/retailer/end`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct EndRetailerDeliveryRequest {
    pub retailer_delivery_id: Option<i64>,
    pub actual_arrival_date_time: Option<String>,
    pub packages: Vec<EndPackageRequest>,
}

/// An element of `POST /sales/v2/deliveries/retailer/restock`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct RestockRequest {
    pub retailer_delivery_id: Option<i64>,
    pub date_time: Option<String>,
    pub estimated_departure_date_time: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub destinations: Option<serde_json::Value>,
    pub packages: Vec<RoutePackageRequest>,
}

/// An element of `POST /sales/v2/deliveries/retailer/sale`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct RouteSaleRequest {
    pub retailer_delivery_id: Option<i64>,
    pub sales_date_time: Option<String>,
    pub sales_customer_type: Option<String>,
    pub patient_license_number: Option<String>,
    pub consumer_id: Option<String>,
    pub phone_number_for_questions: Option<String>,
    pub recipient_name: Option<String>,
    pub recipient_address_street1: Option<String>,
    pub recipient_address_street2: Option<String>,
    pub recipient_address_city: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub recipient_zone_id: Option<serde_json::Value>,
    pub recipient_address_county: Option<String>,
    pub recipient_address_state: Option<String>,
    pub recipient_address_postal_code: Option<String>,
    pub planned_route: Option<String>,
    pub estimated_departure_date_time: Option<String>,
    pub estimated_arrival_date_time: Option<String>,
    pub transactions: Vec<DeliveryTransaction>,
}
