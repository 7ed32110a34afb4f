//! Additives: the facility's additive templates (`/additivestemplates/v2`) and the recorded
//! applications of fertilizers, pesticides and other additives to plants
//! (`/plants/v2/additives*`, `/plantbatches/v2/additives*`).
//!
//! Rule 17: every application carries what was applied (type, trade name), how much (amount and
//! unit), when (the actual date; never in the future, rule 16), to what (the plant batch or the
//! plant tags) and who recorded it. A product is named in full or taken from an active template.
//!
//! The request structs and the per-row functions ([`plant_additive`], [`location_additive`],
//! [`batch_additive`], [`template_row`]) are public so that other doors (the CSV import) build
//! the same requests and get the same per-row answers as the API.

use super::packages::parse_date;
use super::{Ctx, MAX_NAME_CHARS, optional, require_ids, required};
use crate::error::{Rejection, RowErrors};
use crate::quantity;
use crate::records::{
    ActiveIngredient, AdditiveType, AdditivesTemplate, Location, Plant, PlantAdditive, PlantBatch,
    PlantState, Sublocation, fold,
};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// The most active ingredients one product may list; a bound, so no request is unbounded.
pub const MAX_INGREDIENTS: usize = 50;

/// The most plant labels one application may name.
pub const MAX_LABELS: usize = 1000;

/// The longest note a template keeps (notes are not indexed, so looser than names).
pub const MAX_NOTE_CHARS: usize = 1000;

/// One active ingredient as a request gives it (`ActiveIngredients[]`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngredientSpec {
    pub name: Option<String>,
    /// A percentage, 0 to 100.
    pub percentage: Option<Decimal>,
}

/// A template as `POST` (no `id`) and `PUT /additivestemplates/v2` (with `id`) give it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TemplateSpec {
    /// Required on update, ignored on create.
    pub id: Option<i64>,
    pub name: Option<String>,
    /// `Fertilizer`, `Pesticide` or `Other`, in any case.
    pub additive_type: Option<String>,
    pub application_device: Option<String>,
    pub epa_registration_number: Option<String>,
    pub note: Option<String>,
    pub product_supplier: Option<String>,
    pub product_trade_name: Option<String>,
    pub restrictive_entry_interval_quantity_description: Option<String>,
    pub restrictive_entry_interval_time_description: Option<String>,
    pub active_ingredients: Vec<IngredientSpec>,
}

/// A product named in full in the row (`POST /plants/v2/additives`, `…/bylocation`,
/// `POST /plantbatches/v2/additives`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductSpec {
    /// `Fertilizer`, `Pesticide` or `Other`, in any case.
    pub additive_type: Option<String>,
    pub product_trade_name: Option<String>,
    pub epa_registration_number: Option<String>,
    pub product_supplier: Option<String>,
    pub application_device: Option<String>,
    pub active_ingredients: Vec<IngredientSpec>,
}

/// A product taken from one of the facility's active templates (the `…/usingtemplate`
/// endpoints): the template gives the product, the row gives rate and volume (free text).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TemplateUse {
    pub template_name: Option<String>,
    pub rate: Option<String>,
    pub volume: Option<String>,
}

/// Where an application's product comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Product {
    Direct(ProductSpec),
    Template(TemplateUse),
}

/// What every application row gives besides its target: the product, the amount applied and
/// its unit (a unit of `GET /unitsofmeasure/v2/active`), and the day it was applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Application {
    pub product: Product,
    /// Above zero.
    pub total_amount_applied: Option<Decimal>,
    pub total_amount_unit_of_measure: Option<String>,
    /// `YYYY-MM-DD` (or an instant); required, never in the future.
    pub actual_date: Option<String>,
}

/// An application to tagged plants by label (`POST /plants/v2/additives`,
/// `POST /plants/v2/additives/usingtemplate`). Every plant must be growing in this facility.
#[derive(Debug, Clone, PartialEq)]
pub struct PlantAdditiveSpec {
    pub application: Application,
    pub plant_labels: Vec<String>,
}

/// An application to every growing plant of a location, or of one sublocation of it
/// (`POST /plants/v2/additives/bylocation`, `…/bylocation/usingtemplate`).
#[derive(Debug, Clone, PartialEq)]
pub struct LocationAdditiveSpec {
    pub application: Application,
    pub location_name: Option<String>,
    pub sublocation_name: Option<String>,
}

/// An application to an active plant batch by name (`POST /plantbatches/v2/additives`,
/// `…/usingtemplate`).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchAdditiveSpec {
    pub application: Application,
    pub plant_batch_name: Option<String>,
}

/// What the ledger loaded for an additive write, keyed as the request names things: templates
/// by folded name (the active ones) and by id, plants by upper-case label, batches, locations
/// and sublocations by folded name, and the plants of the named locations.
#[derive(Debug, Default, Clone)]
pub struct World {
    pub templates: HashMap<String, AdditivesTemplate>,
    pub template_ids: HashMap<i64, AdditivesTemplate>,
    pub plants: HashMap<String, Plant>,
    pub batches: HashMap<String, PlantBatch>,
    pub locations: HashMap<String, Location>,
    pub sublocations: HashMap<String, Sublocation>,
    /// Every plant located in a location the request names (any state; the decision keeps the
    /// growing ones).
    pub location_plants: Vec<Plant>,
}

impl World {
    fn template(&self, ctx: &Ctx, name: &str) -> Option<&AdditivesTemplate> {
        self.templates
            .get(&fold(name))
            .filter(|t| t.active && t.license_number == ctx.facility.license_number)
    }
}

// ---- shared row validation ----

/// Trims an optional text and bounds its length.
fn bounded(value: &Option<String>, field: &str, max: usize) -> Result<Option<String>, String> {
    match optional(value) {
        Some(v) if v.chars().count() > max => {
            Err(format!("{field} is longer than {max} characters."))
        }
        v => Ok(v),
    }
}

fn additive_type(value: &Option<String>) -> Result<AdditiveType, String> {
    let name = required(value, "AdditiveType")?;
    AdditiveType::parse(&name)
        .ok_or_else(|| format!("AdditiveType {name} is not one of Fertilizer, Pesticide, Other."))
}

/// Each ingredient named, its percentage within 0..=100, and together at most 100.
fn ingredients(specs: &[IngredientSpec]) -> Result<Vec<ActiveIngredient>, String> {
    if specs.len() > MAX_INGREDIENTS {
        return Err(format!(
            "ActiveIngredients lists more than {MAX_INGREDIENTS} ingredients."
        ));
    }
    let mut out = Vec::with_capacity(specs.len());
    let mut total = Decimal::ZERO;
    for i in specs {
        let name = required(&i.name, "ActiveIngredients Name")?;
        let percentage = i
            .percentage
            .ok_or_else(|| format!("Percentage of {name} was not specified."))?;
        if percentage < Decimal::ZERO || percentage > Decimal::ONE_HUNDRED {
            return Err(format!(
                "Percentage {percentage} of {name} is not between 0 and 100."
            ));
        }
        total += percentage;
        out.push(ActiveIngredient {
            name,
            percentage: percentage.normalize(),
        });
    }
    if total > Decimal::ONE_HUNDRED {
        return Err(format!(
            "The ActiveIngredients' percentages add up to {total}, more than 100."
        ));
    }
    Ok(out)
}

/// The product fields of an application, resolved from the row or its template.
struct Resolved {
    additive_type: AdditiveType,
    product_trade_name: String,
    epa_registration_number: Option<String>,
    product_supplier: Option<String>,
    application_device: Option<String>,
    active_ingredients: Vec<ActiveIngredient>,
    rei_quantity: Option<String>,
    rei_time: Option<String>,
    note: Option<String>,
    template: Option<(i64, String)>,
    rate: Option<String>,
    volume: Option<String>,
}

fn resolve(ctx: &Ctx, world: &World, product: &Product) -> Result<Resolved, String> {
    match product {
        Product::Direct(p) => Ok(Resolved {
            additive_type: additive_type(&p.additive_type)?,
            product_trade_name: required(&p.product_trade_name, "ProductTradeName")?,
            epa_registration_number: bounded(
                &p.epa_registration_number,
                "EpaRegistrationNumber",
                MAX_NAME_CHARS,
            )?,
            product_supplier: bounded(&p.product_supplier, "ProductSupplier", MAX_NAME_CHARS)?,
            application_device: bounded(
                &p.application_device,
                "ApplicationDevice",
                MAX_NAME_CHARS,
            )?,
            active_ingredients: ingredients(&p.active_ingredients)?,
            rei_quantity: None,
            rei_time: None,
            note: None,
            template: None,
            rate: None,
            volume: None,
        }),
        Product::Template(u) => {
            let name = required(&u.template_name, "AdditivesTemplateName")?;
            let rate = bounded(&u.rate, "Rate", MAX_NAME_CHARS)?;
            let volume = bounded(&u.volume, "Volume", MAX_NAME_CHARS)?;
            let t = world.template(ctx, &name).ok_or_else(|| {
                format!("Additives Template {name} does not exist or is archived.")
            })?;
            Ok(Resolved {
                additive_type: t.additive_type,
                product_trade_name: t.product_trade_name.clone(),
                epa_registration_number: t.epa_registration_number.clone(),
                product_supplier: t.product_supplier.clone(),
                application_device: t.application_device.clone(),
                active_ingredients: t.active_ingredients.clone(),
                rei_quantity: t.restrictive_entry_interval_quantity_description.clone(),
                rei_time: t.restrictive_entry_interval_time_description.clone(),
                note: t.note.clone(),
                template: Some((t.id, t.name.clone())),
                rate,
                volume,
            })
        }
    }
}

/// The target of an application, as the decision found it.
struct Target {
    plant_batch: Option<(i64, String)>,
    plants: Vec<(i64, String)>,
    count: i64,
    location_name: Option<String>,
    sublocation_name: Option<String>,
}

/// Validates the product, amount and date of an application and builds its record.
fn application(
    ctx: &Ctx,
    world: &World,
    by: &str,
    id: i64,
    a: &Application,
    target: impl FnOnce() -> Result<Target, String>,
) -> Result<PlantAdditive, String> {
    let p = resolve(ctx, world, &a.product)?;
    let amount = a
        .total_amount_applied
        .ok_or("TotalAmountApplied was not specified.")?;
    if amount <= Decimal::ZERO {
        return Err(format!(
            "TotalAmountApplied {amount} must be greater than zero."
        ));
    }
    let unit_name = required(&a.total_amount_unit_of_measure, "TotalAmountUnitOfMeasure")?;
    let unit = quantity::unit(&unit_name)
        .ok_or_else(|| format!("Unit of measure {unit_name} does not exist."))?;
    // Rule 16: a date is required and is never ahead of the clock.
    let date =
        parse_date("ActualDate", &a.actual_date, ctx)?.ok_or("ActualDate was not specified.")?;
    let t = target()?;
    Ok(PlantAdditive {
        id,
        license_number: ctx.facility.license_number.clone(),
        additive_type: p.additive_type,
        product_trade_name: p.product_trade_name,
        epa_registration_number: p.epa_registration_number,
        product_supplier: p.product_supplier,
        application_device: p.application_device,
        active_ingredients: p.active_ingredients,
        restrictive_entry_interval_quantity_description: p.rei_quantity,
        restrictive_entry_interval_time_description: p.rei_time,
        note: p.note,
        template_id: p.template.as_ref().map(|t| t.0),
        template_name: p.template.map(|t| t.1),
        rate: p.rate,
        volume: p.volume,
        total_amount_applied: amount.normalize(),
        amount_unit_of_measure: unit.name.to_string(),
        plant_batch_id: t.plant_batch.as_ref().map(|b| b.0),
        plant_batch_name: t.plant_batch.map(|b| b.1),
        plant_ids: t.plants.iter().map(|p| p.0).collect(),
        plant_labels: t.plants.into_iter().map(|p| p.1).collect(),
        plant_count: t.count,
        location_name: t.location_name,
        sublocation_name: t.sublocation_name,
        actual_date: date,
        recorded_by: by.to_string(),
        active: true,
        last_modified: ctx.now.clone(),
    })
}

/// The one batch every plant belongs to, if they share one.
fn common_batch(plants: &[&Plant]) -> Option<(i64, String)> {
    let first = plants.first()?;
    plants
        .iter()
        .all(|p| p.plant_batch_id == first.plant_batch_id)
        .then(|| (first.plant_batch_id, first.plant_batch_name.clone()))
}

fn plant_target(plants: Vec<&Plant>) -> Target {
    Target {
        plant_batch: common_batch(&plants),
        count: i64::try_from(plants.len()).unwrap_or(i64::MAX),
        plants: plants
            .iter()
            .map(|p| (p.id, p.label.as_str().to_string()))
            .collect(),
        location_name: None,
        sublocation_name: None,
    }
}

// ---- per-row decisions ----

/// One application to tagged plants by label: each label names a growing plant of this
/// facility, once.
pub fn plant_additive(
    ctx: &Ctx,
    world: &World,
    by: &str,
    id: i64,
    spec: &PlantAdditiveSpec,
) -> Result<PlantAdditive, String> {
    application(ctx, world, by, id, &spec.application, || {
        if spec.plant_labels.is_empty() {
            return Err("PlantLabels was not specified.".into());
        }
        if spec.plant_labels.len() > MAX_LABELS {
            return Err(format!("PlantLabels names more than {MAX_LABELS} plants."));
        }
        let mut seen = HashSet::new();
        let mut plants = Vec::with_capacity(spec.plant_labels.len());
        for label in &spec.plant_labels {
            let label = required(&Some(label.clone()), "PlantLabel")?.to_uppercase();
            if !seen.insert(label.clone()) {
                return Err(format!("Plant {label} appears more than once."));
            }
            let plant = world
                .plants
                .get(&label)
                .filter(|p| p.license_number == ctx.facility.license_number)
                .ok_or_else(|| format!("Plant {label} does not exist in the current Facility."))?;
            growing(plant)?;
            plants.push(plant);
        }
        Ok(plant_target(plants))
    })
}

/// Additives go on living plants only.
fn growing(plant: &Plant) -> Result<(), String> {
    match plant.state {
        PlantState::Growing => Ok(()),
        PlantState::Harvested => Err(format!("Plant {} has been harvested.", plant.label)),
        PlantState::Destroyed => Err(format!("Plant {} has been destroyed.", plant.label)),
    }
}

/// One application to every growing plant of a location (or of one of its sublocations). A
/// location with no growing plant there is refused: nothing would be recorded as treated.
pub fn location_additive(
    ctx: &Ctx,
    world: &World,
    by: &str,
    id: i64,
    spec: &LocationAdditiveSpec,
) -> Result<PlantAdditive, String> {
    application(ctx, world, by, id, &spec.application, || {
        let name = required(&spec.location_name, "LocationName")?;
        let location = world
            .locations
            .get(&fold(&name))
            .filter(|l| l.active && l.license_number == ctx.facility.license_number)
            .ok_or_else(|| format!("Location {name} does not exist in the current Facility."))?;
        let sublocation = match optional(&spec.sublocation_name) {
            None => None,
            Some(s) => {
                let s = required(&Some(s), "SublocationName")?;
                Some(
                    world
                        .sublocations
                        .get(&fold(&s))
                        .filter(|l| l.active && l.license_number == ctx.facility.license_number)
                        .ok_or_else(|| {
                            format!("Sublocation {s} does not exist in the current Facility.")
                        })?,
                )
            }
        };
        let plants: Vec<&Plant> = world
            .location_plants
            .iter()
            .filter(|p| {
                p.license_number == ctx.facility.license_number
                    && p.state == PlantState::Growing
                    && p.location_id == location.id
                    && sublocation.is_none_or(|s| p.sublocation_id == Some(s.id))
            })
            .collect();
        if plants.is_empty() {
            return Err(match sublocation {
                Some(s) => format!(
                    "Location {} has no growing plants in Sublocation {}.",
                    location.name, s.name
                ),
                None => format!("Location {} has no growing plants.", location.name),
            });
        }
        let mut t = plant_target(plants);
        t.location_name = Some(location.name.clone());
        t.sublocation_name = sublocation.map(|s| s.name.clone());
        Ok(t)
    })
}

/// One application to an active plant batch of this facility, by name.
pub fn batch_additive(
    ctx: &Ctx,
    world: &World,
    by: &str,
    id: i64,
    spec: &BatchAdditiveSpec,
) -> Result<PlantAdditive, String> {
    application(ctx, world, by, id, &spec.application, || {
        let name = required(&spec.plant_batch_name, "PlantBatchName")?;
        let batch = world
            .batches
            .get(&fold(&name))
            .filter(|b| b.active && b.license_number == ctx.facility.license_number)
            .ok_or_else(|| format!("Plant Batch {name} does not exist in the current Facility."))?;
        if batch.untracked_count <= 0 {
            return Err(format!("Plant Batch {} has no plants.", batch.name));
        }
        Ok(Target {
            plant_batch: Some((batch.id, batch.name.clone())),
            plants: Vec::new(),
            count: batch.untracked_count,
            location_name: None,
            sublocation_name: None,
        })
    })
}

/// Runs a per-row decision over a request, numbering new records from `next_id`; any failing
/// row refuses the whole request with every row's message.
fn each<S>(
    specs: &[S],
    next_id: i64,
    mut f: impl FnMut(i64, &S) -> Result<PlantAdditive, String>,
) -> Result<Vec<PlantAdditive>, Rejection> {
    if specs.is_empty() {
        return Err(Rejection::Invalid("No additives were specified.".into()));
    }
    let mut errors = RowErrors::default();
    let mut out = Vec::with_capacity(specs.len());
    for (row, spec) in specs.iter().enumerate() {
        let id = next_id + i64::try_from(out.len()).unwrap_or(i64::MAX - next_id);
        match f(id, spec) {
            Ok(r) => out.push(r),
            Err(e) => errors.push(row, e),
        }
    }
    errors.into_result()?;
    Ok(out)
}

/// Records additives applied to tagged plants (one record per row, ids from `next_id`).
pub fn apply_to_plants(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next_id: i64,
    specs: &[PlantAdditiveSpec],
) -> Result<Vec<PlantAdditive>, Rejection> {
    each(specs, next_id, |id, s| {
        plant_additive(ctx, world, by, id, s)
    })
}

/// Records additives applied to every growing plant of locations.
pub fn apply_by_location(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next_id: i64,
    specs: &[LocationAdditiveSpec],
) -> Result<Vec<PlantAdditive>, Rejection> {
    each(specs, next_id, |id, s| {
        location_additive(ctx, world, by, id, s)
    })
}

/// Records additives applied to plant batches.
pub fn apply_to_batches(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next_id: i64,
    specs: &[BatchAdditiveSpec],
) -> Result<Vec<PlantAdditive>, Rejection> {
    each(specs, next_id, |id, s| {
        batch_additive(ctx, world, by, id, s)
    })
}

// ---- templates ----

/// Validates one template row into a record with `id` (its fields only; uniqueness of the name
/// is the caller's, since it depends on the other rows).
pub fn template_row(
    ctx: &Ctx,
    by: &str,
    id: i64,
    spec: &TemplateSpec,
) -> Result<AdditivesTemplate, String> {
    Ok(AdditivesTemplate {
        id,
        license_number: ctx.facility.license_number.clone(),
        facility_id: ctx.facility.id,
        name: required(&spec.name, "Name")?,
        additive_type: additive_type(&spec.additive_type)?,
        application_device: bounded(
            &spec.application_device,
            "ApplicationDevice",
            MAX_NAME_CHARS,
        )?,
        epa_registration_number: bounded(
            &spec.epa_registration_number,
            "EpaRegistrationNumber",
            MAX_NAME_CHARS,
        )?,
        note: bounded(&spec.note, "Note", MAX_NOTE_CHARS)?,
        product_supplier: bounded(&spec.product_supplier, "ProductSupplier", MAX_NAME_CHARS)?,
        product_trade_name: required(&spec.product_trade_name, "ProductTradeName")?,
        restrictive_entry_interval_quantity_description: bounded(
            &spec.restrictive_entry_interval_quantity_description,
            "RestrictiveEntryIntervalQuantityDescription",
            MAX_NAME_CHARS,
        )?,
        restrictive_entry_interval_time_description: bounded(
            &spec.restrictive_entry_interval_time_description,
            "RestrictiveEntryIntervalTimeDescription",
            MAX_NAME_CHARS,
        )?,
        active_ingredients: ingredients(&spec.active_ingredients)?,
        recorded_by: by.to_string(),
        active: true,
        last_modified: ctx.now.clone(),
    })
}

/// Creates templates (ids from `next_id`). A name is unique among the license's active
/// templates, counting the other rows of the request.
pub fn create_templates(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next_id: i64,
    specs: &[TemplateSpec],
) -> Result<Vec<AdditivesTemplate>, Rejection> {
    if specs.is_empty() {
        return Err(Rejection::Invalid("No templates were specified.".into()));
    }
    let mut errors = RowErrors::default();
    let mut out: Vec<AdditivesTemplate> = Vec::with_capacity(specs.len());
    let mut names = HashSet::new();
    for (row, spec) in specs.iter().enumerate() {
        let id = next_id + i64::try_from(out.len()).unwrap_or(i64::MAX - next_id);
        let t = template_row(ctx, by, id, spec).and_then(|t| {
            let key = fold(&t.name);
            if world.template(ctx, &t.name).is_some() || !names.insert(key) {
                Err(format!("Additives Template {} already exists.", t.name))
            } else {
                Ok(t)
            }
        });
        match t {
            Ok(t) => out.push(t),
            Err(e) => errors.push(row, e),
        }
    }
    errors.into_result()?;
    Ok(out)
}

/// Updates templates by `Id`: each must be an active template of this facility, and its name
/// stays unique among the active ones once every row is applied.
pub fn update_templates(
    ctx: &Ctx,
    world: &World,
    by: &str,
    specs: &[TemplateSpec],
) -> Result<Vec<AdditivesTemplate>, Rejection> {
    if specs.is_empty() {
        return Err(Rejection::Invalid("No templates were specified.".into()));
    }
    require_ids(specs.iter().map(|s| s.id))?;
    let mut errors = RowErrors::default();
    let mut out = Vec::with_capacity(specs.len());
    // The names the request leaves on its templates, so that two rows may swap names.
    let renamed: HashSet<i64> = specs.iter().filter_map(|s| s.id).collect();
    let mut names = HashSet::new();
    for (row, spec) in specs.iter().enumerate() {
        let id = spec.id.unwrap_or_default();
        let t = world
            .template_ids
            .get(&id)
            .filter(|t| t.license_number == ctx.facility.license_number)
            .ok_or_else(|| {
                format!("Additives Template {id} does not exist in the current Facility.")
            })
            .and_then(|old| {
                if !old.active {
                    return Err(format!("Additives Template {id} is archived."));
                }
                let t = template_row(ctx, by, id, spec)?;
                let key = fold(&t.name);
                let held = world
                    .template(ctx, &t.name)
                    .is_some_and(|o| o.id != id && !renamed.contains(&o.id));
                if held || !names.insert(key) {
                    return Err(format!("Additives Template {} already exists.", t.name));
                }
                Ok(t)
            });
        match t {
            Ok(t) => out.push(t),
            Err(e) => errors.push(row, e),
        }
    }
    errors.into_result()?;
    Ok(out)
}

/// Archives a template by id: it leaves the active list and can no longer be applied; what was
/// applied from it keeps its copy of the product.
pub fn archive_template(ctx: &Ctx, world: &World, id: i64) -> Result<AdditivesTemplate, Rejection> {
    super::archive(ctx, world.template_ids.get(&id), "Additives Template", id)
}

#[cfg(test)]
mod tests;
