//! Immature plant batches (`/plantbatches/v2`): plantings, growth-phase changes that tag plants
//! one by one, adjustments, splits, moves, renames, strain and tag changes, waste and
//! destruction.

use super::{
    Changed, NextIds, WasteSpec, WasteTarget, Work, World, check_lot, check_takes, count, date,
    note, tag_run,
};
use crate::commands::packages::{NewParts, new_package, parse_date_any};
use crate::commands::{Ctx, optional, required};
use crate::error::Rejection;
use crate::records::{
    GrowthPhase, Plant, PlantBatch, PlantBatchType, PlantState, Strain, Sublocation,
};
use crate::reference;

/// A new batch: `POST /plantbatches/v2/plantings` from seeds or clones (a source package, or a
/// source batch), or `POST /plants/v2/plantings` from a plant (`source_plant`).
#[derive(Debug, Clone, Default)]
pub struct Planting {
    pub name: Option<String>,
    pub batch_type: Option<String>,
    pub count: Option<i64>,
    pub strain: Option<String>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub patient_license_number: Option<String>,
    pub actual_date: Option<String>,
    /// A package of seeds or clones the plants come out of (its count goes down).
    pub source_package: Option<String>,
    /// Batches the plants were taken from (lineage; their counts are not drawn on).
    pub source_plant_batches: Vec<String>,
    /// The plant clones or seeds were taken from (`POST /plants/v2/plantings`).
    pub source_plant: Option<String>,
}

/// Creates plant batches (rules 19 and 22).
pub fn plantings(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next: NextIds,
    specs: &[Planting],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, next).each(specs, |w, s| {
        let id = planting(w, s)?;
        w.answer(id);
        Ok(())
    })
}

/// Plants one batch and answers with its id, which the caller decides whether to answer with
/// (a package of clones cut from a plant answers with the package's).
pub(super) fn planting(w: &mut Work, s: &Planting) -> Result<i64, String> {
    let name = required(&s.name, "Name")?;
    w.check_free_name(&name)?;
    let type_name = required(&s.batch_type, "Type")?;
    let batch_type = PlantBatchType::parse(&type_name)
        .ok_or_else(|| format!("Plant Batch Type {type_name} does not exist."))?;
    let n = count(s.count, "Count")?;
    // Rule 19.
    check_lot(n)?;
    let strain = w.strain(None, &s.strain)?;
    let location = w.location(&s.location, "Location", false)?;
    let sublocation = w.sublocation(&s.sublocation)?;
    let planted = date("ActualDate", &s.actual_date, w.ctx)?;
    let mut sources = Sources::default();
    if let Some(label) = optional(&s.source_package) {
        let mut p = w.package(&label)?;
        crate::commands::packages::check_changeable(&p)?;
        // The package must hold seeds or clones, counted (rule 22: the source is seeds/clones).
        let cat = reference::item_category(&p.item_category);
        let wanted = match batch_type {
            PlantBatchType::Seed => "Seeds",
            PlantBatchType::Clone => "Immature Plants",
        };
        if cat.is_none_or(|c| c.name != wanted) {
            return Err(format!(
                "Package {} holds {}, not {}; a {} batch is planted from {}.",
                p.label,
                p.item_category,
                wanted.to_lowercase(),
                batch_type.as_str().to_lowercase(),
                wanted.to_lowercase()
            ));
        }
        let take = rust_decimal::Decimal::from(n);
        if p.quantity < take {
            return Err(format!(
                "Package {} has {} {}; {n} cannot be planted from it.",
                p.label, p.quantity, p.unit_of_measure
            ));
        }
        p.quantity -= take;
        sources.package = Some((p.id, p.label.to_string()));
        w.put_package(p);
    }
    for b in &s.source_plant_batches {
        let src = w.batch(b)?;
        sources.batch_ids.push(src.id);
        sources.batch_names.push(src.name.clone());
    }
    if let Some(label) = optional(&s.source_plant) {
        let mut p = w.plant(None, &Some(label))?;
        // A plant clones are taken from is a mother plant from then on (listed apart).
        if !p.is_mother {
            p.is_mother = true;
            p.mother_plant_date = Some(planted.clone());
        }
        p.cloned_count += n;
        sources.plant = Some((p.id, p.label.to_string()));
        w.put_plant(p);
    }
    // Rule 22: since 1 June 2020 every planting names a source.
    if sources.package.is_none() && sources.plant.is_none() && sources.batch_ids.is_empty() {
        return Err("A source package or source plant is required to create a plant batch.".into());
    }
    let id = w.new_batch_id();
    let batch = PlantBatch {
        id,
        license_number: w.ctx.facility.license_number.clone(),
        name,
        plant_batch_type: batch_type,
        tag: None,
        strain_id: strain.id,
        strain_name: strain.name.clone(),
        location_id: location.id,
        location_name: location.name.clone(),
        location_type_name: location.location_type_name.clone(),
        sublocation_id: sublocation.as_ref().map(|x| x.id),
        sublocation_name: sublocation.map(|x| x.name),
        patient_license_number: super::bounded(
            &s.patient_license_number,
            "PatientLicenseNumber",
            crate::commands::MAX_NAME_CHARS,
        )?,
        untracked_count: n,
        tracked_count: 0,
        packaged_count: 0,
        destroyed_count: 0,
        source_package_id: sources.package.as_ref().map(|x| x.0),
        source_package_label: sources.package.map(|x| x.1),
        source_plant_id: sources.plant.as_ref().map(|x| x.0),
        source_plant_label: sources.plant.map(|x| x.1),
        source_plant_batch_ids: sources.batch_ids,
        source_plant_batch_names: sources.batch_names,
        planted_date: planted,
        on_hold: false,
        finished_date: None,
        active: true,
        last_modified: w.ctx.now.clone(),
    };
    w.put_batch(batch);
    Ok(id)
}

#[derive(Default)]
struct Sources {
    package: Option<(i64, String)>,
    plant: Option<(i64, String)>,
    batch_ids: Vec<i64>,
    batch_names: Vec<String>,
}

/// `POST /plantbatches/v2/growthphase`: `count` plants leave the batch, each with its own tag.
#[derive(Debug, Clone, Default)]
pub struct GrowthPhaseSpec {
    pub name: Option<String>,
    pub count: Option<i64>,
    pub starting_tag: Option<String>,
    pub growth_phase: Option<String>,
    pub new_location: Option<String>,
    pub new_sublocation: Option<String>,
    pub growth_date: Option<String>,
}

impl GrowthPhaseSpec {
    /// The tags the change would use (so the ledger loads exactly those).
    pub fn tags(&self) -> Vec<String> {
        match (optional(&self.starting_tag), self.count) {
            (Some(start), Some(n)) if (1..=super::MAX_LOT).contains(&n) => tag_run(&start, n)
                .map(|v| v.into_iter().map(|t| t.to_string()).collect())
                .unwrap_or_default(),
            _ => vec![],
        }
    }
}

/// Moves plants of batches into the vegetative or flowering phase (rules 20, 21, 24).
pub fn change_growth_phase(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next: NextIds,
    specs: &[GrowthPhaseSpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, next).each(specs, |w, s| growth_phase(w, s))
}

fn growth_phase(w: &mut Work, s: &GrowthPhaseSpec) -> Result<(), String> {
    let name = required(&s.name, "Name")?;
    let mut batch = w.batch(&name)?;
    let n = count(s.count, "Count")?;
    // Rule 24: a lot count never goes below zero.
    check_takes(&batch, n, "change growth phase")?;
    let phase_name = required(&s.growth_phase, "GrowthPhase")?;
    let phase = GrowthPhase::parse(&phase_name)
        .ok_or_else(|| format!("Growth phase {phase_name} does not exist."))?;
    let location = match phase {
        GrowthPhase::Flowering => w
            .location(&s.new_location, "NewLocation", true)
            // Rule 21: flowering plants belong in a designated canopy (plant) location.
            .map_err(|e| {
                format!("{e} Flowering plants must be in a designated canopy location.")
            })?,
        GrowthPhase::Vegetative => w.location(&s.new_location, "NewLocation", true)?,
    };
    let sublocation = w.sublocation(&s.new_sublocation)?;
    let day = date("GrowthDate", &s.growth_date, w.ctx)?;
    let start = required(&s.starting_tag, "StartingTag")?;
    // Rule 20: one unused plant tag per plant, in sequence from the starting tag.
    let labels = tag_run(&start, n).map_err(|e| {
        if e.contains("runs past") {
            format!("Insufficient plant tags: {n} required. {e}")
        } else {
            e
        }
    })?;
    let free = labels.iter().filter(|l| w.plant_tag_free(l)).count();
    if i64::try_from(free).unwrap_or(0) < n {
        return Err(format!(
            "Insufficient plant tags: {n} required, {free} of {} onward are available.",
            labels.first().map(|l| l.to_string()).unwrap_or_default()
        ));
    }
    for raw in &labels {
        let label = w.use_plant_tag(raw.as_str())?;
        let id = w.new_plant_id();
        let plant = new_plant(
            w,
            id,
            label,
            &batch,
            phase,
            &location,
            sublocation.clone(),
            &day,
        );
        w.answer(id);
        w.put_plant(plant);
    }
    batch.untracked_count -= n;
    batch.tracked_count += n;
    w.put_batch(batch);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn new_plant(
    w: &Work,
    id: i64,
    label: crate::tag::TagLabel,
    batch: &PlantBatch,
    phase: GrowthPhase,
    location: &crate::records::Location,
    sublocation: Option<Sublocation>,
    day: &str,
) -> Plant {
    Plant {
        id,
        license_number: w.ctx.facility.license_number.clone(),
        label,
        state: PlantState::Growing,
        growth_phase: phase,
        is_mother: false,
        plant_batch_id: batch.id,
        plant_batch_name: batch.name.clone(),
        plant_batch_type: batch.plant_batch_type,
        strain_id: batch.strain_id,
        strain_name: batch.strain_name.clone(),
        location_id: location.id,
        location_name: location.name.clone(),
        location_type_name: location.location_type_name.clone(),
        sublocation_id: sublocation.as_ref().map(|x| x.id),
        sublocation_name: sublocation.map(|x| x.name),
        patient_license_number: batch.patient_license_number.clone(),
        harvest_id: None,
        harvested_unit_of_weight_name: None,
        harvested_wet_weight: None,
        harvest_count: 0,
        on_hold: false,
        planted_date: batch.planted_date.clone(),
        vegetative_date: Some(day.to_string()),
        flowering_date: (phase == GrowthPhase::Flowering).then(|| day.to_string()),
        harvested_date: None,
        destroyed_date: None,
        destroyed_note: None,
        destroyed_by_user_name: None,
        mother_plant_date: None,
        cloned_count: 0,
        active: true,
        last_modified: w.ctx.now.clone(),
    }
}

/// `POST /plantbatches/v2/adjust`: a signed change of a batch's count, with a reason.
#[derive(Debug, Clone, Default)]
pub struct AdjustSpec {
    pub name: Option<String>,
    pub quantity: Option<i64>,
    pub reason: Option<String>,
    pub date: Option<String>,
    pub note: Option<String>,
}

/// Adjusts batch counts (rules 19, 24; the reason list and its notes as for packages, rule 28).
pub fn adjust(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next: NextIds,
    specs: &[AdjustSpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, next).each(specs, |w, s| {
        let name = required(&s.name, "PlantBatchName")?;
        let mut batch = w.batch(&name)?;
        let delta = s.quantity.ok_or("Quantity was not specified.")?;
        if delta == 0 {
            return Err("Quantity must not be zero.".into());
        }
        let reason_name = required(&s.reason, "AdjustmentReason")?;
        let reason = reference::adjust_reason(&reason_name)
            .ok_or_else(|| format!("Adjustment reason {reason_name} does not exist."))?;
        let n = note(&s.note, "ReasonNote")?;
        if reason.requires_note && n.is_none() {
            return Err(format!(
                "Adjustment reason {} requires a ReasonNote.",
                reason.name
            ));
        }
        date("AdjustmentDate", &s.date, w.ctx)?;
        let after = batch
            .untracked_count
            .checked_add(delta)
            .ok_or("Quantity is too large.")?;
        // Rules 19 and 24: 0..=100.
        check_lot(after)?;
        batch.untracked_count = after;
        w.answer(batch.id);
        w.put_batch(batch);
        Ok(())
    })
}

/// `POST /plantbatches/v2/split`: `count` plants of a batch start a new batch.
#[derive(Debug, Clone, Default)]
pub struct SplitSpec {
    pub batch: Option<String>,
    pub group_name: Option<String>,
    pub count: Option<i64>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub strain: Option<String>,
    pub patient_license_number: Option<String>,
    pub date: Option<String>,
}

/// Splits batches (rules 19, 24).
pub fn split(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next: NextIds,
    specs: &[SplitSpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, next).each(specs, |w, s| {
        let from_name = required(&s.batch, "PlantBatch")?;
        let mut from = w.batch(&from_name)?;
        let name = required(&s.group_name, "GroupName")?;
        w.check_free_name(&name)?;
        let n = count(s.count, "Count")?;
        check_lot(n)?;
        check_takes(&from, n, "be split off")?;
        let strain = match optional(&s.strain) {
            Some(_) => w.strain(None, &s.strain)?,
            None => w.strain(Some(from.strain_id), &None)?,
        };
        let location = match optional(&s.location) {
            Some(_) => w.location(&s.location, "Location", false)?,
            None => w.location(&Some(from.location_name.clone()), "Location", false)?,
        };
        let sublocation = w.sublocation(&s.sublocation)?;
        let day = date("ActualDate", &s.date, w.ctx)?;
        from.untracked_count -= n;
        let id = w.new_batch_id();
        let batch = PlantBatch {
            id,
            name,
            tag: None,
            strain_id: strain.id,
            strain_name: strain.name.clone(),
            location_id: location.id,
            location_name: location.name.clone(),
            location_type_name: location.location_type_name.clone(),
            sublocation_id: sublocation.as_ref().map(|x| x.id),
            sublocation_name: sublocation.map(|x| x.name),
            patient_license_number: super::bounded(
                &s.patient_license_number,
                "PatientLicenseNumber",
                crate::commands::MAX_NAME_CHARS,
            )?
            .or(from.patient_license_number.clone()),
            untracked_count: n,
            tracked_count: 0,
            packaged_count: 0,
            destroyed_count: 0,
            source_plant_batch_ids: vec![from.id],
            source_plant_batch_names: vec![from.name.clone()],
            planted_date: day,
            on_hold: false,
            finished_date: None,
            active: true,
            ..from.clone()
        };
        w.answer(id);
        w.put_batch(from);
        w.put_batch(batch);
        Ok(())
    })
}

/// `PUT /plantbatches/v2/location`.
#[derive(Debug, Clone, Default)]
pub struct MoveSpec {
    pub name: Option<String>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub date: Option<String>,
}

pub fn relocate(
    ctx: &Ctx,
    world: &World,
    by: &str,
    specs: &[MoveSpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, NextIds::default()).each(specs, |w, s| {
        let name = required(&s.name, "Name")?;
        let mut b = w.batch(&name)?;
        let l = w.location(&s.location, "Location", false)?;
        let sub = w.sublocation(&s.sublocation)?;
        date("MoveDate", &s.date, w.ctx)?;
        b.location_id = l.id;
        b.location_name = l.name;
        b.location_type_name = l.location_type_name;
        b.sublocation_id = sub.as_ref().map(|x| x.id);
        b.sublocation_name = sub.map(|x| x.name);
        w.answer(b.id);
        w.put_batch(b);
        Ok(())
    })
}

/// `PUT /plantbatches/v2/name`.
#[derive(Debug, Clone, Default)]
pub struct RenameSpec {
    pub id: Option<i64>,
    pub group: Option<String>,
    pub new_group: Option<String>,
}

pub fn rename(
    ctx: &Ctx,
    world: &World,
    by: &str,
    specs: &[RenameSpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, NextIds::default()).each(specs, |w, s| {
        let mut b = w.batch_by(s.id, &s.group)?;
        let name = required(&s.new_group, "NewGroup")?;
        if crate::records::fold(&name) != crate::records::fold(&b.name) {
            w.check_free_name(&name)?;
        }
        b.name = name;
        w.answer(b.id);
        w.put_batch(b);
        Ok(())
    })
}

/// `PUT /plantbatches/v2/strain`.
#[derive(Debug, Clone, Default)]
pub struct StrainSpec {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub strain_id: Option<i64>,
    pub strain_name: Option<String>,
}

pub fn change_strain(
    ctx: &Ctx,
    world: &World,
    by: &str,
    specs: &[StrainSpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, NextIds::default()).each(specs, |w, s| {
        let mut b = w.batch_by(s.id, &s.name)?;
        let strain: Strain = w.strain(s.strain_id, &s.strain_name)?;
        b.strain_id = strain.id;
        b.strain_name = strain.name;
        w.answer(b.id);
        w.put_batch(b);
        Ok(())
    })
}

/// `PUT /plantbatches/v2/tag`: the lot's plant-tag UID (rule 19), taken from the facility's
/// received plant tags.
#[derive(Debug, Clone, Default)]
pub struct TagSpec {
    pub id: Option<i64>,
    pub group: Option<String>,
    pub new_tag: Option<String>,
    pub date: Option<String>,
}

pub fn retag(ctx: &Ctx, world: &World, by: &str, specs: &[TagSpec]) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, NextIds::default()).each(specs, |w, s| {
        let mut b = w.batch_by(s.id, &s.group)?;
        let raw = required(&s.new_tag, "NewTag")?;
        date("ReplaceDate", &s.date, w.ctx)?;
        b.tag = Some(w.use_plant_tag(&raw)?);
        w.answer(b.id);
        w.put_batch(b);
        Ok(())
    })
}

/// `POST /plantbatches/v2/waste`: waste material of a batch, no plants destroyed.
#[derive(Debug, Clone, Default)]
pub struct BatchWasteSpec {
    pub batch: Option<String>,
    pub waste: WasteSpec,
}

pub fn record_waste(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next: NextIds,
    specs: &[BatchWasteSpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, next).each(specs, |w, s| {
        let name = required(&s.batch, "PlantBatchName")?;
        let b = w.batch(&name)?;
        let waste = w.record_waste(&s.waste, "WasteDate", WasteTarget::of_batch(&b, 0))?;
        w.answer(waste.id);
        Ok(())
    })
}

/// `DELETE /plantbatches/v2`: destroys `count` plants of a batch, recording their waste first
/// (rules 17, 24, 25, 57).
#[derive(Debug, Clone, Default)]
pub struct DestroySpec {
    pub batch: Option<String>,
    pub count: Option<i64>,
    pub waste: WasteSpec,
}

pub fn destroy(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next: NextIds,
    specs: &[DestroySpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, next).each(specs, |w, s| {
        let name = required(&s.batch, "PlantBatch")?;
        let mut b = w.batch(&name)?;
        let n = count(s.count, "Count")?;
        check_takes(&b, n, "be destroyed")?;
        w.record_waste(&s.waste, "ActualDate", WasteTarget::of_batch(&b, n))?;
        b.untracked_count -= n;
        b.destroyed_count += n;
        w.answer(b.id);
        w.put_batch(b);
        Ok(())
    })
}

/// `POST /plantbatches/v2/packages`: immature plants of a batch leave it in a package.
#[derive(Debug, Clone, Default)]
pub struct PackageSpec {
    pub batch: Option<String>,
    pub count: Option<i64>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub item: Option<String>,
    pub tag: Option<String>,
    pub patient_license_number: Option<String>,
    pub note: Option<String>,
    pub is_trade_sample: bool,
    pub is_donation: bool,
    pub actual_date: Option<String>,
    pub expiration_date: Option<String>,
    pub sell_by_date: Option<String>,
    pub use_by_date: Option<String>,
}

/// Packages immature plants of batches (rule 24: the batch count never goes below zero). The
/// package's item must be an immature plant item counted in each, of the batch's strain if it
/// names one; its tag a received, unused package tag (rules 11, 13).
pub fn packages(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next: NextIds,
    specs: &[PackageSpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, next).each(specs, |w, s| package(w, s))
}

pub(super) fn package(w: &mut Work, s: &PackageSpec) -> Result<(), String> {
    let name = required(&s.batch, "PlantBatch")?;
    let mut batch = w.batch(&name)?;
    let n = count(s.count, "Count")?;
    check_takes(&batch, n, "be packaged")?;
    let item = w.item(&s.item)?;
    if item.category != "Immature Plants" || item.unit_of_measure != "Each" {
        return Err(format!(
            "Item {} is {} in {}; immature plants are packaged as an Immature Plants item counted in Each.",
            item.name, item.category, item.unit_of_measure
        ));
    }
    if item.strain_id.is_some_and(|id| id != batch.strain_id) {
        return Err(format!(
            "Item {} is of strain {}; Plant Batch {} is {}.",
            item.name,
            item.strain_name.clone().unwrap_or_default(),
            batch.name,
            batch.strain_name
        ));
    }
    use crate::license::Capability;
    for (flag, on, cap) in [
        (
            "IsTradeSample",
            s.is_trade_sample,
            Capability::CanCreateTradeSamplePackages,
        ),
        ("IsDonation", s.is_donation, Capability::CanDonatePackages),
    ] {
        if on && !w.ctx.facility.license_type.can(cap) {
            return Err(format!(
                "{flag}: this facility's license type cannot do that ({cap})."
            ));
        }
    }
    let location = w.package_location(&s.location)?;
    let sublocation = w.sublocation(&s.sublocation)?;
    let raw = required(&s.tag, "Tag")?;
    let packaged = date("ActualDate", &s.actual_date, w.ctx)?;
    let expiration_date = parse_date_any("ExpirationDate", &s.expiration_date)?;
    let sell_by_date = parse_date_any("SellByDate", &s.sell_by_date)?;
    let use_by_date = parse_date_any("UseByDate", &s.use_by_date)?;
    let note = note(&s.note, "Note")?;
    let label = w.use_tag(&raw, crate::tag::TagKind::Package)?;
    let id = w.new_package_id();
    let pkg = crate::records::Package {
        id,
        package_type: "ImmaturePlant".into(),
        note,
        is_trade_sample: s.is_trade_sample,
        is_donation: s.is_donation,
        lab_testing_state_date: packaged.clone(),
        expiration_date,
        sell_by_date,
        use_by_date,
        ..new_package(
            w.ctx,
            NewParts {
                label,
                item: &item,
                quantity: rust_decimal::Decimal::from(n),
                unit: "Each",
                location: &location,
                sublocation: sublocation.as_ref(),
                packaged_date: packaged,
                // Plants are not lab tested (as `create_packages` decides for the Plants
                // categories).
                lab_state: crate::lab_state::LabState::NotRequired,
            },
        )
    };
    batch.untracked_count -= n;
    batch.packaged_count += n;
    w.answer(id);
    w.put_package(pkg);
    w.put_batch(batch);
    Ok(())
}
