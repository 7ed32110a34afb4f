//! The cultivation decisions, named for the rules they hold.

use super::batches::{self, AdjustSpec, DestroySpec, GrowthPhaseSpec, Planting};
use super::tagged;
use super::*;
use crate::license::LicenseType;
use crate::records::{Facility, GrowthPhase, PlantBatchType};
use crate::tag::{TagKind, TagLabel, TagStatus};
use proptest::prelude::*;

const NOW: &str = "2026-06-01T12:00:00.000000+00:00";
const LIC: &str = "CCL-1";

fn facility() -> Facility {
    Facility {
        id: 1,
        license_number: LIC.into(),
        license_type: LicenseType::Cultivator,
        name: "Farm".into(),
        display_name: "Farm".into(),
        license_start_date: "2026-01-01".into(),
        license_end_date: "2026-12-31".into(),
        address: None,
        credentialed_date: "2026-01-01".into(),
        onboarding: Default::default(),
        active: true,
        last_modified: NOW.into(),
    }
}

fn plant_tag(seq: u32, status: TagStatus) -> Tag {
    Tag {
        id: i64::from(seq),
        license_number: LIC.into(),
        label: TagLabel::issue(7, seq),
        kind: TagKind::Plant,
        tag_status: status,
        order_id: 1,
        shipped_at: NOW.into(),
        received_at: Some(NOW.into()),
        used_at: None,
        voided_at: None,
        active: true,
        last_modified: NOW.into(),
    }
}

fn location(id: i64, name: &str, ty: &str) -> Location {
    Location {
        id,
        license_number: LIC.into(),
        name: name.into(),
        location_type_id: 1,
        location_type_name: ty.into(),
        active: true,
        last_modified: NOW.into(),
    }
}

fn batch(id: i64, name: &str, count: i64) -> PlantBatch {
    PlantBatch {
        id,
        license_number: LIC.into(),
        name: name.into(),
        plant_batch_type: PlantBatchType::Clone,
        tag: None,
        strain_id: 1,
        strain_name: "Sour Diesel".into(),
        location_id: 1,
        location_name: "Greenhouse".into(),
        location_type_name: "Planting".into(),
        sublocation_id: None,
        sublocation_name: None,
        patient_license_number: None,
        untracked_count: count,
        tracked_count: 0,
        packaged_count: 0,
        destroyed_count: 0,
        source_package_id: None,
        source_package_label: None,
        source_plant_id: None,
        source_plant_label: None,
        source_plant_batch_ids: vec![],
        source_plant_batch_names: vec![],
        planted_date: "2026-05-01".into(),
        on_hold: false,
        finished_date: None,
        active: true,
        last_modified: NOW.into(),
    }
}

/// A cultivator with one strain, a plant location and a storage one, batch "Lot" of `count`
/// plants, and `tags` received plant tags in sequence.
fn world(count: i64, tags: u32) -> World {
    let mut w = World::default();
    let strain = Strain {
        id: 1,
        license_number: LIC.into(),
        name: "Sour Diesel".into(),
        testing_status: "None".into(),
        thc_level: None,
        cbd_level: None,
        indica_percentage: None,
        sativa_percentage: None,
        genetics: None,
        active: true,
        last_modified: NOW.into(),
    };
    w.strains.insert(fold(&strain.name), strain.clone());
    w.strain_ids.insert(1, strain);
    for l in [
        location(1, "Greenhouse", "Planting"),
        location(2, "Vault", "Storage"),
    ] {
        w.locations.insert(fold(&l.name), l);
    }
    let b = batch(10, "Lot", count);
    w.batches.insert(fold(&b.name), b.clone());
    w.batch_ids.insert(b.id, b);
    for seq in 1..=tags {
        let t = plant_tag(seq, TagStatus::Received);
        w.tags.insert(t.label.to_string(), t);
    }
    w
}

fn next() -> NextIds {
    NextIds {
        batch: 100,
        plant: 200,
        waste: 300,
        package: 400,
    }
}

fn ctx(f: &Facility) -> Ctx<'_> {
    Ctx {
        facility: f,
        now: NOW.into(),
    }
}

fn row_message(r: Result<Changed, Rejection>) -> String {
    match r {
        Err(Rejection::Rows(rows)) => {
            assert_eq!(rows.len(), 1, "{rows:?}");
            rows[0].message.clone()
        }
        other => panic!("expected one row error, got {other:?}"),
    }
}

fn planting(count: i64, source_batch: bool) -> Planting {
    Planting {
        name: Some("New".into()),
        batch_type: Some("Clone".into()),
        count: Some(count),
        strain: Some("Sour Diesel".into()),
        location: Some("Greenhouse".into()),
        source_plant_batches: if source_batch {
            vec!["Lot".into()]
        } else {
            vec![]
        },
        ..Default::default()
    }
}

fn growth(count: i64, start: u32, phase: &str, location: &str) -> GrowthPhaseSpec {
    GrowthPhaseSpec {
        name: Some("Lot".into()),
        count: Some(count),
        starting_tag: Some(TagLabel::issue(7, start).to_string()),
        growth_phase: Some(phase.into()),
        new_location: Some(location.into()),
        ..Default::default()
    }
}

fn waste(reason: &str, note: Option<&str>) -> WasteSpec {
    WasteSpec {
        method: Some("Compost".into()),
        weight: Some(Decimal::new(125, 1)),
        unit: Some("Grams".into()),
        reason: Some(reason.into()),
        note: note.map(Into::into),
        ..Default::default()
    }
}

#[test]
fn rule_22_a_planting_needs_a_source() {
    let f = facility();
    let w = world(5, 0);
    let msg = row_message(batches::plantings(
        &ctx(&f),
        &w,
        "grower",
        next(),
        &[planting(3, false)],
    ));
    assert!(
        msg.contains("A source package or source plant is required"),
        "{msg}"
    );
    let c = batches::plantings(&ctx(&f), &w, "grower", next(), &[planting(3, true)]).unwrap();
    assert_eq!(c.ids, vec![100]);
    assert_eq!(c.batches[0].source_plant_batch_names, vec!["Lot"]);
    assert_eq!(c.batches[0].untracked_count, 3);
}

#[test]
fn rule_19_a_lot_holds_at_most_100_plants() {
    let f = facility();
    let w = world(100, 0);
    let msg = row_message(batches::plantings(
        &ctx(&f),
        &w,
        "g",
        next(),
        &[planting(101, true)],
    ));
    assert!(msg.contains("cannot exceed 100 plants"), "{msg}");
    let up = AdjustSpec {
        name: Some("Lot".into()),
        quantity: Some(1),
        reason: Some("Scale Variance".into()),
        ..Default::default()
    };
    let msg = row_message(batches::adjust(&ctx(&f), &w, "g", next(), &[up]));
    assert!(msg.contains("cannot exceed 100 plants"), "{msg}");
}

#[test]
fn rule_24_a_count_never_goes_below_zero() {
    let f = facility();
    let w = world(3, 0);
    let down = AdjustSpec {
        name: Some("Lot".into()),
        quantity: Some(-4),
        reason: Some("Spoilage".into()),
        ..Default::default()
    };
    let msg = row_message(batches::adjust(&ctx(&f), &w, "g", next(), &[down]));
    assert!(msg.contains("Count cannot be less than zero"), "{msg}");
    let destroy = DestroySpec {
        batch: Some("Lot".into()),
        count: Some(4),
        waste: waste("Unhealthy or Died", None),
    };
    let msg = row_message(batches::destroy(&ctx(&f), &w, "g", next(), &[destroy]));
    assert!(msg.contains("less than zero"), "{msg}");
}

#[test]
fn rule_20_each_plant_takes_the_next_tag_in_sequence() {
    let f = facility();
    let w = world(5, 3);
    let c = batches::change_growth_phase(
        &ctx(&f),
        &w,
        "g",
        next(),
        &[growth(3, 1, "Vegetative", "Greenhouse")],
    )
    .unwrap();
    let labels: Vec<String> = c.plants.iter().map(|p| p.label.to_string()).collect();
    let want: Vec<String> = (1..=3).map(|s| TagLabel::issue(7, s).to_string()).collect();
    assert_eq!(labels, want);
    assert!(c.tags.iter().all(|t| t.tag_status == TagStatus::Used));
    assert_eq!(c.batches[0].untracked_count, 2);
    assert_eq!(c.batches[0].tracked_count, 3);
    assert_eq!(c.ids, vec![200, 201, 202]);
    // One more plant than there are tags from the second one on.
    let msg = row_message(batches::change_growth_phase(
        &ctx(&f),
        &w,
        "g",
        next(),
        &[growth(3, 2, "Vegetative", "Greenhouse")],
    ));
    assert!(msg.contains("Insufficient plant tags: 3 required"), "{msg}");
}

#[test]
fn rule_20_a_used_tag_is_not_counted() {
    let f = facility();
    let mut w = world(5, 2);
    let used = plant_tag(2, TagStatus::Used);
    w.tags.insert(used.label.to_string(), used);
    let msg = row_message(batches::change_growth_phase(
        &ctx(&f),
        &w,
        "g",
        next(),
        &[growth(2, 1, "Vegetative", "Greenhouse")],
    ));
    assert!(msg.contains("Insufficient plant tags: 2 required"), "{msg}");
}

#[test]
fn rule_21_flowering_only_in_a_canopy_location() {
    let f = facility();
    let w = world(5, 2);
    let msg = row_message(batches::change_growth_phase(
        &ctx(&f),
        &w,
        "g",
        next(),
        &[growth(1, 1, "Flowering", "Vault")],
    ));
    assert!(
        msg.contains("Flowering plants must be in a designated canopy location"),
        "{msg}"
    );
    let c = batches::change_growth_phase(
        &ctx(&f),
        &w,
        "g",
        next(),
        &[growth(1, 1, "Flowering", "Greenhouse")],
    )
    .unwrap();
    assert_eq!(c.plants[0].growth_phase, GrowthPhase::Flowering);
    assert_eq!(c.plants[0].flowering_date.as_deref(), Some("2026-06-01"));
}

#[test]
fn rule_57_waste_needs_method_reason_weight_and_a_note_where_the_reason_asks() {
    let f = facility();
    let c = ctx(&f);
    let msg = waste("Other", None).check(&c, "WasteDate").unwrap_err();
    assert!(msg.contains("Waste reason Other requires a note"), "{msg}");
    assert!(
        waste("Other", Some("fell over"))
            .check(&c, "WasteDate")
            .is_ok()
    );
    let mut no_method = waste("Contamination", None);
    no_method.method = None;
    assert!(
        no_method
            .check(&c, "WasteDate")
            .unwrap_err()
            .contains("WasteMethodName")
    );
    let mut counted = waste("Contamination", None);
    counted.unit = Some("Each".into());
    assert!(
        counted
            .check(&c, "WasteDate")
            .unwrap_err()
            .contains("not a weight")
    );
    let mut long = waste("Other", None);
    long.note = Some("x".repeat(MAX_NOTE_CHARS + 1));
    assert!(
        long.check(&c, "WasteDate")
            .unwrap_err()
            .contains("longer than")
    );
}

#[test]
fn rule_16_no_activity_is_recorded_ahead_of_time() {
    let f = facility();
    let mut w = waste("Contamination", None);
    w.date = Some("2026-06-02".into());
    assert!(
        w.check(&ctx(&f), "WasteDate")
            .unwrap_err()
            .contains("in the future")
    );
    w.date = Some("2026-06-01T08:00:00Z".into());
    assert_eq!(w.check(&ctx(&f), "WasteDate").unwrap().date, "2026-06-01");
}

#[test]
fn rule_16_late_destruction_is_accepted_with_a_warning() {
    let f = facility();
    let w = world(5, 0);
    let destroy = |date: &str| DestroySpec {
        batch: Some("Lot".into()),
        count: Some(1),
        waste: WasteSpec {
            date: Some(date.into()),
            ..waste("Male Plants", None)
        },
    };
    // Yesterday may have been less than 24 hours ago; two days ago was not.
    let c = batches::destroy(&ctx(&f), &w, "g", next(), &[destroy("2026-05-31")]).unwrap();
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let c = batches::destroy(&ctx(&f), &w, "g", next(), &[destroy("2026-05-29")]).unwrap();
    assert_eq!(c.warnings.len(), 1);
    assert!(c.warnings[0].contains("requires 24 h"), "{:?}", c.warnings);
    assert_eq!(c.batches[0].destroyed_count, 1);
}

#[test]
fn rule_17_destroying_a_plant_records_its_waste_who_and_why() {
    let f = facility();
    let mut w = world(5, 1);
    let c = batches::change_growth_phase(
        &ctx(&f),
        &w,
        "g",
        next(),
        &[growth(1, 1, "Vegetative", "Greenhouse")],
    )
    .unwrap();
    let p = c.plants[0].clone();
    w.plants.insert(p.label.to_string(), p.clone());
    w.plant_ids.insert(p.id, p.clone());
    let spec = tagged::DestroySpec {
        id: Some(p.id),
        waste: waste("Male Plants", None),
        ..Default::default()
    };
    let c = tagged::destroy(&ctx(&f), &w, "Rosa Alvarez", next(), &[spec]).unwrap();
    let (plant, waste) = (&c.plants[0], &c.waste[0]);
    assert!(!plant.active);
    assert_eq!(
        plant.destroyed_by_user_name.as_deref(),
        Some("Rosa Alvarez")
    );
    assert_eq!(plant.destroyed_note.as_deref(), Some("Male Plants"));
    assert_eq!(waste.recorded_by, "Rosa Alvarez");
    assert_eq!(waste.plants.len(), 1);
    assert_eq!(waste.kind(), "Plant");
}

#[test]
fn a_refused_row_leaves_the_next_row_the_state_before_it() {
    let f = facility();
    let w = world(5, 0);
    let spec = |q: i64, reason: &str| AdjustSpec {
        name: Some("Lot".into()),
        quantity: Some(q),
        reason: Some(reason.into()),
        ..Default::default()
    };
    // Row 0 fails after its count check (the reason needs a note); row 1 must still see 5.
    let r = batches::adjust(
        &ctx(&f),
        &w,
        "g",
        next(),
        &[spec(-5, "Theft"), spec(-6, "Spoilage")],
    );
    match r {
        Err(Rejection::Rows(rows)) => {
            assert_eq!(rows.len(), 2);
            assert!(rows[1].message.contains("less than zero"), "{rows:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn tag_runs_count_on_from_the_starting_tag() {
    let run = tag_run(TagLabel::issue(7, 999_999_998).as_str(), 2).unwrap();
    assert_eq!(run[1], TagLabel::issue(7, 999_999_999));
    let past = tag_run(TagLabel::issue(7, 999_999_999).as_str(), 2).unwrap_err();
    assert!(past.contains("runs past"), "{past}");
}

proptest! {
    /// Rules 19 and 24: whatever adjustments and destructions are asked for, an accepted
    /// request leaves the lot within 0..=100, and a refused one changes nothing.
    #[test]
    fn counts_stay_within_the_lot(start in 0i64..=100, deltas in proptest::collection::vec(-120i64..120, 1..6)) {
        let f = facility();
        let w = world(start, 0);
        let specs: Vec<AdjustSpec> = deltas
            .iter()
            .map(|d| AdjustSpec {
                name: Some("Lot".into()),
                quantity: Some(*d),
                reason: Some("Scale Variance".into()),
                ..Default::default()
            })
            .collect();
        // An emptied lot leaves the active list, so a later row cannot address it.
        let (mut running, mut valid, mut emptied) = (start, true, false);
        for d in &deltas {
            running += d;
            valid &= !emptied && *d != 0 && (0..=MAX_LOT).contains(&running);
            emptied |= running == 0;
        }
        match batches::adjust(&ctx(&f), &w, "g", next(), &specs) {
            Ok(c) => {
                prop_assert!(valid);
                let b = &c.batches[0];
                prop_assert!((0..=MAX_LOT).contains(&b.untracked_count));
                prop_assert_eq!(b.untracked_count, running);
            }
            Err(_) => prop_assert!(!valid),
        }
    }
}
