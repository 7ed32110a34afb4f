//! License types and the facility-type capabilities that follow from them.

use serde::{Deserialize, Serialize};

macro_rules! capabilities {
    ($($flag:ident,)*) => {
        /// A `FacilityType` flag: what a facility's license type lets it do. Every flag Metrc
        /// documents is here, so the set is closed and a misspelling does not compile.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Capability {
            $($flag,)*
        }

        impl Capability {
            pub const ALL: &'static [Capability] = &[$(Capability::$flag,)*];

            /// The flag's name on the wire (`FacilityType.CanTestPackages`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Capability::$flag => stringify!($flag),)*
                }
            }
        }
    };
}

capabilities! {
    IsMedical,
    IsRetail,
    IsHemp,
    CanGrowPlants,
    CanCreateOpeningBalancePlantBatches,
    CanClonePlantBatches,
    CanTagPlantBatches,
    CanAssignLocationsToPlantBatches,
    PlantsRequirePatientAffiliation,
    PlantBatchesCanContainMotherPlants,
    CanUpdatePlantStrains,
    CanTrackVegetativePlants,
    CanCreateImmaturePlantPackagesFromPlants,
    CanPackageVegetativePlants,
    CanPackageWaste,
    CanReportHarvestSchedules,
    CanSubmitHarvestsForTesting,
    CanRequireHarvestSampleLabTestBatches,
    CanReportStrainProperties,
    CanCreateOpeningBalancePackages,
    CanCreateDerivedPackages,
    CanAssignLocationsToPackages,
    CanUpdateLocationsOnPackages,
    PackagesRequirePatientAffiliation,
    CanCreateTradeSamplePackages,
    CanDonatePackages,
    CanSubmitPackagesForTesting,
    CanCreateProcessValidationPackages,
    CanRequirePackageSampleLabTestBatches,
    CanReturnPackageQuantity,
    CanRequestProductRemediation,
    CanRemediatePackagesWithFailedLabResults,
    CanRequestProductDecontamination,
    CanDecontaminatePackagesWithFailedLabResults,
    CanInfuseProducts,
    CanRecordProcessingJobs,
    CanRecordProductForDestruction,
    CanDestroyProduct,
    CanTestPackages,
    TestsRequireLabSample,
    CanTransferFromExternalFacilities,
    CanSellToConsumers,
    CanSellToPatients,
    CanSellToExternalPatients,
    CanSellToCaregivers,
    AdvancedSales,
    CanDeliverSalesToConsumers,
    CanDeliverSalesToPatients,
    IsSalesDeliveryHub,
    CanHaveMemberPatients,
    CanReportPatientCheckIns,
    RetailerDelivery,
    CanCreatePartialPackages,
    CanAdjustSourcePackagesWithPartials,
    CanReportOperationalExceptions,
    CanReportAdulteration,
    CanDownloadProductLabel,
    CanUseComplianceLabel,
    CanTrackFinishedGoods,
    CanOnlyReceiveFinishedGoods,
    CanViewSourcePackages,
    EnableSublocations,
    CanAccessCatalog,
    CanTrackMotherPlantsAsGrowthPhase,
    CanManageItemBrands,
}

impl std::fmt::Display for Capability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

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
    pub fn capabilities(self) -> &'static [Capability] {
        match self {
            LicenseType::Cultivator => &[
                Capability::IsRetail,
                Capability::CanAssignLocationsToPackages,
                Capability::CanUpdateLocationsOnPackages,
                Capability::EnableSublocations,
                Capability::CanGrowPlants,
                Capability::CanCreateOpeningBalancePlantBatches,
                Capability::CanClonePlantBatches,
                Capability::CanTagPlantBatches,
                Capability::CanAssignLocationsToPlantBatches,
                Capability::PlantBatchesCanContainMotherPlants,
                Capability::CanUpdatePlantStrains,
                Capability::CanTrackVegetativePlants,
                Capability::CanCreateImmaturePlantPackagesFromPlants,
                Capability::CanPackageVegetativePlants,
                Capability::CanPackageWaste,
                Capability::CanReportHarvestSchedules,
                Capability::CanSubmitHarvestsForTesting,
                Capability::CanReportStrainProperties,
                Capability::CanCreateDerivedPackages,
                Capability::CanCreateTradeSamplePackages,
                Capability::CanRecordProductForDestruction,
                Capability::CanDestroyProduct,
                Capability::CanManageItemBrands,
            ],
            LicenseType::Manufacturer => &[
                Capability::IsRetail,
                Capability::CanAssignLocationsToPackages,
                Capability::CanUpdateLocationsOnPackages,
                Capability::EnableSublocations,
                Capability::CanCreateDerivedPackages,
                Capability::CanInfuseProducts,
                Capability::CanRecordProcessingJobs,
                Capability::CanCreateTradeSamplePackages,
                Capability::CanRequestProductRemediation,
                Capability::CanRemediatePackagesWithFailedLabResults,
                Capability::CanRequestProductDecontamination,
                Capability::CanDecontaminatePackagesWithFailedLabResults,
                Capability::CanRecordProductForDestruction,
                Capability::CanDestroyProduct,
                Capability::CanTrackFinishedGoods,
                Capability::CanManageItemBrands,
            ],
            LicenseType::Distributor => &[
                Capability::IsRetail,
                Capability::CanAssignLocationsToPackages,
                Capability::CanUpdateLocationsOnPackages,
                Capability::EnableSublocations,
                Capability::CanCreateDerivedPackages,
                Capability::CanCreateTradeSamplePackages,
                Capability::CanSubmitPackagesForTesting,
                Capability::CanRequirePackageSampleLabTestBatches,
                Capability::CanCreateProcessValidationPackages,
                Capability::CanReturnPackageQuantity,
                Capability::CanRecordProductForDestruction,
                Capability::CanDestroyProduct,
                Capability::CanTrackFinishedGoods,
                Capability::CanManageItemBrands,
                Capability::CanTransferFromExternalFacilities,
            ],
            LicenseType::TestingLab => &[
                Capability::IsRetail,
                Capability::CanAssignLocationsToPackages,
                Capability::CanUpdateLocationsOnPackages,
                Capability::EnableSublocations,
                Capability::CanTestPackages,
                Capability::TestsRequireLabSample,
                Capability::CanRecordProductForDestruction,
                Capability::CanDestroyProduct,
            ],
            LicenseType::Retailer => &[
                Capability::IsRetail,
                Capability::CanAssignLocationsToPackages,
                Capability::CanUpdateLocationsOnPackages,
                Capability::EnableSublocations,
                Capability::CanSellToConsumers,
                Capability::CanSellToPatients,
                Capability::CanDeliverSalesToConsumers,
                Capability::RetailerDelivery,
                Capability::CanRecordProductForDestruction,
                Capability::CanDestroyProduct,
                Capability::CanDonatePackages,
            ],
        }
    }

    pub fn can(self, capability: Capability) -> bool {
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
            assert_eq!(
                t.can(Capability::CanTestPackages),
                t == LicenseType::TestingLab
            );
            assert_eq!(
                t.can(Capability::CanSellToConsumers),
                t == LicenseType::Retailer
            );
            assert_eq!(
                t.can(Capability::CanGrowPlants),
                t == LicenseType::Cultivator
            );
        }
    }

    #[test]
    fn license_numbers() {
        assert!(valid_license_number("CCL21-0000123"));
        assert!(!valid_license_number("no digits"));
        assert!(!valid_license_number(""));
    }
}
