//! Sales deliveries (`POST/PUT /sales/v2/deliveries`, `DELETE …/{id}`, `PUT …/complete` and the
//! hub steps): one delivery to one customer, and the parts of a delivery rule 65 names that the
//! retailer deliveries (`retailer_deliveries.rs`) share with it: the courier and the recipient.
//!
//! State machine (every transition a function here):
//! - record → `InTransit` (lines taken from the packages by [`lines::Stock`], rules 49, 63,
//!   bulletin III);
//! - `InTransit` → update → `InTransit` (the old lines go back, the new ones are taken);
//! - `InTransit` → void → `Voided` (every line goes back);
//! - `InTransit` → complete → `Delivered` (every package accepted or returned; returned
//!   quantities go back to their packages);
//! - anything but `InTransit` → 409.

use super::lines::{LineProblem, SaleLineSpec, Stock};
use crate::Rejection;
use crate::commands::packages::Found;
use crate::commands::{Ctx, MAX_NAME_CHARS, optional, required};
use crate::error::RowErrors;
use crate::records::{
    Courier, CustomerType, Package, Recipient, ReturnedPackage, SaleLine, SalesDelivery,
    SalesDeliveryState,
};
use crate::time;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// The courier fields of a request (rule 65: driver name, ID and licence; the vehicle).
#[derive(Debug, Clone, Default)]
pub struct CourierSpec {
    pub driver_employee_id: Option<String>,
    pub driver_name: Option<String>,
    pub drivers_license_number: Option<String>,
    pub phone_number_for_questions: Option<String>,
    pub vehicle_make: Option<String>,
    pub vehicle_model: Option<String>,
    pub vehicle_license_plate_number: Option<String>,
}

/// The recipient fields of a request (rule 65: city, county and ZIP).
#[derive(Debug, Clone, Default)]
pub struct RecipientSpec {
    pub name: Option<String>,
    pub street1: Option<String>,
    pub street2: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub zone_id: Option<String>,
}

/// An optional text field, trimmed, refused when longer than [`MAX_NAME_CHARS`].
pub(crate) fn bounded(value: &Option<String>, field: &str) -> Result<Option<String>, String> {
    match optional(value) {
        Some(v) if v.chars().count() > MAX_NAME_CHARS => Err(format!(
            "{field} is longer than {MAX_NAME_CHARS} characters."
        )),
        v => Ok(v),
    }
}

/// Rule 65: the driver (name, employee ID, driver's licence) and the vehicle are required.
pub fn courier(spec: &CourierSpec) -> Result<Courier, Vec<String>> {
    let mut problems = Vec::new();
    let mut req = |v: &Option<String>, f: &str| {
        required(v, f)
            .map_err(|e| problems.push(e))
            .unwrap_or_default()
    };
    let c = Courier {
        driver_employee_id: req(&spec.driver_employee_id, "DriverEmployeeId"),
        driver_name: req(&spec.driver_name, "DriverName"),
        drivers_license_number: req(&spec.drivers_license_number, "DriversLicenseNumber"),
        phone_number_for_questions: None,
        vehicle_make: req(&spec.vehicle_make, "VehicleMake"),
        vehicle_model: req(&spec.vehicle_model, "VehicleModel"),
        vehicle_license_plate_number: req(
            &spec.vehicle_license_plate_number,
            "VehicleLicensePlateNumber",
        ),
    };
    let phone = bounded(&spec.phone_number_for_questions, "PhoneNumberForQuestions")
        .map_err(|e| problems.push(e))
        .unwrap_or_default();
    if problems.is_empty() {
        Ok(Courier {
            phone_number_for_questions: phone,
            ..c
        })
    } else {
        Err(problems)
    }
}

/// Rule 65: each delivery names the recipient's city, county and ZIP.
pub fn recipient(spec: &RecipientSpec) -> Result<Recipient, Vec<String>> {
    let mut problems = Vec::new();
    let mut req = |v: &Option<String>, f: &str| {
        required(v, f)
            .map_err(|e| problems.push(e))
            .unwrap_or_default()
    };
    let city = req(&spec.city, "RecipientAddressCity");
    let county = req(&spec.county, "RecipientAddressCounty");
    let postal_code = req(&spec.postal_code, "RecipientAddressPostalCode");
    let mut opt = |v: &Option<String>, f: &str| {
        bounded(v, f)
            .map_err(|e| problems.push(e))
            .unwrap_or_default()
    };
    let r = Recipient {
        name: opt(&spec.name, "RecipientName"),
        street1: opt(&spec.street1, "RecipientAddressStreet1"),
        street2: opt(&spec.street2, "RecipientAddressStreet2"),
        city,
        county,
        state: opt(&spec.state, "RecipientAddressState"),
        postal_code,
        zone_id: opt(&spec.zone_id, "RecipientZoneId"),
    };
    if problems.is_empty() {
        Ok(r)
    } else {
        Err(problems)
    }
}

/// A required facility-local date-time (`SalesDateTime`, `ActualArrivalDateTime`), as an
/// instant; not more than a day ahead of the ledger's clock (a local time read as UTC is at
/// most 14 hours off).
pub fn when(value: &Option<String>, field: &str, now: &str) -> Result<String, String> {
    let raw = optional(value).ok_or_else(|| format!("{field} was not specified."))?;
    let t = time::parse_instant(&raw)
        .ok_or_else(|| format!("{field} {raw} is not an ISO 8601 date-time."))?;
    let now = time::parse_instant(now).unwrap_or(t);
    if t > now + chrono::Duration::days(1) {
        return Err(format!("{field} {raw} is in the future."));
    }
    Ok(time::format(t))
}

/// An optional date-time kept as sent (estimated departure and arrival), bounded.
pub(crate) fn planned(value: &Option<String>, field: &str) -> Result<Option<String>, String> {
    match bounded(value, field)? {
        None => Ok(None),
        Some(v) => time::parse_instant(&v)
            .map(|t| Some(time::format(t)))
            .ok_or_else(|| format!("{field} {v} is not an ISO 8601 date-time.")),
    }
}

/// A required customer type (`GET /sales/v2/customertypes`).
pub fn customer_type(value: &Option<String>) -> Result<CustomerType, String> {
    let v = optional(value).ok_or("SalesCustomerType was not specified.")?;
    CustomerType::parse(&v).ok_or_else(|| format!("SalesCustomerType {v} is not a customer type."))
}

/// One sales delivery as `POST`/`PUT /sales/v2/deliveries` carries it.
#[derive(Debug, Clone, Default)]
pub struct DeliverySpec {
    pub id: Option<i64>,
    pub transporter_license_number: Option<String>,
    pub sales_date_time: Option<String>,
    pub sales_customer_type: Option<String>,
    pub patient_license_number: Option<String>,
    pub consumer_id: Option<String>,
    pub courier: CourierSpec,
    pub recipient: RecipientSpec,
    pub planned_route: Option<String>,
    pub estimated_departure: Option<String>,
    pub estimated_arrival: Option<String>,
    pub transactions: Vec<SaleLineSpec>,
}

/// What the sales-delivery decisions need: the packages the request's lines (and the edited
/// deliveries' lines) name, the deliveries it addresses, and the next free id.
#[derive(Debug, Clone, Default)]
pub struct DeliveryWorld {
    pub packages: Found,
    pub deliveries: HashMap<i64, SalesDelivery>,
    pub next_id: i64,
}

/// What a sales-delivery decision writes: the deliveries (answered with their ids) and the
/// packages whose quantities changed.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub deliveries: Vec<SalesDelivery>,
    pub packages: Vec<Package>,
}

fn push_all(errors: &mut RowErrors, row: usize, problems: Vec<String>) {
    for p in problems {
        errors.push(row, p);
    }
}

fn push_lines(errors: &mut Vec<crate::RowError>, row: usize, problems: Vec<LineProblem>) {
    errors.extend(problems.into_iter().map(|p| p.at_row(row)));
}

/// The fields of a delivery other than its lines, checked (every problem named).
struct Head {
    transporter: Option<String>,
    sales_date_time: String,
    customer_type: CustomerType,
    patient_license_number: Option<String>,
    consumer_id: Option<String>,
    courier: Courier,
    recipient: Recipient,
    planned_route: Option<String>,
    estimated_departure: Option<String>,
    estimated_arrival: Option<String>,
}

fn head(ctx: &Ctx, s: &DeliverySpec) -> Result<Head, Vec<String>> {
    let mut problems = Vec::new();
    let mut take = |r: Result<Option<String>, String>| r.map_err(|e| problems.push(e)).ok();
    let transporter = take(bounded(
        &s.transporter_license_number,
        "TransporterFacilityLicenseNumber",
    ))
    .flatten();
    let patient = take(bounded(&s.patient_license_number, "PatientLicenseNumber")).flatten();
    let consumer = take(bounded(&s.consumer_id, "ConsumerId")).flatten();
    let route = take(bounded(&s.planned_route, "PlannedRoute")).flatten();
    let dep = take(planned(
        &s.estimated_departure,
        "EstimatedDepartureDateTime",
    ))
    .flatten();
    let arr = take(planned(&s.estimated_arrival, "EstimatedArrivalDateTime")).flatten();
    let at = when(&s.sales_date_time, "SalesDateTime", &ctx.now).map_err(|e| problems.push(e));
    let ct = customer_type(&s.sales_customer_type).map_err(|e| problems.push(e));
    let courier = courier(&s.courier).map_err(|e| problems.extend(e));
    let recipient = recipient(&s.recipient).map_err(|e| problems.extend(e));
    match (at, ct, courier, recipient) {
        (Ok(at), Ok(ct), Ok(courier), Ok(recipient)) if problems.is_empty() => Ok(Head {
            transporter,
            sales_date_time: at,
            customer_type: ct,
            patient_license_number: patient,
            consumer_id: consumer,
            courier,
            recipient,
            planned_route: route,
            estimated_departure: dep,
            estimated_arrival: arr,
        }),
        _ => Err(problems),
    }
}

fn number(id: i64) -> String {
    format!("{id:010}")
}

fn apply_head(d: &mut SalesDelivery, h: Head) {
    d.transporter_license_number = h.transporter;
    d.sales_date_time = h.sales_date_time;
    d.sales_customer_type = h.customer_type;
    d.patient_license_number = h.patient_license_number;
    d.consumer_id = h.consumer_id;
    d.courier = h.courier;
    d.recipient = h.recipient;
    d.planned_route = h.planned_route;
    d.estimated_departure = h.estimated_departure;
    d.estimated_arrival = h.estimated_arrival;
}

/// A new, empty delivery of this facility (the route sale fills it likewise).
pub(crate) fn blank(ctx: &Ctx, by: &str, id: i64) -> SalesDelivery {
    SalesDelivery {
        id,
        license_number: ctx.facility.license_number.clone(),
        delivery_number: number(id),
        retailer_delivery_id: None,
        transporter_license_number: None,
        sales_date_time: ctx.now.clone(),
        sales_customer_type: CustomerType::Consumer,
        patient_license_number: None,
        consumer_id: None,
        courier: Courier::default(),
        recipient: Recipient::default(),
        planned_route: None,
        estimated_departure: None,
        estimated_arrival: None,
        actual_departure: None,
        actual_arrival: None,
        transactions: vec![],
        accepted_packages: vec![],
        returned_packages: vec![],
        payment_type: None,
        accepted_date_time: None,
        id_verified: false,
        state: SalesDeliveryState::InTransit,
        completed_date_time: None,
        voided_date: None,
        recorded_date_time: ctx.now.clone(),
        recorded_by_user_name: by.to_string(),
        active: true,
        last_modified: ctx.now.clone(),
    }
}

/// `POST /sales/v2/deliveries`: records deliveries, each taking its lines from the packages
/// (rules 49, 63, bulletin III) and naming its courier and recipient (rule 65). All or nothing.
pub fn record(
    ctx: &Ctx,
    by: &str,
    world: &DeliveryWorld,
    specs: &[DeliverySpec],
) -> Result<Written, Rejection> {
    let mut stock = Stock::new(ctx, &world.packages);
    let mut errors = RowErrors::default();
    let mut line_errors = Vec::new();
    let mut out = Vec::new();
    for (row, s) in specs.iter().enumerate() {
        let h = head(ctx, s).map_err(|p| push_all(&mut errors, row, p));
        let lines = stock
            .take(ctx, &s.transactions)
            .map_err(|p| push_lines(&mut line_errors, row, p));
        if let (Ok(h), Ok(lines)) = (h, lines) {
            let mut d = blank(ctx, by, world.next_id + out.len() as i64);
            apply_head(&mut d, h);
            d.transactions = lines;
            out.push(d);
        }
    }
    refuse(errors, line_errors)?;
    Ok(Written {
        deliveries: out,
        packages: stock.changed(),
    })
}

fn refuse(errors: RowErrors, lines: Vec<crate::RowError>) -> Result<(), Rejection> {
    let mut all = match errors.into_result() {
        Ok(()) => vec![],
        Err(Rejection::Rows(r)) => r,
        Err(other) => return Err(other),
    };
    all.extend(lines);
    if all.is_empty() {
        Ok(())
    } else {
        all.sort_by_key(|e| e.row);
        Err(Rejection::Rows(all))
    }
}

/// The facility's delivery `id`, in transit (the only state that may change), or why not.
fn in_transit<'a>(
    ctx: &Ctx,
    world: &'a DeliveryWorld,
    id: Option<i64>,
) -> Result<&'a SalesDelivery, Rejection> {
    let id = id.ok_or_else(|| Rejection::Invalid("Id was not specified.".into()))?;
    let d = world
        .deliveries
        .get(&id)
        .filter(|d| d.license_number == ctx.facility.license_number)
        .ok_or_else(|| {
            Rejection::NotFound(format!(
                "Sales delivery {id} does not exist in the current Facility."
            ))
        })?;
    if d.state != SalesDeliveryState::InTransit {
        return Err(Rejection::Conflict(format!(
            "Sales delivery {id} is {}; only a delivery in transit can be changed.",
            d.state.as_str()
        )));
    }
    Ok(d)
}

/// `PUT /sales/v2/deliveries`: while in transit, a delivery's lines are replaced (the old ones
/// go back to their packages first, so a line may be raised up to what the package had before
/// this delivery took from it).
pub fn update(
    ctx: &Ctx,
    world: &DeliveryWorld,
    specs: &[DeliverySpec],
) -> Result<Written, Rejection> {
    crate::commands::require_ids(specs.iter().map(|s| s.id))?;
    let mut stock = Stock::new(ctx, &world.packages);
    let mut errors = RowErrors::default();
    let mut line_errors = Vec::new();
    let mut out = Vec::new();
    for (row, s) in specs.iter().enumerate() {
        let d = in_transit(ctx, world, s.id)?;
        if d.retailer_delivery_id.is_some() {
            return Err(Rejection::Conflict(format!(
                "Sales delivery {} was sold from a retailer delivery and cannot be edited.",
                d.id
            )));
        }
        if let Err(p) = stock.give_back(ctx, &d.transactions) {
            push_lines(&mut line_errors, row, p);
            continue;
        }
        let h = head(ctx, s).map_err(|p| push_all(&mut errors, row, p));
        let lines = stock
            .take(ctx, &s.transactions)
            .map_err(|p| push_lines(&mut line_errors, row, p));
        if let (Ok(h), Ok(lines)) = (h, lines) {
            let mut d = d.clone();
            apply_head(&mut d, h);
            d.transactions = lines;
            d.last_modified = ctx.now.clone();
            out.push(d);
        }
    }
    refuse(errors, line_errors)?;
    Ok(Written {
        deliveries: out,
        packages: stock.changed(),
    })
}

/// `DELETE /sales/v2/deliveries/{id}`: a delivery in transit is voided and every line goes back
/// to its package.
pub fn void(ctx: &Ctx, world: &DeliveryWorld, id: i64) -> Result<Written, Rejection> {
    let d = in_transit(ctx, world, Some(id))?;
    let mut stock = Stock::new(ctx, &world.packages);
    stock
        .give_back(ctx, &d.transactions)
        .map_err(|p| Rejection::Rows(p.into_iter().map(|p| p.at_row(0)).collect()))?;
    let mut d = d.clone();
    d.state = SalesDeliveryState::Voided;
    d.voided_date = Some(ctx.now.get(..10).unwrap_or(&ctx.now).to_string());
    d.active = false;
    d.last_modified = ctx.now.clone();
    Ok(Written {
        deliveries: vec![d],
        packages: stock.changed(),
    })
}

/// One returned package of `PUT /sales/v2/deliveries/complete`.
#[derive(Debug, Clone, Default)]
pub struct ReturnSpec {
    pub label: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_of_measure: Option<String>,
    pub reason: Option<String>,
    pub reason_note: Option<String>,
}

/// One element of `PUT /sales/v2/deliveries/complete`.
#[derive(Debug, Clone, Default)]
pub struct CompleteSpec {
    pub id: Option<i64>,
    pub actual_arrival: Option<String>,
    pub payment_type: Option<String>,
    pub accepted: Vec<String>,
    pub returned: Vec<ReturnSpec>,
}

/// The quantity of each package (by upper-case label) on a delivery's lines.
fn carried(lines: &[SaleLine]) -> HashMap<String, (Decimal, &SaleLine)> {
    let mut out: HashMap<String, (Decimal, &SaleLine)> = HashMap::new();
    for l in lines {
        let e = out
            .entry(l.package_label.to_ascii_uppercase())
            .or_insert((Decimal::ZERO, l));
        e.0 += l.quantity;
    }
    out
}

/// A completion's accepted labels, returned packages, and the lines to give back.
type Completion = (Vec<String>, Vec<ReturnedPackage>, Vec<SaleLine>);

/// Checks one completion against its delivery: every package on it accepted or returned, once;
/// a return names a reason and no more than was carried, in the package's unit. Returns the
/// returned packages and the lines to give back.
fn completion(d: &SalesDelivery, s: &CompleteSpec) -> Result<Completion, Vec<String>> {
    let mut problems = Vec::new();
    let on = carried(&d.transactions);
    let mut named: HashMap<String, usize> = HashMap::new();
    let mut accepted = Vec::new();
    for l in &s.accepted {
        let k = l.trim().to_ascii_uppercase();
        *named.entry(k.clone()).or_default() += 1;
        match on.get(&k) {
            Some((_, line)) => accepted.push(line.package_label.clone()),
            None => problems.push(format!("Package {l} is not on sales delivery {}.", d.id)),
        }
    }
    let mut returned = Vec::new();
    let mut back = Vec::new();
    for r in &s.returned {
        let Some(label) = optional(&r.label) else {
            problems.push("ReturnedPackages: Label was not specified.".into());
            continue;
        };
        let k = label.to_ascii_uppercase();
        *named.entry(k.clone()).or_default() += 1;
        let Some((qty, line)) = on.get(&k) else {
            problems.push(format!(
                "Package {label} is not on sales delivery {}.",
                d.id
            ));
            continue;
        };
        let reason = match required(&r.reason, "ReturnReason") {
            Ok(v) => v,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let note = match bounded(&r.reason_note, "ReturnReasonNote") {
            Ok(v) => v,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let unit = optional(&r.unit_of_measure).unwrap_or_else(|| line.unit_of_measure.clone());
        if !unit.eq_ignore_ascii_case(&line.unit_of_measure) {
            problems.push(format!(
                "ReturnUnitOfMeasure {unit} does not match package {label}'s {}.",
                line.unit_of_measure
            ));
            continue;
        }
        match r.quantity {
            Some(q) if q < Decimal::ZERO => {
                problems.push("ReturnQuantityVerified cannot be negative.".into())
            }
            Some(q) if q > *qty => problems.push(format!(
                "ReturnQuantityVerified {q} is more than the {qty} {} delivered of package {label}.",
                line.unit_of_measure
            )),
            None => problems.push("ReturnQuantityVerified was not specified.".into()),
            Some(q) => {
                returned.push(ReturnedPackage {
                    package_id: line.package_id,
                    package_label: line.package_label.clone(),
                    quantity: q,
                    unit_of_measure: line.unit_of_measure.clone(),
                    reason,
                    reason_note: note,
                });
                back.push(SaleLine {
                    quantity: q,
                    ..(*line).clone()
                });
            }
        }
    }
    for (k, (_, line)) in &on {
        match named.get(k) {
            None => problems.push(format!(
                "Package {} was neither accepted nor returned.",
                line.package_label
            )),
            Some(n) if *n > 1 => problems.push(format!(
                "Package {} is named more than once.",
                line.package_label
            )),
            _ => {}
        }
    }
    if problems.is_empty() {
        Ok((accepted, returned, back))
    } else {
        problems.sort();
        Err(problems)
    }
}

/// `PUT /sales/v2/deliveries/complete` (rule 65: the time completed is recorded): every package
/// of the delivery accepted or returned; what was returned goes back to its package.
pub fn complete(
    ctx: &Ctx,
    world: &DeliveryWorld,
    specs: &[CompleteSpec],
) -> Result<Written, Rejection> {
    crate::commands::require_ids(specs.iter().map(|s| s.id))?;
    let mut stock = Stock::new(ctx, &world.packages);
    let mut errors = RowErrors::default();
    let mut line_errors = Vec::new();
    let mut out = Vec::new();
    for (row, s) in specs.iter().enumerate() {
        let d = in_transit(ctx, world, s.id)?;
        let arrival = when(&s.actual_arrival, "ActualArrivalDateTime", &ctx.now)
            .map_err(|e| errors.push(row, e));
        let payment = bounded(&s.payment_type, "PaymentType").map_err(|e| errors.push(row, e));
        let parts = completion(d, s).map_err(|p| push_all(&mut errors, row, p));
        let (Ok(arrival), Ok(payment), Ok((accepted, returned, back))) = (arrival, payment, parts)
        else {
            continue;
        };
        if let Err(p) = stock.give_back(ctx, &back) {
            push_lines(&mut line_errors, row, p);
            continue;
        }
        let mut d = d.clone();
        d.actual_arrival = Some(arrival);
        d.payment_type = payment;
        d.accepted_packages = accepted;
        d.returned_packages = returned;
        d.state = SalesDeliveryState::Delivered;
        d.completed_date_time = Some(ctx.now.clone());
        d.active = false;
        d.last_modified = ctx.now.clone();
        out.push(d);
    }
    refuse(errors, line_errors)?;
    Ok(Written {
        deliveries: out,
        packages: stock.changed(),
    })
}

/// A hub's step on a sales delivery (`PUT /sales/v2/deliveries/hub…`). No California license is
/// a sales delivery hub, so the ledger refuses these before they reach here; the decisions are
/// kept so a hub license type would need only its capability.
#[derive(Debug, Clone)]
pub enum HubStep {
    /// `PUT /sales/v2/deliveries/hub`: the transporter's courier and plan.
    Transporter {
        transporter: Option<String>,
        courier: Box<CourierSpec>,
        planned_route: Option<String>,
        estimated_departure: Option<String>,
        estimated_arrival: Option<String>,
    },
    Accept,
    Depart,
    VerifyId {
        payment_type: Option<String>,
    },
}

/// Applies hub steps to deliveries in transit.
pub fn hub(
    ctx: &Ctx,
    world: &DeliveryWorld,
    steps: &[(Option<i64>, HubStep)],
) -> Result<Vec<SalesDelivery>, Rejection> {
    crate::commands::require_ids(steps.iter().map(|(id, _)| *id))?;
    let mut errors = RowErrors::default();
    let mut out = Vec::new();
    for (row, (id, step)) in steps.iter().enumerate() {
        let mut d = in_transit(ctx, world, *id)?.clone();
        match step {
            HubStep::Transporter {
                transporter,
                courier: c,
                planned_route,
                estimated_departure,
                estimated_arrival,
            } => {
                let parts = (
                    courier(c),
                    bounded(transporter, "TransporterFacilityId"),
                    bounded(planned_route, "PlannedRoute"),
                    planned(estimated_departure, "EstimatedDepartureDateTime"),
                    planned(estimated_arrival, "EstimatedArrivalDateTime"),
                );
                match parts {
                    (Ok(c), Ok(t), Ok(r), Ok(dep), Ok(arr)) => {
                        d.courier = c;
                        d.transporter_license_number = t.or(d.transporter_license_number);
                        d.planned_route = r;
                        d.estimated_departure = dep;
                        d.estimated_arrival = arr;
                    }
                    (c, t, r, dep, arr) => {
                        push_all(&mut errors, row, c.err().unwrap_or_default());
                        for e in [t.err(), r.err(), dep.err(), arr.err()]
                            .into_iter()
                            .flatten()
                        {
                            errors.push(row, e);
                        }
                        continue;
                    }
                }
            }
            HubStep::Accept => d.accepted_date_time = Some(ctx.now.clone()),
            HubStep::Depart => d.actual_departure = Some(ctx.now.clone()),
            HubStep::VerifyId { payment_type } => match bounded(payment_type, "PaymentType") {
                Ok(p) => {
                    d.id_verified = true;
                    d.payment_type = p.or(d.payment_type);
                }
                Err(e) => {
                    errors.push(row, e);
                    continue;
                }
            },
        }
        d.last_modified = ctx.now.clone();
        out.push(d);
    }
    errors.into_result()?;
    Ok(out)
}

#[cfg(test)]
#[path = "deliveries_tests.rs"]
pub(crate) mod tests;
