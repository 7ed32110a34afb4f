//! Harvest batches and their waste (`metrc-v2-api.md` §12 Harvests; cctt-rules 25, 57, 72).
//!
//! A harvest holds weight, never a count: what the plants gave wet (`total_wet_weight`), less
//! what was recorded as waste, packaged, or taken back out with restored plants. Every weight is
//! kept in the harvest's one unit (`unit_of_weight`, the unit it was started in); the decisions
//! convert whatever unit a request names into it.

use super::{Record, fold};
use crate::lab_state::LabState;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How the harvest came about (Metrc's `HarvestType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HarvestType {
    /// Whole plants cut down (`PUT /plants/v2/harvest`).
    WholePlant,
    /// Material manicured from plants that keep growing (`POST /plants/v2/manicure`, rule 25).
    Product,
}

impl HarvestType {
    pub fn as_str(self) -> &'static str {
        match self {
            HarvestType::WholePlant => "WholePlant",
            HarvestType::Product => "Product",
        }
    }
}

/// A harvest batch at one facility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Harvest {
    pub id: i64,
    pub license_number: String,
    pub name: String,
    pub harvest_type: HarvestType,
    /// The strains of the plants it came from, each once, in the order they came.
    pub strain_names: Vec<String>,
    pub drying_location_id: i64,
    pub drying_location_name: String,
    pub drying_location_type_name: String,
    pub drying_sublocation_id: Option<i64>,
    pub drying_sublocation_name: Option<String>,
    pub patient_license_number: Option<String>,
    /// The unit every weight of this harvest is kept in.
    pub unit_of_weight: String,
    pub total_wet_weight: Decimal,
    pub total_waste_weight: Decimal,
    pub total_packaged_weight: Decimal,
    pub total_restored_weight: Decimal,
    /// The plants harvested or manicured into it, each once.
    pub plant_ids: Vec<i64>,
    pub package_count: u32,
    pub lab_testing_state: LabState,
    pub lab_testing_state_date: String,
    pub on_hold: bool,
    pub harvest_start_date: String,
    /// Set when finished; a finished harvest leaves the active list and stays readable (rule 72).
    pub finished_date: Option<String>,
    pub archived_date: Option<String>,
    /// False once finished.
    pub active: bool,
    pub last_modified: String,
}

impl Harvest {
    /// What is left to package or waste: wet weight less waste, packages and restored plants.
    /// The decisions keep it at zero or above (and the database checks it).
    pub fn current_weight(&self) -> Decimal {
        self.total_wet_weight
            - self.total_waste_weight
            - self.total_packaged_weight
            - self.total_restored_weight
    }

    pub fn is_finished(&self) -> bool {
        self.finished_date.is_some()
    }

    /// The list it belongs to: `active` and `onhold` overlap as for packages; `inactive` holds
    /// the finished ones.
    pub fn list_status(&self) -> &'static str {
        match (self.is_finished(), self.on_hold) {
            (true, _) => "Finished",
            (false, true) => "OnHold",
            (false, false) => "Active",
        }
    }

    pub fn plant_count(&self) -> usize {
        self.plant_ids.len()
    }
}
record!(
    Harvest,
    "harvests",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(fold(&r.name))
);

/// Waste recorded against a harvest (`POST /harvests/v2/waste`, rule 57). Discontinuing it
/// (`DELETE /harvests/v2/waste/{id}`) gives its weight back to the harvest and leaves the
/// record, inactive, in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HarvestWaste {
    pub id: i64,
    pub license_number: String,
    pub harvest_id: i64,
    pub harvest_name: String,
    pub waste_type: String,
    pub waste_weight: Decimal,
    /// The unit the weight was recorded in (the harvest's total is kept in its own unit).
    pub unit_of_weight: String,
    /// The same weight in the harvest's unit, which is what discontinuing gives back.
    pub harvest_weight: Decimal,
    pub actual_date: String,
    pub recorded_by: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    HarvestWaste,
    "harvest_wastes",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.harvest_id.to_string())
);

/// A harvest a package was made from, as the package keeps it
/// (`GET /packages/v2/{id}/source/harvests`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceHarvest {
    pub harvest_id: i64,
    pub name: String,
    pub harvest_start_date: String,
    pub harvested_by_license: String,
    pub harvested_by_name: String,
    /// The weight taken from it, in `unit_of_weight`.
    pub weight: Decimal,
    pub unit_of_weight: String,
}
