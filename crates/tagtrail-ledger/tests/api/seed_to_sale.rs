//! Seed to sale (issue 12): a clones package is planted as a batch, its plants are tagged,
//! flower, are manicured and harvested with wet weights, waste is recorded, the harvest is
//! packaged, the package travels on a manifest to the manufacturer, which receives it and makes
//! distillate from it. Every step is a Metrc v2 call over real HTTP (the manifests through the
//! `/tagtrail/v1/transfers` endpoints, as in `transfers.rs`; the first clones package is the
//! operator's opening balance, rule 23's one exception), and `audit verify` (the journal chain
//! and every projection replayed) passes after each.
//!
//! At the end the lineage reaches the plants: the cultivator's view of its own package goes
//! through the harvest to every plant, their batch and the clones package; the manufacturer's
//! view goes through the harvest by name and plant count only, never the supplier's plant tags.
//! A recall from the clones package walks the same way down: the batch, its plants, their
//! harvests and the packages made from them, the shipped one a stub once it changed hands.

use crate::helpers::*;
use crate::plantbatches::{clones, plant_tags};
use serde_json::{Value, json};

const LOT: &str = "S2S Lot";
const HARVEST: &str = "S2S-2026-H1";
const TRIM: &str = "S2S-2026-T1";
/// The cultivator's own item for the flower (made here, so the demo's items may change).
const FLOWER: &str = "S2S Sour Diesel Flower";

/// The date `days` days ago (UTC, as the ledger dates activity).
fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// What `tagtrail audit verify` runs: the journal chain and every projection, replayed.
async fn audit_verify(app: &TestApp, after: &str) {
    let report = app.verify().await;
    assert!(
        report.ok(),
        "[{}] the journal verifies after {after}: {report:?}",
        app.backend
    );
}

async fn get(app: &TestApp, license: &str, path: &str) -> Value {
    app.get(license, path).send().await.ok().json()
}

async fn lineage(app: &TestApp, license: &str, key: &str) -> Value {
    get(
        app,
        license,
        &format!("/tagtrail/v1/packages/{key}/lineage"),
    )
    .await
}

/// The `Origins` of a lineage answer of one `Kind`.
fn origins<'a>(l: &'a Value, kind: &str) -> Vec<&'a Value> {
    l["Origins"]
        .as_array()
        .expect("Origins is an array")
        .iter()
        .filter(|o| o["Kind"] == kind)
        .collect()
}

/// `(Depth, Label)` of each ancestor package.
fn ancestors(l: &Value) -> Vec<(i64, String)> {
    l["Ancestors"]
        .as_array()
        .expect("Ancestors is an array")
        .iter()
        .map(|s| (int_field(s, "Depth"), str_field(&s["Package"], "Label")))
        .collect()
}

fn source_of(o: &Value) -> Vec<String> {
    names(o, "SourceOf")
}

/// The `GrownInto` entries of a lineage answer of one `Kind`.
fn grown_into<'a>(l: &'a Value, kind: &str) -> Vec<&'a Value> {
    l["GrownInto"]
        .as_array()
        .expect("GrownInto is an array")
        .iter()
        .filter(|o| o["Kind"] == kind)
        .collect()
}

fn grown_from(o: &Value) -> Vec<String> {
    names(o, "GrownFrom")
}

/// `(Depth, Label)` of each descendant package.
fn descendants(l: &Value) -> Vec<(i64, String)> {
    l["Descendants"]
        .as_array()
        .expect("Descendants is an array")
        .iter()
        .map(|s| (int_field(s, "Depth"), str_field(&s["Package"], "Label")))
        .collect()
}

/// A lineage entry's list of names, sorted.
fn names(o: &Value, field: &str) -> Vec<String> {
    let mut v: Vec<String> = o[field]
        .as_array()
        .expect("a list of names")
        .iter()
        .map(|s| s.as_str().expect("a name").to_string())
        .collect();
    v.sort();
    v
}

/// A fresh package tag of `license`.
async fn package_tag(app: &TestApp, license: &str, skip: usize) -> String {
    let tags = app.list(license, "/tags/v2/package/available").await;
    str_field(tags.get(skip).expect("a package tag is available"), "Label")
}

/// Issue 12's scenario, rules 11, 17, 19–22, 25, 27, 40–46 and 57 on the way.
#[tokio::test]
async fn seed_to_sale_clone_to_manufacturer_lineage_reaches_the_plants() {
    for_each_backend(async |app| {
        let b = app.backend;

        // 0. Plant tags: ordered, shipped by the state's supplier, received (rule 11: only
        //    received tags are available).
        let order = ids(&app
            .post(CULTIVATOR, "/tagtrail/v1/tags/orders", json!([{"PlantTags": 3, "PackageTags": 2}]))
            .send()
            .await
            .ok())[0];
        app.ship_tags(order).await;
        let before = plant_tags(app).await.len();
        app.put(CULTIVATOR, "/tagtrail/v1/tags/orders/receive", json!([{"Id": order}]))
            .send()
            .await
            .ok();
        assert_eq!(plant_tags(app).await.len(), before + 3, "[{b}] received plant tags are available");
        audit_verify(app, "tags received").await;

        // The item the flower is packaged as (rule 30: Buds name a strain).
        app.post(
            CULTIVATOR,
            "/items/v2",
            json!([{"ItemCategory": "Buds", "Name": FLOWER, "UnitOfMeasure": "Grams", "Strain": "Sour Diesel"}]),
        )
        .send()
        .await
        .ok();

        // 1. The clones package (the operator's opening balance).
        let source = clones(app, 6).await;
        let source_id = int_field(&get(app, CULTIVATOR, &format!("/packages/v2/{source}")).await, "Id");
        audit_verify(app, "the clones package").await;

        // 2. Rule 22: a planting needs a source; from the clones package it takes 4 of 6.
        let before = app.journal(CULTIVATOR).await.len();
        let r = app
            .post(
                CULTIVATOR,
                "/plantbatches/v2/plantings",
                json!([{"Name": LOT, "Type": "Clone", "Count": 4, "Strain": "Sour Diesel",
                        "Location": "Greenhouse A", "ActualDate": days_ago(100)}]),
            )
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("source"), "[{b}] {}", r.body);
        assert_eq!(app.journal(CULTIVATOR).await.len(), before, "[{b}] nothing written");
        let batch_id = ids(&app
            .post(
                CULTIVATOR,
                "/plantbatches/v2/plantings",
                json!([{"Name": LOT, "Type": "Clone", "Count": 4, "Strain": "Sour Diesel",
                        "Location": "Greenhouse A", "SourcePackage": source, "ActualDate": days_ago(100)}]),
            )
            .send()
            .await
            .ok())[0];
        let batch = get(app, CULTIVATOR, &format!("/plantbatches/v2/{batch_id}")).await;
        assert_eq!(str_field(&batch, "SourcePackageLabel"), source, "[{b}]");
        assert_eq!(int_field(&batch, "UntrackedCount"), 4);
        let clones_left = get(app, CULTIVATOR, &format!("/packages/v2/{source}")).await;
        assert_eq!(decimal(&clones_left, "Quantity").parse::<f64>().ok(), Some(2.0), "[{b}] 4 of 6 planted");
        audit_verify(app, "the planting").await;

        // 3. Rule 20: three plants of the lot go vegetative, each with its own plant tag.
        let start = plant_tags(app).await[0].clone();
        let plant_ids = ids(&app
            .post(
                CULTIVATOR,
                "/plantbatches/v2/growthphase",
                json!([{"Name": LOT, "Count": 3, "StartingTag": start, "GrowthPhase": "Vegetative",
                        "NewLocation": "Greenhouse A", "GrowthDate": days_ago(70)}]),
            )
            .send()
            .await
            .ok());
        assert_eq!(plant_ids.len(), 3, "[{b}]");
        let mut plants = Vec::new();
        for id in &plant_ids {
            let p = get(app, CULTIVATOR, &format!("/plants/v2/{id}")).await;
            assert_eq!((str_field(&p, "GrowthPhase"), str_field(&p, "PlantBatchName")), ("Vegetative".into(), LOT.into()));
            plants.push(str_field(&p, "Label"));
        }
        let batch = get(app, CULTIVATOR, &format!("/plantbatches/v2/{batch_id}")).await;
        assert_eq!((int_field(&batch, "UntrackedCount"), int_field(&batch, "TrackedCount")), (1, 3), "[{b}]");
        audit_verify(app, "the vegetative phase").await;

        // 4. Rule 21: they flower in the canopy.
        let flower: Vec<Value> = plants
            .iter()
            .map(|l| json!({"Label": l, "GrowthPhase": "Flowering", "NewLocation": "Greenhouse A", "GrowthDate": days_ago(45)}))
            .collect();
        app.put(CULTIVATOR, "/plants/v2/growthphase", Value::Array(flower)).send().await.ok();
        let flowering: Vec<String> = app
            .list(CULTIVATOR, "/plants/v2/flowering")
            .await
            .iter()
            .map(|p| str_field(p, "Label"))
            .collect();
        assert!(plants.iter().all(|p| flowering.contains(p)), "[{b}] all three flower");
        audit_verify(app, "flowering").await;

        // 5. Rule 25: what is trimmed from a flowering plant is a manicure against a harvest
        //    batch; the plant keeps flowering.
        app.post(
            CULTIVATOR,
            "/plants/v2/manicure",
            json!([{"Plant": plants[0], "Weight": 40, "UnitOfWeight": "Grams",
                    "DryingLocation": "Drying Room", "HarvestName": TRIM, "ActualDate": days_ago(10)}]),
        )
        .send()
        .await
        .ok();
        audit_verify(app, "the manicure").await;

        // 6. The harvest: each plant with its wet weight.
        let cut = |label: &str, grams: f64| {
            json!({"Plant": label, "Weight": grams, "UnitOfWeight": "Grams",
                   "DryingLocation": "Drying Room", "HarvestName": HARVEST, "ActualDate": days_ago(7)})
        };
        app.put(
            CULTIVATOR,
            "/plants/v2/harvest",
            json!([cut(&plants[0], 1000.5), cut(&plants[1], 950.0), cut(&plants[2], 1100.0)]),
        )
        .send()
        .await
        .ok();
        let harvest = app
            .list(CULTIVATOR, "/harvests/v2/active")
            .await
            .into_iter()
            .find(|h| h["Name"] == HARVEST)
            .unwrap_or_else(|| panic!("[{b}] {HARVEST} is active"));
        let harvest_id = int_field(&harvest, "Id");
        assert_eq!(int_field(&harvest, "PlantCount"), 3);
        assert_eq!(decimal(&harvest, "TotalWetWeight").parse::<f64>().ok(), Some(3050.5), "[{b}]");
        for p in &plants {
            let p = get(app, CULTIVATOR, &format!("/plants/v2/{p}")).await;
            assert_eq!(str_field(&p, "State"), "Harvested", "[{b}]");
        }
        audit_verify(app, "the harvest").await;

        // 7. Rules 17, 57: waste with its type, weight and date comes off the harvest.
        app.post(
            CULTIVATOR,
            "/harvests/v2/waste",
            json!([{"Id": harvest_id, "WasteType": "Plant Material", "UnitOfWeight": "Grams",
                    "WasteWeight": 250.5, "ActualDate": days_ago(3)}]),
        )
        .send()
        .await
        .ok();
        let h = get(app, CULTIVATOR, &format!("/harvests/v2/{harvest_id}")).await;
        assert_eq!(decimal(&h, "CurrentWeight").parse::<f64>().ok(), Some(2800.0), "[{b}]");
        audit_verify(app, "the waste").await;

        // 8. Rule 27: the cultivator packages the dried harvest: a lot to ship and one it keeps.
        let ship = package_tag(app, CULTIVATOR, 0).await;
        let keep = package_tag(app, CULTIVATOR, 1).await;
        let bag = |tag: &str, grams: i64| {
            json!({"Tag": tag, "Location": "Vault", "Item": FLOWER, "UnitOfWeight": "Grams", "ActualDate": days_ago(0),
                   "Ingredients": [{"HarvestId": harvest_id, "HarvestName": HARVEST, "Weight": grams, "UnitOfWeight": "Grams"}]})
        };
        let made = ids(&app
            .post(CULTIVATOR, "/harvests/v2/packages", json!([bag(&ship, 2000), bag(&keep, 800)]))
            .send()
            .await
            .ok());
        assert_eq!(made.len(), 2, "[{b}]");
        let ship_id = made[0];
        let sources = get(app, CULTIVATOR, &format!("/packages/v2/{ship_id}/source/harvests")).await;
        assert_eq!(sources.as_array().map(Vec::len), Some(1), "[{b}] {sources}");
        assert_eq!(str_field(&sources[0], "Name"), HARVEST);
        audit_verify(app, "packaging").await;

        // The cultivator's lineage of its lot reaches the harvest, every plant (tags, dates,
        // wet weights), their batch and the clones package they were planted from.
        let l = lineage(app, CULTIVATOR, &ship).await;
        let hs = origins(&l, "Harvest");
        assert_eq!(hs.len(), 1, "[{b}] {l}");
        assert_eq!((int_field(hs[0], "Depth"), int_field(&hs[0]["Harvest"], "Id")), (1, harvest_id));
        assert_eq!(str_field(&hs[0]["Harvest"], "DryingLocationName"), "Drying Room", "[{b}] in full");
        assert_eq!(source_of(hs[0]), vec![ship.clone()]);
        let ps = origins(&l, "Plant");
        let mut seen: Vec<String> = ps.iter().map(|o| str_field(&o["Plant"], "Label")).collect();
        seen.sort();
        let mut want = plants.clone();
        want.sort();
        assert_eq!(seen, want, "[{b}] every plant of the harvest");
        for o in &ps {
            assert_eq!(int_field(o, "Depth"), 2);
            assert_eq!(source_of(o), vec![HARVEST.to_string()]);
            let p = &o["Plant"];
            assert_eq!(str_field(p, "FloweringDate"), days_ago(45), "[{b}] {p}");
            assert_eq!(str_field(p, "VegetativeDate"), days_ago(70));
            assert_eq!(str_field(p, "HarvestedDate"), days_ago(7));
            assert!(p["HarvestedWetWeight"].is_number(), "{p}");
        }
        let bs = origins(&l, "PlantBatch");
        assert_eq!(bs.len(), 1, "[{b}] one batch, reached from three plants: {l}");
        assert_eq!((int_field(bs[0], "Depth"), int_field(&bs[0]["PlantBatch"], "Id")), (3, batch_id));
        assert_eq!(source_of(bs[0]), want, "[{b}] the batch is the source of all three");
        assert_eq!(ancestors(&l), vec![(4, source.clone())], "[{b}] the clones package, 4 steps up");
        assert_eq!(int_field(&l["Ancestors"][0]["Package"], "Id"), source_id, "[{b}] in full");
        // The depth bounds the walk: two steps reach the plants and stop.
        let short = get(app, CULTIVATOR, &format!("/tagtrail/v1/packages/{ship}/lineage?depth=2")).await;
        assert!(origins(&short, "PlantBatch").is_empty() && ancestors(&short).is_empty(), "[{b}] {short}");
        assert_eq!(origins(&short, "Plant").len(), 3);

        // 9. No lab result is needed for this manifest: rule 46 holds back untested packages
        //    from retailers only, and a manufacturer receives Buds (rule 31).
        // 10. Rules 40–42: one destination, one transporter (the distributor), a Transfer.
        let manifest = register(app, CULTIVATOR, plan(MANUFACTURER, &[&ship])).await;
        audit_verify(app, "the manifest").await;
        // Rule 43: the transporter confirms the load and departs; the recipient records arrival.
        step(app, DISTRIBUTOR, "depart", manifest).await;
        audit_verify(app, "departure").await;
        step(app, MANUFACTURER, "arrive", manifest).await;
        audit_verify(app, "arrival").await;
        // Rule 44: the whole package accepted.
        app.post(
            MANUFACTURER,
            &format!("/tagtrail/v1/transfers/deliveries/{manifest}/receive"),
            json!([{"PackageLabel": ship, "Accepted": true}]),
        )
        .send()
        .await
        .ok();
        audit_verify(app, "receipt").await;

        // 11. The manufacturer holds the lot, and its source harvest is named.
        let got = get(app, MANUFACTURER, &format!("/packages/v2/{ship}")).await;
        assert_eq!(int_field(&got, "Id"), ship_id, "[{b}] the package keeps its id");
        let sources = get(app, MANUFACTURER, &format!("/packages/v2/{ship_id}/source/harvests")).await;
        assert_eq!(str_field(&sources[0], "Name"), HARVEST, "[{b}] {sources}");
        // The cultivator no longer holds it: its lineage there is not the cultivator's to read.
        app.get(CULTIVATOR, &format!("/tagtrail/v1/packages/{ship}/lineage")).send().await.status(401);

        // 12. The manufacturer makes distillate from the flower.
        let oil = package_tag(app, MANUFACTURER, 0).await;
        app.post(
            MANUFACTURER,
            "/packages/v2",
            json!([{"Tag": oil, "Item": "Blue Dream Distillate", "Quantity": 180, "UnitOfMeasure": "Grams",
                    "Location": "Extraction Lab", "ActualDate": days_ago(0),
                    "Ingredients": [{"Package": ship, "Quantity": 2000, "UnitOfMeasure": "Grams"}]}]),
        )
        .send()
        .await
        .ok();
        audit_verify(app, "the distillate").await;

        // The manufacturer's lineage of its distillate: the flower lot (its own now), then the
        // supplier's harvest by name and plant count only, and nothing beyond it.
        let l = lineage(app, MANUFACTURER, &oil).await;
        assert_eq!(ancestors(&l), vec![(1, ship.clone())], "[{b}] {l}");
        assert_eq!(int_field(&l["Ancestors"][0]["Package"], "Id"), ship_id, "[{b}] its own, in full");
        let all = l["Origins"].as_array().expect("Origins");
        assert_eq!(all.len(), 1, "[{b}] the harvest only: {l}");
        let h = &all[0];
        assert_eq!((str_field(h, "Kind"), int_field(h, "Depth")), ("Harvest".into(), 2));
        assert_eq!(source_of(h), vec![ship.clone()]);
        assert_eq!(str_field(&h["Harvest"], "Name"), HARVEST);
        assert_eq!(int_field(&h["Harvest"], "PlantCount"), 3);
        let shown: Vec<&String> = h["Harvest"]
            .as_object()
            .expect("a harvest object")
            .iter()
            .filter(|(k, v)| !v.is_null() && *k != "Name" && *k != "PlantCount" && **v != json!([]))
            .map(|(k, _)| k)
            .collect();
        assert!(shown.is_empty(), "[{b}] another license's harvest shows {shown:?}");
        assert!(h["Plant"].is_null() && h["PlantBatch"].is_null());
        let text = l.to_string();
        for secret in plants.iter().chain([&source, &LOT.to_string(), &"Drying Room".to_string(), &"Greenhouse A".to_string()]) {
            assert!(!text.contains(secret.as_str()), "[{b}] the manufacturer's lineage names {secret}");
        }
        // The received lot's own lineage: the harvest one step up.
        let l = lineage(app, MANUFACTURER, &ship).await;
        assert_eq!(origins(&l, "Harvest").len(), 1, "[{b}] {l}");
        assert_eq!(int_field(origins(&l, "Harvest")[0], "Depth"), 1);
        assert!(origins(&l, "Plant").is_empty(), "[{b}] {l}");

        // The cultivator's kept lot still reaches the plants and the clones package.
        let l = lineage(app, CULTIVATOR, &keep).await;
        assert_eq!(origins(&l, "Plant").len(), 3, "[{b}] {l}");
        assert_eq!(ancestors(&l), vec![(4, source.clone())], "[{b}]");
        // A recall from the clones package: the walk down goes through the cultivator's batch,
        // its three plants and both harvests they went into (the manicure's too) to the packages
        // made from the harvest, and on to what was made from those (rule 40: a package's
        // lineage is followed across manifests). The shipped lot and the distillate belong to
        // the manufacturer now, so they are stubs: label and item, nothing live.
        let l = lineage(app, CULTIVATOR, &source).await;
        assert!(l["Origins"].as_array().is_some_and(Vec::is_empty), "[{b}] {l}");
        let bs = grown_into(&l, "PlantBatch");
        assert_eq!(bs.len(), 1, "[{b}] {l}");
        assert_eq!((int_field(bs[0], "Depth"), int_field(&bs[0]["PlantBatch"], "Id")), (1, batch_id));
        assert_eq!(grown_from(bs[0]), vec![source.clone()]);
        let ps = grown_into(&l, "Plant");
        let mut seen: Vec<String> = ps.iter().map(|o| str_field(&o["Plant"], "Label")).collect();
        seen.sort();
        assert_eq!(seen, want, "[{b}] every plant of the batch, in full");
        for o in &ps {
            assert_eq!((int_field(o, "Depth"), grown_from(o)), (2, vec![LOT.to_string()]), "[{b}]");
            assert_eq!(str_field(&o["Plant"], "HarvestedDate"), days_ago(7), "[{b}] {o}");
        }
        let hs = grown_into(&l, "Harvest");
        let by_name = |n: &str| {
            hs.iter()
                .find(|h| h["Harvest"]["Name"] == n)
                .unwrap_or_else(|| panic!("[{b}] {n} is grown into: {l}"))
        };
        assert_eq!(hs.len(), 2, "[{b}] the harvest and the manicure: {l}");
        let h = by_name(HARVEST);
        assert_eq!((int_field(h, "Depth"), int_field(&h["Harvest"], "Id")), (3, harvest_id));
        assert_eq!(str_field(&h["Harvest"], "DryingLocationName"), "Drying Room", "[{b}] in full");
        assert_eq!(grown_from(h), want, "[{b}] from all three plants");
        assert_eq!(grown_from(by_name(TRIM)), vec![plants[0].clone()], "[{b}]");
        let mut down = descendants(&l);
        down.sort();
        let mut expect = vec![(4, ship.clone()), (4, keep.clone()), (5, oil.clone())];
        expect.sort();
        assert_eq!(down, expect, "[{b}] {l}");
        for d in l["Descendants"].as_array().expect("Descendants") {
            let p = &d["Package"];
            if p["Label"] == keep.as_str() {
                assert_eq!(str_field(p, "LocationName"), "Vault", "[{b}] its own lot, in full: {p}");
            } else {
                // Another license's package: label and item only (no id, quantity, location).
                assert!(p["Id"].is_null() && p["Quantity"].is_null() && p["LocationName"].is_null(), "[{b}] a stub: {p}");
                assert!(!p["Item"]["Name"].is_null(), "[{b}] {p}");
            }
        }
        // The depth bounds the walk down as well: two steps reach the plants and stop.
        let short = get(app, CULTIVATOR, &format!("/tagtrail/v1/packages/{source}/lineage?depth=2")).await;
        assert_eq!((grown_into(&short, "Plant").len(), grown_into(&short, "Harvest").len()), (3, 0), "[{b}] {short}");
        assert!(descendants(&short).is_empty(), "[{b}] {short}");
        // The manufacturer's packages grow into nothing it may see: never the supplier's batch,
        // plants or harvests, whichever way it walks.
        for key in [&ship, &oil] {
            let l = lineage(app, MANUFACTURER, key).await;
            assert!(l["GrownInto"].as_array().is_some_and(Vec::is_empty), "[{b}] {l}");
        }
    })
    .await;
}

// ---- manifests (as `transfers.rs` makes them) --------------------------------------------------

/// A Transfer of `labels` to `to` carried by the distributor's first driver in its van.
fn plan(to: &str, labels: &[&str]) -> Value {
    let packages: Vec<Value> = labels.iter().map(|l| json!({"PackageLabel": l})).collect();
    json!({
        "TransporterFacilityLicenseNumber": DISTRIBUTOR,
        "DriverOccupationalLicenseNumber": "EMP-300310",
        "DriverName": "Luis Ortega",
        "DriverLicenseNumber": "D4481237",
        "PhoneNumberForQuestions": "916-555-0142",
        "VehicleMake": "Ford",
        "VehicleModel": "Transit 250",
        "VehicleLicensePlateNumber": "8TGT123",
        "Destinations": [{
            "RecipientLicenseNumber": to,
            "TransferTypeName": "Transfer",
            "PlannedRoute": "US-101 S to I-80 E; no stops",
            "EstimatedDepartureDateTime": "2026-11-21T08:00:00",
            "EstimatedArrivalDateTime": "2026-11-21T13:30:00",
            "Transporters": [],
            "Packages": packages,
        }]
    })
}

/// `POST /tagtrail/v1/transfers/outgoing`; the new manifest's id.
async fn register(app: &TestApp, shipper: &str, body: Value) -> i64 {
    let r = app
        .post(shipper, "/tagtrail/v1/transfers/outgoing", json!([body]))
        .send()
        .await
        .ok();
    ids(&r)[0]
}

/// `POST /tagtrail/v1/transfers/{step}` (`depart`, `arrive`) for one manifest.
async fn step(app: &TestApp, license: &str, step: &str, id: i64) {
    app.post(
        license,
        &format!("/tagtrail/v1/transfers/{step}"),
        json!([{"TransferId": id}]),
    )
    .send()
    .await
    .ok();
}
