//! Packages: creation from source packages and testing samples, adjustments, finishing, holds,
//! moves, item changes, notes, dates, external ids, flags, remediation, discontinuing, lineage,
//! and the package lists (rules 11, 13, 23, 28, 29, 33, 34, 72; bulletins I and III).
//!
//! The demo's inventory (see `demo::seed_inventory`): the cultivator has 3536 g and 988 g of
//! Blue Dream Flower and 2000 g of OG Kush Trim (all NotSubmitted); the manufacturer 795 g of
//! TestPassed distillate, 198 TestPassed vapes, 500 held gummies and a finished offcut; the
//! distributor 990 gummies and a 10-unit testing sample (SubmittedForTesting), 300 TestPassed
//! vapes and 100 Remediated ones; the retailer 200 gummies and 50 vapes (TestPassed); the lab none.

use crate::helpers::*;
use chrono::{Duration, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use tagtrail_domain::commands::packages::NewPackage;
use tagtrail_domain::records::Tag;

// ---- helpers ----------------------------------------------------------------------------------

/// Labels of the package tags available at `license`.
async fn free_tags(app: &TestApp, license: &str) -> Vec<String> {
    app.list(license, "/tags/v2/package/available")
        .await
        .iter()
        .map(|t| str_field(t, "Label"))
        .collect()
}

async fn fresh_tag(app: &TestApp, license: &str) -> String {
    free_tags(app, license)
        .await
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{license} has a free package tag"))
}

/// `GET /packages/v2/{key}` (an id or a label), which must answer 200.
async fn package(app: &TestApp, license: &str, key: &str) -> Value {
    app.get(license, &format!("/packages/v2/{key}"))
        .send()
        .await
        .ok()
        .json()
}

async fn by_id(app: &TestApp, license: &str, id: i64) -> Value {
    package(app, license, &id.to_string()).await
}

/// The demo's active package of `item` holding `quantity` at `license`.
async fn demo_package(app: &TestApp, license: &str, item: &str, quantity: &str) -> Value {
    app.list(license, "/packages/v2/active")
        .await
        .into_iter()
        .find(|p| p["Item"]["Name"] == item && decimal(p, "Quantity") == quantity)
        .unwrap_or_else(|| panic!("the demo has {quantity} of {item} at {license}"))
}

/// The ids of a package list (`active`, `inactive`, `onhold`, ...).
async fn list_ids(app: &TestApp, license: &str, kind: &str) -> Vec<i64> {
    app.list(license, &format!("/packages/v2/{kind}"))
        .await
        .iter()
        .map(|p| int_field(p, "Id"))
        .collect()
}

fn label(p: &Value) -> String {
    str_field(p, "Label")
}

fn qty(p: &Value) -> String {
    decimal(p, "Quantity")
}

/// A `POST /packages/v2` element without ingredients.
fn new_package(tag: &str, item: &str, quantity: Value, unit: &str, location: &str) -> Value {
    json!({"Tag": tag, "Item": item, "Quantity": quantity, "UnitOfMeasure": unit, "Location": location})
}

/// Adds an ingredient (a source package and what is taken from it).
fn from(mut body: Value, source: &str, take: Value, unit: &str) -> Value {
    let ingredients = body
        .as_object_mut()
        .expect("a package body")
        .entry("Ingredients")
        .or_insert_with(|| json!([]));
    ingredients
        .as_array_mut()
        .expect("Ingredients is an array")
        .push(json!({"Package": source, "Quantity": take, "UnitOfMeasure": unit}));
    body
}

/// Makes `quantity` of the source's item from `source` (taking the same amount in its unit) with
/// a fresh tag, and returns the new package.
async fn make(
    app: &TestApp,
    license: &str,
    source: &Value,
    quantity: Value,
    location: &str,
) -> Value {
    let unit = str_field(source, "UnitOfMeasureName");
    let item = source["Item"]["Name"]
        .as_str()
        .expect("Item.Name")
        .to_string();
    let tag = fresh_tag(app, license).await;
    let body = from(
        new_package(&tag, &item, quantity.clone(), &unit, location),
        &label(source),
        quantity,
        &unit,
    );
    let r = app
        .post(license, "/packages/v2", json!([body]))
        .send()
        .await
        .ok();
    let id = ids(&r)[0];
    by_id(app, license, id).await
}

/// A `POST|PUT /packages/v2/adjust` element (the unit defaults to the package's).
fn adjustment(label: &str, quantity: Value, reason: &str) -> Value {
    json!({"Label": label, "Quantity": quantity, "AdjustmentReason": reason})
}

fn row_numbers(r: &Resp) -> Vec<u64> {
    r.rows().iter().map(|(row, _)| *row).collect()
}

/// The single row error of a 400, asserting it is row `row`.
#[track_caller]
fn only_row(r: &Resp, row: u64) -> String {
    let rows = r.rows();
    assert_eq!(
        rows.len(),
        1,
        "{}: one row error expected: {}",
        r.what,
        r.body
    );
    assert_eq!(rows[0].0, row, "{}: {}", r.what, r.body);
    rows[0].1.clone()
}

/// The operator's opening balance (rule 23's one exception), with a fresh tag.
async fn opening(
    app: &TestApp,
    license: &str,
    item: &str,
    quantity: i64,
    unit: &str,
    location: &str,
    lab_state: &str,
) -> Value {
    let tag = fresh_tag(app, license).await;
    let spec = NewPackage {
        tag: Some(tag.clone()),
        item: Some(item.into()),
        quantity: Some(Decimal::new(quantity, 0)),
        unit_of_measure: Some(unit.into()),
        location: Some(location.into()),
        ..Default::default()
    };
    app.opening_balance(license, spec, lab_state).await;
    package(app, license, &tag).await
}

/// The regulator's administrative hold (`on`) or release (rule 34).
async fn hold(app: &TestApp, license: &str, label: &str, on: bool) {
    app.hold(
        license,
        &[label.to_string()],
        on,
        "DCC embargo pending review",
    )
    .await;
}

async fn lineage(app: &TestApp, license: &str, key: &str, depth: Option<&str>) -> Value {
    let mut call = app.get(license, &format!("/tagtrail/v1/packages/{key}/lineage"));
    if let Some(d) = depth {
        call = call.query("depth", d);
    }
    call.send().await.ok().json()
}

/// `(Depth, Label)` of each step of a lineage side (`Ancestors` or `Descendants`).
fn steps(l: &Value, side: &str) -> Vec<(i64, String)> {
    l[side]
        .as_array()
        .unwrap_or_else(|| panic!("no {side} array in {l}"))
        .iter()
        .map(|s| (int_field(s, "Depth"), label(&s["Package"])))
        .collect()
}

fn iso(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, false)
}

/// The date part (`YYYY-MM-DD`) of the record's `LastModified`: the server's "today" when it
/// wrote the record.
fn written_on(p: &Value) -> String {
    str_field(p, "LastModified")[..10].to_string()
}

fn in_two_days() -> String {
    (Utc::now() + Duration::days(2))
        .format("%Y-%m-%d")
        .to_string()
}

// ---- creating packages ------------------------------------------------------------------------

/// `POST /packages/v2`: the new package carries what was asked, bulletin I's "Packaged By" (the
/// creating license), the lab state of its single TestPassed source and the source's label; the
/// source loses exactly what was taken (0.5 g, an exact decimal); the tag is used up (rule 13);
/// the package is readable by id and by label, listed in active, and the lineage links both ways.
#[tokio::test]
async fn create_from_a_source_bulletin_i_packaged_by_and_lineage() {
    for_each_backend(async |app| {
        let src = demo_package(app, MANUFACTURER, "Blue Dream Distillate", "795").await;
        let tags = free_tags(app, MANUFACTURER).await;
        let tag = tags[0].clone();
        let journal = app.journal(MANUFACTURER).await.len();
        // Labels are matched without case (rule 71).
        let body = from(
            new_package(
                &tag.to_ascii_lowercase(),
                "blue dream distillate",
                json!(0.5),
                "Grams",
                "Extraction Lab",
            ),
            &label(&src).to_ascii_lowercase(),
            json!(0.5),
            "Grams",
        );
        let mut body = body;
        body["Note"] = json!("QA retain");
        body["Sublocation"] = json!("Shelf 1");
        let r = app
            .post(MANUFACTURER, "/packages/v2", json!([body]))
            .send()
            .await
            .ok();
        let created = ids(&r);
        assert_eq!(created.len(), 1);
        assert_eq!(r.json()["Warnings"], Value::Null, "{}", r.body);
        let id = created[0];
        assert_eq!(
            app.journal(MANUFACTURER).await.len(),
            journal + 1,
            "one write, one journal entry"
        );

        let p = by_id(app, MANUFACTURER, id).await;
        assert_pascal_case(&p, "package");
        assert_eq!(int_field(&p, "Id"), id);
        assert_eq!(label(&p), tag);
        assert_eq!(qty(&p), "0.5");
        assert_eq!(decimal(&p, "OriginalPackageQuantity"), "0.5");
        assert_eq!(str_field(&p, "UnitOfMeasureName"), "Grams");
        assert_eq!(str_field(&p, "PackageType"), "Product");
        assert_eq!(str_field(&p["Item"], "Name"), "Blue Dream Distillate");
        assert_eq!(str_field(&p["Item"], "QuantityType"), "WeightBased");
        assert_eq!(str_field(&p, "SourcePackageLabels"), label(&src));
        assert_eq!(int_field(&p, "SourcePackageCount"), 1);
        assert_eq!(
            str_field(&p, "PackagedByFacilityLicenseNumber"),
            MANUFACTURER,
            "bulletin I: Packaged By is the creating license"
        );
        assert_eq!(
            str_field(&p, "PackagedByFacilityName"),
            "Golden State Kitchens"
        );
        assert_eq!(
            str_field(&p, "LabTestingState"),
            "TestPassed",
            "a repackage of one tested lot carries its state"
        );
        assert_eq!(str_field(&p, "InitialLabTestingState"), "TestPassed");
        assert_eq!(str_field(&p, "LocationName"), "Extraction Lab");
        assert_eq!(str_field(&p, "SublocationName"), "Shelf 1");
        assert_eq!(str_field(&p, "Note"), "QA retain");
        assert_eq!(str_field(&p, "PackagedDate"), written_on(&p));
        for flag in [
            "IsOnHold",
            "IsFinished",
            "IsTestingSample",
            "IsDonation",
            "IsTradeSample",
            "IsFinishedGood",
        ] {
            assert_eq!(p[flag], json!(false), "{flag}");
        }

        // By label (any case), and in the active list with the same record.
        assert_eq!(package(app, MANUFACTURER, &tag).await, p);
        assert_eq!(
            int_field(
                &package(app, MANUFACTURER, &tag.to_ascii_lowercase()).await,
                "Id"
            ),
            id
        );
        let active = app.list(MANUFACTURER, "/packages/v2/active").await;
        assert_eq!(active.iter().find(|x| int_field(x, "Id") == id), Some(&p));

        // The source lost exactly 0.5 g; the tag is used.
        assert_eq!(
            qty(&by_id(app, MANUFACTURER, int_field(&src, "Id")).await),
            "794.5"
        );
        let after = free_tags(app, MANUFACTURER).await;
        assert!(!after.contains(&tag), "the used tag is no longer available");
        assert_eq!(after.len(), tags.len() - 1);

        // Lineage: the child names its parent, the parent its child.
        let l = lineage(app, MANUFACTURER, &id.to_string(), None).await;
        assert_eq!(int_field(&l["Package"], "Id"), id);
        assert_eq!(steps(&l, "Ancestors"), vec![(1, label(&src))]);
        assert_eq!(steps(&l, "Descendants"), vec![]);
        let l = lineage(app, MANUFACTURER, &label(&src), None).await;
        assert_eq!(
            steps(&l, "Ancestors"),
            vec![],
            "an opening balance has no source"
        );
        assert!(steps(&l, "Descendants").contains(&(1, tag.clone())), "{l}");

        // A grandchild: depth 2 from the source, cut off by depth=1.
        let grandchild = make(app, MANUFACTURER, &p, json!(0.25), "Extraction Lab").await;
        assert_eq!(qty(&by_id(app, MANUFACTURER, id).await), "0.25");
        let l = lineage(app, MANUFACTURER, &label(&grandchild), None).await;
        assert_eq!(
            steps(&l, "Ancestors"),
            vec![(1, tag.clone()), (2, label(&src))]
        );
        let l = lineage(app, MANUFACTURER, &label(&src), None).await;
        let down = steps(&l, "Descendants");
        assert!(
            down.contains(&(1, tag.clone())) && down.contains(&(2, label(&grandchild))),
            "{down:?}"
        );
        let l = lineage(app, MANUFACTURER, &label(&src), Some("1")).await;
        let down = steps(&l, "Descendants");
        assert!(down.contains(&(1, tag.clone())), "{down:?}");
        assert!(
            down.iter().all(|(d, _)| *d == 1),
            "depth=1 stops at direct products: {down:?}"
        );
        for bad in ["0", "51", "deep"] {
            app.get(MANUFACTURER, &format!("/tagtrail/v1/packages/{id}/lineage"))
                .query("depth", bad)
                .send()
                .await
                .status(400)
                .message();
        }
    })
    .await;
}

/// An ingredient may be stated in another unit of the source's quantity type: 1 kg and 250 mg
/// (two rows) from a Grams source take 1000.25 g; a single NotSubmitted source passes its state
/// on; a package may be stated in any unit of its item's quantity type.
#[tokio::test]
async fn ingredient_units_convert_to_the_source_unit() {
    for_each_backend(async |app| {
        let flower = demo_package(app, CULTIVATOR, "Blue Dream Flower", "3536").await;
        let fid = int_field(&flower, "Id");
        let tags = free_tags(app, CULTIVATOR).await;
        let body = json!([
            from(
                new_package(&tags[0], "Blue Dream Flower", json!(1000), "Grams", "Vault"),
                &label(&flower),
                json!(1),
                "Kilograms"
            ),
            from(
                new_package(&tags[1], "Blue Dream Flower", json!(0.25), "Grams", "Vault"),
                &label(&flower),
                json!(250),
                "Milligrams"
            ),
        ]);
        let created = ids(&app.post(CULTIVATOR, "/packages/v2", body).send().await.ok());
        assert_eq!(created.len(), 2);
        assert_eq!(qty(&by_id(app, CULTIVATOR, fid).await), "2535.75");
        let p = by_id(app, CULTIVATOR, created[0]).await;
        assert_eq!(qty(&p), "1000");
        assert_eq!(str_field(&p, "LabTestingState"), "NotSubmitted");
        assert_eq!(qty(&by_id(app, CULTIVATOR, created[1]).await), "0.25");
        let body = from(
            new_package(&tags[2], "Blue Dream Flower", json!(1), "Ounces", "Vault"),
            &label(&flower),
            json!(1),
            "Ounces",
        );
        let id = ids(&app
            .post(CULTIVATOR, "/packages/v2", json!([body]))
            .send()
            .await
            .ok())[0];
        let p = by_id(app, CULTIVATOR, id).await;
        assert_eq!(
            (qty(&p), str_field(&p, "UnitOfMeasureName")),
            ("1".to_string(), "Ounces".to_string())
        );
        let left: Decimal = qty(&by_id(app, CULTIVATOR, fid).await)
            .parse()
            .expect("a decimal");
        let ounce = Decimal::new(253575, 2) - left;
        assert!(
            ounce > Decimal::new(2834, 2) && ounce < Decimal::new(2836, 2),
            "an ounce is about 28.35 g, took {ounce}"
        );
    })
    .await;
}

/// `POST /packages/v2/testing` (rule 36): a testing sample is a new package with its own tag,
/// SubmittedForTesting; its NotSubmitted source becomes SubmittedForTesting.
#[tokio::test]
async fn testing_sample_submits_its_source() {
    for_each_backend(async |app| {
        let trim = demo_package(app, CULTIVATOR, "OG Kush Trim", "2000").await;
        let tag = fresh_tag(app, CULTIVATOR).await;
        let body = from(
            new_package(&tag, "OG Kush Trim", json!(2), "Grams", "Vault"),
            &label(&trim),
            json!(2),
            "Grams",
        );
        let id = ids(&app
            .post(CULTIVATOR, "/packages/v2/testing", json!([body]))
            .send()
            .await
            .ok())[0];
        let sample = by_id(app, CULTIVATOR, id).await;
        assert_eq!(sample["IsTestingSample"], json!(true));
        assert_eq!(str_field(&sample, "LabTestingState"), "SubmittedForTesting");
        assert_eq!(
            str_field(&sample, "InitialLabTestingState"),
            "SubmittedForTesting"
        );
        assert_eq!(str_field(&sample, "SourcePackageLabels"), label(&trim));
        assert_eq!(
            str_field(&sample, "PackagedByFacilityLicenseNumber"),
            CULTIVATOR
        );
        let trim = by_id(app, CULTIVATOR, int_field(&trim, "Id")).await;
        assert_eq!(str_field(&trim, "LabTestingState"), "SubmittedForTesting");
        assert_eq!(qty(&trim), "1998");
        assert!(!free_tags(app, CULTIVATOR).await.contains(&tag));
        // A testing sample needs a source too (rule 23).
        let r = app
            .post(
                CULTIVATOR,
                "/packages/v2/testing",
                json!([new_package(
                    &fresh_tag(app, CULTIVATOR).await,
                    "OG Kush Trim",
                    json!(1),
                    "Grams",
                    "Vault"
                )]),
            )
            .send()
            .await
            .status(400);
        assert!(only_row(&r, 0).contains("source package"), "{}", r.body);
    })
    .await;
}

/// Rule 11: a tag that was shipped but whose receipt is not recorded cannot be used; once the
/// receipt is recorded the same request succeeds. Nothing is written by the refusal.
#[tokio::test]
async fn rule_11_a_shipped_but_unreceived_tag_is_not_available() {
    for_each_backend(async |app| {
        // The labels printed on the demo's pending shipment (the operator knows them).
        let shipped: Vec<Tag> = app.shipped_tags(CULTIVATOR).await;
        assert_eq!(shipped.len(), 10, "the demo's order awaiting receipt");
        let tag = shipped[0].label.to_string();
        assert!(!free_tags(app, CULTIVATOR).await.contains(&tag));

        let flower = demo_package(app, CULTIVATOR, "Blue Dream Flower", "3536").await;
        let body = json!([from(
            new_package(&tag, "Blue Dream Flower", json!(1), "Grams", "Vault"),
            &label(&flower),
            json!(1),
            "Grams"
        )]);
        let journal = app.journal(CULTIVATOR).await.len();
        let r = app
            .post(CULTIVATOR, "/packages/v2", body.clone())
            .send()
            .await
            .status(400);
        let msg = only_row(&r, 0);
        assert!(msg.contains("not available") && msg.contains(&tag), "{msg}");
        assert_eq!(
            qty(&by_id(app, CULTIVATOR, int_field(&flower, "Id")).await),
            "3536"
        );
        assert_eq!(app.journal(CULTIVATOR).await.len(), journal);

        let order = app
            .list(CULTIVATOR, "/tagtrail/v1/tags/orders")
            .await
            .into_iter()
            .find(|o| o["Status"] == "Shipped")
            .expect("the demo's pending order");
        app.put(
            CULTIVATOR,
            "/tagtrail/v1/tags/orders/receive",
            json!([{"Id": int_field(&order, "Id")}]),
        )
        .send()
        .await
        .ok();
        let id = ids(&app.post(CULTIVATOR, "/packages/v2", body).send().await.ok())[0];
        assert_eq!(label(&by_id(app, CULTIVATOR, id).await), tag);
        assert_eq!(
            qty(&by_id(app, CULTIVATOR, int_field(&flower, "Id")).await),
            "3535"
        );
    })
    .await;
}

/// Rule 13: a tag is used once, belongs to one facility, and a voided tag is gone; the same tag
/// twice in one body is an error on the second row, and a refused body writes nothing.
#[tokio::test]
async fn rule_13_tags_are_used_once() {
    for_each_backend(async |app| {
        let flower = demo_package(app, CULTIVATOR, "Blue Dream Flower", "3536").await;
        let mk = |tag: &str| {
            from(
                new_package(tag, "Blue Dream Flower", json!(1), "Grams", "Vault"),
                &label(&flower),
                json!(1),
                "Grams",
            )
        };
        let journal = app.journal(CULTIVATOR).await.len();
        let tags = free_tags(app, CULTIVATOR).await;

        // The tag of an existing package.
        let used = label(&demo_package(app, CULTIVATOR, "OG Kush Trim", "2000").await);
        let r = app
            .post(CULTIVATOR, "/packages/v2", json!([mk(&used)]))
            .send()
            .await
            .status(400);
        assert!(only_row(&r, 0).contains("already been used"), "{}", r.body);

        // Another facility's tag, and a voided one.
        let theirs = fresh_tag(app, MANUFACTURER).await;
        let r = app
            .post(CULTIVATOR, "/packages/v2", json!([mk(&theirs)]))
            .send()
            .await
            .status(400);
        assert!(only_row(&r, 0).contains("not available"), "{}", r.body);
        app.put(
            CULTIVATOR,
            "/tagtrail/v1/tags/void",
            json!([{"Label": tags[1]}]),
        )
        .send()
        .await
        .ok();
        let journal = journal + 1;
        let r = app
            .post(CULTIVATOR, "/packages/v2", json!([mk(&tags[1])]))
            .send()
            .await
            .status(400);
        assert!(only_row(&r, 0).contains("voided"), "{}", r.body);

        // The same tag twice: row 1 is refused, and row 0 is not written either.
        let r = app
            .post(
                CULTIVATOR,
                "/packages/v2",
                json!([mk(&tags[0]), mk(&tags[0])]),
            )
            .send()
            .await
            .status(400);
        assert!(only_row(&r, 1).contains("more than once"), "{}", r.body);
        assert!(free_tags(app, CULTIVATOR).await.contains(&tags[0]));
        assert_eq!(
            qty(&by_id(app, CULTIVATOR, int_field(&flower, "Id")).await),
            "3536"
        );
        assert_eq!(
            app.journal(CULTIVATOR).await.len(),
            journal,
            "refused bodies write nothing"
        );

        // Not a label at all.
        let r = app
            .post(CULTIVATOR, "/packages/v2", json!([mk("SHORT"), mk("")]))
            .send()
            .await
            .status(400);
        assert_eq!(row_numbers(&r), vec![0, 1]);
    })
    .await;
}

/// Rule 23: every new package names at least one source package; nothing is written otherwise.
#[tokio::test]
async fn rule_23_a_package_needs_a_source_package() {
    for_each_backend(async |app| {
        let tags = free_tags(app, MANUFACTURER).await;
        let journal = app.journal(MANUFACTURER).await.len();
        let mut empty = new_package(
            &tags[1],
            "Blue Dream Distillate",
            json!(1),
            "Grams",
            "Extraction Lab",
        );
        empty["Ingredients"] = json!([]);
        let r = app
            .post(
                MANUFACTURER,
                "/packages/v2",
                json!([
                    new_package(
                        &tags[0],
                        "Blue Dream Distillate",
                        json!(1),
                        "Grams",
                        "Extraction Lab"
                    ),
                    empty
                ]),
            )
            .send()
            .await
            .status(400);
        let rows = r.rows();
        assert_eq!(row_numbers(&r), vec![0, 1]);
        assert!(
            rows.iter().all(|(_, m)| m.contains("source package")),
            "{rows:?}"
        );
        // An ingredient must name its package.
        let r = app
            .post(
                MANUFACTURER,
                "/packages/v2",
                json!([from(
                    new_package(
                        &tags[0],
                        "Blue Dream Distillate",
                        json!(1),
                        "Grams",
                        "Extraction Lab"
                    ),
                    "",
                    json!(1),
                    "Grams"
                )]),
            )
            .send()
            .await
            .status(400);
        only_row(&r, 0);
        assert_eq!(free_tags(app, MANUFACTURER).await, tags);
        assert_eq!(app.journal(MANUFACTURER).await.len(), journal);
    })
    .await;
}

/// Rule 28: a draw never takes a source below zero. A refused draw writes nothing (the source,
/// the tag and the journal are unchanged), and two rows drawing on one source see each other's
/// draw.
#[tokio::test]
async fn rule_28_a_draw_never_takes_a_source_below_zero() {
    for_each_backend(async |app| {
        let distillate = demo_package(app, MANUFACTURER, "Blue Dream Distillate", "795").await;
        let small = make(app, MANUFACTURER, &distillate, json!(10), "Extraction Lab").await;
        let tags = free_tags(app, MANUFACTURER).await;
        let journal = app.journal(MANUFACTURER).await.len();
        let mk = |tag: &str, take: Value, unit: &str| {
            from(
                new_package(
                    tag,
                    "Blue Dream Distillate",
                    json!(1),
                    "Grams",
                    "Extraction Lab",
                ),
                &label(&small),
                take,
                unit,
            )
        };

        let r = app
            .post(
                MANUFACTURER,
                "/packages/v2",
                json!([mk(&tags[0], json!(10.5), "Grams")]),
            )
            .send()
            .await
            .status(400);
        let msg = only_row(&r, 0);
        assert!(
            msg.contains("cannot be taken") && msg.contains(&label(&small)),
            "{msg}"
        );
        // In another unit too: 0.011 kg is 11 g.
        let r = app
            .post(
                MANUFACTURER,
                "/packages/v2",
                json!([mk(&tags[0], json!(0.011), "Kilograms")]),
            )
            .send()
            .await
            .status(400);
        only_row(&r, 0);
        // Two rows of 6 g: each fits alone, not together; the second row sees 4 g left.
        let r = app
            .post(
                MANUFACTURER,
                "/packages/v2",
                json!([
                    mk(&tags[0], json!(6), "Grams"),
                    mk(&tags[1], json!(6), "Grams")
                ]),
            )
            .send()
            .await
            .status(400);
        let msg = only_row(&r, 1);
        assert!(
            msg.contains("has 4"),
            "the second row sees the first row's draw: {msg}"
        );
        // Nothing was written.
        assert_eq!(
            qty(&by_id(app, MANUFACTURER, int_field(&small, "Id")).await),
            "10"
        );
        assert_eq!(free_tags(app, MANUFACTURER).await, tags);
        assert_eq!(app.journal(MANUFACTURER).await.len(), journal);

        // 6 g and 4 g fit exactly, and empty the source.
        let r = app
            .post(
                MANUFACTURER,
                "/packages/v2",
                json!([
                    mk(&tags[0], json!(6), "Grams"),
                    mk(&tags[1], json!(4), "Grams")
                ]),
            )
            .send()
            .await
            .ok();
        assert_eq!(ids(&r).len(), 2);
        assert_eq!(
            qty(&by_id(app, MANUFACTURER, int_field(&small, "Id")).await),
            "0"
        );
        let l = lineage(app, MANUFACTURER, &label(&small), None).await;
        let mut down = steps(&l, "Descendants");
        down.sort();
        let mut want = vec![(1, tags[0].clone()), (1, tags[1].clone())];
        want.sort();
        assert_eq!(down, want);
        // An empty source gives nothing more, and a zero or negative draw is refused.
        let r = app
            .post(
                MANUFACTURER,
                "/packages/v2",
                json!([mk(&tags[2], json!(0.001), "Grams")]),
            )
            .send()
            .await
            .status(400);
        only_row(&r, 0);
        let r = app
            .post(
                MANUFACTURER,
                "/packages/v2",
                json!([from(
                    new_package(
                        &tags[2],
                        "Blue Dream Distillate",
                        json!(1),
                        "Grams",
                        "Extraction Lab"
                    ),
                    &label(&distillate),
                    json!(0),
                    "Grams"
                )]),
            )
            .send()
            .await
            .status(400);
        only_row(&r, 0);
    })
    .await;
}

/// Rule 29: the new package's unit fits its item's quantity type, and an ingredient's unit fits
/// its source's.
#[tokio::test]
async fn rule_29_units_fit_the_item_and_the_source() {
    for_each_backend(async |app| {
        let distillate = demo_package(app, MANUFACTURER, "Blue Dream Distillate", "795").await;
        let tag = fresh_tag(app, MANUFACTURER).await;
        let journal = app.journal(MANUFACTURER).await.len();
        // Grams of a count-based item.
        let r = app
            .post(
                MANUFACTURER,
                "/packages/v2",
                json!([from(
                    new_package(
                        &tag,
                        "Blue Dream Vape 1g",
                        json!(5),
                        "Grams",
                        "Packaging Line"
                    ),
                    &label(&distillate),
                    json!(5),
                    "Grams"
                )]),
            )
            .send()
            .await
            .status(400);
        let msg = only_row(&r, 0);
        assert!(msg.contains("CountBased"), "{msg}");
        // Each taken from a Grams source.
        let r = app
            .post(
                MANUFACTURER,
                "/packages/v2",
                json!([from(
                    new_package(
                        &tag,
                        "Blue Dream Vape 1g",
                        json!(5),
                        "Each",
                        "Packaging Line"
                    ),
                    &label(&distillate),
                    json!(5),
                    "Each"
                )]),
            )
            .send()
            .await
            .status(400);
        let msg = only_row(&r, 0);
        assert!(msg.contains("Each") && msg.contains("Grams"), "{msg}");
        // Unknown units, items and locations.
        for (item, unit, location) in [
            ("Blue Dream Distillate", "Handfuls", "Extraction Lab"),
            ("No Such Item", "Grams", "Extraction Lab"),
            ("Blue Dream Distillate", "Grams", "No Such Room"),
            ("Blue Dream Flower", "Grams", "Extraction Lab"),
        ] {
            let r = app
                .post(
                    MANUFACTURER,
                    "/packages/v2",
                    json!([from(
                        new_package(&tag, item, json!(1), unit, location),
                        &label(&distillate),
                        json!(1),
                        "Grams"
                    )]),
                )
                .send()
                .await
                .status(400);
            only_row(&r, 0);
        }
        // Rule 16: a package date cannot lie ahead.
        let mut body = from(
            new_package(
                &tag,
                "Blue Dream Distillate",
                json!(1),
                "Grams",
                "Extraction Lab",
            ),
            &label(&distillate),
            json!(1),
            "Grams",
        );
        body["ActualDate"] = json!(in_two_days());
        let r = app
            .post(MANUFACTURER, "/packages/v2", json!([body]))
            .send()
            .await
            .status(400);
        assert!(only_row(&r, 0).contains("future"), "{}", r.body);
        assert_eq!(
            qty(&by_id(app, MANUFACTURER, int_field(&distillate, "Id")).await),
            "795"
        );
        assert_eq!(app.journal(MANUFACTURER).await.len(), journal);
        // The same package with a count unit and a weight ingredient is fine.
        let r = app
            .post(
                MANUFACTURER,
                "/packages/v2",
                json!([from(
                    new_package(
                        &tag,
                        "Blue Dream Vape 1g",
                        json!(5),
                        "Each",
                        "Packaging Line"
                    ),
                    &label(&distillate),
                    json!(5),
                    "Grams"
                )]),
            )
            .send()
            .await
            .ok();
        let p = by_id(app, MANUFACTURER, ids(&r)[0]).await;
        assert_eq!(
            (qty(&p), str_field(&p, "UnitOfMeasureName")),
            ("5".to_string(), "Each".to_string())
        );
    })
    .await;
}

// ---- adjustments ------------------------------------------------------------------------------

/// Rule 28 on adjustments: reasons come from the state list (paged), some need a note, an
/// unknown reason is refused, and a package never goes below zero. `POST` answers the ids of
/// the adjustments, which `/packages/v2/adjustments` lists with reason, note and user; `PUT`
/// states the final quantity.
#[tokio::test]
async fn rule_28_adjustments_need_a_listed_reason_and_never_go_below_zero() {
    for_each_backend(async |app| {
        let reasons = app.list(MANUFACTURER, "/packages/v2/adjust/reasons").await;
        assert_pascal_case(&json!(reasons), "reasons");
        let entry = by_name(&reasons, "Typing/Entry Error").expect("Typing/Entry Error is a reason");
        assert_eq!(entry["RequiresNote"], json!(true));
        assert_eq!(by_name(&reasons, "Drying").expect("Drying")["RequiresNote"], json!(false));
        let page = app.get(MANUFACTURER, "/packages/v2/adjust/reasons").query("pageSize", "3").query("pageNumber", "2").send().await.ok().json();
        assert_eq!(int_field(&page, "Total"), reasons.len() as i64);
        assert_eq!(page["Data"].as_array().expect("Data"), &reasons[3..6].to_vec());

        let vapes = demo_package(app, MANUFACTURER, "Blue Dream Vape 1g", "198").await;
        let distillate = demo_package(app, MANUFACTURER, "Blue Dream Distillate", "795").await;
        let (v, d) = (label(&vapes), label(&distillate));
        let before = app.list(MANUFACTURER, "/packages/v2/adjustments").await;
        let journal = app.journal(MANUFACTURER).await.len();

        let r = app.post(MANUFACTURER, "/packages/v2/adjust", json!([adjustment(&v, json!(-1), "Typing/Entry Error")])).send().await.status(400);
        assert!(only_row(&r, 0).contains("ReasonNote"), "{}", r.body);
        let r = app.post(MANUFACTURER, "/packages/v2/adjust", json!([adjustment(&v, json!(-1), "Whim")])).send().await.status(400);
        assert!(only_row(&r, 0).contains("Whim"), "{}", r.body);
        let r = app.post(MANUFACTURER, "/packages/v2/adjust", json!([adjustment(&v, json!(-199), "Waste (Unusable Product)")])).send().await.status(400);
        assert!(only_row(&r, 0).contains("below zero"), "{}", r.body);
        let r = app.put(MANUFACTURER, "/packages/v2/adjust", json!([adjustment(&v, json!(-1), "Scale Variance")])).send().await.status(400);
        assert!(only_row(&r, 0).contains("below zero"), "{}", r.body);
        let mut future = adjustment(&v, json!(-1), "Spoilage");
        future["AdjustmentDate"] = json!(in_two_days());
        let r = app.post(MANUFACTURER, "/packages/v2/adjust", json!([future])).send().await.status(400);
        only_row(&r, 0);
        let mut grams = adjustment(&v, json!(-1), "Spoilage");
        grams["UnitOfMeasure"] = json!("Grams");
        let r = app.post(MANUFACTURER, "/packages/v2/adjust", json!([grams])).send().await.status(400);
        only_row(&r, 0);
        // A body with one bad row applies nothing.
        let r = app
            .post(MANUFACTURER, "/packages/v2/adjust", json!([adjustment(&v, json!(-1), "Spoilage"), adjustment(&d, json!(-1), "Theft"), {"Quantity": 1, "AdjustmentReason": "Drying"}]))
            .send()
            .await
            .status(400);
        assert_eq!(row_numbers(&r), vec![1, 2]);
        assert_eq!(qty(&by_id(app, MANUFACTURER, int_field(&vapes, "Id")).await), "198");
        assert_eq!(app.list(MANUFACTURER, "/packages/v2/adjustments").await, before);
        assert_eq!(app.journal(MANUFACTURER).await.len(), journal);

        // POST: signed changes, in any unit of the package's type; the answer names the adjustments.
        let mut waste = adjustment(&v, json!(-3), "Waste (Unusable Product)");
        waste["ReasonNote"] = json!("cracked cartridges");
        waste["UnitOfMeasure"] = json!("Each");
        let mut scale = adjustment(&d, json!(0.00125), "Scale Variance");
        scale["UnitOfMeasure"] = json!("Kilograms");
        let r = app.post(MANUFACTURER, "/packages/v2/adjust", json!([waste, scale])).send().await.ok();
        let adj_ids = ids(&r);
        assert_eq!(adj_ids.len(), 2);
        assert_ne!(adj_ids[0], adj_ids[1]);
        assert_eq!(qty(&by_id(app, MANUFACTURER, int_field(&vapes, "Id")).await), "195");
        assert_eq!(qty(&by_id(app, MANUFACTURER, int_field(&distillate, "Id")).await), "796.25");

        let after = app.list(MANUFACTURER, "/packages/v2/adjustments").await;
        assert_eq!(after.len(), before.len() + 2);
        assert_pascal_case(&json!(after), "adjustments");
        let w = after
            .iter()
            .find(|a| a["PackageLabel"] == v && a["AdjustmentNote"] == "cracked cartridges")
            .unwrap_or_else(|| panic!("the waste adjustment is listed: {after:?}"));
        assert_eq!(int_field(w, "PackageId"), int_field(&vapes, "Id"));
        assert_eq!(decimal(w, "AdjustmentQuantity"), "-3");
        assert_eq!(str_field(w, "AdjustmentUnitOfMeasureName"), "Each");
        assert_eq!(str_field(w, "AdjustmentReasonName"), "Waste (Unusable Product)");
        assert_eq!(str_field(w, "ItemName"), "Blue Dream Vape 1g");
        assert!(str_field(w, "AdjustedByUserName").contains("maker"), "the acting user: {w}");
        assert_eq!(str_field(w, "AdjustmentDate").len(), 10);
        let s = after
            .iter()
            .find(|a| a["PackageLabel"] == d && a["AdjustmentReasonName"] == "Scale Variance")
            .unwrap_or_else(|| panic!("the scale adjustment is listed: {after:?}"));
        assert_eq!(decimal(s, "AdjustmentQuantity"), "1.25", "recorded in the package's unit");
        assert_eq!(str_field(s, "AdjustmentUnitOfMeasureName"), "Grams");
        assert_eq!(s["AdjustmentNote"], Value::Null);

        // PUT: the final quantity; the listed adjustment is the difference. Empty 200 body.
        let r = app.put(MANUFACTURER, "/packages/v2/adjust", json!([adjustment(&v, json!(190), "Scale Variance")])).send().await.ok();
        assert_eq!(r.body, "");
        assert_eq!(qty(&by_id(app, MANUFACTURER, int_field(&vapes, "Id")).await), "190");
        let last = app.list(MANUFACTURER, "/packages/v2/adjustments").await;
        assert_eq!(last.len(), before.len() + 3);
        assert!(
            last.iter().any(|a| a["PackageLabel"] == v && a["AdjustmentReasonName"] == "Scale Variance" && decimal(a, "AdjustmentQuantity") == "-5"),
            "{last:?}"
        );
        let r = app.put(MANUFACTURER, "/packages/v2/adjust", json!([adjustment(&v, json!(0), "Typing/Entry Error")])).send().await.status(400);
        assert!(only_row(&r, 0).contains("ReasonNote"), "{}", r.body);

        // The adjustment list pages.
        let paged = app.get(MANUFACTURER, "/packages/v2/adjustments").query("pageSize", "1").query("pageNumber", "2").send().await.ok().json();
        assert_eq!(int_field(&paged, "Total"), last.len() as i64);
        assert_eq!(int_field(&paged, "TotalPages"), last.len() as i64);
        assert_eq!(int_field(&paged, "RecordsOnPage"), 1);
    })
    .await;
}

// ---- finishing, holds, discontinuing ------------------------------------------------------------

/// Rule 33: only an empty package can be finished; a finished package leaves active inventory
/// but stays readable by id, by label and in `inactive` (rule 72); it cannot be adjusted, moved,
/// noted, drawn on or discontinued until it is unfinished (bulletin III).
#[tokio::test]
async fn rule_33_finish_needs_zero_and_freezes_until_unfinished() {
    for_each_backend(async |app| {
        let distillate = demo_package(app, MANUFACTURER, "Blue Dream Distillate", "795").await;
        let p = make(app, MANUFACTURER, &distillate, json!(2), "Extraction Lab").await;
        let (id, l) = (int_field(&p, "Id"), label(&p));

        let r = app
            .put(MANUFACTURER, "/packages/v2/finish", json!([{"Label": l}]))
            .send()
            .await
            .status(400);
        assert!(
            only_row(&r, 0).contains("only an empty package"),
            "{}",
            r.body
        );
        assert!(list_ids(app, MANUFACTURER, "active").await.contains(&id));

        app.put(
            MANUFACTURER,
            "/packages/v2/adjust",
            json!([adjustment(&l, json!(0), "Internal QC Sampling")]),
        )
        .send()
        .await
        .ok();
        let r = app
            .put(
                MANUFACTURER,
                "/packages/v2/finish",
                json!([{"Label": l, "ActualDate": in_two_days()}]),
            )
            .send()
            .await
            .status(400);
        assert!(only_row(&r, 0).contains("future"), "{}", r.body);
        let r = app
            .put(MANUFACTURER, "/packages/v2/finish", json!([{"Label": l}]))
            .send()
            .await
            .ok();
        assert_eq!(r.body, "");

        assert!(
            !list_ids(app, MANUFACTURER, "active").await.contains(&id),
            "a finished package leaves active"
        );
        let inactive = app.list(MANUFACTURER, "/packages/v2/inactive").await;
        let listed = inactive
            .iter()
            .find(|x| int_field(x, "Id") == id)
            .expect("a finished package is in inactive");
        assert_eq!(listed["IsFinished"], json!(true));
        let finished = by_id(app, MANUFACTURER, id).await;
        assert_eq!(&finished, listed);
        assert_eq!(str_field(&finished, "FinishedDate"), written_on(&finished));
        assert_eq!(
            package(app, MANUFACTURER, &l).await,
            finished,
            "readable by label (rule 72)"
        );
        // The demo's finished offcut too.
        assert!(
            inactive
                .iter()
                .any(|x| x["IsFinished"] == json!(true) && int_field(x, "Id") != id)
        );

        let journal = app.journal(MANUFACTURER).await.len();
        let frozen = [
            app.post(
                MANUFACTURER,
                "/packages/v2/adjust",
                json!([adjustment(&l, json!(1), "Scale Variance")]),
            )
            .send()
            .await,
            app.put(
                MANUFACTURER,
                "/packages/v2/adjust",
                json!([adjustment(&l, json!(1), "Scale Variance")]),
            )
            .send()
            .await,
            app.put(
                MANUFACTURER,
                "/packages/v2/location",
                json!([{"Label": l, "Location": "Finished Goods"}]),
            )
            .send()
            .await,
            app.put(
                MANUFACTURER,
                "/packages/v2/note",
                json!([{"PackageLabel": l, "Note": "late note"}]),
            )
            .send()
            .await,
            app.put(MANUFACTURER, "/packages/v2/finish", json!([{"Label": l}]))
                .send()
                .await,
            app.put(
                MANUFACTURER,
                "/packages/v2/finishedgood/flag",
                json!([{"Label": l}]),
            )
            .send()
            .await,
            app.post(
                MANUFACTURER,
                "/packages/v2",
                json!([from(
                    new_package(
                        &fresh_tag(app, MANUFACTURER).await,
                        "Blue Dream Distillate",
                        json!(1),
                        "Grams",
                        "Extraction Lab"
                    ),
                    &l,
                    json!(1),
                    "Grams"
                )]),
            )
            .send()
            .await,
        ];
        for r in frozen {
            let r = r.status(400);
            let msg = only_row(&r, 0);
            assert!(msg.contains("unfinish it first"), "{}: {msg}", r.what);
        }
        let r = app
            .delete(MANUFACTURER, &format!("/packages/v2/{id}"))
            .send()
            .await
            .status(400);
        assert!(r.message().contains("unfinish it first"), "{}", r.body);
        assert_eq!(
            app.journal(MANUFACTURER).await.len(),
            journal,
            "refusals write nothing"
        );
        assert_eq!(by_id(app, MANUFACTURER, id).await, finished);

        // Unfinish: back in active inventory, and changeable again.
        let r = app
            .put(MANUFACTURER, "/packages/v2/unfinish", json!([{"Label": l}]))
            .send()
            .await
            .ok();
        assert_eq!(r.body, "");
        let back = by_id(app, MANUFACTURER, id).await;
        assert_eq!(back["IsFinished"], json!(false));
        assert_eq!(back["FinishedDate"], Value::Null);
        assert!(list_ids(app, MANUFACTURER, "active").await.contains(&id));
        assert!(!list_ids(app, MANUFACTURER, "inactive").await.contains(&id));
        let r = app
            .put(MANUFACTURER, "/packages/v2/unfinish", json!([{"Label": l}]))
            .send()
            .await
            .status(400);
        assert!(only_row(&r, 0).contains("not finished"), "{}", r.body);
        app.post(
            MANUFACTURER,
            "/packages/v2/adjust",
            json!([adjustment(&l, json!(1), "Scale Variance")]),
        )
        .send()
        .await
        .ok();
        assert_eq!(qty(&by_id(app, MANUFACTURER, id).await), "1");
    })
    .await;
}

/// Rule 34: a held package is listed in `onhold` and still in `active` (with `IsOnHold`); it
/// cannot be adjusted, moved, noted, drawn on or discontinued until the regulator releases it.
#[tokio::test]
async fn rule_34_a_held_package_is_frozen_until_released() {
    for_each_backend(async |app| {
        // The demo's embargoed gummies at the manufacturer.
        let onhold = app.list(MANUFACTURER, "/packages/v2/onhold").await;
        assert_eq!(onhold.len(), 1);
        assert_eq!(onhold[0]["Item"]["Name"], "Mango Gummies 10x10mg");
        assert_eq!(onhold[0]["IsOnHold"], json!(true));
        assert!(
            list_ids(app, MANUFACTURER, "active")
                .await
                .contains(&int_field(&onhold[0], "Id"))
        );

        let vapes = demo_package(app, DISTRIBUTOR, "Blue Dream Vape 1g", "300").await;
        let (id, l) = (int_field(&vapes, "Id"), label(&vapes));
        assert!(
            app.list(DISTRIBUTOR, "/packages/v2/onhold")
                .await
                .is_empty()
        );
        hold(app, DISTRIBUTOR, &l, true).await;

        assert_eq!(list_ids(app, DISTRIBUTOR, "onhold").await, vec![id]);
        let active = app.list(DISTRIBUTOR, "/packages/v2/active").await;
        let listed = active
            .iter()
            .find(|p| int_field(p, "Id") == id)
            .expect("a held package stays in active");
        assert_eq!(listed["IsOnHold"], json!(true));
        assert_eq!(listed["IsOnHoldCombined"], json!(true));
        assert_eq!(by_id(app, DISTRIBUTOR, id).await["IsOnHold"], json!(true));

        let journal = app.journal(DISTRIBUTOR).await.len();
        let frozen = [
            app.post(
                DISTRIBUTOR,
                "/packages/v2/adjust",
                json!([adjustment(&l, json!(-1), "Spoilage")]),
            )
            .send()
            .await,
            app.put(
                DISTRIBUTOR,
                "/packages/v2/location",
                json!([{"Label": l, "Location": "Quarantine Cage"}]),
            )
            .send()
            .await,
            app.put(
                DISTRIBUTOR,
                "/packages/v2/note",
                json!([{"PackageLabel": l, "Note": "n"}]),
            )
            .send()
            .await,
            app.put(
                DISTRIBUTOR,
                "/packages/v2/tradesample/flag",
                json!([{"Label": l}]),
            )
            .send()
            .await,
            app.post(
                DISTRIBUTOR,
                "/packages/v2",
                json!([from(
                    new_package(
                        &fresh_tag(app, DISTRIBUTOR).await,
                        "Blue Dream Vape 1g",
                        json!(1),
                        "Each",
                        "Sellable Inventory"
                    ),
                    &l,
                    json!(1),
                    "Each"
                )]),
            )
            .send()
            .await,
        ];
        for r in frozen {
            let r = r.status(400);
            let msg = only_row(&r, 0);
            assert!(msg.contains("on hold"), "{}: {msg}", r.what);
        }
        let r = app
            .delete(DISTRIBUTOR, &format!("/packages/v2/{id}"))
            .send()
            .await
            .status(400);
        assert!(r.message().contains("on hold"), "{}", r.body);
        assert_eq!(app.journal(DISTRIBUTOR).await.len(), journal);
        assert_eq!(qty(&by_id(app, DISTRIBUTOR, id).await), "300");

        hold(app, DISTRIBUTOR, &l, false).await;
        assert!(list_ids(app, DISTRIBUTOR, "onhold").await.is_empty());
        assert_eq!(by_id(app, DISTRIBUTOR, id).await["IsOnHold"], json!(false));
        app.post(
            DISTRIBUTOR,
            "/packages/v2/adjust",
            json!([adjustment(&l, json!(-1), "Spoilage")]),
        )
        .send()
        .await
        .ok();
        assert_eq!(qty(&by_id(app, DISTRIBUTOR, id).await), "299");
        make(
            app,
            DISTRIBUTOR,
            &by_id(app, DISTRIBUTOR, id).await,
            json!(9),
            "Sellable Inventory",
        )
        .await;
        assert_eq!(qty(&by_id(app, DISTRIBUTOR, id).await), "290");
    })
    .await;
}

/// `DELETE /packages/v2/{id}` discontinues: the package leaves `active` for `inactive` (not
/// finished), stays readable, and cannot be discontinued or changed again.
#[tokio::test]
async fn discontinue_moves_a_package_to_inactive() {
    for_each_backend(async |app| {
        let gummies = demo_package(app, RETAILER, "Mango Gummies 10x10mg", "200").await;
        let p = make(app, RETAILER, &gummies, json!(5), "Sales Floor").await;
        let (id, l) = (int_field(&p, "Id"), label(&p));
        let r = app
            .delete(RETAILER, &format!("/packages/v2/{id}"))
            .send()
            .await
            .ok();
        assert_eq!(r.body, "");
        assert!(!list_ids(app, RETAILER, "active").await.contains(&id));
        let inactive = app.list(RETAILER, "/packages/v2/inactive").await;
        let listed = inactive
            .iter()
            .find(|x| int_field(x, "Id") == id)
            .expect("a discontinued package is in inactive");
        assert_eq!(listed["IsFinished"], json!(false));
        assert!(listed["ArchivedDate"].is_string(), "{listed}");
        assert_eq!(&package(app, RETAILER, &l).await, listed);

        let r = app
            .delete(RETAILER, &format!("/packages/v2/{id}"))
            .send()
            .await
            .status(400);
        assert!(r.message().contains("discontinued"), "{}", r.body);
        let r = app
            .post(
                RETAILER,
                "/packages/v2/adjust",
                json!([adjustment(&l, json!(1), "Scale Variance")]),
            )
            .send()
            .await
            .status(400);
        assert!(only_row(&r, 0).contains("discontinued"), "{}", r.body);
        let r = app
            .put(RETAILER, "/packages/v2/unfinish", json!([{"Label": l}]))
            .send()
            .await
            .status(400);
        only_row(&r, 0);

        // Unknown and foreign ids.
        app.delete(RETAILER, "/packages/v2/999999")
            .send()
            .await
            .status(404)
            .message();
        app.delete(RETAILER, "/packages/v2/not-an-id")
            .send()
            .await
            .status(404)
            .message();
        let theirs = demo_package(app, DISTRIBUTOR, "Blue Dream Vape 1g", "300").await;
        app.delete(
            RETAILER,
            &format!("/packages/v2/{}", int_field(&theirs, "Id")),
        )
        .send()
        .await
        .status(404)
        .message();
        assert!(
            list_ids(app, DISTRIBUTOR, "active")
                .await
                .contains(&int_field(&theirs, "Id"))
        );
    })
    .await;
}

// ---- moves, items, notes, dates, external ids -------------------------------------------------

/// `PUT /packages/v2/item` keeps the quantity type (rule 29); `PUT /packages/v2/location` needs
/// a location (and sublocation) of this facility; labels must be this facility's, once each.
#[tokio::test]
async fn item_and_location_changes() {
    for_each_backend(async |app| {
        let vapes = demo_package(app, MANUFACTURER, "Blue Dream Vape 1g", "198").await;
        let (id, l) = (int_field(&vapes, "Id"), label(&vapes));
        let journal = app.journal(MANUFACTURER).await.len();

        let r = app.put(MANUFACTURER, "/packages/v2/item", json!([{"Label": l, "Item": "Blue Dream Distillate"}])).send().await.status(400);
        let msg = only_row(&r, 0);
        assert!(msg.contains("CountBased") || msg.contains("WeightBased") || msg.contains("measured"), "{msg}");
        let r = app.put(MANUFACTURER, "/packages/v2/item", json!([{"Label": l, "Item": "No Such Item"}])).send().await.status(400);
        only_row(&r, 0);
        let r = app.put(MANUFACTURER, "/packages/v2/location", json!([{"Label": l, "Location": "No Such Room"}])).send().await.status(400);
        assert!(only_row(&r, 0).contains("No Such Room"), "{}", r.body);
        let r = app.put(MANUFACTURER, "/packages/v2/location", json!([{"Label": l, "Location": "Vault"}])).send().await.status(400);
        only_row(&r, 0);
        let r = app.put(MANUFACTURER, "/packages/v2/location", json!([{"Label": l, "Location": "Finished Goods", "Sublocation": "Shelf 9"}])).send().await.status(400);
        only_row(&r, 0);
        let theirs = label(&demo_package(app, RETAILER, "Blue Dream Vape 1g", "50").await);
        let r = app
            .put(
                MANUFACTURER,
                "/packages/v2/location",
                json!([{"Label": l, "Location": "Finished Goods"}, {"Label": theirs, "Location": "Finished Goods"}, {"Location": "Finished Goods"}, {"Label": l, "Location": "Finished Goods"}]),
            )
            .send()
            .await
            .status(400);
        assert_eq!(row_numbers(&r), vec![1, 2, 3]);
        assert_eq!(by_id(app, MANUFACTURER, id).await, vapes, "nothing was applied");
        assert_eq!(app.journal(MANUFACTURER).await.len(), journal);

        app.put(MANUFACTURER, "/packages/v2/item", json!([{"Label": l, "Item": "mango gummies 10x10mg"}])).send().await.ok();
        let p = by_id(app, MANUFACTURER, id).await;
        assert_eq!(str_field(&p["Item"], "Name"), "Mango Gummies 10x10mg");
        assert_eq!(str_field(&p["Item"], "ProductCategoryName"), "Edible (Each)");
        assert_eq!(qty(&p), "198");

        let r = app.put(MANUFACTURER, "/packages/v2/location", json!([{"Label": l.to_ascii_lowercase(), "Location": "finished goods", "Sublocation": "Shelf 2"}])).send().await.ok();
        assert_eq!(r.body, "");
        let p = by_id(app, MANUFACTURER, id).await;
        assert_eq!(str_field(&p, "LocationName"), "Finished Goods");
        assert_eq!(str_field(&p, "SublocationName"), "Shelf 2");
        app.put(MANUFACTURER, "/packages/v2/location", json!([{"Label": l, "Location": "Packaging Line"}])).send().await.ok();
        let p = by_id(app, MANUFACTURER, id).await;
        assert_eq!(str_field(&p, "LocationName"), "Packaging Line");
        assert_eq!(p["SublocationName"], Value::Null);
        assert_eq!(app.journal(MANUFACTURER).await.len(), journal + 3);
    })
    .await;
}

/// Notes (`PackageLabel`), use-by dates and external ids are set and cleared.
#[tokio::test]
async fn notes_dates_and_external_ids() {
    for_each_backend(async |app| {
        let distillate = demo_package(app, MANUFACTURER, "Blue Dream Distillate", "795").await;
        let (id, l) = (int_field(&distillate, "Id"), label(&distillate));

        let r = app.put(MANUFACTURER, "/packages/v2/note", json!([{"PackageLabel": l, "Note": "Batch 12, winterized"}])).send().await.ok();
        assert_eq!(r.body, "");
        assert_eq!(str_field(&by_id(app, MANUFACTURER, id).await, "Note"), "Batch 12, winterized");
        app.put(MANUFACTURER, "/packages/v2/note", json!([{"PackageLabel": l, "Note": ""}])).send().await.ok();
        assert_eq!(by_id(app, MANUFACTURER, id).await["Note"], Value::Null);
        let r = app.put(MANUFACTURER, "/packages/v2/note", json!([{"Label": l, "Note": "wrong field"}])).send().await.status(400);
        only_row(&r, 0);

        let r = app
            .put(MANUFACTURER, "/packages/v2/usebydate", json!([{"Label": l, "ExpirationDate": "2027-06-30", "SellByDate": "2027-05-31", "UseByDate": "2027-06-15"}]))
            .send()
            .await
            .ok();
        assert_eq!(r.body, "");
        let p = by_id(app, MANUFACTURER, id).await;
        assert_eq!(
            (str_field(&p, "ExpirationDate"), str_field(&p, "SellByDate"), str_field(&p, "UseByDate")),
            ("2027-06-30".to_string(), "2027-05-31".to_string(), "2027-06-15".to_string())
        );
        let r = app.put(MANUFACTURER, "/packages/v2/usebydate", json!([{"Label": l, "ExpirationDate": "30/06/2027"}])).send().await.status(400);
        only_row(&r, 0);
        assert_eq!(str_field(&by_id(app, MANUFACTURER, id).await, "ExpirationDate"), "2027-06-30");

        let r = app.put(MANUFACTURER, "/packages/v2/externalid", json!([{"PackageLabel": l, "ExternalId": "ERP-0042"}])).send().await.ok();
        assert_eq!(r.body, "");
        assert_eq!(str_field(&by_id(app, MANUFACTURER, id).await, "ExternalId"), "ERP-0042");
        app.put(MANUFACTURER, "/packages/v2/externalid", json!([{"PackageLabel": l, "ExternalId": " "}])).send().await.ok();
        assert_eq!(by_id(app, MANUFACTURER, id).await["ExternalId"], Value::Null);
        assert_eq!(qty(&by_id(app, MANUFACTURER, id).await), "795", "none of these touch the quantity");
    })
    .await;
}

// ---- flags, remediation, decontamination -------------------------------------------------------

/// Flags follow the license type's capabilities: donations at the retailer only
/// (`CanDonatePackages`), trade samples not at labs or retailers, finished goods at
/// manufacturers and distributors; elsewhere 403, and nothing is written.
#[tokio::test]
async fn flags_follow_the_license_type() {
    for_each_backend(async |app| {
        let retail = label(&demo_package(app, RETAILER, "Mango Gummies 10x10mg", "200").await);
        let dist = label(&demo_package(app, DISTRIBUTOR, "Blue Dream Vape 1g", "300").await);
        let manu = label(&demo_package(app, MANUFACTURER, "Blue Dream Vape 1g", "198").await);
        let cult = label(&demo_package(app, CULTIVATOR, "OG Kush Trim", "2000").await);
        let lab = label(
            &opening(
                app,
                LAB,
                "Test Sample - Edibles",
                4,
                "Each",
                "Sample Intake",
                "NotSubmitted",
            )
            .await,
        );

        for (license, tag, flag, field, allowed) in [
            (RETAILER, &retail, "donation", "IsDonation", true),
            (DISTRIBUTOR, &dist, "donation", "IsDonation", false),
            (MANUFACTURER, &manu, "donation", "IsDonation", false),
            (DISTRIBUTOR, &dist, "tradesample", "IsTradeSample", true),
            (CULTIVATOR, &cult, "tradesample", "IsTradeSample", true),
            (RETAILER, &retail, "tradesample", "IsTradeSample", false),
            (LAB, &lab, "tradesample", "IsTradeSample", false),
            (MANUFACTURER, &manu, "finishedgood", "IsFinishedGood", true),
            (DISTRIBUTOR, &dist, "finishedgood", "IsFinishedGood", true),
            (RETAILER, &retail, "finishedgood", "IsFinishedGood", false),
            (CULTIVATOR, &cult, "finishedgood", "IsFinishedGood", false),
        ] {
            let path = format!("/packages/v2/{flag}/flag");
            if allowed {
                let r = app
                    .put(license, &path, json!([{"Label": tag}]))
                    .send()
                    .await
                    .ok();
                assert_eq!(r.body, "");
                assert_eq!(
                    package(app, license, tag).await[field],
                    json!(true),
                    "{license} {path}"
                );
                app.put(
                    license,
                    &format!("/packages/v2/{flag}/unflag"),
                    json!([{"Label": tag}]),
                )
                .send()
                .await
                .ok();
                assert_eq!(
                    package(app, license, tag).await[field],
                    json!(false),
                    "{license} unflag {flag}"
                );
            } else {
                let journal = app.journal(license).await.len();
                let r = app
                    .put(license, &path, json!([{"Label": tag}]))
                    .send()
                    .await
                    .status(403);
                r.message();
                assert_eq!(
                    package(app, license, tag).await[field],
                    json!(false),
                    "{license} {path}"
                );
                assert_eq!(
                    app.journal(license).await.len(),
                    journal,
                    "{license} {path}: a refusal writes nothing"
                );
            }
        }
        // Flags name packages of this facility.
        let r = app
            .put(
                RETAILER,
                "/packages/v2/donation/flag",
                json!([{"Label": dist}]),
            )
            .send()
            .await
            .status(400);
        only_row(&r, 0);
    })
    .await;
}

/// Remediation and decontamination apply only to failed packages (TestFailed, RetestFailed) and
/// record their date and the new lab state.
#[tokio::test]
async fn remediation_and_decontamination_of_failed_packages() {
    for_each_backend(async |app| {
        let passed = label(&demo_package(app, DISTRIBUTOR, "Blue Dream Vape 1g", "300").await);
        let remediated = demo_package(app, DISTRIBUTOR, "Blue Dream Vape 1g", "100").await;
        assert_eq!(str_field(&remediated, "LabTestingState"), "Remediated");
        assert_eq!(remediated["ContainsRemediatedProduct"], json!(true));
        for l in [&passed, &label(&remediated)] {
            let r = app.put(DISTRIBUTOR, "/packages/v2/remediate", json!([{"PackageLabel": l, "RemediationMethodName": "Re-extraction"}])).send().await.status(400);
            assert!(only_row(&r, 0).contains("only a failed package"), "{}", r.body);
            let r = app.put(DISTRIBUTOR, "/packages/v2/decontaminate", json!([{"PackageLabel": l, "DecontaminationMethodName": "Ozone"}])).send().await.status(400);
            assert!(only_row(&r, 0).contains("only a failed package"), "{}", r.body);
        }

        let failed = opening(app, DISTRIBUTOR, "Blue Dream Vape 1g", 40, "Each", "Quarantine Cage", "TestFailed").await;
        let l = label(&failed);
        assert_eq!(str_field(&failed, "LabTestingState"), "TestFailed");
        let r = app.put(DISTRIBUTOR, "/packages/v2/remediate", json!([{"PackageLabel": l}])).send().await.status(400);
        assert!(only_row(&r, 0).contains("RemediationMethodName"), "{}", r.body);
        let r = app
            .put(DISTRIBUTOR, "/packages/v2/remediate", json!([{"PackageLabel": l, "RemediationMethodName": "Re-extraction", "RemediationSteps": "CAP-78"}]))
            .send()
            .await
            .ok();
        assert_eq!(r.body, "");
        let p = package(app, DISTRIBUTOR, &l).await;
        assert_eq!(str_field(&p, "LabTestingState"), "Remediated");
        assert_eq!(p["ContainsRemediatedProduct"], json!(true));
        assert_eq!(str_field(&p, "RemediationDate"), written_on(&p));
        assert_eq!(str_field(&p, "InitialLabTestingState"), "TestFailed");

        let retest = opening(app, DISTRIBUTOR, "Blue Dream Vape 1g", 20, "Each", "Quarantine Cage", "RetestFailed").await;
        let l = label(&retest);
        let r = app
            .put(DISTRIBUTOR, "/packages/v2/decontaminate", json!([{"PackageLabel": l, "DecontaminationMethodName": "Ozone", "DecontaminationSteps": "48 h"}]))
            .send()
            .await
            .ok();
        assert_eq!(r.body, "");
        let p = package(app, DISTRIBUTOR, &l).await;
        assert_eq!(str_field(&p, "LabTestingState"), "Decontaminated");
        assert_eq!(p["ContainsDecontaminatedProduct"], json!(true));
        assert_eq!(str_field(&p, "DecontaminationDate"), written_on(&p));
    })
    .await;
}

// ---- lists, reads, scoping ---------------------------------------------------------------------

/// `/packages/v2/active` pages (`pageSize=1&pageNumber=2` is the second record) and filters by
/// a `lastModified` window: a just-created package is inside a window around now, not in a
/// window that ended an hour ago.
#[tokio::test]
async fn active_packages_page_and_window() {
    for_each_backend(async |app| {
        let distillate = demo_package(app, MANUFACTURER, "Blue Dream Distillate", "795").await;
        let p = make(app, MANUFACTURER, &distillate, json!(1), "Extraction Lab").await;
        let id = int_field(&p, "Id");
        let all = list_ids(app, MANUFACTURER, "active").await;
        let first_two = app
            .get(MANUFACTURER, "/packages/v2/active")
            .query("pageSize", "2")
            .query("pageNumber", "1")
            .send()
            .await
            .ok()
            .json();
        let second = app
            .get(MANUFACTURER, "/packages/v2/active")
            .query("pageSize", "1")
            .query("pageNumber", "2")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(int_field(&second, "Total"), all.len() as i64);
        assert_eq!(int_field(&second, "TotalPages"), all.len() as i64);
        assert_eq!(int_field(&second, "Page"), 2);
        assert_eq!(second["Data"].as_array().expect("Data").len(), 1);
        assert_eq!(second["Data"][0], first_two["Data"][1]);
        app.get(MANUFACTURER, "/packages/v2/active")
            .query("pageSize", "21")
            .send()
            .await
            .status(400)
            .message();

        let now = Utc::now();
        let window = app
            .get(MANUFACTURER, "/packages/v2/active")
            .query("lastModifiedStart", &iso(now - Duration::minutes(30)))
            .query("lastModifiedEnd", &iso(now + Duration::minutes(1)))
            .send()
            .await
            .ok()
            .json();
        let found: Vec<i64> = window["Data"]
            .as_array()
            .expect("Data")
            .iter()
            .map(|x| int_field(x, "Id"))
            .collect();
        assert!(found.contains(&id), "{found:?}");
        let past = app
            .get(MANUFACTURER, "/packages/v2/active")
            .query("lastModifiedStart", &iso(now - Duration::hours(3)))
            .query("lastModifiedEnd", &iso(now - Duration::hours(1)))
            .send()
            .await
            .ok()
            .json();
        assert_eq!(int_field(&past, "Total"), 0, "{past}");
        app.get(MANUFACTURER, "/packages/v2/active")
            .query("lastModifiedStart", &iso(now - Duration::hours(25)))
            .query("lastModifiedEnd", &iso(now))
            .send()
            .await
            .status(400)
            .message();
    })
    .await;
}

/// Reads: by id and by label (same route), types, empty in-transit/transferred lists, source
/// harvests; an unknown package → 404, another license's → 401, no licenseNumber → 400.
#[tokio::test]
async fn package_reads_and_scoping() {
    for_each_backend(async |app| {
        let distillate = demo_package(app, MANUFACTURER, "Blue Dream Distillate", "795").await;
        let (id, l) = (int_field(&distillate, "Id"), label(&distillate));
        assert_eq!(
            package(app, MANUFACTURER, &l).await,
            by_id(app, MANUFACTURER, id).await
        );

        let types = app
            .call(reqwest::Method::GET, "/packages/v2/types")
            .acting_as(MANUFACTURER)
            .send()
            .await
            .ok()
            .json();
        assert_eq!(
            types,
            json!([
                "Product",
                "ImmaturePlant",
                "VegetativePlant",
                "PlantWaste",
                "HarvestWaste",
                "MotherPlant"
            ])
        );
        // The demo's distillate for the distributor is on the road: in transit, and listed as
        // transferred with its manifest; the cartridges it shipped earlier were accepted.
        let intransit = app.list(MANUFACTURER, "/packages/v2/intransit").await;
        assert_eq!(intransit.len(), 1);
        assert_eq!(intransit[0]["Item"]["Name"], "Blue Dream Distillate");
        let transferred = app.list(MANUFACTURER, "/packages/v2/transferred").await;
        let states: BTreeSet<String> = transferred
            .iter()
            .map(|t| str_field(t, "ShipmentPackageStateName"))
            .collect();
        assert_eq!(transferred.len(), 2);
        assert_eq!(
            states,
            BTreeSet::from(["Accepted".to_string(), "Shipped".to_string()])
        );
        assert_eq!(
            app.get(MANUFACTURER, &format!("/packages/v2/{id}/source/harvests"))
                .send()
                .await
                .ok()
                .json(),
            json!([])
        );
        app.get(MANUFACTURER, "/packages/v2/999999/source/harvests")
            .send()
            .await
            .status(404)
            .message();

        let r = app
            .get(MANUFACTURER, "/packages/v2/999999")
            .send()
            .await
            .status(404);
        assert!(r.message().contains("999999"), "{}", r.body);
        app.get(MANUFACTURER, &format!("/packages/v2/1A4{}", "0".repeat(21)))
            .send()
            .await
            .status(404)
            .message();
        app.get(MANUFACTURER, &format!("/packages/v2/{id}"))
            .without_license()
            .send()
            .await
            .status(400)
            .message();
        // Another license's package, by id, by label, and its lineage: 401.
        for key in [id.to_string(), l.clone()] {
            app.get(CULTIVATOR, &format!("/packages/v2/{key}"))
                .send()
                .await
                .status(401)
                .message();
            app.get(CULTIVATOR, &format!("/tagtrail/v1/packages/{key}/lineage"))
                .send()
                .await
                .status(401)
                .message();
        }
        // A license the user does not work at: 401, for reads and writes.
        app.get(MANUFACTURER, "/packages/v2/active")
            .acting_as(CULTIVATOR)
            .send()
            .await
            .status(401)
            .message();
        app.post(
            MANUFACTURER,
            "/packages/v2/adjust",
            json!([adjustment(&l, json!(-1), "Spoilage")]),
        )
        .acting_as(CULTIVATOR)
        .send()
        .await
        .status(401)
        .message();
        assert_eq!(qty(&by_id(app, MANUFACTURER, id).await), "795");
        app.get(MANUFACTURER, "/packages/v2/active")
            .no_auth()
            .send()
            .await
            .status(401);
    })
    .await;
}

/// The distributor's clerk holds none of the package permissions: 403 on reads and on every
/// kind of write, and nothing is written.
#[tokio::test]
async fn the_clerk_cannot_view_or_change_packages() {
    for_each_backend(async |app| {
        let vapes = demo_package(app, DISTRIBUTOR, "Blue Dream Vape 1g", "300").await;
        let (id, l) = (int_field(&vapes, "Id"), label(&vapes));
        let journal = app.journal(DISTRIBUTOR).await.len();
        for path in [
            "/packages/v2/active".to_string(),
            "/packages/v2/inactive".to_string(),
            "/packages/v2/onhold".to_string(),
            "/packages/v2/intransit".to_string(),
            "/packages/v2/transferred".to_string(),
            "/packages/v2/adjustments".to_string(),
            format!("/packages/v2/{id}"),
            format!("/packages/v2/{l}"),
            format!("/tagtrail/v1/packages/{id}/lineage"),
        ] {
            app.get(DISTRIBUTOR, &path)
                .acting_as_clerk()
                .send()
                .await
                .status(403)
                .message();
        }
        let tag = fresh_tag(app, DISTRIBUTOR).await;
        let create = json!([from(
            new_package(
                &tag,
                "Blue Dream Vape 1g",
                json!(1),
                "Each",
                "Sellable Inventory"
            ),
            &l,
            json!(1),
            "Each"
        )]);
        let label_body = json!([{"Label": l}]);
        let writes = [
            app.post(DISTRIBUTOR, "/packages/v2", create.clone()),
            app.post(DISTRIBUTOR, "/packages/v2/testing", create),
            app.post(
                DISTRIBUTOR,
                "/packages/v2/adjust",
                json!([adjustment(&l, json!(-1), "Spoilage")]),
            ),
            app.put(
                DISTRIBUTOR,
                "/packages/v2/adjust",
                json!([adjustment(&l, json!(1), "Spoilage")]),
            ),
            app.put(DISTRIBUTOR, "/packages/v2/finish", label_body.clone()),
            app.put(DISTRIBUTOR, "/packages/v2/unfinish", label_body.clone()),
            app.put(
                DISTRIBUTOR,
                "/packages/v2/note",
                json!([{"PackageLabel": l, "Note": "n"}]),
            ),
            app.put(
                DISTRIBUTOR,
                "/packages/v2/location",
                json!([{"Label": l, "Location": "Quarantine Cage"}]),
            ),
            app.put(
                DISTRIBUTOR,
                "/packages/v2/item",
                json!([{"Label": l, "Item": "Mango Gummies 10x10mg"}]),
            ),
            app.put(
                DISTRIBUTOR,
                "/packages/v2/usebydate",
                json!([{"Label": l, "UseByDate": "2027-01-01"}]),
            ),
            app.put(
                DISTRIBUTOR,
                "/packages/v2/externalid",
                json!([{"PackageLabel": l, "ExternalId": "x"}]),
            ),
            app.put(
                DISTRIBUTOR,
                "/packages/v2/remediate",
                json!([{"PackageLabel": l, "RemediationMethodName": "m"}]),
            ),
            app.put(
                DISTRIBUTOR,
                "/packages/v2/decontaminate",
                json!([{"PackageLabel": l, "DecontaminationMethodName": "m"}]),
            ),
            app.put(
                DISTRIBUTOR,
                "/packages/v2/tradesample/flag",
                label_body.clone(),
            ),
            app.put(
                DISTRIBUTOR,
                "/packages/v2/finishedgood/flag",
                label_body.clone(),
            ),
            app.put(DISTRIBUTOR, "/packages/v2/donation/unflag", label_body),
            app.delete(DISTRIBUTOR, &format!("/packages/v2/{id}")),
        ];
        for call in writes {
            call.acting_as_clerk().send().await.status(403).message();
        }
        assert_eq!(app.journal(DISTRIBUTOR).await.len(), journal);
        assert_eq!(by_id(app, DISTRIBUTOR, id).await, vapes);
        assert!(free_tags(app, DISTRIBUTOR).await.contains(&tag));
    })
    .await;
}
