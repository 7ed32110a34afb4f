//! Tagged plants: lists, by id and by label, growth phase (rule 21), moves, strain and tag
//! changes, waste and destruction (rules 17, 26, 57), and plantings from a plant (rule 22), which
//! makes it a mother plant.

use crate::helpers::*;
use crate::plantbatches::{grown, of_batch, plant_tag, plant_tags, planted};
use rust_decimal::Decimal;
use serde_json::{Value, json};

async fn plant(app: &TestApp, key: &str) -> Value {
    app.get(CULTIVATOR, &format!("/plants/v2/{key}"))
        .send()
        .await
        .ok()
        .json()
}

/// How many rows of a list have `Id` `id` (the demo cultivator grows plants of its own).
async fn with_id(app: &TestApp, path: &str, id: i64) -> usize {
    app.list(CULTIVATOR, path)
        .await
        .iter()
        .filter(|r| r["Id"] == id)
        .count()
}

async fn refused(app: &TestApp, method: &str, path: &str, body: Value) -> String {
    let before = app.journal(CULTIVATOR).await.len();
    let call = match method {
        "POST" => app.post(CULTIVATOR, path, body),
        "PUT" => app.put(CULTIVATOR, path, body),
        _ => app.delete(CULTIVATOR, path).json(body),
    };
    let r = call.send().await.status(400);
    let rows = r.rows();
    assert_eq!(rows.len(), 1, "{}", r.body);
    assert_eq!(
        app.journal(CULTIVATOR).await.len(),
        before,
        "nothing written"
    );
    rows[0].1.clone()
}

#[tokio::test]
async fn plants_are_read_by_id_and_label_and_change_phase_place_strain_and_tag() {
    for_each_backend(async |app| {
        planted(app, "Lot", 5).await;
        let ids = grown(app, "Lot", 2, "Vegetative").await;
        let p = plant(app, &ids[0].to_string()).await;
        let label = str_field(&p, "Label");
        assert_eq!(str_field(&p, "GrowthPhase"), "Vegetative");
        assert_eq!(str_field(&p, "State"), "Tracked");
        assert_eq!(str_field(&p, "PlantBatchName"), "Lot");
        assert_eq!(str_field(&p, "StrainName"), "Sour Diesel");
        assert_eq!(int_field(&plant(app, &label.to_lowercase()).await, "Id"), ids[0], "by label");
        app.get(CULTIVATOR, "/plants/v2/1A4000000000000999999999").send().await.status(404);
        assert_eq!(of_batch(app, "/plants/v2/vegetative", "Lot").await.len(), 2);
        let phases = app.get(CULTIVATOR, "/plants/v2/growthphases").send().await.ok().json();
        assert_eq!(phases, json!(["Vegetative", "Flowering"]));

        // Rule 21: flowering in the canopy only.
        let msg = refused(
            app,
            "PUT",
            "/plants/v2/growthphase",
            json!([{"Id": ids[0], "GrowthPhase": "Flowering", "NewLocation": "Vault"}]),
        )
        .await;
        assert!(msg.contains("designated canopy location"), "{msg}");
        app.put(
            CULTIVATOR,
            "/plants/v2/growthphase",
            json!([{"Label": label, "GrowthPhase": "Flowering", "NewLocation": "Greenhouse A", "GrowthDate": "2026-01-10"}]),
        )
        .send()
        .await
        .ok();
        let p = plant(app, &label).await;
        assert_eq!((str_field(&p, "GrowthPhase"), str_field(&p, "FloweringDate")), ("Flowering".into(), "2026-01-10".into()));
        assert_eq!(of_batch(app, "/plants/v2/flowering", "Lot").await.len(), 1);
        assert_eq!(of_batch(app, "/plants/v2/vegetative", "Lot").await.len(), 1);
        // A flowering plant does not leave the canopy.
        let msg = refused(app, "PUT", "/plants/v2/location", json!([{"Id": ids[0], "Location": "Vault"}])).await;
        assert!(msg.contains("designated canopy location"), "{msg}");

        app.put(
            CULTIVATOR,
            "/plants/v2/location",
            json!([{"Id": ids[1], "Location": "Greenhouse A", "Sublocation": "Shelf 2"}]),
        )
        .send()
        .await
        .ok();
        assert_eq!(str_field(&plant(app, &ids[1].to_string()).await, "SublocationName"), "Shelf 2");
        app.put(CULTIVATOR, "/plants/v2/strain", json!([{"Id": ids[1], "StrainName": "OG Kush"}]))
            .send()
            .await
            .ok();
        assert_eq!(str_field(&plant(app, &ids[1].to_string()).await, "StrainName"), "OG Kush");
        let msg = refused(app, "PUT", "/plants/v2/strain", json!([{"Id": ids[1], "StrainName": "Nope"}])).await;
        assert!(msg.contains("Strain Nope does not exist"), "{msg}");

        let new_tag = plant_tag(app).await;
        app.put(CULTIVATOR, "/plants/v2/tag", json!([{"Id": ids[1], "NewTag": new_tag}]))
            .send()
            .await
            .ok();
        assert_eq!(str_field(&plant(app, &ids[1].to_string()).await, "Label"), new_tag);
        assert!(!plant_tags(app).await.contains(&new_tag));

        // Without a NewLocation the plant flowers where it stands, if that is in the canopy.
        app.put(
            CULTIVATOR,
            "/plants/v2/growthphase",
            json!([{"Id": ids[1], "GrowthPhase": "Flowering"}]),
        )
        .send()
        .await
        .ok();
        let p = plant(app, &ids[1].to_string()).await;
        assert_eq!(
            (str_field(&p, "GrowthPhase"), str_field(&p, "LocationName")),
            ("Flowering".into(), "Greenhouse A".into())
        );
        assert_eq!(str_field(&p, "SublocationName"), "Shelf 2", "it stays on its shelf");
    })
    .await;
}

#[tokio::test]
async fn plant_waste_and_destruction() {
    for_each_backend(async |app| {
        planted(app, "Lot", 5).await;
        let ids = grown(app, "Lot", 2, "Flowering").await;
        let labels: Vec<String> = {
            let mut v = Vec::new();
            for id in &ids {
                v.push(str_field(&plant(app, &id.to_string()).await, "Label"));
            }
            v
        };
        let r = app
            .post(
                CULTIVATOR,
                "/plants/v2/waste",
                json!([{"WasteMethodName": "Compost", "WasteWeight": 20, "UnitOfMeasureName": "Grams",
                        "ReasonName": "Trimming/Pruning", "PlantLabels": labels}]),
            )
            .send()
            .await
            .ok();
        let waste_id = crate::helpers::ids(&r)[0];
        let wasted = app.list(CULTIVATOR, &format!("/plants/v2/waste/{waste_id}/plant")).await;
        assert_eq!(wasted.len(), 2);
        assert_eq!(decimal(&wasted[0], "WasteAmount").parse::<Decimal>().unwrap(), Decimal::from(10));
        assert_eq!(with_id(app, "/plants/v2/waste", waste_id).await, 1);
        assert_eq!(with_id(app, "/plantbatches/v2/waste", waste_id).await, 0, "plant waste is not batch waste");
        assert_eq!(app.names(CULTIVATOR, "/plants/v2/waste/methods/all").await.len(), 5);
        assert!(!app.list(CULTIVATOR, "/plants/v2/waste/reasons").await.is_empty());

        // Rule 57: a reason that needs a note.
        let msg = refused(
            app,
            "DELETE",
            "/plants/v2",
            json!([{"Id": ids[0], "WasteMethodName": "Compost", "WasteWeight": 100,
                    "WasteUnitOfMeasureName": "Grams", "WasteReasonName": "Mandatory State Destruction"}]),
        )
        .await;
        assert!(msg.contains("requires a note"), "{msg}");
        app.delete(CULTIVATOR, "/plants/v2")
            .json(json!([{"Label": labels[0], "WasteMethodName": "Compost", "WasteWeight": 100,
                          "WasteUnitOfMeasureName": "Grams", "WasteReasonName": "Mandatory State Destruction",
                          "ReasonNote": "State order 12", "ActualDate": "2026-01-11"}]))
            .send()
            .await
            .ok();
        let p = plant(app, &labels[0]).await;
        assert_eq!(str_field(&p, "State"), "Destroyed");
        assert_eq!(str_field(&p, "DestroyedDate"), "2026-01-11");
        // Rule 17: the note names the reason, and who destroyed it is recorded.
        assert!(str_field(&p, "DestroyedNote").contains("Mandatory State Destruction"));
        assert!(!str_field(&p, "DestroyedByUserName").is_empty());
        assert_eq!(with_id(app, "/plants/v2/inactive", ids[0]).await, 1);
        assert_eq!(of_batch(app, "/plants/v2/flowering", "Lot").await.len(), 1);
        // A destroyed plant is not changed any more.
        let msg = refused(app, "PUT", "/plants/v2/location", json!([{"Id": ids[0], "Location": "Greenhouse A"}])).await;
        assert!(msg.contains("destroyed"), "{msg}");
        // One tagged plant per row (rule 20).
        let msg = refused(
            app,
            "DELETE",
            "/plants/v2",
            json!([{"Id": ids[1], "Count": 2, "WasteMethodName": "Compost", "WasteWeight": 1,
                    "WasteUnitOfMeasureName": "Grams", "WasteReasonName": "Contamination"}]),
        )
        .await;
        assert!(msg.contains("Count must be 1"), "{msg}");
    })
    .await;
}

#[tokio::test]
async fn plantings_from_a_plant_make_it_a_mother_plant() {
    for_each_backend(async |app| {
        planted(app, "Lot", 3).await;
        let ids = grown(app, "Lot", 1, "Vegetative").await;
        let label = str_field(&plant(app, &ids[0].to_string()).await, "Label");
        let r = app
            .post(
                CULTIVATOR,
                "/plants/v2/plantings",
                json!([{"PlantLabel": label, "PlantBatchName": "Cuttings", "PlantBatchType": "Clone",
                        "PlantCount": 8, "LocationName": "Greenhouse A", "StrainName": "Sour Diesel"}]),
            )
            .send()
            .await
            .ok();
        let batch_id = crate::helpers::ids(&r)[0];
        let b = app.get(CULTIVATOR, &format!("/plantbatches/v2/{batch_id}")).send().await.ok().json();
        assert_eq!((int_field(&b, "UntrackedCount"), str_field(&b, "SourcePlantLabel")), (8, label.clone()));
        let mothers = app.list(CULTIVATOR, "/plants/v2/mother").await;
        let mother = mothers
            .iter()
            .find(|p| int_field(p, "Id") == ids[0])
            .expect("the plant is a mother plant");
        assert_eq!(int_field(mother, "ClonedCount"), 8);
        assert!(of_batch(app, "/plants/v2/vegetative", "Lot").await.is_empty(), "mothers are listed apart");
        assert_eq!(with_id(app, "/plants/v2/mother/inactive", ids[0]).await, 0);
        assert_eq!(with_id(app, "/plants/v2/mother/onhold", ids[0]).await, 0);
        assert_eq!(with_id(app, "/plants/v2/onhold", ids[0]).await, 0);
        // Rule 19 holds here too.
        let msg = refused(
            app,
            "POST",
            "/plants/v2/plantings",
            json!([{"PlantLabel": label, "PlantBatchName": "Too many", "PlantBatchType": "Clone",
                    "PlantCount": 101, "LocationName": "Greenhouse A", "StrainName": "Sour Diesel"}]),
        )
        .await;
        assert!(msg.contains("cannot exceed 100"), "{msg}");
    })
    .await;
}

#[tokio::test]
async fn rule_20_plant_groups_are_refused_in_california() {
    for_each_backend(async |app| {
        planted(app, "Lot", 2).await;
        let ids = grown(app, "Lot", 1, "Vegetative").await;
        let label = str_field(&plant(app, &ids[0].to_string()).await, "Label");
        let before = app.journal(CULTIVATOR).await.len();
        for (path, body) in [
            (
                "/plants/v2/split",
                json!([{"SourcePlantLabel": label, "PlantCount": 1, "TagLabel": label}]),
            ),
            (
                "/plants/v2/merge",
                json!([{"TargetPlantGroupLabel": label, "SourcePlantGroupLabel": label}]),
            ),
            (
                "/plants/v2/adjust",
                json!([{"Label": label, "AdjustCount": -1, "AdjustReason": "Spoilage"}]),
            ),
        ] {
            let r = app.put(CULTIVATOR, path, body).send().await.status(400);
            assert!(
                r.message().contains("not available in California"),
                "{path}: {}",
                r.body
            );
        }
        assert_eq!(app.journal(CULTIVATOR).await.len(), before);
        // Who may not grow plants is told that first.
        app.put(MANUFACTURER, "/plants/v2/split", json!([{}]))
            .send()
            .await
            .status(403);
    })
    .await;
}

#[tokio::test]
async fn waste_records_list_their_plants_and_no_packages() {
    for_each_backend(async |app| {
        let r = app
            .post(
                CULTIVATOR,
                "/plants/v2/waste",
                json!([{"WasteMethodName": "Compost", "WasteWeight": 5, "UnitOfMeasureName": "Grams",
                        "ReasonName": "Trimming/Pruning", "LocationName": "Greenhouse A"}]),
            )
            .send()
            .await
            .ok();
        let id = crate::helpers::ids(&r)[0];
        assert!(app.list(CULTIVATOR, &format!("/plants/v2/waste/{id}/plant")).await.is_empty());
        assert!(app.list(CULTIVATOR, &format!("/plants/v2/waste/{id}/package")).await.is_empty());
        app.get(CULTIVATOR, "/plants/v2/waste/999999/package").send().await.status(404);
        // Without plants, a location says where the waste came from.
        let msg = refused(
            app,
            "POST",
            "/plants/v2/waste",
            json!([{"WasteMethodName": "Compost", "WasteWeight": 5, "UnitOfMeasureName": "Grams",
                    "ReasonName": "Trimming/Pruning"}]),
        )
        .await;
        assert!(msg.contains("PlantLabels or LocationName"), "{msg}");
    })
    .await;
}

/// A plant of another facility answers 401 by label as it does by id (Metrc: `licenseNumber`
/// names a facility the record is not in); an unknown label stays 404.
#[tokio::test]
async fn another_facilitys_plant_is_401_by_id_and_by_label() {
    for_each_backend(async |app| {
        planted(app, "Elsewhere", 2).await;
        let ids = grown(app, "Elsewhere", 1, "Vegetative").await;
        let label = str_field(&plant(app, &ids[0].to_string()).await, "Label");
        for key in [ids[0].to_string(), label.clone(), label.to_lowercase()] {
            let r = app
                .get(MANUFACTURER, &format!("/plants/v2/{key}"))
                .send()
                .await
                .status(401);
            assert!(r.message().contains(MANUFACTURER), "{}", r.body);
        }
        app.get(MANUFACTURER, "/plants/v2/1A4000000000000999999999")
            .send()
            .await
            .status(404)
            .message();
        // Its own facility still reads it by label.
        assert_eq!(int_field(&plant(app, &label).await, "Id"), ids[0]);
    })
    .await;
}
