//! Manifests: the two steps Metrc's API has no endpoint for — registering an outgoing manifest
//! and receiving an incoming delivery (Metrc's v2 API creates transfer *templates*; the
//! manifest itself and its receipt are done in Metrc's web UI).
//!
//! In the workbench each is a submission like any other (draft → review → approved), and then
//! either a **manual task** with a checklist the person works through in Metrc's web UI,
//! accepted only when a later sync shows the effect ([`registered`], [`received`]), or — when
//! the company's Metrc is a tagtrail ledger — a request to the ledger's `/tagtrail/v1`
//! extension, delivered by the outbox exactly once like every other write.
//!
//! An action never spans two licenses: registering is the shipper's, receiving the
//! recipient's, each in its own license's context.

use crate::preflight::TransferDraft;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A manifest to register: the transfer (recipient, type, packages) and how it travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestDraft {
    pub transfer: TransferDraft,
    pub transport: Transport,
}

/// What a manifest carries besides its packages (rule 40: the transporter, driver, vehicle,
/// and estimated departure and arrival).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transport {
    pub transporter_license: String,
    pub driver_name: String,
    pub driver_occupational_license: String,
    pub driver_license: String,
    pub vehicle_make: String,
    pub vehicle_model: String,
    pub vehicle_plate: String,
    /// `YYYY-MM-DDTHH:MM:SS`, the facility's local time, as Metrc takes it.
    pub estimated_departure: String,
    pub estimated_arrival: String,
    pub phone_for_questions: String,
}

impl Transport {
    /// The rule-40 fields left empty, by their names on Metrc's manifest form.
    pub fn missing(&self) -> Vec<&'static str> {
        [
            ("transporter license", &self.transporter_license),
            ("driver name", &self.driver_name),
            (
                "driver occupational license",
                &self.driver_occupational_license,
            ),
            ("driver's license", &self.driver_license),
            ("vehicle make", &self.vehicle_make),
            ("vehicle model", &self.vehicle_model),
            ("vehicle plate", &self.vehicle_plate),
            ("estimated departure", &self.estimated_departure),
            ("estimated arrival", &self.estimated_arrival),
        ]
        .into_iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(n, _)| n)
        .collect()
    }
}

/// One package's decision on receipt: accepted whole (at the received quantity, default as
/// shipped) or rejected with a reason (rule 44: no partial receipts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub label: String,
    pub accept: bool,
    pub received_quantity: Option<Decimal>,
    pub reason: Option<String>,
    /// The receiving checklist: what was counted or weighed on arrival, whether the label
    /// matches the manifest, whether the package arrived intact. `None` where not checked.
    #[serde(default)]
    pub counted: Option<Decimal>,
    #[serde(default)]
    pub label_ok: Option<bool>,
    #[serde(default)]
    pub intact: Option<bool>,
}

/// Receiving one incoming delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Metrc's delivery id (a manifest has one delivery in California, rule 41).
    pub delivery_id: i64,
    pub manifest_number: String,
    pub shipper_license: String,
    pub lines: Vec<ReceiptLine>,
}

/// One package of a delivery, as the last sync saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveredPackage {
    pub shipped_quantity: Decimal,
    pub unit: String,
    /// Metrc's `ShipmentPackageState`: `Shipped` until received, then `Accepted` or
    /// `Rejected` (and `Returned`).
    pub state: String,
}

/// A delivery addressed to this license, as the last sync saw it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IncomingDelivery {
    pub manifest_number: String,
    pub shipper_license: String,
    pub packages: BTreeMap<String, DeliveredPackage>,
}

/// A reason is kept to this length (the ledger's and Metrc's field size).
pub const MAX_REASON: usize = 300;

/// Problems of a receipt against the delivery the last sync saw, as `(row, message)` where the
/// row is the line's index and `None` means the receipt as a whole.
pub fn check_receipt(
    r: &Receipt,
    deliveries: &BTreeMap<i64, IncomingDelivery>,
) -> Vec<(Option<usize>, String)> {
    let mut out = vec![];
    let Some(d) = deliveries.get(&r.delivery_id) else {
        out.push((
            None,
            format!(
                "delivery {} (manifest {}) is not among this license's incoming deliveries at the last sync; run a sync, or check the license",
                r.delivery_id, r.manifest_number
            ),
        ));
        return out;
    };
    let mut seen = BTreeSet::new();
    for (i, line) in r.lines.iter().enumerate() {
        if !seen.insert(line.label.as_str()) {
            out.push((Some(i), format!("package {} is decided twice", line.label)));
            continue;
        }
        match d.packages.get(&line.label) {
            None => out.push((
                Some(i),
                format!(
                    "package {} is not on manifest {}",
                    line.label, d.manifest_number
                ),
            )),
            Some(p) if p.state != "Shipped" => out.push((
                Some(i),
                format!(
                    "package {} is already {} on this delivery",
                    line.label,
                    p.state.to_lowercase()
                ),
            )),
            Some(_) => {}
        }
        if line.counted.is_some_and(|q| q < Decimal::ZERO) {
            out.push((Some(i), "a count cannot be below zero".into()));
        }
        if line.accept {
            if line.received_quantity.is_some_and(|q| q < Decimal::ZERO) {
                out.push((Some(i), "a received quantity cannot be below zero".into()));
            }
            let failed: Vec<&str> = [
                (line.label_ok == Some(false), "its label does not match"),
                (line.intact == Some(false), "it did not arrive intact"),
            ]
            .into_iter()
            .filter(|(f, _)| *f)
            .map(|(_, w)| w)
            .collect();
            if !failed.is_empty() {
                out.push((
                    Some(i),
                    format!(
                        "package {}: {}; reject it (with that reason), or put it right before accepting",
                        line.label,
                        failed.join(" and ")
                    ),
                ));
            }
            // Rule 44: what is accepted is what arrived; a variance from the manifest is
            // reported with the receipt, not hidden.
            let accepting = line
                .received_quantity
                .or(d.packages.get(&line.label).map(|p| p.shipped_quantity));
            if let (Some(counted), Some(accepting)) = (line.counted, accepting)
                && counted != accepting
            {
                out.push((
                    Some(i),
                    format!(
                        "package {}: {} counted on arrival but {} to be received; receive what was counted (the variance from the manifest is reported, rule 44)",
                        line.label,
                        counted.normalize(),
                        accepting.normalize()
                    ),
                ));
            }
        } else {
            let reason = line.reason.as_deref().map(str::trim).unwrap_or("");
            if reason.is_empty() {
                out.push((
                    Some(i),
                    format!("say why package {} is rejected", line.label),
                ));
            } else if reason.chars().count() > MAX_REASON {
                out.push((
                    Some(i),
                    format!("a rejection reason is at most {MAX_REASON} characters"),
                ));
            }
        }
    }
    // Rule 44: a delivery is received whole — every package accepted or rejected at once.
    let undecided: Vec<&str> = d
        .packages
        .iter()
        .filter(|(l, p)| p.state == "Shipped" && !seen.contains(l.as_str()))
        .map(|(l, _)| l.as_str())
        .collect();
    if !undecided.is_empty() {
        out.push((
            None,
            format!(
                "a delivery is received whole: decide every package (missing: {})",
                undecided.join(", ")
            ),
        ));
    }
    out
}

/// Whether a sync shows the receipt applied: every line's package in the state it decided.
pub fn received(r: &Receipt, deliveries: &BTreeMap<i64, IncomingDelivery>) -> bool {
    let Some(d) = deliveries.get(&r.delivery_id) else {
        return false;
    };
    !r.lines.is_empty()
        && r.lines.iter().all(|l| {
            d.packages
                .get(&l.label)
                .is_some_and(|p| p.state == if l.accept { "Accepted" } else { "Rejected" })
        })
}

/// Taking back the packages a recipient rejected (rule 45: they stay the shipper's, who
/// receives them back when they return). One manifest at a time: every package rejected on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakeBack {
    /// Metrc's transfer id (what the `/tagtrail/v1` extension names).
    pub transfer_id: i64,
    pub delivery_id: i64,
    pub manifest_number: String,
    pub recipient_license: String,
    pub labels: Vec<String>,
}

/// A package of one of this license's outgoing manifests that its recipient rejected, as a sync
/// saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub transfer_id: i64,
    pub delivery_id: i64,
    pub manifest_number: String,
    pub recipient_license: String,
    /// `Rejected` until taken back, then `Returned`.
    pub state: String,
}

/// Problems of a take-back against what the last sync saw.
pub fn check_take_back(
    t: &TakeBack,
    rejected: &BTreeMap<String, Rejected>,
) -> Vec<(Option<usize>, String)> {
    let mut out = vec![];
    let on_it: BTreeSet<&str> = rejected
        .iter()
        .filter(|(_, r)| r.delivery_id == t.delivery_id && r.state == "Rejected")
        .map(|(l, _)| l.as_str())
        .collect();
    if on_it.is_empty() {
        out.push((
            None,
            format!(
                "manifest {} has no rejected package waiting to be taken back at the last sync; run a sync",
                t.manifest_number
            ),
        ));
        return out;
    }
    let asked: BTreeSet<&str> = t.labels.iter().map(String::as_str).collect();
    if asked != on_it {
        out.push((
            None,
            format!(
                "a take-back receives every package rejected on the manifest at once: {}",
                on_it.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    out
}

/// Whether a sync (or a read-back) shows every package of the take-back returned.
pub fn taken_back(t: &TakeBack, states: &BTreeMap<String, String>) -> bool {
    !t.labels.is_empty()
        && t.labels
            .iter()
            .all(|l| states.get(l).map(String::as_str) == Some("Returned"))
}

/// The steps to take the rejected packages back in Metrc's web UI.
pub fn take_back_checklist(shipper_license: &str, t: &TakeBack) -> Vec<String> {
    vec![
        format!(
            "In Metrc, signed in to license {shipper_license}, open Transfers › Licensed › Rejected and find manifest {} (rejected by {}).",
            t.manifest_number, t.recipient_license
        ),
        format!(
            "Check that these {} package(s) came back: {}.",
            t.labels.len(),
            t.labels.join(", ")
        ),
        "Receive them back into inventory.".into(),
        "Run a sync (or wait for the next one): the task is accepted when every package shows returned.".into(),
    ]
}

/// A delivery of an outgoing manifest, as a sync saw it (the shipper's side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingDelivery {
    pub delivery_id: i64,
    pub manifest_number: String,
    pub recipient_license: String,
    pub labels: BTreeSet<String>,
}

/// The outgoing delivery that shows a registration applied: addressed to the recipient and
/// carrying exactly the drafted packages, among deliveries first seen after the task started
/// (so an older manifest of the same packages, rejected and returned, does not count).
pub fn registered<'a>(
    recipient_license: &str,
    packages: &[String],
    seen_since_start: &'a [OutgoingDelivery],
) -> Option<&'a OutgoingDelivery> {
    let want: BTreeSet<&str> = packages.iter().map(String::as_str).collect();
    seen_since_start.iter().find(|d| {
        d.recipient_license
            .eq_ignore_ascii_case(recipient_license.trim())
            && d.labels.iter().map(String::as_str).collect::<BTreeSet<_>>() == want
    })
}

/// The steps a person takes in Metrc's web UI to register the manifest, in order. The last
/// says how the task ends: a sync that shows the manifest.
pub fn register_checklist(shipper_license: &str, m: &ManifestDraft) -> Vec<String> {
    let (t, x) = (&m.transfer, &m.transport);
    vec![
        format!(
            "In Metrc, signed in to license {shipper_license}, open Transfers › Licensed › Outgoing and choose New Transfer."
        ),
        format!(
            "Destination {}, transfer type {}; estimated departure {}, estimated arrival {}.",
            t.recipient_license, t.transfer_type, x.estimated_departure, x.estimated_arrival
        ),
        format!(
            "Transporter {}: driver {} (occupational license {}, driver's license {}), vehicle {} {}, plate {}.",
            x.transporter_license,
            x.driver_name,
            x.driver_occupational_license,
            x.driver_license,
            x.vehicle_make,
            x.vehicle_model,
            x.vehicle_plate
        ),
        format!(
            "Add exactly these {} package(s): {}.",
            t.packages.len(),
            t.packages.join(", ")
        ),
        "Register the transfer, print the manifest, and send it with the packages.".into(),
        "Run a sync (or wait for the next one): the task is accepted when the new manifest shows these packages.".into(),
    ]
}

/// The steps to receive the delivery in Metrc's web UI, one per package decision.
pub fn receive_checklist(recipient_license: &str, r: &Receipt) -> Vec<String> {
    let mut out = vec![format!(
        "In Metrc, signed in to license {recipient_license}, open Transfers › Licensed › Incoming, find manifest {} from {}, and choose Receive.",
        r.manifest_number, r.shipper_license
    )];
    for l in &r.lines {
        if let Some(c) = l.counted {
            out.push(format!(
                "Package {}: counted {} on arrival.",
                l.label,
                c.normalize()
            ));
        }
        out.push(match (l.accept, l.received_quantity) {
            (true, None) => format!("Accept package {} as shipped.", l.label),
            (true, Some(q)) => format!("Accept package {} with received quantity {q}.", l.label),
            (false, _) => format!(
                "Reject package {}: {}.",
                l.label,
                l.reason.as_deref().unwrap_or("").trim()
            ),
        });
    }
    out.push("Confirm the receipt in Metrc.".into());
    out.push(
        "Run a sync (or wait for the next one): the task is accepted when every package shows accepted or rejected as decided here."
            .into(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn deliveries() -> BTreeMap<i64, IncomingDelivery> {
        let mut packages = BTreeMap::new();
        for l in ["A", "B"] {
            packages.insert(
                l.to_string(),
                DeliveredPackage {
                    shipped_quantity: d("10"),
                    unit: "Each".into(),
                    state: "Shipped".into(),
                },
            );
        }
        BTreeMap::from([(
            7,
            IncomingDelivery {
                manifest_number: "0000000042".into(),
                shipper_license: "M-1".into(),
                packages,
            },
        )])
    }

    fn line(label: &str, accept: bool, reason: Option<&str>) -> ReceiptLine {
        ReceiptLine {
            label: label.into(),
            accept,
            received_quantity: None,
            reason: reason.map(str::to_string),
            counted: None,
            label_ok: None,
            intact: None,
        }
    }

    fn receipt(lines: Vec<ReceiptLine>) -> Receipt {
        Receipt {
            delivery_id: 7,
            manifest_number: "0000000042".into(),
            shipper_license: "M-1".into(),
            lines,
        }
    }

    /// Rule 44: no partial receipts — every package is decided, each whole.
    #[test]
    fn rule_44_every_package_is_decided() {
        let r = receipt(vec![line("A", true, None)]);
        let p = check_receipt(&r, &deliveries());
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].0, None);
        assert!(p[0].1.contains("missing: B"), "{p:?}");
        let r = receipt(vec![line("A", true, None), line("B", false, Some("torn"))]);
        assert_eq!(check_receipt(&r, &deliveries()), vec![]);
    }

    /// Rule 44: a rejection gives a reason.
    #[test]
    fn rule_44_a_rejection_says_why() {
        let r = receipt(vec![line("A", true, None), line("B", false, Some("  "))]);
        let p = check_receipt(&r, &deliveries());
        assert_eq!(p, vec![(Some(1), "say why package B is rejected".into())]);
    }

    /// Rule 44: the receiving checklist — a count that differs from what is received, a label
    /// that does not match, a damaged package — stops an acceptance until it is put right.
    #[test]
    fn rule_44_the_receiving_checklist_is_evidence() {
        let mut a = line("A", true, None);
        a.counted = Some(d("9"));
        let mut b = line("B", true, None);
        b.label_ok = Some(false);
        b.intact = Some(false);
        let p = check_receipt(&receipt(vec![a.clone(), b]), &deliveries());
        assert!(p[0].1.contains("9 counted on arrival but 10"), "{p:?}");
        assert!(
            p[1].1
                .contains("label does not match and it did not arrive intact"),
            "{p:?}"
        );
        a.received_quantity = Some(d("9"));
        let ok = check_receipt(
            &receipt(vec![a, line("B", false, Some("torn label"))]),
            &deliveries(),
        );
        assert_eq!(ok, vec![]);
    }

    #[test]
    fn strangers_twins_and_unknown_deliveries_are_named() {
        let r = receipt(vec![
            line("A", true, None),
            line("A", true, None),
            line("B", true, None),
            line("Z", true, None),
        ]);
        let p = check_receipt(&r, &deliveries());
        assert_eq!(p[0], (Some(1), "package A is decided twice".into()));
        assert_eq!(
            p[1],
            (Some(3), "package Z is not on manifest 0000000042".into())
        );
        let mut r = receipt(vec![]);
        r.delivery_id = 8;
        assert!(check_receipt(&r, &deliveries())[0].1.contains("run a sync"));
    }

    #[test]
    fn received_needs_every_decision_visible() {
        let r = receipt(vec![line("A", true, None), line("B", false, Some("torn"))]);
        let mut ds = deliveries();
        assert!(!received(&r, &ds));
        let set = |ds: &mut BTreeMap<i64, IncomingDelivery>, l: &str, state: &str| {
            if let Some(p) = ds.get_mut(&7).and_then(|d| d.packages.get_mut(l)) {
                p.state = state.into();
            }
        };
        set(&mut ds, "A", "Accepted");
        assert!(!received(&r, &ds));
        set(&mut ds, "B", "Rejected");
        assert!(received(&r, &ds));
    }

    #[test]
    fn registered_matches_recipient_and_exact_packages() {
        let seen = vec![
            OutgoingDelivery {
                delivery_id: 1,
                manifest_number: "1".into(),
                recipient_license: "D-1".into(),
                labels: BTreeSet::from(["A".to_string()]),
            },
            OutgoingDelivery {
                delivery_id: 2,
                manifest_number: "2".into(),
                recipient_license: "D-1".into(),
                labels: BTreeSet::from(["A".to_string(), "B".to_string()]),
            },
        ];
        let got = registered("d-1", &["B".into(), "A".into()], &seen);
        assert_eq!(got.map(|d| d.delivery_id), Some(2));
        assert!(registered("D-2", &["A".into()], &seen).is_none());
    }

    /// Rule 40: a manifest names its transporter, driver, vehicle and times.
    #[test]
    fn rule_40_transport_fields_are_required() {
        let t = Transport {
            transporter_license: "D-1".into(),
            driver_name: "Luis".into(),
            ..Transport::default()
        };
        let m = t.missing();
        assert!(m.contains(&"vehicle plate") && m.contains(&"estimated arrival"));
        assert!(!m.contains(&"driver name"));
    }
}
