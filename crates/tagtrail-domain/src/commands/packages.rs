//! Packages: creation from source packages, adjustments, moves, notes, item changes, finishing,
//! discontinuing, holds, flags, remediation (cctt-rules §1.E and §2.4).

use super::{Ctx, optional};
use crate::error::{Rejection, RowErrors};
use crate::lab_state::LabState;
use crate::license::Capability;
use crate::quantity::{self, QuantityType};
use crate::records::{
    Item, Location, Package, PackageAdjustment, PackageLink, PackageState, Sublocation, Tag, fold,
};
use crate::reference;
use crate::tag::{self, TagKind, TagLabel, TagStatus};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// Why a package may not be changed right now; every change path asks this first.
pub fn check_changeable(p: &Package) -> Result<(), String> {
    match p.state {
        // Rule 33 and bulletin III: a finished package must be unfinished before anything else.
        PackageState::Finished => {
            return Err(format!(
                "Package {} is finished; unfinish it first.",
                p.label
            ));
        }
        PackageState::Discontinued => return Err(format!("Package {} is discontinued.", p.label)),
        // Rule 35: the shipper cannot change a package while it is in transit.
        PackageState::InTransit => {
            return Err(format!(
                "Package {} is in transit and cannot be changed.",
                p.label
            ));
        }
        PackageState::Active => {}
    }
    if p.on_hold {
        // Rule 34: a held package cannot be sold, transferred, used or destroyed until released.
        return Err(format!("Package {} is on hold.", p.label));
    }
    Ok(())
}

/// The packages addressed by a request, by label, all at the acting facility.
pub type Found = HashMap<String, Package>;

pub(crate) fn parse_date(
    field: &str,
    v: &Option<String>,
    ctx: &Ctx,
) -> Result<Option<String>, String> {
    match optional(v) {
        None => Ok(None),
        Some(d) => {
            let date = chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .or_else(|_| {
                    crate::time::parse_instant(&d)
                        .map(|t| t.date_naive())
                        .ok_or(())
                })
                .map_err(|_| format!("{field} {d} is not a date (YYYY-MM-DD)."))?;
            let today = ctx.now.get(..10).unwrap_or_default();
            if crate::time::format_date(date).as_str() > today {
                // Rule 16: activity is recorded after it happens, never ahead of time.
                return Err(format!("{field} {d} is in the future."));
            }
            Ok(Some(crate::time::format_date(date)))
        }
    }
}

pub(crate) fn today(ctx: &Ctx) -> String {
    ctx.now.get(..10).unwrap_or_default().to_string()
}

/// Applies `f` to each addressed package: a label is required, must be one of this facility's
/// packages and may appear once. Returns the changed packages and whatever `f` produced.
pub fn update_each<S, T>(
    ctx: &Ctx,
    found: &Found,
    specs: &[S],
    label_of: impl Fn(&S) -> Option<&str>,
    mut f: impl FnMut(&mut Package, &S) -> Result<Option<T>, String>,
) -> Result<(Vec<Package>, Vec<T>), Rejection> {
    let mut errors = RowErrors::default();
    let mut seen = HashSet::new();
    let (mut out, mut extra) = (Vec::new(), Vec::new());
    for (row, spec) in specs.iter().enumerate() {
        let Some(label) = label_of(spec).map(str::trim).filter(|l| !l.is_empty()) else {
            errors.push(row, "Label was not specified.");
            continue;
        };
        let key = label.to_ascii_uppercase();
        let Some(p) = found
            .get(&key)
            .filter(|p| p.license_number == ctx.facility.license_number)
        else {
            errors.push(
                row,
                format!("Package {label} does not exist in the current Facility."),
            );
            continue;
        };
        if !seen.insert(key) {
            errors.push(row, format!("Package {label} appears more than once."));
            continue;
        }
        let mut p = p.clone();
        match f(&mut p, spec) {
            Ok(x) => {
                p.last_modified = ctx.now.clone();
                out.push(p);
                extra.extend(x);
            }
            Err(e) => errors.push(row, e),
        }
    }
    errors.into_result()?;
    Ok((out, extra))
}

#[derive(Debug, Clone, Default)]
pub struct Ingredient {
    pub package: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_of_measure: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct NewPackage {
    pub tag: Option<String>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub item: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_of_measure: Option<String>,
    pub note: Option<String>,
    pub is_production_batch: bool,
    pub production_batch_number: Option<String>,
    pub is_donation: bool,
    pub is_trade_sample: bool,
    pub is_finished_good: bool,
    pub product_requires_remediation: bool,
    pub use_same_item: bool,
    pub actual_date: Option<String>,
    pub expiration_date: Option<String>,
    pub sell_by_date: Option<String>,
    pub use_by_date: Option<String>,
    pub ingredients: Vec<Ingredient>,
}

/// What the ledger loaded for a create: tags, items, locations and sublocations of the facility
/// by folded name (tags by label), and the source packages by label.
#[derive(Debug, Default)]
pub struct CreateWorld {
    pub tags: HashMap<String, Tag>,
    pub items: HashMap<String, Item>,
    pub locations: HashMap<String, Location>,
    pub sublocations: HashMap<String, Sublocation>,
    pub sources: Found,
}

/// Next free ids of the tables a create writes to.
#[derive(Debug, Clone, Copy)]
pub struct NextIds {
    pub package: i64,
    pub link: i64,
}

#[derive(Debug, Default)]
pub struct Created {
    pub packages: Vec<Package>,
    pub sources: Vec<Package>,
    pub tags: Vec<Tag>,
    pub links: Vec<PackageLink>,
}

/// One source drawn on: the source after the draw, the quantity and the unit as requested.
type Draw = (Package, Decimal, String);
/// One planned new package: the package, its draws, the tag it uses.
type Planned = (Package, Vec<Draw>, Tag);

/// Rules 11 and 13: the package tag `raw` names must be received, unused and issued to this
/// facility, and not taken by an earlier row of the request (`taken`). Answers with its label
/// and the tag as it is once used. Every way of making a package takes its tag so.
pub(crate) fn take_package_tag(
    ctx: &Ctx,
    tags: &HashMap<String, Tag>,
    raw: &Option<String>,
    taken: &HashSet<TagLabel>,
) -> Result<(TagLabel, Tag), String> {
    let raw = optional(raw).ok_or("Tag was not specified.")?;
    let label = TagLabel::parse(&raw)?;
    let tag = tags
        .get(label.as_str())
        .ok_or_else(|| format!("Tag {label} is not available."))?;
    tag::check_usable(
        &label,
        tag.tag_status,
        tag.kind,
        &tag.license_number,
        TagKind::Package,
        &ctx.facility.license_number,
    )?;
    if taken.contains(&label) {
        return Err(format!(
            "Tag {label} is used more than once in this request."
        ));
    }
    Ok((label, used_now(ctx, tag)))
}

/// Tag `t` as it is once used now (rule 13: used once, never again).
pub(crate) fn used_now(ctx: &Ctx, t: &Tag) -> Tag {
    let mut used = t.clone();
    used.tag_status = TagStatus::Used;
    used.used_at = Some(ctx.now.clone());
    used.active = false;
    used.last_modified = ctx.now.clone();
    used
}

/// What every new package is made of; the rest of it starts as [`new_package`] sets it.
pub(crate) struct NewParts<'a> {
    pub label: TagLabel,
    pub item: &'a Item,
    pub quantity: Decimal,
    pub unit: &'a str,
    pub location: &'a Location,
    pub sublocation: Option<&'a Sublocation>,
    pub packaged_date: String,
    pub lab_state: LabState,
}

/// A new active package of this facility, packaged by it, with no sources, flags, hold,
/// remediation or dates beyond its packaging: what `POST /packages/v2`, packages from harvests
/// and packages of immature plants each start from (with `..` for what they set otherwise).
pub(crate) fn new_package(ctx: &Ctx, parts: NewParts) -> Package {
    let lic = &ctx.facility.license_number;
    Package {
        id: 0,
        license_number: lic.clone(),
        label: parts.label,
        package_type: "Product".into(),
        item_id: parts.item.id,
        item_name: parts.item.name.clone(),
        item_category: parts.item.category.clone(),
        item_strain_name: parts.item.strain_name.clone(),
        quantity: parts.quantity,
        unit_of_measure: parts.unit.into(),
        original_quantity: parts.quantity,
        location_id: Some(parts.location.id),
        location_name: Some(parts.location.name.clone()),
        sublocation_id: parts.sublocation.map(|s| s.id),
        sublocation_name: parts.sublocation.map(|s| s.name.clone()),
        note: None,
        packaged_date: parts.packaged_date,
        packaged_by_license: lic.clone(),
        packaged_by_name: ctx.facility.name.clone(),
        source_package_ids: vec![],
        source_package_labels: vec![],
        production_batch_number: None,
        is_production_batch: false,
        is_testing_sample: false,
        is_trade_sample: false,
        is_donation: false,
        is_finished_good: false,
        product_requires_remediation: false,
        initial_lab_testing_state: parts.lab_state,
        lab_testing_state: parts.lab_state,
        lab_testing_state_date: today(ctx),
        remediation_count: 0,
        remediation_date: None,
        decontamination_date: None,
        on_hold: false,
        hold_reason: None,
        state: PackageState::Active,
        finished_date: None,
        expiration_date: None,
        sell_by_date: None,
        use_by_date: None,
        external_id: None,
        archived_date: None,
        lab_license: None,
        received: None,
        source_harvests: vec![],
        active: true,
        last_modified: ctx.now.clone(),
    }
}

/// Creates packages from source packages (`POST /packages/v2`) or testing samples
/// (`POST /packages/v2/testing`). Every row is validated before anything is decided, and two
/// rows drawing on one source see each other's draw.
pub fn create_packages(
    ctx: &Ctx,
    world: &CreateWorld,
    specs: &[NewPackage],
    mode: Mode,
    mut next: NextIds,
) -> Result<Created, Rejection> {
    let testing = mode == Mode::Testing;
    let mut errors = RowErrors::default();
    let mut out = Created::default();
    let mut sources: HashMap<String, Package> = HashMap::new();
    let mut used_tags = HashSet::new();
    let lic = &ctx.facility.license_number;
    for (row, spec) in specs.iter().enumerate() {
        let result = (|| -> Result<Planned, String> {
            // Tag: received, unused, a package tag, issued to this facility (rules 11, 13).
            let (label, used) = take_package_tag(ctx, &world.tags, &spec.tag, &used_tags)?;
            used_tags.insert(label.clone());
            // Rule 23: every new package names at least one source package.
            match (mode, spec.ingredients.is_empty()) {
                (Mode::Opening { .. }, false) => {
                    return Err("An opening balance has no source packages.".into());
                }
                (Mode::Opening { .. }, true) => {}
                (_, true) => {
                    return Err("At least one source package (Ingredients) is required.".into());
                }
                (_, false) => {}
            }
            let mut draws = Vec::new();
            for ing in &spec.ingredients {
                let src_label = optional(&ing.package)
                    .ok_or("Ingredient Package was not specified.")?
                    .to_ascii_uppercase();
                // The latest state of the source: an earlier ingredient of this row, an earlier row
                // of this request, or the database, in that order (rule 28 across all of them).
                let src = match draws
                    .iter()
                    .rev()
                    .find(|(p, _, _): &&Draw| p.label.as_str() == src_label)
                {
                    Some((p, _, _)) => p.clone(),
                    None => match sources.get(&src_label) {
                        Some(p) => p.clone(),
                        None => world
                            .sources
                            .get(&src_label)
                            .filter(|p| &p.license_number == lic)
                            .cloned()
                            .ok_or_else(|| {
                                format!(
                                    "Package {src_label} does not exist in the current Facility."
                                )
                            })?,
                    },
                };
                check_changeable(&src)?;
                let qty = ing.quantity.ok_or_else(|| {
                    format!("Ingredient quantity for {src_label} was not specified.")
                })?;
                if qty <= Decimal::ZERO {
                    return Err(format!(
                        "Ingredient quantity for {src_label} must be greater than zero."
                    ));
                }
                let unit_name =
                    optional(&ing.unit_of_measure).unwrap_or_else(|| src.unit_of_measure.clone());
                let unit = quantity::unit(&unit_name)
                    .ok_or_else(|| format!("Unit of Measure {unit_name} does not exist."))?;
                let src_unit = quantity::unit(&src.unit_of_measure)
                    .ok_or_else(|| format!("Package {src_label} has an unknown unit."))?;
                let take = quantity::convert(qty, unit, src_unit)
                    .map_err(|e| format!("Ingredient {src_label}: {e}."))?;
                // Rule 28: a package never goes below zero.
                let left = quantity::checked_remove(src.quantity, take).map_err(|_| {
                    format!(
                        "Package {src_label} has {} {}; {take} cannot be taken.",
                        src.quantity, src.unit_of_measure
                    )
                })?;
                let mut drawn = src.clone();
                drawn.quantity = left;
                draws.push((drawn, qty, unit.name.to_string()));
            }
            let item_name = if spec.use_same_item && !draws.is_empty() {
                draws
                    .first()
                    .map(|(p, _, _)| p.item_name.clone())
                    .ok_or("UseSameItem needs a source package.")?
            } else {
                optional(&spec.item).ok_or("Item was not specified.")?
            };
            let item = world.items.get(&fold(&item_name)).ok_or_else(|| {
                format!("Item {item_name} does not exist in the current Facility.")
            })?;
            let category = reference::item_category(&item.category)
                .ok_or_else(|| format!("Item {} has an unknown category.", item.name))?;
            let qty = spec.quantity.ok_or("Quantity was not specified.")?;
            if qty <= Decimal::ZERO {
                return Err("Quantity must be greater than zero.".into());
            }
            let unit_name =
                optional(&spec.unit_of_measure).ok_or("UnitOfMeasure was not specified.")?;
            let unit = quantity::unit(&unit_name)
                .ok_or_else(|| format!("Unit of Measure {unit_name} does not exist."))?;
            // Rule 29: the unit must fit the item's quantity type.
            if unit.quantity_type != category.quantity_type {
                return Err(format!(
                    "Unit of Measure {} is {} but Item {} is {}.",
                    unit.name,
                    unit.quantity_type.as_str(),
                    item.name,
                    category.quantity_type.as_str()
                ));
            }
            let loc_name = optional(&spec.location).ok_or("Location was not specified.")?;
            let location = world.locations.get(&fold(&loc_name)).ok_or_else(|| {
                format!("Location {loc_name} does not exist in the current Facility.")
            })?;
            let sublocation = match optional(&spec.sublocation) {
                Some(s) => Some(world.sublocations.get(&fold(&s)).ok_or_else(|| {
                    format!("Sublocation {s} does not exist in the current Facility.")
                })?),
                None => None,
            };
            let packaged =
                parse_date("ActualDate", &spec.actual_date, ctx)?.unwrap_or_else(|| today(ctx));
            let states: HashSet<LabState> =
                draws.iter().map(|(p, _, _)| p.lab_testing_state).collect();
            let lab_state = if let Mode::Opening { lab_state } = mode {
                lab_state
            } else if testing {
                LabState::SubmittedForTesting
            } else if matches!(category.quantity_type, QuantityType::CountBased)
                && category.product_category_type == "Plants"
            {
                LabState::NotRequired
            } else if states.len() == 1
                && states.iter().all(|s| {
                    !matches!(
                        s,
                        LabState::SubmittedForTesting | LabState::TestingInProgress
                    )
                })
            {
                // A repackage of one tested lot carries its results with it.
                states
                    .iter()
                    .next()
                    .copied()
                    .unwrap_or(LabState::NotSubmitted)
            } else {
                LabState::NotSubmitted
            };
            let pkg = Package {
                note: optional(&spec.note),
                source_package_ids: draws.iter().map(|(p, _, _)| p.id).collect(),
                source_package_labels: draws.iter().map(|(p, _, _)| p.label.to_string()).collect(),
                production_batch_number: optional(&spec.production_batch_number),
                is_production_batch: spec.is_production_batch,
                is_testing_sample: testing,
                is_trade_sample: spec.is_trade_sample,
                is_donation: spec.is_donation,
                is_finished_good: spec.is_finished_good,
                product_requires_remediation: spec.product_requires_remediation,
                expiration_date: parse_date_any("ExpirationDate", &spec.expiration_date)?,
                sell_by_date: parse_date_any("SellByDate", &spec.sell_by_date)?,
                use_by_date: parse_date_any("UseByDate", &spec.use_by_date)?,
                ..new_package(
                    ctx,
                    NewParts {
                        label,
                        item,
                        quantity: qty,
                        unit: unit.name,
                        location,
                        sublocation,
                        packaged_date: packaged,
                        lab_state,
                    },
                )
            };
            Ok((pkg, draws, used))
        })();
        match result {
            Ok((mut pkg, draws, used)) => {
                pkg.id = next.package;
                next.package += 1;
                for (mut src, qty, unit) in draws {
                    out.links.push(PackageLink {
                        id: next.link,
                        license_number: lic.clone(),
                        parent_id: src.id,
                        parent_label: src.label.to_string(),
                        child_id: pkg.id,
                        child_label: pkg.label.to_string(),
                        quantity: qty,
                        unit_of_measure: unit,
                        active: true,
                        last_modified: ctx.now.clone(),
                    });
                    next.link += 1;
                    if testing && src.lab_testing_state == LabState::NotSubmitted {
                        src.lab_testing_state = LabState::SubmittedForTesting;
                        src.lab_testing_state_date = today(ctx);
                    }
                    src.last_modified = ctx.now.clone();
                    sources.insert(src.label.to_string(), src);
                }
                out.tags.push(used);
                out.packages.push(pkg);
            }
            Err(e) => errors.push(row, e),
        }
    }
    errors.into_result()?;
    out.sources = sources.into_values().collect();
    out.sources.sort_by_key(|p| p.id);
    Ok(out)
}

/// How packages come into being.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `POST /packages/v2`: from source packages.
    Regular,
    /// `POST /packages/v2/testing`: a testing sample from source packages (rule 36).
    Testing,
    /// An opening balance: inventory that enters the ledger without a source package, put there
    /// by the operator (a state migrating a licensee's existing stock, or seeding a sandbox). It
    /// is the one way round rule 23, so it is the operator's alone, and journaled as such.
    Opening { lab_state: LabState },
}

/// Dates that may lie ahead (expiration, sell-by, use-by).
pub(crate) fn parse_date_any(field: &str, v: &Option<String>) -> Result<Option<String>, String> {
    match optional(v) {
        None => Ok(None),
        Some(d) => chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map(|x| Some(crate::time::format_date(x)))
            .map_err(|_| format!("{field} {d} is not a date (YYYY-MM-DD).")),
    }
}

#[derive(Debug, Clone, Default)]
pub struct AdjustSpec {
    pub label: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_of_measure: Option<String>,
    pub reason: Option<String>,
    pub date: Option<String>,
    pub note: Option<String>,
}

/// Adjusts package quantities. `to_final` (PUT) reads `Quantity` as the new quantity, otherwise
/// (POST) as a signed change. Rule 28: a reason from the state list, its note when it needs
/// one, and never below zero.
pub fn adjust(
    ctx: &Ctx,
    found: &Found,
    specs: &[AdjustSpec],
    to_final: bool,
    adjusted_by: &str,
    mut next_id: i64,
) -> Result<(Vec<Package>, Vec<PackageAdjustment>), Rejection> {
    update_each(
        ctx,
        found,
        specs,
        |s| s.label.as_deref(),
        |p, s| {
            check_changeable(p)?;
            let reason_name = optional(&s.reason).ok_or("AdjustmentReason was not specified.")?;
            let reason = reference::adjust_reason(&reason_name)
                .ok_or_else(|| format!("Adjustment reason {reason_name} does not exist."))?;
            let note = optional(&s.note);
            if reason.requires_note && note.is_none() {
                return Err(format!(
                    "Adjustment reason {} requires a ReasonNote.",
                    reason.name
                ));
            }
            let qty = s.quantity.ok_or("Quantity was not specified.")?;
            let unit_name =
                optional(&s.unit_of_measure).unwrap_or_else(|| p.unit_of_measure.clone());
            let unit = quantity::unit(&unit_name)
                .ok_or_else(|| format!("Unit of Measure {unit_name} does not exist."))?;
            let pkg_unit =
                quantity::unit(&p.unit_of_measure).ok_or("The package has an unknown unit.")?;
            let amount = quantity::convert(qty, unit, pkg_unit).map_err(|e| format!("{e}."))?;
            let new_qty = if to_final {
                amount
            } else {
                p.quantity
                    .checked_add(amount)
                    .ok_or("Quantity is too large.")?
            };
            if new_qty.is_sign_negative() && !new_qty.is_zero() {
                return Err(format!(
                    "Package {} has {} {}; the adjustment would take it below zero.",
                    p.label, p.quantity, p.unit_of_measure
                ));
            }
            let delta = new_qty - p.quantity;
            let date = parse_date("AdjustmentDate", &s.date, ctx)?.unwrap_or_else(|| today(ctx));
            p.quantity = new_qty;
            let adj = PackageAdjustment {
                id: next_id,
                license_number: p.license_number.clone(),
                package_id: p.id,
                package_label: p.label.to_string(),
                item_name: p.item_name.clone(),
                item_category: p.item_category.clone(),
                quantity: delta,
                unit_of_measure: p.unit_of_measure.clone(),
                reason: reason.name.to_string(),
                note,
                adjustment_date: date,
                packaged_date: p.packaged_date.clone(),
                adjusted_by: adjusted_by.to_string(),
                active: true,
                last_modified: ctx.now.clone(),
            };
            next_id += 1;
            Ok(Some(adj))
        },
    )
}

/// Finishes packages: the quantity must be zero (rule 33). They leave active inventory but stay
/// readable by id and label and in `inactive` (rule 72).
pub fn finish(ctx: &Ctx, found: &Found, specs: &[FinishSpec]) -> Result<Vec<Package>, Rejection> {
    let (out, _) = update_each::<_, ()>(
        ctx,
        found,
        specs,
        |s| s.label.as_deref(),
        |p, s| {
            check_changeable(p)?;
            if !p.quantity.is_zero() {
                return Err(format!(
                    "Package {} has {} {} left; only an empty package can be finished.",
                    p.label, p.quantity, p.unit_of_measure
                ));
            }
            p.state = PackageState::Finished;
            p.finished_date =
                Some(parse_date("ActualDate", &s.actual_date, ctx)?.unwrap_or_else(|| today(ctx)));
            p.active = false;
            Ok(None)
        },
    )?;
    Ok(out)
}

/// Unfinishes packages (bulletin III): back to active inventory.
pub fn unfinish(
    ctx: &Ctx,
    found: &Found,
    labels: &[Option<String>],
) -> Result<Vec<Package>, Rejection> {
    let (out, _) = update_each::<_, ()>(
        ctx,
        found,
        labels,
        |s| s.as_deref(),
        |p, _| {
            if p.state != PackageState::Finished {
                return Err(format!("Package {} is not finished.", p.label));
            }
            p.state = PackageState::Active;
            p.finished_date = None;
            p.active = true;
            Ok(None)
        },
    )?;
    Ok(out)
}

/// Discontinues a package (`DELETE /packages/v2/{id}`).
pub fn discontinue(ctx: &Ctx, p: Option<&Package>, id: i64) -> Result<Package, Rejection> {
    let p = p
        .filter(|p| p.license_number == ctx.facility.license_number)
        .ok_or_else(|| {
            Rejection::NotFound(format!(
                "Package {id} does not exist in the current Facility."
            ))
        })?;
    check_changeable(p).map_err(Rejection::Invalid)?;
    let mut p = p.clone();
    p.state = PackageState::Discontinued;
    p.active = false;
    p.archived_date = Some(ctx.now.clone());
    p.last_modified = ctx.now.clone();
    Ok(p)
}

/// Moves packages to another location (and sublocation).
pub fn relocate(
    ctx: &Ctx,
    found: &Found,
    specs: &[MoveSpec],
    locations: &HashMap<String, Location>,
    sublocations: &HashMap<String, Sublocation>,
) -> Result<Vec<Package>, Rejection> {
    let (out, _) = update_each::<_, ()>(
        ctx,
        found,
        specs,
        |s| s.label.as_deref(),
        |p, s| {
            check_changeable(p)?;
            let name = optional(&s.location).ok_or("Location was not specified.")?;
            let loc = locations.get(&fold(&name)).ok_or_else(|| {
                format!("Location {name} does not exist in the current Facility.")
            })?;
            let sub = match optional(&s.sublocation) {
                Some(n) => Some(sublocations.get(&fold(&n)).ok_or_else(|| {
                    format!("Sublocation {n} does not exist in the current Facility.")
                })?),
                None => None,
            };
            p.location_id = Some(loc.id);
            p.location_name = Some(loc.name.clone());
            p.sublocation_id = sub.map(|x| x.id);
            p.sublocation_name = sub.map(|x| x.name.clone());
            Ok(None)
        },
    )?;
    Ok(out)
}

/// Changes the item of packages; the new item must measure the same way (rule 29).
pub fn change_item(
    ctx: &Ctx,
    found: &Found,
    specs: &[ItemChangeSpec],
    items: &HashMap<String, Item>,
) -> Result<Vec<Package>, Rejection> {
    let (out, _) = update_each::<_, ()>(
        ctx,
        found,
        specs,
        |s| s.label.as_deref(),
        |p, s| {
            check_changeable(p)?;
            let name = optional(&s.item).ok_or("Item was not specified.")?;
            let item = items
                .get(&fold(&name))
                .ok_or_else(|| format!("Item {name} does not exist in the current Facility."))?;
            let cat = reference::item_category(&item.category)
                .ok_or("The item has an unknown category.")?;
            let unit =
                quantity::unit(&p.unit_of_measure).ok_or("The package has an unknown unit.")?;
            if cat.quantity_type != unit.quantity_type {
                return Err(format!(
                    "Item {} is {} but the package is measured in {}.",
                    item.name,
                    cat.quantity_type.as_str(),
                    unit.name
                ));
            }
            p.item_id = item.id;
            p.item_name = item.name.clone();
            p.item_category = item.category.clone();
            p.item_strain_name = item.strain_name.clone();
            Ok(None)
        },
    )?;
    Ok(out)
}

/// Simple field changes that share the same guard: notes, dates, external ids, flags.
fn edit<S>(
    ctx: &Ctx,
    found: &Found,
    specs: &[S],
    label: impl Fn(&S) -> Option<&str>,
    f: impl Fn(&mut Package, &S) -> Result<(), String>,
) -> Result<Vec<Package>, Rejection> {
    let (out, _) = update_each::<_, ()>(ctx, found, specs, label, |p, s| {
        check_changeable(p)?;
        f(p, s)?;
        Ok(None)
    })?;
    Ok(out)
}

#[derive(Debug, Clone, Default)]
pub struct FinishSpec {
    pub label: Option<String>,
    pub actual_date: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct MoveSpec {
    pub label: Option<String>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ItemChangeSpec {
    pub label: Option<String>,
    pub item: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct NoteSpec {
    pub label: Option<String>,
    /// Blank clears the note.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct DatesSpec {
    pub label: Option<String>,
    pub expiration_date: Option<String>,
    pub sell_by_date: Option<String>,
    pub use_by_date: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ExternalIdSpec {
    pub label: Option<String>,
    /// Blank clears the identifier.
    pub external_id: Option<String>,
}

/// Remediation or decontamination of a failed package: the method used and when.
#[derive(Debug, Clone, Default)]
pub struct TreatmentSpec {
    pub label: Option<String>,
    pub method: Option<String>,
    pub date: Option<String>,
}

/// The flags a package carries besides its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Donation,
    TradeSample,
    FinishedGood,
}

impl Flag {
    /// What a facility's license type needs to set the flag (clearing needs nothing).
    pub const fn capability(self) -> Capability {
        match self {
            Flag::Donation => Capability::CanDonatePackages,
            Flag::TradeSample => Capability::CanCreateTradeSamplePackages,
            Flag::FinishedGood => Capability::CanTrackFinishedGoods,
        }
    }
}

/// Sets or clears package notes.
pub fn set_notes(ctx: &Ctx, found: &Found, specs: &[NoteSpec]) -> Result<Vec<Package>, Rejection> {
    edit(
        ctx,
        found,
        specs,
        |s| s.label.as_deref(),
        |p, s| {
            p.note = optional(&s.note);
            Ok(())
        },
    )
}

/// Sets expiration, sell-by and use-by dates (any of them may lie ahead; blank clears).
pub fn set_dates(ctx: &Ctx, found: &Found, specs: &[DatesSpec]) -> Result<Vec<Package>, Rejection> {
    edit(
        ctx,
        found,
        specs,
        |s| s.label.as_deref(),
        |p, s| {
            p.expiration_date = parse_date_any("ExpirationDate", &s.expiration_date)?;
            p.sell_by_date = parse_date_any("SellByDate", &s.sell_by_date)?;
            p.use_by_date = parse_date_any("UseByDate", &s.use_by_date)?;
            Ok(())
        },
    )
}

/// Sets or clears external identifiers.
pub fn set_external_ids(
    ctx: &Ctx,
    found: &Found,
    specs: &[ExternalIdSpec],
) -> Result<Vec<Package>, Rejection> {
    edit(
        ctx,
        found,
        specs,
        |s| s.label.as_deref(),
        |p, s| {
            p.external_id = optional(&s.external_id);
            Ok(())
        },
    )
}

/// Flags (`on`) or unflags packages. Setting a flag needs the facility capability
/// [`Flag::capability`] names, which the action's definition requires; clearing one is always
/// allowed, so a facility can undo a flag it should not carry.
pub fn set_flag(
    ctx: &Ctx,
    found: &Found,
    labels: &[Option<String>],
    flag: Flag,
    on: bool,
) -> Result<Vec<Package>, Rejection> {
    edit(
        ctx,
        found,
        labels,
        |l| l.as_deref(),
        |p, _| {
            match flag {
                Flag::Donation => p.is_donation = on,
                Flag::TradeSample => p.is_trade_sample = on,
                Flag::FinishedGood => p.is_finished_good = on,
            }
            Ok(())
        },
    )
}

/// Administrative hold (or release) by the regulator (rule 34).
#[derive(Debug, Clone, Default)]
pub struct HoldSpec {
    pub labels: Vec<String>,
    /// True to hold, false to release.
    pub hold: bool,
    pub reason: String,
}

pub fn set_hold(ctx: &Ctx, found: &Found, spec: &HoldSpec) -> Result<Vec<Package>, Rejection> {
    let (hold, reason) = (spec.hold, spec.reason.as_str());
    let (out, _) = update_each::<_, ()>(
        ctx,
        found,
        &spec.labels,
        |s| Some(s.as_str()),
        |p, _| {
            if p.on_hold == hold {
                return Err(format!(
                    "Package {} is {}on hold.",
                    p.label,
                    if hold { "already " } else { "not " }
                ));
            }
            p.on_hold = hold;
            p.hold_reason = hold.then(|| reason.to_string());
            Ok(None)
        },
    )?;
    Ok(out)
}

/// Only a package that failed testing can be remediated or decontaminated (cctt-rules §2.5).
fn check_failed(p: &Package, what: &str) -> Result<(), String> {
    check_changeable(p)?;
    if p.lab_testing_state.failed() {
        Ok(())
    } else {
        Err(format!(
            "Package {} is {}; only a failed package can be {what}.",
            p.label, p.lab_testing_state
        ))
    }
}

/// Records remediation of a failed package: at most twice (cctt-rules §2.5).
pub fn remediate(
    ctx: &Ctx,
    found: &Found,
    specs: &[TreatmentSpec],
) -> Result<Vec<Package>, Rejection> {
    let (out, _) = update_each::<_, ()>(
        ctx,
        found,
        specs,
        |s| s.label.as_deref(),
        |p, s| {
            check_failed(p, "remediated")?;
            if p.remediation_count >= 2 {
                return Err(format!(
                    "Package {} has been remediated twice already; it must be destroyed.",
                    p.label
                ));
            }
            optional(&s.method).ok_or("RemediationMethodName was not specified.")?;
            let date = parse_date("RemediationDate", &s.date, ctx)?.unwrap_or_else(|| today(ctx));
            p.remediation_count += 1;
            p.remediation_date = Some(date);
            p.lab_testing_state = LabState::Remediated;
            p.lab_testing_state_date = today(ctx);
            Ok(None)
        },
    )?;
    Ok(out)
}

/// Records decontamination of a failed package.
pub fn decontaminate(
    ctx: &Ctx,
    found: &Found,
    specs: &[TreatmentSpec],
) -> Result<Vec<Package>, Rejection> {
    let (out, _) = update_each::<_, ()>(
        ctx,
        found,
        specs,
        |s| s.label.as_deref(),
        |p, s| {
            check_failed(p, "decontaminated")?;
            optional(&s.method).ok_or("DecontaminationMethodName was not specified.")?;
            p.decontamination_date = Some(
                parse_date("DecontaminationDate", &s.date, ctx)?.unwrap_or_else(|| today(ctx)),
            );
            p.lab_testing_state = LabState::Decontaminated;
            p.lab_testing_state_date = today(ctx);
            Ok(None)
        },
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::LicenseType;
    use crate::records::Facility;

    const NOW: &str = "2026-06-01T12:00:00.000000+00:00";

    fn facility() -> Facility {
        Facility {
            id: 1,
            license_number: "L-1".into(),
            license_type: LicenseType::Distributor,
            name: "Distro".into(),
            display_name: "Distro".into(),
            license_start_date: "2026-01-01".into(),
            license_end_date: "2026-12-31".into(),
            address: None,
            credentialed_date: "2026-01-01".into(),
            onboarding: Default::default(),
            active: true,
            last_modified: NOW.into(),
        }
    }

    fn tag(seq: u32, status: TagStatus) -> Tag {
        Tag {
            id: seq as i64,
            license_number: "L-1".into(),
            label: TagLabel::issue(1, seq),
            kind: TagKind::Package,
            tag_status: status,
            order_id: 1,
            shipped_at: NOW.into(),
            received_at: None,
            used_at: None,
            voided_at: None,
            active: true,
            last_modified: NOW.into(),
        }
    }

    fn item(name: &str, category: &str) -> Item {
        Item {
            id: 1,
            license_number: "L-1".into(),
            name: name.into(),
            category: category.into(),
            unit_of_measure: "Grams".into(),
            active: true,
            ..Default::default()
        }
    }

    fn package(id: i64, seq: u32, qty: i64) -> Package {
        Package {
            id,
            license_number: "L-1".into(),
            label: TagLabel::issue(9, seq),
            package_type: "Product".into(),
            item_id: 1,
            item_name: "Distillate".into(),
            item_category: "Concentrate".into(),
            item_strain_name: None,
            quantity: Decimal::new(qty, 0),
            unit_of_measure: "Grams".into(),
            original_quantity: Decimal::new(qty, 0),
            location_id: Some(1),
            location_name: Some("Vault".into()),
            sublocation_id: None,
            sublocation_name: None,
            note: None,
            packaged_date: "2026-05-01".into(),
            packaged_by_license: "L-1".into(),
            packaged_by_name: "Distro".into(),
            source_package_ids: vec![],
            source_package_labels: vec![],
            production_batch_number: None,
            is_production_batch: false,
            is_testing_sample: false,
            is_trade_sample: false,
            is_donation: false,
            is_finished_good: false,
            product_requires_remediation: false,
            initial_lab_testing_state: LabState::TestPassed,
            lab_testing_state: LabState::TestPassed,
            lab_testing_state_date: "2026-05-01".into(),
            remediation_count: 0,
            remediation_date: None,
            decontamination_date: None,
            on_hold: false,
            hold_reason: None,
            state: PackageState::Active,
            finished_date: None,
            expiration_date: None,
            sell_by_date: None,
            use_by_date: None,
            external_id: None,
            archived_date: None,
            lab_license: None,
            received: None,
            source_harvests: vec![],
            active: true,
            last_modified: NOW.into(),
        }
    }

    fn world(tag_status: TagStatus) -> CreateWorld {
        let src = package(7, 1, 100);
        let mut w = CreateWorld::default();
        let t = tag(5, tag_status);
        w.tags.insert(t.label.to_string(), t);
        w.items
            .insert("distillate".into(), item("Distillate", "Concentrate"));
        w.items
            .insert("gummies".into(), item("Gummies", "Edible (Each)"));
        w.locations.insert(
            "vault".into(),
            Location {
                id: 1,
                license_number: "L-1".into(),
                name: "Vault".into(),
                location_type_id: 1,
                location_type_name: "Default".into(),
                active: true,
                last_modified: NOW.into(),
            },
        );
        w.sources.insert(src.label.to_string(), src);
        w
    }

    fn spec(qty: i64, take: i64, unit: &str) -> NewPackage {
        NewPackage {
            tag: Some(TagLabel::issue(1, 5).to_string()),
            location: Some("Vault".into()),
            item: Some("Distillate".into()),
            quantity: Some(Decimal::new(qty, 0)),
            unit_of_measure: Some("Grams".into()),
            ingredients: vec![Ingredient {
                package: Some(TagLabel::issue(9, 1).to_string()),
                quantity: Some(Decimal::new(take, 0)),
                unit_of_measure: Some(unit.into()),
            }],
            ..Default::default()
        }
    }

    fn rows(r: Result<Created, Rejection>) -> Vec<String> {
        match r {
            Err(Rejection::Rows(rows)) => rows.into_iter().map(|r| r.message).collect(),
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    const IDS: NextIds = NextIds {
        package: 10,
        link: 1,
    };

    #[test]
    fn create_draws_on_the_source_and_records_lineage_and_packaged_by() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: NOW.into(),
        };
        let c = create_packages(
            &ctx,
            &world(TagStatus::Received),
            &[spec(10, 10, "Grams")],
            Mode::Regular,
            IDS,
        )
        .unwrap();
        assert_eq!(c.packages[0].quantity, Decimal::TEN);
        assert_eq!(c.sources[0].quantity, Decimal::new(90, 0));
        assert_eq!(c.links[0].parent_id, 7);
        assert_eq!(c.packages[0].packaged_by_license, "L-1");
        assert_eq!(c.tags[0].tag_status, TagStatus::Used);
        // A repackage of one tested lot carries its state.
        assert_eq!(c.packages[0].lab_testing_state, LabState::TestPassed);
    }

    /// Rule 11: a tag whose receipt is not recorded cannot be used.
    #[test]
    fn rule_11_unreceived_tag() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: NOW.into(),
        };
        let msgs = rows(create_packages(
            &ctx,
            &world(TagStatus::Shipped),
            &[spec(10, 10, "Grams")],
            Mode::Regular,
            IDS,
        ));
        assert!(msgs[0].contains("is not available"), "{msgs:?}");
    }

    /// Rule 13: a tag is used once.
    #[test]
    fn rule_13_tag_used_once() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: NOW.into(),
        };
        let msgs = rows(create_packages(
            &ctx,
            &world(TagStatus::Used),
            &[spec(10, 10, "Grams")],
            Mode::Regular,
            IDS,
        ));
        assert!(msgs[0].contains("already been used"), "{msgs:?}");
        let msgs = rows(create_packages(
            &ctx,
            &world(TagStatus::Received),
            &[spec(1, 1, "Grams"), spec(1, 1, "Grams")],
            Mode::Regular,
            IDS,
        ));
        assert!(msgs[0].contains("more than once"), "{msgs:?}");
    }

    /// Rule 23: every new package names a source package; only the operator's opening balance
    /// has none.
    #[test]
    fn rule_23_source_required() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: NOW.into(),
        };
        let mut s = spec(10, 10, "Grams");
        s.ingredients.clear();
        let msgs = rows(create_packages(
            &ctx,
            &world(TagStatus::Received),
            std::slice::from_ref(&s),
            Mode::Testing,
            IDS,
        ));
        assert!(msgs[0].contains("source package"), "{msgs:?}");
        let opened = create_packages(
            &ctx,
            &world(TagStatus::Received),
            &[s],
            Mode::Opening {
                lab_state: LabState::TestPassed,
            },
            IDS,
        )
        .unwrap();
        assert!(opened.packages[0].source_package_ids.is_empty());
        assert_eq!(opened.packages[0].lab_testing_state, LabState::TestPassed);
        assert!(opened.sources.is_empty());
    }

    /// Rule 28: a source never goes below zero, also across rows and units (kg → g).
    #[test]
    fn rule_28_sources_never_below_zero() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: NOW.into(),
        };
        let msgs = rows(create_packages(
            &ctx,
            &world(TagStatus::Received),
            &[spec(10, 1, "Kilograms")],
            Mode::Regular,
            IDS,
        ));
        assert!(msgs[0].contains("cannot be taken"), "{msgs:?}");
        let mut w = world(TagStatus::Received);
        let t = tag(6, TagStatus::Received);
        w.tags.insert(t.label.to_string(), t);
        let mut second = spec(60, 60, "Grams");
        second.tag = Some(TagLabel::issue(1, 6).to_string());
        let msgs = rows(create_packages(
            &ctx,
            &w,
            &[spec(60, 60, "Grams"), second],
            Mode::Regular,
            IDS,
        ));
        assert!(
            msgs[0].contains("has 40"),
            "the second row sees the first row's draw: {msgs:?}"
        );
    }

    /// Rule 28: two ingredients of one row on the same source draw in sum, not from a stale copy.
    #[test]
    fn rule_28_same_source_twice_in_one_row() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: NOW.into(),
        };
        let mut s = spec(12, 60, "Grams");
        s.ingredients.push(s.ingredients[0].clone());
        let msgs = rows(create_packages(
            &ctx,
            &world(TagStatus::Received),
            &[s],
            Mode::Regular,
            IDS,
        ));
        assert!(msgs[0].contains("has 40"), "{msgs:?}");
        let mut ok = spec(3, 1, "Grams");
        ok.ingredients.push(Ingredient {
            quantity: Some(Decimal::TWO),
            ..ok.ingredients[0].clone()
        });
        let c =
            create_packages(&ctx, &world(TagStatus::Received), &[ok], Mode::Regular, IDS).unwrap();
        assert_eq!(
            c.sources[0].quantity,
            Decimal::new(97, 0),
            "the source loses the sum"
        );
        assert_eq!(c.links.len(), 2);
    }

    /// Rule 29: the new package's unit fits its item.
    #[test]
    fn rule_29_unit_fits_item() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: NOW.into(),
        };
        let mut s = spec(10, 10, "Grams");
        s.item = Some("Gummies".into());
        let msgs = rows(create_packages(
            &ctx,
            &world(TagStatus::Received),
            &[s],
            Mode::Regular,
            IDS,
        ));
        assert!(msgs[0].contains("CountBased"), "{msgs:?}");
    }

    /// Rules 33 and 34: finished and held packages cannot be drawn on, adjusted or moved.
    #[test]
    fn rules_33_34_finished_and_held_packages_are_frozen() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: NOW.into(),
        };
        let mut w = world(TagStatus::Received);
        for p in w.sources.values_mut() {
            p.on_hold = true;
        }
        assert!(
            rows(create_packages(
                &ctx,
                &w,
                &[spec(1, 1, "Grams")],
                Mode::Regular,
                IDS
            ))[0]
                .contains("on hold")
        );
        let mut p = package(7, 1, 0);
        p.state = PackageState::Finished;
        let found: Found = [(p.label.to_string(), p.clone())].into();
        let adj = AdjustSpec {
            label: Some(p.label.to_string()),
            quantity: Some(Decimal::ONE),
            reason: Some("Scale Variance".into()),
            ..Default::default()
        };
        let Err(Rejection::Rows(r)) = adjust(&ctx, &found, &[adj], false, "ana", 1) else {
            panic!()
        };
        assert!(r[0].message.contains("unfinish it first"), "{r:?}");
        let back = unfinish(&ctx, &found, &[Some(p.label.to_string())]).unwrap();
        assert_eq!(back[0].state, PackageState::Active);
        assert!(back[0].active);
    }

    /// Rule 33: only an empty package can be finished.
    #[test]
    fn rule_33_finish_needs_zero() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: NOW.into(),
        };
        let p = package(7, 1, 5);
        let found: Found = [(p.label.to_string(), p.clone())].into();
        assert!(
            finish(
                &ctx,
                &found,
                &[FinishSpec {
                    label: Some(p.label.to_string()),
                    actual_date: None
                }]
            )
            .is_err()
        );
        let mut empty = p.clone();
        empty.quantity = Decimal::ZERO;
        let found: Found = [(empty.label.to_string(), empty.clone())].into();
        let done = finish(
            &ctx,
            &found,
            &[FinishSpec {
                label: Some(empty.label.to_string()),
                actual_date: None,
            }],
        )
        .unwrap();
        assert_eq!(done[0].list_status(), "Finished");
        assert!(!done[0].active);
    }

    /// Rule 28: reasons come from the list, some need a note, and the result is never negative.
    #[test]
    fn rule_28_adjustment_reasons() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: NOW.into(),
        };
        let p = package(7, 1, 5);
        let found: Found = [(p.label.to_string(), p.clone())].into();
        let mk = |q: i64, reason: &str, note: Option<&str>| AdjustSpec {
            label: Some(p.label.to_string()),
            quantity: Some(Decimal::new(q, 0)),
            unit_of_measure: Some("Grams".into()),
            reason: Some(reason.into()),
            note: note.map(str::to_string),
            ..Default::default()
        };
        assert!(
            adjust(
                &ctx,
                &found,
                &[mk(-1, "Typing/Entry Error", None)],
                false,
                "ana",
                1
            )
            .is_err()
        );
        assert!(adjust(&ctx, &found, &[mk(-1, "Whim", None)], false, "ana", 1).is_err());
        assert!(
            adjust(
                &ctx,
                &found,
                &[mk(-6, "Scale Variance", None)],
                false,
                "ana",
                1
            )
            .is_err()
        );
        let (pk, adj) = adjust(
            &ctx,
            &found,
            &[mk(-2, "Typing/Entry Error", Some("keyed 5 for 3"))],
            false,
            "ana",
            1,
        )
        .unwrap();
        assert_eq!(pk[0].quantity, Decimal::new(3, 0));
        assert_eq!(adj[0].quantity, Decimal::new(-2, 0));
        let (pk, adj) = adjust(
            &ctx,
            &found,
            &[mk(1, "Scale Variance", None)],
            true,
            "ana",
            1,
        )
        .unwrap();
        assert_eq!(
            (pk[0].quantity, adj[0].quantity),
            (Decimal::ONE, Decimal::new(-4, 0))
        );
    }

    /// §2.5: a failed package is remediated at most twice.
    #[test]
    fn remediation_at_most_twice() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: NOW.into(),
        };
        let mut p = package(7, 1, 5);
        p.lab_testing_state = LabState::TestFailed;
        p.remediation_count = 2;
        let found: Found = [(p.label.to_string(), p.clone())].into();
        let spec = TreatmentSpec {
            label: Some(p.label.to_string()),
            method: Some("Re-extraction".to_string()),
            date: None,
        };
        assert!(remediate(&ctx, &found, std::slice::from_ref(&spec)).is_err());
        p.remediation_count = 1;
        let found: Found = [(p.label.to_string(), p.clone())].into();
        let done = remediate(&ctx, &found, &[spec]).unwrap();
        assert_eq!(
            (done[0].lab_testing_state.name(), done[0].remediation_count),
            ("Remediated", 2)
        );
    }
}
