//! A manifest's life (cctt-rules §2.6): template → registered (outgoing) → in transit →
//! delivered → received, with per-package acceptance or rejection, the return of rejected
//! packages, and voiding before departure. The rules each step checks are in
//! [`super::transfers`]; this module turns a decision into the records to write.

use super::Ctx;
use super::transfers::{
    Decided, PlannedManifest, ReceiptLine, ReceivingLocations, check_shippable, check_void,
    decide_receipt,
};
use crate::error::{Rejection, RowErrors};
use crate::license::LicenseType;
use crate::records::{
    Facility, LabSample, Package, PackageState, Party, Received, ShipmentState, Transfer,
    TransferDelivery, TransferPackage, TransferState, TransferTransport,
};
use std::collections::HashMap;

fn party(f: &Facility) -> Party {
    Party {
        license_number: f.license_number.clone(),
        name: f.name.clone(),
        address: f.address.clone(),
    }
}

/// Metrc's manifest numbers are ten-digit, zero-padded.
pub fn manifest_number(id: i64) -> String {
    format!("{id:010}")
}

/// What a write of a manifest produces: the manifest, its parties' index rows and its lines
/// (new lines and retired ones alike).
#[derive(Debug, Clone)]
pub struct Written {
    pub transfer: Transfer,
    pub index: Option<(TransferDelivery, TransferTransport)>,
    pub lines: Vec<TransferPackage>,
    pub packages: Vec<Package>,
    pub lab_samples: Vec<LabSample>,
}

/// The parties' index rows, rewritten with every change so that their lists and lastModified
/// windows follow the manifest.
fn index(t: &Transfer) -> Option<(TransferDelivery, TransferTransport)> {
    if t.state == TransferState::Template {
        return None;
    }
    let status = t.list_status();
    Some((
        TransferDelivery {
            id: t.id,
            license_number: t.recipient.license_number.clone(),
            shipper_license: t.license_number.clone(),
            status: status.clone(),
            active: t.active,
            last_modified: t.last_modified.clone(),
        },
        TransferTransport {
            id: t.id,
            license_number: t.transporter.license_number.clone(),
            shipper_license: t.license_number.clone(),
            status,
            active: t.active,
            last_modified: t.last_modified.clone(),
        },
    ))
}

fn written(transfer: Transfer, lines: Vec<TransferPackage>) -> Written {
    Written {
        index: index(&transfer),
        transfer,
        lines,
        packages: vec![],
        lab_samples: vec![],
    }
}

/// Creates a template (`template = true`) or registers a manifest from a plan, or rewrites an
/// existing one (`existing`) in place. `first_line_id` numbers the new lines; the existing
/// manifest's old lines are retired.
#[allow(clippy::too_many_arguments)]
pub fn write_manifest(
    ctx: &Ctx,
    plan: &PlannedManifest,
    spec: &super::transfers::ManifestSpec,
    id: i64,
    first_line_id: i64,
    template: bool,
    existing: Option<(&Transfer, &[TransferPackage])>,
    template_id: Option<i64>,
    created_by: &str,
) -> Result<Written, Rejection> {
    let now = &ctx.now;
    if let Some((t, _)) = existing {
        check_editable(t, template)?;
    }
    let name = super::optional(&spec.name);
    if template && name.is_none() {
        return Err(Rejection::Invalid("Name was not specified.".into()));
    }
    let mut lines = Vec::new();
    if let Some((_, old)) = existing {
        for l in old {
            let mut l = l.clone();
            l.active = false;
            l.last_modified = now.clone();
            lines.push(l);
        }
    }
    let mut ids = Vec::new();
    for (n, (p, line)) in plan.lines.iter().enumerate() {
        let line_id = first_line_id + n as i64;
        ids.push(line_id);
        lines.push(TransferPackage {
            id: line_id,
            license_number: ctx.facility.license_number.clone(),
            transfer_id: id,
            recipient_license: plan.recipient.license_number.clone(),
            package: p.clone(),
            shipped_quantity: p.quantity,
            shipped_unit: p.unit_of_measure.clone(),
            gross_weight: line.gross_weight,
            gross_unit: super::optional(&line.gross_unit),
            wholesale_price: line.wholesale_price,
            receiver_wholesale_price: None,
            shipment_state: ShipmentState::Shipped,
            received_quantity: None,
            rejection_reason: None,
            departed_at: None,
            received_at: None,
            returned_at: None,
            is_template: template,
            active: !template,
            last_modified: now.clone(),
        });
    }
    let packages: Vec<&Package> = plan.lines.iter().map(|(p, _)| p).collect();
    let (created_at, created_by) = match existing {
        Some((t, _)) => (t.created_at.clone(), t.created_by.clone()),
        None => (now.clone(), created_by.to_string()),
    };
    let transfer = Transfer {
        id,
        license_number: ctx.facility.license_number.clone(),
        manifest_number: if template {
            String::new()
        } else {
            manifest_number(id)
        },
        name,
        state: if template {
            TransferState::Template
        } else {
            TransferState::Outgoing
        },
        template_id: existing.and_then(|(t, _)| t.template_id).or(template_id),
        transfer_type: plan.transfer_type.clone(),
        shipper: party(ctx.facility),
        recipient: party(&plan.recipient),
        transporter: party(&plan.transporter),
        driver_name: plan.driver.name.clone(),
        driver_license_number: plan.driver.drivers_license_number.clone(),
        driver_employee_id: super::optional(&spec.driver_employee_id)
            .or_else(|| plan.driver.employee_id.clone()),
        vehicle_make: plan.vehicle.make.clone(),
        vehicle_model: plan.vehicle.model.clone(),
        vehicle_plate: plan.vehicle.license_plate_number.clone(),
        phone_for_questions: super::optional(&spec.phone_for_questions),
        invoice_number: super::optional(&spec.invoice_number),
        planned_route: super::optional(&spec.planned_route),
        estimated_departure: super::optional(&spec.estimated_departure).unwrap_or_default(),
        estimated_arrival: super::optional(&spec.estimated_arrival).unwrap_or_default(),
        actual_departure: None,
        actual_arrival: None,
        received_at: None,
        lines: ids,
        accepted_count: 0,
        rejected_count: 0,
        rejected_returned_at: None,
        contains_testing_sample: packages.iter().any(|p| p.is_testing_sample),
        contains_trade_sample: packages.iter().any(|p| p.is_trade_sample),
        contains_donation: packages.iter().any(|p| p.is_donation),
        contains_remediation: packages.iter().any(|p| p.remediation_count > 0),
        created_at,
        created_by,
        voided: false,
        active: true,
        last_modified: now.clone(),
    };
    Ok(written(transfer, lines))
}

/// Whether `t` may be rewritten as a template (`template`) or a registered manifest: a
/// template while it is one; a manifest only before departure (rule 39: fixed once transport
/// starts, 409).
pub fn check_editable(t: &Transfer, template: bool) -> Result<(), Rejection> {
    match (template, t.state) {
        (true, TransferState::Template) | (false, TransferState::Outgoing) => Ok(()),
        (false, s) if s.departed() => Err(Rejection::Conflict(
            "Manifest cannot be modified after departure.".into(),
        )),
        _ => Err(Rejection::Invalid(format!(
            "Transfer {} is {} and cannot be edited here.",
            t.id,
            t.list_status()
        ))),
    }
}

fn retire(lines: &[TransferPackage], now: &str) -> Vec<TransferPackage> {
    lines
        .iter()
        .map(|l| {
            let mut l = l.clone();
            l.active = false;
            l.last_modified = now.to_string();
            l
        })
        .collect()
}

/// Voids a registered manifest before it departs (rule 48); its packages were never moved.
pub fn void(ctx: &Ctx, t: &Transfer, lines: &[TransferPackage]) -> Result<Written, Rejection> {
    if t.license_number != ctx.facility.license_number {
        return Err(Rejection::NotFound(format!(
            "Transfer {} does not exist in the current Facility.",
            t.id
        )));
    }
    check_void(t.state)?;
    let mut t = t.clone();
    t.state = TransferState::Voided;
    t.voided = true;
    t.active = false;
    t.last_modified = ctx.now.clone();
    Ok(written(t, retire(lines, &ctx.now)))
}

/// Archives a template; it never reserved its packages.
pub fn archive_template(ctx: &Ctx, t: &Transfer) -> Result<Written, Rejection> {
    if t.license_number != ctx.facility.license_number || t.state != TransferState::Template {
        return Err(Rejection::NotFound(format!(
            "Transfer template {} does not exist in the current Facility.",
            t.id
        )));
    }
    if !t.active {
        return Err(Rejection::Invalid(format!(
            "Transfer template {} is already archived.",
            t.id
        )));
    }
    let mut t = t.clone();
    t.active = false;
    t.last_modified = ctx.now.clone();
    Ok(written(t, vec![]))
}

/// The transporter confirms the load and departs (rules 43, 35): it must be the manifest's
/// transporter, and every package must still be shippable to the recipient as it is now; the
/// packages leave active inventory and go in transit, and the lines record what left.
/// `current` holds the packages as they are now, by label.
pub fn depart(
    ctx: &Ctx,
    t: &Transfer,
    lines: &[TransferPackage],
    current: &HashMap<String, Package>,
    recipient: LicenseType,
) -> Result<Written, Rejection> {
    if t.transporter.license_number != ctx.facility.license_number {
        return Err(Rejection::Invalid(format!(
            "Only the transporter ({}) confirms the load and departs (rule 43).",
            t.transporter.license_number
        )));
    }
    match t.state {
        TransferState::Outgoing => {}
        s if s.departed() => {
            return Err(Rejection::Conflict(format!(
                "Transfer {} has already departed.",
                t.id
            )));
        }
        _ => {
            return Err(Rejection::Invalid(format!(
                "Transfer {} cannot depart ({}).",
                t.id,
                t.list_status()
            )));
        }
    }
    let now = &ctx.now;
    let mut errors = RowErrors::default();
    let mut packages = Vec::new();
    let mut out = Vec::new();
    for (row, l) in lines.iter().enumerate() {
        let label = l.package.label.as_str();
        let Some(p) = current.get(label) else {
            errors.push(row, format!("Package {label} no longer exists."));
            continue;
        };
        if let Err(e) = check_shippable(p, &t.license_number, recipient, false) {
            errors.push(row, e);
            continue;
        }
        let mut p = p.clone();
        // In transit is out of active inventory: listed in `intransit`, not `active`.
        p.state = PackageState::InTransit;
        p.active = false;
        p.last_modified = now.clone();
        let mut l = l.clone();
        l.package = p.clone();
        l.shipped_quantity = p.quantity;
        l.shipped_unit = p.unit_of_measure.clone();
        l.departed_at = Some(now.clone());
        l.last_modified = now.clone();
        packages.push(p);
        out.push(l);
    }
    errors.into_result()?;
    let mut t = t.clone();
    t.state = TransferState::InTransit;
    t.actual_departure = Some(now.clone());
    t.last_modified = now.clone();
    let mut w = written(t, out);
    w.packages = packages;
    Ok(w)
}

/// The manifest arrives at its destination; its transporter or its recipient records it.
pub fn arrive(ctx: &Ctx, t: &Transfer) -> Result<Written, Rejection> {
    let lic = &ctx.facility.license_number;
    if lic != &t.transporter.license_number && lic != &t.recipient.license_number {
        return Err(Rejection::Invalid(
            "Only the transporter or the recipient records an arrival.".into(),
        ));
    }
    if t.state != TransferState::InTransit {
        return Err(Rejection::Invalid(format!(
            "Transfer {} is not in transit ({}).",
            t.id,
            t.list_status()
        )));
    }
    let mut t = t.clone();
    t.state = TransferState::Delivered;
    t.actual_arrival = Some(ctx.now.clone());
    t.last_modified = ctx.now.clone();
    Ok(written(t, vec![]))
}

/// The recipient accepts or rejects each package (rule 44). Accepted packages become the
/// recipient's active inventory at the received quantity; a testing sample accepted by a
/// laboratory stays its owner's package in the laboratory's custody, so that the results the
/// laboratory records reach the owner (issue 3). Rejected packages stay the shipper's, in
/// transit on their way back (rule 45). `current` holds the packages as they are now;
/// `locations` the receiver's locations the receipt names (where accepted packages go).
pub fn receive(
    ctx: &Ctx,
    t: &Transfer,
    lines: &[TransferPackage],
    current: &HashMap<String, Package>,
    receipt: &[ReceiptLine],
    locations: &ReceivingLocations,
) -> Result<(Written, Vec<String>), Rejection> {
    if t.recipient.license_number != ctx.facility.license_number {
        return Err(Rejection::NotFound(format!(
            "Delivery {} is not addressed to {}.",
            t.id, ctx.facility.license_number
        )));
    }
    match t.state {
        TransferState::InTransit | TransferState::Delivered => {}
        TransferState::Received => {
            return Err(Rejection::Conflict(format!(
                "Delivery {} has already been received.",
                t.id
            )));
        }
        _ => {
            return Err(Rejection::Invalid(format!(
                "Delivery {} has not departed ({}).",
                t.id,
                t.list_status()
            )));
        }
    }
    let shipped: HashMap<String, rust_decimal::Decimal> = lines
        .iter()
        .map(|l| (l.package.label.to_string(), l.shipped_quantity))
        .collect();
    let (decided, mut warnings) =
        decide_receipt(&ctx.facility.license_number, &shipped, receipt, locations)?;
    let by_label: HashMap<&str, &Decided> = decided.iter().map(|d| (d.label.as_str(), d)).collect();
    let now = &ctx.now;
    let lab = ctx
        .facility
        .license_type
        .can(crate::license::Capability::CanTestPackages);
    let (mut out, mut packages, mut samples) = (Vec::new(), Vec::new(), Vec::new());
    let (mut accepted, mut rejected) = (0, 0);
    for l in lines {
        let label = l.package.label.to_string();
        let (Some(d), Some(p)) = (by_label.get(label.as_str()), current.get(&label)) else {
            return Err(Rejection::Invalid(format!(
                "Package {label} is not on this delivery."
            )));
        };
        let mut l = l.clone();
        let mut p = p.clone();
        l.shipment_state = d.state;
        l.received_at = Some(now.clone());
        l.receiver_wholesale_price = d.receiver_wholesale_price;
        l.last_modified = now.clone();
        p.last_modified = now.clone();
        match d.state {
            ShipmentState::Accepted => {
                accepted += 1;
                l.received_quantity = Some(d.received_quantity);
                l.active = false;
                p.state = PackageState::Active;
                p.active = true;
                p.quantity = d.received_quantity;
                // Where the receipt put it, or nowhere yet: the shipper's location is not the
                // receiver's.
                p.location_id = d.location.as_ref().map(|l| l.id);
                p.location_name = d.location.as_ref().map(|l| l.name.clone());
                p.sublocation_id = None;
                p.sublocation_name = None;
                if lab && p.is_testing_sample {
                    p.lab_license = Some(ctx.facility.license_number.clone());
                    samples.push(LabSample {
                        id: p.id,
                        lab_license: ctx.facility.license_number.clone(),
                        lab_name: ctx.facility.name.clone(),
                        owner_license: p.license_number.clone(),
                        package_label: label.clone(),
                        sent_at: now.clone(),
                        active: true,
                        last_modified: now.clone(),
                    });
                } else {
                    p.license_number = ctx.facility.license_number.clone();
                }
                p.received = Some(Received {
                    at: now.clone(),
                    manifest_number: t.manifest_number.clone(),
                    license_number: t.shipper.license_number.clone(),
                    name: t.shipper.name.clone(),
                });
            }
            _ => {
                rejected += 1;
                l.rejection_reason = d.reason.clone();
            }
        }
        packages.push(p);
        out.push(l);
    }
    if let Some(late) = late_receipt(t, now) {
        warnings.push(late);
    }
    let mut t = t.clone();
    t.state = TransferState::Received;
    t.actual_arrival = t.actual_arrival.or(Some(now.clone()));
    t.received_at = Some(now.clone());
    t.accepted_count = accepted;
    t.rejected_count = rejected;
    // Rule 72: a received manifest is finished data and moves to the history tier, unless
    // rejected packages still wait for the shipper to take them back.
    t.active = rejected > 0;
    t.last_modified = now.clone();
    let mut w = written(t, out);
    w.packages = packages;
    w.lab_samples = samples;
    Ok((w, warnings))
}

/// Rule 44: receipt is recorded within 24 hours of arrival; a later one is accepted with a
/// warning for the regulator.
fn late_receipt(t: &Transfer, now: &str) -> Option<String> {
    let arrived = crate::time::parse_instant(t.actual_arrival.as_deref()?)?;
    let now = crate::time::parse_instant(now)?;
    (now - arrived > chrono::Duration::hours(24)).then(|| {
        format!(
            "Delivery {} was received more than 24 hours after it arrived (rule 44).",
            t.id
        )
    })
}

/// The shipper takes its rejected packages back (rule 45): they return to its active inventory.
pub fn take_back(
    ctx: &Ctx,
    t: &Transfer,
    lines: &[TransferPackage],
    current: &HashMap<String, Package>,
) -> Result<Written, Rejection> {
    if t.license_number != ctx.facility.license_number {
        return Err(Rejection::NotFound(format!(
            "Transfer {} does not exist in the current Facility.",
            t.id
        )));
    }
    if t.state != TransferState::Received || t.rejected_count == 0 {
        return Err(Rejection::Invalid(format!(
            "Transfer {} has no rejected packages to take back.",
            t.id
        )));
    }
    if t.rejected_returned_at.is_some() {
        return Err(Rejection::Conflict(format!(
            "The rejected packages of transfer {} are already back.",
            t.id
        )));
    }
    let now = &ctx.now;
    let (mut out, mut packages) = (Vec::new(), Vec::new());
    for l in lines
        .iter()
        .filter(|l| l.shipment_state == ShipmentState::Rejected)
    {
        let label = l.package.label.to_string();
        let Some(p) = current.get(&label) else {
            return Err(Rejection::Invalid(format!(
                "Package {label} no longer exists."
            )));
        };
        let mut p = p.clone();
        p.state = PackageState::Active;
        p.active = true;
        p.last_modified = now.clone();
        let mut l = l.clone();
        l.shipment_state = ShipmentState::Returned;
        l.returned_at = Some(now.clone());
        l.active = false;
        l.last_modified = now.clone();
        packages.push(p);
        out.push(l);
    }
    let mut t = t.clone();
    t.rejected_returned_at = Some(now.clone());
    // Nothing is left to do on it: finished data (rule 72).
    t.active = false;
    t.last_modified = now.clone();
    let mut w = written(t, out);
    w.packages = packages;
    Ok(w)
}
