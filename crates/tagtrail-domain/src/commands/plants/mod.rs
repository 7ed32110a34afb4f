//! Cultivation (cctt-rules §1.D): immature plant batches ([`batches`]), individually tagged
//! plants ([`tagged`]), packages of clones cut from a plant ([`clones`]), and the plant waste
//! recorded against batches or plants.
//!
//! Every decision here works on a [`Work`]: the rows the ledger loaded, and the versions of them
//! this request has already changed, so that two rows of one request touching one batch see each
//! other's effect (two growth-phase changes from one batch both draw on its count). A row that
//! fails leaves the work as it was before it.

pub mod batches;
pub mod clones;
pub mod tagged;
#[cfg(test)]
mod tests;

use super::{Ctx, MAX_NAME_CHARS, optional, required};
use crate::error::{Rejection, RowErrors};
use crate::quantity::{self, QuantityType};
use crate::records::{
    Item, Location, Package, Plant, PlantBatch, PlantWaste, Strain, Sublocation, Tag, fold,
};
use crate::reference;
use crate::tag::{self, TagKind, TagLabel};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// Rule 19: an immature lot holds at most this many plants.
pub const MAX_LOT: i64 = 100;

/// The longest free text (notes, reasons) a cultivation record keeps. Notes are not indexed, so
/// the bound is looser than names', but it is a bound: PostgreSQL never sees an unbounded value.
pub const MAX_NOTE_CHARS: usize = 1000;

/// A plant waste reason (`GET /plants/v2/waste/reasons`, `GET /plantbatches/v2/waste/reasons`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WasteReason {
    pub name: &'static str,
    /// Rule 57: some reasons must say more in a note.
    pub requires_note: bool,
}

/// California's plant waste reasons as the ledger knows them.
pub const WASTE_REASONS: &[WasteReason] = &[
    WasteReason {
        name: "Contamination",
        requires_note: false,
    },
    WasteReason {
        name: "Male Plants",
        requires_note: false,
    },
    WasteReason {
        name: "Pest Infestation",
        requires_note: false,
    },
    WasteReason {
        name: "Trimming/Pruning",
        requires_note: false,
    },
    WasteReason {
        name: "Unhealthy or Died",
        requires_note: false,
    },
    WasteReason {
        name: "Mandatory State Destruction",
        requires_note: true,
    },
    WasteReason {
        name: "Other",
        requires_note: true,
    },
];

pub fn waste_reason(name: &str) -> Option<&'static WasteReason> {
    WASTE_REASONS
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(name.trim()))
}

/// What the ledger loaded for a cultivation write: the rows the request names, keyed as they
/// are named (batches and strains by folded name, plants, tags and packages by upper-case label,
/// locations by folded name) and by id where the wire addresses them so.
#[derive(Debug, Default, Clone)]
pub struct World {
    pub batches: HashMap<String, PlantBatch>,
    pub batch_ids: HashMap<i64, PlantBatch>,
    pub plants: HashMap<String, Plant>,
    pub plant_ids: HashMap<i64, Plant>,
    pub tags: HashMap<String, Tag>,
    pub strains: HashMap<String, Strain>,
    pub strain_ids: HashMap<i64, Strain>,
    pub locations: HashMap<String, Location>,
    pub sublocations: HashMap<String, Sublocation>,
    pub packages: HashMap<String, Package>,
    /// Items by folded name (immature plant packages name theirs).
    pub items: HashMap<String, Item>,
}

/// The next free ids of the tables a cultivation write adds to.
#[derive(Debug, Clone, Copy, Default)]
pub struct NextIds {
    pub batch: i64,
    pub plant: i64,
    pub waste: i64,
    pub package: i64,
}

/// What a decision writes, and the ids it answers with (in request order).
#[derive(Debug, Default)]
pub struct Changed {
    pub ids: Vec<i64>,
    pub batches: Vec<PlantBatch>,
    pub plants: Vec<Plant>,
    pub waste: Vec<PlantWaste>,
    pub tags: Vec<Tag>,
    pub packages: Vec<Package>,
    /// Late entries (rule 16), in request order.
    pub warnings: Vec<String>,
}

/// The loaded world plus this request's changes so far.
#[derive(Debug, Clone)]
pub struct Work<'a> {
    pub ctx: &'a Ctx<'a>,
    world: &'a World,
    /// Who acts, as destruction notes name them (rule 17).
    pub by: &'a str,
    pub next: NextIds,
    batches: BTreeMap<i64, PlantBatch>,
    plants: BTreeMap<i64, Plant>,
    tags: BTreeMap<String, Tag>,
    packages: BTreeMap<String, Package>,
    waste: Vec<PlantWaste>,
    ids: Vec<i64>,
    warnings: Vec<String>,
}

impl<'a> Work<'a> {
    pub fn new(ctx: &'a Ctx<'a>, world: &'a World, by: &'a str, next: NextIds) -> Self {
        Work {
            ctx,
            world,
            by,
            next,
            batches: BTreeMap::new(),
            plants: BTreeMap::new(),
            tags: BTreeMap::new(),
            packages: BTreeMap::new(),
            waste: Vec::new(),
            ids: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn license(&self) -> &str {
        &self.ctx.facility.license_number
    }

    fn now(&self) -> String {
        self.ctx.now.clone()
    }

    /// Runs `f` for each row; a failing row's changes are dropped and its message kept, and the
    /// request is refused if any row failed.
    pub fn each<S>(
        mut self,
        specs: &[S],
        mut f: impl FnMut(&mut Work<'a>, &S) -> Result<(), String>,
    ) -> Result<Changed, Rejection> {
        let mut errors = RowErrors::default();
        for (row, spec) in specs.iter().enumerate() {
            let saved = self.clone();
            if let Err(e) = f(&mut self, spec) {
                self = saved;
                errors.push(row, e);
            }
        }
        errors.into_result()?;
        Ok(self.finish())
    }

    fn finish(self) -> Changed {
        Changed {
            ids: self.ids,
            batches: self.batches.into_values().collect(),
            plants: self.plants.into_values().collect(),
            waste: self.waste,
            tags: self.tags.into_values().collect(),
            packages: self.packages.into_values().collect(),
            warnings: self.warnings,
        }
    }

    /// Answers with `id` (in request order).
    pub fn answer(&mut self, id: i64) {
        self.ids.push(id);
    }

    // ---- batches ----

    /// The facility's active batch named `name`, as this request last left it.
    pub fn batch(&self, name: &str) -> Result<PlantBatch, String> {
        let key = fold(name);
        // Names are unique among active batches only: one this request emptied may share it.
        let changed = self
            .batches
            .values()
            .filter(|b| fold(&b.name) == key)
            .max_by_key(|b| b.active);
        let found = match changed {
            Some(b) => Some(b),
            None => self
                .world
                .batches
                .get(&key)
                .filter(|b| !self.batches.contains_key(&b.id)),
        };
        found
            .filter(|b| b.active && b.license_number == self.license())
            .cloned()
            .ok_or_else(|| format!("Plant Batch {name} does not exist in the current Facility."))
    }

    /// The facility's active batch with id `id` (as this request last left it).
    pub fn batch_by_id(&self, id: i64) -> Result<PlantBatch, String> {
        self.batches
            .get(&id)
            .or_else(|| self.world.batch_ids.get(&id))
            .filter(|b| b.active && b.license_number == self.license())
            .cloned()
            .ok_or_else(|| format!("Plant Batch {id} does not exist in the current Facility."))
    }

    /// A batch addressed by `Id` or by name, as the PUT bodies do.
    pub fn batch_by(&self, id: Option<i64>, name: &Option<String>) -> Result<PlantBatch, String> {
        match (id, optional(name)) {
            (Some(id), _) => self.batch_by_id(id),
            (None, Some(n)) => self.batch(&n),
            (None, None) => Err("Id or Group was not specified.".into()),
        }
    }

    /// Refuses a new batch name that an active batch (loaded, or created by this request) holds.
    pub fn check_free_name(&self, name: &str) -> Result<(), String> {
        if self.batch(name).is_ok() {
            return Err(format!("Plant Batch {name} already exists."));
        }
        Ok(())
    }

    /// Records the new state of a batch. A batch whose count reached zero and that has no tagged
    /// plants left to track leaves the active list.
    pub fn put_batch(&mut self, mut b: PlantBatch) {
        b.last_modified = self.now();
        if b.untracked_count == 0 && b.active {
            b.active = false;
            b.finished_date = Some(today(self.ctx));
        }
        self.batches.insert(b.id, b);
    }

    pub fn new_batch_id(&mut self) -> i64 {
        let id = self.next.batch;
        self.next.batch += 1;
        id
    }

    // ---- plants ----

    /// A growing plant of the facility, addressed by `Id` or `Label`.
    pub fn plant(&self, id: Option<i64>, label: &Option<String>) -> Result<Plant, String> {
        let found = match (id, optional(label)) {
            (Some(id), _) => self
                .plants
                .get(&id)
                .or_else(|| self.world.plant_ids.get(&id))
                .cloned()
                .ok_or_else(|| format!("Plant {id} does not exist in the current Facility."))?,
            (None, Some(l)) => {
                let key = l.to_ascii_uppercase();
                self.plants
                    .values()
                    .find(|p| p.label.as_str() == key)
                    .or_else(|| self.world.plants.get(&key))
                    .cloned()
                    .ok_or_else(|| format!("Plant {l} does not exist in the current Facility."))?
            }
            (None, None) => return Err("Id or Label was not specified.".into()),
        };
        // A plant changed by this request supersedes the loaded one.
        let p = self.plants.get(&found.id).cloned().unwrap_or(found);
        if p.license_number != self.license() {
            return Err(format!(
                "Plant {} does not exist in the current Facility.",
                p.label
            ));
        }
        if !p.active {
            return Err(format!(
                "Plant {} is {} and cannot be changed.",
                p.label,
                p.state.as_str().to_lowercase()
            ));
        }
        if p.on_hold {
            return Err(format!("Plant {} is on hold.", p.label));
        }
        Ok(p)
    }

    pub fn put_plant(&mut self, mut p: Plant) {
        p.last_modified = self.now();
        self.plants.insert(p.id, p);
    }

    pub fn new_plant_id(&mut self) -> i64 {
        let id = self.next.plant;
        self.next.plant += 1;
        id
    }

    // ---- tags ----

    /// Takes a received, unused plant tag of this facility (rules 11, 13), marking it used.
    pub fn use_plant_tag(&mut self, raw: &str) -> Result<TagLabel, String> {
        self.use_tag(raw, TagKind::Plant)
    }

    /// Takes a received, unused tag of `kind` of this facility (rules 11, 13), marking it used.
    pub fn use_tag(&mut self, raw: &str, kind: TagKind) -> Result<TagLabel, String> {
        let label = TagLabel::parse(raw)?;
        if self.tags.contains_key(label.as_str()) {
            return Err(format!(
                "Tag {label} is used more than once in this request."
            ));
        }
        let t = self
            .world
            .tags
            .get(label.as_str())
            .ok_or_else(|| format!("Tag {label} is not available."))?;
        tag::check_usable(
            &label,
            t.tag_status,
            t.kind,
            &t.license_number,
            kind,
            self.license(),
        )?;
        let used = super::packages::used_now(self.ctx, t);
        self.tags.insert(label.to_string(), used);
        Ok(label)
    }

    /// Whether tag `label` is one this request could take (for counting shortfalls, rule 20).
    pub fn plant_tag_free(&self, label: &TagLabel) -> bool {
        !self.tags.contains_key(label.as_str())
            && self.world.tags.get(label.as_str()).is_some_and(|t| {
                tag::check_usable(
                    label,
                    t.tag_status,
                    t.kind,
                    &t.license_number,
                    TagKind::Plant,
                    self.license(),
                )
                .is_ok()
            })
    }

    // ---- packages ----

    /// The facility's package labelled `label`, as this request last left it.
    pub fn package(&self, label: &str) -> Result<Package, String> {
        let key = label.trim().to_ascii_uppercase();
        self.packages
            .get(&key)
            .or_else(|| self.world.packages.get(&key))
            .filter(|p| p.license_number == self.license())
            .cloned()
            .ok_or_else(|| format!("Package {label} does not exist in the current Facility."))
    }

    pub fn new_package_id(&mut self) -> i64 {
        let id = self.next.package;
        self.next.package += 1;
        id
    }

    /// An active item of the facility by name.
    pub fn item(&self, name: &Option<String>) -> Result<Item, String> {
        let n = required(name, "Item")?;
        self.world
            .items
            .get(&fold(&n))
            .filter(|i| i.license_number == self.license() && i.active)
            .cloned()
            .ok_or_else(|| format!("Item {n} does not exist in the current Facility."))
    }

    pub fn put_package(&mut self, mut p: Package) {
        p.last_modified = self.now();
        self.packages.insert(p.label.to_string(), p);
    }

    // ---- reference rows ----

    /// A strain of the facility by name, or by id when the wire gives one.
    pub fn strain(&self, id: Option<i64>, name: &Option<String>) -> Result<Strain, String> {
        let found =
            match (id, optional(name)) {
                (Some(id), _) => self.world.strain_ids.get(&id).ok_or_else(|| {
                    format!("Strain {id} does not exist in the current Facility.")
                })?,
                (None, Some(n)) => {
                    self.world.strains.get(&fold(&n)).ok_or_else(|| {
                        format!("Strain {n} does not exist in the current Facility.")
                    })?
                }
                (None, None) => return Err("Strain was not specified.".into()),
            };
        if found.license_number != self.license() || !found.active {
            return Err(format!(
                "Strain {} does not exist in the current Facility.",
                found.name
            ));
        }
        Ok(found.clone())
    }

    /// A location of the facility that takes plants: plant batches, or tagged plants.
    pub fn location(
        &self,
        name: &Option<String>,
        field: &str,
        tagged: bool,
    ) -> Result<Location, String> {
        let n = required(name, field)?;
        let l = self
            .world
            .locations
            .get(&fold(&n))
            .filter(|l| l.license_number == self.license() && l.active)
            .ok_or_else(|| format!("Location {n} does not exist in the current Facility."))?;
        let ty = reference::LOCATION_TYPES
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(&l.location_type_name));
        let fits = ty.is_some_and(|t| {
            if tagged {
                t.for_plants
            } else {
                t.for_plant_batches
            }
        });
        if !fits {
            let what = if tagged { "plants" } else { "plant batches" };
            return Err(format!("Location {} is not for {what}.", l.name));
        }
        Ok(l.clone())
    }

    /// A location of the facility that takes packages.
    pub fn package_location(&self, name: &Option<String>) -> Result<Location, String> {
        let n = required(name, "Location")?;
        let l = self
            .world
            .locations
            .get(&fold(&n))
            .filter(|l| l.license_number == self.license() && l.active)
            .ok_or_else(|| format!("Location {n} does not exist in the current Facility."))?;
        let fits = reference::LOCATION_TYPES
            .iter()
            .any(|t| t.for_packages && t.name.eq_ignore_ascii_case(&l.location_type_name));
        if !fits {
            return Err(format!("Location {} is not for packages.", l.name));
        }
        Ok(l.clone())
    }

    pub fn sublocation(&self, name: &Option<String>) -> Result<Option<Sublocation>, String> {
        match optional(name) {
            None => Ok(None),
            Some(n) => self
                .world
                .sublocations
                .get(&fold(&n))
                .filter(|s| s.license_number == self.license() && s.active)
                .cloned()
                .map(Some)
                .ok_or_else(|| format!("Sublocation {n} does not exist in the current Facility.")),
        }
    }

    // ---- waste ----

    /// Rule 16: destruction and disposal are recorded within 24 hours. A later entry is
    /// accepted with a warning; the date is a day, so only an entry at least 24 hours after the
    /// end of that day is certainly late.
    fn warn_if_late(&mut self, day: &str, what: &str) {
        let end = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc());
        let now = crate::time::parse_instant(&self.ctx.now);
        if let (Some(end), Some(now)) = (end, now) {
            let hours = (now - end).num_hours();
            if hours >= 24 {
                self.warnings.push(format!(
                    "{what} of {day} recorded at least {hours} h after it happened; \
                     4 CCR §15049(b) requires 24 h (rule 16)."
                ));
            }
        }
    }

    /// Checks the waste fields of a waste or destroy body (rules 16, 17, 57; the date in the
    /// body's `date_field`) and records the waste against `target`: the one way every plant and
    /// batch waste is recorded. Answers with the entry as recorded.
    pub fn record_waste(
        &mut self,
        spec: &WasteSpec,
        date_field: &str,
        target: WasteTarget,
    ) -> Result<PlantWaste, String> {
        let w = spec.check(self.ctx, date_field)?;
        let what = if target.count > 0 {
            "Destruction"
        } else {
            "Waste"
        };
        self.warn_if_late(&w.date, what);
        let id = self.next.waste;
        self.next.waste += 1;
        let per_plant = match i64::try_from(target.plants.len()) {
            Ok(n) if n > 0 => w.weight / Decimal::from(n),
            _ => Decimal::ZERO,
        };
        let plants = target
            .plants
            .iter()
            .map(|p| crate::records::WastedPlant {
                plant_id: p.id,
                label: p.label.to_string(),
                state_name: p.state.as_str().to_string(),
                growth_phase: p.growth_phase,
                location_id: p.location_id,
                location_name: p.location_name.clone(),
                sublocation_id: p.sublocation_id,
                sublocation_name: p.sublocation_name.clone(),
                waste_amount: per_plant,
            })
            .collect();
        self.waste.push(PlantWaste {
            id,
            license_number: self.license().to_string(),
            waste_number: format!("PW-{id:08}"),
            waste_method_name: w.method,
            mixed_material: w.mixed,
            waste_weight: w.weight,
            waste_unit_of_measure_name: w.unit,
            waste_reason_name: w.reason,
            note: w.note,
            plant_batch_id: target.batch.as_ref().map(|b| b.id),
            plant_batch_name: target.batch.as_ref().map(|b| b.name.clone()),
            plant_count: target.count,
            plants,
            location_name: target.location_name,
            sublocation_name: target.sublocation_name,
            waste_date: w.date,
            recorded_by: self.by.to_string(),
            active: true,
            last_modified: self.now(),
        });
        self.waste
            .last()
            .cloned()
            .ok_or_else(|| "The waste was not recorded.".to_string())
    }
}

/// What a waste entry was recorded against.
#[derive(Debug, Default)]
pub struct WasteTarget {
    pub batch: Option<PlantBatch>,
    pub count: i64,
    pub plants: Vec<Plant>,
    pub location_name: Option<String>,
    pub sublocation_name: Option<String>,
}

impl WasteTarget {
    /// Waste of batch `b`, `count` of its plants destroyed (none for waste material alone),
    /// where the batch stands.
    pub fn of_batch(b: &PlantBatch, count: i64) -> Self {
        WasteTarget {
            batch: Some(b.clone()),
            count,
            plants: vec![],
            location_name: Some(b.location_name.clone()),
            sublocation_name: b.sublocation_name.clone(),
        }
    }

    /// Plant `p` destroyed, where it stands.
    pub fn of_plant(p: &Plant) -> Self {
        WasteTarget {
            batch: None,
            count: 1,
            plants: vec![p.clone()],
            location_name: Some(p.location_name.clone()),
            sublocation_name: p.sublocation_name.clone(),
        }
    }
}

/// The waste fields every waste and destroy body carries, as the wire names them.
#[derive(Debug, Clone, Default)]
pub struct WasteSpec {
    pub method: Option<String>,
    pub mixed: Option<String>,
    pub weight: Option<Decimal>,
    pub unit: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub date: Option<String>,
}

/// A checked [`WasteSpec`].
#[derive(Debug, Clone)]
pub struct WasteInput {
    pub method: String,
    pub mixed: Option<String>,
    pub weight: Decimal,
    pub unit: String,
    pub reason: String,
    pub note: Option<String>,
    pub date: String,
}

impl WasteSpec {
    /// Rules 17 and 57: a known waste method, a known reason (with its note when the reason
    /// needs one), a weight in a weight unit, and the date (never ahead, rule 16).
    pub fn check(&self, ctx: &Ctx, date_field: &str) -> Result<WasteInput, String> {
        let method_name = required(&self.method, "WasteMethodName")?;
        let method = reference::WASTE_METHODS
            .iter()
            .find(|m| m.eq_ignore_ascii_case(&method_name))
            .ok_or_else(|| format!("Waste method {method_name} does not exist."))?;
        // The wire names these fields differently per endpoint, so the messages name what is
        // missing rather than a field.
        let reason_name = required(&self.reason, "The waste reason")?;
        let reason = waste_reason(&reason_name)
            .ok_or_else(|| format!("Waste reason {reason_name} does not exist."))?;
        let note = note(&self.note, "The note")?;
        if reason.requires_note && note.is_none() {
            // Rule 57.
            return Err(format!("Waste reason {} requires a note.", reason.name));
        }
        let weight = self.weight.ok_or("WasteWeight was not specified.")?;
        if weight <= Decimal::ZERO {
            return Err("WasteWeight must be greater than zero.".into());
        }
        let unit_name = required(&self.unit, "The waste's unit of measure")?;
        let unit = quantity::unit(&unit_name)
            .ok_or_else(|| format!("Unit of Measure {unit_name} does not exist."))?;
        if unit.quantity_type != QuantityType::WeightBased {
            return Err(format!("Unit of Measure {} is not a weight.", unit.name));
        }
        Ok(WasteInput {
            method: (*method).to_string(),
            mixed: bounded(&self.mixed, "The mixed material", MAX_NAME_CHARS)?,
            weight,
            unit: unit.name.to_string(),
            reason: reason.name.to_string(),
            note,
            date: date(date_field, &self.date, ctx)?,
        })
    }
}

/// An optional text, trimmed, refused past `max` characters.
pub(crate) fn bounded(
    v: &Option<String>,
    field: &str,
    max: usize,
) -> Result<Option<String>, String> {
    match optional(v) {
        Some(s) if s.chars().count() > max => {
            Err(format!("{field} is longer than {max} characters."))
        }
        other => Ok(other),
    }
}

pub(crate) fn note(v: &Option<String>, field: &str) -> Result<Option<String>, String> {
    bounded(v, field, MAX_NOTE_CHARS)
}

pub(crate) fn today(ctx: &Ctx) -> String {
    ctx.now.get(..10).unwrap_or_default().to_string()
}

/// A date (`YYYY-MM-DD` or an instant), today when absent, never in the future (rule 16).
pub(crate) fn date(field: &str, v: &Option<String>, ctx: &Ctx) -> Result<String, String> {
    let Some(d) = optional(v) else {
        return Ok(today(ctx));
    };
    let parsed = chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
        .ok()
        .or_else(|| crate::time::parse_instant(&d).map(|t| t.date_naive()))
        .ok_or_else(|| format!("{field} {d} is not a date (YYYY-MM-DD)."))?;
    let s = crate::time::format_date(parsed);
    if s > today(ctx) {
        return Err(format!("{field} {d} is in the future."));
    }
    Ok(s)
}

/// A plant count: given and greater than zero.
pub(crate) fn count(v: Option<i64>, field: &str) -> Result<i64, String> {
    match v {
        None => Err(format!("{field} was not specified.")),
        Some(n) if n <= 0 => Err(format!("{field} must be greater than zero.")),
        Some(n) => Ok(n),
    }
}

/// Rule 24: `n` plants can leave batch `b` (`verb`: how they leave) only if it holds them.
pub(crate) fn check_takes(b: &PlantBatch, n: i64, verb: &str) -> Result<(), String> {
    if n > b.untracked_count {
        return Err(format!(
            "Plant Batch {} has {} plants; {n} cannot {verb}. Count cannot be less than zero.",
            b.name, b.untracked_count
        ));
    }
    Ok(())
}

/// Rule 19: a lot never holds more than [`MAX_LOT`] plants.
pub(crate) fn check_lot(n: i64) -> Result<(), String> {
    if n > MAX_LOT {
        return Err(format!(
            "A plant batch (immature lot) cannot exceed {MAX_LOT} plants."
        ));
    }
    // Rule 24.
    if n < 0 {
        return Err("Count cannot be less than zero.".into());
    }
    Ok(())
}

/// The `count` labels that follow each other from `start` (Metrc's `StartingTag` plus count):
/// the label's last nine digits are its sequence number within a shipment
/// ([`TagLabel::issue`]); counting never carries into the shipment's prefix.
pub fn tag_run(start: &str, count: i64) -> Result<Vec<TagLabel>, String> {
    let first = TagLabel::parse(start)?;
    let s = first.as_str();
    let digits = s
        .bytes()
        .rev()
        .take_while(u8::is_ascii_digit)
        .count()
        .min(9);
    if digits == 0 {
        return Err(format!("Tag {s} has no sequence number to count from."));
    }
    let (head, tail) = s.split_at(s.len() - digits);
    let seq: u64 = tail
        .parse()
        .map_err(|_| format!("Tag {s} has no sequence number to count from."))?;
    let n = u64::try_from(count).map_err(|_| "Count must be greater than zero.".to_string())?;
    (0..n)
        .map(|i| {
            let next = seq + i;
            let text = format!("{head}{next:0digits$}");
            if text.len() != s.len() {
                return Err(format!(
                    "Tag {s} plus {count} runs past the last tag of its sequence."
                ));
            }
            TagLabel::parse(&text)
        })
        .collect()
}
