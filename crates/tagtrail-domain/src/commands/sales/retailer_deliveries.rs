//! Retailer (route) deliveries: California's delivery inventory ledger (rule 65, §15049.3;
//! `POST/PUT /sales/v2/deliveries/retailer`, `DELETE …/{id}`, `…/depart`, `…/restock`,
//! `…/sale`, `…/end`).
//!
//! How quantities move: loading a package onto a route takes the loaded quantity out of the
//! package (checked as a sale line is: rules 49, 63, bulletin III), because the product is in the
//! van and a receipt at the counter must not sell it again. The route keeps, per package, what
//! was loaded and what was sold. A sale from the route takes from what is left in the van, never
//! from the package. Ending the route gives each package its `EndQuantity` back; what neither
//! came back nor was sold is named in a warning (a loss to account for). Voiding (before
//! departure) and removing a package in a restock give back what is left.
//!
//! State machine (every transition a function here): create → `Pending`; `Pending` → update,
//! void (`Voided`), depart (`InTransit`); `Pending`/`InTransit` → restock; `InTransit` → sale,
//! end (`Ended`). A sale needs a route `InTransit` ("Delivery requires an active delivery
//! inventory ledger").

use super::deliveries::{
    CourierSpec, RecipientSpec, blank, bounded, courier, customer_type, planned, recipient, when,
};
use super::lines::{SaleLineSpec, Stock};
use crate::Rejection;
use crate::commands::packages::Found;
use crate::commands::{Ctx, optional};
use crate::error::RowErrors;
use crate::records::{
    Package, PlannedLine, PlannedStop, RetailerDelivery, RetailerDeliveryState, RoutePackage,
    SaleLine, SaleLineExtras, SalesDelivery, SalesDeliveryState,
};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Rule 65's refusal of a sale without a departed, not ended route.
pub const NO_ACTIVE_LEDGER: &str = "Delivery requires an active delivery inventory ledger";

/// A package loaded onto a route (`Packages[]` of create, update and restock).
#[derive(Debug, Clone, Default)]
pub struct LoadSpec {
    pub package_label: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_of_measure: Option<String>,
    pub total_price: Option<Decimal>,
    /// Restock only: take the package off the route (what is left goes back).
    pub remove_current: bool,
}

/// A pre-ordered stop (`Destinations[]`).
#[derive(Debug, Clone, Default)]
pub struct StopSpec {
    pub sales_customer_type: Option<String>,
    pub patient_license_number: Option<String>,
    pub consumer_id: Option<String>,
    pub recipient: RecipientSpec,
    pub estimated_arrival: Option<String>,
    pub lines: Vec<SaleLineSpec>,
}

/// One element of `POST`/`PUT /sales/v2/deliveries/retailer`.
#[derive(Debug, Clone, Default)]
pub struct RouteSpec {
    pub id: Option<i64>,
    /// The ledger's start time (`DateTime`).
    pub date_time: Option<String>,
    pub courier: CourierSpec,
    pub estimated_departure: Option<String>,
    pub stops: Vec<StopSpec>,
    pub packages: Vec<LoadSpec>,
}

/// What the route decisions need: the routes addressed, the packages named (loaded, sold or
/// returned), and the next free ids (routes; sales deliveries for a sale).
#[derive(Debug, Clone, Default)]
pub struct RouteWorld {
    pub routes: HashMap<i64, RetailerDelivery>,
    pub packages: Found,
    pub next_id: i64,
}

/// What a route decision writes.
#[derive(Debug, Clone, Default)]
pub struct RouteWritten {
    pub routes: Vec<RetailerDelivery>,
    pub packages: Vec<Package>,
    pub sales: Vec<SalesDelivery>,
    pub warnings: Vec<String>,
}

fn number(id: i64) -> String {
    format!("{id:010}")
}

fn rows(errors: &mut Vec<crate::RowError>, row: usize, problems: Vec<String>) {
    errors.extend(problems.into_iter().map(|m| crate::RowError::new(row, m)));
}

fn finish(mut errors: Vec<crate::RowError>) -> Result<(), Rejection> {
    if errors.is_empty() {
        Ok(())
    } else {
        errors.sort_by_key(|e| e.row);
        Err(Rejection::Rows(errors))
    }
}

/// Loads `specs` onto `route` (adding to a package already on it), taking the quantities out of
/// the packages. Rule 65: the ledger lists UIDs and quantities, so a load names both.
fn load(
    ctx: &Ctx,
    stock: &mut Stock,
    route: &mut RetailerDelivery,
    specs: &[LoadSpec],
) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    for s in specs.iter().filter(|s| !s.remove_current) {
        if s.total_price.is_some_and(|p| p < Decimal::ZERO) {
            problems.push("TotalPrice cannot be negative.".into());
        }
        lines.push(SaleLineSpec {
            package_label: s.package_label.clone(),
            quantity: s.quantity,
            unit_of_measure: s.unit_of_measure.clone(),
            total_amount: Some(s.total_price.unwrap_or_default().max(Decimal::ZERO)),
            extras: SaleLineExtras::default(),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if lines.is_empty() {
        // A restock that only takes packages off the route loads nothing.
        return Ok(());
    }
    let taken = stock.take(ctx, &lines).map_err(|p| {
        p.into_iter()
            .map(|p| format!("Packages[{}]: {}", p.line, p.message))
            .collect::<Vec<_>>()
    })?;
    for (line, spec) in taken
        .into_iter()
        .zip(specs.iter().filter(|s| !s.remove_current))
    {
        let key = line.package_label.to_ascii_uppercase();
        match route
            .packages
            .iter_mut()
            .find(|p| !p.removed && p.package_label.to_ascii_uppercase() == key)
        {
            Some(p) => {
                p.loaded += line.quantity;
                p.total_price = match (p.total_price, spec.total_price) {
                    (a, None) => a,
                    (None, b) => b,
                    (Some(a), Some(b)) => Some(a + b),
                };
            }
            None => route.packages.push(RoutePackage {
                package_id: line.package_id,
                package_label: line.package_label,
                item_name: line.item_name,
                item_category: line.item_category,
                item_strain_name: line.item_strain_name,
                unit_of_measure: line.unit_of_measure,
                loaded: line.quantity,
                sold: Decimal::ZERO,
                total_price: spec.total_price,
                end_quantity: None,
                removed: false,
                loaded_at: ctx.now.clone(),
            }),
        }
    }
    Ok(())
}

/// What is left on the route of each package, as sale lines to give back.
fn leftovers(route: &RetailerDelivery) -> Vec<SaleLine> {
    route
        .packages
        .iter()
        .filter(|p| p.remaining() > Decimal::ZERO)
        .map(|p| line_of(p, p.remaining(), Decimal::ZERO))
        .collect()
}

fn line_of(p: &RoutePackage, quantity: Decimal, amount: Decimal) -> SaleLine {
    SaleLine {
        package_id: p.package_id,
        package_label: p.package_label.clone(),
        item_name: p.item_name.clone(),
        item_category: p.item_category.clone(),
        item_strain_name: p.item_strain_name.clone(),
        quantity,
        unit_of_measure: p.unit_of_measure.clone(),
        total_amount: amount,
        extras: SaleLineExtras::default(),
    }
}

/// Checks the pre-ordered stops: each names a customer type and a city, county and ZIP, and
/// orders only packages on the route, no more than is loaded (rule 65's pre-ordered UIDs).
fn stops(route: &RetailerDelivery, specs: &[StopSpec]) -> Result<Vec<PlannedStop>, Vec<String>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut ordered: HashMap<String, Decimal> = HashMap::new();
    for (i, s) in specs.iter().enumerate() {
        let at = |m: String| format!("Destinations[{i}]: {m}");
        let ct = customer_type(&s.sales_customer_type).map_err(|e| problems.push(at(e)));
        let r = recipient(&s.recipient).map_err(|e| problems.extend(e.into_iter().map(at)));
        let patient = bounded(&s.patient_license_number, "PatientLicenseNumber")
            .map_err(|e| problems.push(at(e)));
        let consumer = bounded(&s.consumer_id, "ConsumerId").map_err(|e| problems.push(at(e)));
        let eta = planned(&s.estimated_arrival, "EstimatedArrivalDateTime")
            .map_err(|e| problems.push(at(e)));
        let mut lines = Vec::new();
        for l in &s.lines {
            let Some(label) = optional(&l.package_label) else {
                problems.push(at("PackageLabel was not specified.".into()));
                continue;
            };
            let Some(p) = on_route(route, &label) else {
                problems.push(at(format!("Package {label} is not on the delivery.")));
                continue;
            };
            let q = l.quantity.unwrap_or_default();
            let sum = ordered.entry(p.package_label.clone()).or_default();
            *sum += q;
            if q <= Decimal::ZERO || *sum > p.loaded {
                problems.push(at(format!(
                    "Package {label}: {q} {} cannot be pre-ordered; {} is loaded.",
                    p.unit_of_measure, p.loaded
                )));
                continue;
            }
            lines.push(PlannedLine {
                package_label: p.package_label.clone(),
                quantity: q,
                unit_of_measure: p.unit_of_measure.clone(),
                total_amount: l.total_amount,
            });
        }
        if let (Ok(ct), Ok(r), Ok(patient), Ok(consumer), Ok(eta)) = (ct, r, patient, consumer, eta)
        {
            out.push(PlannedStop {
                sales_customer_type: ct,
                patient_license_number: patient,
                consumer_id: consumer,
                recipient: r,
                estimated_arrival: eta,
                lines,
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn on_route<'a>(route: &'a RetailerDelivery, label: &str) -> Option<&'a RoutePackage> {
    route
        .packages
        .iter()
        .find(|p| !p.removed && p.package_label.eq_ignore_ascii_case(label.trim()))
}

/// Fills a route's ledger fields from a spec: start time, courier, departure, packages, stops.
/// Rule 65: none of driver, vehicle, UIDs with quantities, or start time may be missing.
fn fill(
    ctx: &Ctx,
    stock: &mut Stock,
    route: &mut RetailerDelivery,
    s: &RouteSpec,
) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    match when(&s.date_time, "DateTime", &ctx.now) {
        Ok(t) => route.date_time = t,
        Err(e) => problems.push(e),
    }
    match courier(&s.courier) {
        Ok(c) => route.courier = c,
        Err(e) => problems.extend(e),
    }
    match planned(&s.estimated_departure, "EstimatedDepartureDateTime") {
        Ok(t) => route.estimated_departure = t,
        Err(e) => problems.push(e),
    }
    if s.packages.iter().all(|p| p.remove_current) {
        problems.push("Packages were not specified: the delivery inventory ledger lists every UID and its quantity.".into());
    } else if s.packages.iter().any(|p| p.remove_current) {
        problems.push("RemoveCurrentPackage is for restocks only.".into());
    } else if let Err(e) = load(ctx, stock, route, &s.packages) {
        problems.extend(e);
    }
    if problems.is_empty() {
        match stops(route, &s.stops) {
            Ok(st) => route.planned_stops = st,
            Err(e) => problems.extend(e),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// `POST /sales/v2/deliveries/retailer`: opens delivery inventory ledgers (rule 65), loading
/// their packages. All or nothing.
pub fn create(
    ctx: &Ctx,
    by: &str,
    world: &RouteWorld,
    specs: &[RouteSpec],
) -> Result<RouteWritten, Rejection> {
    let mut stock = Stock::new(ctx, &world.packages);
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (row, s) in specs.iter().enumerate() {
        let id = world.next_id + out.len() as i64;
        let mut route = RetailerDelivery {
            id,
            license_number: ctx.facility.license_number.clone(),
            retailer_delivery_number: number(id),
            date_time: ctx.now.clone(),
            courier: Default::default(),
            estimated_departure: None,
            actual_departure: None,
            restock_date_time: None,
            actual_arrival: None,
            packages: vec![],
            planned_stops: vec![],
            sales: vec![],
            total_price_sold: Decimal::ZERO,
            leg: 1,
            state: RetailerDeliveryState::Pending,
            completed_date_time: None,
            voided_date: None,
            recorded_date_time: ctx.now.clone(),
            recorded_by_user_name: by.to_string(),
            active: true,
            last_modified: ctx.now.clone(),
        };
        match fill(ctx, &mut stock, &mut route, s) {
            Ok(()) => out.push(route),
            Err(p) => rows(&mut errors, row, p),
        }
    }
    finish(errors)?;
    Ok(RouteWritten {
        routes: out,
        packages: stock.changed(),
        ..Default::default()
    })
}

/// The facility's route `id`, or why not (404 for none, 409 for a state not in `states`).
fn route_in<'a>(
    ctx: &Ctx,
    world: &'a RouteWorld,
    id: Option<i64>,
    states: &[RetailerDeliveryState],
    what: &str,
) -> Result<&'a RetailerDelivery, Rejection> {
    let id =
        id.ok_or_else(|| Rejection::Invalid("RetailerDeliveryId was not specified.".into()))?;
    let r = world
        .routes
        .get(&id)
        .filter(|r| r.license_number == ctx.facility.license_number)
        .ok_or_else(|| {
            Rejection::NotFound(format!(
                "Retailer delivery {id} does not exist in the current Facility."
            ))
        })?;
    if !states.contains(&r.state) {
        return Err(Rejection::Conflict(format!(
            "Retailer delivery {id} is {}; it cannot be {what}.",
            r.state.as_str()
        )));
    }
    Ok(r)
}

/// `PUT /sales/v2/deliveries/retailer`: before departure a ledger is rewritten: what was loaded
/// goes back to the packages, then the new load is taken.
pub fn update(
    ctx: &Ctx,
    world: &RouteWorld,
    specs: &[RouteSpec],
) -> Result<RouteWritten, Rejection> {
    crate::commands::require_ids(specs.iter().map(|s| s.id))?;
    let mut stock = Stock::new(ctx, &world.packages);
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (row, s) in specs.iter().enumerate() {
        let old = route_in(
            ctx,
            world,
            s.id,
            &[RetailerDeliveryState::Pending],
            "edited after departure",
        )?;
        if let Err(p) = stock.give_back(ctx, &leftovers(old)) {
            errors.extend(p.into_iter().map(|p| p.at_row(row)));
            continue;
        }
        let mut route = old.clone();
        route.packages.clear();
        route.planned_stops.clear();
        match fill(ctx, &mut stock, &mut route, s) {
            Ok(()) => {
                route.last_modified = ctx.now.clone();
                out.push(route);
            }
            Err(p) => rows(&mut errors, row, p),
        }
    }
    finish(errors)?;
    Ok(RouteWritten {
        routes: out,
        packages: stock.changed(),
        ..Default::default()
    })
}

/// `DELETE /sales/v2/deliveries/retailer/{id}`: a ledger not yet departed is voided and its
/// packages get their loaded quantities back.
pub fn void(ctx: &Ctx, world: &RouteWorld, id: i64) -> Result<RouteWritten, Rejection> {
    let r = route_in(
        ctx,
        world,
        Some(id),
        &[RetailerDeliveryState::Pending],
        "voided after departure",
    )?;
    let mut stock = Stock::new(ctx, &world.packages);
    stock
        .give_back(ctx, &leftovers(r))
        .map_err(|p| Rejection::Rows(p.into_iter().map(|p| p.at_row(0)).collect()))?;
    let mut r = r.clone();
    r.state = RetailerDeliveryState::Voided;
    r.voided_date = Some(ctx.now.get(..10).unwrap_or(&ctx.now).to_string());
    r.active = false;
    r.last_modified = ctx.now.clone();
    Ok(RouteWritten {
        routes: vec![r],
        packages: stock.changed(),
        ..Default::default()
    })
}

/// `POST /sales/v2/deliveries/retailer/depart`: the driver leaves; the ledger is now active.
pub fn depart(
    ctx: &Ctx,
    world: &RouteWorld,
    ids: &[Option<i64>],
) -> Result<RouteWritten, Rejection> {
    crate::commands::require_ids(ids.iter().copied())?;
    let mut out = Vec::new();
    for id in ids {
        let mut r = route_in(
            ctx,
            world,
            *id,
            &[RetailerDeliveryState::Pending],
            "departed again",
        )?
        .clone();
        r.state = RetailerDeliveryState::InTransit;
        r.actual_departure = Some(ctx.now.clone());
        r.last_modified = ctx.now.clone();
        out.push(r);
    }
    Ok(RouteWritten {
        routes: out,
        ..Default::default()
    })
}

/// One element of `POST /sales/v2/deliveries/retailer/restock`.
#[derive(Debug, Clone, Default)]
pub struct RestockSpec {
    pub id: Option<i64>,
    pub date_time: Option<String>,
    pub estimated_departure: Option<String>,
    pub packages: Vec<LoadSpec>,
}

/// Restocks a route (before or after departure): packages marked `RemoveCurrentPackage` come off
/// (what is left goes back to them), the others are loaded or topped up. Each restock is a leg.
pub fn restock(
    ctx: &Ctx,
    world: &RouteWorld,
    specs: &[RestockSpec],
) -> Result<RouteWritten, Rejection> {
    crate::commands::require_ids(specs.iter().map(|s| s.id))?;
    let mut stock = Stock::new(ctx, &world.packages);
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let open = [
        RetailerDeliveryState::Pending,
        RetailerDeliveryState::InTransit,
    ];
    for (row, s) in specs.iter().enumerate() {
        let mut r = route_in(ctx, world, s.id, &open, "restocked")?.clone();
        let mut problems = Vec::new();
        let at = when(&s.date_time, "DateTime", &ctx.now).map_err(|e| problems.push(e));
        if let Ok(Some(t)) = planned(&s.estimated_departure, "EstimatedDepartureDateTime")
            .map_err(|e| problems.push(e))
        {
            r.estimated_departure = Some(t);
        }
        if s.packages.is_empty() {
            problems.push("Packages were not specified.".into());
        }
        let mut back = Vec::new();
        for l in s.packages.iter().filter(|l| l.remove_current) {
            let label = optional(&l.package_label).unwrap_or_default();
            match r
                .packages
                .iter_mut()
                .find(|p| !p.removed && p.package_label.eq_ignore_ascii_case(&label))
            {
                Some(p) => {
                    back.push(line_of(p, p.remaining(), Decimal::ZERO));
                    p.removed = true;
                }
                None => problems.push(format!("Package {label} is not on the delivery.")),
            }
        }
        back.retain(|l| l.quantity > Decimal::ZERO);
        if problems.is_empty()
            && let Err(p) = stock.give_back(ctx, &back)
        {
            problems.extend(p.into_iter().map(|p| p.message));
        }
        if problems.is_empty()
            && let Err(p) = load(ctx, &mut stock, &mut r, &s.packages)
        {
            problems.extend(p);
        }
        match at {
            Ok(t) if problems.is_empty() => {
                r.restock_date_time = Some(t);
                r.leg += 1;
                r.last_modified = ctx.now.clone();
                out.push(r);
            }
            _ => rows(&mut errors, row, problems),
        }
    }
    finish(errors)?;
    Ok(RouteWritten {
        routes: out,
        packages: stock.changed(),
        ..Default::default()
    })
}

/// One returned package of `POST /sales/v2/deliveries/retailer/end`.
#[derive(Debug, Clone, Default)]
pub struct EndLine {
    pub label: Option<String>,
    pub end_quantity: Option<Decimal>,
    pub end_unit_of_measure: Option<String>,
}

/// One element of `POST /sales/v2/deliveries/retailer/end`.
#[derive(Debug, Clone, Default)]
pub struct EndSpec {
    pub id: Option<i64>,
    pub actual_arrival: Option<String>,
    pub packages: Vec<EndLine>,
}

/// Ends routes in transit: each package still on the route names what came back
/// (`EndQuantity`, no more than is left of it), which goes back to the package. What neither
/// came back nor was sold is answered as a warning.
pub fn end(ctx: &Ctx, world: &RouteWorld, specs: &[EndSpec]) -> Result<RouteWritten, Rejection> {
    crate::commands::require_ids(specs.iter().map(|s| s.id))?;
    let mut stock = Stock::new(ctx, &world.packages);
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for (row, s) in specs.iter().enumerate() {
        let mut r = route_in(
            ctx,
            world,
            s.id,
            &[RetailerDeliveryState::InTransit],
            "ended",
        )?
        .clone();
        let mut problems = Vec::new();
        let arrival = when(&s.actual_arrival, "ActualArrivalDateTime", &ctx.now)
            .map_err(|e| problems.push(e));
        let mut back = Vec::new();
        let mut named: HashMap<String, usize> = HashMap::new();
        for l in &s.packages {
            let label = optional(&l.label).unwrap_or_default();
            *named.entry(label.to_ascii_uppercase()).or_default() += 1;
            let Some(p) = r
                .packages
                .iter_mut()
                .find(|p| !p.removed && p.package_label.eq_ignore_ascii_case(&label))
            else {
                problems.push(format!("Package {label} is not on the delivery."));
                continue;
            };
            if let Some(u) = optional(&l.end_unit_of_measure)
                && !u.eq_ignore_ascii_case(&p.unit_of_measure)
            {
                problems.push(format!(
                    "EndUnitOfMeasure {u} does not match package {label}'s {}.",
                    p.unit_of_measure
                ));
                continue;
            }
            let left = p.remaining();
            match l.end_quantity {
                None => problems.push(format!("Package {label}: EndQuantity was not specified.")),
                Some(q) if q < Decimal::ZERO => {
                    problems.push(format!("Package {label}: EndQuantity cannot be negative."))
                }
                Some(q) if q > left => problems.push(format!(
                    "Package {label}: EndQuantity {q} is more than the {left} {} left on the delivery.",
                    p.unit_of_measure
                )),
                Some(q) => {
                    if q < left {
                        warnings.push(format!(
                            "Retailer delivery {}: {} {} of package {} neither sold nor returned.",
                            r.id,
                            left - q,
                            p.unit_of_measure,
                            p.package_label
                        ));
                    }
                    if q > Decimal::ZERO {
                        back.push(line_of(p, q, Decimal::ZERO));
                    }
                    p.end_quantity = Some(q);
                }
            }
        }
        for p in r.packages.iter().filter(|p| !p.removed) {
            match named.get(&p.package_label.to_ascii_uppercase()) {
                None => problems.push(format!(
                    "Package {}: EndQuantity was not specified.",
                    p.package_label
                )),
                Some(n) if *n > 1 => problems.push(format!(
                    "Package {} is named more than once.",
                    p.package_label
                )),
                _ => {}
            }
        }
        if problems.is_empty()
            && let Err(p) = stock.give_back(ctx, &back)
        {
            problems.extend(p.into_iter().map(|p| p.message));
        }
        match arrival {
            Ok(t) if problems.is_empty() => {
                r.actual_arrival = Some(t);
                r.state = RetailerDeliveryState::Ended;
                r.completed_date_time = Some(ctx.now.clone());
                r.active = false;
                r.last_modified = ctx.now.clone();
                out.push(r);
            }
            _ => rows(&mut errors, row, problems),
        }
    }
    finish(errors)?;
    Ok(RouteWritten {
        routes: out,
        packages: stock.changed(),
        warnings,
        ..Default::default()
    })
}

/// One element of `POST /sales/v2/deliveries/retailer/sale`.
#[derive(Debug, Clone, Default)]
pub struct RouteSaleSpec {
    pub retailer_delivery_id: Option<i64>,
    pub sales_date_time: Option<String>,
    pub sales_customer_type: Option<String>,
    pub patient_license_number: Option<String>,
    pub consumer_id: Option<String>,
    pub phone_number_for_questions: Option<String>,
    pub recipient: RecipientSpec,
    pub planned_route: Option<String>,
    pub lines: Vec<SaleLineSpec>,
}

/// Checks one sale line against the route (working copy): on the route, in its unit, no more
/// than is left in the van; the package not held and in a passing lab state (rules 34, 49).
fn sell_line(
    route: &mut RetailerDelivery,
    packages: &Found,
    l: &SaleLineSpec,
) -> Result<SaleLine, String> {
    let label = optional(&l.package_label).ok_or("PackageLabel was not specified.")?;
    let p = route
        .packages
        .iter_mut()
        .find(|p| !p.removed && p.package_label.eq_ignore_ascii_case(&label))
        .ok_or_else(|| {
            format!(
                "Package {label} is not on the delivery; only packages on it can be sold from it."
            )
        })?;
    if let Some(pkg) = packages
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(&label))
        .map(|(_, v)| v)
    {
        if pkg.on_hold {
            return Err(format!("Package {label} is on hold and cannot be sold."));
        }
        if !pkg.lab_testing_state.passing() {
            return Err(format!(
                "Package {label} is {}; only a package that passed testing can be sold.",
                pkg.lab_testing_state
            ));
        }
    }
    let unit = optional(&l.unit_of_measure).ok_or("UnitOfMeasure was not specified.")?;
    if !unit.eq_ignore_ascii_case(&p.unit_of_measure) {
        return Err(format!(
            "UnitOfMeasure {unit} does not match package {label}'s {}.",
            p.unit_of_measure
        ));
    }
    let q = l.quantity.ok_or("Quantity was not specified.")?;
    if q <= Decimal::ZERO {
        return Err("Quantity must be greater than zero.".into());
    }
    let amount = l.total_amount.ok_or("TotalAmount was not specified.")?;
    if amount < Decimal::ZERO {
        return Err("TotalAmount cannot be negative.".into());
    }
    let left = p.remaining();
    if q > left {
        return Err(format!(
            "Package {label} has {left} {} left on the delivery; {q} cannot be sold from it.",
            p.unit_of_measure
        ));
    }
    p.sold += q;
    Ok(SaleLine {
        extras: l.extras.clone(),
        ..line_of(p, q, amount)
    })
}

/// `POST /sales/v2/deliveries/retailer/sale` (rule 65): a sale from a route in transit, only of
/// packages on it and no more than is left; it is recorded as a completed sales delivery with
/// its time, customer type, lines, and the recipient's city, county and ZIP.
pub fn sell(
    ctx: &Ctx,
    by: &str,
    world: &RouteWorld,
    next_sale_id: i64,
    specs: &[RouteSaleSpec],
) -> Result<RouteWritten, Rejection> {
    let mut routes: HashMap<i64, RetailerDelivery> = HashMap::new();
    let mut errors = RowErrors::default();
    let mut sales = Vec::new();
    for (row, s) in specs.iter().enumerate() {
        let route = s.retailer_delivery_id.and_then(|id| {
            routes
                .get(&id)
                .or_else(|| world.routes.get(&id))
                .filter(|r| r.license_number == ctx.facility.license_number)
                .cloned()
        });
        let Some(mut route) = route.filter(|r| r.state == RetailerDeliveryState::InTransit) else {
            errors.push(row, format!("{NO_ACTIVE_LEDGER}."));
            continue;
        };
        let mut problems = Vec::new();
        let at = when(&s.sales_date_time, "SalesDateTime", &ctx.now).map_err(|e| problems.push(e));
        let ct = customer_type(&s.sales_customer_type).map_err(|e| problems.push(e));
        let rc = recipient(&s.recipient).map_err(|e| problems.extend(e));
        let mut opt = |v: &Option<String>, f: &str| {
            bounded(v, f).map_err(|e| problems.push(e)).ok().flatten()
        };
        let patient = opt(&s.patient_license_number, "PatientLicenseNumber");
        let consumer = opt(&s.consumer_id, "ConsumerId");
        let phone = opt(&s.phone_number_for_questions, "PhoneNumberForQuestions");
        let planned_route = opt(&s.planned_route, "PlannedRoute");
        let mut lines = Vec::new();
        if s.lines.is_empty() {
            problems.push("Transactions were not specified.".into());
        }
        for (i, l) in s.lines.iter().enumerate() {
            match sell_line(&mut route, &world.packages, l) {
                Ok(line) => lines.push(line),
                Err(m) => problems.push(format!("Transactions[{i}]: {m}")),
            }
        }
        let (Ok(at), Ok(ct), Ok(rc)) = (at, ct, rc) else {
            for p in problems {
                errors.push(row, p);
            }
            continue;
        };
        if !problems.is_empty() {
            for p in problems {
                errors.push(row, p);
            }
            continue;
        }
        let mut d = blank(ctx, by, next_sale_id + sales.len() as i64);
        d.retailer_delivery_id = Some(route.id);
        d.sales_date_time = at.clone();
        d.sales_customer_type = ct;
        d.patient_license_number = patient;
        d.consumer_id = consumer;
        d.courier = route.courier.clone();
        if phone.is_some() {
            d.courier.phone_number_for_questions = phone;
        }
        d.recipient = rc;
        d.planned_route = planned_route;
        d.actual_departure = route.actual_departure.clone();
        d.actual_arrival = Some(at);
        d.transactions = lines;
        d.accepted_packages = d
            .transactions
            .iter()
            .map(|l| l.package_label.clone())
            .collect();
        d.accepted_packages.dedup();
        d.state = SalesDeliveryState::Delivered;
        d.completed_date_time = Some(ctx.now.clone());
        d.active = false;
        route.sales.push(d.id);
        route.total_price_sold += d.total_price();
        route.last_modified = ctx.now.clone();
        routes.insert(route.id, route);
        sales.push(d);
    }
    errors.into_result()?;
    let mut routes: Vec<RetailerDelivery> = routes.into_values().collect();
    routes.sort_by_key(|r| r.id);
    Ok(RouteWritten {
        routes,
        sales,
        ..Default::default()
    })
}

#[cfg(test)]
#[path = "retailer_deliveries_tests.rs"]
mod tests;
