//! Paging (rule 68) and `lastModified` windows (rule 67).

use crate::helpers::*;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, false)
}

fn last_modified(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&str_field(v, "LastModified"))
        .expect("LastModified is RFC 3339")
        .with_timezone(&Utc)
}

/// Rule 68: `pageSize` above 20 is refused (400), not capped; 0 and junk too.
#[tokio::test]
async fn rule_68_page_size_21_is_400() {
    for_each_backend(async |app| {
        for path in [
            "/items/v2/active",
            "/items/v2/inactive",
            "/strains/v2/active",
            "/locations/v2/active",
            "/sublocations/v2/active",
            "/employees/v2",
            "/items/v2/categories",
            "/locations/v2/types",
            "/tagtrail/v1/tags/orders",
            "/tagtrail/v1/journal",
        ] {
            let r = app
                .get(CULTIVATOR, path)
                .query("pageSize", "21")
                .send()
                .await
                .status(400);
            assert!(r.message().contains("20"), "{}: {}", r.what, r.body);
            app.get(CULTIVATOR, path)
                .query("pageSize", "20")
                .send()
                .await
                .ok();
        }
        for bad in [("pageSize", "0"), ("pageSize", "ten"), ("pageSize", "-1")] {
            app.get(CULTIVATOR, "/items/v2/active")
                .query(bad.0, bad.1)
                .send()
                .await
                .status(400)
                .message();
        }
        app.get(CULTIVATOR, "/items/v2/active")
            .query("pageSize", "1")
            .query("pageNumber", "0")
            .send()
            .await
            .status(400)
            .message();
        let r = app
            .get(CULTIVATOR, "/items/v2/active")
            .query("pageNumber", "2")
            .send()
            .await
            .status(400);
        assert!(r.message().contains("pageSize"), "{}", r.body);
    })
    .await;
}

/// The envelope (`metrc-v2-api.md` §5) for pageSize 1, pages 1 and 2, past the end, and unpaged.
#[tokio::test]
async fn paging_envelope_fields() {
    for_each_backend(async |app| {
        const FIELDS: [&str; 8] = [
            "Data",
            "Total",
            "TotalRecords",
            "PageSize",
            "RecordsOnPage",
            "Page",
            "CurrentPage",
            "TotalPages",
        ];
        let envelope =
            |v: &Value| -> [i64; 7] { [1, 2, 3, 4, 5, 6, 7].map(|i| int_field(v, FIELDS[i])) };
        // The demo cultivator's items, however many the demo seeds (at least three).
        let n = app.list(CULTIVATOR, "/items/v2/active").await.len() as i64;
        assert!(n >= 3, "{n} items");
        let page = async |number: i64| {
            app.get(CULTIVATOR, "/items/v2/active")
                .query("pageSize", "1")
                .query("pageNumber", &number.to_string())
                .send()
                .await
                .ok()
                .json()
        };
        let p1 = app
            .get(CULTIVATOR, "/items/v2/active")
            .query("pageSize", "1")
            .query("pageNumber", "1")
            .send()
            .await
            .ok()
            .json();
        let keys: Vec<&str> = p1
            .as_object()
            .expect("an envelope")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), FIELDS.len());
        assert!(FIELDS.iter().all(|f| keys.contains(f)), "{keys:?}");
        // Total, TotalRecords, PageSize, RecordsOnPage, Page, CurrentPage, TotalPages.
        assert_eq!(envelope(&p1), [n, n, 1, 1, 1, 1, n]);
        assert_eq!(p1["Data"].as_array().map(Vec::len), Some(1));
        let p2 = app
            .get(CULTIVATOR, "/items/v2/active")
            .query("pageSize", "1")
            .query("pageNumber", "2")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(envelope(&p2), [n, n, 1, 1, 2, 2, n]);
        assert_eq!(p2["Data"].as_array().map(Vec::len), Some(1));
        assert_ne!(
            int_field(&p1["Data"][0], "Id"),
            int_field(&p2["Data"][0], "Id")
        );
        // pageNumber defaults to 1.
        let p1_again = app
            .get(CULTIVATOR, "/items/v2/active")
            .query("pageSize", "1")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(p1_again, p1);
        // Page n is the last; page n + 1 is empty.
        let past = page(n + 1).await;
        assert_eq!(envelope(&past), [n, n, 1, 0, n + 1, n + 1, n]);
        assert_eq!(past["Data"], json!([]));
        // The n pages together are the unpaged list.
        let mut pages = vec![p1["Data"][0].clone(), p2["Data"][0].clone()];
        for number in 3..=n {
            pages.push(page(number).await["Data"][0].clone());
        }
        let all = app
            .get(CULTIVATOR, "/items/v2/active")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(all["Data"], json!(pages));
        assert_eq!(int_field(&all, "Total"), n);
        assert_eq!(int_field(&all, "RecordsOnPage"), n);
        assert_eq!(int_field(&all, "TotalPages"), 1);
        // pageSize 2: the second page holds the third record and the fourth if there is one.
        let q2 = app
            .get(CULTIVATOR, "/items/v2/active")
            .query("pageSize", "2")
            .query("pageNumber", "2")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(envelope(&q2), [n, n, 2, (n - 2).min(2), 2, 2, (n + 1) / 2]);
        // Paging applies within the license: the manufacturer's page holds none of these items.
        let m = app
            .get(MANUFACTURER, "/items/v2/active")
            .query("pageSize", "20")
            .send()
            .await
            .ok()
            .json();
        assert!(
            m["Data"]
                .as_array()
                .expect("Data")
                .iter()
                .all(|i| p1["Data"][0]["Id"] != i["Id"])
        );
    })
    .await;
}

/// Rule 67: a `lastModifiedStart`..`lastModifiedEnd` window longer than 24 hours → 400.
#[tokio::test]
async fn rule_67_window_over_24h_is_400() {
    for_each_backend(async |app| {
        let now = Utc::now();
        for path in [
            "/items/v2/active",
            "/strains/v2/active",
            "/locations/v2/active",
            "/sublocations/v2/active",
        ] {
            let r = app
                .get(CULTIVATOR, path)
                .query("lastModifiedStart", &iso(now - Duration::hours(25)))
                .query("lastModifiedEnd", &iso(now))
                .send()
                .await
                .status(400);
            assert!(r.message().contains("24"), "{}: {}", r.what, r.body);
            // Without an end the window runs to now, so it is too long as well.
            app.get(CULTIVATOR, path)
                .query("lastModifiedStart", &iso(now - Duration::hours(25)))
                .send()
                .await
                .status(400)
                .message();
            app.get(CULTIVATOR, path)
                .query("lastModifiedStart", &iso(now - Duration::hours(24)))
                .query("lastModifiedEnd", &iso(now))
                .send()
                .await
                .ok();
        }
        let p = "/items/v2/active";
        // An end without a start, an end before the start, and text that is not a date-time.
        app.get(CULTIVATOR, p)
            .query("lastModifiedEnd", &iso(now))
            .send()
            .await
            .status(400)
            .message();
        app.get(CULTIVATOR, p)
            .query("lastModifiedStart", &iso(now))
            .query("lastModifiedEnd", &iso(now - Duration::hours(1)))
            .send()
            .await
            .status(400)
            .message();
        app.get(CULTIVATOR, p)
            .query("lastModifiedStart", "yesterday")
            .send()
            .await
            .status(400)
            .message();
        // Other accepted shapes: `Z`, and a date alone.
        let day = now.format("%Y-%m-%d").to_string();
        app.get(CULTIVATOR, p)
            .query("lastModifiedStart", &format!("{day}T00:00:00Z"))
            .send()
            .await
            .ok();
        app.get(CULTIVATOR, p)
            .query("lastModifiedStart", &day)
            .query("lastModifiedEnd", &format!("{day}T23:59:59Z"))
            .send()
            .await
            .ok();
    })
    .await;
}

/// Windows filter on `LastModified`: a record written after the seed is found by a window that
/// starts after the seed, and not by one that ends before it was written.
#[tokio::test]
async fn last_modified_window_filters() {
    for_each_backend(async |app| {
        let seeded = app.list(CULTIVATOR, "/strains/v2/active").await;
        let seed_max = seeded
            .iter()
            .map(last_modified)
            .max()
            .expect("seeded strains");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let id = ids(&app
            .post(CULTIVATOR, "/strains/v2", json!([{"Name": "Late Bloomer"}]))
            .send()
            .await
            .ok())[0];
        let late = app
            .get(CULTIVATOR, &format!("/strains/v2/{id}"))
            .send()
            .await
            .ok()
            .json();
        let written = last_modified(&late);
        assert!(written > seed_max);

        // From just after the seed (offset sent as `%2B00:00`): only the new strain.
        let after_seed = app
            .get(CULTIVATOR, "/strains/v2/active")
            .query(
                "lastModifiedStart",
                &iso(seed_max + Duration::microseconds(1)),
            )
            .query("lastModifiedEnd", &iso(Utc::now() + Duration::minutes(1)))
            .send()
            .await
            .ok()
            .json();
        let found: Vec<i64> = after_seed["Data"]
            .as_array()
            .expect("Data")
            .iter()
            .map(|s| int_field(s, "Id"))
            .collect();
        assert_eq!(found, vec![id]);
        assert_eq!(int_field(&after_seed, "Total"), 1);
        // The same instant written with a -07:00 offset (Pacific) selects the same records.
        let pacific = chrono::FixedOffset::west_opt(7 * 3600).expect("a valid offset");
        let start = (seed_max + Duration::microseconds(1))
            .with_timezone(&pacific)
            .to_rfc3339_opts(SecondsFormat::Micros, false);
        assert!(start.ends_with("-07:00"), "{start}");
        let shifted = app
            .get(CULTIVATOR, "/strains/v2/active")
            .query("lastModifiedStart", &start)
            .send()
            .await
            .ok()
            .json();
        assert_eq!(shifted["Data"], after_seed["Data"]);
        // Up to the seed: the three seeded strains, not the new one.
        let up_to_seed = app
            .get(CULTIVATOR, "/strains/v2/active")
            .query("lastModifiedStart", &iso(seed_max - Duration::hours(1)))
            .query("lastModifiedEnd", &iso(seed_max))
            .send()
            .await
            .ok()
            .json();
        assert_eq!(up_to_seed["Data"], Value::Array(seeded.clone()));
        // Bounds are inclusive.
        let exact = app
            .get(CULTIVATOR, "/strains/v2/active")
            .query("lastModifiedStart", &iso(written))
            .query("lastModifiedEnd", &iso(written))
            .send()
            .await
            .ok()
            .json();
        assert_eq!(int_field(&exact, "Total"), 1);
        // A window in the past finds nothing.
        let past = app
            .get(CULTIVATOR, "/strains/v2/active")
            .query("lastModifiedStart", "2020-01-01T00:00:00Z")
            .query("lastModifiedEnd", "2020-01-01T12:00:00Z")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(int_field(&past, "Total"), 0);
        // An update moves a record into a later window.
        let vault = app
            .list(CULTIVATOR, "/locations/v2/active")
            .await
            .into_iter()
            .find(|l| l["Name"] == "Vault")
            .expect("demo location");
        let cutoff = Utc::now();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        app.put(
            CULTIVATOR,
            "/locations/v2",
            json!([{"Id": vault["Id"], "Name": "Vault", "LocationTypeName": "Quarantine"}]),
        )
        .send()
        .await
        .ok();
        let moved = app
            .get(CULTIVATOR, "/locations/v2/active")
            .query("lastModifiedStart", &iso(cutoff))
            .send()
            .await
            .ok()
            .json();
        let names: Vec<String> = moved["Data"]
            .as_array()
            .expect("Data")
            .iter()
            .map(|l| str_field(l, "Name"))
            .collect();
        assert_eq!(names, vec!["Vault"]);
        // Windows work with paging.
        let paged = app
            .get(CULTIVATOR, "/strains/v2/active")
            .query("lastModifiedStart", &iso(seed_max - Duration::hours(1)))
            .query("pageSize", "2")
            .query("pageNumber", "2")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(
            (
                int_field(&paged, "Total"),
                int_field(&paged, "RecordsOnPage"),
                int_field(&paged, "TotalPages")
            ),
            (4, 2, 2)
        );
    })
    .await;
}
