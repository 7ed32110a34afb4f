//! The Transfers group on the wire (`metrc-v2-api.md` §12 Transfers and §12b record shapes):
//! manifests, deliveries, delivery packages, transporters, and the template write bodies, plus
//! tagtrail's receipt body (Metrc takes receipts only in its web UI).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A manifest as `GET /transfers/v2/incoming|outgoing|rejected|templates/outgoing` list it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct Transfer {
    pub id: Option<i64>,
    pub manifest_number: Option<String>,
    pub invoice_number: Option<String>,
    pub shipper_facility_license_number: Option<String>,
    pub shipper_facility_name: Option<String>,
    pub name: Option<String>,
    pub transporter_facility_license_number: Option<String>,
    pub transporter_facility_name: Option<String>,
    pub driver_name: Option<String>,
    pub driver_occupational_license_number: Option<String>,
    pub driver_vehicle_license_number: Option<String>,
    pub vehicle_make: Option<String>,
    pub vehicle_model: Option<String>,
    pub vehicle_license_plate_number: Option<String>,
    pub delivery_count: Option<i64>,
    pub received_delivery_count: Option<i64>,
    pub package_count: Option<i64>,
    pub received_package_count: Option<i64>,
    pub contains_plant_package: Option<bool>,
    pub contains_product_package: Option<bool>,
    pub contains_trade_sample: Option<bool>,
    pub contains_donation: Option<bool>,
    pub contains_testing_sample: Option<bool>,
    pub contains_product_requires_remediation: Option<bool>,
    pub contains_remediated_product_package: Option<bool>,
    pub is_voided: Option<bool>,
    pub created_date_time: Option<String>,
    pub created_by_user_name: Option<String>,
    pub last_modified: Option<String>,
    pub delivery_id: Option<i64>,
    pub recipient_facility_license_number: Option<String>,
    pub recipient_facility_name: Option<String>,
    pub shipment_type_name: Option<String>,
    pub shipment_transaction_type: Option<String>,
    pub estimated_departure_date_time: Option<String>,
    pub actual_departure_date_time: Option<String>,
    pub estimated_arrival_date_time: Option<String>,
    pub actual_arrival_date_time: Option<String>,
    pub delivery_package_count: Option<i64>,
    pub delivery_received_package_count: Option<i64>,
    pub received_date_time: Option<String>,
    pub estimated_return_departure_date_time: Option<String>,
    pub actual_return_departure_date_time: Option<String>,
    pub estimated_return_arrival_date_time: Option<String>,
    pub actual_return_arrival_date_time: Option<String>,
    pub originating_template_id: Option<i64>,
    /// tagtrail: where the manifest is (Template, Outgoing, InTransit, Delivered, Received,
    /// Rejected, Returned, Voided).
    pub tagtrail_state: Option<String>,
}

/// One destination of a manifest (`GET /transfers/v2/{id}/deliveries`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransferDelivery {
    pub id: Option<i64>,
    pub manifest_number: Option<String>,
    pub delivery_number: Option<i64>,
    pub recipient_facility_license_number: Option<String>,
    pub recipient_facility_name: Option<String>,
    pub shipment_type_name: Option<String>,
    pub shipment_transaction_type: Option<String>,
    pub invoice_number: Option<String>,
    pub estimated_departure_date_time: Option<String>,
    pub actual_departure_date_time: Option<String>,
    pub estimated_arrival_date_time: Option<String>,
    pub actual_arrival_date_time: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub gross_weight: Option<Decimal>,
    pub gross_unit_of_weight_name: Option<String>,
    pub planned_route: Option<String>,
    pub delivery_package_count: Option<i64>,
    pub delivery_received_package_count: Option<i64>,
    pub received_date_time: Option<String>,
    pub actual_return_arrival_date_time: Option<String>,
    pub rejected_packages_returned: Option<bool>,
}

/// One package on a delivery (`GET /transfers/v2/deliveries/{id}/packages`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransferDeliveryPackage {
    pub package_id: Option<i64>,
    pub package_label: Option<String>,
    pub package_type: Option<String>,
    pub source_package_labels: Option<String>,
    pub item_id: Option<i64>,
    pub item_name: Option<String>,
    pub item_category_name: Option<String>,
    pub item_strain_name: Option<String>,
    pub lab_testing_state: Option<String>,
    pub production_batch_number: Option<String>,
    pub is_trade_sample: Option<bool>,
    pub is_donation: Option<bool>,
    pub is_testing_sample: Option<bool>,
    pub product_requires_remediation: Option<bool>,
    pub contains_remediated_product: Option<bool>,
    pub remediation_date: Option<String>,
    pub shipment_package_state: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub shipped_quantity: Option<Decimal>,
    pub shipped_unit_of_measure_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub gross_weight: Option<Decimal>,
    pub gross_unit_of_weight_name: Option<String>,
    pub packaged_date: Option<String>,
    pub expiration_date: Option<String>,
    pub sell_by_date: Option<String>,
    pub use_by_date: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub received_quantity: Option<Decimal>,
    pub received_unit_of_measure_name: Option<String>,
    pub external_id: Option<String>,
    pub is_finished_good: Option<bool>,
    /// tagtrail: the receiver's reason for a rejection.
    pub rejection_reason: Option<String>,
}

/// `GET /transfers/v2/deliveries/{id}/packages/wholesale`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransferDeliveryPackageWholesale {
    pub package_id: Option<i64>,
    pub package_label: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub shipper_wholesale_price: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub receiver_wholesale_price: Option<Decimal>,
}

/// `GET /transfers/v2/deliveries/{id}/transporters`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransferTransporter {
    pub shipment_delivery_id: Option<i64>,
    pub transporter_facility_license_number: Option<String>,
    pub transporter_facility_name: Option<String>,
    pub transporter_direction: Option<String>,
}

/// `GET /transfers/v2/deliveries/{id}/transporters/details`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransferTransporterDetail {
    pub shipment_delivery_id: Option<i64>,
    pub driver_name: Option<String>,
    pub driver_occupational_license_number: Option<String>,
    pub driver_vehicle_license_number: Option<String>,
    pub driver_layover_leg: Option<String>,
    pub vehicle_make: Option<String>,
    pub vehicle_model: Option<String>,
    pub vehicle_license_plate_number: Option<String>,
    pub actual_driver_start_date_time: Option<String>,
}

/// `GET /transfers/v2/manifest/{id}/pdf`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct ManifestPdf {
    pub file_contents: Option<String>,
    pub content_type: Option<String>,
    pub file_download_name: Option<String>,
    pub http_status_code: Option<String>,
}

/// `GET /packages/v2/transferred`: a package that left the facility on a manifest.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransferredPackage {
    pub id: Option<i64>,
    pub package_id: Option<i64>,
    pub recipient_facility_license_number: Option<String>,
    pub recipient_facility_name: Option<String>,
    pub manifest_number: Option<String>,
    pub package_label: Option<String>,
    pub external_id: Option<String>,
    pub source_package_labels: Option<String>,
    pub product_name: Option<String>,
    pub product_category_name: Option<String>,
    pub item_strain_name: Option<String>,
    pub lab_testing_state_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub shipped_quantity: Option<Decimal>,
    pub shipped_unit_of_measure_abbreviation: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub gross_weight: Option<Decimal>,
    pub gross_unit_of_weight_abbreviation: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub shipper_wholesale_price: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub received_quantity: Option<Decimal>,
    pub received_unit_of_measure_abbreviation: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub receiver_wholesale_price: Option<Decimal>,
    pub shipment_package_state_name: Option<String>,
    pub actual_departure_date_time: Option<String>,
    pub received_date_time: Option<String>,
}

/// `GET /transfers/v2/deliveries/package/{id}/requiredlabtestbatches`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct RequiredLabTestBatch {
    pub package_id: Option<i64>,
    pub lab_test_batch_id: Option<i64>,
    pub lab_test_batch_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransporterDetailRequest {
    pub driver_occupational_license_number: Option<String>,
    pub driver_name: Option<String>,
    pub driver_license_number: Option<String>,
    pub driver_layover_leg: Option<String>,
    pub vehicle_make: Option<String>,
    pub vehicle_model: Option<String>,
    pub vehicle_license_plate_number: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransporterRequest {
    pub transporter_facility_license_number: Option<String>,
    pub driver_occupational_license_number: Option<String>,
    pub driver_name: Option<String>,
    pub driver_license_number: Option<String>,
    pub driver_layover_leg: Option<String>,
    pub phone_number_for_questions: Option<String>,
    pub vehicle_make: Option<String>,
    pub vehicle_model: Option<String>,
    pub vehicle_license_plate_number: Option<String>,
    pub is_layover: Option<bool>,
    pub estimated_departure_date_time: Option<String>,
    pub estimated_arrival_date_time: Option<String>,
    pub transporter_details: Vec<TransporterDetailRequest>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransferPackageRequest {
    pub package_label: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub wholesale_price: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub gross_weight: Option<Decimal>,
    pub gross_unit_of_weight_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct DestinationRequest {
    #[serde(deserialize_with = "crate::requests::lenient_id")]
    pub transfer_destination_id: Option<i64>,
    pub recipient_license_number: Option<String>,
    pub invoice_number: Option<String>,
    pub transfer_type_name: Option<String>,
    pub planned_route: Option<String>,
    pub estimated_departure_date_time: Option<String>,
    pub estimated_arrival_date_time: Option<String>,
    pub transporters: Vec<TransporterRequest>,
    pub packages: Vec<TransferPackageRequest>,
}

/// `POST|PUT /transfers/v2/templates/outgoing`, and tagtrail's
/// `POST|PUT /tagtrail/v1/transfers/outgoing` (which also take `TransferId` and
/// `TransferTemplateId`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransferTemplateRequest {
    #[serde(deserialize_with = "crate::requests::lenient_id")]
    pub transfer_template_id: Option<i64>,
    #[serde(deserialize_with = "crate::requests::lenient_id")]
    pub transfer_id: Option<i64>,
    pub name: Option<String>,
    pub transporter_facility_license_number: Option<String>,
    pub driver_occupational_license_number: Option<String>,
    pub driver_name: Option<String>,
    pub driver_license_number: Option<String>,
    pub phone_number_for_questions: Option<String>,
    pub vehicle_make: Option<String>,
    pub vehicle_model: Option<String>,
    pub vehicle_license_plate_number: Option<String>,
    pub destinations: Vec<DestinationRequest>,
}

/// A body element that names one manifest (`POST /tagtrail/v1/transfers/depart|arrive|returns`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransferIdRequest {
    #[serde(deserialize_with = "crate::requests::lenient_id")]
    pub transfer_id: Option<i64>,
}

/// One package's receipt (`POST /tagtrail/v1/transfers/deliveries/{id}/receive`): accepted
/// whole at `ReceivedQuantity` (default: as shipped), or rejected with a reason (rule 44).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct ReceiptRequest {
    pub package_label: Option<String>,
    pub accepted: Option<bool>,
    #[schema(value_type = Option<f64>)]
    pub received_quantity: Option<Decimal>,
    pub rejection_reason: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub receiver_wholesale_price: Option<Decimal>,
}
