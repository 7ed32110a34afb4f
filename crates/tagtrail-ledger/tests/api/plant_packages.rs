//! Packages of clones cut from a plant that stays: `POST /plants/v2/plantbatch/packages` (the
//! plant by label) and `POST /plantbatches/v2/packages/frommotherplant` (the mother plant a batch
//! was planted from; also `POST /plantbatches/v2/packages?isFromMotherPlant=true`). Rules 11, 13
//! (received, unused package tags), 16 (dates), 19 (at most 100 plants), 22 (the source is
//! recorded) and 24 (no negative counts); all-or-nothing requests; who may.

use crate::helpers::*;
use crate::plantbatches::{grown, planted};
use rust_decimal::Decimal;
use serde_json::{Value, json};

const FROM_PLANT: &str = "/plants/v2/plantbatch/packages";
const FROM_MOTHER: &str = "/plantbatches/v2/packages/frommotherplant";

/// A vegetative plant of batch `Lot` at the cultivator: its id and label.
async fn a_plant(app: &TestApp) -> (i64, String) {
    planted(app, "Lot", 3).await;
    let id = grown(app, "Lot", 1, "Vegetative").await[0];
    (
        id,
        str_field(&get(app, &format!("/plants/v2/{id}")).await, "Label"),
    )
}

/// A batch `name` of 8 clones planted from a plant, which makes it a mother plant: the plant's id
/// and label.
async fn a_mother_batch(app: &TestApp, name: &str) -> (i64, String) {
    let (id, label) = a_plant(app).await;
    app.post(
        CULTIVATOR,
        "/plants/v2/plantings",
        json!([{"PlantLabel": label, "PlantBatchName": name, "PlantBatchType": "Clone",
                "PlantCount": 8, "LocationName": "Greenhouse A", "StrainName": "Sour Diesel"}]),
    )
    .send()
    .await
    .ok();
    (id, label)
}

async fn get(app: &TestApp, path: &str) -> Value {
    app.get(CULTIVATOR, path).send().await.ok().json()
}

async fn package_tags(app: &TestApp) -> Vec<String> {
    app.list(CULTIVATOR, "/tags/v2/package/available")
        .await
        .iter()
        .map(|t| str_field(t, "Label"))
        .collect()
}

/// The batch named `name` in a list (the demo cultivator has batches of its own).
async fn batch_named(app: &TestApp, path: &str, name: &str) -> Option<Value> {
    app.list(CULTIVATOR, path)
        .await
        .into_iter()
        .find(|b| b["Name"] == name)
}

fn cut(label: &str, tag: &str, count: i64) -> Value {
    json!({"PlantLabel": label, "PackageTag": tag, "PlantBatchType": "Clone",
           "Item": "Sour Diesel Clones", "Location": "Vault", "Count": count})
}

fn from_mother(batch: &str, tag: &str, count: i64) -> Value {
    json!({"PlantBatch": batch, "Tag": tag, "Item": "Sour Diesel Clones", "Location": "Vault",
           "Count": count})
}

/// Posts `rows` to `path`: 400 with exactly one error, at `row`, and nothing journaled. The
/// message.
async fn refused_at(app: &TestApp, path: &str, rows: Value, row: u64) -> String {
    let before = app.journal(CULTIVATOR).await.len();
    let r = app.post(CULTIVATOR, path, rows).send().await.status(400);
    let errors = r.rows();
    assert_eq!(errors.len(), 1, "{}", r.body);
    assert_eq!(errors[0].0, row, "{}", r.body);
    assert_eq!(
        app.journal(CULTIVATOR).await.len(),
        before,
        "nothing written: {}",
        r.body
    );
    errors[0].1.clone()
}

#[tokio::test]
async fn rule_22_clones_cut_from_a_plant_are_packaged_and_the_plant_stays_a_mother() {
    for_each_backend(async |app| {
        let (plant_id, label) = a_plant(app).await;
        let tag = package_tags(app).await.remove(0);
        let r = app
            .post(
                CULTIVATOR,
                FROM_PLANT,
                json!([{"PlantLabel": label.to_lowercase(), "PackageTag": tag, "PlantBatchType": "Clone",
                        "Item": "Sour Diesel Clones", "Location": "Vault", "Count": 5,
                        "ActualDate": "2026-01-09", "Note": "Cut for the nursery"}]),
            )
            .send()
            .await
            .ok();
        let id = ids(&r);
        assert_eq!(id.len(), 1, "{}", r.body);

        // The package: five immature plants, each, dated, where it was put.
        let pkg = get(app, &format!("/packages/v2/{tag}")).await;
        assert_eq!(int_field(&pkg, "Id"), id[0], "the answer names the package");
        assert_eq!(decimal(&pkg, "Quantity").parse::<Decimal>().ok(), Some(Decimal::from(5)));
        assert_eq!(str_field(&pkg, "UnitOfMeasureName"), "Each");
        assert_eq!(str_field(&pkg, "PackageType"), "ImmaturePlant");
        assert_eq!(str_field(&pkg, "PackagedDate"), "2026-01-09");
        assert_eq!(str_field(&pkg, "LocationName"), "Vault");
        assert_eq!(str_field(&pkg, "Note"), "Cut for the nursery");
        assert_eq!(pkg["Item"]["Name"], "Sour Diesel Clones");
        assert!(!package_tags(app).await.contains(&tag), "rule 13: the tag is used");

        // Its source (rule 22): the batch the cuttings passed through, named after the tag,
        // planted from the plant and packaged whole, so inactive.
        let b = batch_named(app, "/plantbatches/v2/inactive", &tag)
            .await
            .expect("the cuttings' batch is listed inactive");
        assert_eq!(str_field(&b, "SourcePlantLabel"), label);
        assert_eq!(str_field(&b, "PlantBatchTypeName"), "Clone");
        assert_eq!(str_field(&b, "StrainName"), "Sour Diesel");
        assert_eq!((int_field(&b, "UntrackedCount"), int_field(&b, "PackagedCount")), (0, 5));
        assert!(batch_named(app, "/plantbatches/v2/active", &tag).await.is_none());

        // The plant stays, a mother plant now, counting its clones.
        let p = get(app, &format!("/plants/v2/{plant_id}")).await;
        assert_eq!(str_field(&p, "State"), "Tracked");
        assert_eq!(int_field(&p, "ClonedCount"), 5);
        assert!(
            app.list(CULTIVATOR, "/plants/v2/mother").await.iter().any(|m| int_field(m, "Id") == plant_id),
            "listed with the mother plants"
        );
    })
    .await;
}

#[tokio::test]
async fn rule_22_packages_from_a_mother_plant_keep_the_batch_count() {
    for_each_backend(async |app| {
        let (mother, label) = a_mother_batch(app, "Cuttings").await;
        let tags = package_tags(app).await;
        let r = app
            .post(
                CULTIVATOR,
                FROM_MOTHER,
                json!([from_mother("Cuttings", &tags[0], 4)]),
            )
            .send()
            .await
            .ok();
        let pkg = get(app, &format!("/packages/v2/{}", tags[0])).await;
        assert_eq!(ids(&r), vec![int_field(&pkg, "Id")]);
        assert_eq!(
            decimal(&pkg, "Quantity").parse::<Decimal>().ok(),
            Some(Decimal::from(4))
        );

        // The batch keeps its plants; the clones came from its mother.
        let b = batch_named(app, "/plantbatches/v2/active", "Cuttings")
            .await
            .expect("still active");
        assert_eq!(
            (
                int_field(&b, "UntrackedCount"),
                int_field(&b, "PackagedCount")
            ),
            (8, 0)
        );
        let src = batch_named(app, "/plantbatches/v2/inactive", &tags[0])
            .await
            .expect("the cuttings' batch");
        assert_eq!(str_field(&src, "SourcePlantLabel"), label);
        assert_eq!(str_field(&src, "SourcePlantBatchNames"), "Cuttings");
        assert_eq!(int_field(&src, "PackagedCount"), 4);
        assert_eq!(
            int_field(
                &get(app, &format!("/plants/v2/{mother}")).await,
                "ClonedCount"
            ),
            12
        );

        // The same operation through `isFromMotherPlant` on the batch packaging door.
        app.post(
            CULTIVATOR,
            "/plantbatches/v2/packages",
            json!([from_mother("Cuttings", &tags[1], 2)]),
        )
        .query("isFromMotherPlant", "true")
        .send()
        .await
        .ok();
        assert_eq!(
            int_field(
                &get(app, &format!("/plants/v2/{mother}")).await,
                "ClonedCount"
            ),
            14
        );
        let b = batch_named(app, "/plantbatches/v2/active", "Cuttings")
            .await
            .expect("still active");
        assert_eq!(int_field(&b, "UntrackedCount"), 8);

        // A batch planted from a package has no mother plant to cut from.
        planted(app, "From seed stock", 2).await;
        let msg = refused_at(
            app,
            FROM_MOTHER,
            json!([from_mother("From seed stock", &tags[2], 1)]),
            0,
        )
        .await;
        assert!(msg.contains("was not planted from a plant"), "{msg}");
    })
    .await;
}

/// One bad row refuses the request: the good row before it is not written either.
#[tokio::test]
async fn a_bad_row_refuses_the_whole_request() {
    for_each_backend(async |app| {
        let (mother, label) = a_mother_batch(app, "Cuttings").await;
        let tags = package_tags(app).await;
        let msg = refused_at(
            app,
            FROM_PLANT,
            json!([cut(&label, &tags[0], 2), cut(&label, &tags[1], 101)]),
            1,
        )
        .await;
        assert!(msg.contains("cannot exceed 100"), "{msg}");
        // The same tag twice: the second row is refused (rule 13).
        let msg = refused_at(
            app,
            FROM_MOTHER,
            json!([
                from_mother("Cuttings", &tags[0], 2),
                from_mother("Cuttings", &tags[0], 2)
            ]),
            1,
        )
        .await;
        assert!(
            msg.contains("already exists") || msg.contains("more than once"),
            "{msg}"
        );
        let msg = refused_at(
            app,
            FROM_MOTHER,
            json!([
                from_mother("Cuttings", &tags[0], 2),
                from_mother("Nonesuch", &tags[1], 2)
            ]),
            1,
        )
        .await;
        assert!(
            msg.contains("does not exist in the current Facility"),
            "{msg}"
        );
        for t in &tags[..2] {
            app.get(CULTIVATOR, &format!("/packages/v2/{t}"))
                .send()
                .await
                .status(404);
        }
        assert!(
            package_tags(app).await.contains(&tags[0]),
            "the tag is still available"
        );
        assert_eq!(
            int_field(
                &get(app, &format!("/plants/v2/{mother}")).await,
                "ClonedCount"
            ),
            8
        );
    })
    .await;
}

/// Each rule's refusal names its row, and nothing is written.
#[tokio::test]
async fn rules_16_19_22_24_and_tags_are_enforced_per_row() {
    for_each_backend(async |app| {
        let (_, label) = a_mother_batch(app, "Cuttings").await;
        let tags = package_tags(app).await;
        let with = |f: &dyn Fn(&mut Value)| {
            let mut row = cut(&label, &tags[0], 3);
            f(&mut row);
            json!([cut(&label, &tags[1], 1), row])
        };
        // Rule 19: at most 100 plants.
        let msg = refused_at(app, FROM_PLANT, with(&|r| r["Count"] = json!(101)), 1).await;
        assert!(msg.contains("cannot exceed 100"), "{msg}");
        // Rule 24: no negative (or empty) count.
        let msg = refused_at(app, FROM_PLANT, with(&|r| r["Count"] = json!(-3)), 1).await;
        assert!(msg.contains("Count must be greater than zero"), "{msg}");
        let msg = refused_at(
            app,
            FROM_MOTHER,
            json!([from_mother("Cuttings", &tags[0], -1)]),
            0,
        )
        .await;
        assert!(msg.contains("Count must be greater than zero"), "{msg}");
        // Rule 16: not ahead of time.
        let msg = refused_at(
            app,
            FROM_PLANT,
            with(&|r| r["ActualDate"] = json!("2999-01-01")),
            1,
        )
        .await;
        assert!(msg.contains("in the future"), "{msg}");
        // Rule 22: the source plant is named and is this facility's.
        let msg = refused_at(app, FROM_PLANT, with(&|r| r["PlantLabel"] = json!("")), 1).await;
        assert!(msg.contains("PlantLabel was not specified"), "{msg}");
        let msg = refused_at(
            app,
            FROM_PLANT,
            with(&|r| r["PlantLabel"] = json!("1A4000000000000999999999")),
            1,
        )
        .await;
        assert!(
            msg.contains("does not exist in the current Facility"),
            "{msg}"
        );
        // Rules 11 and 13: a received, unused package tag.
        let plant_tag = crate::plantbatches::plant_tag(app).await;
        let msg = refused_at(
            app,
            FROM_PLANT,
            with(&|r| r["PackageTag"] = json!(plant_tag)),
            1,
        )
        .await;
        assert!(msg.contains("a package tag is required"), "{msg}");
        let msg = refused_at(
            app,
            FROM_PLANT,
            with(&|r| r["PackageTag"] = json!(label)),
            1,
        )
        .await;
        assert!(msg.contains("already been used"), "{msg}");
        // What the package holds and where it is put, as for packages from a batch.
        let msg = refused_at(
            app,
            FROM_PLANT,
            with(&|r| r["Item"] = json!("Blue Dream Flower")),
            1,
        )
        .await;
        assert!(msg.contains("Immature Plants"), "{msg}");
        let msg = refused_at(
            app,
            FROM_PLANT,
            with(&|r| r["Location"] = json!("Greenhouse A")),
            1,
        )
        .await;
        assert!(msg.contains("not for packages"), "{msg}");
        let msg = refused_at(
            app,
            FROM_PLANT,
            with(&|r| r["PlantBatchType"] = json!("Cutting")),
            1,
        )
        .await;
        assert!(
            msg.contains("Plant Batch Type Cutting does not exist"),
            "{msg}"
        );
    })
    .await;
}

/// A facility that does not grow is refused 403; a license the caller does not work at, 401.
/// Either way nothing is written.
#[tokio::test]
async fn only_the_cultivator_may_package_its_plants_clones() {
    for_each_backend(async |app| {
        let (mother, label) = a_mother_batch(app, "Cuttings").await;
        let tags = package_tags(app).await;
        let before = app.journal(CULTIVATOR).await.len();
        for (path, body) in [
            (FROM_PLANT, json!([cut(&label, &tags[0], 1)])),
            (FROM_MOTHER, json!([from_mother("Cuttings", &tags[0], 1)])),
        ] {
            let r = app
                .post(MANUFACTURER, path, body.clone())
                .send()
                .await
                .status(403);
            assert!(r.message().contains("CanGrowPlants"), "{}", r.body);
            // The manufacturer's employee naming the cultivator's license (and its plant).
            app.post(CULTIVATOR, path, body)
                .acting_as(MANUFACTURER)
                .send()
                .await
                .status(401)
                .message();
        }
        assert_eq!(app.journal(CULTIVATOR).await.len(), before);
        assert_eq!(
            int_field(
                &get(app, &format!("/plants/v2/{mother}")).await,
                "ClonedCount"
            ),
            8
        );
        assert!(package_tags(app).await.contains(&tags[0]));
    })
    .await;
}
