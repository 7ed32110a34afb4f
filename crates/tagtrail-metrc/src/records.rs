//! Records as Metrc v2 returns them (`metrc-v2-api.md` §12b). Every field is optional on the
//! way in (clients must treat every field as nullable) and always present on the way out.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// Every `FacilityType` capability flag Metrc documents, in wire order.
pub const FACILITY_TYPE_FLAGS: &[&str] = &[
    "IsMedical",
    "IsRetail",
    "IsHemp",
    "CanGrowPlants",
    "CanCreateOpeningBalancePlantBatches",
    "CanClonePlantBatches",
    "CanTagPlantBatches",
    "CanAssignLocationsToPlantBatches",
    "PlantsRequirePatientAffiliation",
    "PlantBatchesCanContainMotherPlants",
    "CanUpdatePlantStrains",
    "CanTrackVegetativePlants",
    "CanCreateImmaturePlantPackagesFromPlants",
    "CanPackageVegetativePlants",
    "CanPackageWaste",
    "CanReportHarvestSchedules",
    "CanSubmitHarvestsForTesting",
    "CanRequireHarvestSampleLabTestBatches",
    "CanReportStrainProperties",
    "CanCreateOpeningBalancePackages",
    "CanCreateDerivedPackages",
    "CanAssignLocationsToPackages",
    "CanUpdateLocationsOnPackages",
    "PackagesRequirePatientAffiliation",
    "CanCreateTradeSamplePackages",
    "CanDonatePackages",
    "CanSubmitPackagesForTesting",
    "CanCreateProcessValidationPackages",
    "CanRequirePackageSampleLabTestBatches",
    "CanReturnPackageQuantity",
    "CanRequestProductRemediation",
    "CanRemediatePackagesWithFailedLabResults",
    "CanRequestProductDecontamination",
    "CanDecontaminatePackagesWithFailedLabResults",
    "CanInfuseProducts",
    "CanRecordProcessingJobs",
    "CanRecordProductForDestruction",
    "CanDestroyProduct",
    "CanTestPackages",
    "TestsRequireLabSample",
    "CanTransferFromExternalFacilities",
    "CanSellToConsumers",
    "CanSellToPatients",
    "CanSellToExternalPatients",
    "CanSellToCaregivers",
    "AdvancedSales",
    "CanDeliverSalesToConsumers",
    "CanDeliverSalesToPatients",
    "IsSalesDeliveryHub",
    "CanHaveMemberPatients",
    "CanReportPatientCheckIns",
    "RetailerDelivery",
    "CanCreatePartialPackages",
    "CanAdjustSourcePackagesWithPartials",
    "CanReportOperationalExceptions",
    "CanReportAdulteration",
    "CanDownloadProductLabel",
    "CanUseComplianceLabel",
    "CanTrackFinishedGoods",
    "CanOnlyReceiveFinishedGoods",
    "CanViewSourcePackages",
    "EnableSublocations",
    "CanAccessCatalog",
    "CanTrackMotherPlantsAsGrowthPhase",
    "CanManageItemBrands",
];

/// Builds a `FacilityType` object: every documented flag, true where `enabled` lists it.
pub fn facility_type(enabled: &[&str]) -> Map<String, Value> {
    FACILITY_TYPE_FLAGS
        .iter()
        .map(|f| ((*f).to_string(), Value::Bool(enabled.contains(f))))
        .collect()
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct License {
    pub number: Option<String>,
    pub employee_license_number: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub license_type: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct Facility {
    pub facility_id: Option<i64>,
    pub hire_date: Option<String>,
    pub is_owner: Option<bool>,
    pub is_manager: Option<bool>,
    pub is_financial_contact: Option<bool>,
    pub email: Option<String>,
    pub occupations: Vec<String>,
    pub name: Option<String>,
    pub alias: Option<String>,
    pub display_name: Option<String>,
    pub credentialed_date: Option<String>,
    pub support_activation_date: Option<String>,
    pub support_expiration_date: Option<String>,
    #[schema(value_type = Object)]
    pub facility_type: Map<String, Value>,
    pub license: License,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct Employee {
    pub full_name: Option<String>,
    pub license: License,
    pub is_industry_admin: Option<bool>,
    pub is_owner: Option<bool>,
    pub is_manager: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct UnitOfMeasure {
    pub quantity_type: Option<String>,
    pub name: Option<String>,
    pub abbreviation: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct NameOnly {
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct Item {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub global_product_name: Option<String>,
    pub global_product_number: Option<String>,
    pub product_category_name: Option<String>,
    pub product_category_type: Option<String>,
    pub is_expiration_date_required: Option<bool>,
    pub has_expiration_date: Option<bool>,
    pub is_sell_by_date_required: Option<bool>,
    pub has_sell_by_date: Option<bool>,
    pub is_use_by_date_required: Option<bool>,
    pub has_use_by_date: Option<bool>,
    pub quantity_type: Option<String>,
    pub default_lab_testing_state: Option<String>,
    pub unit_of_measure_name: Option<String>,
    pub approval_status: Option<String>,
    pub approval_status_date_time: Option<String>,
    pub strain_id: Option<i64>,
    pub strain_name: Option<String>,
    pub item_brand_id: Option<i64>,
    pub item_brand_name: Option<String>,
    pub administration_method: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub unit_cbd_percent: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub unit_cbd_content: Option<Decimal>,
    pub unit_cbd_content_unit_of_measure_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub unit_cbd_content_dose: Option<Decimal>,
    pub unit_cbd_content_dose_unit_of_measure_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub unit_thc_percent: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub unit_thc_content: Option<Decimal>,
    pub unit_thc_content_unit_of_measure_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub unit_thc_content_dose: Option<Decimal>,
    pub unit_thc_content_dose_unit_of_measure_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub unit_volume: Option<Decimal>,
    pub unit_volume_unit_of_measure_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub unit_weight: Option<Decimal>,
    pub unit_weight_unit_of_measure_name: Option<String>,
    pub serving_size: Option<String>,
    pub supply_duration_days: Option<i64>,
    pub number_of_doses: Option<i64>,
    #[schema(value_type = Option<f64>)]
    pub unit_quantity: Option<Decimal>,
    pub unit_quantity_unit_of_measure_name: Option<String>,
    pub public_ingredients: Option<String>,
    pub description: Option<String>,
    pub allergens: Option<String>,
    pub product_images: Vec<Value>,
    pub product_photo_description: Option<String>,
    pub label_images: Vec<Value>,
    pub label_photo_description: Option<String>,
    pub packaging_images: Vec<Value>,
    pub packaging_photo_description: Option<String>,
    #[serde(rename = "ProductPDFDocuments")]
    pub product_pdf_documents: Vec<Value>,
    pub is_used: Option<bool>,
    pub lab_test_batch_names: Vec<String>,
    pub processing_job_category_name: Option<String>,
    pub processing_job_type_name: Option<String>,
    pub product_brand_name: Option<String>,
    pub is_archived: Option<bool>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct ItemBrand {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct ItemCategory {
    pub name: Option<String>,
    pub product_category_type: Option<String>,
    pub quantity_type: Option<String>,
    pub requires_strain: Option<bool>,
    pub requires_item_brand: Option<bool>,
    pub requires_administration_method: Option<bool>,
    pub requires_unit_cbd_percent: Option<bool>,
    pub requires_unit_cbd_content: Option<bool>,
    pub requires_unit_thc_percent: Option<bool>,
    pub requires_unit_thc_content: Option<bool>,
    pub requires_unit_volume: Option<bool>,
    pub requires_unit_weight: Option<bool>,
    pub requires_serving_size: Option<bool>,
    pub requires_public_ingredients: Option<bool>,
    pub requires_description: Option<bool>,
    pub requires_allergens: Option<bool>,
    pub requires_product_photos: Option<i64>,
    pub requires_label_photos: Option<i64>,
    pub requires_packaging_photos: Option<i64>,
    pub can_contain_seeds: Option<bool>,
    pub can_be_remediated: Option<bool>,
    pub can_be_decontaminated: Option<bool>,
    pub can_be_destroyed: Option<bool>,
    pub lab_test_batch_names: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct Strain {
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
    pub is_used: Option<bool>,
    pub genetics: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct Location {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub location_type_id: Option<i64>,
    pub location_type_name: Option<String>,
    pub for_plant_batches: Option<bool>,
    pub for_plants: Option<bool>,
    pub for_harvests: Option<bool>,
    pub for_packages: Option<bool>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct LocationType {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub for_plant_batches: Option<bool>,
    pub for_plants: Option<bool>,
    pub for_harvests: Option<bool>,
    pub for_packages: Option<bool>,
}

/// Sublocations are returned as `{Id, Name}` records.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct IdName {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct Tag {
    pub id: Option<i64>,
    pub group_tag_type_name: Option<String>,
    pub tag_type_name: Option<String>,
    pub group_tag_type_id: Option<i64>,
    pub tag_type_id: Option<i64>,
    pub tag_inventory_type_name: Option<String>,
    pub max_group_size: Option<i64>,
    pub facility_id: Option<i64>,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct StagedTag {
    pub id: Option<i64>,
    pub tag_type_name: Option<String>,
    pub tag_type_id: Option<i64>,
    pub tag_inventory_type_name: Option<String>,
    pub max_group_size: Option<i64>,
    pub facility_id: Option<i64>,
    pub label: Option<String>,
    pub status_name: Option<String>,
    pub commissioned_date_time: Option<String>,
    pub is_used: Option<bool>,
    pub used_date_time: Option<String>,
    pub is_archived: Option<bool>,
    pub last_modified: Option<String>,
    pub is_staged: Option<bool>,
    pub qr_count: Option<i64>,
}

/// A tag order (tagtrail extension: Metrc has no tag-ordering API).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct TagOrder {
    pub id: Option<i64>,
    pub license_number: Option<String>,
    pub plant_tags: Option<i64>,
    pub package_tags: Option<i64>,
    pub status: Option<String>,
    pub ordered_date_time: Option<String>,
    pub shipped_date_time: Option<String>,
    pub received_date_time: Option<String>,
    pub last_modified: Option<String>,
}

/// A package (§12b). `PackagedByFacilityLicenseNumber`/`Name` carry bulletin I's "Packaged By"
/// (the license that created the package); Metrc's nearest API fields, `ItemFromFacility*`, are
/// filled with the same values.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct Package {
    pub id: Option<i64>,
    pub label: Option<String>,
    pub external_id: Option<String>,
    pub package_type: Option<String>,
    pub source_harvest_count: Option<i64>,
    pub source_package_count: Option<i64>,
    pub source_processing_job_count: Option<i64>,
    pub source_harvest_names: Option<String>,
    pub source_package_labels: Option<String>,
    pub location_id: Option<i64>,
    pub location_name: Option<String>,
    pub sublocation_id: Option<i64>,
    pub sublocation_name: Option<String>,
    pub location_type_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub quantity: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub original_package_quantity: Option<Decimal>,
    pub unit_of_measure_name: Option<String>,
    pub unit_of_measure_abbreviation: Option<String>,
    pub patient_license_number: Option<String>,
    pub item_from_facility_license_number: Option<String>,
    pub item_from_facility_name: Option<String>,
    pub packaged_by_facility_license_number: Option<String>,
    pub packaged_by_facility_name: Option<String>,
    pub note: Option<String>,
    pub packaged_date: Option<String>,
    pub expiration_date: Option<String>,
    pub sell_by_date: Option<String>,
    pub use_by_date: Option<String>,
    pub initial_lab_testing_state: Option<String>,
    pub lab_testing_state: Option<String>,
    pub lab_testing_state_date: Option<String>,
    pub is_production_batch: Option<bool>,
    pub production_batch_number: Option<String>,
    pub source_production_batch_numbers: Option<String>,
    pub is_trade_sample: Option<bool>,
    pub is_donation: Option<bool>,
    pub is_testing_sample: Option<bool>,
    pub product_requires_remediation: Option<bool>,
    pub contains_remediated_product: Option<bool>,
    pub remediation_date: Option<String>,
    pub product_requires_decontamination: Option<bool>,
    pub contains_decontaminated_product: Option<bool>,
    pub decontamination_date: Option<String>,
    pub received_date_time: Option<String>,
    pub received_from_manifest_number: Option<String>,
    pub received_from_facility_license_number: Option<String>,
    pub received_from_facility_name: Option<String>,
    pub is_on_hold: Option<bool>,
    pub is_on_hold_combined: Option<bool>,
    pub is_on_investigation: Option<bool>,
    pub is_on_recall_combined: Option<bool>,
    pub archived_date: Option<String>,
    pub is_finished: Option<bool>,
    pub finished_date: Option<String>,
    pub is_finished_good: Option<bool>,
    pub is_on_retailer_delivery: Option<bool>,
    pub last_modified: Option<String>,
    pub item: Item,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct PackageAdjustment {
    pub package_id: Option<i64>,
    pub package_label: Option<String>,
    pub item_name: Option<String>,
    pub item_category_name: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub adjustment_quantity: Option<Decimal>,
    pub adjustment_unit_of_measure_name: Option<String>,
    pub adjustment_unit_of_measure_abbreviation: Option<String>,
    pub adjustment_reason_name: Option<String>,
    pub adjustment_note: Option<String>,
    pub adjustment_date: Option<String>,
    pub packaged_date: Option<String>,
    pub adjusted_by_user_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct ReasonDefinition {
    pub name: Option<String>,
    pub requires_note: Option<bool>,
    pub requires_waste_weight: Option<bool>,
    pub requires_immature_waste_weight: Option<bool>,
    pub requires_mature_waste_weight: Option<bool>,
}

/// A package and its lineage (tagtrail extension).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct Lineage {
    pub package: Package,
    /// Source packages, theirs, and the seeds or clones package a plant batch was planted from.
    pub ancestors: Vec<LineageStep>,
    pub descendants: Vec<LineageStep>,
    /// The harvests, plants and plant batches the ancestry passes through, nearest first.
    pub origins: Vec<LineageOrigin>,
    /// The plant batches, plants and harvests the descent passes through, nearest first: the
    /// batches planted from a seeds or clones package, their plants and the harvests those went
    /// into (the packages made from a harvest are `Descendants`). Only the caller's own.
    pub grown_into: Vec<LineageGrown>,
}

/// A plant batch, plant or harvest below a package (tagtrail extension), always the caller's
/// own. Exactly one of `Harvest`, `Plant`, `PlantBatch` is set, as `Kind` says.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct LineageGrown {
    /// Steps from the package, counting every package, batch, plant and harvest on the way.
    pub depth: u32,
    /// `PlantBatch`, `Plant` or `Harvest`.
    pub kind: String,
    /// What it was grown from: package labels (a plant batch), batch names (a plant), plant
    /// labels (a harvest).
    pub grown_from: Vec<String>,
    pub harvest: Option<crate::harvests::Harvest>,
    pub plant: Option<crate::plants::Plant>,
    pub plant_batch: Option<crate::plants::PlantBatch>,
}

/// A harvest, plant or plant batch in a package's ancestry (tagtrail extension). Exactly one of
/// `Harvest`, `Plant`, `PlantBatch` is set, as `Kind` says. Another license's harvest carries
/// only its `Name` and `PlantCount` (no `Id`), and nothing beyond it is listed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct LineageOrigin {
    /// Steps from the package, counting every package, harvest, plant and batch on the way.
    pub depth: u32,
    /// `Harvest`, `Plant` or `PlantBatch`.
    pub kind: String,
    /// What it is a source of: package labels (a harvest), harvest names (a plant), plant
    /// labels or batch names (a plant batch, a mother plant).
    pub source_of: Vec<String>,
    pub harvest: Option<crate::harvests::Harvest>,
    pub plant: Option<crate::plants::Plant>,
    pub plant_batch: Option<crate::plants::PlantBatch>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct LineageStep {
    /// 1 = a direct source (or product), 2 = one further, and so on.
    pub depth: u32,
    pub package: Package,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct LabTestType {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub requires_test_result: Option<bool>,
    pub informational_only: Option<bool>,
    pub research_and_development: Option<bool>,
    pub always_passes: Option<bool>,
    pub max_allowed_failure_count: Option<i64>,
    pub lab_test_result_mode: Option<i64>,
    pub lab_test_result_expiration_days: Option<i64>,
    pub dependency_mode: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct LabTestBatch {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub lab_test_type_count: Option<i64>,
    pub lab_test_types: Vec<LabTestType>,
    pub item_category_count: Option<i64>,
    #[schema(value_type = Vec<Object>)]
    pub item_categories: Vec<Value>,
    pub requires_all_from_lab_test_batch: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct LabTestResult {
    pub package_id: Option<i64>,
    pub lab_test_result_id: Option<i64>,
    pub lab_facility_license_number: Option<String>,
    pub lab_facility_name: Option<String>,
    pub source_package_label: Option<String>,
    pub product_name: Option<String>,
    pub product_category_name: Option<String>,
    pub test_performed_date: Option<String>,
    pub overall_passed: Option<bool>,
    pub revoked_date: Option<String>,
    pub lab_test_result_document_file_id: Option<i64>,
    pub result_released: Option<bool>,
    pub result_release_date_time: Option<String>,
    pub expiration_date_time: Option<String>,
    pub test_type_name: Option<String>,
    pub test_passed: Option<bool>,
    #[schema(value_type = Option<f64>)]
    pub test_result_level: Option<Decimal>,
    pub test_comment: Option<String>,
    pub test_informational_only: Option<bool>,
    pub lab_test_detail_revoked_date: Option<String>,
}

/// A file as Metrc returns it: base64 contents with type and name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct FileDownload {
    pub file_contents: Option<String>,
    pub content_type: Option<String>,
    pub file_download_name: Option<String>,
}

/// A testing-sample package with its laboratory's view (bulletin II: `Item.StrainName` is the
/// "Item Strain" column).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct LabSamplePackage {
    pub lab_facility_license_number: Option<String>,
    pub lab_facility_name: Option<String>,
    pub overall_passed: Option<bool>,
    pub test_performed_date: Option<String>,
    pub result_released: Option<bool>,
    pub result_release_date_time: Option<String>,
    pub item_strain_name: Option<String>,
    #[serde(flatten)]
    pub package: Package,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct Driver {
    pub id: Option<i64>,
    pub facility_id: Option<i64>,
    pub employee_id: Option<String>,
    pub name: Option<String>,
    pub drivers_license_number: Option<String>,
    pub is_archived: Option<bool>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct Vehicle {
    pub id: Option<i64>,
    pub facility_id: Option<i64>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub license_plate_number: Option<String>,
    pub is_archived: Option<bool>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransferType {
    pub name: Option<String>,
    pub transaction_type: Option<String>,
    pub for_licensed_shipments: Option<bool>,
    pub for_external_incoming_shipments: Option<bool>,
    pub for_external_outgoing_shipments: Option<bool>,
    pub requires_destination_gross_weight: Option<bool>,
    pub requires_packages_gross_weight: Option<bool>,
    pub requires_invoice_number: Option<bool>,
    #[serde(rename = "RequiresPDFDocument")]
    pub requires_pdf_document: Option<bool>,
    pub bypass_approval: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Metrc sends decimals as JSON numbers (§4); they must round-trip exactly, never via f64.
    #[test]
    fn decimals_are_exact_json_numbers() {
        let s = Strain {
            thc_level: Some("0.1800".parse().unwrap()),
            ..Default::default()
        };
        let text = serde_json::to_string(&s).unwrap();
        assert!(text.contains("\"ThcLevel\":0.1800"), "{text}");
        let back: Strain =
            serde_json::from_str(r#"{"ThcLevel": 0.123456789012345678901234567}"#).unwrap();
        assert_eq!(
            back.thc_level.unwrap().to_string(),
            "0.123456789012345678901234567"
        );
        let from_string: Strain = serde_json::from_str(r#"{"ThcLevel": "0.25"}"#).unwrap();
        assert_eq!(from_string.thc_level.unwrap().to_string(), "0.25");
    }
}
