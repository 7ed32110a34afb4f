//! Test fixtures shared by the sales decisions' unit tests.

use crate::commands::Ctx;
use crate::commands::packages::Found;
use crate::lab_state::LabState;
use crate::license::LicenseType;
use crate::records::{Facility, Package};
use crate::tag::TagLabel;
use rust_decimal::Decimal;

pub const NOW: &str = "2026-06-01T12:00:00.000000+00:00";

pub fn facility(t: LicenseType) -> Facility {
    Facility {
        id: 1,
        license_number: "SHOP".into(),
        license_type: t,
        name: "Shop".into(),
        display_name: "Shop".into(),
        license_start_date: "2026-01-01".into(),
        license_end_date: "2026-12-31".into(),
        address: None,
        credentialed_date: "2026-01-01".into(),
        onboarding: Default::default(),
        active: true,
        last_modified: NOW.into(),
    }
}

pub fn ctx(f: &Facility) -> Ctx<'_> {
    Ctx {
        facility: f,
        now: NOW.into(),
    }
}

pub fn label(seq: u32) -> String {
    TagLabel::issue(9, seq).to_string()
}

/// A passed, active package of 10 Each (seq 1..), or of `unit`.
pub fn package(seq: u32, qty: i64, unit: &str) -> Package {
    let text = format!(
        r#"{{"id": {seq}, "license_number": "SHOP", "label": "{label}", "package_type": "Product",
        "item_id": 1, "item_name": "Gummies", "item_category": "Edible (Each)", "item_strain_name": null,
        "quantity": {qty}, "unit_of_measure": "{unit}", "original_quantity": {qty}, "location_id": null, "location_name": null,
        "sublocation_id": null, "sublocation_name": null, "note": null, "packaged_date": "2026-05-01",
        "packaged_by_license": "SHOP", "packaged_by_name": "S", "source_package_ids": [], "source_package_labels": [],
        "production_batch_number": null, "is_production_batch": false, "is_testing_sample": false, "is_trade_sample": false,
        "is_donation": false, "is_finished_good": false, "product_requires_remediation": false,
        "initial_lab_testing_state": "TestPassed", "lab_testing_state": "TestPassed", "lab_testing_state_date": "2026-05-01",
        "remediation_count": 0, "remediation_date": null, "decontamination_date": null, "on_hold": false, "hold_reason": null,
        "state": "Active", "finished_date": null, "expiration_date": null, "sell_by_date": null, "use_by_date": null,
        "external_id": null, "archived_date": null, "active": true, "last_modified": "{NOW}"}}"#,
        label = label(seq)
    );
    let mut p: Package = serde_json::from_str(&text).expect("fixture package");
    p.label = TagLabel::issue(9, seq);
    p.lab_testing_state = LabState::TestPassed;
    p
}

pub fn found(ps: &[Package]) -> Found {
    ps.iter()
        .map(|p| (p.label.to_string(), p.clone()))
        .collect()
}

pub fn dec(v: i64) -> Decimal {
    Decimal::from(v)
}
