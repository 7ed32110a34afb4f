//! Retail delivery over real HTTP on both backends (issue 13; rule 65, §15049.3; rules 49 and
//! 63 and bulletin III through the shared sale-line checks): sales deliveries recorded,
//! updated, completed with returns and voided; the hub steps refused to a retailer (no
//! California license is a sales delivery hub: 401, as Metrc answers a facility type without an
//! endpoint's capability); retailer deliveries (the delivery inventory ledger) created, edited
//! and voided before departure, departed, sold from, restocked and ended, with the packages'
//! quantities followed at every step. `audit verify` passes after each test.

use crate::helpers::*;
use serde_json::{Value, json};

const GUMMIES: &str = "Mango Gummies 10x10mg";
const VAPE: &str = "Blue Dream Vape 1g";

/// The label and quantity of the retailer's largest demo package of `item` (the demo's day of
/// sales may have drawn on some; the tests need at least 40).
async fn package(app: &TestApp, item: &str) -> (String, f64) {
    let p = app
        .list(RETAILER, "/packages/v2/active")
        .await
        .into_iter()
        .filter(|p| p["Item"]["Name"] == item)
        .max_by(|a, b| qty(a).total_cmp(&qty(b)))
        .unwrap_or_else(|| panic!("[{}] the retailer holds {item}", app.backend));
    assert!(qty(&p) >= 40.0, "[{}] {item}: {p}", app.backend);
    (str_field(&p, "Label"), qty(&p))
}

fn qty(p: &Value) -> f64 {
    decimal(p, "Quantity").parse().expect("a quantity")
}

async fn quantity(app: &TestApp, label: &str) -> f64 {
    let p = app
        .get(RETAILER, &format!("/packages/v2/{label}"))
        .send()
        .await
        .ok()
        .json();
    qty(&p)
}

async fn audit_verify(app: &TestApp, after: &str) {
    let report = app.verify().await;
    assert!(
        report.ok(),
        "[{}] audit verify after {after}: {report:?}",
        app.backend
    );
}

fn courier() -> Value {
    json!({
        "DriverEmployeeId": "EMP-9001",
        "DriverName": "Dana Ruiz",
        "DriversLicenseNumber": "D7654321",
        "PhoneNumberForQuestions": "916-555-0199",
        "VehicleMake": "Toyota",
        "VehicleModel": "Prius",
        "VehicleLicensePlateNumber": "9DLV123",
    })
}

/// A sales delivery of `quantity` of `label` to a consumer in Sacramento.
fn delivery(label: &str, quantity: f64) -> Value {
    let mut d = courier();
    let m = d.as_object_mut().expect("an object");
    for (k, v) in [
        ("SalesDateTime", json!("2026-11-30T10:15:00")),
        ("SalesCustomerType", json!("Consumer")),
        ("RecipientName", json!("Pat Lee")),
        ("RecipientAddressStreet1", json!("1500 Capitol Ave")),
        ("RecipientAddressCity", json!("Sacramento")),
        ("RecipientAddressCounty", json!("Sacramento")),
        ("RecipientAddressState", json!("CA")),
        ("RecipientAddressPostalCode", json!("95814")),
        ("PlannedRoute", json!("I-5 N to J St")),
        ("EstimatedDepartureDateTime", json!("2026-11-30T10:30:00")),
        ("EstimatedArrivalDateTime", json!("2026-11-30T11:00:00")),
        (
            "Transactions",
            json!([{"PackageLabel": label, "Quantity": quantity, "UnitOfMeasure": "Each", "TotalAmount": 5.0 * quantity}]),
        ),
    ] {
        m.insert(k.into(), v);
    }
    d
}

/// A retailer delivery (route) loading `loads` (label, quantity).
fn route(loads: &[(&str, f64)]) -> Value {
    let mut d = courier();
    let m = d.as_object_mut().expect("an object");
    m.insert("DateTime".into(), json!("2026-11-30T08:00:00"));
    m.insert(
        "EstimatedDepartureDateTime".into(),
        json!("2026-11-30T08:30:00"),
    );
    m.insert(
        "Packages".into(),
        Value::Array(
            loads
                .iter()
                .map(|(l, q)| json!({"PackageLabel": l, "Quantity": q, "UnitOfMeasure": "Each", "TotalPrice": 10.0 * q}))
                .collect(),
        ),
    );
    m.insert("Destinations".into(), json!([]));
    d
}

/// A sale from route `id` of `quantity` of `label`.
fn route_sale(id: i64, label: &str, quantity: f64) -> Value {
    json!({
        "RetailerDeliveryId": id,
        "SalesDateTime": "2026-11-30T12:05:00",
        "SalesCustomerType": "Consumer",
        "RecipientName": "Sam Ito",
        "RecipientAddressCity": "Davis",
        "RecipientAddressCounty": "Yolo",
        "RecipientAddressPostalCode": "95616",
        "Transactions": [{"PackageLabel": label, "Quantity": quantity, "UnitOfMeasure": "Each", "TotalAmount": 20.0 * quantity}],
    })
}

async fn get(app: &TestApp, path: &str) -> Value {
    app.get(RETAILER, path).send().await.ok().json()
}

fn list_ids(rows: &[Value]) -> Vec<i64> {
    rows.iter().map(|r| int_field(r, "Id")).collect()
}

/// Rules 63 and 65: a delivery takes its lines from the package when recorded, is edited in
/// transit, and on completion every package is accepted or returned; returns go back.
#[tokio::test]
async fn rule_65_sales_delivery_recorded_updated_and_completed_with_returns() {
    for_each_backend(async |app| {
        let b = app.backend;
        let (gummies, start) = package(app, GUMMIES).await;
        let id = ids(&app
            .post(RETAILER, "/sales/v2/deliveries", json!([delivery(gummies.as_str(), 5.0)]))
            .send()
            .await
            .ok())[0];
        assert_eq!(quantity(app, &gummies).await, start - 5.0, "[{b}] the line left the package");
        let d = get(app, &format!("/sales/v2/deliveries/{id}")).await;
        assert_eq!(str_field(&d, "SalesDeliveryState"), "InTransit", "[{b}] {d}");
        assert_eq!(str_field(&d, "SalesDateTime"), "2026-11-30T10:15:00.000");
        assert_eq!(str_field(&d, "RecipientAddressCounty"), "Sacramento");
        assert_eq!(str_field(&d, "RecipientAddressPostalCode"), "95814");
        assert_eq!(str_field(&d, "DriversLicenseNumber"), "D7654321");
        assert_eq!(str_field(&d["Transactions"][0], "PackageLabel"), gummies);
        assert_pascal_case(&d, "a sales delivery");
        assert!(list_ids(&app.list(RETAILER, "/sales/v2/deliveries/active").await).contains(&id));

        // The sales-date filter finds it; lastModified with it is refused (Metrc: an error).
        let by_date = app
            .get(RETAILER, "/sales/v2/deliveries/active")
            .query("salesDateStart", "2026-11-30")
            .query("salesDateEnd", "2026-11-30")
            .send()
            .await
            .ok()
            .json();
        assert!(list_ids(by_date["Data"].as_array().expect("Data")).contains(&id), "[{b}] {by_date}");
        let other_day = app
            .get(RETAILER, "/sales/v2/deliveries/active")
            .query("salesDateStart", "2026-11-29")
            .query("salesDateEnd", "2026-11-29")
            .send()
            .await
            .ok()
            .json();
        assert!(!list_ids(other_day["Data"].as_array().expect("Data")).contains(&id), "[{b}]");
        app.get(RETAILER, "/sales/v2/deliveries/active")
            .query("salesDateStart", "2026-11-30")
            .query("lastModifiedStart", "2026-11-30T00:00:00Z")
            .send()
            .await
            .status(400);

        // Edited in transit: the old line goes back, the new one is taken.
        let mut edit = delivery(gummies.as_str(), 8.0);
        edit["Id"] = json!(id);
        app.put(RETAILER, "/sales/v2/deliveries", json!([edit])).send().await.ok();
        assert_eq!(quantity(app, &gummies).await, start - 8.0, "[{b}]");

        // Rule 65: completion records the time; without it, nothing is written.
        let before = app.journal(RETAILER).await.len();
        let r = app
            .put(RETAILER, "/sales/v2/deliveries/complete", json!([{"Id": id, "AcceptedPackages": [gummies]}]))
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("ActualArrivalDateTime"), "[{b}] {}", r.body);
        assert_eq!(app.journal(RETAILER).await.len(), before, "[{b}] nothing written");

        // Two of eight come back.
        let done = json!([{"Id": id, "ActualArrivalDateTime": "2026-11-30T11:05:00", "PaymentType": "Cash",
            "AcceptedPackages": [],
            "ReturnedPackages": [{"Label": gummies, "ReturnQuantityVerified": 2, "ReturnUnitOfMeasure": "Each",
                                  "ReturnReason": "Damaged", "ReturnReasonNote": "crushed box"}]}]);
        app.put(RETAILER, "/sales/v2/deliveries/complete", done.clone()).send().await.ok();
        assert_eq!(quantity(app, &gummies).await, start - 6.0, "[{b}] returns go back to the package");
        let d = get(app, &format!("/sales/v2/deliveries/{id}")).await;
        assert_eq!(str_field(&d, "SalesDeliveryState"), "Delivered", "[{b}] {d}");
        assert_eq!(str_field(&d, "ActualArrivalDateTime"), "2026-11-30T11:05:00.000");
        assert!(!d["CompletedDateTime"].is_null(), "[{b}] {d}");
        assert_eq!(str_field(&d["ReturnedPackages"][0], "ReturnReason"), "Damaged");
        assert!(!list_ids(&app.list(RETAILER, "/sales/v2/deliveries/active").await).contains(&id));
        assert!(list_ids(&app.list(RETAILER, "/sales/v2/deliveries/inactive").await).contains(&id));
        // Delivered is final: no second completion, no edit, no void.
        app.put(RETAILER, "/sales/v2/deliveries/complete", done).send().await.status(409);
        app.delete(RETAILER, &format!("/sales/v2/deliveries/{id}")).send().await.status(409);
        audit_verify(app, "a completed delivery").await;
    })
    .await;
}

/// Rule 65 (and 49, 63 through the shared line checks): a delivery names its driver, vehicle,
/// customer type, city, county and ZIP; a batch with one bad element writes nothing.
#[tokio::test]
async fn rule_65_delivery_fields_required_and_a_mixed_batch_writes_nothing() {
    for_each_backend(async |app| {
        let b = app.backend;
        let (gummies, start) = package(app, GUMMIES).await;
        let mut bad = delivery(gummies.as_str(), 1.0);
        for k in [
            "DriverName",
            "VehicleLicensePlateNumber",
            "RecipientAddressCounty",
            "RecipientAddressPostalCode",
            "SalesCustomerType",
        ] {
            bad.as_object_mut().expect("object").remove(k);
        }
        let mut wrong_unit = delivery(gummies.as_str(), 1.0);
        wrong_unit["Transactions"][0]["UnitOfMeasure"] = json!("Grams");
        let mut too_many = delivery(&gummies, start + 1.0);
        too_many["RecipientAddressCity"] = json!("x".repeat(300));
        let before = app.journal(RETAILER).await.len();
        let r = app
            .post(
                RETAILER,
                "/sales/v2/deliveries",
                json!([delivery(gummies.as_str(), 1.0), bad, wrong_unit, too_many]),
            )
            .send()
            .await
            .status(400);
        let rows = r.rows();
        let text = |row: u64| {
            rows.iter()
                .filter(|(r, _)| *r == row)
                .map(|(_, m)| m.as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        };
        assert!(
            !rows.iter().any(|(r, _)| *r == 0),
            "[{b}] row 0 is good: {}",
            r.body
        );
        for field in [
            "DriverName",
            "VehicleLicensePlateNumber",
            "RecipientAddressCounty",
            "RecipientAddressPostalCode",
            "SalesCustomerType",
        ] {
            assert!(
                text(1).contains(field),
                "[{b}] row 1 names {field}: {}",
                r.body
            );
        }
        assert!(text(2).contains("does not match"), "[{b}] {}", r.body);
        assert!(
            text(3).contains("longer than") && text(3).contains("available"),
            "[{b}] {}",
            r.body
        );
        assert_eq!(
            app.journal(RETAILER).await.len(),
            before,
            "[{b}] nothing written"
        );
        assert_eq!(
            quantity(app, &gummies).await,
            start,
            "[{b}] the package is untouched"
        );
        audit_verify(app, "a refused batch").await;
    })
    .await;
}

/// Voiding gives the lines back; another license's delivery is 401; a license that does not
/// deliver is 403; the hub steps are 401 to a retailer (not a sales delivery hub).
#[tokio::test]
async fn sales_delivery_void_other_license_and_hub_refusals() {
    for_each_backend(async |app| {
        let b = app.backend;
        let (gummies, start) = package(app, GUMMIES).await;
        let id = ids(&app
            .post(
                RETAILER,
                "/sales/v2/deliveries",
                json!([delivery(gummies.as_str(), 3.0)]),
            )
            .send()
            .await
            .ok())[0];
        // Another license's delivery: 401, by id and for void.
        app.get(CULTIVATOR, &format!("/sales/v2/deliveries/{id}"))
            .send()
            .await
            .status(401);
        app.delete(RETAILER, "/sales/v2/deliveries/999999")
            .send()
            .await
            .status(404);
        // The cultivator does not deliver sales (403, like every missing capability).
        app.post(
            CULTIVATOR,
            "/sales/v2/deliveries",
            json!([delivery(gummies.as_str(), 1.0)]),
        )
        .send()
        .await
        .status(403);
        // Hub steps: no California license is a hub (401, Metrc's answer to a facility type
        // without the endpoint's capability), and nothing changes.
        for path in [
            "/sales/v2/deliveries/hub",
            "/sales/v2/deliveries/hub/accept",
            "/sales/v2/deliveries/hub/depart",
            "/sales/v2/deliveries/hub/verifyID",
        ] {
            let r = app
                .put(RETAILER, path, json!([{"Id": id, "PaymentType": "Cash"}]))
                .send()
                .await
                .status(401);
            assert!(r.message().contains("hub"), "[{b}] {path}: {}", r.body);
        }
        app.delete(RETAILER, &format!("/sales/v2/deliveries/{id}"))
            .send()
            .await
            .ok();
        assert_eq!(
            quantity(app, &gummies).await,
            start,
            "[{b}] voiding gives the lines back"
        );
        let d = get(app, &format!("/sales/v2/deliveries/{id}")).await;
        assert_eq!(str_field(&d, "SalesDeliveryState"), "Voided", "[{b}] {d}");
        assert!(
            d["AcceptedDateTime"].is_null(),
            "[{b}] no hub step was taken"
        );
        app.delete(RETAILER, &format!("/sales/v2/deliveries/{id}"))
            .send()
            .await
            .status(409);
        audit_verify(app, "a voided delivery").await;
    })
    .await;
}

/// Rule 65: the delivery inventory ledger exists (driver, vehicle, UIDs and quantities, start
/// time) before the driver leaves; sales need it departed and not ended, only of its packages
/// and no more than is on it; ending gives back what was not sold.
#[tokio::test]
async fn rule_65_retailer_delivery_ledger_depart_sell_restock_end() {
    for_each_backend(async |app| {
        let b = app.backend;
        let (gummies, g0) = package(app, GUMMIES).await;
        let (vape, v0) = package(app, VAPE).await;
        let before = app.journal(RETAILER).await.len();

        // The ledger's required parts.
        let mut incomplete = route(&[]);
        for k in ["DriverName", "DriversLicenseNumber", "VehicleMake", "DateTime"] {
            incomplete.as_object_mut().expect("object").remove(k);
        }
        let mut no_qty = route(&[(gummies.as_str(), 1.0)]);
        no_qty["Packages"][0].as_object_mut().expect("object").remove("Quantity");
        let r = app
            .post(RETAILER, "/sales/v2/deliveries/retailer", json!([route(&[(gummies.as_str(), 1.0)]), incomplete, no_qty]))
            .send()
            .await
            .status(400);
        let rows = r.rows();
        let text = |row: u64| rows.iter().filter(|(r, _)| *r == row).map(|(_, m)| m.as_str()).collect::<Vec<_>>().join(" | ");
        for field in ["DriverName", "DriversLicenseNumber", "VehicleMake", "DateTime", "Packages"] {
            assert!(text(1).contains(field), "[{b}] {field}: {}", r.body);
        }
        assert!(text(2).contains("Quantity"), "[{b}] {}", r.body);
        assert!(text(0).is_empty(), "[{b}] {}", r.body);
        assert_eq!(app.journal(RETAILER).await.len(), before, "[{b}] nothing written");

        // Loaded: the quantities leave the packages for the van.
        let id = ids(&app
            .post(RETAILER, "/sales/v2/deliveries/retailer", json!([route(&[(gummies.as_str(), 20.0), (vape.as_str(), 10.0)])]))
            .send()
            .await
            .ok())[0];
        assert_eq!((quantity(app, &gummies).await, quantity(app, &vape).await), (g0 - 20.0, v0 - 10.0), "[{b}]");
        let l = get(app, &format!("/sales/v2/deliveries/retailer/{id}")).await;
        assert_eq!(str_field(&l, "RetailerDeliveryState"), "Pending", "[{b}] {l}");
        assert_eq!(str_field(&l, "DriverName"), "Dana Ruiz");
        assert_eq!(str_field(&l, "DateTime"), "2026-11-30T08:00:00.000");
        assert_eq!(int_field(&l, "TotalPackages"), 2);
        assert_pascal_case(&l, "a retailer delivery");

        // Rule 65: no sale before the driver leaves.
        let r = app
            .post(RETAILER, "/sales/v2/deliveries/retailer/sale", json!([route_sale(id, &gummies, 1.0)]))
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("Delivery requires an active delivery inventory ledger"), "[{b}] {}", r.body);

        // Edited before departure: the old load goes back, the new one is taken.
        let mut edit = route(&[(gummies.as_str(), 30.0)]);
        edit["Id"] = json!(id);
        app.put(RETAILER, "/sales/v2/deliveries/retailer", json!([edit.clone()])).send().await.ok();
        assert_eq!((quantity(app, &gummies).await, quantity(app, &vape).await), (g0 - 30.0, v0), "[{b}]");

        app.post(RETAILER, "/sales/v2/deliveries/retailer/depart", json!([{"RetailerDeliveryId": id}])).send().await.ok();
        let l = get(app, &format!("/sales/v2/deliveries/retailer/{id}")).await;
        assert_eq!(str_field(&l, "RetailerDeliveryState"), "InTransit", "[{b}] {l}");
        assert!(!l["ActualDepartureDateTime"].is_null());
        // On the road the ledger is fixed: no edit, no void, no second departure.
        app.put(RETAILER, "/sales/v2/deliveries/retailer", json!([edit])).send().await.status(409);
        app.delete(RETAILER, &format!("/sales/v2/deliveries/retailer/{id}")).send().await.status(409);
        app.post(RETAILER, "/sales/v2/deliveries/retailer/depart", json!([{"RetailerDeliveryId": id}])).send().await.status(409);

        // Only packages on it, up to what is on it.
        let r = app.post(RETAILER, "/sales/v2/deliveries/retailer/sale", json!([route_sale(id, &vape, 1.0)])).send().await.status(400);
        assert!(r.rows()[0].1.contains("not on the delivery"), "[{b}] {}", r.body);
        let r = app.post(RETAILER, "/sales/v2/deliveries/retailer/sale", json!([route_sale(id, &gummies, 31.0)])).send().await.status(400);
        assert!(r.rows()[0].1.contains("left on the delivery"), "[{b}] {}", r.body);
        let mut no_zip = route_sale(id, &gummies, 1.0);
        no_zip.as_object_mut().expect("object").remove("RecipientAddressPostalCode");
        let r = app.post(RETAILER, "/sales/v2/deliveries/retailer/sale", json!([route_sale(id, &gummies, 1.0), no_zip])).send().await.status(400);
        assert_eq!(r.rows().len(), 1, "[{b}] {}", r.body);
        assert!(r.rows()[0].0 == 1 && r.rows()[0].1.contains("RecipientAddressPostalCode"), "[{b}] {}", r.body);

        // A sale: a completed sales delivery with rule 65's fields; the package is untouched
        // (the quantity left it when loaded).
        let sale = ids(&app
            .post(RETAILER, "/sales/v2/deliveries/retailer/sale", json!([route_sale(id, &gummies, 4.0)]))
            .send()
            .await
            .ok())[0];
        let s = get(app, &format!("/sales/v2/deliveries/{sale}")).await;
        assert_eq!(str_field(&s, "SalesDeliveryState"), "Delivered", "[{b}] {s}");
        assert_eq!(int_field(&s, "RetailerDeliveryId"), id);
        assert_eq!((str_field(&s, "RecipientAddressCity"), str_field(&s, "RecipientAddressCounty"), str_field(&s, "RecipientAddressPostalCode")),
                   ("Davis".into(), "Yolo".into(), "95616".into()), "[{b}]");
        assert_eq!(str_field(&s, "SalesCustomerType"), "Consumer");
        assert_eq!(str_field(&s, "DriverName"), "Dana Ruiz", "[{b}] the route's driver");
        assert_eq!(quantity(app, &gummies).await, g0 - 30.0, "[{b}]");
        // A route sale is final: it is not voided or edited as a delivery.
        app.delete(RETAILER, &format!("/sales/v2/deliveries/{sale}")).send().await.status(409);

        // Restocked on the road: five vapes more, a new leg.
        app.post(
            RETAILER,
            "/sales/v2/deliveries/retailer/restock",
            json!([{"RetailerDeliveryId": id, "DateTime": "2026-11-30T13:00:00",
                    "Packages": [{"PackageLabel": vape, "Quantity": 5, "UnitOfMeasure": "Each", "TotalPrice": 50}]}]),
        )
        .send()
        .await
        .ok();
        assert_eq!(quantity(app, &vape).await, v0 - 5.0, "[{b}]");
        let l = get(app, &format!("/sales/v2/deliveries/retailer/{id}")).await;
        assert_eq!(int_field(&l, "Leg"), 2, "[{b}] {l}");
        assert_eq!(l["SalesDeliveryIds"], json!([sale]), "[{b}]");

        // Ending: EndQuantity above what is left is refused; what comes back returns.
        let end = |g: f64| {
            json!([{"RetailerDeliveryId": id, "ActualArrivalDateTime": "2026-11-30T17:00:00",
                    "Packages": [{"Label": gummies, "EndQuantity": g, "EndUnitOfMeasure": "Each"},
                                 {"Label": vape, "EndQuantity": 5, "EndUnitOfMeasure": "Each"}]}])
        };
        app.post(RETAILER, "/sales/v2/deliveries/retailer/end", end(27.0)).send().await.status(400);
        let r = app.post(RETAILER, "/sales/v2/deliveries/retailer/end", end(25.0)).send().await.ok();
        let warnings = r.json()["Warnings"].to_string();
        assert!(warnings.contains("neither sold nor returned"), "[{b}] one gummy is unaccounted for: {}", r.body);
        assert_eq!((quantity(app, &gummies).await, quantity(app, &vape).await), (g0 - 5.0, v0), "[{b}]");
        let l = get(app, &format!("/sales/v2/deliveries/retailer/{id}")).await;
        assert_eq!(str_field(&l, "RetailerDeliveryState"), "Ended", "[{b}] {l}");
        assert!(list_ids(&app.list(RETAILER, "/sales/v2/deliveries/retailer/inactive").await).contains(&id));
        assert!(!list_ids(&app.list(RETAILER, "/sales/v2/deliveries/retailer/active").await).contains(&id));
        // Rule 65: an ended ledger is not active.
        let r = app.post(RETAILER, "/sales/v2/deliveries/retailer/sale", json!([route_sale(id, &gummies, 1.0)])).send().await.status(400);
        assert!(r.rows()[0].1.contains("Delivery requires an active delivery inventory ledger"), "[{b}] {}", r.body);
        audit_verify(app, "a route").await;
    })
    .await;
}

/// A ledger voided before departure gives its load back; another license's is 401; a license
/// without retail delivery is 403.
#[tokio::test]
async fn retailer_delivery_void_other_license_and_capability() {
    for_each_backend(async |app| {
        let b = app.backend;
        let (gummies, g0) = package(app, GUMMIES).await;
        let id = ids(&app
            .post(
                RETAILER,
                "/sales/v2/deliveries/retailer",
                json!([route(&[(gummies.as_str(), 12.0)])]),
            )
            .send()
            .await
            .ok())[0];
        assert!(
            list_ids(
                &app.list(RETAILER, "/sales/v2/deliveries/retailer/active")
                    .await
            )
            .contains(&id)
        );
        app.get(CULTIVATOR, &format!("/sales/v2/deliveries/retailer/{id}"))
            .send()
            .await
            .status(401);
        app.post(
            MANUFACTURER,
            "/sales/v2/deliveries/retailer",
            json!([route(&[(gummies.as_str(), 1.0)])]),
        )
        .send()
        .await
        .status(403);
        app.delete(RETAILER, &format!("/sales/v2/deliveries/retailer/{id}"))
            .send()
            .await
            .ok();
        assert_eq!(
            quantity(app, &gummies).await,
            g0,
            "[{b}] the load went back"
        );
        let l = get(app, &format!("/sales/v2/deliveries/retailer/{id}")).await;
        assert_eq!(
            str_field(&l, "RetailerDeliveryState"),
            "Voided",
            "[{b}] {l}"
        );
        app.delete(RETAILER, &format!("/sales/v2/deliveries/retailer/{id}"))
            .send()
            .await
            .status(409);
        audit_verify(app, "a voided route").await;
    })
    .await;
}
