//! Plant batches: plantings from a clones package, growth-phase changes that tag plants,
//! adjustments, splits, moves, renames, strain and tag changes, waste and destruction
//! (rules 16, 17, 19, 20, 21, 22, 24, 57), and the capability to grow.
//!
//! The demo cultivator has "Sour Diesel Clones" (Immature Plants, Each), "Greenhouse A" (a
//! Planting location), "Vault" (Storage) and 25 received plant tags.

use crate::helpers::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tagtrail_domain::commands::packages::NewPackage;

/// A package of `n` clones at the cultivator (the operator's opening balance); its label.
pub(crate) async fn clones(app: &TestApp, n: i64) -> String {
    let tags = app.list(CULTIVATOR, "/tags/v2/package/available").await;
    let label = str_field(tags.first().expect("a package tag is available"), "Label");
    let spec = NewPackage {
        tag: Some(label.clone()),
        item: Some("Sour Diesel Clones".into()),
        quantity: Some(Decimal::from(n)),
        unit_of_measure: Some("Each".into()),
        location: Some("Vault".into()),
        ..Default::default()
    };
    app.opening_balance(CULTIVATOR, spec, "NotSubmitted").await;
    label
}

/// A new batch `name` of `n` clones planted from a fresh clones package; its id.
pub(crate) async fn planted(app: &TestApp, name: &str, n: i64) -> i64 {
    let source = clones(app, n).await;
    let r = app
        .post(
            CULTIVATOR,
            "/plantbatches/v2/plantings",
            json!([{"Name": name, "Type": "Clone", "Count": n, "Strain": "Sour Diesel",
                    "Location": "Greenhouse A", "SourcePackage": source}]),
        )
        .send()
        .await
        .ok();
    ids(&r)[0]
}

/// The first available plant tag.
pub(crate) async fn plant_tag(app: &TestApp) -> String {
    plant_tags(app)
        .await
        .into_iter()
        .next()
        .expect("a plant tag is available")
}

pub(crate) async fn plant_tags(app: &TestApp) -> Vec<String> {
    app.list(CULTIVATOR, "/tags/v2/plant/available")
        .await
        .iter()
        .map(|t| str_field(t, "Label"))
        .collect()
}

/// `n` plants of batch `name` moved to `phase` in Greenhouse A; their ids.
pub(crate) async fn grown(app: &TestApp, name: &str, n: i64, phase: &str) -> Vec<i64> {
    let start = plant_tag(app).await;
    let r = app
        .post(
            CULTIVATOR,
            "/plantbatches/v2/growthphase",
            json!([{"Name": name, "Count": n, "StartingTag": start, "GrowthPhase": phase,
                    "NewLocation": "Greenhouse A"}]),
        )
        .send()
        .await
        .ok();
    ids(&r)
}

/// The rows of a list that belong to batch `name` (the demo cultivator grows plants of its own).
pub(crate) async fn of_batch(app: &TestApp, path: &str, name: &str) -> Vec<Value> {
    app.list(CULTIVATOR, path)
        .await
        .into_iter()
        .filter(|r| r["PlantBatchName"] == name)
        .collect()
}

async fn batch(app: &TestApp, id: i64) -> Value {
    app.get(CULTIVATOR, &format!("/plantbatches/v2/{id}"))
        .send()
        .await
        .ok()
        .json()
}

fn only_row(r: &Resp) -> String {
    let rows = r.rows();
    assert_eq!(
        rows.len(),
        1,
        "{}: one row error expected: {}",
        r.what,
        r.body
    );
    rows[0].1.clone()
}

/// Posts `body` to `path`, expects one row error, and checks nothing was journaled.
async fn refused(app: &TestApp, method: &str, path: &str, body: Value) -> String {
    let before = app.journal(CULTIVATOR).await.len();
    let call = match method {
        "POST" => app.post(CULTIVATOR, path, body),
        "PUT" => app.put(CULTIVATOR, path, body),
        _ => app.delete(CULTIVATOR, path).json(body),
    };
    let r = call.send().await.status(400);
    let msg = only_row(&r);
    assert_eq!(
        app.journal(CULTIVATOR).await.len(),
        before,
        "nothing written: {msg}"
    );
    msg
}

#[tokio::test]
async fn plantings_draw_on_the_clones_package_and_tag_plants_by_growth_phase() {
    for_each_backend(async |app| {
        let source = clones(app, 10).await;
        let tags_before = plant_tags(app).await;
        let r = app
            .post(
                CULTIVATOR,
                "/plantbatches/v2/plantings",
                json!([{"Name": "SD-1", "Type": "Clone", "Count": 6, "Strain": "Sour Diesel",
                        "Location": "Greenhouse A", "SourcePackage": source, "ActualDate": "2026-01-05"}]),
            )
            .send()
            .await
            .ok();
        let id = ids(&r)[0];
        let b = batch(app, id).await;
        assert_eq!(str_field(&b, "Name"), "SD-1");
        assert_eq!(str_field(&b, "PlantBatchTypeName"), "Clone");
        assert_eq!(int_field(&b, "UntrackedCount"), 6);
        assert_eq!(str_field(&b, "StrainName"), "Sour Diesel");
        assert_eq!(str_field(&b, "LocationName"), "Greenhouse A");
        assert_eq!(str_field(&b, "SourcePackageLabel"), source);
        assert_eq!(str_field(&b, "PlantedDate"), "2026-01-05");
        // Rule 22: the source package gave its clones.
        let pkg = app.get(CULTIVATOR, &format!("/packages/v2/{source}")).send().await.ok().json();
        assert_eq!(decimal(&pkg, "Quantity").parse::<Decimal>().unwrap(), Decimal::from(4));
        let active = app.list(CULTIVATOR, "/plantbatches/v2/active").await;
        assert!(active.iter().any(|b| int_field(b, "Id") == id));

        // Rule 20: two plants leave the lot, each with its own tag from the starting tag on.
        let start = tags_before[0].clone();
        let r = app
            .post(
                CULTIVATOR,
                "/plantbatches/v2/growthphase",
                json!([{"Name": "sd-1", "Count": 2, "StartingTag": start, "GrowthPhase": "Vegetative",
                        "NewLocation": "Greenhouse A"}]),
            )
            .send()
            .await
            .ok();
        let plants = ids(&r);
        assert_eq!(plants.len(), 2);
        let b = batch(app, id).await;
        assert_eq!((int_field(&b, "UntrackedCount"), int_field(&b, "TrackedCount")), (4, 2));
        let veg = app.list(CULTIVATOR, "/plants/v2/vegetative").await;
        let labels: Vec<String> = veg.iter().map(|p| str_field(p, "Label")).collect();
        assert!(labels.contains(&tags_before[0]) && labels.contains(&tags_before[1]), "{labels:?}");
        let after = plant_tags(app).await;
        assert_eq!(after.len(), tags_before.len() - 2, "the two tags are used");
        assert!(!after.contains(&tags_before[0]));

        // Reference lists.
        let types = app.names(CULTIVATOR, "/plantbatches/v2/types").await;
        assert_eq!(types, vec!["Clone", "Seed"]);
        assert_eq!(app.names(CULTIVATOR, "/plantbatches/v2/waste/reasons").await.len(), 7);
    })
    .await;
}

#[tokio::test]
async fn rule_22_a_planting_needs_a_source() {
    for_each_backend(async |app| {
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/plantings",
            json!([{"Name": "Nowhere", "Type": "Clone", "Count": 3, "Strain": "Sour Diesel", "Location": "Greenhouse A"}]),
        )
        .await;
        assert!(msg.contains("A source package or source plant is required"), "{msg}");
        // A seed batch is not planted from clones.
        let source = clones(app, 5).await;
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/plantings",
            json!([{"Name": "Seeds", "Type": "Seed", "Count": 3, "Strain": "Sour Diesel",
                    "Location": "Greenhouse A", "SourcePackage": source}]),
        )
        .await;
        assert!(msg.contains("seeds"), "{msg}");
        // Nor with more clones than the package holds.
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/plantings",
            json!([{"Name": "Big", "Type": "Clone", "Count": 6, "Strain": "Sour Diesel",
                    "Location": "Greenhouse A", "SourcePackage": source}]),
        )
        .await;
        assert!(msg.contains("cannot be planted"), "{msg}");
        // A source batch is a source too.
        planted(app, "Mother lot", 4).await;
        app.post(
            CULTIVATOR,
            "/plantbatches/v2/plantings",
            json!([{"Name": "Cuttings", "Type": "Clone", "Count": 3, "Strain": "Sour Diesel",
                    "Location": "Greenhouse A", "SourcePlantBatches": ["Mother lot"]}]),
        )
        .send()
        .await
        .ok();
    })
    .await;
}

#[tokio::test]
async fn rule_19_a_lot_holds_at_most_100_plants() {
    for_each_backend(async |app| {
        let source = clones(app, 200).await;
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/plantings",
            json!([{"Name": "Huge", "Type": "Clone", "Count": 101, "Strain": "Sour Diesel",
                    "Location": "Greenhouse A", "SourcePackage": source}]),
        )
        .await;
        assert!(msg.contains("cannot exceed 100 plants"), "{msg}");
        planted(app, "Full", 100).await;
        // Rule 19 on adjust.
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/adjust",
            json!([{"PlantBatchName": "Full", "Quantity": 1, "AdjustmentReason": "Scale Variance"}]),
        )
        .await;
        assert!(msg.contains("cannot exceed 100 plants"), "{msg}");
    })
    .await;
}

#[tokio::test]
async fn rule_24_counts_never_go_below_zero() {
    for_each_backend(async |app| {
        planted(app, "Small", 3).await;
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/adjust",
            json!([{"PlantBatchName": "Small", "Quantity": -4, "AdjustmentReason": "Spoilage"}]),
        )
        .await;
        assert!(msg.contains("less than zero"), "{msg}");
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/split",
            json!([{"PlantBatch": "Small", "GroupName": "Smaller", "Count": 4}]),
        )
        .await;
        assert!(msg.contains("less than zero"), "{msg}");
        let msg = refused(
            app,
            "DELETE",
            "/plantbatches/v2",
            json!([{"PlantBatch": "Small", "Count": 4, "WasteMethodName": "Compost",
                    "WasteReasonName": "Unhealthy or Died", "WasteWeight": 10, "WasteUnitOfMeasure": "Grams"}]),
        )
        .await;
        assert!(msg.contains("less than zero"), "{msg}");
        let start = plant_tag(app).await;
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/growthphase",
            json!([{"Name": "Small", "Count": 4, "StartingTag": start, "GrowthPhase": "Vegetative",
                    "NewLocation": "Greenhouse A"}]),
        )
        .await;
        assert!(msg.contains("less than zero"), "{msg}");
    })
    .await;
}

#[tokio::test]
async fn rule_20_a_growth_phase_change_needs_a_plant_tag_per_plant() {
    for_each_backend(async |app| {
        planted(app, "Lot", 5).await;
        let tags = plant_tags(app).await;
        let last = tags.iter().max().expect("plant tags").clone();
        // Two plants from the last tag on: the second tag does not exist.
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/growthphase",
            json!([{"Name": "Lot", "Count": 2, "StartingTag": last, "GrowthPhase": "Vegetative",
                    "NewLocation": "Greenhouse A"}]),
        )
        .await;
        assert!(msg.contains("Insufficient plant tags: 2 required"), "{msg}");
        // A package tag is not a plant tag.
        let pkg = app.list(CULTIVATOR, "/tags/v2/package/available").await;
        let pkg = str_field(&pkg[0], "Label");
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/growthphase",
            json!([{"Name": "Lot", "Count": 1, "StartingTag": pkg, "GrowthPhase": "Vegetative",
                    "NewLocation": "Greenhouse A"}]),
        )
        .await;
        assert!(msg.contains("Insufficient plant tags"), "{msg}");
        // Two rows of one request may not use one tag twice.
        let start = tags[0].clone();
        let before = app.journal(CULTIVATOR).await.len();
        let r = app
            .post(
                CULTIVATOR,
                "/plantbatches/v2/growthphase",
                json!([
                    {"Name": "Lot", "Count": 1, "StartingTag": start, "GrowthPhase": "Vegetative", "NewLocation": "Greenhouse A"},
                    {"Name": "Lot", "Count": 1, "StartingTag": start, "GrowthPhase": "Vegetative", "NewLocation": "Greenhouse A"},
                ]),
            )
            .send()
            .await
            .status(400);
        assert_eq!(r.rows()[0].0, 1, "{}", r.body);
        assert_eq!(app.journal(CULTIVATOR).await.len(), before);
    })
    .await;
}

#[tokio::test]
async fn rule_21_flowering_only_in_a_canopy_location() {
    for_each_backend(async |app| {
        planted(app, "Lot", 5).await;
        let start = plant_tag(app).await;
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/growthphase",
            json!([{"Name": "Lot", "Count": 1, "StartingTag": start, "GrowthPhase": "Flowering",
                    "NewLocation": "Vault"}]),
        )
        .await;
        assert!(
            msg.contains("Flowering plants must be in a designated canopy location"),
            "{msg}"
        );
        let flowering = grown(app, "Lot", 1, "Flowering").await;
        assert_eq!(flowering.len(), 1);
        assert_eq!(of_batch(app, "/plants/v2/flowering", "Lot").await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn adjust_split_move_rename_strain_and_tag() {
    for_each_backend(async |app| {
        let id = planted(app, "Lot", 10).await;
        app.post(
            CULTIVATOR,
            "/plantbatches/v2/adjust",
            json!([{"PlantBatchName": "Lot", "Quantity": -2, "AdjustmentReason": "Spoilage", "AdjustmentDate": "2026-01-06"}]),
        )
        .send()
        .await
        .ok();
        assert_eq!(int_field(&batch(app, id).await, "UntrackedCount"), 8);
        // Rule 28's reasons: one that needs a note.
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/adjust",
            json!([{"PlantBatchName": "Lot", "Quantity": -1, "AdjustmentReason": "Theft"}]),
        )
        .await;
        assert!(msg.contains("requires a ReasonNote"), "{msg}");

        let r = app
            .post(
                CULTIVATOR,
                "/plantbatches/v2/split",
                json!([{"PlantBatch": "Lot", "GroupName": "Lot B", "Count": 3, "Strain": "OG Kush"}]),
            )
            .send()
            .await
            .ok();
        let b_id = ids(&r)[0];
        assert_eq!(int_field(&batch(app, id).await, "UntrackedCount"), 5);
        let b = batch(app, b_id).await;
        assert_eq!((int_field(&b, "UntrackedCount"), str_field(&b, "StrainName")), (3, "OG Kush".into()));
        assert_eq!(str_field(&b, "LocationName"), "Greenhouse A", "a split stays where its source is");
        assert_eq!(b["SourcePlantBatchIds"], json!([id]));

        app.put(
            CULTIVATOR,
            "/plantbatches/v2/location",
            json!([{"Name": "Lot B", "Location": "Greenhouse A", "Sublocation": "Shelf 2", "MoveDate": "2026-01-07"}]),
        )
        .send()
        .await
        .ok();
        assert_eq!(str_field(&batch(app, b_id).await, "SublocationName"), "Shelf 2");
        // Batches are not kept in storage locations.
        let msg = refused(app, "PUT", "/plantbatches/v2/location", json!([{"Name": "Lot B", "Location": "Vault"}])).await;
        assert!(msg.contains("not for plant batches"), "{msg}");

        app.put(CULTIVATOR, "/plantbatches/v2/name", json!([{"Id": b_id, "NewGroup": "Lot C"}]))
            .send()
            .await
            .ok();
        assert_eq!(str_field(&batch(app, b_id).await, "Name"), "Lot C");
        let msg = refused(app, "PUT", "/plantbatches/v2/name", json!([{"Group": "Lot C", "NewGroup": "lot"}])).await;
        assert!(msg.contains("already exists"), "{msg}");

        app.put(CULTIVATOR, "/plantbatches/v2/strain", json!([{"Name": "Lot C", "StrainName": "Blue Dream"}]))
            .send()
            .await
            .ok();
        assert_eq!(str_field(&batch(app, b_id).await, "StrainName"), "Blue Dream");

        let tag = plant_tag(app).await;
        app.put(CULTIVATOR, "/plantbatches/v2/tag", json!([{"Id": b_id, "NewTag": tag}]))
            .send()
            .await
            .ok();
        assert!(!plant_tags(app).await.contains(&tag), "the lot's tag is used");
        let msg = refused(app, "PUT", "/plantbatches/v2/tag", json!([{"Id": id, "NewTag": tag}])).await;
        assert!(msg.contains("already been used"), "{msg}");
    })
    .await;
}

#[tokio::test]
async fn waste_and_destruction_record_method_reason_and_weight() {
    for_each_backend(async |app| {
        let id = planted(app, "Lot", 4).await;
        let r = app
            .post(
                CULTIVATOR,
                "/plantbatches/v2/waste",
                json!([{"PlantBatchName": "Lot", "WasteMethodName": "Compost", "WasteWeight": 12.5,
                        "UnitOfMeasureName": "Grams", "ReasonName": "Trimming/Pruning", "WasteDate": "2026-01-08"}]),
            )
            .send()
            .await
            .ok();
        assert_eq!(ids(&r).len(), 1);
        // Rule 16: recorded long after it happened, accepted with a warning.
        let warnings = r.json()["Warnings"].clone();
        assert!(warnings[0].as_str().is_some_and(|w| w.contains("24 h")), "{warnings}");
        // Rule 57: a reason that needs a note.
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/waste",
            json!([{"PlantBatchName": "Lot", "WasteMethodName": "Compost", "WasteWeight": 1,
                    "UnitOfMeasureName": "Grams", "ReasonName": "Other"}]),
        )
        .await;
        assert!(msg.contains("Waste reason Other requires a note"), "{msg}");
        // Rule 17: the weight is a weight.
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/waste",
            json!([{"PlantBatchName": "Lot", "WasteMethodName": "Compost", "WasteWeight": 1,
                    "UnitOfMeasureName": "Each", "ReasonName": "Contamination"}]),
        )
        .await;
        assert!(msg.contains("not a weight"), "{msg}");
        // Rule 16: not ahead of time.
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/waste",
            json!([{"PlantBatchName": "Lot", "WasteMethodName": "Compost", "WasteWeight": 1,
                    "UnitOfMeasureName": "Grams", "ReasonName": "Contamination", "WasteDate": "2999-01-01"}]),
        )
        .await;
        assert!(msg.contains("in the future"), "{msg}");

        // Destruction: waste first, then the count goes down (rules 24, 57).
        let msg = refused(
            app,
            "DELETE",
            "/plantbatches/v2",
            json!([{"PlantBatch": "Lot", "Count": 1, "WasteReasonName": "Male Plants", "WasteWeight": 3, "WasteUnitOfMeasure": "Grams"}]),
        )
        .await;
        assert!(msg.contains("WasteMethodName was not specified"), "{msg}");
        app.delete(CULTIVATOR, "/plantbatches/v2")
            .json(json!([{"PlantBatch": "Lot", "Count": 1, "WasteMethodName": "Grinder", "WasteMaterialMixed": "Soil",
                          "WasteReasonName": "Male Plants", "WasteWeight": 30, "WasteUnitOfMeasure": "Grams"}]))
            .send()
            .await
            .ok();
        let b = batch(app, id).await;
        assert_eq!((int_field(&b, "UntrackedCount"), int_field(&b, "DestroyedCount")), (3, 1));
        let waste = of_batch(app, "/plantbatches/v2/waste", "Lot").await;
        assert_eq!(waste.len(), 2);
        let destroyed = waste.iter().find(|w| int_field(w, "PlantCount") == 1).expect("the destruction's waste");
        assert_eq!(str_field(destroyed, "WasteReasonName"), "Male Plants");
        assert_eq!(str_field(destroyed, "PlantBatchName"), "Lot");
        assert_eq!(decimal(destroyed, "WasteWeight").parse::<Decimal>().unwrap(), Decimal::from(30));

        // Destroying the rest empties the lot: it leaves the active list.
        app.delete(CULTIVATOR, "/plantbatches/v2")
            .json(json!([{"PlantBatch": "Lot", "Count": 3, "WasteMethodName": "Compost",
                          "WasteReasonName": "Unhealthy or Died", "WasteWeight": 50, "WasteUnitOfMeasure": "Grams"}]))
            .send()
            .await
            .ok();
        let inactive = app.list(CULTIVATOR, "/plantbatches/v2/inactive").await;
        assert!(inactive.iter().any(|b| int_field(b, "Id") == id));
        assert!(!app.list(CULTIVATOR, "/plantbatches/v2/active").await.iter().any(|b| int_field(b, "Id") == id));
        // The name is free again.
        planted(app, "Lot", 2).await;
    })
    .await;
}

#[tokio::test]
async fn only_a_facility_that_grows_may_plant() {
    for_each_backend(async |app| {
        let before = app.journal(MANUFACTURER).await.len();
        let r = app
            .post(
                MANUFACTURER,
                "/plantbatches/v2/plantings",
                json!([{"Name": "Lot", "Type": "Clone", "Count": 1, "Strain": "Blue Dream", "Location": "Anywhere"}]),
            )
            .send()
            .await
            .status(403);
        assert!(r.message().contains("CanGrowPlants"), "{}", r.body);
        assert_eq!(app.journal(MANUFACTURER).await.len(), before);
        // Another facility's batch is not this one's.
        let id = planted(app, "Mine", 2).await;
        app.get(MANUFACTURER, &format!("/plantbatches/v2/{id}")).send().await.status(401);
    })
    .await;
}

#[tokio::test]
async fn immature_plants_are_packaged_from_a_batch() {
    for_each_backend(async |app| {
        let id = planted(app, "Lot", 6).await;
        let tags = app.list(CULTIVATOR, "/tags/v2/package/available").await;
        let tag = str_field(&tags[0], "Label");
        let r = app
            .post(
                CULTIVATOR,
                "/plantbatches/v2/packages",
                json!([{"PlantBatch": "Lot", "Count": 2, "Item": "Sour Diesel Clones", "Tag": tag,
                        "Location": "Vault", "ActualDate": "2026-01-09"}]),
            )
            .send()
            .await
            .ok();
        assert_eq!(ids(&r).len(), 1);
        let b = batch(app, id).await;
        assert_eq!((int_field(&b, "UntrackedCount"), int_field(&b, "PackagedCount")), (4, 2));
        let pkg = app.get(CULTIVATOR, &format!("/packages/v2/{tag}")).send().await.ok().json();
        assert_eq!(decimal(&pkg, "Quantity").parse::<Decimal>().unwrap(), Decimal::from(2));
        assert_eq!(str_field(&pkg, "PackagedDate"), "2026-01-09");

        // Rule 24: no more than the lot holds.
        let tag = str_field(&tags[1], "Label");
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/packages",
            json!([{"PlantBatch": "Lot", "Count": 5, "Item": "Sour Diesel Clones", "Tag": tag, "Location": "Vault"}]),
        )
        .await;
        assert!(msg.contains("less than zero"), "{msg}");
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/packages",
            json!([{"PlantBatch": "Lot", "Count": 1, "Item": "Blue Dream Flower", "Tag": tag, "Location": "Vault"}]),
        )
        .await;
        assert!(msg.contains("Immature Plants"), "{msg}");
        let msg = refused(
            app,
            "POST",
            "/plantbatches/v2/packages",
            json!([{"PlantBatch": "Lot", "Count": 1, "Item": "Sour Diesel Clones", "Tag": tag, "Location": "Greenhouse A"}]),
        )
        .await;
        assert!(msg.contains("not for packages"), "{msg}");
        let r = app
            .post(
                CULTIVATOR,
                "/plantbatches/v2/packages",
                json!([{"PlantBatch": "Lot", "Count": 1, "Item": "Sour Diesel Clones", "Tag": tag, "Location": "Vault"}]),
            )
            .query("isFromMotherPlant", "true")
            .send()
            .await
            .status(400);
        // Packages from a mother plant (tests/api/plant_packages.rs) need a batch planted from one.
        assert!(only_row(&r).contains("mother plants"), "{}", r.body);
    })
    .await;
}

/// Metrc's `POST /packages/v2/plantings` plants from a package as `POST /plantbatches/v2/plantings`
/// with `SourcePackage` does (rule 22), and refuses what that refuses, writing nothing.
#[tokio::test]
async fn rule_22_packages_plantings_plant_from_a_clones_package() {
    for_each_backend(async |app| {
        let source = clones(app, 10).await;
        let body = |name: &str, count: i64, amount: Value| {
            json!([{"PackageLabel": source, "PackageAdjustmentAmount": amount,
                    "PackageAdjustmentUnitOfMeasureName": "Each", "PlantBatchName": name,
                    "PlantBatchType": "Clone", "PlantCount": count, "LocationName": "Greenhouse A",
                    "StrainName": "Sour Diesel", "PlantedDate": "2026-01-06",
                    "UnpackagedDate": "2026-01-06"}])
        };
        let r = app
            .post(
                CULTIVATOR,
                "/packages/v2/plantings",
                body("PK-1", 4, json!(4)),
            )
            .send()
            .await
            .ok();
        let id = ids(&r)[0];
        let b = batch(app, id).await;
        assert_eq!(str_field(&b, "Name"), "PK-1");
        assert_eq!(str_field(&b, "PlantBatchTypeName"), "Clone");
        assert_eq!(int_field(&b, "UntrackedCount"), 4);
        assert_eq!(str_field(&b, "SourcePackageLabel"), source);
        assert_eq!(str_field(&b, "PlantedDate"), "2026-01-06");
        let pkg = app
            .get(CULTIVATOR, &format!("/packages/v2/{source}"))
            .send()
            .await
            .ok()
            .json();
        assert_eq!(
            decimal(&pkg, "Quantity").parse::<Decimal>().ok(),
            Some(Decimal::from(6))
        );

        // The same decision as the plant batch door: more than the package holds, a seed batch
        // from clones, no package at all.
        let msg = refused(
            app,
            "POST",
            "/packages/v2/plantings",
            body("PK-2", 7, json!(7)),
        )
        .await;
        assert!(msg.contains("cannot be planted"), "{msg}");
        let mut seeds = body("PK-3", 2, json!(2));
        seeds[0]["PlantBatchType"] = json!("Seed");
        let msg = refused(app, "POST", "/packages/v2/plantings", seeds).await;
        assert!(msg.contains("seeds"), "{msg}");
        let mut none = body("PK-4", 2, json!(2));
        none[0]["PackageLabel"] = json!("");
        let msg = refused(app, "POST", "/packages/v2/plantings", none).await;
        assert!(
            msg.contains("A source package or source plant is required"),
            "{msg}"
        );
        // The package goes down by the plants planted: another amount or unit is refused.
        let msg = refused(
            app,
            "POST",
            "/packages/v2/plantings",
            body("PK-5", 2, json!(3)),
        )
        .await;
        assert!(msg.contains("PackageAdjustmentAmount"), "{msg}");
        let mut grams = body("PK-6", 2, json!(2));
        grams[0]["PackageAdjustmentUnitOfMeasureName"] = json!("Grams");
        let msg = refused(app, "POST", "/packages/v2/plantings", grams).await;
        assert!(msg.contains("Each"), "{msg}");
        // Without the growing capability the door is shut, as for any planting.
        let r = app
            .post(
                MANUFACTURER,
                "/packages/v2/plantings",
                body("PK-7", 1, json!(1)),
            )
            .send()
            .await
            .status(403);
        assert!(r.message().contains("CanGrowPlants"), "{}", r.body);
        let pkg = app
            .get(CULTIVATOR, &format!("/packages/v2/{source}"))
            .send()
            .await
            .ok()
            .json();
        assert_eq!(
            decimal(&pkg, "Quantity").parse::<Decimal>().ok(),
            Some(Decimal::from(6)),
            "refusals took nothing"
        );
    })
    .await;
}
