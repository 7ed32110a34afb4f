//! Cultivation: immature plant batches (lots of up to 100 plants, rule 19), individually tagged
//! plants (rule 20) and the plant waste recorded against either (rules 17, 24, 57).
//!
//! Counts are integers and weights decimals; nothing here is a float.

use super::{Record, fold};
use crate::tag::TagLabel;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How an immature batch was started (`GET /plantbatches/v2/types`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PlantBatchType {
    Seed,
    Clone,
}

impl PlantBatchType {
    pub const ALL: [PlantBatchType; 2] = [PlantBatchType::Seed, PlantBatchType::Clone];

    /// The id Metrc's type list gives it.
    pub fn id(self) -> i64 {
        match self {
            PlantBatchType::Seed => 1,
            PlantBatchType::Clone => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PlantBatchType::Seed => "Seed",
            PlantBatchType::Clone => "Clone",
        }
    }

    /// The type named `name`, in any case.
    pub fn parse(name: &str) -> Option<PlantBatchType> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

/// An immature plant batch (a lot): plants counted, not yet individually tagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlantBatch {
    pub id: i64,
    pub license_number: String,
    /// Unique among the license's active batches (the look-up key, folded).
    pub name: String,
    pub plant_batch_type: PlantBatchType,
    /// The lot's plant-tag UID, once one is assigned (`PUT /plantbatches/v2/tag`; rule 19).
    pub tag: Option<TagLabel>,
    pub strain_id: i64,
    pub strain_name: String,
    pub location_id: i64,
    pub location_name: String,
    pub location_type_name: String,
    pub sublocation_id: Option<i64>,
    pub sublocation_name: Option<String>,
    pub patient_license_number: Option<String>,
    /// Plants still in the lot (rule 19: at most 100; rule 24: never below zero).
    pub untracked_count: i64,
    /// Plants that left the lot with their own tag (growth phase change).
    pub tracked_count: i64,
    pub packaged_count: i64,
    pub destroyed_count: i64,
    pub source_package_id: Option<i64>,
    pub source_package_label: Option<String>,
    pub source_plant_id: Option<i64>,
    pub source_plant_label: Option<String>,
    pub source_plant_batch_ids: Vec<i64>,
    pub source_plant_batch_names: Vec<String>,
    pub planted_date: String,
    pub on_hold: bool,
    /// The date the batch was emptied (its count reached zero), if it has been.
    pub finished_date: Option<String>,
    /// False once its count reaches zero: the batch moves to the inactive list.
    pub active: bool,
    pub last_modified: String,
}
record!(
    PlantBatch,
    "plant_batches",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(fold(&r.name))
);

/// The growth phase of a tagged plant (`GET /plants/v2/growthphases`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GrowthPhase {
    Vegetative,
    Flowering,
}

impl GrowthPhase {
    pub const ALL: [GrowthPhase; 2] = [GrowthPhase::Vegetative, GrowthPhase::Flowering];

    pub fn as_str(self) -> &'static str {
        match self {
            GrowthPhase::Vegetative => "Vegetative",
            GrowthPhase::Flowering => "Flowering",
        }
    }

    pub fn parse(name: &str) -> Option<GrowthPhase> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

/// Where a tagged plant is in its life. Only a `Growing` plant can be moved, retagged,
/// harvested or destroyed; `Harvested` and `Destroyed` are terminal and inactive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PlantState {
    Growing,
    Harvested,
    Destroyed,
}

impl PlantState {
    /// Metrc's `State` on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            PlantState::Growing => "Tracked",
            PlantState::Harvested => "Harvested",
            PlantState::Destroyed => "Destroyed",
        }
    }
}

/// One individually tagged plant (rule 20).
///
/// The Harvests code (`*harvest*` modules) relies on these fields and sets them when it
/// harvests or manicures a plant:
/// - `state`: `Growing` until harvested (`Harvested`, also `active = false`) or destroyed;
/// - `growth_phase`: only a `Flowering` plant is harvested;
/// - `harvest_id`, `harvested_date`, `harvested_wet_weight`, `harvested_unit_of_weight_name`,
///   `harvest_count`: the harvest batch it went into (a manicure sets `harvest_id` and counts
///   without ending the plant);
/// - `is_mother`: a mother plant is listed apart (`GET /plants/v2/mother`).
///
/// `list_status` derives the typed `status` column from `state`, `growth_phase`, `on_hold`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plant {
    pub id: i64,
    pub license_number: String,
    /// The plant's own tag (the look-up key).
    pub label: TagLabel,
    pub state: PlantState,
    pub growth_phase: GrowthPhase,
    pub is_mother: bool,
    pub plant_batch_id: i64,
    pub plant_batch_name: String,
    pub plant_batch_type: PlantBatchType,
    pub strain_id: i64,
    pub strain_name: String,
    pub location_id: i64,
    pub location_name: String,
    pub location_type_name: String,
    pub sublocation_id: Option<i64>,
    pub sublocation_name: Option<String>,
    pub patient_license_number: Option<String>,
    /// The harvest batch it was (last) harvested or manicured into.
    pub harvest_id: Option<i64>,
    pub harvested_unit_of_weight_name: Option<String>,
    pub harvested_wet_weight: Option<Decimal>,
    pub harvest_count: i64,
    pub on_hold: bool,
    pub planted_date: String,
    pub vegetative_date: Option<String>,
    pub flowering_date: Option<String>,
    pub harvested_date: Option<String>,
    pub destroyed_date: Option<String>,
    pub destroyed_note: Option<String>,
    pub destroyed_by_user_name: Option<String>,
    pub mother_plant_date: Option<String>,
    /// Plant batches started from this plant (`POST /plants/v2/plantings`) and their plants.
    pub cloned_count: i64,
    /// False once harvested or destroyed.
    pub active: bool,
    pub last_modified: String,
}

impl Plant {
    /// The list a plant belongs to (typed `status` column): `Vegetative`, `Flowering`,
    /// `OnHold`, `Harvested`, `Destroyed`. Mother plants are told apart by `is_mother`.
    pub fn list_status(&self) -> &'static str {
        match (self.state, self.on_hold) {
            (PlantState::Harvested, _) => "Harvested",
            (PlantState::Destroyed, _) => "Destroyed",
            (PlantState::Growing, true) => "OnHold",
            (PlantState::Growing, false) => self.growth_phase.as_str(),
        }
    }
}
record!(
    Plant,
    "plants",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.label.as_str().to_string())
);

/// One plant a waste record names, with its share of the weight (`GET
/// /plants/v2/waste/{id}/plant`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WastedPlant {
    pub plant_id: i64,
    pub label: String,
    pub state_name: String,
    pub growth_phase: GrowthPhase,
    pub location_id: i64,
    pub location_name: String,
    pub sublocation_id: Option<i64>,
    pub sublocation_name: Option<String>,
    pub waste_amount: Decimal,
}

/// Plant waste: recorded against a batch (`POST /plantbatches/v2/waste`, destroying plants of a
/// batch) or against tagged plants (`POST /plants/v2/waste`, destroying plants). Rules 17 and 57:
/// method, reason, weight, the date and who recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlantWaste {
    pub id: i64,
    pub license_number: String,
    /// Metrc's `PlantWasteNumber`.
    pub waste_number: String,
    pub waste_method_name: String,
    pub mixed_material: Option<String>,
    pub waste_weight: Decimal,
    pub waste_unit_of_measure_name: String,
    pub waste_reason_name: String,
    pub note: Option<String>,
    pub plant_batch_id: Option<i64>,
    pub plant_batch_name: Option<String>,
    /// Plants destroyed with this waste (0 when only material was wasted).
    pub plant_count: i64,
    pub plants: Vec<WastedPlant>,
    pub location_name: Option<String>,
    pub sublocation_name: Option<String>,
    pub waste_date: String,
    /// The employee who recorded it (rule 17: destruction notes name the employee).
    pub recorded_by: String,
    pub active: bool,
    pub last_modified: String,
}
impl PlantWaste {
    /// Which list it belongs to (typed `kind` column): waste of a batch (`/plantbatches/v2/waste`,
    /// batch destruction) or of tagged plants (`/plants/v2/waste`, plant destruction).
    pub fn kind(&self) -> &'static str {
        if self.plant_batch_id.is_some() && self.plants.is_empty() {
            "PlantBatch"
        } else {
            "Plant"
        }
    }
}
record!(
    PlantWaste,
    "plant_waste",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.waste_number.clone())
);
