//! UID tags: available and staged lists, tag orders, receipt and voiding (rules 11, 12, 14).

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

async fn labels(app: &TestApp, license: &str, kind: &str) -> BTreeSet<String> {
    app.list(license, &format!("/tags/v2/{kind}/available"))
        .await
        .iter()
        .map(|t| str_field(t, "Label"))
        .collect()
}

async fn order(app: &TestApp, license: &str, id: i64) -> Value {
    app.list(license, "/tagtrail/v1/tags/orders")
        .await
        .into_iter()
        .find(|o| int_field(o, "Id") == id)
        .unwrap_or_else(|| panic!("order {id} is listed"))
}

/// Plant tags the cultivator's received orders hold, less one per plant it tagged (rule 20): the
/// demo grows plants, each under its own tag, and every plant is on one of these lists.
async fn plant_tags_left(app: &TestApp) -> usize {
    let received: i64 = app
        .list(CULTIVATOR, "/tagtrail/v1/tags/orders")
        .await
        .iter()
        .filter(|o| o["Status"] == "Received")
        .map(|o| int_field(o, "PlantTags"))
        .sum();
    let mut tagged = BTreeSet::new();
    for list in [
        "vegetative",
        "flowering",
        "onhold",
        "inactive",
        "mother",
        "mother/inactive",
        "mother/onhold",
    ] {
        let plants = app.list(CULTIVATOR, &format!("/plants/v2/{list}")).await;
        tagged.extend(plants.iter().map(|p| str_field(p, "Label")));
    }
    usize::try_from(received).expect("a count") - tagged.len()
}

#[tokio::test]
async fn available_and_staged_tags() {
    for_each_backend(async |app| {
        let package = app.list(CULTIVATOR, "/tags/v2/package/available").await;
        assert_eq!(
            package.len(),
            demo_tags_left(app, CULTIVATOR).await,
            "the demo's received order holds 50 package tags, less those its packages use"
        );
        let facility_id = app
            .call(reqwest::Method::GET, "/facilities/v2")
            .acting_as(CULTIVATOR)
            .send()
            .await
            .ok()
            .json()[0]["FacilityId"]
            .clone();
        for t in &package {
            assert_eq!(str_field(t, "Label").len(), 24);
            assert_eq!(str_field(t, "TagTypeName"), "CannabisPackage");
            assert_eq!(str_field(t, "TagInventoryTypeName"), "Package");
            assert_eq!(t["FacilityId"], facility_id);
        }
        let plant = app.list(CULTIVATOR, "/tags/v2/plant/available").await;
        assert_eq!(plant.len(), plant_tags_left(app).await);
        assert!(
            plant.len() >= 25,
            "the opening order's plant tags are still free"
        );
        assert!(plant.iter().all(|t| t["TagTypeName"] == "CannabisPlant"));
        let plant_labels: BTreeSet<String> = plant.iter().map(|t| str_field(t, "Label")).collect();
        assert!(plant_labels.is_disjoint(&labels(app, CULTIVATOR, "package").await));
        // Non-cultivators never got plant tags.
        assert!(
            app.list(MANUFACTURER, "/tags/v2/plant/available")
                .await
                .is_empty()
        );
        assert_eq!(
            app.list(MANUFACTURER, "/tags/v2/package/available")
                .await
                .len(),
            demo_tags_left(app, MANUFACTURER).await
        );
        // Tags belong to one facility.
        assert!(
            labels(app, CULTIVATOR, "package")
                .await
                .is_disjoint(&labels(app, MANUFACTURER, "package").await)
        );
        // Staging belongs to Retail ID, which issues nothing yet: an empty array.
        let staged = app
            .get(RETAILER, "/tags/v2/staged")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(staged, json!([]));
        app.get(RETAILER, "/tags/v2/staged")
            .acting_as(CULTIVATOR)
            .send()
            .await
            .status(401);
    })
    .await;
}

#[tokio::test]
async fn tag_orders_are_listed() {
    for_each_backend(async |app| {
        let orders = app
            .get(CULTIVATOR, "/tagtrail/v1/tags/orders")
            .send()
            .await
            .ok()
            .json();
        // The demo's opening order (received), its reorder (awaiting receipt) and the plant tags
        // of the grower's season (received), all of them listed.
        let data = orders["Data"].as_array().expect("Data");
        let total = int_field(&orders, "Total");
        assert_eq!(usize::try_from(total).ok(), Some(data.len()));
        let received = data
            .iter()
            .find(|o| o["Status"] == "Received" && int_field(o, "PackageTags") == 50)
            .expect("the demo's received order");
        assert_eq!(
            (
                int_field(received, "PlantTags"),
                int_field(received, "PackageTags")
            ),
            (25, 50)
        );
        assert!(
            received["ReceivedDateTime"].is_string() && received["ShippedDateTime"].is_string()
        );
        assert_eq!(str_field(received, "LicenseNumber"), CULTIVATOR);
        let shipped = data
            .iter()
            .find(|o| o["Status"] == "Shipped")
            .expect("the demo's order awaiting receipt");
        assert_eq!(
            (
                int_field(shipped, "PlantTags"),
                int_field(shipped, "PackageTags")
            ),
            (0, 10)
        );
        assert_eq!(shipped["ReceivedDateTime"], Value::Null);
        let season = data
            .iter()
            .find(|o| o["Status"] == "Received" && int_field(o, "PackageTags") == 0)
            .expect("the demo grower's order of plant tags");
        assert!(int_field(season, "PlantTags") > 0);
        let paged = app
            .get(CULTIVATOR, "/tagtrail/v1/tags/orders")
            .query("pageSize", "1")
            .query("pageNumber", "2")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(
            (
                int_field(&paged, "RecordsOnPage"),
                int_field(&paged, "TotalPages")
            ),
            (1, total)
        );
    })
    .await;
}

/// Rule 11: shipped tags whose receipt is not recorded are not available; once
/// `PUT /tagtrail/v1/tags/orders/receive` records receipt, they are.
#[tokio::test]
async fn rule_11_shipped_tags_are_available_only_after_receipt() {
    for_each_backend(async |app| {
        let start = labels(app, MANUFACTURER, "package").await;
        assert_eq!(start.len(), demo_tags_left(app, MANUFACTURER).await);
        let id = ids(&app
            .post(
                MANUFACTURER,
                "/tagtrail/v1/tags/orders",
                json!([{"PackageTags": 5}]),
            )
            .send()
            .await
            .ok())[0];
        let o = order(app, MANUFACTURER, id).await;
        assert_eq!(str_field(&o, "Status"), "Ordered");
        assert_eq!(o["ShippedDateTime"], Value::Null);

        // Receipt of an order that has not shipped is refused.
        let r = app
            .put(
                MANUFACTURER,
                "/tagtrail/v1/tags/orders/receive",
                json!([{"Id": id}]),
            )
            .send()
            .await
            .status(400);
        assert_eq!(r.rows()[0].0, 0);
        assert!(r.rows()[0].1.contains("not shipped"), "{}", r.body);

        app.ship_tags(id).await;
        let o = order(app, MANUFACTURER, id).await;
        assert_eq!(str_field(&o, "Status"), "Shipped");
        assert!(o["ShippedDateTime"].is_string());
        assert_eq!(
            labels(app, MANUFACTURER, "package").await,
            start,
            "shipped but not received: not available"
        );

        let r = app
            .put(
                MANUFACTURER,
                "/tagtrail/v1/tags/orders/receive",
                json!([{"Id": id}]),
            )
            .send()
            .await
            .ok();
        assert_eq!(r.body, "");
        let after = labels(app, MANUFACTURER, "package").await;
        assert_eq!(after.len(), start.len() + 5);
        assert!(start.is_subset(&after));
        let o = order(app, MANUFACTURER, id).await;
        assert_eq!(str_field(&o, "Status"), "Received");
        assert!(o["ReceivedDateTime"].is_string());

        // Receipt is recorded once; unknown and foreign orders are row errors.
        let r = app
            .put(
                MANUFACTURER,
                "/tagtrail/v1/tags/orders/receive",
                json!([{"Id": id}]),
            )
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("already"), "{}", r.body);
        let foreign = app
            .list(CULTIVATOR, "/tagtrail/v1/tags/orders")
            .await
            .into_iter()
            .find(|o| o["Status"] == "Shipped")
            .expect("the cultivator's pending order");
        let foreign_id = int_field(&foreign, "Id");
        let r = app
            .put(
                MANUFACTURER,
                "/tagtrail/v1/tags/orders/receive",
                json!([{"Id": 999999}, {"Id": foreign_id}, {}]),
            )
            .send()
            .await
            .status(400);
        let rows: Vec<u64> = r.rows().iter().map(|(row, _)| *row).collect();
        assert_eq!(rows, vec![0, 1, 2]);
        assert_eq!(
            labels(app, MANUFACTURER, "package").await.len(),
            after.len()
        );
        assert_eq!(
            str_field(&order(app, CULTIVATOR, foreign_id).await, "Status"),
            "Shipped"
        );

        // The demo's own pending order (10 tags) becomes available when its receipt is recorded.
        let cult_before = labels(app, CULTIVATOR, "package").await.len();
        app.put(
            CULTIVATOR,
            "/tagtrail/v1/tags/orders/receive",
            json!([{"Id": foreign_id}]),
        )
        .send()
        .await
        .ok();
        assert_eq!(
            labels(app, CULTIVATOR, "package").await.len(),
            cult_before + 10
        );
    })
    .await;
}

/// Rule 12: only cultivation licenses may order plant tags; another license → 403, and nothing
/// of the body is ordered.
#[tokio::test]
async fn rule_12_only_cultivators_order_plant_tags() {
    for_each_backend(async |app| {
        let before = app.list(DISTRIBUTOR, "/tagtrail/v1/tags/orders").await.len();
        let r = app.post(DISTRIBUTOR, "/tagtrail/v1/tags/orders", json!([{"PlantTags": 10}])).send().await.status(403);
        assert!(r.message().to_ascii_lowercase().contains("plant"), "{}", r.body);
        let r = app.post(DISTRIBUTOR, "/tagtrail/v1/tags/orders", json!([{"PackageTags": 10}, {"PlantTags": 10, "PackageTags": 10}])).send().await.status(403);
        r.message();
        // The clerk holds "Manage Tags" but the license type still cannot order plant tags.
        app.post(DISTRIBUTOR, "/tagtrail/v1/tags/orders", json!([{"PlantTags": 1}])).acting_as_clerk().send().await.status(403);
        assert_eq!(app.list(DISTRIBUTOR, "/tagtrail/v1/tags/orders").await.len(), before);
        // Package tags are fine, for the clerk too.
        app.post(DISTRIBUTOR, "/tagtrail/v1/tags/orders", json!([{"PackageTags": 10}])).acting_as_clerk().send().await.ok();
        assert_eq!(app.list(DISTRIBUTOR, "/tagtrail/v1/tags/orders").await.len(), before + 1);
        // A cultivator may order plant tags.
        let id = ids(&app.post(CULTIVATOR, "/tagtrail/v1/tags/orders", json!([{"PlantTags": 100}])).send().await.ok())[0];
        let o = order(app, CULTIVATOR, id).await;
        assert_eq!((int_field(&o, "PlantTags"), int_field(&o, "PackageTags")), (100, 0));
        // Quantities are checked per row.
        let r = app.post(CULTIVATOR, "/tagtrail/v1/tags/orders", json!([{"PackageTags": 0}, {"PackageTags": -1}, {"PackageTags": 5001}, {"PackageTags": 1}])).send().await.status(400);
        let rows: Vec<u64> = r.rows().iter().map(|(row, _)| *row).collect();
        assert_eq!(rows, vec![0, 1, 2]);
    })
    .await;
}

/// Rule 14: a tag can be voided only while unused, and a voided tag is terminal: voiding it
/// again is a row error.
#[tokio::test]
async fn rule_14_void_twice_is_a_row_error() {
    for_each_backend(async |app| {
        let start = labels(app, RETAILER, "package").await;
        let label = start.iter().next().expect("a package tag").clone();
        let r = app.put(RETAILER, "/tagtrail/v1/tags/void", json!([{"Label": label}])).send().await.ok();
        assert_eq!(r.body, "");
        let after = labels(app, RETAILER, "package").await;
        assert_eq!(after.len(), start.len() - 1);
        assert!(!after.contains(&label));

        let journal = app.journal(RETAILER).await.len();
        let r = app.put(RETAILER, "/tagtrail/v1/tags/void", json!([{"Label": label}])).send().await.status(400);
        let rows = r.rows();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, 0);
        assert!(rows[0].1.contains("voided"), "{}", rows[0].1);
        assert_eq!(app.journal(RETAILER).await.len(), journal, "a refused void writes nothing");

        // Labels are matched without case; a batch with one bad element voids nothing.
        let second = after.iter().next().expect("another tag").clone();
        let theirs = labels(app, CULTIVATOR, "package").await.into_iter().next().expect("a cultivator tag");
        let r = app
            .put(RETAILER, "/tagtrail/v1/tags/void", json!([{"Label": second.to_ascii_lowercase()}, {"Label": theirs}, {"Label": "SHORT"}, {}, {"Label": label}]))
            .send()
            .await
            .status(400);
        let rows: Vec<u64> = r.rows().iter().map(|(row, _)| *row).collect();
        assert_eq!(rows, vec![1, 2, 3, 4]);
        assert!(labels(app, RETAILER, "package").await.contains(&second));
        assert!(labels(app, CULTIVATOR, "package").await.contains(&theirs));
        app.put(RETAILER, "/tagtrail/v1/tags/void", json!([{"Label": second.to_ascii_lowercase()}])).send().await.ok();
        assert!(!labels(app, RETAILER, "package").await.contains(&second));

    })
    .await;
}
