//! Harvests: harvesting and manicuring plants, harvest waste, finishing and unfinishing,
//! renaming, moving, restoring harvested plants, packages from harvests and a package's source
//! harvests (rules 17, 25, 57, 72).
//!
//! Flowering plants come from the Plants endpoints: a clones package (an opening balance),
//! planted as a batch in "Greenhouse A" (a Planting location), then moved to flowering with
//! plant tags. "Drying Room" is the demo cultivator's Drying location, "Vault" a Storage one.

use crate::helpers::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tagtrail_domain::commands::packages::NewPackage;

// ---- helpers ----------------------------------------------------------------------------------

/// A fresh package tag of the cultivator.
async fn package_tag(app: &TestApp) -> String {
    let tags = app.list(CULTIVATOR, "/tags/v2/package/available").await;
    str_field(tags.first().expect("a package tag is available"), "Label")
}

/// `n` flowering plants of a new batch `batch` at the cultivator; their labels.
async fn flowering_plants(app: &TestApp, batch: &str, n: i64) -> Vec<String> {
    flowering_since(app, batch, n, 0).await
}

/// The date `days` days ago (UTC, as the ledger dates activity).
fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// As [`flowering_plants`], planted and flowering since `days` days ago.
async fn flowering_since(app: &TestApp, batch: &str, n: i64, days: i64) -> Vec<String> {
    let since = days_ago(days);
    let clones = package_tag(app).await;
    let spec = NewPackage {
        tag: Some(clones.clone()),
        item: Some("Sour Diesel Clones".into()),
        quantity: Some(Decimal::from(n)),
        unit_of_measure: Some("Each".into()),
        location: Some("Vault".into()),
        ..Default::default()
    };
    app.opening_balance(CULTIVATOR, spec, "NotSubmitted").await;
    app.post(
        CULTIVATOR,
        "/plantbatches/v2/plantings",
        json!([{"Name": batch, "Type": "Clone", "Count": n, "Strain": "Sour Diesel",
                "Location": "Greenhouse A", "SourcePackage": clones, "ActualDate": since}]),
    )
    .send()
    .await
    .ok();
    let tags = app.list(CULTIVATOR, "/tags/v2/plant/available").await;
    let start = str_field(tags.first().expect("a plant tag is available"), "Label");
    app.post(
        CULTIVATOR,
        "/plantbatches/v2/growthphase",
        json!([{"Name": batch, "Count": n, "StartingTag": start, "GrowthPhase": "Flowering",
                "NewLocation": "Greenhouse A", "GrowthDate": since}]),
    )
    .send()
    .await
    .ok();
    let labels: Vec<String> = flowering(app)
        .await
        .into_iter()
        .filter(|p| p["PlantBatchName"] == batch)
        .map(|p| str_field(&p, "Label"))
        .collect();
    assert_eq!(labels.len() as i64, n, "the batch's plants flower");
    labels
}

async fn flowering(app: &TestApp) -> Vec<Value> {
    app.list(CULTIVATOR, "/plants/v2/flowering").await
}

fn is_flowering(plants: &[Value], label: &str) -> bool {
    plants.iter().any(|p| p["Label"] == label)
}

/// A decimal field by value (`2000.0` and `2000` are the same weight).
#[track_caller]
fn weight(v: &Value, key: &str) -> Decimal {
    decimal(v, key)
        .parse::<Decimal>()
        .unwrap_or_else(|e| panic!("{key} is not a decimal: {e}"))
        .normalize()
}

fn grams(s: &str) -> Decimal {
    s.parse::<Decimal>().expect("a decimal literal").normalize()
}

async fn harvest(app: &TestApp, id: i64) -> Value {
    app.get(CULTIVATOR, &format!("/harvests/v2/{id}"))
        .send()
        .await
        .ok()
        .json()
}

/// Harvests `label` whole into `name` (`grams` wet, in the Drying Room).
fn cut(label: &str, grams: &str, name: &str) -> Value {
    json!({"Plant": label, "Weight": grams.parse::<f64>().expect("a weight"), "UnitOfWeight": "Grams",
           "DryingLocation": "Drying Room", "HarvestName": name})
}

/// The id of the active harvest named `name`.
async fn harvest_id(app: &TestApp, name: &str) -> i64 {
    let active = app.list(CULTIVATOR, "/harvests/v2/active").await;
    int_field(
        by_name(&active, name).unwrap_or_else(|| panic!("no active harvest {name}")),
        "Id",
    )
}

/// The ids on `/harvests/v2/{list}` (`active` or `inactive`): the demo cultivator has harvests
/// of its own, so a test looks at what changed.
async fn harvest_ids(app: &TestApp, list: &str) -> std::collections::BTreeSet<i64> {
    let rows = app.list(CULTIVATOR, &format!("/harvests/v2/{list}")).await;
    rows.iter().map(|h| int_field(h, "Id")).collect()
}

// ---- tests ------------------------------------------------------------------------------------

/// Seed to sale: flowering plants are harvested, waste is recorded, a package is made from the
/// harvest and names it as its source, and the finished harvest leaves the active list but stays
/// readable and can be unfinished (rule 72).
#[tokio::test]
async fn rule_72_seed_to_sale_harvest_package_finish_unfinish() {
    for_each_backend(async |app| {
        let plants = flowering_plants(app, "SD Batch 1", 3).await;
        let (demo_active, demo_finished) =
            (harvest_ids(app, "active").await, harvest_ids(app, "inactive").await);
        app.put(
            CULTIVATOR,
            "/plants/v2/harvest",
            json!([
                cut(&plants[0], "1200.5", "SD-2026-A"),
                // The same harvest by name in another case and another unit.
                {"Plant": plants[1], "Weight": 1, "UnitOfWeight": "Kilograms",
                 "DryingLocation": "Drying Room", "HarvestName": "sd-2026-a"},
            ]),
        )
        .send()
        .await
        .ok();
        let active: Vec<Value> = app
            .list(CULTIVATOR, "/harvests/v2/active")
            .await
            .into_iter()
            .filter(|h| !demo_active.contains(&int_field(h, "Id")))
            .collect();
        assert_eq!(active.len(), 1, "both rows went into one new harvest");
        let h = &active[0];
        let id = int_field(h, "Id");
        assert_eq!(str_field(h, "Name"), "SD-2026-A");
        assert_eq!(str_field(h, "HarvestType"), "WholePlant");
        assert_eq!(str_field(h, "UnitOfWeightName"), "Grams");
        assert_eq!(str_field(h, "DryingLocationName"), "Drying Room");
        assert_eq!(str_field(h, "SourceStrainNames"), "Sour Diesel");
        assert_eq!(int_field(h, "PlantCount"), 2);
        assert_eq!(weight(h, "TotalWetWeight"), grams("2200.5"));
        assert_eq!(weight(h, "CurrentWeight"), grams("2200.5"));
        assert_pascal_case(h, "harvest");
        // The harvested plants no longer flower; the third does.
        let now_flowering = flowering(app).await;
        assert!(!is_flowering(&now_flowering, &plants[0]));
        assert!(!is_flowering(&now_flowering, &plants[1]));
        assert!(is_flowering(&now_flowering, &plants[2]));

        // Rule 57: waste with a type and a weight comes off the current weight.
        let w = app
            .post(
                CULTIVATOR,
                "/harvests/v2/waste",
                json!([{"Id": id, "WasteType": "Plant Material", "UnitOfWeight": "Grams", "WasteWeight": 200.5}]),
            )
            .send()
            .await
            .ok();
        assert_eq!(ids(&w).len(), 1);
        let wastes = app
            .get(CULTIVATOR, "/harvests/v2/waste")
            .query("harvestId", &id.to_string())
            .send()
            .await
            .ok()
            .json();
        let wastes = wastes["Data"].as_array().expect("a paged list").clone();
        assert_eq!(wastes.len(), 1);
        assert_eq!(str_field(&wastes[0], "WasteTypeName"), "Plant Material");
        assert_eq!(weight(&wastes[0], "WasteWeight"), grams("200.5"));
        assert_eq!(weight(&harvest(app, id).await, "CurrentWeight"), grams("2000"));

        // A package from the harvest, weighed in kilograms, packaged in grams.
        let tag = package_tag(app).await;
        let r = app
            .post(
                CULTIVATOR,
                "/harvests/v2/packages",
                json!([{"Tag": tag, "Location": "Vault", "Item": "Blue Dream Flower", "UnitOfWeight": "Grams",
                        "Ingredients": [{"HarvestId": id, "HarvestName": "SD-2026-A", "Weight": 1.5, "UnitOfWeight": "Kilograms"}]}]),
            )
            .send()
            .await
            .ok();
        let pkg_id = ids(&r)[0];
        let p = app.get(CULTIVATOR, &format!("/packages/v2/{pkg_id}")).send().await.ok().json();
        assert_eq!(str_field(&p, "Label"), tag);
        assert_eq!(weight(&p, "Quantity"), grams("1500"));
        assert_eq!(str_field(&p, "UnitOfMeasureName"), "Grams");
        assert_eq!(int_field(&p, "SourceHarvestCount"), 1);
        assert_eq!(str_field(&p, "SourceHarvestNames"), "SD-2026-A");
        let sources = app
            .get(CULTIVATOR, &format!("/packages/v2/{pkg_id}/source/harvests"))
            .send()
            .await
            .ok()
            .json();
        let sources = sources.as_array().expect("a bare array");
        assert_eq!(sources.len(), 1);
        assert_eq!(str_field(&sources[0], "Name"), "SD-2026-A");
        assert_eq!(str_field(&sources[0], "HarvestedByFacilityLicenseNumber"), CULTIVATOR);
        assert_eq!(str_field(&sources[0], "HarvestedByFacilityName"), "Emerald Triangle Farms");
        assert_eq!(str_field(&sources[0], "HarvestStartDate"), str_field(h, "HarvestStartDate"));
        let h = harvest(app, id).await;
        assert_eq!(weight(&h, "TotalPackagedWeight"), grams("1500"));
        assert_eq!(int_field(&h, "PackageCount"), 1);
        assert_eq!(weight(&h, "CurrentWeight"), grams("500"));

        // Rule 72: finished, it leaves `active`, is listed in `inactive`, and reads by id.
        app.put(CULTIVATOR, "/harvests/v2/finish", json!([{"Id": id}])).send().await.ok();
        assert_eq!(harvest_ids(app, "active").await, demo_active);
        let mut finished = demo_finished.clone();
        finished.insert(id);
        assert_eq!(harvest_ids(app, "inactive").await, finished);
        let h = harvest(app, id).await;
        assert!(h["FinishedDate"].is_string(), "{h}");
        assert_eq!(weight(&h, "CurrentWeight"), grams("500"));
        // A finished harvest takes nothing more until unfinished; nothing is written.
        let before = app.journal(CULTIVATOR).await.len();
        let r = app
            .post(CULTIVATOR, "/harvests/v2/waste", json!([{"Id": id, "WasteType": "Fibrous", "UnitOfWeight": "Grams", "WasteWeight": 1}]))
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("unfinish it first"), "{:?}", r.rows());
        let r = app
            .put(CULTIVATOR, "/plants/v2/harvest", json!([cut(&plants[2], "10", "SD-2026-A")]))
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("finished"), "{:?}", r.rows());
        assert_eq!(app.journal(CULTIVATOR).await.len(), before);
        // Unfinished, it is active again.
        app.put(CULTIVATOR, "/harvests/v2/unfinish", json!([{"Id": id}])).send().await.ok();
        assert_eq!(harvest_id(app, "SD-2026-A").await, id);
        assert_eq!(harvest_ids(app, "inactive").await, demo_finished);
        assert!(harvest(app, id).await["FinishedDate"].is_null());
    })
    .await;
}

/// Rule 25: a manicure records trimmed material against a harvest and the plant keeps
/// flowering; waste can be discontinued; harvests are renamed, moved, and give harvested plants
/// back.
#[tokio::test]
async fn rule_25_manicure_waste_rename_move_restore() {
    for_each_backend(async |app| {
        let plants = flowering_plants(app, "SD Batch 2", 2).await;
        let r = app
            .post(
                CULTIVATOR,
                "/plants/v2/manicure",
                json!([cut(&plants[0], "50", "Trim-1")]),
            )
            .send()
            .await
            .ok();
        let trim = ids(&r)[0];
        assert!(is_flowering(&flowering(app).await, &plants[0]), "a manicured plant keeps flowering");
        let h = harvest(app, trim).await;
        assert_eq!(str_field(&h, "HarvestType"), "Product");
        assert_eq!(weight(&h, "TotalWetWeight"), grams("50"));

        // Waste, then its discontinuation, which gives the weight back.
        let w = app
            .post(CULTIVATOR, "/harvests/v2/waste", json!([{"Id": trim, "WasteType": "fibrous", "UnitOfWeight": "Grams", "WasteWeight": 20}]))
            .send()
            .await
            .ok();
        let waste = ids(&w)[0];
        assert_eq!(weight(&harvest(app, trim).await, "CurrentWeight"), grams("30"));
        app.delete(CULTIVATOR, &format!("/harvests/v2/waste/{waste}")).send().await.ok();
        let h = harvest(app, trim).await;
        assert_eq!(weight(&h, "CurrentWeight"), grams("50"));
        assert_eq!(weight(&h, "TotalWasteWeight"), grams("0"));
        let list = app.get(CULTIVATOR, "/harvests/v2/waste").query("harvestId", &trim.to_string()).send().await.ok().json();
        assert_eq!(list["Data"].as_array().map(Vec::len), Some(0));
        app.delete(CULTIVATOR, &format!("/harvests/v2/waste/{waste}")).send().await.status(400);

        // A whole plant into a second harvest, then a rename that would collide, and one that
        // does not.
        app.put(CULTIVATOR, "/plants/v2/harvest", json!([cut(&plants[1], "300", "Whole-1")])).send().await.ok();
        let whole = harvest_id(app, "Whole-1").await;
        let r = app
            .put(CULTIVATOR, "/harvests/v2/rename", json!([{"Id": trim, "OldName": "Trim-1", "NewName": "whole-1"}]))
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("already in use"), "{:?}", r.rows());
        app.put(CULTIVATOR, "/harvests/v2/rename", json!([{"Id": trim, "OldName": "Trim-1", "NewName": "Trim-One"}]))
            .send()
            .await
            .ok();
        assert_eq!(str_field(&harvest(app, trim).await, "Name"), "Trim-One");

        // Moved to a sublocation; a Storage location does not hold harvests.
        app.put(
            CULTIVATOR,
            "/harvests/v2/location",
            json!([{"Id": whole, "DryingLocation": "Drying Room", "DryingSublocation": "Shelf 1"}]),
        )
        .send()
        .await
        .ok();
        assert_eq!(str_field(&harvest(app, whole).await, "DryingSublocationName"), "Shelf 1");
        let r = app
            .put(CULTIVATOR, "/harvests/v2/location", json!([{"Id": whole, "DryingLocation": "Vault"}]))
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("does not allow harvests"), "{:?}", r.rows());

        // Restored, the plant flowers again and its weight leaves the harvest.
        app.put(
            CULTIVATOR,
            "/harvests/v2/restore/harvestedplants",
            json!([{"HarvestId": whole, "PlantTags": [plants[1]]}]),
        )
        .send()
        .await
        .ok();
        let h = harvest(app, whole).await;
        assert_eq!(weight(&h, "TotalRestoredWeight"), grams("300"));
        assert_eq!(weight(&h, "CurrentWeight"), grams("0"));
        assert_eq!(int_field(&h, "PlantCount"), 0);
        assert!(is_flowering(&flowering(app).await, &plants[1]));

        let types = app.get(CULTIVATOR, "/harvests/v2/waste/types").send().await.ok().json();
        let names: Vec<String> = types["Data"].as_array().expect("paged").iter().map(|t| str_field(t, "Name")).collect();
        assert_eq!(names, vec!["Plant Material", "Fibrous", "Root Ball"]);
    })
    .await;
}

/// Refusals write nothing: bad rows answer `[{"row","message"}]`, a package or waste larger
/// than the harvest is refused (rule 24's spirit), a facility that cannot grow may not harvest,
/// and a too-long name is a 400 on both backends.
#[tokio::test]
async fn refused_harvests_write_nothing() {
    for_each_backend(async |app| {
        let plants = flowering_plants(app, "SD Batch 3", 2).await;
        let before = app.journal(CULTIVATOR).await.len();
        let demo_active = harvest_ids(app, "active").await;
        let future = (chrono::Utc::now() + chrono::Duration::days(3)).format("%Y-%m-%d").to_string();
        let r = app
            .put(
                CULTIVATOR,
                "/plants/v2/harvest",
                json!([
                    cut(&plants[0], "100", "H-1"),
                    cut(&plants[1], "0", "H-1"),
                    cut("1A4FF0100000022000099999", "5", "H-1"),
                    {"Plant": plants[1], "Weight": 5, "UnitOfWeight": "Grams", "DryingLocation": "Vault", "HarvestName": "H-2"},
                    {"Plant": plants[1], "Weight": 5, "UnitOfWeight": "Grams", "DryingLocation": "Drying Room", "HarvestName": "H-3", "ActualDate": future},
                    {"Plant": plants[1], "Weight": 5, "UnitOfWeight": "Each", "DryingLocation": "Drying Room", "HarvestName": "H-4"},
                    cut(&plants[1], "5", &"x".repeat(251)),
                ]),
            )
            .send()
            .await
            .status(400);
        let rows: Vec<u64> = r.rows().iter().map(|(row, _)| *row).collect();
        assert_eq!(rows, vec![1, 2, 3, 4, 5, 6], "{:?}", r.rows());
        assert!(r.rows()[3].1.contains("in the future"), "rule 16: {:?}", r.rows());
        assert_eq!(app.journal(CULTIVATOR).await.len(), before);
        assert_eq!(harvest_ids(app, "active").await, demo_active);

        // A facility that cannot grow plants may not harvest (403).
        app.put(MANUFACTURER, "/plants/v2/harvest", json!([cut(&plants[0], "1", "M-1")])).send().await.status(403);

        app.put(CULTIVATOR, "/plants/v2/harvest", json!([cut(&plants[0], "100", "H-1")])).send().await.ok();
        let id = harvest_id(app, "H-1").await;
        let before = app.journal(CULTIVATOR).await.len();
        let tag = package_tag(app).await;
        let too_much = app
            .post(
                CULTIVATOR,
                "/harvests/v2/packages",
                json!([{"Tag": tag, "Location": "Vault", "Item": "Blue Dream Flower", "UnitOfWeight": "Grams",
                        "Ingredients": [{"HarvestId": id, "Weight": 100.001, "UnitOfWeight": "Grams"}]},
                       {"Tag": tag, "Location": "Vault", "Item": "Blue Dream Flower", "UnitOfWeight": "Grams",
                        "Note": "n".repeat(251), "Ingredients": [{"HarvestId": id, "Weight": 1, "UnitOfWeight": "Grams"}]},
                       {"Tag": tag, "Location": "Vault", "Item": "Sour Diesel Clones", "UnitOfWeight": "Grams",
                        "Ingredients": [{"HarvestId": id, "Weight": 1, "UnitOfWeight": "Grams"}]}]),
            )
            .send()
            .await
            .status(400);
        let msgs = too_much.rows();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].1.contains("100 Grams left"), "{msgs:?}");
        assert!(msgs[1].1.contains("longer than"), "{msgs:?}");
        assert!(msgs[2].1.contains("weight-based"), "{msgs:?}");
        let r = app
            .post(CULTIVATOR, "/harvests/v2/waste", json!([{"Id": id, "WasteType": "Fibrous", "UnitOfWeight": "Kilograms", "WasteWeight": 0.2}]))
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("cannot be wasted"), "{:?}", r.rows());
        assert_eq!(app.journal(CULTIVATOR).await.len(), before);
        assert_eq!(package_tag(app).await, tag, "the tag is still available");
        assert_eq!(weight(&harvest(app, id).await, "CurrentWeight"), grams("100"));

        // Reads: a missing harvest is a 404, the waste list needs its harvest.
        app.get(CULTIVATOR, "/harvests/v2/999999").send().await.status(404);
        let m = app.get(CULTIVATOR, "/harvests/v2/waste").send().await.status(400).message();
        assert!(m.contains("harvestId"), "{m}");
        app.delete(CULTIVATOR, "/harvests/v2/waste/999999").send().await.status(404);
        // Another facility's harvest is not this one's to read.
        app.get(MANUFACTURER, &format!("/harvests/v2/{id}")).send().await.status(401);
    })
    .await;
}

/// Rule 27: harvested cannabis packaged later than the deadline after the harvest (60 days, as
/// the rule's author recalls it) is accepted with a warning, never refused.
#[tokio::test]
async fn rule_27_late_packaging_is_accepted_with_a_warning() {
    for_each_backend(async |app| {
        let plants = flowering_since(app, "SD Batch 4", 1, 80).await;
        let mut old = cut(&plants[0], "500", "Old-1");
        old["ActualDate"] = json!(days_ago(70));
        app.put(CULTIVATOR, "/plants/v2/harvest", json!([old])).send().await.ok();
        let id = harvest_id(app, "Old-1").await;
        let tag = package_tag(app).await;
        let r = app
            .post(
                CULTIVATOR,
                "/harvests/v2/packages",
                json!([{"Tag": tag, "Location": "Vault", "Item": "Blue Dream Flower", "UnitOfWeight": "Grams",
                        "Ingredients": [{"HarvestId": id, "Weight": 10, "UnitOfWeight": "Grams"}]}]),
            )
            .send()
            .await
            .ok();
        assert_eq!(ids(&r).len(), 1, "accepted");
        let warnings = r.json()["Warnings"].clone();
        let warnings = warnings.as_array().expect("warnings");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].as_str().is_some_and(|w| w.contains("70 days")), "{warnings:?}");
    })
    .await;
}

/// Nothing is harvested from a plant before it flowered.
#[tokio::test]
async fn a_harvest_is_not_dated_before_its_plant_flowered() {
    for_each_backend(async |app| {
        let plants = flowering_since(app, "SD Batch 5", 1, 10).await;
        let mut early = cut(&plants[0], "500", "Early-1");
        early["ActualDate"] = json!(days_ago(11));
        let before = app.journal(CULTIVATOR).await.len();
        let r = app
            .put(CULTIVATOR, "/plants/v2/harvest", json!([early]))
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("before plant"), "{:?}", r.rows());
        assert_eq!(app.journal(CULTIVATOR).await.len(), before);
    })
    .await;
}
