//! `GET /tagtrail/v1/changes`: a license's change feed, read over real HTTP on both backends.
//! The cursor neither skips nor repeats (also across a restart), each item is the record as its
//! change left it and as the matching `GET` shows it, the feed shows only the license's records
//! of the types the caller may read, and after 10,000 concurrent writes it agrees with the
//! journal. `audit verify` rebuilds the feed and notices a row the journal does not explain.

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashSet};

/// Every record type the feed may name: never users, keys, employments or facilities.
const TYPES: &[&str] = &[
    "Package",
    "PackageAdjustment",
    "Item",
    "ItemBrand",
    "Strain",
    "Location",
    "Sublocation",
    "Tag",
    "Harvest",
    "PlantBatch",
    "Plant",
    "Transfer",
    "Driver",
    "Vehicle",
    "SalesReceipt",
    "SalesDelivery",
    "RetailerDelivery",
];

/// One page of `license`'s feed after `after` (none: the start), as `call` is authenticated.
async fn page(call: Call<'_>, after: Option<&str>, size: u32) -> (Vec<Value>, String) {
    let mut call = call.query("pageSize", &size.to_string());
    if let Some(a) = after {
        call = call.query("after", a);
    }
    let body = call.send().await.ok().json();
    let data = body["Data"].as_array().expect("a Data array").clone();
    let next = body["Next"].as_str().expect("a Next cursor").to_string();
    (data, next)
}

/// The feed from `after` to its end, as the license's own employee, and the last `Next`.
async fn read_to_end(
    app: &TestApp,
    license: &str,
    after: Option<&str>,
    size: u32,
) -> (Vec<Value>, String) {
    let mut out = Vec::new();
    let mut cursor = after.map(str::to_string);
    loop {
        let call = app.get(license, "/tagtrail/v1/changes");
        let (data, next) = page(call, cursor.as_deref(), size).await;
        out.extend(data);
        if Some(&next) == cursor.as_ref() || (cursor.is_none() && next == "0") {
            return (out, next);
        }
        cursor = Some(next);
    }
}

/// A cursor as its (seq, ordinal), for order comparisons.
fn position(c: &str) -> (i64, i64) {
    let (s, o) = c.split_once('.').expect("an item cursor is SEQ.ORDINAL");
    (s.parse().expect("seq"), o.parse().expect("ordinal"))
}

#[tokio::test]
async fn paging_never_skips_or_repeats_and_the_cursor_survives_a_restart() {
    for backend in backends() {
        let mut app = TestApp::start(&backend, test_config()).await;
        let (all, end) = read_to_end(&app, CULTIVATOR, None, 500).await;
        assert!(all.len() > 20, "the demo changed the cultivator's records");
        let cursors: Vec<String> = all.iter().map(|i| str_field(i, "Cursor")).collect();
        for w in cursors.windows(2) {
            assert!(
                position(&w[0]) < position(&w[1]),
                "feed order: {} then {}",
                w[0],
                w[1]
            );
        }
        // Small pages, which split entries, give exactly the same items.
        let (small, small_end) = read_to_end(&app, CULTIVATOR, None, 7).await;
        assert_eq!(small, all, "pages of 7 give the items pages of 500 give");
        assert_eq!(small_end, end);
        // An empty page returns the cursor it was given.
        let (empty, same) = page(app.get(CULTIVATOR, "/tagtrail/v1/changes"), Some(&end), 50).await;
        assert!(empty.is_empty());
        assert_eq!(same, end);

        // Across a restart: the same cursor continues at the same place.
        let middle = cursors[cursors.len() / 2].clone();
        let (tail_before, _) = read_to_end(&app, CULTIVATOR, Some(&middle), 3).await;
        app.restart().await;
        let (tail_after, end_after) = read_to_end(&app, CULTIVATOR, Some(&middle), 3).await;
        assert_eq!(tail_after, tail_before, "[{}] after a restart", app.backend);
        assert_eq!(end_after, end);
        assert_eq!(tail_after, all[cursors.len() / 2 + 1..].to_vec());

        // A write after the restart is the next item, once.
        let id = ids(&app
            .post(
                CULTIVATOR,
                "/strains/v2",
                json!([{"Name": "Feed After Restart"}]),
            )
            .send()
            .await
            .ok())[0];
        let (new, next) = read_to_end(&app, CULTIVATOR, Some(&end), 2).await;
        assert_eq!(new.len(), 1, "{new:?}");
        assert_eq!(str_field(&new[0], "ObjectType"), "Strain");
        assert_eq!(str_field(&new[0], "Verb"), "Created");
        assert_eq!(int_field(&new[0], "Id"), id);
        assert!(position(&next) > position(&cursors[cursors.len() - 1]));
        // A journal sequence number is a cursor too: after that whole entry.
        let seq = int_field(&new[0], "Seq");
        let (none, _) = read_to_end(&app, CULTIVATOR, Some(&seq.to_string()), 5).await;
        assert!(none.is_empty(), "{none:?}");
        let (one, _) = read_to_end(&app, CULTIVATOR, Some(&(seq - 1).to_string()), 5).await;
        assert_eq!(one, new);
        app.finish().await;
    }
}

#[tokio::test]
async fn each_item_is_the_record_as_that_change_left_it() {
    for_each_backend(async |app| {
        let (_, start) = read_to_end(app, CULTIVATOR, None, 500).await;
        let id = ids(&app
            .post(
                CULTIVATOR,
                "/strains/v2",
                json!([{"Name": "Feed Kush", "ThcLevel": 0.2}]),
            )
            .send()
            .await
            .ok())[0];
        app.put(
            CULTIVATOR,
            "/strains/v2",
            json!([{"Id": id, "Name": "Feed Kush Renamed", "ThcLevel": 0.25}]),
        )
        .send()
        .await
        .ok();
        let after_update = app
            .get(CULTIVATOR, &format!("/strains/v2/{id}"))
            .send()
            .await
            .ok()
            .json();
        app.delete(CULTIVATOR, &format!("/strains/v2/{id}"))
            .send()
            .await
            .ok();
        let now = app
            .get(CULTIVATOR, &format!("/strains/v2/{id}"))
            .send()
            .await
            .ok()
            .json();

        let (items, _) = read_to_end(app, CULTIVATOR, Some(&start), 500).await;
        let verbs: Vec<String> = items.iter().map(|i| str_field(i, "Verb")).collect();
        assert_eq!(verbs, ["Created", "Updated", "Updated"], "{items:?}");
        for i in &items {
            assert_eq!(str_field(i, "ObjectType"), "Strain");
            assert_eq!(int_field(i, "Id"), id);
            assert_eq!(str_field(i, "LicenseNumber"), CULTIVATOR);
            assert_pascal_case(&i["Record"], "feed record");
        }
        // Each as that change left it, not as it is now.
        assert_eq!(str_field(&items[0]["Record"], "Name"), "Feed Kush");
        assert_eq!(
            items[1]["Record"], after_update,
            "the update's after-image, as GET showed it"
        );
        assert_eq!(
            items[2]["Record"], now,
            "the archive's after-image is the GET of today"
        );
        // Byte for byte what GET gives: same keys in the same order.
        assert_eq!(
            serde_json::to_string(&items[2]["Record"]).unwrap(),
            serde_json::to_string(&now).unwrap()
        );

        // A package in the feed is what GET /packages/v2/{id} gives for the same state: the
        // last feed item of each package the cultivator still holds is its current record. (A
        // package received by another license is in that license's feed from then on.)
        let (all, _) = read_to_end(app, CULTIVATOR, None, 500).await;
        let mut last = std::collections::HashMap::new();
        for i in all
            .iter()
            .filter(|i| str_field(i, "ObjectType") == "Package")
        {
            last.insert(int_field(i, "Id"), i["Record"].clone());
        }
        let held = app.list(CULTIVATOR, "/packages/v2/active").await;
        assert!(!held.is_empty(), "the demo cultivator has packages");
        for p in held.iter().take(8) {
            let pid = int_field(p, "Id");
            let got = app
                .get(CULTIVATOR, &format!("/packages/v2/{pid}"))
                .send()
                .await
                .ok()
                .json();
            let record = last
                .get(&pid)
                .expect("every package is in its owner's feed");
            assert_eq!(
                serde_json::to_string(record).unwrap(),
                serde_json::to_string(&got).unwrap(),
                "package {pid}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn the_feed_shows_only_the_license_and_what_the_caller_may_read() {
    for_each_backend(async |app| {
        let (_, start) = read_to_end(app, CULTIVATOR, None, 500).await;
        // Another license's write is not in the cultivator's feed.
        app.post(DISTRIBUTOR, "/strains/v2", json!([{"Name": "Not Yours"}]))
            .send()
            .await
            .ok();
        let (none, next) = read_to_end(app, CULTIVATOR, Some(&start), 50).await;
        assert!(none.is_empty(), "{none:?}");
        assert_eq!(next, start);

        for license in [CULTIVATOR, DISTRIBUTOR, LAB, RETAILER, MANUFACTURER] {
            let (all, _) = read_to_end(app, license, None, 500).await;
            for i in &all {
                assert_eq!(str_field(i, "LicenseNumber"), license, "{i}");
                let t = str_field(i, "ObjectType");
                assert!(TYPES.contains(&t.as_str()), "{license}: {t} in the feed");
                let text = i["Record"].to_string();
                assert!(
                    !text.contains("KeyHash") && !text.contains("PasswordHash"),
                    "{text}"
                );
            }
        }

        // The distributor's clerk holds Manage Tags and no package, item or transfer permission:
        // its feed is the distributor's tags and nothing else.
        let (everything, end) = read_to_end(app, DISTRIBUTOR, None, 500).await;
        let kinds: BTreeSet<String> = everything
            .iter()
            .map(|i| str_field(i, "ObjectType"))
            .collect();
        assert!(kinds.contains("Package"), "{kinds:?}");
        let mut cursor: Option<String> = None;
        let mut seen = Vec::new();
        loop {
            let call = app
                .call(reqwest::Method::GET, "/tagtrail/v1/changes")
                .keys(&app.creds.vendor_key, app.clerk_key())
                .license(DISTRIBUTOR);
            let (data, next) = page(call, cursor.as_deref(), 20).await;
            seen.extend(data);
            if Some(&next) == cursor.as_ref() {
                break;
            }
            cursor = Some(next);
        }
        assert_eq!(
            cursor.as_deref(),
            Some(end.as_str()),
            "the clerk's cursor reaches the end"
        );
        let clerk_kinds: BTreeSet<String> =
            seen.iter().map(|i| str_field(i, "ObjectType")).collect();
        assert!(
            clerk_kinds.iter().all(|k| k == "Tag"),
            "the clerk sees only tags: {clerk_kinds:?}"
        );
        let tags = everything
            .iter()
            .filter(|i| str_field(i, "ObjectType") == "Tag")
            .count();
        assert_eq!(seen.len(), tags);

        // A manifest is in the feeds of its recipient and transporter too (they read it over
        // the API), each under its own license number.
        let (retail, _) = read_to_end(app, RETAILER, None, 500).await;
        let incoming: Vec<&Value> = retail
            .iter()
            .filter(|i| {
                str_field(i, "ObjectType") == "Transfer"
                    && i["Record"]["ShipperFacilityLicenseNumber"] != json!(RETAILER)
            })
            .collect();
        for i in &incoming {
            assert_eq!(
                i["Record"]["RecipientFacilityLicenseNumber"],
                json!(RETAILER)
            );
        }

        // Bad input is a 400 with a message, never a 500.
        for bad in ["x", "-1", "1.2.3", "1.", "99999999999999999999"] {
            let r = app
                .get(CULTIVATOR, "/tagtrail/v1/changes")
                .query("after", bad)
                .send()
                .await
                .status(400);
            assert!(r.message().contains("cursor"), "{bad}: {}", r.message());
        }
        for bad in ["0", "501", "ten"] {
            app.get(CULTIVATOR, "/tagtrail/v1/changes")
                .query("pageSize", bad)
                .send()
                .await
                .status(400);
        }
        // No access to the license: 401 as every read.
        app.get(CULTIVATOR, "/tagtrail/v1/changes")
            .acting_as(DISTRIBUTOR)
            .send()
            .await
            .status(401);
    })
    .await;
}

/// The test: 16 clients write concurrently over HTTP, then the feed read to its end holds
/// exactly the journal's entries of the license after the start, each entry's record once, in
/// sequence order. Writes: `TAGTRAIL_FEED_WRITES` (default 10,000).
#[tokio::test]
async fn the_change_feed_and_the_journal_agree_after_10000_writes_from_16_concurrent_clients() {
    let writes: usize = std::env::var("TAGTRAIL_FEED_WRITES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    const CLIENTS: usize = 16;
    for_each_backend(async |app| {
        let started = std::time::Instant::now();
        let (_, start) = read_to_end(app, CULTIVATOR, None, 500).await;
        let head = int_field(&app.journal_head(CULTIVATOR).await, "Seq");
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let http = app.http.clone();
                let url = format!("{}/strains/v2?licenseNumber={CULTIVATOR}", app.base_url);
                let loc_url = format!("{}/locations/v2?licenseNumber={CULTIVATOR}", app.base_url);
                let (vendor, user) = (app.creds.vendor_key.clone(), app.user_key(CULTIVATOR).to_string());
                tokio::spawn(async move {
                    for n in (c..writes).step_by(CLIENTS) {
                        let (u, body) = if n % 2 == 0 {
                            (&url, json!([{"Name": format!("Feed Strain {n}")}]))
                        } else {
                            (&loc_url, json!([{"Name": format!("Feed Room {n}"), "LocationTypeName": "Default"}]))
                        };
                        let r = http
                            .post(u)
                            .basic_auth(&vendor, Some(&user))
                            .json(&body)
                            .send()
                            .await
                            .expect("the server answers");
                        assert!(r.status().is_success(), "write {n}: {}", r.status());
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("a writer");
        }
        let wrote = started.elapsed();

        let (feed, _) = read_to_end(app, CULTIVATOR, Some(&start), 500).await;
        let read = started.elapsed() - wrote;
        let journal: Vec<Value> = app
            .journal(CULTIVATOR)
            .await
            .into_iter()
            .filter(|e| int_field(e, "Seq") > head)
            .rev()
            .collect();
        assert_eq!(journal.len(), writes, "every write is one entry");
        assert_eq!(feed.len(), writes, "every entry is one feed item");
        let mut ids = HashSet::new();
        for (item, entry) in feed.iter().zip(&journal) {
            assert_eq!(int_field(item, "Seq"), int_field(entry, "Seq"));
            assert_eq!(json!([item["Id"]]), entry["ResultIds"]);
            let kind = if str_field(entry, "Endpoint").starts_with("POST /strains") {
                "Strain"
            } else {
                "Location"
            };
            assert_eq!(str_field(item, "ObjectType"), kind);
            assert_eq!(str_field(item, "Verb"), "Created");
            assert!(ids.insert((kind, int_field(item, "Id"))), "{item} twice");
        }
        eprintln!(
            "[{}] change feed: {writes} writes from {CLIENTS} clients in {:.1} s, feed read in {:.2} s",
            app.backend,
            wrote.as_secs_f64(),
            read.as_secs_f64()
        );
    })
    .await;
}

/// `audit verify` rebuilds the feed from the journal: a row the journal does not explain (and
/// the database refuses to change or remove one) is reported.
#[tokio::test]
async fn audit_verify_finds_a_forged_feed_row_and_the_feed_is_append_only() {
    for backend in backends() {
        let app = TestApp::start(&backend, test_config()).await;
        assert!(app.verify().await.ok(), "a fresh ledger verifies");
        let mut conn = app.raw_connection().await;
        for forbidden in [
            "UPDATE change_feed SET row_id = row_id + 1",
            "DELETE FROM change_feed",
        ] {
            assert!(
                sqlx::query(forbidden).execute(&mut conn).await.is_err(),
                "[{}] {forbidden} is refused",
                app.backend
            );
        }
        sqlx::query(
            "INSERT INTO change_feed (license_number, seq, ordinal, table_name, row_id) \
             SELECT $1, MAX(seq), 999, 'strains', 1 FROM journal",
        )
        .bind(CULTIVATOR)
        .execute(&mut conn)
        .await
        .expect("an insert is not refused");
        let report = app.verify().await;
        assert!(
            report
                .problem
                .as_deref()
                .is_some_and(|p| p.contains("change_feed")),
            "[{}] {report:?}",
            app.backend
        );
        drop(conn);
        // `finish` would fail on the forged row; close without it.
        drop(app);
    }
}
