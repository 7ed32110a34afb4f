//! Locations and sublocations: create, read, update, archive.

use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test]
async fn locations_create_read_update_archive() {
    for_each_backend(async |app| {
        assert_eq!(
            app.names(CULTIVATOR, "/locations/v2/active").await,
            vec!["Drying Room", "Greenhouse A", "Vault"]
        );
        // Type names are matched without case (rule 71) and stored canonically.
        let id = ids(&app
            .post(
                CULTIVATOR,
                "/locations/v2",
                json!([{"Name": "Mother Room", "LocationTypeName": "planting"}]),
            )
            .send()
            .await
            .ok())[0];
        let loc = app
            .get(CULTIVATOR, &format!("/locations/v2/{id}"))
            .send()
            .await
            .ok()
            .json();
        assert_eq!(str_field(&loc, "Name"), "Mother Room");
        assert_eq!(str_field(&loc, "LocationTypeName"), "Planting");
        assert_eq!(int_field(&loc, "LocationTypeId"), 2);
        assert_eq!(
            (loc["ForPlants"].clone(), loc["ForPackages"].clone()),
            (Value::Bool(true), Value::Bool(false))
        );

        app.put(
            CULTIVATOR,
            "/locations/v2",
            json!([{"Id": id, "Name": "Mother Room East", "LocationTypeName": "Default"}]),
        )
        .send()
        .await
        .ok();
        let loc = app
            .get(CULTIVATOR, &format!("/locations/v2/{id}"))
            .send()
            .await
            .ok()
            .json();
        assert_eq!(
            (str_field(&loc, "Name"), str_field(&loc, "LocationTypeName")),
            ("Mother Room East".into(), "Default".into())
        );

        assert!(
            app.list(CULTIVATOR, "/locations/v2/inactive")
                .await
                .is_empty()
        );
        app.delete(CULTIVATOR, &format!("/locations/v2/{id}"))
            .send()
            .await
            .ok();
        assert_eq!(
            app.names(CULTIVATOR, "/locations/v2/active").await,
            vec!["Drying Room", "Greenhouse A", "Vault"]
        );
        assert_eq!(
            app.names(CULTIVATOR, "/locations/v2/inactive").await,
            vec!["Mother Room East"]
        );
    })
    .await;
}

#[tokio::test]
async fn location_types_and_names_are_checked() {
    for_each_backend(async |app| {
        let before = app.journal(MANUFACTURER).await.len();
        let r = app
            .post(
                MANUFACTURER,
                "/locations/v2",
                json!([
                    {"Name": "Grow Tent", "LocationTypeName": "Planting"},
                    {"Name": "No Type"},
                    {"Name": "Fantasy", "LocationTypeName": "Hyperspace"},
                    {"Name": "finished goods", "LocationTypeName": "Storage"},
                    {"Name": "Fine Room", "LocationTypeName": "Storage"},
                ]),
            )
            .send()
            .await
            .status(400);
        let rows: Vec<u64> = r.rows().iter().map(|(row, _)| *row).collect();
        assert_eq!(rows, vec![0, 1, 2, 3], "{}", r.body);
        assert!(
            r.rows()[0].1.contains("Planting"),
            "a manufacturer has no planting locations: {}",
            r.body
        );
        assert!(
            r.rows()[3].1.contains("already exists"),
            "names are unique without case: {}",
            r.body
        );
        assert_eq!(
            app.names(MANUFACTURER, "/locations/v2/active").await,
            vec!["Extraction Lab", "Finished Goods", "Packaging Line"]
        );
        assert_eq!(app.journal(MANUFACTURER).await.len(), before);
    })
    .await;
}

#[tokio::test]
async fn sublocations_create_read_update_archive() {
    for_each_backend(async |app| {
        assert_eq!(
            app.names(RETAILER, "/sublocations/v2/active").await,
            vec!["Shelf 1", "Shelf 2"]
        );
        let new = ids(&app
            .post(
                RETAILER,
                "/sublocations/v2",
                json!([{"Name": "Top Drawer"}, {"Name": "Bottom Drawer"}]),
            )
            .send()
            .await
            .ok());
        assert_eq!(new.len(), 2);
        let top = app
            .get(RETAILER, &format!("/sublocations/v2/{}", new[0]))
            .send()
            .await
            .ok()
            .json();
        assert_eq!(str_field(&top, "Name"), "Top Drawer");
        assert!(top["LastModified"].is_string());
        let r = app
            .post(RETAILER, "/sublocations/v2", json!([{"Name": "SHELF 1"}]))
            .send()
            .await
            .status(400);
        assert!(r.rows()[0].1.contains("already exists"), "{}", r.body);

        app.put(
            RETAILER,
            "/sublocations/v2",
            json!([{"Id": new[0], "Name": "Top Drawer (Locked)"}]),
        )
        .send()
        .await
        .ok();
        assert_eq!(
            str_field(
                &app.get(RETAILER, &format!("/sublocations/v2/{}", new[0]))
                    .send()
                    .await
                    .ok()
                    .json(),
                "Name"
            ),
            "Top Drawer (Locked)"
        );

        app.delete(RETAILER, &format!("/sublocations/v2/{}", new[1]))
            .send()
            .await
            .ok();
        assert_eq!(
            app.names(RETAILER, "/sublocations/v2/active").await,
            vec!["Shelf 1", "Shelf 2", "Top Drawer (Locked)"]
        );
        assert_eq!(
            app.names(RETAILER, "/sublocations/v2/inactive").await,
            vec!["Bottom Drawer"]
        );
        // Not visible to, nor archivable by, another facility.
        assert_eq!(
            app.names(CULTIVATOR, "/sublocations/v2/active").await,
            vec!["Shelf 1", "Shelf 2"]
        );
        app.delete(CULTIVATOR, &format!("/sublocations/v2/{}", new[0]))
            .send()
            .await
            .status(404);
    })
    .await;
}
