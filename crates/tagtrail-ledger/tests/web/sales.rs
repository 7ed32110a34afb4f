//! The retailer's pages: the point-of-sale screen records a sale through the web door (rule 63:
//! the quantity comes out of the package, in its unit), a refused sale comes back with every
//! line as typed and the wrong line named in words, a receipt is finalized (rule 64: not
//! editable until unfinalized), edited with the same form and voided after a confirmation; a
//! finished package's refusal links to the package (bulletin III). Only a retailer has the
//! pages, and another license's employee cannot reach the retailer's receipts.

use crate::browser::Browser;
use crate::helpers::*;
use reqwest::StatusCode;
use rust_decimal::Decimal;
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

/// A one-line sale as the form posts it.
fn sale<'a>(csrf: &'a str, uid: &'a str, qty: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("uid", uid),
        ("qty", qty),
        ("price", "25.00"),
        ("uid", ""),
        ("qty", ""),
        ("price", ""),
        ("customer", "Consumer"),
        ("time", ""),
        ("save", "1"),
    ]
}

#[tokio::test]
async fn the_sales_pages_answer_a_retailer_and_no_other_license() {
    for_each_backend(async |app| {
        let b = app.backend;
        let shop = Browser::sign_in(app, RETAILER).await;
        for (path, shows) in [
            ("/sales", "Sales · "),
            ("/sales?tab=finalized", "aria-current=\"page\">Finalized<"),
            (
                "/sales?tab=voided&from=2026-01-01",
                "aria-current=\"page\">Voided<",
            ),
            ("/sales/new", "id=\"pos\""),
            ("/deliveries", "Delivery routes"),
        ] {
            let page = shop.get(&lic(path)).await;
            assert_eq!(page.status, StatusCode::OK, "[{b}] {path}");
            assert!(page.body.contains(shows), "[{b}] {path} shows {shows}");
            assert!(page.body.contains(">Sales<"), "[{b}] the section");
        }
        // A cultivator sells nothing (rule 63): no section, no pages.
        let grower = Browser::sign_in(app, CULTIVATOR).await;
        let home = grower.get(&format!("/ui/l/{CULTIVATOR}/dashboard")).await;
        assert!(!home.body.contains(">Sales<"), "[{b}]");
        for path in ["/sales", "/sales/new", "/deliveries"] {
            let own = grower.get(&format!("/ui/l/{CULTIVATOR}{path}")).await;
            assert_eq!(own.status, StatusCode::NOT_FOUND, "[{b}] {path}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_sale_is_rung_up_finalized_edited_and_voided_through_the_forms() {
    // Rules 63 and 64.
    for_each_backend(async |app| {
        let b = app.backend;
        let label = stock(app, 10).await;
        let shop = Browser::sign_in(app, RETAILER).await;
        // Without the session's token nothing is recorded.
        let mut forged = sale("", &label, "2");
        forged.remove(0);
        let r = shop.post(&lic("/sales/new"), &forged).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] no token");
        assert_eq!(left(app, &label).await, "10", "[{b}]");
        // Rung up: two taken from the package, the receipt's page next.
        let r = shop
            .post(&lic("/sales/new"), &sale(&shop.csrf, &label, "2"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}]");
        let at = r.location.clone().expect("the receipt's page");
        assert!(at.starts_with(&lic("/sales/")), "[{b}] {at}");
        assert_eq!(left(app, &label).await, "8", "[{b}] rule 63");
        let page = shop.get(&at).await;
        assert!(page.body.contains("Sale recorded (journal entry"), "[{b}]");
        assert!(page.body.contains(&label), "[{b}] its line");
        assert!(page.body.contains("href=\"/ui/l/"), "[{b}]");
        assert!(page.body.contains(">Finalize<"), "[{b}]");
        // Finalized: read-only until unfinalized (rule 64).
        let r = shop
            .post(&format!("{at}/finalize"), &[("csrf", &shop.csrf)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}]");
        let page = shop.get(&at).await;
        assert!(page.body.contains(">Unfinalize<"), "[{b}]");
        assert!(
            !page.body.contains(&format!("href=\"{at}/edit\"")),
            "[{b}] no edit"
        );
        let edit = shop.get(&format!("{at}/edit")).await;
        assert_eq!(edit.status, StatusCode::CONFLICT, "[{b}] rule 64");
        let finalized = shop.get(&lic("/sales?tab=finalized")).await;
        assert!(finalized.body.contains(&format!("href=\"{at}\"")), "[{b}]");
        let r = shop
            .post(&format!("{at}/unfinalize"), &[("csrf", &shop.csrf)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}]");
        // Edited with the same form: three instead of two.
        let edit = shop.get(&format!("{at}/edit")).await;
        assert_eq!(edit.status, StatusCode::OK, "[{b}]");
        assert!(
            edit.body.contains(&format!("value=\"{label}\"")),
            "[{b}] its line"
        );
        let r = shop
            .post(&format!("{at}/edit"), &sale(&shop.csrf, &label, "3"))
            .await;
        assert_eq!(r.location.as_deref(), Some(at.as_str()), "[{b}]");
        assert_eq!(left(app, &label).await, "7", "[{b}]");
        // A void asks first, then gives the quantity back.
        let ask = shop
            .post(&format!("{at}/void"), &[("csrf", &shop.csrf)])
            .await;
        assert_eq!(ask.status, StatusCode::OK, "[{b}]");
        assert!(ask.body.contains("Yes, void"), "[{b}] asks first");
        assert_eq!(left(app, &label).await, "7", "[{b}] nothing voided yet");
        let r = shop
            .post(
                &format!("{at}/void"),
                &[("csrf", &shop.csrf), ("confirmed", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}]");
        assert_eq!(left(app, &label).await, "10", "[{b}] back in the package");
        let voided = shop.get(&lic("/sales?tab=voided")).await;
        assert!(voided.body.contains(&format!("href=\"{at}\"")), "[{b}]");
    })
    .await;
}

#[tokio::test]
async fn a_refused_sale_keeps_every_line_and_names_the_wrong_one_in_words() {
    for_each_backend(async |app| {
        let b = app.backend;
        let first = stock(app, 5).await;
        let second = stock(app, 1).await;
        let shop = Browser::sign_in(app, RETAILER).await;
        let form = [
            ("csrf", shop.csrf.as_str()),
            ("uid", first.as_str()),
            ("qty", "2"),
            ("price", "20"),
            ("uid", second.as_str()),
            ("qty", "4"),
            ("price", "30"),
            ("customer", "Consumer"),
            ("time", ""),
            ("save", "1"),
        ];
        let r = shop.post(&lic("/sales/new"), &form).await;
        assert_eq!(
            r.location.as_deref(),
            Some(lic("/sales/new").as_str()),
            "[{b}]"
        );
        assert_eq!(left(app, &first).await, "5", "[{b}] nothing taken");
        let page = shop.get(&lic("/sales/new")).await;
        for typed in [&first, &second] {
            assert!(
                page.body.contains(&format!("value=\"{typed}\"")),
                "[{b}] kept"
            );
        }
        assert!(page.body.contains("value=\"30\""), "[{b}] the price kept");
        assert!(
            page.body.contains("Line 2: Package"),
            "[{b}] the line named"
        );
        assert!(
            !page.body.contains("Line 1:"),
            "[{b}] the good line is not blamed"
        );
        assert!(!page.body.contains("TotalAmount"), "[{b}] no API names");
        // "Add a line" (a scanner's Enter) records nothing and shows the package beside it.
        let more = [
            ("csrf", shop.csrf.as_str()),
            ("uid", first.as_str()),
            ("qty", ""),
            ("price", ""),
            ("customer", "Consumer"),
            ("time", ""),
        ];
        let r = shop.post(&lic("/sales/new"), &more).await;
        assert_eq!(r.status, StatusCode::OK, "[{b}]");
        assert!(r.body.contains("Mango Gummies"), "[{b}] the package's item");
        assert!(
            r.body.contains("id=\"line-2\""),
            "[{b}] a blank line to scan into"
        );
        assert_eq!(left(app, &first).await, "5", "[{b}]");
        // Bulletin III: a finished package is unfinished first; the refusal links to it.
        let p = app
            .get(RETAILER, &format!("/packages/v2/{second}"))
            .send()
            .await
            .ok()
            .json();
        let id = int_field(&p, "Id");
        // Sold out, then finished: a package is finished once it is empty.
        let r = shop
            .post(&lic("/sales/new"), &sale(&shop.csrf, &second, "1"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}]");
        app.put(
            RETAILER,
            "/packages/v2/finish",
            serde_json::json!([{"Label": second}]),
        )
        .send()
        .await
        .ok();
        let r = shop
            .post(&lic("/sales/new"), &sale(&shop.csrf, &second, "1"))
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some(lic("/sales/new").as_str()),
            "[{b}]"
        );
        let page = shop.get(&lic("/sales/new")).await;
        assert!(page.body.contains("must be unfinished"), "[{b}]");
        assert!(
            page.body
                .contains(&format!("href=\"/ui/l/{RETAILER}/packages/{id}\"")),
            "[{b}] linked to the package"
        );
    })
    .await;
}

#[tokio::test]
async fn another_licenses_employee_cannot_reach_the_retailers_receipts() {
    for_each_backend(async |app| {
        let b = app.backend;
        let label = stock(app, 4).await;
        let shop = Browser::sign_in(app, RETAILER).await;
        let r = shop
            .post(&lic("/sales/new"), &sale(&shop.csrf, &label, "1"))
            .await;
        let at = r.location.expect("the receipt's page");
        let grower = Browser::sign_in(app, CULTIVATOR).await;
        let page = grower.get(&at).await;
        assert!(!page.status.is_success(), "[{b}] {}", page.status);
        assert!(!page.body.contains(&label), "[{b}] nothing of it shown");
        // Nor through the grower's own license's address.
        let id = at.rsplit('/').next().unwrap_or_default();
        let own = grower.get(&format!("/ui/l/{CULTIVATOR}/sales/{id}")).await;
        assert_eq!(own.status, StatusCode::NOT_FOUND, "[{b}]");
        let r = grower
            .post(&format!("{at}/finalize"), &[("csrf", &grower.csrf)])
            .await;
        assert!(
            !r.status.is_success() && r.status != StatusCode::SEE_OTHER,
            "[{b}] {}",
            r.status
        );
        let page = shop.get(&at).await;
        assert!(page.body.contains(">Finalize<"), "[{b}] still active");
    })
    .await;
}
