//! Write bodies: a JSON array of at most 10 objects (rule 70), validated as a whole — a body
//! with one bad element writes nothing at all.

use crate::helpers::*;
use serde_json::{Value, json};

fn strains(n: usize, prefix: &str) -> Value {
    Value::Array(
        (0..n)
            .map(|i| json!({"Name": format!("{prefix} {i}")}))
            .collect(),
    )
}

/// Rule 70: more than 10 objects in one write → 413 `{"Message"}`; 10 are fine.
#[tokio::test]
async fn rule_70_eleven_objects_is_413() {
    for_each_backend(async |app| {
        let journal = app.journal(CULTIVATOR).await.len();
        for path in ["/strains/v2", "/items/v2/brand", "/sublocations/v2"] {
            let r = app
                .post(CULTIVATOR, path, strains(11, "Eleven"))
                .send()
                .await
                .status(413);
            assert!(r.message().contains("10"), "{}: {}", r.what, r.body);
        }
        app.put(
            CULTIVATOR,
            "/tagtrail/v1/tags/void",
            Value::Array(vec![json!({"Label": "X"}); 11]),
        )
        .send()
        .await
        .status(413);
        assert_eq!(app.list(CULTIVATOR, "/strains/v2/active").await.len(), 3);
        assert_eq!(app.journal(CULTIVATOR).await.len(), journal);
        let new = ids(&app
            .post(CULTIVATOR, "/strains/v2", strains(10, "Ten"))
            .send()
            .await
            .ok());
        assert_eq!(new.len(), 10);
        assert_eq!(app.list(CULTIVATOR, "/strains/v2/active").await.len(), 13);
        // The metrc client chunks 11 objects into two writes of at most 10.
        let reqs: Vec<_> = (0..11)
            .map(|i| tagtrail_metrc::requests::IdNameRequest {
                id: None,
                name: Some(format!("Chunk {i}")),
            })
            .collect();
        let created = app
            .client(CULTIVATOR)
            .create("/sublocations/v2", CULTIVATOR, &reqs)
            .await
            .expect("chunked create");
        assert_eq!(created.ids.len(), 11);
        assert_eq!(
            app.list(CULTIVATOR, "/sublocations/v2/active").await.len(),
            13
        );
    })
    .await;
}

/// A body that is not a JSON array of objects → 400, with nothing written.
#[tokio::test]
async fn body_not_an_array_is_400() {
    for_each_backend(async |app| {
        let journal = app.journal(CULTIVATOR).await.len();
        // Request-level problems: `{"Message"}`.
        for body in [
            r#"{"Name": "Object Kush"}"#,
            r#""Object Kush""#,
            "42",
            "null",
            "[]",
            "not json",
            "",
        ] {
            let r = app
                .post(CULTIVATOR, "/strains/v2", json!(null))
                .raw_body(body)
                .send()
                .await
                .status(400);
            assert!(!r.message().is_empty(), "body {body:?}");
        }
        app.put(
            CULTIVATOR,
            "/tagtrail/v1/tags/orders/receive",
            json!({"Id": 1}),
        )
        .send()
        .await
        .status(400)
        .message();
        // Element-level problems: row errors naming the element.
        let r = app
            .post(
                CULTIVATOR,
                "/strains/v2",
                json!([{"Name": "Fine"}, 7, "x", {"Name": 5}]),
            )
            .send()
            .await
            .status(400);
        let rows: Vec<u64> = r.rows().iter().map(|(row, _)| *row).collect();
        assert_eq!(rows, vec![1, 2, 3]);
        assert_eq!(
            app.names(CULTIVATOR, "/strains/v2/active").await,
            vec!["Blue Dream", "OG Kush", "Sour Diesel"]
        );
        assert_eq!(app.journal(CULTIVATOR).await.len(), journal);
    })
    .await;
}

/// A two-element POST with one bad element → 400 `[{"row":1,"message"}]` and no trace: the active
/// list is unchanged and the journal (read over the API) has no new entry.
#[tokio::test]
async fn row_validation_writes_nothing() {
    for_each_backend(async |app| {
        let cases = [
            (
                "/items/v2",
                "/items/v2/active",
                json!([
                    {"ItemCategory": "Buds", "Name": "Good Buds", "UnitOfMeasure": "Grams", "Strain": "Blue Dream"},
                    {"ItemCategory": "Buds", "Name": "Bad Buds", "UnitOfMeasure": "Grams", "Strain": "No Such Strain"},
                ]),
            ),
            ("/strains/v2", "/strains/v2/active", json!([{"Name": "Good Strain"}, {"Name": "Bad Strain", "ThcLevel": 7}])),
            ("/locations/v2", "/locations/v2/active", json!([{"Name": "Good Room", "LocationTypeName": "Storage"}, {"Name": "Bad Room", "LocationTypeName": "Nowhere"}])),
            ("/sublocations/v2", "/sublocations/v2/active", json!([{"Name": "Good Shelf"}, {"Name": "   "}])),
            ("/items/v2/brand", "/items/v2/brands", json!([{"Name": "Good Brand"}, {}])),
        ];
        for (post, list, body) in cases {
            let before_list = app.list(CULTIVATOR, list).await;
            let before_journal = app.journal(CULTIVATOR).await;
            let r = app.post(CULTIVATOR, post, body).send().await.status(400);
            let rows = r.rows();
            assert_eq!(rows.len(), 1, "{}: {}", r.what, r.body);
            assert_eq!(rows[0].0, 1, "{}: the bad element is row 1: {}", r.what, r.body);
            assert!(!rows[0].1.is_empty());
            assert_eq!(app.list(CULTIVATOR, list).await, before_list, "{post}: the good element was not written");
            assert_eq!(app.journal(CULTIVATOR).await, before_journal, "{post}: the journal is unchanged");
        }
        // The same holds for updates: one bad element, no change to the good one.
        let strains = app.list(CULTIVATOR, "/strains/v2/active").await;
        let (a, b) = (int_field(&strains[0], "Id"), int_field(&strains[1], "Id"));
        let r = app.put(CULTIVATOR, "/strains/v2", json!([{"Id": a, "Name": "Renamed"}, {"Id": b, "Name": "Bad", "SativaPercentage": 101}])).send().await.status(400);
        assert_eq!(r.rows()[0].0, 1);
        assert_eq!(app.list(CULTIVATOR, "/strains/v2/active").await, strains);
    })
    .await;
}

/// A PUT addresses each record once: the same Id twice is a row error, not "last one wins".
#[tokio::test]
async fn put_with_the_same_id_twice_is_refused() {
    for_each_backend(async |app| {
        let id = ids(&app
            .post(CULTIVATOR, "/strains/v2", json!([{"Name": "Twice Kush"}]))
            .send()
            .await
            .ok())[0];
        let before = app.journal(CULTIVATOR).await.len();
        let resp = app
            .put(
                CULTIVATOR,
                "/strains/v2",
                json!([{"Id": id, "Name": "First"}, {"Id": id, "Name": "Second"}]),
            )
            .send()
            .await
            .status(400);
        assert_eq!(
            resp.rows(),
            vec![(1, format!("Id {id} appears more than once."))]
        );
        assert_eq!(app.journal(CULTIVATOR).await.len(), before);
        assert!(
            app.names(CULTIVATOR, "/strains/v2/active")
                .await
                .contains(&"Twice Kush".to_string())
        );
    })
    .await;
}

/// Every text field has a maximum (250 characters for names and other short text, 1,000 for
/// notes; `tagtrail_metrc::limits`), refused the same on both backends as a row-indexed 400
/// before anything is written. PostgreSQL used to answer 500 for a name over ~2.7 KB (an index
/// entry too large); 250 four-byte characters fit every index.
#[tokio::test]
async fn every_text_field_has_a_maximum_on_both_backends() {
    for_each_backend(async |app| {
        let b = app.backend;
        let huge = "Ж".repeat(3000);
        let name = |n: usize| "𝕂".repeat(n);
        let cases = [
            ("/strains/v2", json!([{"Name": "Fine"}, {"Name": huge}]), "Name is longer than 250"),
            ("/items/v2/brand", json!([{"Name": "Fine"}, {"Name": name(251)}]), "Name is longer than 250"),
            (
                "/locations/v2",
                json!([{"Name": "Fine", "LocationTypeName": "Storage"}, {"Name": "Room", "LocationTypeName": huge}]),
                "LocationTypeName is longer than 250",
            ),
            (
                "/items/v2",
                json!([
                    {"ItemCategory": "Buds", "Name": "Fine", "UnitOfMeasure": "Grams", "Strain": "Blue Dream"},
                    {"ItemCategory": "Buds", "Name": "Buds", "UnitOfMeasure": "Grams", "Strain": "Blue Dream", "Description": "d".repeat(1001)},
                ]),
                "Description is longer than 1000",
            ),
        ];
        for (path, body, want) in cases {
            let before = app.journal(CULTIVATOR).await.len();
            let r = app.post(CULTIVATOR, path, body).send().await.status(400);
            let rows = r.rows();
            assert_eq!(rows.len(), 1, "[{b}] {}: {}", r.what, r.body);
            assert_eq!(rows[0].0, 1, "[{b}] {}: {}", r.what, r.body);
            assert!(rows[0].1.starts_with(want), "[{b}] {}: {}", r.what, r.body);
            assert_eq!(app.journal(CULTIVATOR).await.len(), before, "[{b}] {path} wrote nothing");
        }
        // A long text is reported with every other bad row of the body, all at once.
        let r = app
            .post(
                CULTIVATOR,
                "/strains/v2",
                json!([{"Name": "Bad Strain", "ThcLevel": 7}, {"Name": name(251)}]),
            )
            .send()
            .await
            .status(400);
        let rows: Vec<u64> = r.rows().iter().map(|(i, _)| *i).collect();
        assert_eq!(rows, [0, 1], "[{b}] {}", r.body);
        // At the limit, in 4-byte characters, every backend stores and finds it.
        let longest = name(250);
        app.post(CULTIVATOR, "/strains/v2", json!([{"Name": longest}]))
            .send()
            .await
            .ok();
        assert!(app.names(CULTIVATOR, "/strains/v2/active").await.contains(&longest), "[{b}]");
    })
    .await;
}
