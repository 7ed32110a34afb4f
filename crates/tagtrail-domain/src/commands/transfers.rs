//! Transfer manifests: what may be shipped, to whom, by whom, and how a receipt is decided
//! (cctt-rules §1.F and §2.6). These are the decision rules of issue 4; the manifest records,
//! their storage and endpoints build on them.

use super::{Ctx, optional};
use crate::error::{Rejection, RowErrors};
use crate::license::LicenseType;
use crate::records::{Driver, Facility, Location, Package, Vehicle, fold};
use crate::reference;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// The most packages one manifest may carry (rule 47, configurable).
pub const DEFAULT_MAX_PACKAGES_PER_TRANSFER: usize = 200;

/// California's transfer types (rule 42).
pub const TRANSFER_TYPES: &[&str] = &["Transfer", "Wholesale Manifest", "Return"];

pub use crate::records::{ShipmentState, TransferState};

/// Why `p` may not go onto a manifest from `shipper` to a licensee of type `recipient`.
pub fn check_shippable(
    p: &Package,
    shipper: &str,
    recipient: LicenseType,
    on_a_manifest: bool,
) -> Result<(), String> {
    // Rule 38: the package exists and is active in the shipper's inventory.
    if p.license_number != shipper {
        return Err(format!(
            "Package {} is not in active inventory of {shipper}.",
            p.label
        ));
    }
    // Rules 33–35: finished, discontinued, in-transit and held packages stay where they are.
    super::packages::check_changeable(p)?;
    // A testing sample in a laboratory's custody is not the owner's to ship.
    if p.is_testing_sample
        && let Some(lab) = &p.lab_license
    {
        return Err(format!(
            "Package {} is a testing sample in the custody of laboratory {lab}.",
            p.label
        ));
    }
    if on_a_manifest {
        return Err(format!(
            "Package {} is already on another manifest.",
            p.label
        ));
    }
    // Rule 46: a retailer receives only packages that passed testing.
    if recipient == LicenseType::Retailer && !p.lab_testing_state.passing() {
        return Err(format!(
            "Recipient license type retailer cannot receive packages in lab testing state {} (package {}).",
            p.lab_testing_state, p.label
        ));
    }
    // Rule 31: a license receives only the item categories its type allows.
    if let Some(cat) = reference::item_category(&p.item_category)
        && !cat.receivable_by.contains(&recipient)
    {
        return Err(format!(
            "A {} license cannot receive {} (package {}).",
            recipient.as_str(),
            cat.name,
            p.label
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct ManifestLine {
    pub package_label: Option<String>,
    pub wholesale_price: Option<Decimal>,
    pub gross_weight: Option<Decimal>,
    pub gross_unit: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ManifestSpec {
    /// A template's name.
    pub name: Option<String>,
    pub invoice_number: Option<String>,
    pub phone_for_questions: Option<String>,
    /// The driver's employee id at the transporter (`DriverOccupationalLicenseNumber`).
    pub driver_employee_id: Option<String>,
    pub recipient_license: Option<String>,
    pub transfer_type: Option<String>,
    /// The transporting distributor; the shipper itself when absent.
    pub transporter_license: Option<String>,
    /// The driver, by driver's license number, as Metrc's template bodies name drivers.
    pub driver_license_number: Option<String>,
    /// The vehicle, by plate.
    pub vehicle_plate: Option<String>,
    pub planned_route: Option<String>,
    pub estimated_departure: Option<String>,
    pub estimated_arrival: Option<String>,
    pub packages: Vec<ManifestLine>,
    /// How many destinations and transporters the request named (rule 41: one each).
    pub destination_count: usize,
    pub transporter_count: usize,
}

/// What the ledger loaded: facilities by folded license number, drivers and vehicles by folded
/// driver's license number and plate, the named packages by label, and the labels already on
/// open manifests.
#[derive(Debug, Default)]
pub struct ManifestWorld {
    pub facilities: HashMap<String, Facility>,
    pub drivers: HashMap<String, Driver>,
    pub vehicles: HashMap<String, Vehicle>,
    pub packages: HashMap<String, Package>,
    pub on_manifests: HashSet<String>,
}

/// A manifest that passed every rule, ready to be recorded.
#[derive(Debug, Clone)]
pub struct PlannedManifest {
    pub recipient: Facility,
    pub transporter: Facility,
    pub transfer_type: String,
    pub driver: Driver,
    pub vehicle: Vehicle,
    pub lines: Vec<(Package, ManifestLine)>,
}

/// Checks a manifest: one destination and one transporter (rule 41), a distributor transports
/// with its own driver and vehicle (rule 39), the fields a manifest must carry (rule 40), the
/// type's requirements (rule 42), at most `max_packages` (rule 47), and every package
/// shippable to that destination. Package problems are row errors indexed by line.
pub fn plan_manifest(
    ctx: &Ctx,
    world: &ManifestWorld,
    spec: &ManifestSpec,
    max_packages: usize,
) -> Result<PlannedManifest, Rejection> {
    let invalid = |m: String| Rejection::Invalid(m);
    let lic = &ctx.facility.license_number;
    // Rule 41.
    if spec.destination_count != 1 || spec.transporter_count > 1 {
        return Err(invalid(
            "California manifests are limited to a single destination and a single transporter."
                .into(),
        ));
    }
    let recipient_lic = optional(&spec.recipient_license)
        .ok_or_else(|| invalid("RecipientLicenseNumber was not specified.".into()))?;
    let recipient = world
        .facilities
        .get(&crate::records::fold(&recipient_lic))
        .filter(|f| f.active)
        .ok_or_else(|| invalid(format!("License {recipient_lic} does not exist.")))?;
    if &recipient.license_number == lic {
        return Err(invalid("A manifest goes to another license.".into()));
    }
    let transfer_type = optional(&spec.transfer_type).unwrap_or_else(|| "Transfer".into());
    let transfer_type = TRANSFER_TYPES
        .iter()
        .find(|t| t.eq_ignore_ascii_case(&transfer_type))
        .ok_or_else(|| invalid(format!("Transfer type {transfer_type} does not exist.")))?;
    let transporter = match optional(&spec.transporter_license) {
        Some(t) => world
            .facilities
            .get(&crate::records::fold(&t))
            .filter(|f| f.active)
            .ok_or_else(|| invalid(format!("License {t} does not exist.")))?,
        None => ctx.facility,
    };
    // Rule 39: only a licensed distributor transports.
    if transporter.license_type != LicenseType::Distributor {
        return Err(invalid(
            "Transporter must hold a distributor license.".into(),
        ));
    }
    // Rule 40: driver, vehicle and the times are part of the manifest; the driver and vehicle
    // are the transporter's own (rule 39).
    let driver = optional(&spec.driver_license_number)
        .and_then(|dl| world.drivers.get(&crate::records::fold(&dl)))
        .filter(|d| d.active && d.license_number == transporter.license_number)
        .ok_or_else(|| {
            invalid("DriverLicenseNumber must name an active driver of the transporter.".into())
        })?;
    let vehicle = optional(&spec.vehicle_plate)
        .and_then(|p| world.vehicles.get(&crate::records::fold(&p)))
        .filter(|v| v.active && v.license_number == transporter.license_number)
        .ok_or_else(|| {
            invalid(
                "VehicleLicensePlateNumber must name an active vehicle of the transporter.".into(),
            )
        })?;
    for (field, v) in [
        ("EstimatedDepartureDateTime", &spec.estimated_departure),
        ("EstimatedArrivalDateTime", &spec.estimated_arrival),
    ] {
        let v = optional(v).ok_or_else(|| invalid(format!("{field} was not specified.")))?;
        crate::time::parse_instant(&v)
            .ok_or_else(|| invalid(format!("{field} {v} is not a date-time.")))?;
    }
    if spec.packages.is_empty() {
        return Err(invalid("A manifest carries at least one package.".into()));
    }
    // Rule 47.
    if spec.packages.len() > max_packages {
        return Err(invalid(format!(
            "A transfer cannot contain more than {max_packages} packages."
        )));
    }
    let wholesale = *transfer_type == "Wholesale Manifest";
    let mut errors = RowErrors::default();
    let mut seen = HashSet::new();
    let mut lines = Vec::new();
    for (row, line) in spec.packages.iter().enumerate() {
        let Some(label) = optional(&line.package_label).map(|l| l.to_ascii_uppercase()) else {
            errors.push(row, "PackageLabel was not specified.");
            continue;
        };
        let Some(p) = world.packages.get(&label) else {
            errors.push(
                row,
                format!("Package {label} is not in active inventory of {lic}."),
            );
            continue;
        };
        if !seen.insert(label.clone()) {
            errors.push(row, format!("Package {label} appears more than once."));
            continue;
        }
        if let Err(e) = check_shippable(
            p,
            lic,
            recipient.license_type,
            world.on_manifests.contains(&label),
        ) {
            errors.push(row, e);
            continue;
        }
        // Rule 42: a wholesale manifest prices every package.
        match (wholesale, line.wholesale_price) {
            (true, None) => errors.push(
                row,
                format!("WholesalePrice is required for wholesale transfers (package {label})."),
            ),
            (_, Some(price)) if price.is_sign_negative() => {
                errors.push(row, "WholesalePrice cannot be negative.")
            }
            (_, _) if line.gross_weight.is_some_and(|w| w.is_sign_negative()) => {
                errors.push(row, "GrossWeight cannot be negative.")
            }
            _ => lines.push((p.clone(), line.clone())),
        }
    }
    errors.into_result()?;
    Ok(PlannedManifest {
        recipient: recipient.clone(),
        transporter: transporter.clone(),
        transfer_type: transfer_type.to_string(),
        driver: driver.clone(),
        vehicle: vehicle.clone(),
        lines,
    })
}

/// Rule 48: a manifest can be voided only before it departs.
pub fn check_void(state: TransferState) -> Result<(), Rejection> {
    match state {
        TransferState::Outgoing => Ok(()),
        TransferState::Voided => Err(Rejection::Invalid("The transfer is already voided.".into())),
        TransferState::Template => Err(Rejection::Invalid(
            "A template is archived, not voided (DELETE /transfers/v2/templates/outgoing/{id})."
                .into(),
        )),
        _ => Err(Rejection::Conflict(
            "Transfer has departed and cannot be voided; reject and return its packages instead."
                .into(),
        )),
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReceiptLine {
    pub package_label: Option<String>,
    pub accept: Option<bool>,
    pub reason: Option<String>,
    pub received_quantity: Option<Decimal>,
    pub receiver_wholesale_price: Option<Decimal>,
    /// Where an accepted package is put away: a location of the receiving license, by name.
    /// Optional: a receipt that names none (the Metrc-shaped API has no such field) leaves the
    /// package with no location, to be moved once it is shelved.
    pub location: Option<String>,
}

/// One package's receipt outcome, with a variance warning where the received quantity differs.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    pub label: String,
    pub state: ShipmentState,
    pub received_quantity: Decimal,
    pub reason: Option<String>,
    pub receiver_wholesale_price: Option<Decimal>,
    /// The location an accepted package goes to, if the receipt named one.
    pub location: Option<Location>,
}

/// The receiver's locations a receipt names, by folded name: the receiver's own rows only,
/// active or archived (an archived one is named as such in the refusal).
pub type ReceivingLocations = HashMap<String, Location>;

/// Where an accepted package may be put away: an active location of the receiving license that
/// holds packages. Another license's location is never one, whatever its name; the refusal does
/// not say whether it exists elsewhere.
pub fn receiving_location<'a>(
    receiver: &str,
    name: &str,
    locations: &'a ReceivingLocations,
) -> Result<&'a Location, String> {
    let missing = || format!("Location {name} does not exist at {receiver}.");
    let loc = locations
        .get(&fold(name))
        .filter(|l| l.license_number == receiver)
        .ok_or_else(missing)?;
    if !loc.active {
        return Err(format!(
            "Location {} is archived; choose an active location of {receiver}.",
            loc.name
        ));
    }
    let holds_packages = reference::LOCATION_TYPES
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(&loc.location_type_name))
        .is_none_or(|t| t.for_packages);
    if !holds_packages {
        return Err(format!(
            "Location {} is a {} location and holds no packages.",
            loc.name, loc.location_type_name
        ));
    }
    Ok(loc)
}

/// Decides a receipt (rule 44): every shipped package of the manifest is accepted or rejected
/// whole, once; a rejection gives a reason; a received quantity that differs from the shipped
/// one is recorded with a warning for the regulator. `shipped` maps labels to shipped quantities.
/// An accepted package named with a location goes to that location of `receiver` (see
/// [`receiving_location`]); a rejected one goes back to the shipper and takes none.
pub fn decide_receipt(
    receiver: &str,
    shipped: &HashMap<String, Decimal>,
    lines: &[ReceiptLine],
    locations: &ReceivingLocations,
) -> Result<(Vec<Decided>, Vec<String>), Rejection> {
    let mut errors = RowErrors::default();
    let mut seen = HashSet::new();
    let (mut out, mut warnings) = (Vec::new(), Vec::new());
    for (row, l) in lines.iter().enumerate() {
        let Some(label) = optional(&l.package_label).map(|x| x.to_ascii_uppercase()) else {
            errors.push(row, "PackageLabel was not specified.");
            continue;
        };
        let Some(qty) = shipped.get(&label) else {
            errors.push(row, format!("Package {label} is not on this manifest."));
            continue;
        };
        if !seen.insert(label.clone()) {
            errors.push(row, format!("Package {label} appears more than once."));
            continue;
        }
        let Some(accept) = l.accept else {
            errors.push(
                row,
                format!("Package {label}: say whether it is accepted or rejected."),
            );
            continue;
        };
        let location = match (accept, optional(&l.location)) {
            (_, None) => None,
            (true, Some(name)) => match receiving_location(receiver, &name, locations) {
                Ok(loc) => Some(loc.clone()),
                Err(e) => {
                    errors.push(row, format!("Package {label}: {e}"));
                    continue;
                }
            },
            (false, Some(_)) => {
                errors.push(
                    row,
                    format!(
                        "Package {label}: a rejected package goes back to the shipper and takes no location."
                    ),
                );
                continue;
            }
        };
        if accept {
            let received = l.received_quantity.unwrap_or(*qty);
            if received.is_sign_negative() {
                errors.push(row, "ReceivedQuantity cannot be negative.");
                continue;
            }
            if received != *qty {
                warnings.push(format!("Package {label}: received {received}, shipped {qty}; the variance is recorded for the regulator."));
            }
            out.push(Decided {
                label,
                state: ShipmentState::Accepted,
                received_quantity: received,
                reason: None,
                receiver_wholesale_price: l.receiver_wholesale_price,
                location,
            });
        } else {
            let Some(reason) = optional(&l.reason) else {
                errors.push(row, format!("Package {label}: a rejection needs a reason."));
                continue;
            };
            out.push(Decided {
                label,
                state: ShipmentState::Rejected,
                received_quantity: Decimal::ZERO,
                reason: Some(reason),
                receiver_wholesale_price: l.receiver_wholesale_price,
                location: None,
            });
        }
    }
    errors.into_result()?;
    // Rule 44: no partial receipts — every package of the manifest is decided.
    if seen.len() != shipped.len() {
        let mut missing: Vec<&String> = shipped.keys().filter(|k| !seen.contains(*k)).collect();
        missing.sort();
        return Err(Rejection::Invalid(format!(
            "Partial receipt is not allowed: decide every package ({} left, e.g. {}).",
            missing.len(),
            missing[0]
        )));
    }
    Ok((out, warnings))
}

/// One bad line of an uploaded package list: its 1-based line number and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListError {
    pub line: usize,
    pub reason: String,
}

/// Reads a package list as bulletin IV describes it: a CSV or TXT file with one column of package
/// tag UIDs, at most `max` of them (rule 47). A header line ("Label", "Package", "Tag", "UID") and
/// blank lines are skipped. Every bad line is reported with its number and reason, and nothing is
/// returned unless every line is good.
pub fn parse_package_list(
    text: &str,
    max: usize,
) -> Result<Vec<(usize, crate::tag::TagLabel)>, Vec<ListError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Browsers and spreadsheets send CRLF; counting lines on LF alone keeps every reported
    // line number the one an editor shows.
    let text = text.replace("\r\n", "\n");
    let text = text.as_str();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut errors = Vec::new();
    let mut labels = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map(|p| p.line() as usize)
            .unwrap_or(i + 1);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(ListError {
                    line,
                    reason: format!("unreadable: {e}"),
                });
                continue;
            }
        };
        let cells: Vec<&str> = record.iter().filter(|c| !c.is_empty()).collect();
        match cells.as_slice() {
            [] => continue,
            [one]
                if labels.is_empty()
                    && errors.is_empty()
                    && ["label", "package", "packagelabel", "tag", "uid"]
                        .contains(&one.to_ascii_lowercase().replace([' ', '_'], "").as_str()) =>
            {
                continue;
            }
            [one] => match crate::tag::TagLabel::parse(one) {
                Ok(label) => {
                    if let Some(first) = seen.insert(label.as_str().to_string(), line) {
                        errors.push(ListError {
                            line,
                            reason: format!("{label} is listed already, on line {first}."),
                        });
                    } else {
                        labels.push((line, label));
                    }
                }
                Err(e) => errors.push(ListError { line, reason: e }),
            },
            _ => errors.push(ListError {
                line,
                reason: "one column of package tag UIDs is expected; this line has several values."
                    .into(),
            }),
        }
    }
    if labels.len() > max {
        errors.push(ListError {
            line: 0,
            reason: format!(
                "The list has {} packages; a transfer holds at most {max} (rule 47).",
                labels.len()
            ),
        });
    }
    if labels.is_empty() && errors.is_empty() {
        errors.push(ListError {
            line: 0,
            reason: "The list holds no package tag UIDs.".into(),
        });
    }
    if errors.is_empty() {
        Ok(labels)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{PackageState, fold};
    use crate::tag::TagLabel;

    const NOW: &str = "2026-06-01T12:00:00.000000+00:00";

    fn facility(id: i64, lic: &str, t: LicenseType) -> Facility {
        Facility {
            id,
            license_number: lic.into(),
            license_type: t,
            name: lic.into(),
            display_name: lic.into(),
            license_start_date: "2026-01-01".into(),
            license_end_date: "2026-12-31".into(),
            address: Some("1 Main St".into()),
            credentialed_date: "2026-01-01".into(),
            onboarding: Default::default(),
            active: true,
            last_modified: NOW.into(),
        }
    }

    fn package(seq: u32, category: &str, lab: &str) -> Package {
        let text = format!(
            r#"{{"id": {seq}, "license_number": "DIST", "label": "{label}", "package_type": "Product",
            "item_id": 1, "item_name": "Gummies", "item_category": "{category}", "item_strain_name": null,
            "quantity": 10, "unit_of_measure": "Each", "original_quantity": 10, "location_id": null, "location_name": null,
            "sublocation_id": null, "sublocation_name": null, "note": null, "packaged_date": "2026-05-01",
            "packaged_by_license": "DIST", "packaged_by_name": "D", "source_package_ids": [], "source_package_labels": [],
            "production_batch_number": null, "is_production_batch": false, "is_testing_sample": false, "is_trade_sample": false,
            "is_donation": false, "is_finished_good": false, "product_requires_remediation": false,
            "initial_lab_testing_state": "{lab}", "lab_testing_state": "{lab}", "lab_testing_state_date": "2026-05-01",
            "remediation_count": 0, "remediation_date": null, "decontamination_date": null, "on_hold": false, "hold_reason": null,
            "state": "Active", "finished_date": null, "expiration_date": null, "sell_by_date": null, "use_by_date": null,
            "external_id": null, "archived_date": null, "active": true, "last_modified": "{NOW}"}}"#,
            label = TagLabel::issue(7, seq)
        );
        let mut p: Package = serde_json::from_str(&text).unwrap();
        p.label = TagLabel::issue(7, seq);
        p
    }

    fn world() -> (Facility, ManifestWorld) {
        let dist = facility(1, "DIST", LicenseType::Distributor);
        let mut w = ManifestWorld::default();
        for f in [
            dist.clone(),
            facility(2, "SHOP", LicenseType::Retailer),
            facility(3, "FARM", LicenseType::Cultivator),
            facility(4, "MFG", LicenseType::Manufacturer),
        ] {
            w.facilities.insert(fold(&f.license_number), f);
        }
        w.drivers.insert(
            "d1".into(),
            Driver {
                id: 1,
                license_number: "DIST".into(),
                name: "Luis".into(),
                drivers_license_number: "D1".into(),
                employee_id: None,
                active: true,
                last_modified: NOW.into(),
            },
        );
        w.vehicles.insert(
            "8t".into(),
            Vehicle {
                id: 1,
                license_number: "DIST".into(),
                make: "Ford".into(),
                model: "Transit".into(),
                license_plate_number: "8T".into(),
                active: true,
                last_modified: NOW.into(),
            },
        );
        for (seq, cat, lab) in [
            (1, "Edible (Each)", "TestPassed"),
            (2, "Edible (Each)", "NotSubmitted"),
            (3, "Edible (Each)", "TestPassed"),
        ] {
            let p = package(seq, cat, lab);
            w.packages.insert(p.label.to_string(), p);
        }
        (dist, w)
    }

    fn spec(to: &str, labels: &[u32]) -> ManifestSpec {
        ManifestSpec {
            recipient_license: Some(to.into()),
            transfer_type: Some("Transfer".into()),
            driver_license_number: Some("D1".into()),
            vehicle_plate: Some("8T".into()),
            estimated_departure: Some("2026-06-02T08:00:00".into()),
            estimated_arrival: Some("2026-06-02T12:00:00".into()),
            destination_count: 1,
            packages: labels
                .iter()
                .map(|s| ManifestLine {
                    package_label: Some(TagLabel::issue(7, *s).to_string()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    fn rows(r: Result<PlannedManifest, Rejection>) -> Vec<(usize, String)> {
        match r {
            Err(Rejection::Rows(rows)) => rows.into_iter().map(|r| (r.row, r.message)).collect(),
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_manifest_plans() {
        let (dist, w) = world();
        let ctx = Ctx {
            facility: &dist,
            now: NOW.into(),
        };
        let m = plan_manifest(&ctx, &w, &spec("MFG", &[1, 2]), 200).unwrap();
        assert_eq!(
            (
                m.recipient.license_number.as_str(),
                m.lines.len(),
                m.transporter.license_number.as_str()
            ),
            ("MFG", 2, "DIST")
        );
    }

    /// Rule 46: a retailer receives only packages that passed testing.
    #[test]
    fn rule_46_untested_packages_do_not_go_to_retail() {
        let (dist, w) = world();
        let ctx = Ctx {
            facility: &dist,
            now: NOW.into(),
        };
        let r = rows(plan_manifest(&ctx, &w, &spec("SHOP", &[1, 2]), 200));
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].0, 1);
        assert!(r[0].1.contains("NotSubmitted"), "{r:?}");
    }

    /// Rule 31: a cultivator cannot receive edibles.
    #[test]
    fn rule_31_recipient_must_be_able_to_receive_the_category() {
        let (dist, w) = world();
        let ctx = Ctx {
            facility: &dist,
            now: NOW.into(),
        };
        assert!(
            rows(plan_manifest(&ctx, &w, &spec("FARM", &[1]), 200))[0]
                .1
                .contains("cannot receive")
        );
    }

    /// Rules 33, 34, 38 and 35: only active, unheld packages of the shipper, not already moving.
    #[test]
    fn rules_33_34_38_only_active_free_packages_ship() {
        let (dist, mut w) = world();
        let ctx = Ctx {
            facility: &dist,
            now: NOW.into(),
        };
        let label = |s| TagLabel::issue(7, s).to_string();
        if let Some(p) = w.packages.get_mut(&label(1)) {
            p.on_hold = true;
        }
        if let Some(p) = w.packages.get_mut(&label(3)) {
            p.state = PackageState::Finished;
        }
        w.on_manifests.insert(label(2));
        let r = rows(plan_manifest(&ctx, &w, &spec("MFG", &[1, 2, 3, 9]), 200));
        let msgs: Vec<&str> = r.iter().map(|(_, m)| m.as_str()).collect();
        assert!(
            msgs[0].contains("on hold")
                && msgs[1].contains("another manifest")
                && msgs[2].contains("finished")
                && msgs[3].contains("not in active inventory"),
            "{msgs:?}"
        );
    }

    /// Rules 39, 40, 42, 47: a distributor transports with its own driver and vehicle; the
    /// manifest carries its times; wholesale needs prices; at most 200 packages.
    #[test]
    fn rules_39_40_42_47_manifest_shape() {
        let (dist, w) = world();
        let ctx = Ctx {
            facility: &dist,
            now: NOW.into(),
        };
        let mut s = spec("MFG", &[1]);
        s.transporter_license = Some("MFG".into());
        assert!(
            matches!(plan_manifest(&ctx, &w, &s, 200), Err(Rejection::Invalid(m)) if m.contains("distributor"))
        );
        let mut s = spec("MFG", &[1]);
        s.estimated_arrival = None;
        assert!(
            matches!(plan_manifest(&ctx, &w, &s, 200), Err(Rejection::Invalid(m)) if m.contains("EstimatedArrival"))
        );
        let mut s = spec("MFG", &[1]);
        s.transfer_type = Some("Wholesale Manifest".into());
        assert!(
            rows(plan_manifest(&ctx, &w, &s, 200))[0]
                .1
                .contains("WholesalePrice")
        );
        s.packages[0].wholesale_price = Some(Decimal::new(1250, 2));
        assert!(plan_manifest(&ctx, &w, &s, 200).is_ok());
        assert!(
            matches!(plan_manifest(&ctx, &w, &spec("MFG", &[1, 3]), 1), Err(Rejection::Invalid(m)) if m.contains("more than 1"))
        );
    }

    /// Bulletin IV and rule 47: a one-column CSV/TXT list; every bad line named; nothing unless
    /// every line is good.
    #[test]
    fn package_lists_report_every_bad_line() {
        let a = TagLabel::issue(1, 1).to_string();
        let b = TagLabel::issue(1, 2).to_string();
        let good = format!("\u{feff}Label\r\n{a}\r\n\r\n\"{b}\"\n");
        assert_eq!(parse_package_list(&good, 200).unwrap().len(), 2);
        let bad = format!("{a}\nnot-a-uid\n{a}\n{b},{a}\n");
        let errs = parse_package_list(&bad, 200).unwrap_err();
        assert_eq!(
            errs.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![2, 3, 4]
        );
        assert!(errs[1].reason.contains("line 1"), "{errs:?}");
        let many: String = (1..=201)
            .map(|i| format!("{}\n", TagLabel::issue(2, i)))
            .collect();
        assert!(
            parse_package_list(&many, 200).unwrap_err()[0]
                .reason
                .contains("at most 200")
        );
        assert!(parse_package_list("\n\n", 200).is_err());
        // Line numbers count CRLF lines as an editor does.
        let crlf = format!("Label\r\n{a}\r\nnot-a-uid\r\n");
        assert_eq!(parse_package_list(&crlf, 200).unwrap_err()[0].line, 3);
    }

    /// Rule 48: void only before departure.
    #[test]
    fn rule_48_void_before_departure_only() {
        assert!(check_void(TransferState::Outgoing).is_ok());
        assert!(check_void(TransferState::InTransit).is_err());
        assert!(check_void(TransferState::Received).is_err());
    }

    /// Rule 44: whole packages, every one decided, rejections with a reason, variances warned.
    #[test]
    fn rule_44_receipts_are_whole_and_complete() {
        let shipped: HashMap<String, Decimal> = [
            ("A".to_string(), Decimal::TEN),
            ("B".to_string(), Decimal::TEN),
        ]
        .into();
        let none = ReceivingLocations::new();
        let decide = |lines: &[ReceiptLine]| decide_receipt("MFG", &shipped, lines, &none);
        let line = |l: &str, accept: bool, reason: Option<&str>, qty: Option<i64>| ReceiptLine {
            package_label: Some(l.into()),
            accept: Some(accept),
            reason: reason.map(str::to_string),
            received_quantity: qty.map(|q| Decimal::new(q, 0)),
            receiver_wholesale_price: None,
            location: None,
        };
        assert!(
            matches!(decide(&[line("A", true, None, None)]), Err(Rejection::Invalid(m)) if m.contains("Partial receipt"))
        );
        assert!(matches!(
            decide(&[line("A", true, None, None), line("B", false, None, None)]),
            Err(Rejection::Rows(_))
        ));
        let (out, warnings) = decide(&[
            line("A", true, None, Some(9)),
            line("B", false, Some("Damaged"), None),
        ])
        .unwrap();
        assert_eq!(out[0].state, ShipmentState::Accepted);
        assert_eq!(out[1].state, ShipmentState::Rejected);
        assert_eq!(out[0].location, None, "no location named, none given");
        assert_eq!(warnings.len(), 1, "received 9 of 10");
    }

    fn location(id: i64, lic: &str, name: &str, kind: &str, active: bool) -> Location {
        Location {
            id,
            license_number: lic.into(),
            name: name.into(),
            location_type_id: 1,
            location_type_name: kind.into(),
            active,
            last_modified: NOW.into(),
        }
    }

    /// Rule 44 (where accepted packages go): a receipt may name, per accepted package, a
    /// location of the receiving license; it must be the receiver's own, active, and one that
    /// holds packages. A rejected package goes back to the shipper and takes none.
    #[test]
    fn rule_44_accepted_packages_go_to_an_active_location_of_the_receiver() {
        let shipped: HashMap<String, Decimal> = [
            ("A".to_string(), Decimal::TEN),
            ("B".to_string(), Decimal::TEN),
        ]
        .into();
        let mut locations = ReceivingLocations::new();
        for l in [
            location(1, "MFG", "Finished Goods", "Storage", true),
            location(2, "MFG", "Old Cage", "Quarantine", false),
            location(3, "MFG", "Drying Room", "Drying", true),
            // Another license's location, loaded by mistake under the same name.
            location(4, "DIST", "Receiving Dock", "Default", true),
        ] {
            locations.insert(fold(&l.name), l);
        }
        let line = |l: &str, accept: bool, at: Option<&str>| ReceiptLine {
            package_label: Some(l.into()),
            accept: Some(accept),
            reason: (!accept).then(|| "Damaged".to_string()),
            location: at.map(str::to_string),
            ..Default::default()
        };
        let decide = |lines: &[ReceiptLine]| decide_receipt("MFG", &shipped, lines, &locations);
        // Named in any case; the package takes the location as the receiver keeps it.
        let (out, _) = decide(&[
            line("A", true, Some(" finished goods ")),
            line("B", true, None),
        ])
        .unwrap();
        assert_eq!(out[0].location.as_ref().map(|l| l.id), Some(1));
        assert_eq!(out[1].location, None);
        let refused = |lines: &[ReceiptLine]| match decide(lines) {
            Err(Rejection::Rows(rows)) => rows.into_iter().map(|r| (r.row, r.message)).collect(),
            other => panic!("expected row errors, got {other:?}"),
        };
        let rows: Vec<(usize, String)> = refused(&[
            line("A", true, Some("Receiving Dock")),
            line("B", true, Some("Old Cage")),
        ]);
        assert!(rows[0].1.contains("does not exist at MFG"), "{rows:?}");
        assert!(rows[1].1.contains("archived"), "{rows:?}");
        let rows = refused(&[
            line("A", true, Some("Drying Room")),
            line("B", false, Some("Finished Goods")),
        ]);
        assert!(rows[0].1.contains("holds no packages"), "{rows:?}");
        assert!(rows[1].1.contains("takes no location"), "{rows:?}");
        let rows = refused(&[line("A", true, Some("Nowhere")), line("B", true, None)]);
        assert_eq!(rows.len(), 1);
        assert!(
            rows[0].1.contains("Location Nowhere does not exist"),
            "{rows:?}"
        );
    }
}
