//! Additives (Metrc's AdditivesTemplates group and the additive endpoints of PlantBatches and
//! Plants): the templates a facility keeps for the products it applies, and each recorded
//! application of a fertilizer, pesticide or other additive to plants (rule 17: what was applied,
//! how much, when, to which plants, and who recorded it).
//!
//! Percentages and amounts are decimals; nothing here is a float.

use super::{Record, fold};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What kind of product an additive is (`GET /plants/v2/additives/types`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AdditiveType {
    Fertilizer,
    Pesticide,
    Other,
}

impl AdditiveType {
    pub const ALL: [AdditiveType; 3] = [
        AdditiveType::Fertilizer,
        AdditiveType::Pesticide,
        AdditiveType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdditiveType::Fertilizer => "Fertilizer",
            AdditiveType::Pesticide => "Pesticide",
            AdditiveType::Other => "Other",
        }
    }

    /// The type named `name`, in any case.
    pub fn parse(name: &str) -> Option<AdditiveType> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

/// One active ingredient of a product and its share, a percentage within 0..=100.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveIngredient {
    pub name: String,
    pub percentage: Decimal,
}

/// A facility's description of a product it applies (`/additivestemplates/v2`). Its name is
/// unique among the license's active templates (the look-up key, folded); an archived template
/// stays readable on the inactive list and can no longer be applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdditivesTemplate {
    pub id: i64,
    pub license_number: String,
    /// The facility's id, as Metrc's `FacilityId`.
    pub facility_id: i64,
    pub name: String,
    pub additive_type: AdditiveType,
    pub application_device: Option<String>,
    pub epa_registration_number: Option<String>,
    pub note: Option<String>,
    pub product_supplier: Option<String>,
    pub product_trade_name: String,
    pub restrictive_entry_interval_quantity_description: Option<String>,
    pub restrictive_entry_interval_time_description: Option<String>,
    pub active_ingredients: Vec<ActiveIngredient>,
    /// The employee who last created or changed it (rule 17).
    pub recorded_by: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    AdditivesTemplate,
    "additives_templates",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(fold(&r.name))
);

/// One recorded application of an additive: to a plant batch (`POST /plantbatches/v2/additives`
/// and `…/usingtemplate`), to tagged plants by label (`POST /plants/v2/additives` and
/// `…/usingtemplate`) or to every growing plant of a location (`…/bylocation`, and
/// `…/bylocation/usingtemplate`). One request row is one application; the product is copied in
/// (from the template when one was used), so a later change to a template never rewrites what
/// was applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlantAdditive {
    pub id: i64,
    pub license_number: String,
    pub additive_type: AdditiveType,
    pub product_trade_name: String,
    pub epa_registration_number: Option<String>,
    pub product_supplier: Option<String>,
    pub application_device: Option<String>,
    pub active_ingredients: Vec<ActiveIngredient>,
    pub restrictive_entry_interval_quantity_description: Option<String>,
    pub restrictive_entry_interval_time_description: Option<String>,
    pub note: Option<String>,
    /// The template the product came from, if one was used.
    pub template_id: Option<i64>,
    pub template_name: Option<String>,
    /// Free text, as Metrc takes them ("2 ml/gal", "5 gal").
    pub rate: Option<String>,
    pub volume: Option<String>,
    /// Rule 17: the amount applied, always above zero, and its unit.
    pub total_amount_applied: Decimal,
    pub amount_unit_of_measure: String,
    /// The batch it was applied to, or the one batch every plant treated belongs to.
    pub plant_batch_id: Option<i64>,
    pub plant_batch_name: Option<String>,
    /// The tagged plants treated (empty for an application to a batch).
    pub plant_ids: Vec<i64>,
    pub plant_labels: Vec<String>,
    /// The plants treated: the batch's count, or the tagged plants named or found.
    pub plant_count: i64,
    /// The location named by an application `…/bylocation`.
    pub location_name: Option<String>,
    pub sublocation_name: Option<String>,
    /// The day it was applied (never in the future, rule 16).
    pub actual_date: String,
    /// The employee who recorded it (rule 17).
    pub recorded_by: String,
    pub active: bool,
    pub last_modified: String,
}

impl PlantAdditive {
    /// What it was applied to (typed `kind` column): a batch, or tagged plants.
    pub fn kind(&self) -> &'static str {
        if self.plant_ids.is_empty() {
            "PlantBatch"
        } else {
            "Plant"
        }
    }
}
record!(
    PlantAdditive,
    "plant_additives",
    license = |r| Some(&r.license_number),
    lookup = |_| None
);
