//! `GET /tagtrail/v1/journal` (every write, with its endpoint, reason and request) and
//! `/openapi.json`.

use crate::helpers::*;
use serde_json::{Value, json};

/// A write's journal entry names the endpoint, the reason from `X-Tagtrail-Reason` (or the
/// endpoint's default), the request as sent and the ids written, and links to the entry before.
#[tokio::test]
async fn journal_shows_endpoint_and_reason_of_a_write() {
    for_each_backend(async |app| {
        let before = app.journal(CULTIVATOR).await;
        let head = before
            .first()
            .cloned()
            .expect("the demo journaled the cultivator");
        let body = json!([{"Name": "Journal Kush", "ThcLevel": 0.1865}]);
        let r = app
            .post(CULTIVATOR, "/strains/v2", body.clone())
            .header("X-Tagtrail-Reason", "test reason")
            .send()
            .await
            .ok();
        let id = ids(&r)[0];

        let after = app.journal(CULTIVATOR).await;
        assert_eq!(after.len(), before.len() + 1);
        assert_eq!(&after[1..], &before[..], "older entries are unchanged");
        let e = &after[0];
        assert_eq!(str_field(e, "Endpoint"), "POST /strains/v2");
        assert_eq!(str_field(e, "Reason"), "test reason");
        assert_eq!(
            e["Request"], body,
            "the request is journaled as sent (decimals exact)"
        );
        assert_eq!(e["ResultIds"], json!([id]));
        assert_eq!(str_field(e, "LicenseNumber"), CULTIVATOR);
        assert!(str_field(e, "Actor").contains("grower"), "{e}");
        assert!(int_field(e, "Seq") > int_field(&head, "Seq"));
        assert_eq!(str_field(e, "Hash").len(), 64);
        assert_ne!(str_field(e, "Hash"), str_field(e, "PrevHash"));
        assert!(e["RecordedAt"].is_string());

        // Without the header: the endpoint's own summary. Consecutive writes link hash to hash.
        app.delete(CULTIVATOR, &format!("/strains/v2/{id}"))
            .send()
            .await
            .ok();
        let e2 = app.journal_head(CULTIVATOR).await;
        assert_eq!(
            str_field(&e2, "Endpoint"),
            format!("DELETE /strains/v2/{id}")
        );
        assert_eq!(str_field(&e2, "Reason"), "Archive strain");
        assert_eq!(int_field(&e2, "Seq"), int_field(e, "Seq") + 1);
        assert_eq!(str_field(&e2, "PrevHash"), str_field(e, "Hash"));
        // A blank reason falls back to the default too.
        app.post(CULTIVATOR, "/strains/v2", json!([{"Name": "Blank Reason"}]))
            .header("X-Tagtrail-Reason", "   ")
            .send()
            .await
            .ok();
        assert_eq!(
            str_field(&app.journal_head(CULTIVATOR).await, "Reason"),
            "Create strains"
        );

        // The journal is per license: the manufacturer's does not show the cultivator's writes.
        let mfg = app.journal(MANUFACTURER).await;
        assert!(!mfg.is_empty());
        assert!(mfg.iter().all(|e| e["LicenseNumber"] == MANUFACTURER));
        // The supplier's shipment is journaled for the license it ships to.
        let order = ids(&app
            .post(
                MANUFACTURER,
                "/tagtrail/v1/tags/orders",
                json!([{"PackageTags": 1}]),
            )
            .send()
            .await
            .ok())[0];
        app.ship_tags(order).await;
        let shipped = app.journal_head(MANUFACTURER).await;
        assert_eq!(shipped["ResultIds"], json!([order]));
        assert_eq!(str_field(&shipped, "Actor"), "operator:test");
    })
    .await;
}

/// Newest first; `pageSize` limits and `before` pages back without gaps or overlaps.
#[tokio::test]
async fn journal_pages_back_with_before() {
    for_each_backend(async |app| {
        let all = app.journal(CULTIVATOR).await;
        assert!(all.len() >= 4, "{}", all.len());
        let seqs: Vec<i64> = all.iter().map(|e| int_field(e, "Seq")).collect();
        assert!(
            seqs.windows(2).all(|w| w[0] > w[1]),
            "newest first: {seqs:?}"
        );
        let first = app
            .get(CULTIVATOR, "/tagtrail/v1/journal")
            .query("pageSize", "2")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(first.as_array().map(|a| a.as_slice()), Some(&all[..2]));
        let next = app
            .get(CULTIVATOR, "/tagtrail/v1/journal")
            .query("pageSize", "2")
            .query("before", &seqs[1].to_string())
            .send()
            .await
            .ok()
            .json();
        assert_eq!(next.as_array().map(|a| a.as_slice()), Some(&all[2..4]));
        app.get(CULTIVATOR, "/tagtrail/v1/journal")
            .query("before", "latest")
            .send()
            .await
            .status(400)
            .message();
        let none = app
            .get(CULTIVATOR, "/tagtrail/v1/journal")
            .query("before", "1")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(none, json!([]), "nothing precedes the first entry");
    })
    .await;
}

/// `/openapi.json`: valid JSON, OpenAPI 3.1, documenting every route the ledger serves.
#[tokio::test]
async fn openapi_document() {
    for_each_backend(async |app| {
        // No credentials needed.
        let r = app
            .call(reqwest::Method::GET, "/openapi.json")
            .send()
            .await
            .ok();
        assert!(
            r.header("content-type")
                .unwrap_or_default()
                .starts_with("application/json")
        );
        let doc: Value = r.json();
        assert!(
            str_field(&doc, "openapi").starts_with("3.1"),
            "{}",
            doc["openapi"]
        );
        let paths = doc["paths"].as_object().expect("paths");
        assert!(paths.contains_key("/items/v2/active"));
        for (path, methods) in [
            ("/facilities/v2", &["get"][..]),
            ("/employees/v2", &["get"]),
            ("/employees/v2/permissions", &["get"]),
            ("/unitsofmeasure/v2/active", &["get"]),
            ("/unitsofmeasure/v2/inactive", &["get"]),
            ("/wastemethods/v2", &["get"]),
            ("/items/v2", &["post", "put"]),
            ("/items/v2/active", &["get"]),
            ("/items/v2/inactive", &["get"]),
            ("/items/v2/categories", &["get"]),
            ("/items/v2/brands", &["get"]),
            ("/items/v2/brand", &["post", "put"]),
            ("/items/v2/brand/{id}", &["delete"]),
            ("/items/v2/{id}", &["get", "delete"]),
            ("/strains/v2", &["post", "put"]),
            ("/strains/v2/active", &["get"]),
            ("/strains/v2/inactive", &["get"]),
            ("/strains/v2/{id}", &["get", "delete"]),
            ("/locations/v2", &["post", "put"]),
            ("/locations/v2/active", &["get"]),
            ("/locations/v2/inactive", &["get"]),
            ("/locations/v2/types", &["get"]),
            ("/locations/v2/{id}", &["get", "delete"]),
            ("/sublocations/v2", &["post", "put"]),
            ("/sublocations/v2/active", &["get"]),
            ("/sublocations/v2/inactive", &["get"]),
            ("/sublocations/v2/{id}", &["get", "delete"]),
            ("/tags/v2/package/available", &["get"]),
            ("/tags/v2/plant/available", &["get"]),
            ("/tags/v2/staged", &["get"]),
            ("/tagtrail/v1/tags/orders", &["get", "post"]),
            ("/tagtrail/v1/tags/orders/receive", &["put"]),
            ("/tagtrail/v1/tags/void", &["put"]),
            ("/tagtrail/v1/journal", &["get"]),
        ] {
            let ops = paths
                .get(path)
                .unwrap_or_else(|| panic!("{path} is not documented"));
            for m in methods {
                assert!(ops.get(*m).is_some(), "{m} {path} is not documented");
            }
        }
        assert!(
            doc["components"]["securitySchemes"]["basic"].is_object(),
            "Basic auth is documented"
        );
        assert!(doc["components"]["schemas"]["Item"].is_object());
    })
    .await;
}

/// A reason in any language is journaled exactly as sent (UTF-8 header bytes), never replaced.
#[tokio::test]
async fn non_ascii_reason_is_kept_verbatim() {
    for_each_backend(async |app| {
        let reason = "Korrektur – Tippfehler im Namen";
        let (what, req) = app
            .post(CULTIVATOR, "/strains/v2", json!([{"Name": "Umlaut Kush"}]))
            .build();
        let req = req.header(
            "x-tagtrail-reason",
            reqwest::header::HeaderValue::from_bytes(reason.as_bytes())
                .expect("obs-text is a valid header value"),
        );
        Resp::read(what, req).await.ok();
        let head = app.journal_head(CULTIVATOR).await;
        assert_eq!(str_field(&head, "Reason"), reason);

        // Bytes that are not UTF-8 are refused, and nothing is written.
        let before = app.journal(CULTIVATOR).await.len();
        let (what, req) = app
            .post(CULTIVATOR, "/strains/v2", json!([{"Name": "Latin1 Kush"}]))
            .build();
        let req = req.header(
            "x-tagtrail-reason",
            reqwest::header::HeaderValue::from_bytes(b"caf\xe9").expect("obs-text"),
        );
        let resp = Resp::read(what, req).await.status(400);
        assert!(resp.message().contains("UTF-8"), "{}", resp.body);
        assert_eq!(app.journal(CULTIVATOR).await.len(), before);
    })
    .await;
}
