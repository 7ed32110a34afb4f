//! License types and the facility-type capabilities that follow from them.

use serde::{Deserialize, Serialize};

/// The California license types tagtrail models (microbusinesses are a later addition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenseType {
    Cultivator,
    Manufacturer,
    Distributor,
    TestingLab,
    Retailer,
}

impl LicenseType {
    pub const ALL: [LicenseType; 5] = [
        LicenseType::Cultivator,
        LicenseType::Manufacturer,
        LicenseType::Distributor,
        LicenseType::TestingLab,
        LicenseType::Retailer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LicenseType::Cultivator => "cultivator",
            LicenseType::Manufacturer => "manufacturer",
            LicenseType::Distributor => "distributor",
            LicenseType::TestingLab => "testing_lab",
            LicenseType::Retailer => "retailer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// How Metrc names the license type in `License.LicenseType`.
    pub fn metrc_name(self) -> &'static str {
        match self {
            LicenseType::Cultivator => "Adult-Use Cultivation",
            LicenseType::Manufacturer => "Adult-Use Manufacturer",
            LicenseType::Distributor => "Adult-Use Distributor",
            LicenseType::TestingLab => "Testing Laboratory",
            LicenseType::Retailer => "Adult-Use Retailer",
        }
    }

    /// The `FacilityType` flags that are true for this license type. Every flag not listed is
    /// false. The choice follows what each California license may do (cctt-rules §1.A–K).
    pub fn capabilities(self) -> &'static [&'static str] {
        match self {
            LicenseType::Cultivator => &[
                "IsRetail",
                "CanAssignLocationsToPackages",
                "CanUpdateLocationsOnPackages",
                "EnableSublocations",
                "CanGrowPlants",
                "CanCreateOpeningBalancePlantBatches",
                "CanClonePlantBatches",
                "CanTagPlantBatches",
                "CanAssignLocationsToPlantBatches",
                "PlantBatchesCanContainMotherPlants",
                "CanUpdatePlantStrains",
                "CanTrackVegetativePlants",
                "CanCreateImmaturePlantPackagesFromPlants",
                "CanPackageVegetativePlants",
                "CanPackageWaste",
                "CanReportHarvestSchedules",
                "CanSubmitHarvestsForTesting",
                "CanReportStrainProperties",
                "CanCreateDerivedPackages",
                "CanCreateTradeSamplePackages",
                "CanRecordProductForDestruction",
                "CanDestroyProduct",
                "CanManageItemBrands",
            ],
            LicenseType::Manufacturer => &[
                "IsRetail",
                "CanAssignLocationsToPackages",
                "CanUpdateLocationsOnPackages",
                "EnableSublocations",
                "CanCreateDerivedPackages",
                "CanInfuseProducts",
                "CanRecordProcessingJobs",
                "CanCreateTradeSamplePackages",
                "CanRequestProductRemediation",
                "CanRemediatePackagesWithFailedLabResults",
                "CanRequestProductDecontamination",
                "CanDecontaminatePackagesWithFailedLabResults",
                "CanRecordProductForDestruction",
                "CanDestroyProduct",
                "CanTrackFinishedGoods",
                "CanManageItemBrands",
            ],
            LicenseType::Distributor => &[
                "IsRetail",
                "CanAssignLocationsToPackages",
                "CanUpdateLocationsOnPackages",
                "EnableSublocations",
                "CanCreateDerivedPackages",
                "CanCreateTradeSamplePackages",
                "CanSubmitPackagesForTesting",
                "CanRequirePackageSampleLabTestBatches",
                "CanCreateProcessValidationPackages",
                "CanReturnPackageQuantity",
                "CanRecordProductForDestruction",
                "CanDestroyProduct",
                "CanTrackFinishedGoods",
                "CanManageItemBrands",
                "CanTransferFromExternalFacilities",
            ],
            LicenseType::TestingLab => &[
                "IsRetail",
                "CanAssignLocationsToPackages",
                "CanUpdateLocationsOnPackages",
                "EnableSublocations",
                "CanTestPackages",
                "TestsRequireLabSample",
                "CanRecordProductForDestruction",
                "CanDestroyProduct",
            ],
            LicenseType::Retailer => &[
                "IsRetail",
                "CanAssignLocationsToPackages",
                "CanUpdateLocationsOnPackages",
                "EnableSublocations",
                "CanSellToConsumers",
                "CanSellToPatients",
                "CanDeliverSalesToConsumers",
                "RetailerDelivery",
                "CanRecordProductForDestruction",
                "CanDestroyProduct",
                "CanDonatePackages",
            ],
        }
    }

    pub fn can(self, capability: &str) -> bool {
        self.capabilities().contains(&capability)
    }

    /// Rule 12: only cultivation licenses may order plant tags.
    pub fn may_order_plant_tags(self) -> bool {
        matches!(self, LicenseType::Cultivator)
    }
}

/// A license number as the DCC issues it, e.g. `CCL21-0000123` or `C11-0000456-LIC`.
pub fn valid_license_number(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && s.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rule 12: only cultivation licenses may order plant tags.
    #[test]
    fn rule_12_only_cultivators_order_plant_tags() {
        for t in LicenseType::ALL {
            assert_eq!(t.may_order_plant_tags(), t == LicenseType::Cultivator);
        }
    }

    #[test]
    fn only_labs_test_and_only_retailers_sell() {
        for t in LicenseType::ALL {
            assert_eq!(t.can("CanTestPackages"), t == LicenseType::TestingLab);
            assert_eq!(t.can("CanSellToConsumers"), t == LicenseType::Retailer);
            assert_eq!(t.can("CanGrowPlants"), t == LicenseType::Cultivator);
        }
    }

    #[test]
    fn license_numbers() {
        assert!(valid_license_number("CCL21-0000123"));
        assert!(!valid_license_number("no digits"));
        assert!(!valid_license_number(""));
    }
}
