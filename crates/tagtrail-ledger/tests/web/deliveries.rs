//! The retailer's delivery forms (rule 65, §15049.3): a delivery inventory ledger (route) is
//! created with its driver, vehicle and load through the web door (the loaded quantity leaves
//! the package), departed and ended after a confirmation (what came back returns to the
//! package), and a delivery sale is recorded from it after a review; a sales delivery on the
//! road is completed with a return or voided after a confirmation. A refused form comes back as
//! typed with the wrong line named in words; another license's employee reaches none of it.

use crate::browser::Browser;
use crate::helpers::*;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::json;
use tagtrail_domain::commands::packages::NewPackage;

fn lic(rest: &str) -> String {
    format!("/ui/l/{RETAILER}{rest}")
}

/// A new package of `quantity` Each of the retailer's gummies that passed testing; its label.
async fn stock(app: &TestApp, quantity: i64) -> String {
    let tag = str_field(
        &app.list(RETAILER, "/tags/v2/package/available").await[0],
        "Label",
    );
    let spec = NewPackage {
        tag: Some(tag.clone()),
        item: Some("Mango Gummies 10x10mg".into()),
        quantity: Some(Decimal::new(quantity, 0)),
        unit_of_measure: Some("Each".into()),
        location: Some("Sales Floor".into()),
        ..Default::default()
    };
    app.opening_balance(RETAILER, spec, "TestPassed").await;
    tag
}

/// The package's quantity, as the API reads it.
async fn left(app: &TestApp, label: &str) -> String {
    let p = app
        .get(RETAILER, &format!("/packages/v2/{label}"))
        .send()
        .await
        .ok()
        .json();
    decimal(&p, "Quantity")
}

/// The new-route form as posted: the courier, and `loads` (UID, quantity) then a blank line.
fn route_form<'a>(
    csrf: &'a str,
    driver: &'a str,
    loads: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("csrf", csrf),
        ("driver_name", driver),
        ("driver_id", "EMP-500777"),
        ("driver_license", "D1234567"),
        ("phone", ""),
        ("make", "Toyota"),
        ("model", "Prius"),
        ("plate", "7WEB123"),
        ("start", ""),
        ("departure", ""),
    ];
    for (uid, qty) in loads {
        f.push(("uid", uid));
        f.push(("qty", qty));
    }
    f.extend([("uid", ""), ("qty", ""), ("save", "1")]);
    f
}

/// The journal entry the form posted to `path` wrote: through the web door, without the token.
async fn journaled(app: &TestApp, path: &str, csrf: &str) {
    let b = app.backend;
    let journal = app.journal(RETAILER).await;
    let entry = journal
        .iter()
        .find(|e| str_field(e, "Endpoint") == format!("POST {path}"))
        .unwrap_or_else(|| panic!("[{b}] an entry for {path}"));
    assert_eq!(str_field(entry, "Door"), "web", "[{b}] {entry}");
    assert!(!entry.to_string().contains(csrf), "[{b}] no token");
}

#[tokio::test]
async fn a_route_is_loaded_departed_sold_from_and_ended_through_the_forms() {
    for_each_backend(async |app| {
        let b = app.backend;
        let label = stock(app, 10).await;
        let shop = Browser::sign_in(app, RETAILER).await;
        let csrf = shop.csrf.as_str();
        let new = lic("/deliveries/routes/new");
        let form = shop.get(&new).await;
        assert_eq!(form.status, StatusCode::OK, "[{b}]");
        assert!(form.body.contains("id=\"route-form\""), "[{b}]");
        let list = shop.get(&lic("/deliveries")).await;
        assert!(
            list.body.contains(&format!("href=\"{new}\"")),
            "[{b}] offered"
        );
        // Without the session's token nothing is loaded.
        let mut forged = route_form("", "Rosa Web", &[(&label, "6")]);
        forged.remove(0);
        let r = shop.post(&new, &forged).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}]");
        // Refused (no driver, more than the package holds): back as typed, in words.
        let r = shop
            .post(&new, &route_form(csrf, "", &[(&label, "25")]))
            .await;
        assert_eq!(r.location.as_deref(), Some(new.as_str()), "[{b}]");
        assert_eq!(left(app, &label).await, "10", "[{b}] nothing loaded");
        let page = shop.get(&new).await;
        assert!(
            page.body.contains("value=\"7WEB123\""),
            "[{b}] the plate kept"
        );
        assert!(
            page.body.contains(&format!("value=\"{label}\"")),
            "[{b}] the UID kept"
        );
        assert!(
            page.body.contains("value=\"25\""),
            "[{b}] the quantity kept"
        );
        assert!(
            page.body.contains("Driver&#39;s name") || page.body.contains("Driver's name"),
            "[{b}]"
        );
        assert!(!page.body.contains("DriverName"), "[{b}] no API names");
        // Loaded: six leave the package; the route's page next.
        let r = shop
            .post(&new, &route_form(csrf, "Rosa Web", &[(&label, "6")]))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}]");
        let at = r.location.clone().expect("the route's page");
        assert!(at.starts_with(&lic("/deliveries/routes/")), "[{b}] {at}");
        assert_eq!(left(app, &label).await, "4", "[{b}] rule 65: loaded");
        let page = shop.get(&at).await;
        assert!(page.body.contains("Route created"), "[{b}]");
        assert!(page.body.contains("Rosa Web"), "[{b}]");
        assert!(page.body.contains(">Loading<"), "[{b}]");
        // A sale before departure is refused (rule 65's active ledger).
        let early = shop.get(&format!("{at}/sale")).await;
        assert_eq!(early.status, StatusCode::CONFLICT, "[{b}]");
        // Depart asks first.
        let ask = shop.post(&format!("{at}/depart"), &[("csrf", csrf)]).await;
        assert_eq!(ask.status, StatusCode::OK, "[{b}]");
        assert!(ask.body.contains("Yes, depart"), "[{b}] asks first");
        assert!(
            shop.get(&at).await.body.contains(">Loading<"),
            "[{b}] not yet"
        );
        let r = shop
            .post(
                &format!("{at}/depart"),
                &[("csrf", csrf), ("confirmed", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}]");
        let page = shop.get(&at).await;
        assert!(page.body.contains(">On the road<"), "[{b}]");
        assert!(page.body.contains(&format!("href=\"{at}/sale\"")), "[{b}]");
        // A sale of more than the van holds: back as typed, the line named.
        let sale_at = format!("{at}/sale");
        let form = shop.get(&sale_at).await;
        assert_eq!(form.status, StatusCode::OK, "[{b}]");
        assert!(form.body.contains(&label), "[{b}] the van's package");
        let sale = |qty: &'static str, confirmed: bool| {
            let mut f = vec![
                ("csrf", csrf),
                ("uid", label.as_str()),
                ("qty", qty),
                ("price", "36.00"),
                ("customer", "Consumer"),
                ("patient", ""),
                ("consumer", ""),
                ("time", ""),
                ("name", "Sam Web"),
                ("street", ""),
                ("city", "Davis"),
                ("county", "Yolo"),
                ("zip", "95616"),
                ("planned_route", "I-80 W"),
            ];
            if confirmed {
                f.push(("confirmed", "yes"));
            }
            f
        };
        let r = shop.post(&sale_at, &sale("9", true)).await;
        assert_eq!(r.location.as_deref(), Some(sale_at.as_str()), "[{b}]");
        let page = shop.get(&sale_at).await;
        assert!(
            page.body.contains("Line 1: Package"),
            "[{b}] the line named"
        );
        assert!(page.body.contains("value=\"9\""), "[{b}] kept");
        assert!(page.body.contains("value=\"Davis\""), "[{b}] kept");
        // Reviewed, then recorded: the van, not the package, gives it.
        let review = shop.post(&sale_at, &sale("2", false)).await;
        assert_eq!(review.status, StatusCode::OK, "[{b}]");
        assert!(review.body.contains("Davis, Yolo County 95616"), "[{b}]");
        let r = shop.post(&sale_at, &sale("2", true)).await;
        assert_eq!(r.location.as_deref(), Some(at.as_str()), "[{b}]");
        assert_eq!(left(app, &label).await, "4", "[{b}] from the van");
        let page = shop.get(&at).await;
        assert!(page.body.contains("Delivery sale recorded"), "[{b}]");
        assert!(page.body.contains("id=\"route-sales\""), "[{b}]");
        // Ended after a confirmation: three of the four left come back, one is named a loss.
        let end = [
            ("csrf", csrf),
            ("end_uid", label.as_str()),
            ("end_qty", "3"),
            ("back", ""),
        ];
        let ask = shop.post(&format!("{at}/end"), &end).await;
        assert!(ask.body.contains("Yes, end route"), "[{b}] asks first");
        let mut sure = end.to_vec();
        sure.push(("confirmed", "yes"));
        let r = shop.post(&format!("{at}/end"), &sure).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}]");
        assert_eq!(left(app, &label).await, "7", "[{b}] back in the package");
        let page = shop.get(&at).await;
        assert!(page.body.contains(">Ended<"), "[{b}]");
        assert!(
            page.body.contains("neither sold nor returned"),
            "[{b}] the loss"
        );
        // Rule 65: no sale from an ended route; its page says why.
        let r = shop.post(&sale_at, &sale("1", true)).await;
        assert_eq!(r.location.as_deref(), Some(at.as_str()), "[{b}]");
        assert!(
            shop.get(&at).await.body.contains("is not on the road"),
            "[{b}]"
        );
        for path in [
            new.clone(),
            format!("{at}/depart"),
            sale_at.clone(),
            format!("{at}/end"),
        ] {
            journaled(app, &path, csrf).await;
        }
    })
    .await;
}

/// A sales delivery on the road of `quantity` of `label`, recorded through the API.
async fn on_the_road(app: &TestApp, label: &str, quantity: i64) -> i64 {
    let body = json!([{
        "SalesDateTime": "2026-11-30T10:15:00",
        "SalesCustomerType": "Consumer",
        "DriverEmployeeId": "EMP-9001",
        "DriverName": "Dana Ruiz",
        "DriversLicenseNumber": "D7654321",
        "VehicleMake": "Toyota",
        "VehicleModel": "Prius",
        "VehicleLicensePlateNumber": "9DLV123",
        "RecipientAddressCity": "Sacramento",
        "RecipientAddressCounty": "Sacramento",
        "RecipientAddressPostalCode": "95814",
        "Transactions": [{"PackageLabel": label, "Quantity": quantity, "UnitOfMeasure": "Each", "TotalAmount": 5 * quantity}],
    }]);
    ids(&app
        .post(RETAILER, "/sales/v2/deliveries", body)
        .send()
        .await
        .ok())[0]
}

#[tokio::test]
async fn a_sales_delivery_is_completed_with_a_return_or_voided_on_its_page() {
    for_each_backend(async |app| {
        let b = app.backend;
        let label = stock(app, 10).await;
        let first = on_the_road(app, &label, 3).await;
        let second = on_the_road(app, &label, 2).await;
        assert_eq!(left(app, &label).await, "5", "[{b}]");
        let shop = Browser::sign_in(app, RETAILER).await;
        let csrf = shop.csrf.as_str();
        let list = shop.get(&lic("/deliveries")).await;
        let at = lic(&format!("/deliveries/sales/{first}"));
        assert!(
            list.body.contains(&format!("href=\"{at}\"")),
            "[{b}] linked"
        );
        let page = shop.get(&at).await;
        assert_eq!(page.status, StatusCode::OK, "[{b}]");
        assert!(page.body.contains("id=\"complete-delivery\""), "[{b}]");
        // A return without a reason is refused and kept as typed.
        let complete = |reason: &'static str, confirmed: bool| {
            let mut f = vec![
                ("csrf", csrf),
                ("pkg", label.as_str()),
                ("fate", "returned"),
                ("ret_qty", "1"),
                ("reason", reason),
                ("note", ""),
                ("time", ""),
                ("payment", "Cash"),
            ];
            if confirmed {
                f.push(("confirmed", "yes"));
            }
            f
        };
        let ask = shop
            .post(&format!("{at}/complete"), &complete("", false))
            .await;
        assert!(
            ask.body.contains("Yes, complete delivery"),
            "[{b}] asks first"
        );
        let r = shop
            .post(&format!("{at}/complete"), &complete("", true))
            .await;
        assert_eq!(r.location.as_deref(), Some(at.as_str()), "[{b}]");
        let page = shop.get(&at).await;
        assert!(page.body.contains("Return reason"), "[{b}] in words");
        assert!(
            page.body.contains("<option value=\"returned\" selected"),
            "[{b}] kept"
        );
        assert_eq!(left(app, &label).await, "5", "[{b}] nothing yet");
        // Completed: the one returned goes back to the package.
        let r = shop
            .post(
                &format!("{at}/complete"),
                &complete("Customer Refused", true),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}]");
        assert_eq!(left(app, &label).await, "6", "[{b}] the return");
        let page = shop.get(&at).await;
        assert!(page.body.contains("Delivery completed"), "[{b}]");
        assert!(page.body.contains("Customer Refused"), "[{b}]");
        assert!(
            !page.body.contains("id=\"complete-delivery\""),
            "[{b}] done"
        );
        // Voided after a confirmation: both back.
        let other = lic(&format!("/deliveries/sales/{second}"));
        let ask = shop.post(&format!("{other}/void"), &[("csrf", csrf)]).await;
        assert!(ask.body.contains("Yes, void delivery"), "[{b}]");
        assert_eq!(left(app, &label).await, "6", "[{b}] not yet");
        let r = shop
            .post(
                &format!("{other}/void"),
                &[("csrf", csrf), ("confirmed", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}]");
        assert_eq!(left(app, &label).await, "8", "[{b}] voided");
        for path in [format!("{at}/complete"), format!("{other}/void")] {
            journaled(app, &path, csrf).await;
        }
    })
    .await;
}

#[tokio::test]
async fn another_licenses_employee_reaches_no_route_or_delivery() {
    for_each_backend(async |app| {
        let b = app.backend;
        let label = stock(app, 5).await;
        let shop = Browser::sign_in(app, RETAILER).await;
        let r = shop
            .post(
                &lic("/deliveries/routes/new"),
                &route_form(&shop.csrf, "Rosa Web", &[(&label, "2")]),
            )
            .await;
        let at = r.location.expect("the route's page");
        let sale = on_the_road(app, &label, 1).await;
        let delivery = lic(&format!("/deliveries/sales/{sale}"));
        let grower = Browser::sign_in(app, CULTIVATOR).await;
        for path in [
            at.clone(),
            format!("{at}/sale"),
            delivery.clone(),
            lic("/deliveries/routes/new"),
        ] {
            let page = grower.get(&path).await;
            assert!(!page.status.is_success(), "[{b}] {path}: {}", page.status);
            assert!(!page.body.contains(&label), "[{b}] nothing of it shown");
        }
        let id = at.rsplit('/').next().unwrap_or_default();
        let own = grower
            .get(&format!("/ui/l/{CULTIVATOR}/deliveries/routes/{id}"))
            .await;
        assert_eq!(own.status, StatusCode::NOT_FOUND, "[{b}]");
        for (path, form) in [
            (
                format!("{at}/depart"),
                vec![("csrf", grower.csrf.as_str()), ("confirmed", "yes")],
            ),
            (
                format!("{delivery}/void"),
                vec![("csrf", grower.csrf.as_str()), ("confirmed", "yes")],
            ),
        ] {
            let r = grower.post(&path, &form).await;
            assert!(
                !r.status.is_success() && r.status != StatusCode::SEE_OTHER,
                "[{b}] {path}: {}",
                r.status
            );
        }
        assert!(
            shop.get(&at).await.body.contains(">Loading<"),
            "[{b}] not departed"
        );
        assert_eq!(
            left(app, &label).await,
            "2",
            "[{b}] 2 loaded, 1 on the road"
        );
    })
    .await;
}
