//! California reference data: item categories, location types, waste methods.
//!
//! Metrc serves these per state; tagtrail serves California's from here. They are data, not
//! journaled state: a change to them is a release of tagtrail, not a licensee's action.

use crate::quantity::QuantityType;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemCategory {
    pub name: &'static str,
    pub product_category_type: &'static str,
    pub quantity_type: QuantityType,
    /// Rule 30: items of these categories must reference a strain.
    pub requires_strain: bool,
    pub requires_unit_thc_content: bool,
    pub requires_unit_weight: bool,
    pub requires_unit_volume: bool,
    pub can_be_remediated: bool,
    /// License types that may receive this category (rule 31).
    pub receivable_by: &'static [crate::license::LicenseType],
}

use crate::license::LicenseType as L;
const ALL_LICENSES: &[L] = &[
    L::Cultivator,
    L::Manufacturer,
    L::Distributor,
    L::TestingLab,
    L::Retailer,
];
const NO_CULTIVATOR: &[L] = &[L::Manufacturer, L::Distributor, L::TestingLab, L::Retailer];
const PLANT_HOLDERS: &[L] = &[L::Cultivator, L::Distributor, L::Retailer];

const fn cat(
    name: &'static str,
    product_category_type: &'static str,
    quantity_type: QuantityType,
    requires_strain: bool,
    receivable_by: &'static [L],
) -> ItemCategory {
    let each = matches!(quantity_type, QuantityType::CountBased);
    ItemCategory {
        name,
        product_category_type,
        quantity_type,
        requires_strain,
        requires_unit_thc_content: each,
        requires_unit_weight: false,
        requires_unit_volume: false,
        can_be_remediated: true,
        receivable_by,
    }
}

pub const ITEM_CATEGORIES: &[ItemCategory] = &[
    cat(
        "Buds",
        "Buds",
        QuantityType::WeightBased,
        true,
        ALL_LICENSES,
    ),
    cat(
        "Shake/Trim",
        "ShakeTrim",
        QuantityType::WeightBased,
        true,
        ALL_LICENSES,
    ),
    cat(
        "Kief",
        "Concentrate",
        QuantityType::WeightBased,
        true,
        ALL_LICENSES,
    ),
    cat(
        "Concentrate",
        "Concentrate",
        QuantityType::WeightBased,
        false,
        NO_CULTIVATOR,
    ),
    cat(
        "Concentrate (Each)",
        "Concentrate",
        QuantityType::CountBased,
        false,
        NO_CULTIVATOR,
    ),
    cat(
        "Extract (Weight)",
        "Concentrate",
        QuantityType::WeightBased,
        false,
        NO_CULTIVATOR,
    ),
    cat(
        "Pre-Roll Flower",
        "Buds",
        QuantityType::CountBased,
        true,
        ALL_LICENSES,
    ),
    cat(
        "Pre-Roll Infused",
        "InfusedPreRoll",
        QuantityType::CountBased,
        false,
        NO_CULTIVATOR,
    ),
    cat(
        "Vape Cartridge",
        "Concentrate",
        QuantityType::CountBased,
        false,
        NO_CULTIVATOR,
    ),
    cat(
        "Edible (Each)",
        "InfusedEdible",
        QuantityType::CountBased,
        false,
        NO_CULTIVATOR,
    ),
    cat(
        "Edible (Weight)",
        "InfusedEdible",
        QuantityType::WeightBased,
        false,
        NO_CULTIVATOR,
    ),
    cat(
        "Beverage (Volume)",
        "InfusedEdible",
        QuantityType::VolumeBased,
        false,
        NO_CULTIVATOR,
    ),
    cat(
        "Tincture (Each)",
        "InfusedNonEdible",
        QuantityType::CountBased,
        false,
        NO_CULTIVATOR,
    ),
    cat(
        "Tincture (Volume)",
        "InfusedNonEdible",
        QuantityType::VolumeBased,
        false,
        NO_CULTIVATOR,
    ),
    cat(
        "Topical (Each)",
        "InfusedNonEdible",
        QuantityType::CountBased,
        false,
        NO_CULTIVATOR,
    ),
    cat(
        "Capsule (Each)",
        "InfusedEdible",
        QuantityType::CountBased,
        false,
        NO_CULTIVATOR,
    ),
    cat(
        "Immature Plants",
        "Plants",
        QuantityType::CountBased,
        true,
        PLANT_HOLDERS,
    ),
    cat(
        "Seeds",
        "Plants",
        QuantityType::CountBased,
        true,
        PLANT_HOLDERS,
    ),
];

pub fn item_category(name: &str) -> Option<&'static ItemCategory> {
    ITEM_CATEGORIES
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name.trim()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocationType {
    pub id: i64,
    pub name: &'static str,
    pub for_plant_batches: bool,
    pub for_plants: bool,
    pub for_harvests: bool,
    pub for_packages: bool,
}

pub const LOCATION_TYPES: &[LocationType] = &[
    LocationType {
        id: 1,
        name: "Default",
        for_plant_batches: true,
        for_plants: true,
        for_harvests: true,
        for_packages: true,
    },
    LocationType {
        id: 2,
        name: "Planting",
        for_plant_batches: true,
        for_plants: true,
        for_harvests: false,
        for_packages: false,
    },
    LocationType {
        id: 3,
        name: "Drying",
        for_plant_batches: false,
        for_plants: false,
        for_harvests: true,
        for_packages: false,
    },
    LocationType {
        id: 4,
        name: "Packing",
        for_plant_batches: false,
        for_plants: false,
        for_harvests: false,
        for_packages: true,
    },
    LocationType {
        id: 5,
        name: "Storage",
        for_plant_batches: false,
        for_plants: false,
        for_harvests: false,
        for_packages: true,
    },
    LocationType {
        id: 6,
        name: "Quarantine",
        for_plant_batches: false,
        for_plants: false,
        for_harvests: false,
        for_packages: true,
    },
];

/// Location types a license type may use: plant-facing types only where plants grow.
pub fn location_types_for(license: L) -> impl Iterator<Item = &'static LocationType> {
    LOCATION_TYPES.iter().filter(move |t| {
        // Types only for plants or harvests are for cultivators; package types are for all.
        license == L::Cultivator || t.for_packages || !(t.for_plants || t.for_harvests)
    })
}

pub fn location_type(license: L, name: &str) -> Option<&'static LocationType> {
    location_types_for(license).find(|t| t.name.eq_ignore_ascii_case(name.trim()))
}

/// A package adjustment reason (`GET /packages/v2/adjust/reasons`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdjustReason {
    pub name: &'static str,
    pub requires_note: bool,
}

/// California's package adjustment reasons. Rule 28: every adjustment carries one; some need a
/// note ("Typing/Entry Error" must say what was wrong).
pub const ADJUST_REASONS: &[AdjustReason] = &[
    AdjustReason {
        name: "Drying",
        requires_note: false,
    },
    AdjustReason {
        name: "Scale Variance",
        requires_note: false,
    },
    AdjustReason {
        name: "Spoilage",
        requires_note: false,
    },
    AdjustReason {
        name: "Theft",
        requires_note: true,
    },
    AdjustReason {
        name: "Typing/Entry Error",
        requires_note: true,
    },
    AdjustReason {
        name: "Waste (Unusable Product)",
        requires_note: false,
    },
    AdjustReason {
        name: "Mandatory State Destruction",
        requires_note: true,
    },
    AdjustReason {
        name: "Voluntary Surrender",
        requires_note: true,
    },
    AdjustReason {
        name: "Internal QC Sampling",
        requires_note: false,
    },
    AdjustReason {
        name: "Research and Development",
        requires_note: false,
    },
];

pub fn adjust_reason(name: &str) -> Option<&'static AdjustReason> {
    ADJUST_REASONS
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(name.trim()))
}

/// Package types (`GET /packages/v2/types`).
pub const PACKAGE_TYPES: &[&str] = &[
    "Product",
    "ImmaturePlant",
    "VegetativePlant",
    "PlantWaste",
    "HarvestWaste",
    "MotherPlant",
];

/// A laboratory test type (`GET /labtests/v2/types`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabTestType {
    pub id: i64,
    pub name: &'static str,
    pub requires_test_result: bool,
    /// Reported, never failing the sample.
    pub informational_only: bool,
    /// Research and development: never changes the compliance lab state (rule 56).
    pub research_and_development: bool,
    /// The unit the one numeric result of this type is reported in.
    pub unit: &'static str,
    /// California's limit for this type, in words, for the person entering or reading a result.
    /// Action levels are set per analyte and per kind of product, so one number per test type
    /// cannot decide an outcome: the laboratory states each outcome (rule 54).
    pub limit: &'static str,
}

const fn lt(
    id: i64,
    name: &'static str,
    informational_only: bool,
    research_and_development: bool,
    (unit, limit): (&'static str, &'static str),
) -> LabTestType {
    LabTestType {
        id,
        name,
        requires_test_result: true,
        informational_only,
        research_and_development,
        unit,
        limit,
    }
}

/// California's regulatory test types (4 CCR §15714–§15723) and an R&D panel, with the unit of
/// each one's result and its limit in words.
pub const LAB_TEST_TYPES: &[LabTestType] = &[
    lt(
        1,
        "Cannabinoids",
        true,
        false,
        ("%", "Reported, no limit (labelled THC and CBD content)"),
    ),
    lt(
        2,
        "Moisture Content",
        false,
        false,
        (
            "%",
            "Reported for dried flower; water activity carries the limit",
        ),
    ),
    lt(
        3,
        "Water Activity",
        false,
        false,
        (
            "aw",
            "At most 0.65 aw for dried flower; 0.85 aw for solid or semi-solid edibles",
        ),
    ),
    lt(
        4,
        "Residual Solvents",
        false,
        false,
        (
            "µg/g",
            "Per solvent: Category I at or above the limit of quantitation fails; Category II above its action level fails",
        ),
    ),
    lt(
        5,
        "Pesticides",
        false,
        false,
        (
            "µg/g",
            "Category I: any detection fails; Category II: above the pesticide's action level fails",
        ),
    ),
    lt(
        6,
        "Microbial Impurities",
        false,
        false,
        (
            "per g",
            "Not detected in 1 g: Shiga toxin-producing E. coli, Salmonella, pathogenic Aspergillus",
        ),
    ),
    lt(
        7,
        "Mycotoxins",
        false,
        false,
        (
            "µg/kg",
            "At most 20 µg/kg total aflatoxins (B1, B2, G1, G2) and 20 µg/kg ochratoxin A",
        ),
    ),
    lt(
        8,
        "Heavy Metals",
        false,
        false,
        (
            "µg/g",
            "Inhaled products: Cd 0.2, Pb 0.5, As 0.2, Hg 0.1; others: Cd 0.5, Pb 0.5, As 1.5, Hg 3.0",
        ),
    ),
    lt(
        9,
        "Foreign Material",
        false,
        false,
        (
            "% of area",
            "Visual inspection: at most ¼ of the area covered by sand, soil or mold; at most 5% imbedded material",
        ),
    ),
    lt(10, "Terpenoids", true, false, ("%", "Reported, no limit")),
    lt(
        11,
        "R&D Potency Screen",
        false,
        true,
        (
            "%",
            "Research only: never changes the lab testing state (rule 56)",
        ),
    ),
];

pub fn lab_test_type(name: &str) -> Option<&'static LabTestType> {
    LAB_TEST_TYPES
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name.trim()))
}

pub const WASTE_METHODS: &[&str] = &[
    "Compost",
    "Grinder",
    "Incinerator",
    "Mixed Waste",
    "Landfill",
];

pub const STRAIN_TESTING_STATUSES: &[&str] = &["None", "InHouse", "ThirdParty"];

pub const ADMINISTRATION_METHODS: &[&str] = &[
    "Inhalation",
    "Oral",
    "Sublingual",
    "Topical",
    "Transdermal",
    "Suppository",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_cultivators_have_no_plant_location_types() {
        assert!(location_type(L::Manufacturer, "Planting").is_none());
        assert!(location_type(L::Cultivator, "Planting").is_some());
        assert!(location_type(L::Retailer, "storage").is_some());
    }

    /// Rule 30: flower categories require a strain.
    #[test]
    fn rule_30_flower_requires_strain() {
        assert!(item_category("Buds").unwrap().requires_strain);
        assert!(!item_category("edible (each)").unwrap().requires_strain);
    }
}
