//! Strains: create, read, update, archive, validation.

use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test]
async fn strains_create_read_update_archive() {
    for_each_backend(async |app| {
        assert_eq!(app.names(CULTIVATOR, "/strains/v2/active").await, vec!["Blue Dream", "OG Kush", "Sour Diesel"]);
        assert!(app.list(CULTIVATOR, "/strains/v2/inactive").await.is_empty());
        let r = app
            .post(
                CULTIVATOR,
                "/strains/v2",
                json!([
                    {"Name": "Gelato", "TestingStatus": "ThirdParty", "ThcLevel": 0.2275, "CbdLevel": 0.001, "IndicaPercentage": 55, "SativaPercentage": 45, "Genetics": "Sunset Sherbet x Thin Mint GSC"},
                    {"Name": "Durban Poison"},
                ]),
            )
            .send()
            .await
            .ok();
        let new = ids(&r);
        assert_eq!(new.len(), 2);
        assert_ne!(new[0], new[1]);
        let gelato = app.get(CULTIVATOR, &format!("/strains/v2/{}", new[0])).send().await.ok().json();
        assert_eq!(str_field(&gelato, "Name"), "Gelato");
        assert_eq!(str_field(&gelato, "TestingStatus"), "ThirdParty");
        assert_eq!(decimal(&gelato, "ThcLevel"), "0.2275");
        assert_eq!(decimal(&gelato, "CbdLevel"), "0.001");
        assert_eq!(decimal(&gelato, "IndicaPercentage"), "55");
        assert_eq!(decimal(&gelato, "SativaPercentage"), "45");
        assert_eq!(str_field(&gelato, "Genetics"), "Sunset Sherbet x Thin Mint GSC");
        let durban = app.get(CULTIVATOR, &format!("/strains/v2/{}", new[1])).send().await.ok().json();
        assert_eq!(str_field(&durban, "TestingStatus"), "None", "the default testing status");
        assert_eq!(app.list(CULTIVATOR, "/strains/v2/active").await.len(), 5);

        app.put(CULTIVATOR, "/strains/v2", json!([{"Id": new[1], "Name": "Durban Poison #1", "TestingStatus": "inhouse"}])).send().await.ok();
        let durban = app.get(CULTIVATOR, &format!("/strains/v2/{}", new[1])).send().await.ok().json();
        assert_eq!((str_field(&durban, "Name"), str_field(&durban, "TestingStatus")), ("Durban Poison #1".into(), "InHouse".into()));

        app.delete(CULTIVATOR, &format!("/strains/v2/{}", new[1])).send().await.ok();
        let active = app.names(CULTIVATOR, "/strains/v2/active").await;
        assert_eq!(active, vec!["Blue Dream", "Gelato", "OG Kush", "Sour Diesel"]);
        let inactive = app.list(CULTIVATOR, "/strains/v2/inactive").await;
        assert_eq!(inactive.len(), 1);
        assert_eq!(int_field(&inactive[0], "Id"), new[1]);
        // The archived name is free again.
        app.post(CULTIVATOR, "/strains/v2", json!([{"Name": "Durban Poison #1"}])).send().await.ok();
        // Other facilities' strains are separate.
        assert_eq!(app.names(MANUFACTURER, "/strains/v2/active").await, vec!["Blue Dream"]);
    })
    .await;
}

#[tokio::test]
async fn strain_validation_is_per_row() {
    for_each_backend(async |app| {
        let before = app.journal(CULTIVATOR).await.len();
        let r = app
            .post(
                CULTIVATOR,
                "/strains/v2",
                json!([
                    {"Name": "Fine Strain"},
                    {"Name": ""},
                    {"Name": "Too Potent", "ThcLevel": 1.5},
                    {"Name": "Overfull", "IndicaPercentage": 70, "SativaPercentage": 40},
                    {"Name": "Untested", "TestingStatus": "Vibes"},
                    {"Name": "fine strain"},
                ]),
            )
            .send()
            .await
            .status(400);
        let rows: Vec<u64> = r.rows().iter().map(|(row, _)| *row).collect();
        assert_eq!(rows, vec![1, 2, 3, 4, 5]);
        assert_eq!(r.rows()[0].1, "Name was not specified.");
        assert!(
            !app.names(CULTIVATOR, "/strains/v2/active")
                .await
                .contains(&"Fine Strain".to_string())
        );
        assert_eq!(app.journal(CULTIVATOR).await.len(), before);
        // Updating a strain that does not exist here.
        let theirs = int_field(&app.list(MANUFACTURER, "/strains/v2/active").await[0], "Id");
        let r = app
            .put(
                CULTIVATOR,
                "/strains/v2",
                json!([{"Id": theirs, "Name": "Hijacked"}]),
            )
            .send()
            .await
            .status(400);
        assert_eq!(r.rows()[0].0, 0);
        assert_eq!(
            app.list(MANUFACTURER, "/strains/v2/active").await[0]["Name"],
            Value::String("Blue Dream".into())
        );
    })
    .await;
}
