//! Additives: the AdditivesTemplates group and the additive endpoints of PlantBatches and Plants
//! (rules 16 and 17: what was applied, how much, when, to which plants, by whom; never dated in
//! the future), the capability to grow, and nothing written on a refusal.
//!
//! The demo cultivator has "Greenhouse A" (Planting), "Vault" (Storage), sublocations "Shelf 1"
//! and "Shelf 2", and received plant tags; `planted` and `grown` make batches and plants.

use crate::helpers::*;
use crate::plantbatches::{grown, planted};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};
use std::collections::HashSet;

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, false)
}

/// The `Total` of `path` within `lastModifiedStart..lastModifiedEnd`.
async fn total_in(app: &TestApp, path: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    let page = app
        .get(CULTIVATOR, path)
        .query("lastModifiedStart", &iso(from))
        .query("lastModifiedEnd", &iso(to))
        .send()
        .await
        .ok()
        .json();
    int_field(&page, "Total")
}

fn template(name: &str) -> Value {
    json!({"Name": name, "AdditiveType": "Pesticide", "ApplicationDevice": "Sprayer",
           "EpaRegistrationNumber": "70051-2", "Note": "Shake well", "ProductSupplier": "Acme",
           "ProductTradeName": "Neem Gold",
           "RestrictiveEntryIntervalQuantityDescription": "12",
           "RestrictiveEntryIntervalTimeDescription": "Hours",
           "ActiveIngredients": [{"Name": "Azadirachtin", "Percentage": 12.5}]})
}

/// A fertilizer named in full, with the target fields merged in.
fn product(target: Value) -> Value {
    let mut v = json!({"AdditiveType": "Fertilizer", "ProductTradeName": "Grow Big",
                       "ProductSupplier": "FoxFarm", "ApplicationDevice": "Watering can",
                       "TotalAmountApplied": 2.5, "TotalAmountUnitOfMeasure": "Gallons",
                       "ActiveIngredients": [{"Name": "Nitrogen", "Percentage": 6}],
                       "ActualDate": "2026-01-10"});
    merge(&mut v, target);
    v
}

/// An application of template `name`, with the target fields merged in.
fn using(name: &str, target: Value) -> Value {
    let mut v = json!({"AdditivesTemplateName": name, "Rate": "2 ml/gal", "Volume": "5 gal",
                       "TotalAmountApplied": 5, "TotalAmountUnitOfMeasure": "Liters",
                       "ActualDate": "2026-01-10"});
    merge(&mut v, target);
    v
}

fn merge(v: &mut Value, extra: Value) {
    if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
        o.extend(e);
    }
}

async fn labels(app: &TestApp, ids: &[i64]) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        let p = app
            .get(CULTIVATOR, &format!("/plants/v2/{id}"))
            .send()
            .await
            .ok()
            .json();
        out.push(str_field(&p, "Label"));
    }
    out
}

/// Every growing plant of the cultivator (vegetative, flowering, on hold; mothers included).
async fn growing(app: &TestApp) -> Vec<Value> {
    let mut out = Vec::new();
    for list in [
        "vegetative",
        "flowering",
        "onhold",
        "mother",
        "mother/onhold",
    ] {
        out.extend(app.list(CULTIVATOR, &format!("/plants/v2/{list}")).await);
    }
    // A held mother is on two of these lists.
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(str_field(p, "Label")));
    out
}

const TEMPLATES: &str = "/additivestemplates/v2/active";
const APPLIED: &str = "/plants/v2/additives";

/// The ids on `path` now. The demo cultivator keeps a feeding template and feeds and sprays
/// plants of its own, so a test takes these before it writes and checks what it added.
async fn ids_on(app: &TestApp, path: &str) -> HashSet<i64> {
    let rows = app.list(CULTIVATOR, path).await;
    rows.iter().map(|r| int_field(r, "Id")).collect()
}

/// The rows of `path` whose ids are not in `old`, in the list's order.
async fn added(app: &TestApp, path: &str, old: &HashSet<i64>) -> Vec<Value> {
    let rows = app.list(CULTIVATOR, path).await;
    rows.into_iter()
        .filter(|r| !old.contains(&int_field(r, "Id")))
        .collect()
}

/// The names of the [`added`] rows, sorted.
async fn added_names(app: &TestApp, path: &str, old: &HashSet<i64>) -> Vec<String> {
    let mut names: Vec<String> = added(app, path, old)
        .await
        .iter()
        .map(|r| str_field(r, "Name"))
        .collect();
    names.sort();
    names
}

/// How many rows of `path` with ids in `old` were last modified within `from..=to`: the demo's
/// own rows a `lastModified` window also holds.
async fn old_within(
    app: &TestApp,
    path: &str,
    old: &HashSet<i64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> i64 {
    let (from, to) = (iso(from), iso(to));
    let rows = app.list(CULTIVATOR, path).await;
    rows.iter()
        .filter(|r| old.contains(&int_field(r, "Id")))
        .filter(|r| (from.as_str()..=to.as_str()).contains(&str_field(r, "LastModified").as_str()))
        .count() as i64
}

async fn create_template(app: &TestApp, name: &str) -> i64 {
    let r = app
        .post(
            CULTIVATOR,
            "/additivestemplates/v2",
            json!([template(name)]),
        )
        .send()
        .await
        .ok();
    ids(&r)[0]
}

/// Sends `body` to `path`, expects 400 with row errors, checks nothing was journaled, and
/// answers the row messages.
async fn refused(app: &TestApp, method: &str, path: &str, body: Value) -> Vec<(u64, String)> {
    let before = app.journal(CULTIVATOR).await.len();
    let call = match method {
        "PUT" => app.put(CULTIVATOR, path, body),
        _ => app.post(CULTIVATOR, path, body),
    };
    let r = call.send().await.status(400);
    let rows = r.rows();
    assert!(
        !rows.is_empty(),
        "{}: row errors expected: {}",
        r.what,
        r.body
    );
    assert_eq!(
        app.journal(CULTIVATOR).await.len(),
        before,
        "nothing written: {rows:?}"
    );
    rows
}

#[tokio::test]
async fn templates_are_created_read_listed_and_updated() {
    for_each_backend(async |app| {
        let demo = ids_on(app, TEMPLATES).await;
        let r = app
            .post(
                CULTIVATOR,
                "/additivestemplates/v2",
                json!([template("Neem"), template("Kelp")]),
            )
            .send()
            .await
            .ok();
        let ids = ids(&r);
        assert_eq!(ids.len(), 2);
        let t = app
            .get(CULTIVATOR, &format!("/additivestemplates/v2/{}", ids[0]))
            .send()
            .await
            .ok()
            .json();
        assert_pascal_case(&t, "AdditivesTemplate");
        assert_eq!(str_field(&t, "Name"), "Neem");
        assert_eq!(str_field(&t, "AdditiveType"), "Pesticide");
        assert_eq!(str_field(&t, "AdditiveTypeName"), "Pesticide");
        assert_eq!(str_field(&t, "ProductTradeName"), "Neem Gold");
        assert_eq!(
            str_field(&t, "RestrictiveEntryIntervalTimeDescription"),
            "Hours"
        );
        assert_eq!(t["IsActive"], json!(true));
        assert!(int_field(&t, "FacilityId") > 0);
        assert_eq!(decimal(&t["ActiveIngredients"][0], "Percentage"), "12.5");
        let active = added_names(app, TEMPLATES, &demo).await;
        assert_eq!(active, vec!["Kelp", "Neem"]);
        assert!(
            app.list(CULTIVATOR, "/additivestemplates/v2/inactive")
                .await
                .is_empty()
        );

        let mut changed = template("Neem Oil");
        merge(
            &mut changed,
            json!({"Id": ids[0], "AdditiveType": "other",
                                   "ActiveIngredients": [{"Name": "Neem oil", "Percentage": 70}]}),
        );
        let r = app
            .put(CULTIVATOR, "/additivestemplates/v2", json!([changed]))
            .send()
            .await
            .ok();
        assert!(r.body.is_empty(), "PUT answers no body: {}", r.body);
        let t = app
            .get(CULTIVATOR, &format!("/additivestemplates/v2/{}", ids[0]))
            .send()
            .await
            .ok()
            .json();
        assert_eq!(str_field(&t, "Name"), "Neem Oil");
        assert_eq!(str_field(&t, "AdditiveType"), "Other");
        assert_eq!(decimal(&t["ActiveIngredients"][0], "Percentage"), "70");
    })
    .await;
}

#[tokio::test]
async fn template_errors_are_per_row_and_write_nothing() {
    for_each_backend(async |app| {
        let demo = ids_on(app, TEMPLATES).await;
        let kelp = create_template(app, "Kelp").await;
        let mut bad_pct = template("Bad");
        merge(
            &mut bad_pct,
            json!({"ActiveIngredients": [{"Name": "X", "Percentage": 101}]}),
        );
        let mut no_type = template("Typeless");
        merge(&mut no_type, json!({"AdditiveType": "Compost"}));
        let mut long = template(&"n".repeat(300));
        merge(&mut long, json!({}));
        let rows = refused(
            app,
            "POST",
            "/additivestemplates/v2",
            json!([template("kelp"), bad_pct, no_type, template("Fine"), long]),
        )
        .await;
        let msgs: Vec<&str> = rows.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            vec![0, 1, 2, 4]
        );
        assert_eq!(msgs[0], "Additives Template kelp already exists.");
        assert!(msgs[1].contains("between 0 and 100"), "{msgs:?}");
        assert!(
            msgs[2].contains("not one of Fertilizer, Pesticide, Other"),
            "{msgs:?}"
        );
        assert!(msgs[3].contains("longer than"), "{msgs:?}");

        // Updates address templates of this facility by Id.
        let mut unknown = template("X");
        merge(&mut unknown, json!({"Id": 999_999}));
        let rows = refused(app, "PUT", "/additivestemplates/v2", json!([unknown])).await;
        assert!(rows[0].1.contains("does not exist"), "{rows:?}");
        let rows = refused(app, "PUT", "/additivestemplates/v2", json!([template("Y")])).await;
        assert_eq!(rows[0].1, "Id was not specified.");
        // A rename onto another active template's name.
        let mut onto = template("kelp");
        let neem = create_template(app, "Neem").await;
        merge(&mut onto, json!({"Id": neem}));
        let rows = refused(app, "PUT", "/additivestemplates/v2", json!([onto])).await;
        assert_eq!(rows[0].1, "Additives Template kelp already exists.");

        // Unknown and malformed ids are 404 (as every by-id GET answers them); never 500.
        app.get(CULTIVATOR, "/additivestemplates/v2/999999")
            .send()
            .await
            .status(404);
        app.get(CULTIVATOR, "/additivestemplates/v2/abc")
            .send()
            .await
            .status(404);
        // A body that is not an array of objects is a 400 `{"Message"}`.
        let r = app
            .post(CULTIVATOR, "/additivestemplates/v2", json!({"Name": "x"}))
            .send()
            .await
            .status(400);
        assert!(!r.message().is_empty());
        assert_eq!(
            added_names(app, TEMPLATES, &demo).await,
            vec!["Kelp", "Neem"]
        );
        let t = app
            .get(CULTIVATOR, &format!("/additivestemplates/v2/{kelp}"))
            .send()
            .await
            .ok()
            .json();
        assert_eq!(str_field(&t, "Name"), "Kelp");
    })
    .await;
}

#[tokio::test]
async fn rule_17_additives_applied_to_plants_directly_and_from_a_template() {
    for_each_backend(async |app| {
        let demo = ids_on(app, APPLIED).await;
        planted(app, "Lot", 4).await;
        let plants = labels(app, &grown(app, "Lot", 3, "Vegetative").await).await;
        create_template(app, "Neem").await;
        let r = app
            .post(
                CULTIVATOR,
                "/plants/v2/additives",
                json!([product(
                    json!({"PlantLabels": [plants[0], plants[1].to_lowercase()]})
                )]),
            )
            .send()
            .await
            .ok();
        assert_eq!(ids(&r).len(), 1);
        let r = app
            .post(
                CULTIVATOR,
                "/plants/v2/additives/usingtemplate",
                json!([using("neem", json!({"PlantLabels": [plants[2]]}))]),
            )
            .send()
            .await
            .ok();
        assert_eq!(ids(&r).len(), 1);
        let list = added(app, APPLIED, &demo).await;
        assert_eq!(list.len(), 2);
        let a = &list[0];
        assert_pascal_case(a, "PlantAdditive");
        assert_eq!(str_field(a, "AdditiveTypeName"), "Fertilizer");
        assert_eq!(str_field(a, "ProductTradeName"), "Grow Big");
        assert_eq!(decimal(a, "TotalAmountApplied"), "2.5");
        assert_eq!(str_field(a, "AmountUnitOfMeasure"), "Gallons");
        assert_eq!(int_field(a, "PlantCount"), 2);
        assert_eq!(str_field(a, "PlantBatchName"), "Lot");
        assert_eq!(str_field(a, "ActualDate"), "2026-01-10");
        assert!(!str_field(a, "RecordedByUserName").is_empty());
        let t = &list[1];
        assert_eq!(str_field(t, "AdditiveTypeName"), "Pesticide");
        assert_eq!(str_field(t, "ProductTradeName"), "Neem Gold");
        assert_eq!(str_field(t, "EpaRegistrationNumber"), "70051-2");
        assert_eq!(str_field(t, "Rate"), "2 ml/gal");
        assert_eq!(str_field(t, "Volume"), "5 gal");
        assert_eq!(str_field(t, "AdditivesTemplateName"), "Neem");
        assert_eq!(str_field(t, "Note"), "Shake well");
        // Every application is journaled with who did it (rule 17).
        let journal = app.journal(CULTIVATOR).await;
        assert!(
            journal
                .iter()
                .any(|e| e.to_string().contains("Record plant additives")),
            "journaled"
        );
    })
    .await;
}

#[tokio::test]
async fn applications_to_plants_refuse_bad_rows_and_write_nothing() {
    for_each_backend(async |app| {
        let demo = ids_on(app, APPLIED).await;
        planted(app, "Lot", 4).await;
        let plants = labels(app, &grown(app, "Lot", 2, "Flowering").await).await;
        // A destroyed plant takes no additive.
        app.delete(CULTIVATOR, "/plants/v2")
            .json(
                json!([{"Label": plants[1], "WasteMethodName": "Compost", "WasteWeight": 10,
                          "WasteUnitOfMeasureName": "Grams", "WasteReasonName": "Contamination",
                          "ActualDate": "2026-01-10"}]),
            )
            .send()
            .await
            .ok();
        let rows = refused(
            app,
            "POST",
            "/plants/v2/additives",
            json!([
                product(json!({"PlantLabels": [plants[0]], "ActualDate": "2999-01-01"})),
                product(json!({"PlantLabels": [plants[0]], "TotalAmountApplied": 0})),
                product(json!({"PlantLabels": [plants[1]]})),
                product(json!({"PlantLabels": ["1A4FF0100000022000099999"]})),
                product(json!({"PlantLabels": [plants[0]], "TotalAmountUnitOfMeasure": null})),
                product(json!({"PlantLabels": [plants[0]]})),
                product(json!({"PlantLabels": null})),
            ]),
        )
        .await;
        let msgs: Vec<&str> = rows.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4, 6]
        );
        // Rule 16: never dated ahead of the clock.
        assert!(msgs[0].contains("in the future"), "{msgs:?}");
        // Rule 17: an amount, above zero, with its unit.
        assert!(msgs[1].contains("greater than zero"), "{msgs:?}");
        assert!(msgs[2].contains("destroyed"), "{msgs:?}");
        assert!(msgs[3].contains("does not exist"), "{msgs:?}");
        assert_eq!(msgs[4], "TotalAmountUnitOfMeasure was not specified.");
        assert_eq!(msgs[5], "PlantLabels was not specified.");
        // An unknown template.
        let rows = refused(
            app,
            "POST",
            "/plants/v2/additives/usingtemplate",
            json!([using("Nope", json!({"PlantLabels": [plants[0]]}))]),
        )
        .await;
        assert!(
            rows[0].1.contains("does not exist or is archived"),
            "{rows:?}"
        );
        assert!(added(app, APPLIED, &demo).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn additives_by_location_treat_every_growing_plant_there() {
    for_each_backend(async |app| {
        let demo = ids_on(app, APPLIED).await;
        planted(app, "Lot", 5).await;
        let ids3 = grown(app, "Lot", 3, "Vegetative").await;
        // One plant moves to a sublocation of the same location.
        app.put(
            CULTIVATOR,
            "/plants/v2/location",
            json!([{"Id": ids3[2], "Location": "Greenhouse A", "Sublocation": "Shelf 1"}]),
        )
        .send()
        .await
        .ok();
        create_template(app, "Neem").await;
        let r = app
            .post(
                CULTIVATOR,
                "/plants/v2/additives/bylocation",
                json!([product(json!({"LocationName": "greenhouse a"}))]),
            )
            .send()
            .await
            .ok();
        assert_eq!(ids(&r).len(), 1);
        app.post(
            CULTIVATOR,
            "/plants/v2/additives/bylocation/usingtemplate",
            json!([using(
                "Neem",
                json!({"LocationName": "Greenhouse A", "SublocationName": "Shelf 1"})
            )]),
        )
        .send()
        .await
        .ok();
        let list = added(app, APPLIED, &demo).await;
        // The demo grows plants of its own in Greenhouse A: every growing one there is treated.
        let growing = growing(app).await;
        let there = |loc: &str, sub: Option<&str>| {
            growing
                .iter()
                .filter(|p| {
                    str_field(p, "LocationName") == loc
                        && sub.is_none_or(|s| p["SublocationName"] == json!(s))
                })
                .count() as i64
        };
        assert!(there("Greenhouse A", None) >= 3);
        assert_eq!(
            int_field(&list[0], "PlantCount"),
            there("Greenhouse A", None)
        );
        assert_eq!(
            list[0]["PlantLabels"].as_array().map(Vec::len),
            Some(there("Greenhouse A", None) as usize)
        );
        assert_eq!(there("Greenhouse A", Some("Shelf 1")), 1);
        assert_eq!(there("Vault", None), 0);
        assert_eq!(there("Greenhouse A", Some("Shelf 2")), 0);
        assert_eq!(str_field(&list[0], "LocationName"), "Greenhouse A");
        assert_eq!(int_field(&list[1], "PlantCount"), 1);
        assert_eq!(str_field(&list[1], "SublocationName"), "Shelf 1");
        assert_eq!(list[1]["PlantLabels"].as_array().map(Vec::len), Some(1));

        // An empty place, an unknown place, a sublocation with no plants: refused per row.
        let rows = refused(
            app,
            "POST",
            "/plants/v2/additives/bylocation",
            json!([
                product(json!({"LocationName": "Vault"})),
                product(json!({"LocationName": "Nowhere"})),
                product(json!({"LocationName": "Greenhouse A", "SublocationName": "Shelf 2"})),
                product(json!({})),
            ]),
        )
        .await;
        let msgs: Vec<&str> = rows.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(msgs[0], "Location Vault has no growing plants.");
        assert!(msgs[1].contains("does not exist"), "{msgs:?}");
        assert!(
            msgs[2].contains("no growing plants in Sublocation Shelf 2"),
            "{msgs:?}"
        );
        assert_eq!(msgs[3], "LocationName was not specified.");
        let rows = refused(
            app,
            "POST",
            "/plants/v2/additives/bylocation/usingtemplate",
            json!([using(
                "Neem",
                json!({"LocationName": "Greenhouse A", "TotalAmountApplied": -1})
            )]),
        )
        .await;
        assert!(rows[0].1.contains("greater than zero"), "{rows:?}");
    })
    .await;
}

#[tokio::test]
async fn additives_on_plant_batches_directly_and_from_a_template() {
    for_each_backend(async |app| {
        let (demo, demo_templates) = (ids_on(app, APPLIED).await, ids_on(app, TEMPLATES).await);
        let batch = planted(app, "Lot", 7).await;
        create_template(app, "Neem").await;
        app.post(
            CULTIVATOR,
            "/plantbatches/v2/additives",
            json!([product(json!({"PlantBatchName": "lot"}))]),
        )
        .send()
        .await
        .ok();
        app.post(
            CULTIVATOR,
            "/plantbatches/v2/additives/usingtemplate",
            json!([using("Neem", json!({"PlantBatchName": "Lot"}))]),
        )
        .send()
        .await
        .ok();
        let list = added(app, APPLIED, &demo).await;
        assert_eq!(list.len(), 2);
        // Both lists page by lastModified windows, like every other list (rule 67: 24 h at most).
        let now = Utc::now();
        let (recent, old) = (now - Duration::minutes(30), now - Duration::hours(3));
        let later = now + Duration::minutes(1);
        assert_eq!(
            total_in(app, APPLIED, recent, later).await,
            2 + old_within(app, APPLIED, &demo, recent, later).await
        );
        let (before, after) = (old, now - Duration::hours(1));
        assert_eq!(
            total_in(app, APPLIED, before, after).await,
            old_within(app, APPLIED, &demo, before, after).await
        );
        assert_eq!(
            total_in(app, TEMPLATES, recent, later).await,
            1 + old_within(app, TEMPLATES, &demo_templates, recent, later).await
        );
        app.get(CULTIVATOR, "/plants/v2/additives")
            .query("lastModifiedStart", &iso(now - Duration::hours(25)))
            .query("lastModifiedEnd", &iso(now))
            .send()
            .await
            .status(400);
        let paged = app
            .get(CULTIVATOR, "/plants/v2/additives")
            .query("pageNumber", "2")
            .query("pageSize", "1")
            .send()
            .await
            .ok()
            .json();
        let all = app.list(CULTIVATOR, APPLIED).await;
        assert_eq!(int_field(&paged, "Total"), all.len() as i64);
        assert_eq!(paged["Data"][0], all[1]);
        for a in &list {
            assert_eq!(int_field(a, "PlantBatchId"), batch);
            assert_eq!(str_field(a, "PlantBatchName"), "Lot");
            assert_eq!(int_field(a, "PlantCount"), 7);
        }
        let rows = refused(
            app,
            "POST",
            "/plantbatches/v2/additives",
            json!([
                product(json!({"PlantBatchName": "Nope"})),
                product(json!({"PlantBatchName": "Lot", "AdditiveType": null})),
                product(json!({"PlantBatchName": "Lot",
                               "ActiveIngredients": [{"Name": "A", "Percentage": 60},
                                                     {"Name": "B", "Percentage": 50}]})),
            ]),
        )
        .await;
        assert!(rows[0].1.contains("does not exist"), "{rows:?}");
        assert_eq!(rows[1].1, "AdditiveType was not specified.");
        assert!(rows[2].1.contains("more than 100"), "{rows:?}");
        let rows = refused(
            app,
            "POST",
            "/plantbatches/v2/additives/usingtemplate",
            json!([using(
                "Neem",
                json!({"PlantBatchName": "Lot", "ActualDate": "2999-12-31"})
            )]),
        )
        .await;
        assert!(rows[0].1.contains("in the future"), "{rows:?}");
    })
    .await;
}

#[tokio::test]
async fn additive_types_and_the_capability_to_grow() {
    for_each_backend(async |app| {
        let types = app
            .get(CULTIVATOR, "/plants/v2/additives/types")
            .without_license()
            .send()
            .await
            .ok()
            .json();
        assert_eq!(types, json!(["Fertilizer", "Pesticide", "Other"]));
        // A facility that cannot grow plants records no additives and keeps no templates.
        let before = app.journal(MANUFACTURER).await.len();
        app.post(
            MANUFACTURER,
            "/additivestemplates/v2",
            json!([template("Neem")]),
        )
        .send()
        .await
        .status(403);
        app.post(
            MANUFACTURER,
            "/plants/v2/additives",
            json!([product(
                json!({"PlantLabels": ["1A4FF0100000022000000001"]})
            )]),
        )
        .send()
        .await
        .status(403);
        assert_eq!(app.journal(MANUFACTURER).await.len(), before);
        // Lists need licenseNumber.
        app.get(CULTIVATOR, "/plants/v2/additives")
            .without_license()
            .send()
            .await
            .status(400);
    })
    .await;
}

/// Archives template `id` through the ledger, as the cultivator's employee: Metrc's v2 has no
/// endpoint for it, so the action is taken in-process (the door other front ends use).
async fn archive(app: &TestApp, id: i64) -> Result<(), tagtrail_app::AppError> {
    let acting = app
        .ledger
        .authenticate(&app.creds.vendor_key, app.user_key(CULTIVATOR))
        .await?;
    let def = <tagtrail_app::actions::additives::ArchiveTemplate as tagtrail_app::Action>::DEF;
    let scope = app.ledger.authorize_for(&acting, CULTIVATOR, &def).await?;
    let door = tagtrail_app::Door::api("archive additives template", json!({ "Id": id }));
    app.ledger
        .run::<tagtrail_app::actions::additives::ArchiveTemplate>(&scope, door, &id)
        .await
        .map(|_| ())
}

#[tokio::test]
async fn an_archived_template_is_inactive_frees_its_name_and_is_applied_no_more() {
    for_each_backend(async |app| {
        let demo = ids_on(app, TEMPLATES).await;
        planted(app, "Lot", 2).await;
        let neem = create_template(app, "Neem").await;
        archive(app, neem).await.expect("archived");
        assert!(archive(app, neem).await.is_err(), "archived once");
        let inactive = app
            .list(CULTIVATOR, "/additivestemplates/v2/inactive")
            .await;
        assert_eq!(inactive.len(), 1);
        assert_eq!(inactive[0]["IsActive"], json!(false));
        assert!(added(app, TEMPLATES, &demo).await.is_empty());
        let rows = refused(
            app,
            "POST",
            "/plantbatches/v2/additives/usingtemplate",
            json!([using("Neem", json!({"PlantBatchName": "Lot"}))]),
        )
        .await;
        assert!(
            rows[0].1.contains("does not exist or is archived"),
            "{rows:?}"
        );
        // An archived template is not updated; its name is free for a new one.
        let mut edit = template("Neem");
        merge(&mut edit, json!({"Id": neem}));
        let rows = refused(app, "PUT", "/additivestemplates/v2", json!([edit])).await;
        assert!(rows[0].1.contains("archived"), "{rows:?}");
        let again = create_template(app, "neem").await;
        assert_ne!(again, neem);
        app.post(
            CULTIVATOR,
            "/plantbatches/v2/additives/usingtemplate",
            json!([using("Neem", json!({"PlantBatchName": "Lot"}))]),
        )
        .send()
        .await
        .ok();
    })
    .await;
}

/// `/openapi.json` documents every additive endpoint with its methods.
#[tokio::test]
async fn openapi_documents_the_additive_endpoints() {
    for_each_backend(async |app| {
        let doc: Value = app
            .call(reqwest::Method::GET, "/openapi.json")
            .send()
            .await
            .ok()
            .json();
        let paths = doc["paths"].as_object().expect("paths");
        for (path, methods) in [
            ("/additivestemplates/v2", &["post", "put"][..]),
            ("/additivestemplates/v2/{id}", &["get"]),
            ("/additivestemplates/v2/active", &["get"]),
            ("/additivestemplates/v2/inactive", &["get"]),
            ("/plants/v2/additives", &["get", "post"]),
            ("/plants/v2/additives/types", &["get"]),
            ("/plants/v2/additives/usingtemplate", &["post"]),
            ("/plants/v2/additives/bylocation", &["post"]),
            ("/plants/v2/additives/bylocation/usingtemplate", &["post"]),
            ("/plantbatches/v2/additives", &["post"]),
            ("/plantbatches/v2/additives/usingtemplate", &["post"]),
        ] {
            for m in methods {
                assert!(
                    paths.get(path).and_then(|p| p.get(*m)).is_some(),
                    "{m} {path} documented"
                );
            }
        }
    })
    .await;
}
