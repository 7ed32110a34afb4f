//! Items and item brands: create, read, update, archive, and the item rules (29, 30, 71).

use crate::helpers::*;
use reqwest::Method;
use serde_json::{Value, json};
use tagtrail_metrc::client::Error;
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::ItemRequest;

fn gummies(name: &str) -> Value {
    json!({
        "ItemCategory": "Edible (Each)",
        "Name": name,
        "UnitOfMeasure": "Each",
        "ItemBrand": "Golden State",
        "UnitThcContent": 10,
        "UnitThcContentUnitOfMeasure": "Milligrams",
        "Description": "Ten 10 mg gummies",
    })
}

/// POST, GET by id, GET active, PUT, DELETE (archive: active → inactive), through the typed
/// Metrc client and raw HTTP.
#[tokio::test]
async fn items_create_read_update_archive() {
    for_each_backend(async |app| {
        let client = app.client(MANUFACTURER);
        let lic = [("licenseNumber", MANUFACTURER.to_string())];
        let before: Vec<wire::Item> = client.get_all("/items/v2/active", &lic).await.expect("active items");
        assert_eq!(before.len(), 3);

        let req = ItemRequest {
            item_category: Some("Edible (Each)".into()),
            name: Some("Peach Rings 10x5mg".into()),
            unit_of_measure: Some("Each".into()),
            item_brand: Some("Golden State".into()),
            unit_thc_content: Some(5.into()),
            unit_thc_content_unit_of_measure: Some("Milligrams".into()),
            allergens: Some("Gelatin".into()),
            ..Default::default()
        };
        let created = client.create("/items/v2", MANUFACTURER, &[req]).await.expect("the item is created");
        assert_eq!(created.ids.len(), 1);
        assert!(created.warnings.is_none());
        let id = created.ids[0];

        let item: wire::Item = client.get(&format!("/items/v2/{id}"), &lic).await.expect("the item by id");
        assert_eq!(item.id, Some(id));
        assert_eq!(item.name.as_deref(), Some("Peach Rings 10x5mg"));
        assert_eq!(item.product_category_name.as_deref(), Some("Edible (Each)"));
        assert_eq!(item.unit_of_measure_name.as_deref(), Some("Each"));
        assert_eq!(item.quantity_type.as_deref(), Some("CountBased"));
        assert_eq!(item.item_brand_name.as_deref(), Some("Golden State"));
        assert_eq!(item.unit_thc_content, Some(5.into()));
        assert_eq!(item.unit_thc_content_unit_of_measure_name.as_deref(), Some("Milligrams"));
        assert_eq!(item.allergens.as_deref(), Some("Gelatin"));
        assert_eq!(item.is_archived, Some(false));
        assert!(item.last_modified.is_some());
        let after: Vec<wire::Item> = client.get_all("/items/v2/active", &lic).await.expect("active items");
        assert_eq!(after.len(), 4);
        assert!(after.iter().any(|i| i.id == Some(id)));

        // PUT: an empty 200, and the change is visible.
        let put = app
            .put(MANUFACTURER, "/items/v2", json!([{"Id": id, "ItemCategory": "Edible (Each)", "Name": "Peach Rings 20x5mg", "UnitOfMeasure": "Each", "UnitThcContent": 5, "UnitThcContentUnitOfMeasure": "Milligrams"}]))
            .send()
            .await
            .ok();
        assert_eq!(put.body, "", "PUT answers an empty body");
        let got = app.get(MANUFACTURER, &format!("/items/v2/{id}")).send().await.ok().json();
        assert_eq!(str_field(&got, "Name"), "Peach Rings 20x5mg");
        assert_eq!(got["ItemBrandName"], Value::Null, "the PUT replaced the item, brand omitted");
        assert_eq!(app.list(MANUFACTURER, "/items/v2/active").await.len(), 4, "PUT creates nothing");

        // DELETE archives: out of the active list, into the inactive one.
        assert!(app.list(MANUFACTURER, "/items/v2/inactive").await.is_empty());
        let del = app.delete(MANUFACTURER, &format!("/items/v2/{id}")).send().await.ok();
        assert_eq!(del.body, "");
        let active = app.list(MANUFACTURER, "/items/v2/active").await;
        assert_eq!(active.len(), 3);
        assert!(active.iter().all(|i| int_field(i, "Id") != id));
        let inactive = app.list(MANUFACTURER, "/items/v2/inactive").await;
        assert_eq!(inactive.len(), 1);
        assert_eq!(int_field(&inactive[0], "Id"), id);
        assert_eq!(inactive[0]["IsArchived"], Value::Bool(true));
        // Archiving again, or updating an archived item, is refused.
        let r = app.delete(MANUFACTURER, &format!("/items/v2/{id}")).send().await.status(400);
        assert!(r.message().contains("archived"), "{}", r.body);
        let r = app.put(MANUFACTURER, "/items/v2", json!([{"Id": id, "ItemCategory": "Edible (Each)", "Name": "Zombie Rings", "UnitOfMeasure": "Each", "UnitThcContent": 5, "UnitThcContentUnitOfMeasure": "Milligrams"}])).send().await.status(400);
        assert_eq!(r.rows()[0].0, 0);
        // Archiving another facility's item is refused and leaves it active.
        let theirs = int_field(&app.list(CULTIVATOR, "/items/v2/active").await[0], "Id");
        app.delete(MANUFACTURER, &format!("/items/v2/{theirs}")).send().await.status(404).message();
        assert!(app.list(CULTIVATOR, "/items/v2/active").await.iter().any(|i| int_field(i, "Id") == theirs));
    })
    .await;
}

#[tokio::test]
async fn item_brands_create_update_archive() {
    for_each_backend(async |app| {
        assert_eq!(app.names(CULTIVATOR, "/items/v2/brands").await, vec!["Emerald Triangle"]);
        assert!(app.names(LAB, "/items/v2/brands").await.is_empty(), "the demo lab has no brands");
        let r = app.post(CULTIVATOR, "/items/v2/brand", json!([{"Name": "Lost Coast"}, {"Name": "Humboldt Haze Co"}])).send().await.ok();
        let new = ids(&r);
        assert_eq!(new.len(), 2);
        let brands = app.list(CULTIVATOR, "/items/v2/brands").await;
        assert_eq!(brands.len(), 3);
        let lost = by_name(&brands, "Lost Coast").expect("the new brand is listed");
        assert_eq!(int_field(lost, "Id"), new[0]);
        assert_eq!(str_field(lost, "Status"), "Active");

        // Duplicate names, in any case, are row errors (rule 71).
        let r = app.post(CULTIVATOR, "/items/v2/brand", json!([{"Name": "LOST COAST"}])).send().await.status(400);
        assert_eq!(r.rows()[0].0, 0);

        app.put(CULTIVATOR, "/items/v2/brand", json!([{"Id": new[0], "Name": "Lost Coast Farms"}])).send().await.ok();
        assert_eq!(app.names(CULTIVATOR, "/items/v2/brands").await, vec!["Emerald Triangle", "Humboldt Haze Co", "Lost Coast Farms"]);

        // An item may use the new brand by name.
        let item = json!([{"ItemCategory": "Pre-Roll Flower", "Name": "Lost Coast Pre-Roll", "UnitOfMeasure": "Each", "Strain": "OG Kush", "ItemBrand": "lost coast farms", "UnitThcContent": 200, "UnitThcContentUnitOfMeasure": "Milligrams"}]);
        let created = ids(&app.post(CULTIVATOR, "/items/v2", item).send().await.ok());
        let got = app.get(CULTIVATOR, &format!("/items/v2/{}", created[0])).send().await.ok().json();
        assert_eq!(str_field(&got, "ItemBrandName"), "Lost Coast Farms");
        assert_eq!(int_field(&got, "ItemBrandId"), new[0]);

        // Archive: gone from the brand list.
        app.delete(CULTIVATOR, &format!("/items/v2/brand/{}", new[1])).send().await.ok();
        assert_eq!(app.names(CULTIVATOR, "/items/v2/brands").await, vec!["Emerald Triangle", "Lost Coast Farms"]);
        app.delete(CULTIVATOR, &format!("/items/v2/brand/{}", new[1])).send().await.status(400).message();
        app.delete(CULTIVATOR, "/items/v2/brand/999999").send().await.status(404).message();
        // Another facility cannot touch the brand.
        app.delete(MANUFACTURER, &format!("/items/v2/brand/{}", new[0])).send().await.status(404);
        let r = app.put(MANUFACTURER, "/items/v2/brand", json!([{"Id": new[0], "Name": "Stolen"}])).send().await.status(400);
        assert_eq!(r.rows()[0].0, 0);
        assert!(by_name(&app.list(CULTIVATOR, "/items/v2/brands").await, "Lost Coast Farms").is_some());
    })
    .await;
}

/// Rule 29: the unit of measure must fit the item category's quantity type. Nothing is written.
#[tokio::test]
async fn rule_29_unit_must_fit_category() {
    for_each_backend(async |app| {
        let before = app.journal(CULTIVATOR).await.len();
        let r = app
            .post(CULTIVATOR, "/items/v2", json!([{"ItemCategory": "Buds", "Name": "Counted Buds", "UnitOfMeasure": "Each", "Strain": "Blue Dream"}]))
            .send()
            .await
            .status(400);
        let rows = r.rows();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, 0);
        assert!(rows[0].1.contains("Unit of Measure"), "{}", rows[0].1);
        let r = app.post(CULTIVATOR, "/items/v2", json!([{"ItemCategory": "Buds", "Name": "Liquid Buds", "UnitOfMeasure": "Liters", "Strain": "Blue Dream"}])).send().await.status(400);
        assert_eq!(r.rows()[0].0, 0);
        let mut weighed = gummies("Weighed Gummies");
        weighed["UnitOfMeasure"] = json!("Grams");
        weighed["ItemBrand"] = Value::Null;
        let r = app.post(CULTIVATOR, "/items/v2", json!([weighed])).send().await.status(400);
        assert!(r.rows()[0].1.contains("Unit of Measure"), "{}", r.body);
        // An update cannot break the rule either.
        let bd = app.list(CULTIVATOR, "/items/v2/active").await.into_iter().find(|i| i["Name"] == "Blue Dream Flower").expect("demo item");
        let id = int_field(&bd, "Id");
        let r = app.put(CULTIVATOR, "/items/v2", json!([{"Id": id, "ItemCategory": "Buds", "Name": "Blue Dream Flower", "UnitOfMeasure": "Each", "Strain": "Blue Dream"}])).send().await.status(400);
        assert_eq!(r.rows()[0].0, 0);
        assert_eq!(str_field(&app.get(CULTIVATOR, &format!("/items/v2/{id}")).send().await.ok().json(), "UnitOfMeasureName"), "Grams");
        // The same item with a weight unit is fine.
        app.post(CULTIVATOR, "/items/v2", json!([{"ItemCategory": "Buds", "Name": "Weighed Buds", "UnitOfMeasure": "Ounces", "Strain": "Blue Dream"}])).send().await.ok();
        assert_eq!(app.journal(CULTIVATOR).await.len(), before + 1, "only the valid write is journaled");
    })
    .await;
}

/// Rule 30: an item whose category needs a strain (Buds, Immature Plants) must name one, and it
/// must be a strain of this facility.
#[tokio::test]
async fn rule_30_strain_required() {
    for_each_backend(async |app| {
        let before = app.names(CULTIVATOR, "/items/v2/active").await;
        let r = app.post(CULTIVATOR, "/items/v2", json!([{"ItemCategory": "Buds", "Name": "Nameless Buds", "UnitOfMeasure": "Grams"}])).send().await.status(400);
        let rows = r.rows();
        assert_eq!(rows[0].0, 0);
        assert!(rows[0].1.contains("Strain"), "{}", rows[0].1);
        let r = app
            .post(CULTIVATOR, "/items/v2", json!([{"ItemCategory": "Immature Plants", "Name": "Nameless Clones", "UnitOfMeasure": "Each", "UnitThcContent": 0, "UnitThcContentUnitOfMeasure": "Milligrams"}]))
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("Strain"), "{}", r.body);
        // A strain of another facility does not count: the manufacturer has no "OG Kush".
        let r = app.post(MANUFACTURER, "/items/v2", json!([{"ItemCategory": "Buds", "Name": "Borrowed Buds", "UnitOfMeasure": "Grams", "Strain": "OG Kush"}])).send().await.status(400);
        assert!(r.rows()[0].1.contains("OG Kush"), "{}", r.body);
        // A category that does not need a strain does not.
        app.post(MANUFACTURER, "/items/v2", json!([gummies("Strainless Gummies")])).send().await.ok();
        // With the strain, the item is created and linked to it.
        let id = ids(&app.post(CULTIVATOR, "/items/v2", json!([{"ItemCategory": "Buds", "Name": "Sour Diesel Flower", "UnitOfMeasure": "Grams", "Strain": "Sour Diesel"}])).send().await.ok())[0];
        let item = app.get(CULTIVATOR, &format!("/items/v2/{id}")).send().await.ok().json();
        assert_eq!(str_field(&item, "StrainName"), "Sour Diesel");
        let strain = by_name(&app.list(CULTIVATOR, "/strains/v2/active").await, "Sour Diesel").cloned().expect("demo strain");
        assert_eq!(int_field(&item, "StrainId"), int_field(&strain, "Id"));
        let mut after = before.clone();
        after.push("Sour Diesel Flower".into());
        after.sort();
        assert_eq!(app.names(CULTIVATOR, "/items/v2/active").await, after);
    })
    .await;
}

/// Rule 71: name lookups ignore case — category, unit, strain, brand, and the uniqueness of
/// item names; stored names keep their canonical spelling.
#[tokio::test]
async fn rule_71_name_lookups_ignore_case() {
    for_each_backend(async |app| {
        let r = app
            .post(CULTIVATOR, "/items/v2", json!([{"ItemCategory": "bUDS", "Name": "OG Kush Smalls", "UnitOfMeasure": "GRAMS", "Strain": "og kush", "ItemBrand": "EMERALD triangle"}]))
            .send()
            .await
            .ok();
        let id = ids(&r)[0];
        let item = app.get(CULTIVATOR, &format!("/items/v2/{id}")).send().await.ok().json();
        assert_eq!(str_field(&item, "ProductCategoryName"), "Buds");
        assert_eq!(str_field(&item, "UnitOfMeasureName"), "Grams");
        assert_eq!(str_field(&item, "StrainName"), "OG Kush");
        assert_eq!(str_field(&item, "ItemBrandName"), "Emerald Triangle");
        // Names are unique without regard to case.
        let r = app.post(CULTIVATOR, "/items/v2", json!([{"ItemCategory": "Buds", "Name": "og kush SMALLS", "UnitOfMeasure": "Grams", "Strain": "OG Kush"}])).send().await.status(400);
        assert!(r.rows()[0].1.contains("already exists"), "{}", r.body);
        let r = app.post(CULTIVATOR, "/strains/v2", json!([{"Name": "blue DREAM"}])).send().await.status(400);
        assert!(r.rows()[0].1.contains("already exists"), "{}", r.body);
        // Another facility may use the same name.
        app.post(MANUFACTURER, "/strains/v2", json!([{"Name": "OG Kush"}])).send().await.ok();
        // licenseNumber itself is matched without case.
        let lower = app.get(CULTIVATOR, "/items/v2/active").license(&CULTIVATOR.to_ascii_lowercase()).send().await.ok().json();
        let items = app.list(CULTIVATOR, "/items/v2/active").await;
        assert_eq!(int_field(&lower, "Total"), items.len() as i64, "the same items");
    })
    .await;
}

/// Request bodies in camelCase are read like PascalCase ones (`metrc-v2-api.md` §4).
#[tokio::test]
async fn camel_case_request_bodies_are_accepted() {
    for_each_backend(async |app| {
        let body = json!([{
            "itemCategory": "Edible (Each)",
            "name": "Camel Gummies",
            "unitOfMeasure": "Each",
            "itemBrand": "Golden State",
            "unitThcContent": 2.5,
            "unitThcContentUnitOfMeasure": "Milligrams",
            "publicIngredients": "Sugar, pectin",
        }]);
        let id = ids(&app.post(MANUFACTURER, "/items/v2", body).send().await.ok())[0];
        let item = app.get(MANUFACTURER, &format!("/items/v2/{id}")).send().await.ok().json();
        assert_eq!(str_field(&item, "Name"), "Camel Gummies");
        assert_eq!(str_field(&item, "ItemBrandName"), "Golden State");
        assert_eq!(decimal(&item, "UnitThcContent"), "2.5");
        assert_eq!(str_field(&item, "PublicIngredients"), "Sugar, pectin");
        app.put(MANUFACTURER, "/items/v2", json!([{"id": id, "itemCategory": "Edible (Each)", "name": "Camel Gummies 2", "unitOfMeasure": "Each", "unitThcContent": 2.5, "unitThcContentUnitOfMeasure": "Milligrams"}]))
            .send()
            .await
            .ok();
        assert_eq!(str_field(&app.get(MANUFACTURER, &format!("/items/v2/{id}")).send().await.ok().json(), "Name"), "Camel Gummies 2");
        let s = ids(&app.post(MANUFACTURER, "/strains/v2", json!([{"name": "Camel Cookies", "testingStatus": "InHouse", "thcLevel": 0.21}])).send().await.ok())[0];
        let strain = app.get(MANUFACTURER, &format!("/strains/v2/{s}")).send().await.ok().json();
        assert_eq!(str_field(&strain, "TestingStatus"), "InHouse");
        assert_eq!(decimal(&strain, "ThcLevel"), "0.21");
        let l = ids(&app.post(MANUFACTURER, "/locations/v2", json!([{"name": "Camel Cage", "locationTypeName": "Quarantine"}])).send().await.ok())[0];
        assert_eq!(str_field(&app.get(MANUFACTURER, &format!("/locations/v2/{l}")).send().await.ok().json(), "LocationTypeName"), "Quarantine");
    })
    .await;
}

/// PUT bodies address existing records: an element without `Id` is a row error, and nothing
/// in the body is applied.
#[tokio::test]
async fn put_without_id_is_a_row_error() {
    for_each_backend(async |app| {
        let before = app.journal(CULTIVATOR).await.len();
        let item = app.list(CULTIVATOR, "/items/v2/active").await.into_iter().find(|i| i["Name"] == "Blue Dream Flower").expect("demo item");
        let id = int_field(&item, "Id");
        let r = app
            .put(
                CULTIVATOR,
                "/items/v2",
                json!([
                    {"Id": id, "ItemCategory": "Buds", "Name": "Renamed Flower", "UnitOfMeasure": "Grams", "Strain": "Blue Dream"},
                    {"ItemCategory": "Buds", "Name": "Idless Flower", "UnitOfMeasure": "Grams", "Strain": "Blue Dream"},
                ]),
            )
            .send()
            .await
            .status(400);
        assert_eq!(r.rows(), vec![(1, "Id was not specified.".to_string())]);
        assert_eq!(str_field(&app.get(CULTIVATOR, &format!("/items/v2/{id}")).send().await.ok().json(), "Name"), "Blue Dream Flower");
        for (path, body) in [
            ("/strains/v2", json!([{"Name": "Idless Strain"}])),
            ("/locations/v2", json!([{"Name": "Idless Room", "LocationTypeName": "Storage"}])),
            ("/sublocations/v2", json!([{"Name": "Idless Shelf"}])),
            ("/items/v2/brand", json!([{"Name": "Idless Brand"}])),
        ] {
            let r = app.put(CULTIVATOR, path, body).send().await.status(400);
            assert_eq!(r.rows(), vec![(0, "Id was not specified.".to_string())], "PUT {path}");
        }
        assert_eq!(app.journal(CULTIVATOR).await.len(), before);
    })
    .await;
}

/// An unknown or malformed id → 404 `{"Message"}`, on reads and archives.
#[tokio::test]
async fn unknown_id_is_404() {
    for_each_backend(async |app| {
        for base in [
            "/items/v2",
            "/strains/v2",
            "/locations/v2",
            "/sublocations/v2",
        ] {
            let r = app
                .get(CULTIVATOR, &format!("{base}/999999"))
                .send()
                .await
                .status(404);
            assert!(r.message().contains("999999"), "{}", r.body);
            app.get(CULTIVATOR, &format!("{base}/999999"))
                .without_license()
                .send()
                .await
                .status(404)
                .message();
            app.get(CULTIVATOR, &format!("{base}/not-a-number"))
                .send()
                .await
                .status(404)
                .message();
            app.delete(CULTIVATOR, &format!("{base}/999999"))
                .send()
                .await
                .status(404)
                .message();
        }
        // An unknown route is a 404 `{"Message"}` too.
        app.get(CULTIVATOR, "/nonsense/v2/active")
            .send()
            .await
            .status(404)
            .message();
    })
    .await;
}

/// Metrc's docs write `POST /items/v2/` with a trailing slash; it must work like `/items/v2`.
#[tokio::test]
async fn trailing_slash_post_works() {
    for_each_backend(async |app| {
        let id = ids(&app
            .post(
                MANUFACTURER,
                "/items/v2/",
                json!([gummies("Slash Gummies")]),
            )
            .send()
            .await
            .ok())[0];
        let listed = app.list(MANUFACTURER, "/items/v2/active/").await;
        assert!(
            listed
                .iter()
                .any(|i| int_field(i, "Id") == id && i["Name"] == "Slash Gummies")
        );
        app.post(
            MANUFACTURER,
            "/strains/v2/",
            json!([{"Name": "Slash Kush"}]),
        )
        .send()
        .await
        .ok();
        assert!(
            app.names(MANUFACTURER, "/strains/v2/active")
                .await
                .contains(&"Slash Kush".to_string())
        );
    })
    .await;
}

/// A route that exists with other methods answers 405 (Metrc's answer for removed endpoints).
#[tokio::test]
async fn wrong_method_is_405() {
    for_each_backend(async |app| {
        app.call(Method::PATCH, "/items/v2")
            .acting_as(CULTIVATOR)
            .license(CULTIVATOR)
            .json(json!([]))
            .send()
            .await
            .status(405);
        app.delete(CULTIVATOR, "/items/v2/active")
            .send()
            .await
            .status(405);
    })
    .await;
}

/// The typed client sees row errors as `Error::Rows` with the HTTP status.
#[tokio::test]
async fn client_decodes_row_errors() {
    for_each_backend(async |app| {
        let bad = ItemRequest {
            item_category: Some("Buds".into()),
            name: Some("Typed Buds".into()),
            unit_of_measure: Some("Grams".into()),
            ..Default::default()
        };
        match app
            .client(CULTIVATOR)
            .create("/items/v2", CULTIVATOR, &[bad])
            .await
        {
            Err(Error::Rows { status, rows }) => {
                assert_eq!(status, 400);
                assert_eq!(rows.len(), 1);
                assert_eq!(rows[0].row, 0);
            }
            other => panic!("expected row errors, got {other:?}"),
        }
        match app
            .client(CULTIVATOR)
            .get::<Value>(
                "/items/v2/active",
                &[("licenseNumber", MANUFACTURER.into())],
            )
            .await
        {
            Err(Error::Api { status, message }) => {
                assert_eq!(status, 401);
                assert!(!message.is_empty());
            }
            other => panic!("expected a 401, got {other:?}"),
        }
    })
    .await;
}
