//! Sales receipts and the Sales reference lists over real HTTP (`metrc-v2-api.md` §Sales):
//! rules 49, 63 and 64, bulletin III, and state machine 2.8 — a sale takes quantity from the
//! package in the same journal entry, a finalized receipt is frozen until unfinalized (409), a
//! void gives the quantity back, and a finished package must be unfinished first.

use crate::helpers::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tagtrail_domain::commands::packages::NewPackage;

const GUMMIES: &str = "Mango Gummies 10x10mg";

/// A new package of `quantity` Each of the retailer's gummies in `lab_state`; its label.
async fn stock(app: &TestApp, quantity: i64, lab_state: &str) -> String {
    let tag = str_field(
        &app.list(RETAILER, "/tags/v2/package/available").await[0],
        "Label",
    );
    let spec = NewPackage {
        tag: Some(tag.clone()),
        item: Some(GUMMIES.into()),
        quantity: Some(Decimal::new(quantity, 0)),
        unit_of_measure: Some("Each".into()),
        location: Some("Sales Floor".into()),
        ..Default::default()
    };
    app.opening_balance(RETAILER, spec, lab_state).await;
    tag
}

async fn package(app: &TestApp, label: &str) -> Value {
    app.get(RETAILER, &format!("/packages/v2/{label}"))
        .send()
        .await
        .ok()
        .json()
}

/// The package's quantity.
async fn left(app: &TestApp, label: &str) -> Decimal {
    decimal(&package(app, label).await, "Quantity")
        .parse()
        .expect("a decimal")
}

/// A few minutes ago, as a point-of-sale system sends it.
fn just_now() -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(5))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn sale_line(label: &str, quantity: i64) -> Value {
    json!({"PackageLabel": label, "Quantity": quantity, "UnitOfMeasure": "Each", "TotalAmount": 12.5})
}

fn receipt(lines: Vec<Value>) -> Value {
    json!({"SalesDateTime": just_now(), "SalesCustomerType": "Consumer", "Transactions": lines})
}

/// Records `body` at the retailer; the new receipts' ids.
async fn record(app: &TestApp, body: Value) -> Vec<i64> {
    ids(&app
        .post(RETAILER, "/sales/v2/receipts", body)
        .send()
        .await
        .ok())
}

async fn get_receipt(app: &TestApp, id: i64) -> Value {
    app.get(RETAILER, &format!("/sales/v2/receipts/{id}"))
        .send()
        .await
        .ok()
        .json()
}

fn listed(list: &[Value], id: i64) -> bool {
    list.iter().any(|r| int_field(r, "Id") == id)
}

#[tokio::test]
async fn rule_63_a_sale_takes_quantity_from_the_package_in_one_journal_entry() {
    for_each_backend(async |app| {
        let label = stock(app, 10, "TestPassed").await;
        let before = app.journal(RETAILER).await.len();
        let r = app
            .post(
                RETAILER,
                "/sales/v2/receipts",
                json!([receipt(vec![sale_line(&label, 3)])]),
            )
            .send()
            .await
            .ok();
        assert_eq!(r.json()["Warnings"], Value::Null, "{}", r.body);
        let id = ids(&r)[0];
        let journal = app.journal(RETAILER).await;
        assert_eq!(
            journal.len(),
            before + 1,
            "one entry for the receipt and the package"
        );
        assert_eq!(
            str_field(&journal[0], "Endpoint"),
            "POST /sales/v2/receipts"
        );

        let p = package(app, &label).await;
        assert_eq!(left(app, &label).await, Decimal::from(7));
        let rc = get_receipt(app, id).await;
        assert_pascal_case(&rc, "SalesReceipt");
        assert_eq!(
            str_field(&rc, "LastModified"),
            str_field(&p, "LastModified")
        );
        assert_eq!(rc["IsFinal"], json!(false));
        assert_eq!(int_field(&rc, "TotalPackages"), 1);
        assert_eq!(str_field(&rc, "SalesCustomerType"), "Consumer");
        assert_eq!(str_field(&rc["Transactions"][0], "PackageLabel"), label);
        assert_eq!(str_field(&rc["Transactions"][0], "ProductName"), GUMMIES);
        assert!(
            str_field(&rc, "RecordedByUserName").contains("budtender"),
            "{rc}"
        );
        assert!(listed(
            &app.list(RETAILER, "/sales/v2/receipts/active").await,
            id
        ));
        assert!(!listed(
            &app.list(RETAILER, "/sales/v2/receipts/inactive").await,
            id
        ));

        // A sale recorded more than 24 h late is accepted with a warning (rule 63, as rule 16).
        let late = (chrono::Utc::now() - chrono::Duration::hours(30)).format("%Y-%m-%dT%H:%M:%SZ");
        let r = app
            .post(
                RETAILER,
                "/sales/v2/receipts",
                json!([{"SalesDateTime": late.to_string(), "SalesCustomerType": "Patient",
                        "PatientLicenseNumber": "P-1", "Transactions": [sale_line(&label, 1)]}]),
            )
            .send()
            .await
            .ok();
        let warnings = r.json()["Warnings"].clone();
        assert!(
            warnings[0].as_str().unwrap_or_default().contains("rule 63"),
            "{}",
            r.body
        );
        assert_eq!(left(app, &label).await, Decimal::from(6));
    })
    .await;
}

#[tokio::test]
async fn rule_63_only_a_retailer_records_sales() {
    for_each_backend(async |app| {
        let label = stock(app, 5, "TestPassed").await;
        let r = app
            .post(
                DISTRIBUTOR,
                "/sales/v2/receipts",
                json!([receipt(vec![sale_line(&label, 1)])]),
            )
            .send()
            .await
            .status(401);
        assert!(r.message().contains("retailer"), "{}", r.body);
        app.put(
            DISTRIBUTOR,
            "/sales/v2/receipts/finalize",
            json!([{"Id": 1}]),
        )
        .send()
        .await
        .status(401);
        assert_eq!(left(app, &label).await, Decimal::from(5));
    })
    .await;
}

/// Every bad row is named, and a batch with one bad row writes nothing (rules 49, 63, 34).
#[tokio::test]
async fn rules_49_63_every_bad_row_is_refused_and_nothing_is_half_written() {
    for_each_backend(async |app| {
        let good = stock(app, 10, "TestPassed").await;
        let held = stock(app, 10, "TestPassed").await;
        app.hold(RETAILER, std::slice::from_ref(&held), true, "Recall").await;
        let failed = stock(app, 10, "TestFailed").await;
        let untested = stock(app, 10, "NotSubmitted").await;
        let before = app.journal(RETAILER).await.len();
        let mut no_type = receipt(vec![sale_line(&good, 1)]);
        no_type["SalesCustomerType"] = Value::Null;
        let mut future = receipt(vec![sale_line(&good, 1)]);
        future["SalesDateTime"] = json!((chrono::Utc::now() + chrono::Duration::hours(2))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string());
        let mut long = receipt(vec![sale_line(&good, 1)]);
        long["ExternalReceiptNumber"] = json!("R".repeat(251));
        let body = json!([
            receipt(vec![sale_line(&good, 2)]),                       // 0: fine
            receipt(vec![json!({"PackageLabel": good, "Quantity": 1, "UnitOfMeasure": "Grams", "TotalAmount": 1})]),
            receipt(vec![sale_line(&good, 5), sale_line(&good, 4)]),  // 2: 2 + 5 + 4 > 10
            receipt(vec![sale_line(&held, 1)]),                        // 3: on hold
            receipt(vec![sale_line(&failed, 1)]),                      // 4: failed (rule 49)
            receipt(vec![sale_line(&untested, 1)]),                    // 5: untested (rule 49)
            no_type,                                                   // 6
            future,                                                    // 7
            long,                                                      // 8
            receipt(vec![json!({"PackageLabel": good, "Quantity": 1, "UnitOfMeasure": "Each", "TotalAmount": -1})]),
        ]);
        let r = app
            .post(RETAILER, "/sales/v2/receipts", body)
            .send()
            .await
            .status(400);
        let rows = r.rows();
        let row = |i: u64| -> String {
            rows.iter()
                .filter(|(n, _)| *n == i)
                .map(|(_, m)| m.clone())
                .collect::<Vec<_>>()
                .join(" | ")
        };
        assert!(row(0).is_empty(), "{}", r.body);
        assert!(row(1).contains("does not match"), "{}", r.body);
        assert!(row(2).contains("available"), "{}", r.body);
        assert!(row(3).contains("on hold"), "{}", r.body);
        assert!(row(4).contains("TestFailed"), "{}", r.body);
        assert!(row(5).contains("NotSubmitted"), "{}", r.body);
        assert!(row(6).contains("SalesCustomerType"), "{}", r.body);
        assert!(row(7).contains("future"), "{}", r.body);
        assert!(row(8).contains("longer than"), "{}", r.body);
        assert!(row(9).contains("negative"), "{}", r.body);
        assert_eq!(app.journal(RETAILER).await.len(), before, "nothing written");
        assert_eq!(left(app, &good).await, Decimal::from(10));

        let r = app
            .post(RETAILER, "/sales/v2/receipts", json!([receipt(vec![sale_line(&good, 0)])]))
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("greater than zero"), "{}", r.body);
        // Two lines on one package summing over what it holds, in one receipt.
        let r = app
            .post(
                RETAILER,
                "/sales/v2/receipts",
                json!([receipt(vec![sale_line(&good, 6), sale_line(&good, 5)])]),
            )
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("available"), "{}", r.body);
        // Exactly what it holds is fine.
        record(app, json!([receipt(vec![sale_line(&good, 6), sale_line(&good, 4)])])).await;
        assert_eq!(left(app, &good).await, Decimal::ZERO);
    })
    .await;
}

/// Bulletin III: a finished package must be unfinished before a sale is recorded or edited from
/// it; a sale that empties a package leaves it at zero, active, ready to finish.
#[tokio::test]
async fn bulletin_iii_a_finished_package_is_unfinished_before_a_sale_or_a_void() {
    for_each_backend(async |app| {
        let label = stock(app, 4, "TestPassed").await;
        let id = record(app, json!([receipt(vec![sale_line(&label, 4)])])).await[0];
        let p = package(app, &label).await;
        assert_eq!(left(app, &label).await, Decimal::ZERO);
        assert_eq!(p["IsFinished"], json!(false), "emptied, not finished: {p}");
        app.put(RETAILER, "/packages/v2/finish", json!([{"Label": label}]))
            .send()
            .await
            .ok();

        let r = app
            .post(
                RETAILER,
                "/sales/v2/receipts",
                json!([receipt(vec![sale_line(&label, 1)])]),
            )
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("must be unfinished"), "{}", r.body);
        let r = app
            .delete(RETAILER, &format!("/sales/v2/receipts/{id}"))
            .send()
            .await
            .status(400);
        assert!(r.message().contains("must be unfinished"), "{}", r.body);
        let mut edit = receipt(vec![sale_line(&label, 3)]);
        edit["Id"] = json!(id);
        let r = app
            .put(RETAILER, "/sales/v2/receipts", json!([edit.clone()]))
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("must be unfinished"), "{}", r.body);
        assert!(get_receipt(app, id).await["ArchivedDate"].is_null());

        app.put(RETAILER, "/packages/v2/unfinish", json!([{"Label": label}]))
            .send()
            .await
            .ok();
        // Edited now: 4 back, 3 taken.
        app.put(RETAILER, "/sales/v2/receipts", json!([edit]))
            .send()
            .await
            .ok();
        assert_eq!(left(app, &label).await, Decimal::from(1));
        // Voided: all 3 back (state machine 2.8).
        app.delete(RETAILER, &format!("/sales/v2/receipts/{id}"))
            .send()
            .await
            .ok();
        assert_eq!(left(app, &label).await, Decimal::from(4));
        let rc = get_receipt(app, id).await;
        assert!(rc["ArchivedDate"].is_string(), "{rc}");
        assert!(listed(
            &app.list(RETAILER, "/sales/v2/receipts/inactive").await,
            id
        ));
        assert!(!listed(
            &app.list(RETAILER, "/sales/v2/receipts/active").await,
            id
        ));
    })
    .await;
}

#[tokio::test]
async fn rule_64_a_finalized_receipt_is_frozen_until_unfinalized() {
    for_each_backend(async |app| {
        let label = stock(app, 10, "TestPassed").await;
        let id = record(app, json!([receipt(vec![sale_line(&label, 2)])])).await[0];
        app.put(RETAILER, "/sales/v2/receipts/finalize", json!([{"Id": id}]))
            .send()
            .await
            .ok();
        assert_eq!(get_receipt(app, id).await["IsFinal"], json!(true));
        assert!(listed(
            &app.list(RETAILER, "/sales/v2/receipts/inactive").await,
            id
        ));
        assert!(!listed(
            &app.list(RETAILER, "/sales/v2/receipts/active").await,
            id
        ));

        let mut edit = receipt(vec![sale_line(&label, 5)]);
        edit["Id"] = json!(id);
        let r = app
            .put(RETAILER, "/sales/v2/receipts", json!([edit.clone()]))
            .send()
            .await
            .status(409);
        assert_eq!(r.message(), "Receipt is finalized");
        let r = app
            .delete(RETAILER, &format!("/sales/v2/receipts/{id}"))
            .send()
            .await
            .status(409);
        assert_eq!(r.message(), "Receipt is finalized");
        let r = app
            .put(RETAILER, "/sales/v2/receipts/finalize", json!([{"Id": id}]))
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("already finalized"), "{}", r.body);
        assert_eq!(left(app, &label).await, Decimal::from(8));

        app.put(
            RETAILER,
            "/sales/v2/receipts/unfinalize",
            json!([{"Id": id}]),
        )
        .send()
        .await
        .ok();
        assert!(listed(
            &app.list(RETAILER, "/sales/v2/receipts/active").await,
            id
        ));
        app.put(RETAILER, "/sales/v2/receipts", json!([edit]))
            .send()
            .await
            .ok();
        assert_eq!(left(app, &label).await, Decimal::from(5));
        app.delete(RETAILER, &format!("/sales/v2/receipts/{id}"))
            .send()
            .await
            .ok();
        assert_eq!(left(app, &label).await, Decimal::from(10));
        for path in ["finalize", "unfinalize"] {
            let r = app
                .put(
                    RETAILER,
                    &format!("/sales/v2/receipts/{path}"),
                    json!([{"Id": id}]),
                )
                .send()
                .await
                .status(400);
            assert!(r.rows()[0].1.contains("voided"), "{}", r.body);
        }
    })
    .await;
}

#[tokio::test]
async fn external_receipt_numbers_are_unique_until_voided_and_looked_up() {
    for_each_backend(async |app| {
        let label = stock(app, 10, "TestPassed").await;
        let mut first = receipt(vec![sale_line(&label, 1)]);
        first["ExternalReceiptNumber"] = json!("POS-0001");
        let id = record(app, json!([first.clone()])).await[0];
        let r = app
            .post(RETAILER, "/sales/v2/receipts", json!([first.clone()]))
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("already used"), "{}", r.body);
        let got = app
            .get(RETAILER, "/sales/v2/receipts/external/POS-0001")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(int_field(&got, "Id"), id);
        app.get(RETAILER, "/sales/v2/receipts/external/POS-9999")
            .send()
            .await
            .status(404);
        // Another license asking for this license's number: 401, as for a record by id.
        app.get(DISTRIBUTOR, "/sales/v2/receipts/external/POS-0001")
            .send()
            .await
            .status(401);
        app.get(DISTRIBUTOR, &format!("/sales/v2/receipts/{id}"))
            .send()
            .await
            .status(401);

        // A voided receipt frees its number; the lookup prefers the receipt not voided.
        app.delete(RETAILER, &format!("/sales/v2/receipts/{id}"))
            .send()
            .await
            .ok();
        let again = record(app, json!([first])).await[0];
        let got = app
            .get(RETAILER, "/sales/v2/receipts/external/POS-0001")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(int_field(&got, "Id"), again);
    })
    .await;
}

#[tokio::test]
async fn rule_67_lists_filter_by_last_modified_or_by_sales_date_never_both() {
    for_each_backend(async |app| {
        let label = stock(app, 10, "TestPassed").await;
        let mut old = receipt(vec![sale_line(&label, 1)]);
        old["SalesDateTime"] = json!("2026-01-15T10:00:00Z");
        let old_id = record(app, json!([old])).await[0];
        let new_id = record(app, json!([receipt(vec![sale_line(&label, 1)])])).await[0];

        let by_day = app
            .get(RETAILER, "/sales/v2/receipts/active")
            .query("salesDateStart", "2026-01-15")
            .query("salesDateEnd", "2026-01-15")
            .send()
            .await
            .ok()
            .json();
        let data = by_day["Data"].as_array().cloned().unwrap_or_default();
        assert!(listed(&data, old_id) && !listed(&data, new_id), "{by_day}");

        let start = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
        let window = app
            .get(RETAILER, "/sales/v2/receipts/active")
            .query("lastModifiedStart", &start)
            .send()
            .await
            .ok()
            .json();
        let data = window["Data"].as_array().cloned().unwrap_or_default();
        assert!(listed(&data, old_id) && listed(&data, new_id), "{window}");

        let r = app
            .get(RETAILER, "/sales/v2/receipts/inactive")
            .query("lastModifiedStart", &start)
            .query("salesDateStart", "2026-01-15")
            .send()
            .await
            .status(400);
        assert!(r.message().contains("cannot be combined"), "{}", r.body);
        let too_long = (chrono::Utc::now() - chrono::Duration::hours(30)).to_rfc3339();
        app.get(RETAILER, "/sales/v2/receipts/active")
            .query("lastModifiedStart", &too_long)
            .send()
            .await
            .status(400);
        app.get(RETAILER, "/sales/v2/receipts/active")
            .query("salesDateStart", "2026-02-01")
            .query("salesDateEnd", "2026-01-01")
            .send()
            .await
            .status(400);
    })
    .await;
}

#[tokio::test]
async fn sales_reference_lists() {
    for_each_backend(async |app| {
        let counties = app
            .call(reqwest::Method::GET, "/sales/v2/counties")
            .acting_as(RETAILER)
            .send()
            .await
            .ok()
            .json();
        assert_eq!(int_field(&counties, "Total"), 58);
        let names: Vec<String> = counties["Data"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|c| str_field(c, "Name"))
            .collect();
        assert!(names.contains(&"Los Angeles".to_string()) && names.len() == 58);
        let types = app
            .call(reqwest::Method::GET, "/sales/v2/customertypes")
            .acting_as(RETAILER)
            .send()
            .await
            .ok()
            .json();
        assert_eq!(
            types,
            json!([
                "Consumer",
                "Patient",
                "Caregiver",
                "ExternalPatient",
                "NonResidentConsumer"
            ])
        );
        let pay = app
            .get(RETAILER, "/sales/v2/paymenttypes")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(str_field(&pay[0], "Name"), "Cash");
        let locs = app
            .call(
                reqwest::Method::GET,
                "/sales/v2/patientregistration/locations",
            )
            .acting_as(RETAILER)
            .send()
            .await
            .ok()
            .json();
        assert!(int_field(&locs[0], "Id") > 0);
        let reasons = app
            .get(RETAILER, "/sales/v2/deliveries/returnreasons")
            .query("pageSize", "2")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(reasons["Data"].as_array().map(Vec::len), Some(2));
        assert!(int_field(&reasons, "Total") >= 5);
        assert!(reasons["Data"][0]["RequiresNote"].is_boolean());
    })
    .await;
}

/// The change feed carries receipts: a sale is one `SalesReceipt` item beside its package's,
/// its `Record` exactly as `GET /sales/v2/receipts/{id}` shows it, and a finalize is an
/// `Updated` item with `IsFinal` set.
#[tokio::test]
async fn a_receipt_and_its_finalize_are_in_the_retailers_change_feed() {
    for_each_backend(async |app| {
        let label = stock(app, 5, "TestPassed").await;
        let feed = |after: Option<String>| async move {
            let mut call = app
                .get(RETAILER, "/tagtrail/v1/changes")
                .query("pageSize", "500");
            if let Some(a) = &after {
                call = call.query("after", a);
            }
            let body = call.send().await.ok().json();
            let next = str_field(&body, "Next");
            (body["Data"].as_array().cloned().unwrap_or_default(), next)
        };
        let mut start = None;
        loop {
            let (_, next) = feed(start.clone()).await;
            if start.as_deref() == Some(next.as_str()) {
                break;
            }
            start = Some(next);
        }
        let id = record(app, json!([receipt(vec![sale_line(&label, 2)])])).await[0];
        let (items, end) = feed(start.clone()).await;
        let kinds: Vec<String> = items.iter().map(|i| str_field(i, "ObjectType")).collect();
        assert_eq!(kinds, ["SalesReceipt", "Package"], "{items:?}");
        assert_eq!(str_field(&items[0], "Verb"), "Created");
        assert_eq!(items[0]["Record"], get_receipt(app, id).await);

        app.put(RETAILER, "/sales/v2/receipts/finalize", json!([{"Id": id}]))
            .send()
            .await
            .ok();
        let (items, _) = feed(Some(end)).await;
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(str_field(&items[0], "Verb"), "Updated");
        assert_eq!(items[0]["Record"]["IsFinal"], json!(true));
        assert_eq!(items[0]["Record"], get_receipt(app, id).await);
    })
    .await;
}
