//! Harvests: harvesting and manicuring plants into harvest batches, waste against them,
//! finishing and unfinishing, renaming, moving, restoring harvested plants, and packages made
//! from harvests (`metrc-v2-api.md` §12 Harvests; cctt-rules 17, 25, 27, 57, 72).
//!
//! Weights are decimals in a named unit. A harvest keeps every total in its own unit; a request
//! may weigh in any weight unit, converted exactly. A harvest's current weight (wet weight less
//! waste, packages and restored plants) never goes below zero: a waste, a package or a restore
//! that would take more than is there is refused (the spirit of rule 24).

use super::packages::{NewParts, new_package, parse_date, parse_date_any, take_package_tag, today};
use super::{Ctx, MAX_NAME_CHARS, optional, required};
use crate::error::{Rejection, RowErrors};
use crate::lab_state::LabState;
use crate::quantity::{self, QuantityType, UnitOfMeasure};
use crate::records::{
    GrowthPhase, Harvest, HarvestType, HarvestWaste, Item, Location, Package, Plant, PlantState,
    SourceHarvest, Sublocation, Tag, fold,
};
use crate::reference;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap, HashSet};

/// California's harvest waste types (`GET /harvests/v2/waste/types`; Metrc's example list).
pub const WASTE_TYPES: &[&str] = &["Plant Material", "Fibrous", "Root Ball"];

/// The waste type named `name`, in any case, as the list spells it.
pub fn waste_type(name: &str) -> Option<&'static str> {
    WASTE_TYPES
        .iter()
        .copied()
        .find(|t| t.eq_ignore_ascii_case(name.trim()))
}

/// What the ledger loaded for a harvest write: the facility's harvests the request names (by id
/// and by folded name, finished ones too), the drying locations and sublocations by folded name,
/// and the plants by label.
#[derive(Debug, Clone, Default)]
pub struct HarvestWorld {
    pub by_id: HashMap<i64, Harvest>,
    pub by_name: HashMap<String, Harvest>,
    pub locations: HashMap<String, Location>,
    pub sublocations: HashMap<String, Sublocation>,
    pub plants: HashMap<String, Plant>,
}

/// Optional text, trimmed, refused beyond [`MAX_NAME_CHARS`] so no value reaches the database
/// that an index or a column could refuse.
fn bounded(value: &Option<String>, field: &str) -> Result<Option<String>, String> {
    match optional(value) {
        Some(v) if v.chars().count() > MAX_NAME_CHARS => Err(format!(
            "{field} is longer than {MAX_NAME_CHARS} characters."
        )),
        v => Ok(v),
    }
}

/// A weight as requested: more than zero, in a weight unit.
fn weight(
    amount: Option<Decimal>,
    unit: &Option<String>,
    what: &str,
) -> Result<(Decimal, &'static UnitOfMeasure), String> {
    let amount = amount.ok_or_else(|| format!("{what} was not specified."))?;
    if amount <= Decimal::ZERO {
        return Err(format!("{what} must be greater than zero."));
    }
    let name = optional(unit).ok_or("UnitOfWeight was not specified.")?;
    let unit =
        quantity::unit(&name).ok_or_else(|| format!("Unit of Measure {name} does not exist."))?;
    if unit.quantity_type != QuantityType::WeightBased {
        return Err(format!(
            "Unit of Measure {} is not a unit of weight.",
            unit.name
        ));
    }
    Ok((amount, unit))
}

/// `amount` of `unit` in the harvest's unit.
fn in_harvest_unit(h: &Harvest, amount: Decimal, unit: &UnitOfMeasure) -> Result<Decimal, String> {
    let to = quantity::unit(&h.unit_of_weight)
        .ok_or_else(|| format!("Harvest {} has an unknown unit.", h.name))?;
    quantity::convert(amount, unit, to).map_err(|e| format!("Harvest {}: {e}.", h.name))
}

/// Refuses a change to a harvest that is finished (rule 72: unfinish it first) or on hold.
fn check_changeable(h: &Harvest) -> Result<(), String> {
    if h.is_finished() {
        return Err(format!(
            "Harvest {} is finished; unfinish it first.",
            h.name
        ));
    }
    if h.on_hold {
        return Err(format!("Harvest {} is on hold.", h.name));
    }
    Ok(())
}

/// Takes `amount` (in the harvest's unit) off the current weight, refusing to go below zero.
fn check_available(h: &Harvest, amount: Decimal, verb: &str) -> Result<(), String> {
    let left = h.current_weight();
    if amount > left {
        return Err(format!(
            "Harvest {} has {} {} left; {} {} cannot be {verb}.",
            h.name,
            left.normalize(),
            h.unit_of_weight,
            amount.normalize(),
            h.unit_of_weight
        ));
    }
    Ok(())
}

/// A drying location: one of the facility's, of a type that holds harvests.
fn drying_location<'a>(
    ctx: &Ctx,
    world: &'a HarvestWorld,
    name: &Option<String>,
) -> Result<&'a Location, String> {
    let name = required(name, "DryingLocation")?;
    let loc = world
        .locations
        .get(&fold(&name))
        .filter(|l| l.license_number == ctx.facility.license_number)
        .ok_or_else(|| format!("Location {name} does not exist in the current Facility."))?;
    let allows = reference::location_type(ctx.facility.license_type, &loc.location_type_name)
        .is_some_and(|t| t.for_harvests);
    if !allows {
        return Err(format!(
            "Location {} ({}) does not allow harvests.",
            loc.name, loc.location_type_name
        ));
    }
    Ok(loc)
}

fn drying_sublocation<'a>(
    ctx: &Ctx,
    world: &'a HarvestWorld,
    name: &Option<String>,
) -> Result<Option<&'a Sublocation>, String> {
    match bounded(name, "DryingSublocation")? {
        None => Ok(None),
        Some(s) => world
            .sublocations
            .get(&fold(&s))
            .filter(|x| x.license_number == ctx.facility.license_number)
            .map(Some)
            .ok_or_else(|| format!("Sublocation {s} does not exist in the current Facility.")),
    }
}

/// The harvests a request changes, as of the rows decided so far: a later row sees an earlier
/// row's change, and each harvest is written once, in id order.
#[derive(Debug, Default)]
struct Working {
    harvests: BTreeMap<i64, Harvest>,
}

impl Working {
    /// The facility's harvest `id` as of the rows decided so far.
    fn get(&self, ctx: &Ctx, world: &HarvestWorld, id: i64) -> Result<Harvest, String> {
        self.harvests
            .get(&id)
            .or_else(|| world.by_id.get(&id))
            .filter(|h| h.license_number == ctx.facility.license_number)
            .cloned()
            .ok_or_else(|| format!("Harvest {id} does not exist in the current Facility."))
    }

    fn put(&mut self, ctx: &Ctx, mut h: Harvest) {
        h.last_modified = ctx.now.clone();
        self.harvests.insert(h.id, h);
    }

    fn into_vec(self) -> Vec<Harvest> {
        self.harvests.into_values().collect()
    }
}

/// One plant harvested (`PUT /plants/v2/harvest`) or manicured (`POST /plants/v2/manicure`).
#[derive(Debug, Clone, Default)]
pub struct HarvestPlantSpec {
    pub plant: Option<String>,
    pub weight: Option<Decimal>,
    pub unit_of_weight: Option<String>,
    pub drying_location: Option<String>,
    pub drying_sublocation: Option<String>,
    pub harvest_name: Option<String>,
    pub patient_license_number: Option<String>,
    pub actual_date: Option<String>,
}

/// The harvest a row goes into: its `HarvestName`, or, when the body names none, the name Metrc
/// would make up (the date and the plant's strain). The load asks this too, so that it reads the
/// harvest a made-up name may already belong to.
pub fn harvest_name(ctx: &Ctx, spec: &HarvestPlantSpec, plant: Option<&Plant>) -> Option<String> {
    match optional(&spec.harvest_name) {
        Some(n) => Some(n),
        None => {
            let date = parse_date("ActualDate", &spec.actual_date, ctx)
                .ok()
                .flatten()
                .unwrap_or_else(|| today(ctx));
            plant.map(|p| format!("{date} {}", p.strain_name))
        }
    }
}

/// What harvesting or manicuring wrote: the harvests (new or grown), the plants, and for each
/// request row the harvest it went into.
#[derive(Debug, Default)]
pub struct Harvested {
    pub harvests: Vec<Harvest>,
    pub plants: Vec<Plant>,
    pub harvest_ids: Vec<i64>,
}

/// Harvests whole plants (`manicure` false: each flowering plant ends, `Harvested`) or
/// manicures them (rule 25: material trimmed from a growing plant is recorded against a harvest
/// batch; the plant keeps growing). Each row names the harvest; one of that name is grown if it
/// exists (an earlier row of the request may have made it), otherwise it is started at the
/// row's drying location.
pub fn harvest_plants(
    ctx: &Ctx,
    world: &HarvestWorld,
    specs: &[HarvestPlantSpec],
    manicure: bool,
    mut next_harvest_id: i64,
) -> Result<Harvested, Rejection> {
    let lic = &ctx.facility.license_number;
    let mut errors = RowErrors::default();
    let mut work = Working::default();
    let mut new_by_name: HashMap<String, i64> = HashMap::new();
    let mut plants: BTreeMap<i64, Plant> = BTreeMap::new();
    let mut harvest_ids = Vec::new();
    for (row, spec) in specs.iter().enumerate() {
        let result = (|| -> Result<(Harvest, Plant, Option<i64>), String> {
            let label = required(&spec.plant, "Plant")?.to_ascii_uppercase();
            let plant = world
                .plants
                .get(&label)
                .filter(|p| &p.license_number == lic)
                .ok_or_else(|| format!("Plant {label} does not exist in the current Facility."))?;
            if plants.contains_key(&plant.id) {
                return Err(format!("Plant {label} appears more than once."));
            }
            if plant.state != PlantState::Growing {
                return Err(format!(
                    "Plant {label} is {} and cannot be harvested.",
                    plant.state.as_str().to_lowercase()
                ));
            }
            if plant.on_hold {
                return Err(format!("Plant {label} is on hold."));
            }
            // Whole plants are harvested when they flower; a manicure trims a growing plant.
            if !manicure && plant.growth_phase != GrowthPhase::Flowering {
                return Err(format!(
                    "Plant {label} is not flowering; only flowering plants are harvested."
                ));
            }
            let (amount, unit) = weight(spec.weight, &spec.unit_of_weight, "Weight")?;
            let date =
                parse_date("ActualDate", &spec.actual_date, ctx)?.unwrap_or_else(|| today(ctx));
            // Nothing is harvested from a plant before it flowered, or manicured before it was
            // planted.
            let (since, what) = if manicure {
                (Some(&plant.planted_date), "was planted")
            } else {
                (plant.flowering_date.as_ref(), "flowered")
            };
            if let Some(since) = since
                && date < *since
            {
                return Err(format!(
                    "ActualDate {date} is before plant {label} {what} ({since})."
                ));
            }
            let patient = bounded(&spec.patient_license_number, "PatientLicenseNumber")?;
            bounded(&spec.harvest_name, "HarvestName")?;
            let name =
                harvest_name(ctx, spec, Some(plant)).ok_or("HarvestName was not specified.")?;
            if name.chars().count() > MAX_NAME_CHARS {
                return Err(format!(
                    "HarvestName is longer than {MAX_NAME_CHARS} characters."
                ));
            }
            let key = fold(&name);
            let existing = match new_by_name.get(&key) {
                Some(id) => Some(work.get(ctx, world, *id)?),
                None => match world.by_name.get(&key).filter(|h| &h.license_number == lic) {
                    Some(h) => Some(work.get(ctx, world, h.id)?),
                    None => None,
                },
            };
            let (mut h, new_id) = match existing {
                Some(h) => {
                    check_changeable(&h)?;
                    (h, None)
                }
                None => {
                    let loc = drying_location(ctx, world, &spec.drying_location)?;
                    let sub = drying_sublocation(ctx, world, &spec.drying_sublocation)?;
                    let h = Harvest {
                        id: next_harvest_id,
                        license_number: lic.clone(),
                        name: name.clone(),
                        harvest_type: if manicure {
                            HarvestType::Product
                        } else {
                            HarvestType::WholePlant
                        },
                        strain_names: vec![],
                        drying_location_id: loc.id,
                        drying_location_name: loc.name.clone(),
                        drying_location_type_name: loc.location_type_name.clone(),
                        drying_sublocation_id: sub.map(|s| s.id),
                        drying_sublocation_name: sub.map(|s| s.name.clone()),
                        patient_license_number: patient.clone(),
                        unit_of_weight: unit.name.to_string(),
                        total_wet_weight: Decimal::ZERO,
                        total_waste_weight: Decimal::ZERO,
                        total_packaged_weight: Decimal::ZERO,
                        total_restored_weight: Decimal::ZERO,
                        plant_ids: vec![],
                        package_count: 0,
                        lab_testing_state: LabState::NotSubmitted,
                        lab_testing_state_date: date.clone(),
                        on_hold: false,
                        harvest_start_date: date.clone(),
                        finished_date: None,
                        archived_date: None,
                        active: true,
                        last_modified: ctx.now.clone(),
                    };
                    (h, Some(next_harvest_id))
                }
            };
            let added = in_harvest_unit(&h, amount, unit)?;
            h.total_wet_weight = h
                .total_wet_weight
                .checked_add(added)
                .ok_or("Weight is too large.")?;
            if date < h.harvest_start_date {
                h.harvest_start_date = date.clone();
            }
            if !h.strain_names.contains(&plant.strain_name) {
                h.strain_names.push(plant.strain_name.clone());
            }
            if !h.plant_ids.contains(&plant.id) {
                h.plant_ids.push(plant.id);
            }
            let mut p = plant.clone();
            p.harvest_id = Some(h.id);
            p.harvest_count += 1;
            p.last_modified = ctx.now.clone();
            if !manicure {
                p.state = PlantState::Harvested;
                p.harvested_date = Some(date);
                p.harvested_wet_weight = Some(amount);
                p.harvested_unit_of_weight_name = Some(unit.name.to_string());
                p.active = false;
            }
            Ok((h, p, new_id))
        })();
        match result {
            Ok((h, p, new_id)) => {
                if let Some(id) = new_id {
                    new_by_name.insert(fold(&h.name), id);
                    next_harvest_id += 1;
                }
                harvest_ids.push(h.id);
                work.put(ctx, h);
                plants.insert(p.id, p);
            }
            Err(e) => errors.push(row, e),
        }
    }
    errors.into_result()?;
    Ok(Harvested {
        harvests: work.into_vec(),
        plants: plants.into_values().collect(),
        harvest_ids,
    })
}

/// One waste record against a harvest (`POST /harvests/v2/waste`; `Id` is the harvest's).
#[derive(Debug, Clone, Default)]
pub struct WasteSpec {
    pub id: Option<i64>,
    pub waste_type: Option<String>,
    pub unit_of_weight: Option<String>,
    pub waste_weight: Option<Decimal>,
    pub actual_date: Option<String>,
}

/// Records waste against harvests (rule 57: a type, a weight, the date and who recorded it). The
/// waste comes off the harvest's current weight, which it may not exceed.
pub fn record_waste(
    ctx: &Ctx,
    world: &HarvestWorld,
    specs: &[WasteSpec],
    by: &str,
    mut next_id: i64,
) -> Result<(Vec<HarvestWaste>, Vec<Harvest>), Rejection> {
    let mut errors = RowErrors::default();
    let mut work = Working::default();
    let mut wastes = Vec::new();
    for (row, spec) in specs.iter().enumerate() {
        let result = (|| -> Result<(Harvest, HarvestWaste), String> {
            let id = spec.id.ok_or("Id was not specified.")?;
            let mut h = work.get(ctx, world, id)?;
            check_changeable(&h)?;
            let kind = required(&spec.waste_type, "WasteType")?;
            let kind =
                waste_type(&kind).ok_or_else(|| format!("Waste type {kind} does not exist."))?;
            let (amount, unit) = weight(spec.waste_weight, &spec.unit_of_weight, "WasteWeight")?;
            let date =
                parse_date("ActualDate", &spec.actual_date, ctx)?.unwrap_or_else(|| today(ctx));
            if date < h.harvest_start_date {
                return Err(format!(
                    "ActualDate {date} is before harvest {} started ({}).",
                    h.name, h.harvest_start_date
                ));
            }
            let taken = in_harvest_unit(&h, amount, unit)?;
            check_available(&h, taken, "wasted")?;
            h.total_waste_weight += taken;
            let w = HarvestWaste {
                id: 0,
                license_number: h.license_number.clone(),
                harvest_id: h.id,
                harvest_name: h.name.clone(),
                waste_type: kind.to_string(),
                waste_weight: amount,
                unit_of_weight: unit.name.to_string(),
                harvest_weight: taken,
                actual_date: date,
                recorded_by: by.to_string(),
                active: true,
                last_modified: ctx.now.clone(),
            };
            Ok((h, w))
        })();
        match result {
            Ok((h, mut w)) => {
                w.id = next_id;
                next_id += 1;
                work.put(ctx, h);
                wastes.push(w);
            }
            Err(e) => errors.push(row, e),
        }
    }
    errors.into_result()?;
    Ok((wastes, work.into_vec()))
}

/// Discontinues one waste record (`DELETE /harvests/v2/waste/{id}`): it leaves the list, stays
/// in the history, and its weight goes back to the harvest.
pub fn discontinue_waste(
    ctx: &Ctx,
    waste: Option<&HarvestWaste>,
    harvest: Option<&Harvest>,
    id: i64,
) -> Result<(HarvestWaste, Harvest), Rejection> {
    let lic = &ctx.facility.license_number;
    let w = waste.filter(|w| &w.license_number == lic).ok_or_else(|| {
        Rejection::NotFound(format!(
            "Harvest waste {id} does not exist in the current Facility."
        ))
    })?;
    if !w.active {
        return Err(Rejection::Invalid(format!(
            "Harvest waste {id} is already discontinued."
        )));
    }
    let mut h = harvest
        .filter(|h| h.id == w.harvest_id && &h.license_number == lic)
        .cloned()
        .ok_or_else(|| {
            Rejection::NotFound(format!(
                "Harvest {} does not exist in the current Facility.",
                w.harvest_id
            ))
        })?;
    check_changeable(&h).map_err(Rejection::Invalid)?;
    h.total_waste_weight -= w.harvest_weight;
    h.last_modified = ctx.now.clone();
    let mut w = w.clone();
    w.active = false;
    w.last_modified = ctx.now.clone();
    Ok((w, h))
}

/// `PUT /harvests/v2/finish`: one harvest and the date it was finished.
#[derive(Debug, Clone, Default)]
pub struct FinishSpec {
    pub id: Option<i64>,
    pub actual_date: Option<String>,
}

/// Applies `f` to each harvest addressed by id: it must be the facility's and be addressed once.
/// The changed harvests come back in request order (Metrc answers their ids so).
fn update_each<S>(
    ctx: &Ctx,
    world: &HarvestWorld,
    specs: &[S],
    id_of: impl Fn(&S) -> Option<i64>,
    mut f: impl FnMut(&mut Harvest, &S) -> Result<(), String>,
) -> Result<Vec<Harvest>, Rejection> {
    let mut errors = RowErrors::default();
    let mut work = Working::default();
    let mut seen = HashSet::new();
    let mut order = Vec::new();
    for (row, spec) in specs.iter().enumerate() {
        let result = (|| -> Result<Harvest, String> {
            let id = id_of(spec).ok_or("Id was not specified.")?;
            if !seen.insert(id) {
                return Err(format!("Harvest {id} appears more than once."));
            }
            let mut h = work.get(ctx, world, id)?;
            f(&mut h, spec)?;
            Ok(h)
        })();
        match result {
            Ok(h) => {
                order.push(h.id);
                work.put(ctx, h);
            }
            Err(e) => errors.push(row, e),
        }
    }
    errors.into_result()?;
    Ok(order
        .iter()
        .filter_map(|id| work.harvests.remove(id))
        .collect())
}

/// Finishes harvests (rule 72): each leaves the active list, stays readable, and can be
/// unfinished. Its remaining weight stays recorded as it is.
pub fn finish(
    ctx: &Ctx,
    world: &HarvestWorld,
    specs: &[FinishSpec],
) -> Result<Vec<Harvest>, Rejection> {
    update_each(
        ctx,
        world,
        specs,
        |s| s.id,
        |h, s| {
            check_changeable(h)?;
            let date = parse_date("ActualDate", &s.actual_date, ctx)?.unwrap_or_else(|| today(ctx));
            if date < h.harvest_start_date {
                return Err(format!(
                    "ActualDate {date} is before harvest {} started ({}).",
                    h.name, h.harvest_start_date
                ));
            }
            h.finished_date = Some(date);
            h.active = false;
            Ok(())
        },
    )
}

/// Unfinishes harvests (rule 72): back on the active list, as they were.
pub fn unfinish(
    ctx: &Ctx,
    world: &HarvestWorld,
    ids: &[Option<i64>],
) -> Result<Vec<Harvest>, Rejection> {
    update_each(
        ctx,
        world,
        ids,
        |s| *s,
        |h, _| {
            if !h.is_finished() {
                return Err(format!("Harvest {} is not finished.", h.name));
            }
            // A held harvest stays as the hold found it, finished or not.
            if h.on_hold {
                return Err(format!("Harvest {} is on hold.", h.name));
            }
            h.finished_date = None;
            h.active = true;
            Ok(())
        },
    )
}

/// The regulator's administrative hold (or release) of harvests, by name, as packages are held
/// (rule 34). A held harvest is listed on `GET /harvests/v2/onhold`, and every change to it (its
/// packaging, waste, finishing, unfinishing, renaming, moving, harvesting more into it) is
/// refused until it is released ([`check_changeable`]). The reason is the journal entry's.
#[derive(Debug, Clone, Default)]
pub struct HoldSpec {
    pub names: Vec<String>,
    /// True to hold, false to release.
    pub hold: bool,
}

pub fn set_hold(
    ctx: &Ctx,
    world: &HarvestWorld,
    spec: &HoldSpec,
) -> Result<Vec<Harvest>, Rejection> {
    let id_of = |n: &String| world.by_name.get(&fold(n)).map(|h| h.id);
    // The operator names harvests; a name that is no harvest of the facility is said so.
    let mut unknown = RowErrors::default();
    for (row, n) in spec.names.iter().enumerate() {
        if id_of(n).is_none() {
            let n = n.trim();
            unknown.push(
                row,
                format!("Harvest {n} does not exist in the current Facility."),
            );
        }
    }
    unknown.into_result()?;
    update_each(ctx, world, &spec.names, id_of, |h, _| {
        if h.on_hold == spec.hold {
            let state = if spec.hold { "already" } else { "not" };
            return Err(format!("Harvest {} is {state} on hold.", h.name));
        }
        h.on_hold = spec.hold;
        Ok(())
    })
}

/// `PUT /harvests/v2/rename`.
#[derive(Debug, Clone, Default)]
pub struct RenameSpec {
    pub id: Option<i64>,
    pub old_name: Option<String>,
    pub new_name: Option<String>,
}

/// Renames harvests. A name is unique among the facility's harvests, finished ones included (a
/// finished harvest may be unfinished, rule 72, and must not then collide), and within the
/// request.
pub fn rename(
    ctx: &Ctx,
    world: &HarvestWorld,
    specs: &[RenameSpec],
) -> Result<Vec<Harvest>, Rejection> {
    let mut taken: HashMap<String, i64> = world
        .by_name
        .values()
        .filter(|h| h.license_number == ctx.facility.license_number)
        .map(|h| (fold(&h.name), h.id))
        .collect();
    update_each(
        ctx,
        world,
        specs,
        |s| s.id,
        |h, s| {
            check_changeable(h)?;
            if let Some(old) = optional(&s.old_name)
                && fold(&old) != fold(&h.name)
            {
                return Err(format!("Harvest {} is not named {old}.", h.id));
            }
            let new = required(&s.new_name, "NewName")?;
            let key = fold(&new);
            match taken.get(&key) {
                Some(other) if *other != h.id => {
                    return Err(format!("Harvest name {new} is already in use."));
                }
                _ => {}
            }
            taken.retain(|_, id| *id != h.id);
            taken.insert(key, h.id);
            h.name = new;
            Ok(())
        },
    )
}

/// `PUT /harvests/v2/location`.
#[derive(Debug, Clone, Default)]
pub struct MoveSpec {
    pub id: Option<i64>,
    pub harvest_name: Option<String>,
    pub drying_location: Option<String>,
    pub drying_sublocation: Option<String>,
    pub actual_date: Option<String>,
}

/// Moves harvests to another drying location (of a type that holds harvests) and sublocation.
pub fn relocate(
    ctx: &Ctx,
    world: &HarvestWorld,
    specs: &[MoveSpec],
) -> Result<Vec<Harvest>, Rejection> {
    update_each(
        ctx,
        world,
        specs,
        |s| s.id,
        |h, s| {
            check_changeable(h)?;
            if let Some(name) = optional(&s.harvest_name)
                && fold(&name) != fold(&h.name)
            {
                return Err(format!("Harvest {} is not named {name}.", h.id));
            }
            parse_date("ActualDate", &s.actual_date, ctx)?;
            let loc = drying_location(ctx, world, &s.drying_location)?;
            let sub = drying_sublocation(ctx, world, &s.drying_sublocation)?;
            h.drying_location_id = loc.id;
            h.drying_location_name = loc.name.clone();
            h.drying_location_type_name = loc.location_type_name.clone();
            h.drying_sublocation_id = sub.map(|s| s.id);
            h.drying_sublocation_name = sub.map(|s| s.name.clone());
            Ok(())
        },
    )
}

/// `PUT /harvests/v2/restore/harvestedplants`.
#[derive(Debug, Clone, Default)]
pub struct RestoreSpec {
    pub harvest_id: Option<i64>,
    pub plant_tags: Vec<String>,
}

/// Restores harvested plants out of a harvest: each goes back to flowering, and the weight it
/// was harvested at leaves the harvest (as restored weight), which must still hold it.
pub fn restore_plants(
    ctx: &Ctx,
    world: &HarvestWorld,
    specs: &[RestoreSpec],
) -> Result<(Vec<Harvest>, Vec<Plant>), Rejection> {
    let lic = &ctx.facility.license_number;
    let mut plants: BTreeMap<i64, Plant> = BTreeMap::new();
    let harvests = update_each(
        ctx,
        world,
        specs,
        |s| s.harvest_id,
        |h, s| {
            check_changeable(h)?;
            if s.plant_tags.is_empty() {
                return Err("PlantTags was not specified.".into());
            }
            for tag in &s.plant_tags {
                let label = tag.trim().to_ascii_uppercase();
                let p = world
                    .plants
                    .get(&label)
                    .filter(|p| &p.license_number == lic)
                    .ok_or_else(|| {
                        format!("Plant {label} does not exist in the current Facility.")
                    })?;
                if plants.contains_key(&p.id) {
                    return Err(format!("Plant {label} appears more than once."));
                }
                if p.state != PlantState::Harvested || p.harvest_id != Some(h.id) {
                    return Err(format!(
                        "Plant {label} was not harvested into harvest {}.",
                        h.name
                    ));
                }
                let (amount, unit_name) = p
                    .harvested_wet_weight
                    .zip(p.harvested_unit_of_weight_name.clone())
                    .ok_or_else(|| format!("Plant {label} has no harvested weight."))?;
                let unit = quantity::unit(&unit_name)
                    .ok_or_else(|| format!("Plant {label} has an unknown unit."))?;
                let back = in_harvest_unit(h, amount, unit)?;
                check_available(h, back, "restored")?;
                h.total_restored_weight += back;
                h.plant_ids.retain(|id| *id != p.id);
                let mut p = p.clone();
                p.state = PlantState::Growing;
                p.growth_phase = GrowthPhase::Flowering;
                p.harvest_id = None;
                p.harvested_date = None;
                p.harvested_wet_weight = None;
                p.harvested_unit_of_weight_name = None;
                p.harvest_count = (p.harvest_count - 1).max(0);
                p.active = true;
                p.last_modified = ctx.now.clone();
                plants.insert(p.id, p);
            }
            Ok(())
        },
    )?;
    Ok((harvests, plants.into_values().collect()))
}

/// One harvest an ingredient draws on, by id or by name, and the weight taken.
#[derive(Debug, Clone, Default)]
pub struct HarvestIngredient {
    pub harvest_id: Option<i64>,
    pub harvest_name: Option<String>,
    pub weight: Option<Decimal>,
    pub unit_of_weight: Option<String>,
}

/// `POST /harvests/v2/packages` and `/packages/testing`: one package from harvests.
#[derive(Debug, Clone, Default)]
pub struct HarvestPackageSpec {
    pub tag: Option<String>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub item: Option<String>,
    pub unit_of_weight: Option<String>,
    pub patient_license_number: Option<String>,
    pub note: Option<String>,
    pub is_production_batch: bool,
    pub production_batch_number: Option<String>,
    pub is_trade_sample: bool,
    pub is_donation: bool,
    pub product_requires_remediation: bool,
    pub actual_date: Option<String>,
    pub expiration_date: Option<String>,
    pub sell_by_date: Option<String>,
    pub use_by_date: Option<String>,
    pub ingredients: Vec<HarvestIngredient>,
}

/// What a package from harvests needs besides the harvests: tags by label, items, locations and
/// sublocations by folded name.
#[derive(Debug, Default)]
pub struct PackageWorld {
    pub harvests: HarvestWorld,
    pub tags: HashMap<String, Tag>,
    pub items: HashMap<String, Item>,
}

/// What packaging from harvests wrote.
#[derive(Debug, Default)]
pub struct Packaged {
    pub packages: Vec<Package>,
    pub harvests: Vec<Harvest>,
    pub tags: Vec<Tag>,
    /// Rule 27: harvests packaged later than the packaging deadline after they started.
    pub warnings: Vec<String>,
}

/// Rule 27: a cultivator packages harvested cannabis when drying, curing, grading and trimming
/// are done, or within (as the rules' author recalls §15049.1(b)(5)) 60 days of the harvest.
/// Unverified, so a later packaging is accepted with a warning, never refused.
pub const PACKAGING_DEADLINE_DAYS: i64 = 60;

/// The rule 27 warning for packaging harvest `h` on `packaged`, if late.
fn late_packaging(h: &Harvest, packaged: &str, deadline_days: i64) -> Option<String> {
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    let days = (day(packaged)? - day(&h.harvest_start_date)?).num_days();
    (days > deadline_days).then(|| {
        format!(
            "Harvest {} is packaged {days} days after it started, beyond {deadline_days} days; \
             4 CCR §15049.1(b)(5) sets when harvested cannabis must be packaged.",
            h.name
        )
    })
}

/// Creates packages from harvests. Each package weighs what its ingredients took (converted to
/// its unit), names its source harvests, and takes that weight off each harvest's current
/// weight, which may not go below zero. A testing sample (`testing`) is submitted for testing,
/// and so is the harvest it samples.
pub fn create_packages(
    ctx: &Ctx,
    world: &PackageWorld,
    specs: &[HarvestPackageSpec],
    testing: bool,
    deadline_days: i64,
    mut next_package_id: i64,
) -> Result<Packaged, Rejection> {
    let lic = &ctx.facility.license_number;
    let hw = &world.harvests;
    let mut errors = RowErrors::default();
    let mut work = Working::default();
    let mut used_tags = HashSet::new();
    let mut out = Packaged::default();
    for (row, spec) in specs.iter().enumerate() {
        // Each row works on a copy, so a refused row leaves the harvests as the rows before it
        // left them.
        let mut row_work = Working {
            harvests: work.harvests.clone(),
        };
        let result = (|| -> Result<(Package, Tag, Vec<String>), String> {
            // Rules 11 and 13: received, unused, a package tag issued to this facility.
            let (label, used) = take_package_tag(ctx, &world.tags, &spec.tag, &used_tags)?;
            let item_name = required(&spec.item, "Item")?;
            let item = world
                .items
                .get(&fold(&item_name))
                .filter(|i| &i.license_number == lic)
                .ok_or_else(|| {
                    format!("Item {item_name} does not exist in the current Facility.")
                })?;
            let category = reference::item_category(&item.category)
                .ok_or_else(|| format!("Item {} has an unknown category.", item.name))?;
            let unit_name =
                optional(&spec.unit_of_weight).ok_or("UnitOfWeight was not specified.")?;
            let unit = quantity::unit(&unit_name)
                .ok_or_else(|| format!("Unit of Measure {unit_name} does not exist."))?;
            // Rule 29: a harvest gives weight, so the item must be weighed, in a weight unit.
            if unit.quantity_type != QuantityType::WeightBased
                || category.quantity_type != QuantityType::WeightBased
            {
                return Err(format!(
                    "Item {} ({}) and Unit of Measure {} must both be weight-based to package a harvest.",
                    item.name,
                    category.quantity_type.as_str(),
                    unit.name
                ));
            }
            let loc_name = required(&spec.location, "Location")?;
            let location = hw
                .locations
                .get(&fold(&loc_name))
                .filter(|l| &l.license_number == lic)
                .ok_or_else(|| {
                    format!("Location {loc_name} does not exist in the current Facility.")
                })?;
            let sublocation = match bounded(&spec.sublocation, "Sublocation")? {
                Some(s) => Some(
                    hw.sublocations
                        .get(&fold(&s))
                        .filter(|x| &x.license_number == lic)
                        .ok_or_else(|| {
                            format!("Sublocation {s} does not exist in the current Facility.")
                        })?,
                ),
                None => None,
            };
            let packaged =
                parse_date("ActualDate", &spec.actual_date, ctx)?.unwrap_or_else(|| today(ctx));
            let note = bounded(&spec.note, "Note")?;
            let batch = bounded(&spec.production_batch_number, "ProductionBatchNumber")?;
            bounded(&spec.patient_license_number, "PatientLicenseNumber")?;
            if spec.is_production_batch && batch.is_none() {
                return Err("ProductionBatchNumber was not specified.".into());
            }
            // Rule 23: a package names its sources; here, at least one harvest.
            if spec.ingredients.is_empty() {
                return Err("At least one harvest (Ingredients) is required.".into());
            }
            let mut quantity = Decimal::ZERO;
            let mut sources: Vec<SourceHarvest> = Vec::new();
            let mut warnings = Vec::new();
            for ing in &spec.ingredients {
                let id = match (ing.harvest_id, optional(&ing.harvest_name)) {
                    (Some(id), _) => id,
                    (None, Some(name)) => hw
                        .by_name
                        .get(&fold(&name))
                        .filter(|h| &h.license_number == lic)
                        .map(|h| h.id)
                        .ok_or_else(|| {
                            format!("Harvest {name} does not exist in the current Facility.")
                        })?,
                    (None, None) => return Err("Ingredient HarvestId was not specified.".into()),
                };
                let mut h = row_work.get(ctx, hw, id)?;
                if let Some(name) = optional(&ing.harvest_name)
                    && fold(&name) != fold(&h.name)
                {
                    return Err(format!("Harvest {id} is not named {name}."));
                }
                check_changeable(&h)?;
                let (amount, ing_unit) =
                    weight(ing.weight, &ing.unit_of_weight, "Ingredient Weight")?;
                let taken = in_harvest_unit(&h, amount, ing_unit)?;
                check_available(&h, taken, "packaged")?;
                h.total_packaged_weight += taken;
                if !sources.iter().any(|s| s.harvest_id == h.id) {
                    h.package_count += 1;
                    warnings.extend(late_packaging(&h, &packaged, deadline_days));
                }
                if testing && h.lab_testing_state == LabState::NotSubmitted {
                    h.lab_testing_state = LabState::SubmittedForTesting;
                    h.lab_testing_state_date = today(ctx);
                }
                let in_package = quantity::convert(amount, ing_unit, unit)
                    .map_err(|e| format!("Ingredient of harvest {}: {e}.", h.name))?;
                quantity = quantity
                    .checked_add(in_package)
                    .ok_or("Weight is too large.")?;
                match sources.iter_mut().find(|s| s.harvest_id == h.id) {
                    Some(s) => s.weight += taken,
                    None => sources.push(SourceHarvest {
                        harvest_id: h.id,
                        name: h.name.clone(),
                        harvest_start_date: h.harvest_start_date.clone(),
                        harvested_by_license: lic.clone(),
                        harvested_by_name: ctx.facility.name.clone(),
                        weight: taken,
                        unit_of_weight: h.unit_of_weight.clone(),
                    }),
                }
                row_work.put(ctx, h);
            }
            let lab_state = if testing {
                LabState::SubmittedForTesting
            } else {
                LabState::NotSubmitted
            };
            let strain = sources
                .first()
                .and_then(|s| row_work.harvests.get(&s.harvest_id))
                .and_then(|h| h.strain_names.first().cloned())
                .or_else(|| item.strain_name.clone());
            let pkg = Package {
                item_strain_name: item.strain_name.clone().or(strain),
                note,
                production_batch_number: batch,
                is_production_batch: spec.is_production_batch,
                is_testing_sample: testing,
                is_trade_sample: spec.is_trade_sample,
                is_donation: spec.is_donation,
                product_requires_remediation: spec.product_requires_remediation,
                expiration_date: parse_date_any("ExpirationDate", &spec.expiration_date)?,
                sell_by_date: parse_date_any("SellByDate", &spec.sell_by_date)?,
                use_by_date: parse_date_any("UseByDate", &spec.use_by_date)?,
                source_harvests: sources,
                ..new_package(
                    ctx,
                    NewParts {
                        label,
                        item,
                        quantity,
                        unit: unit.name,
                        location,
                        sublocation,
                        packaged_date: packaged,
                        lab_state,
                    },
                )
            };
            Ok((pkg, used, warnings))
        })();
        match result {
            Ok((mut pkg, used, warnings)) => {
                out.warnings.extend(warnings);
                pkg.id = next_package_id;
                next_package_id += 1;
                used_tags.insert(pkg.label.clone());
                work = row_work;
                out.tags.push(used);
                out.packages.push(pkg);
            }
            Err(e) => errors.push(row, e),
        }
    }
    errors.into_result()?;
    out.harvests = work.into_vec();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::LicenseType;
    use crate::records::{Facility, Onboarding, PlantBatchType};
    use crate::tag::{TagKind, TagLabel, TagStatus};

    const LIC: &str = "CCL21-0001001";
    const NOW: &str = "2026-06-10T12:00:00Z";

    fn facility() -> Facility {
        Facility {
            id: 1,
            license_number: LIC.into(),
            license_type: LicenseType::Cultivator,
            name: "Emerald Triangle Farms".into(),
            display_name: "Emerald Triangle Farms".into(),
            license_start_date: "2026-01-01".into(),
            license_end_date: "2026-12-31".into(),
            address: None,
            credentialed_date: "2026-01-01".into(),
            onboarding: Onboarding::default(),
            active: true,
            last_modified: NOW.into(),
        }
    }

    fn ctx(f: &Facility) -> Ctx<'_> {
        Ctx {
            facility: f,
            now: NOW.into(),
        }
    }

    fn location(id: i64, name: &str, kind: &str) -> Location {
        Location {
            id,
            license_number: LIC.into(),
            name: name.into(),
            location_type_id: 1,
            location_type_name: kind.into(),
            active: true,
            last_modified: NOW.into(),
        }
    }

    fn plant(id: i64, phase: GrowthPhase) -> Plant {
        Plant {
            id,
            license_number: LIC.into(),
            label: TagLabel::issue(1, id as u32),
            state: PlantState::Growing,
            growth_phase: phase,
            is_mother: false,
            plant_batch_id: 1,
            plant_batch_name: "Batch".into(),
            plant_batch_type: PlantBatchType::Clone,
            strain_id: 1,
            strain_name: "Blue Dream".into(),
            location_id: 1,
            location_name: "Greenhouse A".into(),
            location_type_name: "Planting".into(),
            sublocation_id: None,
            sublocation_name: None,
            patient_license_number: None,
            harvest_id: None,
            harvested_unit_of_weight_name: None,
            harvested_wet_weight: None,
            harvest_count: 0,
            on_hold: false,
            planted_date: "2026-03-01".into(),
            vegetative_date: Some("2026-04-01".into()),
            flowering_date: Some("2026-05-01".into()),
            harvested_date: None,
            destroyed_date: None,
            destroyed_note: None,
            destroyed_by_user_name: None,
            mother_plant_date: None,
            cloned_count: 0,
            active: true,
            last_modified: NOW.into(),
        }
    }

    fn world(plants: Vec<Plant>) -> HarvestWorld {
        let mut w = HarvestWorld::default();
        for l in [
            location(1, "Greenhouse A", "Planting"),
            location(2, "Drying Room", "Drying"),
            location(3, "Vault", "Storage"),
        ] {
            w.locations.insert(fold(&l.name), l);
        }
        for p in plants {
            w.plants.insert(p.label.to_string(), p);
        }
        w
    }

    fn harvest_spec(p: &Plant, grams: i64, name: &str) -> HarvestPlantSpec {
        HarvestPlantSpec {
            plant: Some(p.label.to_string()),
            weight: Some(Decimal::from(grams)),
            unit_of_weight: Some("Grams".into()),
            drying_location: Some("Drying Room".into()),
            harvest_name: Some(name.into()),
            actual_date: Some("2026-06-09".into()),
            ..Default::default()
        }
    }

    fn rows(r: Result<impl std::fmt::Debug, Rejection>) -> Vec<(usize, String)> {
        match r {
            Err(Rejection::Rows(rows)) => rows.into_iter().map(|e| (e.row, e.message)).collect(),
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    /// A world holding one harvest of 1000 g made from two flowering plants.
    fn harvested() -> (HarvestWorld, Harvest) {
        let f = facility();
        let (a, b) = (
            plant(1, GrowthPhase::Flowering),
            plant(2, GrowthPhase::Flowering),
        );
        let mut w = world(vec![a.clone(), b.clone()]);
        let out = harvest_plants(
            &ctx(&f),
            &w,
            &[harvest_spec(&a, 600, "BD-1"), harvest_spec(&b, 400, "bd-1")],
            false,
            10,
        )
        .unwrap();
        let h = out.harvests[0].clone();
        w.by_id.insert(h.id, h.clone());
        w.by_name.insert(fold(&h.name), h.clone());
        for p in out.plants {
            w.plants.insert(p.label.to_string(), p);
        }
        (w, h)
    }

    #[test]
    fn harvesting_flowering_plants_makes_one_harvest_by_name() {
        let (w, h) = harvested();
        assert_eq!(h.id, 10);
        assert_eq!(h.name, "BD-1");
        assert_eq!(h.harvest_type, HarvestType::WholePlant);
        assert_eq!(h.total_wet_weight, Decimal::from(1000));
        assert_eq!(h.current_weight(), Decimal::from(1000));
        assert_eq!(h.plant_count(), 2);
        assert_eq!(h.strain_names, vec!["Blue Dream"]);
        assert_eq!(h.drying_location_name, "Drying Room");
        assert_eq!(h.harvest_start_date, "2026-06-09");
        for p in w.plants.values() {
            assert_eq!(p.state, PlantState::Harvested);
            assert_eq!(p.harvest_id, Some(10));
            assert!(!p.active);
        }
    }

    #[test]
    fn harvesting_adds_to_an_existing_harvest_in_its_unit() {
        let f = facility();
        let (mut w, h) = harvested();
        let c = plant(3, GrowthPhase::Flowering);
        w.plants.insert(c.label.to_string(), c.clone());
        let mut spec = harvest_spec(&c, 1, "bd-1");
        spec.unit_of_weight = Some("Kilograms".into());
        let out = harvest_plants(&ctx(&f), &w, &[spec], false, 11).unwrap();
        assert_eq!(out.harvests.len(), 1);
        assert_eq!(out.harvests[0].id, h.id);
        assert_eq!(out.harvests[0].total_wet_weight, Decimal::from(2000));
        assert_eq!(out.harvests[0].plant_count(), 3);
        assert_eq!(out.harvest_ids, vec![h.id]);
    }

    #[test]
    fn only_growing_flowering_plants_are_harvested() {
        let f = facility();
        let veg = plant(1, GrowthPhase::Vegetative);
        let mut held = plant(2, GrowthPhase::Flowering);
        held.on_hold = true;
        let ok = plant(3, GrowthPhase::Flowering);
        let w = world(vec![veg.clone(), held.clone(), ok.clone()]);
        let mut bad_unit = harvest_spec(&ok, 5, "X");
        bad_unit.unit_of_weight = Some("Each".into());
        let mut future = harvest_spec(&ok, 5, "X");
        future.actual_date = Some("2026-06-11".into());
        let mut not_drying = harvest_spec(&ok, 5, "X");
        not_drying.drying_location = Some("Vault".into());
        let mut early = harvest_spec(&ok, 5, "X");
        early.actual_date = Some("2026-04-30".into());
        let mut long = harvest_spec(&ok, 5, "X");
        long.harvest_name = Some("x".repeat(MAX_NAME_CHARS + 1));
        let r = harvest_plants(
            &ctx(&f),
            &w,
            &[
                harvest_spec(&veg, 5, "X"),
                harvest_spec(&held, 5, "X"),
                harvest_spec(&ok, 0, "X"),
                bad_unit,
                future,
                not_drying,
                early,
                long,
                HarvestPlantSpec {
                    plant: Some("1A4FF0100000000000099999".into()),
                    ..harvest_spec(&ok, 5, "X")
                },
            ],
            false,
            1,
        );
        let msgs = rows(r);
        assert_eq!(msgs.len(), 9, "{msgs:?}");
        assert!(msgs[0].1.contains("not flowering"));
        assert!(msgs[1].1.contains("on hold"));
        assert!(msgs[2].1.contains("greater than zero"));
        assert!(msgs[3].1.contains("not a unit of weight"));
        assert!(
            msgs[4].1.contains("in the future"),
            "rule 16: {}",
            msgs[4].1
        );
        assert!(msgs[5].1.contains("does not allow harvests"));
        assert!(msgs[6].1.contains("before plant"), "{}", msgs[6].1);
        assert!(msgs[7].1.contains("longer than"));
        assert!(msgs[8].1.contains("does not exist"));
    }

    #[test]
    fn rule_25_a_manicure_leaves_the_plant_growing() {
        let f = facility();
        let p = plant(1, GrowthPhase::Flowering);
        let w = world(vec![p.clone()]);
        let out = harvest_plants(&ctx(&f), &w, &[harvest_spec(&p, 25, "Trim-1")], true, 5).unwrap();
        let (h, plant) = (&out.harvests[0], &out.plants[0]);
        assert_eq!(h.harvest_type, HarvestType::Product);
        assert_eq!(h.total_wet_weight, Decimal::from(25));
        assert_eq!(plant.state, PlantState::Growing);
        assert_eq!(plant.growth_phase, GrowthPhase::Flowering);
        assert!(plant.active);
        assert_eq!(plant.harvest_id, Some(5));
        assert_eq!(plant.harvest_count, 1);
        assert_eq!(out.harvest_ids, vec![5]);
    }

    #[test]
    fn rules_17_and_57_waste_has_a_type_a_weight_and_never_exceeds_the_harvest() {
        let f = facility();
        let (w, h) = harvested();
        let spec = |kind: &str, grams: i64| WasteSpec {
            id: Some(h.id),
            waste_type: Some(kind.into()),
            unit_of_weight: Some("Grams".into()),
            waste_weight: Some(Decimal::from(grams)),
            actual_date: Some("2026-06-10".into()),
        };
        let (wastes, harvests) = record_waste(
            &ctx(&f),
            &w,
            &[spec("plant material", 300), spec("Root Ball", 200)],
            "grower",
            1,
        )
        .unwrap();
        assert_eq!(wastes.len(), 2);
        assert_eq!(wastes[0].waste_type, "Plant Material");
        // Rule 17: the record carries the weight, the date and the employee who recorded it.
        assert_eq!(wastes[0].waste_weight, Decimal::from(300));
        assert_eq!(wastes[0].actual_date, "2026-06-10");
        assert_eq!(wastes[0].recorded_by, "grower");
        assert_eq!(wastes[1].id, 2);
        assert_eq!(harvests[0].current_weight(), Decimal::from(500));
        // Two rows that together exceed what is there: the second is refused.
        let msgs = rows(record_waste(
            &ctx(&f),
            &w,
            &[
                spec("Fibrous", 600),
                spec("Fibrous", 600),
                spec("Glitter", 1),
            ],
            "grower",
            1,
        ));
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0].0, 1);
        assert!(msgs[0].1.contains("400 Grams left"), "{}", msgs[0].1);
        assert!(msgs[1].1.contains("Waste type Glitter does not exist"));
    }

    #[test]
    fn discontinued_waste_gives_its_weight_back() {
        let f = facility();
        let (w, h) = harvested();
        let spec = WasteSpec {
            id: Some(h.id),
            waste_type: Some("Fibrous".into()),
            unit_of_weight: Some("Kilograms".into()),
            waste_weight: Some(Decimal::new(25, 2)),
            actual_date: None,
        };
        let (wastes, harvests) = record_waste(&ctx(&f), &w, &[spec], "grower", 1).unwrap();
        assert_eq!(harvests[0].total_waste_weight, Decimal::from(250));
        let (gone, back) =
            discontinue_waste(&ctx(&f), Some(&wastes[0]), Some(&harvests[0]), 1).unwrap();
        assert!(!gone.active);
        assert_eq!(back.current_weight(), Decimal::from(1000));
        assert!(matches!(
            discontinue_waste(&ctx(&f), Some(&gone), Some(&back), 1),
            Err(Rejection::Invalid(_))
        ));
        assert!(matches!(
            discontinue_waste(&ctx(&f), None, Some(&back), 9),
            Err(Rejection::NotFound(_))
        ));
    }

    #[test]
    fn rule_72_finished_harvests_leave_active_and_can_be_unfinished() {
        let f = facility();
        let (mut w, h) = harvested();
        let done = finish(
            &ctx(&f),
            &w,
            &[FinishSpec {
                id: Some(h.id),
                actual_date: Some("2026-06-10".into()),
            }],
        )
        .unwrap();
        assert!(!done[0].active);
        assert_eq!(done[0].list_status(), "Finished");
        assert_eq!(done[0].finished_date.as_deref(), Some("2026-06-10"));
        w.by_id.insert(h.id, done[0].clone());
        // A finished harvest takes no waste and no more plants until unfinished.
        let waste = WasteSpec {
            id: Some(h.id),
            waste_type: Some("Fibrous".into()),
            unit_of_weight: Some("Grams".into()),
            waste_weight: Some(Decimal::ONE),
            actual_date: None,
        };
        assert!(
            rows(record_waste(&ctx(&f), &w, &[waste], "g", 1))[0]
                .1
                .contains("unfinish it first")
        );
        assert!(
            rows(finish(
                &ctx(&f),
                &w,
                &[FinishSpec {
                    id: Some(h.id),
                    actual_date: None
                }]
            ))[0]
                .1
                .contains("finished")
        );
        let back = unfinish(&ctx(&f), &w, &[Some(h.id)]).unwrap();
        assert!(back[0].active);
        assert_eq!(back[0].finished_date, None);
        assert_eq!(back[0].list_status(), "Active");
        let before_start = FinishSpec {
            id: Some(h.id),
            actual_date: Some("2026-06-01".into()),
        };
        w.by_id.insert(h.id, back[0].clone());
        assert!(
            rows(finish(&ctx(&f), &w, &[before_start]))[0]
                .1
                .contains("before harvest")
        );
        assert!(
            rows(unfinish(&ctx(&f), &w, &[Some(h.id)]))[0]
                .1
                .contains("not finished")
        );
    }

    #[test]
    fn names_stay_unique_when_renamed() {
        let f = facility();
        let (mut w, h) = harvested();
        let mut other = h.clone();
        other.id = 11;
        other.name = "Other".into();
        w.by_id.insert(11, other.clone());
        w.by_name.insert("other".into(), other);
        let spec = |id: i64, new: &str| RenameSpec {
            id: Some(id),
            old_name: None,
            new_name: Some(new.into()),
        };
        let msgs = rows(rename(&ctx(&f), &w, &[spec(h.id, "OTHER"), spec(11, "")]));
        assert!(msgs[0].1.contains("already in use"));
        assert!(msgs[1].1.contains("NewName was not specified"));
        // Swapping through a free name within one request sees the earlier row.
        let out = rename(&ctx(&f), &w, &[spec(11, "Third"), spec(h.id, "other")]).unwrap();
        // In request order, as Metrc answers the ids.
        let ids: Vec<i64> = out.iter().map(|h| h.id).collect();
        assert_eq!(ids, vec![11, h.id]);
    }

    #[test]
    fn restored_plants_flower_again_and_take_their_weight_back() {
        let f = facility();
        let (w, h) = harvested();
        let label = plant(1, GrowthPhase::Flowering).label.to_string();
        let (harvests, plants) = restore_plants(
            &ctx(&f),
            &w,
            &[RestoreSpec {
                harvest_id: Some(h.id),
                plant_tags: vec![label.clone()],
            }],
        )
        .unwrap();
        assert_eq!(harvests[0].total_restored_weight, Decimal::from(600));
        assert_eq!(harvests[0].current_weight(), Decimal::from(400));
        assert_eq!(harvests[0].plant_count(), 1);
        assert_eq!(plants[0].state, PlantState::Growing);
        assert_eq!(plants[0].harvest_id, None);
        assert!(plants[0].active);
    }

    fn package_world(w: HarvestWorld) -> PackageWorld {
        let tag = Tag {
            id: 1,
            license_number: LIC.into(),
            label: TagLabel::issue(2, 1),
            kind: TagKind::Package,
            tag_status: TagStatus::Received,
            order_id: 1,
            shipped_at: NOW.into(),
            received_at: Some(NOW.into()),
            used_at: None,
            voided_at: None,
            active: true,
            last_modified: NOW.into(),
        };
        let item = Item {
            id: 1,
            license_number: LIC.into(),
            name: "Blue Dream Flower".into(),
            category: "Buds".into(),
            unit_of_measure: "Grams".into(),
            ..Default::default()
        };
        PackageWorld {
            harvests: w,
            tags: HashMap::from([(tag.label.to_string(), tag)]),
            items: HashMap::from([(fold(&item.name), item)]),
        }
    }

    fn package_spec(h: &Harvest, kg: Decimal) -> HarvestPackageSpec {
        HarvestPackageSpec {
            tag: Some(TagLabel::issue(2, 1).to_string()),
            location: Some("Vault".into()),
            item: Some("Blue Dream Flower".into()),
            unit_of_weight: Some("Grams".into()),
            actual_date: Some("2026-06-10".into()),
            ingredients: vec![HarvestIngredient {
                harvest_id: None,
                harvest_name: Some(h.name.clone()),
                weight: Some(kg),
                unit_of_weight: Some("Kilograms".into()),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_package_from_a_harvest_names_it_and_takes_its_weight() {
        let f = facility();
        let (w, h) = harvested();
        let pw = package_world(w);
        let out = create_packages(
            &ctx(&f),
            &pw,
            &[package_spec(&h, Decimal::new(75, 2))],
            false,
            PACKAGING_DEADLINE_DAYS,
            40,
        )
        .unwrap();
        let p = &out.packages[0];
        assert_eq!(p.id, 40);
        assert_eq!(p.quantity, Decimal::from(750));
        assert_eq!(p.unit_of_measure, "Grams");
        assert_eq!(p.source_harvests.len(), 1);
        assert_eq!(p.source_harvests[0].name, "BD-1");
        assert_eq!(p.source_harvests[0].harvested_by_license, LIC);
        assert_eq!(p.lab_testing_state, LabState::NotSubmitted);
        assert_eq!(out.harvests[0].total_packaged_weight, Decimal::from(750));
        assert_eq!(out.harvests[0].current_weight(), Decimal::from(250));
        assert_eq!(out.harvests[0].package_count, 1);
        assert_eq!(out.tags[0].tag_status, TagStatus::Used);
        let sample = create_packages(
            &ctx(&f),
            &pw,
            &[package_spec(&h, Decimal::new(1, 3))],
            true,
            PACKAGING_DEADLINE_DAYS,
            41,
        )
        .unwrap();
        assert!(sample.packages[0].is_testing_sample);
        assert_eq!(
            sample.harvests[0].lab_testing_state,
            LabState::SubmittedForTesting
        );
    }

    #[test]
    fn rule_27_late_packaging_is_accepted_with_a_warning() {
        let f = facility();
        let (mut w, mut h) = harvested();
        let spec = package_spec(&h, Decimal::new(1, 1));
        let on_time = create_packages(
            &ctx(&f),
            &package_world(w.clone()),
            std::slice::from_ref(&spec),
            false,
            60,
            40,
        );
        assert!(on_time.unwrap().warnings.is_empty());
        h.harvest_start_date = "2026-04-01".into();
        w.by_id.insert(h.id, h.clone());
        w.by_name.insert(fold(&h.name), h);
        let late = create_packages(&ctx(&f), &package_world(w), &[spec], false, 60, 40).unwrap();
        assert_eq!(late.packages.len(), 1, "accepted");
        assert_eq!(late.warnings.len(), 1);
        assert!(late.warnings[0].contains("70 days"), "{}", late.warnings[0]);
    }

    #[test]
    fn a_package_never_takes_more_than_the_harvest_holds() {
        let f = facility();
        let (w, h) = harvested();
        let pw = package_world(w);
        let mut no_sources = package_spec(&h, Decimal::ONE);
        no_sources.ingredients.clear();
        let mut counted = package_spec(&h, Decimal::ONE);
        counted.unit_of_weight = Some("Each".into());
        let msgs = rows(create_packages(
            &ctx(&f),
            &pw,
            &[package_spec(&h, Decimal::new(1001, 3)), no_sources, counted],
            false,
            PACKAGING_DEADLINE_DAYS,
            40,
        ));
        assert_eq!(msgs.len(), 3);
        assert!(msgs[0].1.contains("1000 Grams left"), "{}", msgs[0].1);
        assert!(msgs[1].1.contains("At least one harvest"));
        assert!(msgs[2].1.contains("weight-based"));
    }
}
