//! The Sales receipts import over the API (rule 73 for rule 63's sales, bulletin III): rows are
//! grouped into receipts by `ExternalReceiptNumber`, every receipt goes through the same
//! `RecordReceipts` decision as `POST /sales/v2/receipts`, a bad line is named and nothing is
//! applied, and a good file is previewed and applied all or nothing, journaled with door
//! `import`. Also a 2,000-row file, to show it scales.

use crate::helpers::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tagtrail_domain::commands::packages::NewPackage;

const HEADER: &str = "ExternalReceiptNumber,SalesDateTime,SalesCustomerType,PatientLicenseNumber,PackageLabel,Quantity,UnitOfMeasure,TotalAmount";

/// A new package of `quantity` Each of the retailer's gummies, tested; its label.
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

async fn left(app: &TestApp, label: &str) -> Decimal {
    let p = app
        .get(RETAILER, &format!("/packages/v2/{label}"))
        .send()
        .await
        .ok()
        .json();
    decimal(&p, "Quantity").parse().expect("a decimal")
}

/// A few minutes ago, as a point-of-sale export writes it.
fn just_now() -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(5))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn row(receipt: &str, customer: &str, label: &str, qty: i64, amount: &str) -> String {
    let patient = if customer == "Patient" { "PAT-1" } else { "" };
    format!(
        "{receipt},{},{customer},{patient},{label},{qty},Each,{amount}",
        just_now()
    )
}

async fn upload(app: &TestApp, csv: &str) -> Resp {
    app.post(RETAILER, "/tagtrail/v1/imports", json!(null))
        .query("type", "sales-receipts")
        .query("fileName", "pos-export.csv")
        .raw_body(csv)
        .send()
        .await
}

fn id_of(r: &Resp) -> i64 {
    let loc = r
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{}: no Location: {}", r.what, r.body));
    loc.rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{}: Location {loc}", r.what))
}

/// The upload `id` once its run has ended.
async fn settled(app: &TestApp, id: i64) -> Value {
    let until = Instant::now() + Duration::from_secs(600);
    loop {
        let v = app
            .get(RETAILER, &format!("/tagtrail/v1/imports/{id}"))
            .send()
            .await
            .ok()
            .json();
        let status = str_field(&v, "Status");
        if status != "validating" && status != "applying" {
            return v;
        }
        assert!(Instant::now() < until, "import {id} still {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The file's line errors, whether the upload answered 400 at once or 202 and failed later.
async fn refused(app: &TestApp, csv: &str) -> Vec<String> {
    let r = upload(app, csv).await;
    match r.status {
        400 => r.rows().into_iter().map(|(_, m)| m).collect(),
        202 => {
            let v = settled(app, id_of(&r)).await;
            assert_eq!(str_field(&v, "Status"), "failed", "{v}");
            v["Errors"]
                .as_array()
                .expect("errors")
                .iter()
                .map(|e| e.as_str().unwrap_or_default().to_string())
                .collect()
        }
        s => panic!("{}: {s} {}", r.what, r.body),
    }
}

/// Uploads a file that passes its check, applies it, and returns the applied upload.
async fn applied(app: &TestApp, csv: &str) -> Value {
    let r = upload(app, csv).await;
    assert!([200, 202].contains(&r.status), "{}: {}", r.what, r.body);
    let id = id_of(&r);
    let v = settled(app, id).await;
    assert_eq!(str_field(&v, "Status"), "ready", "{v}");
    let a = app
        .post(
            RETAILER,
            &format!("/tagtrail/v1/imports/{id}/apply"),
            json!(null),
        )
        .send()
        .await;
    assert!([200, 202].contains(&a.status), "{}: {}", a.what, a.body);
    let v = settled(app, id).await;
    assert_eq!(str_field(&v, "Status"), "applied", "{v}");
    v
}

async fn receipts(app: &TestApp) -> usize {
    app.list(RETAILER, "/sales/v2/receipts/active").await.len()
}

#[tokio::test]
async fn rules_63_73_a_bad_sale_line_is_named_and_nothing_is_applied_then_the_good_file_applies() {
    for_each_backend(async |app| {
        let a = stock(app, 6).await;
        let b = stock(app, 10).await;
        // Bulletin III: a package emptied by a sale and finished.
        let done = stock(app, 1).await;
        app.post(
            RETAILER,
            "/sales/v2/receipts",
            json!([{"SalesDateTime": just_now(), "SalesCustomerType": "Consumer",
                    "Transactions": [{"PackageLabel": done, "Quantity": 1, "UnitOfMeasure": "Each", "TotalAmount": 18}]}]),
        )
        .send()
        .await
        .ok();
        app.put(
            RETAILER,
            "/packages/v2/finish",
            json!([{"Label": done, "ActualDate": chrono::Utc::now().format("%Y-%m-%d").to_string()}]),
        )
        .send()
        .await
        .ok();
        let before_receipts = receipts(app).await;
        let before_journal = app.journal(RETAILER).await.len();

        // Rule 63: two rows of two receipts take 4 + 4 of package A, which holds 6; and a
        // line of the finished package.
        let bad = [
            HEADER.to_string(),
            row("POS-1", "Consumer", &a, 4, "72.00"),
            row("POS-1", "Consumer", &b, 1, "18.00"),
            row("POS-2", "Patient", &a, 4, "60.00"),
            row("POS-3", "Consumer", &done, 1, "18.00"),
        ]
        .join("\n");
        let errors = refused(app, &bad).await;
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("Line 4: ") && e.contains(&a)),
            "the over-quantity line, the API's own message: {errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("Line 5: ") && e.contains("must be unfinished")),
            "bulletin III's message at its line: {errors:?}"
        );
        assert_eq!(receipts(app).await, before_receipts, "nothing applied");
        assert_eq!(app.journal(RETAILER).await.len(), before_journal);
        assert_eq!(left(app, &a).await, Decimal::from(6));
        assert_eq!(left(app, &b).await, Decimal::from(10));

        // Rows of one receipt must agree on the receipt's columns.
        let split = [
            HEADER.to_string(),
            row("POS-9", "Consumer", &a, 1, "18.00"),
            row("POS-9", "Patient", &b, 1, "18.00"),
        ]
        .join("\n");
        let errors = refused(app, &split).await;
        assert!(
            errors[0].starts_with("Line 3: ") && errors[0].contains("SalesCustomerType"),
            "{errors:?}"
        );

        // The good file: three receipts, one of two lines on the same package (summed).
        let good = [
            HEADER.to_string(),
            row("POS-1", "Consumer", &a, 2, "36.00"),
            row("POS-2", "Patient", &a, 3, "45.00"),
            row("POS-1", "Consumer", &b, 1, "18.00"),
            row("POS-3", "Consumer", &b, 2, "30.00"),
            row("POS-3", "Consumer", &b, 2, "30.00"),
        ]
        .join("\r\n");
        let r = upload(app, &good).await;
        let id = id_of(&r);
        let ready = settled(app, id).await;
        assert_eq!(str_field(&ready, "Status"), "ready", "{ready}");
        assert_eq!(ready["Preview"]["Rows"], json!(5), "{ready}");
        let text = ready["Preview"].to_string();
        assert!(text.contains("3 receipt(s) of 5 line(s)"), "{text}");
        assert!(text.contains(&format!("Package {a}: 5 Each sold in 2 line(s) of 2 receipt(s)")), "{text}");
        assert!(text.contains("Patient: 1 receipt(s), 1 line(s), 45"), "{text}");
        let before_journal = app.journal(RETAILER).await.len();
        let a_ = app
            .post(RETAILER, &format!("/tagtrail/v1/imports/{id}/apply"), json!(null))
            .send()
            .await;
        assert!([200, 202].contains(&a_.status), "{}", a_.body);
        assert_eq!(str_field(&settled(app, id).await, "Status"), "applied");
        assert_eq!(receipts(app).await, before_receipts + 3);
        assert_eq!(left(app, &a).await, Decimal::from(1));
        assert_eq!(left(app, &b).await, Decimal::from(5));
        let journal = app.journal(RETAILER).await;
        assert_eq!(journal.len(), before_journal + 1, "three receipts: one group");
        assert_eq!(str_field(&journal[0], "Door"), "import", "{}", journal[0]);
        let list = app.list(RETAILER, "/sales/v2/receipts/active").await;
        let pos1 = list
            .iter()
            .find(|r| r["ExternalReceiptNumber"] == json!("POS-1"))
            .expect("receipt POS-1");
        assert_eq!(pos1["Transactions"].as_array().map(Vec::len), Some(2), "{pos1}");
    })
    .await;
}

#[tokio::test]
async fn rule_73_a_2000_row_sales_file_applies_in_groups_of_ten_receipts() {
    for_each_backend(async |app| {
        let labels = [stock(app, 5000).await, stock(app, 5000).await];
        let before = receipts(app).await;
        let before_journal = app.journal(RETAILER).await.len();
        // 1,000 receipts of two lines each.
        let mut lines = vec![HEADER.to_string()];
        for n in 0..1000 {
            for label in &labels {
                lines.push(row(&format!("BULK-{n:05}"), "Consumer", label, 2, "36.00"));
            }
        }
        let started = Instant::now();
        let v = applied(app, &lines.join("\n")).await;
        assert_eq!(int_field(&v, "Rows"), 2000, "{v}");
        eprintln!(
            "2,000 sales rows checked and applied in {:?}",
            started.elapsed()
        );
        for label in &labels {
            assert_eq!(left(app, label).await, Decimal::from(3000));
        }
        assert_eq!(
            app.journal(RETAILER).await.len(),
            before_journal + 100,
            "one entry per ten receipts"
        );
        let total = app
            .get(RETAILER, "/sales/v2/receipts/active")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(int_field(&total, "Total") as usize, before + 1000);
    })
    .await;
}
