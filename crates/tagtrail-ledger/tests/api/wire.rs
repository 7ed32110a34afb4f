//! Wire format (`metrc-v2-api.md` §4, §8): PascalCase field names on every answer, lower-case
//! `row`/`message` in write validation errors, JSON error bodies.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn responses_use_pascal_case_field_names() {
    for_each_backend(async |app| {
        let item = app.list(CULTIVATOR, "/items/v2/active").await.remove(0);
        let strain = app.list(CULTIVATOR, "/strains/v2/active").await.remove(0);
        let location = app.list(CULTIVATOR, "/locations/v2/active").await.remove(0);
        let sub = app
            .list(CULTIVATOR, "/sublocations/v2/active")
            .await
            .remove(0);
        let single = [
            format!("/items/v2/{}", int_field(&item, "Id")),
            format!("/strains/v2/{}", int_field(&strain, "Id")),
            format!("/locations/v2/{}", int_field(&location, "Id")),
            format!("/sublocations/v2/{}", int_field(&sub, "Id")),
        ];
        let lists = [
            "/facilities/v2",
            "/employees/v2",
            "/unitsofmeasure/v2/active",
            "/unitsofmeasure/v2/inactive",
            "/wastemethods/v2",
            "/items/v2/active",
            "/items/v2/inactive",
            "/items/v2/categories",
            "/items/v2/brands",
            "/strains/v2/active",
            "/strains/v2/inactive",
            "/locations/v2/active",
            "/locations/v2/inactive",
            "/locations/v2/types",
            "/sublocations/v2/active",
            "/sublocations/v2/inactive",
            "/tags/v2/package/available",
            "/tags/v2/plant/available",
            "/tags/v2/staged",
            "/tagtrail/v1/tags/orders",
            "/tagtrail/v1/journal",
        ];
        for path in lists
            .iter()
            .copied()
            .chain(single.iter().map(String::as_str))
        {
            let r = app.get(CULTIVATOR, path).send().await.ok();
            assert!(
                r.header("content-type")
                    .unwrap_or_default()
                    .starts_with("application/json"),
                "{}",
                r.what
            );
            assert_pascal_case(&r.json(), path);
        }
        // Spot checks of Metrc's spellings.
        for key in [
            "Id",
            "Name",
            "ProductCategoryName",
            "ProductCategoryType",
            "QuantityType",
            "UnitOfMeasureName",
            "StrainId",
            "StrainName",
            "ItemBrandName",
            "UnitThcContent",
            "ProductPDFDocuments",
            "IsArchived",
            "LastModified",
        ] {
            assert!(item.get(key).is_some(), "Item lacks {key}: {item}");
        }
        for key in [
            "Id",
            "Name",
            "TestingStatus",
            "ThcLevel",
            "CbdLevel",
            "IndicaPercentage",
            "SativaPercentage",
            "LastModified",
        ] {
            assert!(strain.get(key).is_some(), "Strain lacks {key}: {strain}");
        }
        // Decimals are JSON numbers, as seeded (Blue Dream: 0.1800 THC, 0.005 CBD, 40/60).
        let blue_dream = by_name(
            &app.list(CULTIVATOR, "/strains/v2/active").await,
            "Blue Dream",
        )
        .cloned()
        .expect("demo strain");
        let levels: Vec<String> = [
            "ThcLevel",
            "CbdLevel",
            "IndicaPercentage",
            "SativaPercentage",
        ]
        .iter()
        .map(|k| decimal(&blue_dream, k))
        .collect();
        assert_eq!(levels, ["0.1800", "0.005", "40", "60"]);
        let clones = by_name(
            &app.list(CULTIVATOR, "/items/v2/active").await,
            "Sour Diesel Clones",
        )
        .cloned()
        .expect("demo item");
        assert_eq!(decimal(&clones, "UnitThcContent"), "100");
        for key in [
            "Id",
            "Name",
            "LocationTypeId",
            "LocationTypeName",
            "ForPlantBatches",
            "ForPlants",
            "ForHarvests",
            "ForPackages",
        ] {
            assert!(
                location.get(key).is_some(),
                "Location lacks {key}: {location}"
            );
        }
        // A create answers {"Ids": [...], "Warnings": null}.
        let r = app
            .post(CULTIVATOR, "/strains/v2", json!([{"Name": "Wire Kush"}]))
            .send()
            .await
            .ok();
        let created = r.json();
        assert_eq!(created.as_object().map(|o| o.len()), Some(2), "{created}");
        assert!(created["Ids"].is_array());
        assert!(created["Warnings"].is_null());
    })
    .await;
}

/// Write validation errors: `[{"row": i, "message": "..."}]` with lower-case keys; every other
/// error: `{"Message": "..."}`, as JSON.
#[tokio::test]
async fn error_bodies_have_metrcs_two_shapes() {
    for_each_backend(async |app| {
        let r = app
            .post(
                CULTIVATOR,
                "/strains/v2",
                json!([{"Name": "Fine"}, {"Name": ""}]),
            )
            .send()
            .await
            .status(400);
        assert!(
            r.header("content-type")
                .unwrap_or_default()
                .starts_with("application/json")
        );
        assert_eq!(
            r.json(),
            json!([{"row": 1, "message": "Name was not specified."}])
        );
        for resp in [
            app.get(CULTIVATOR, "/items/v2/active")
                .no_auth()
                .send()
                .await
                .status(401),
            app.get(CULTIVATOR, "/items/v2/active")
                .without_license()
                .send()
                .await
                .status(400),
            app.get(DISTRIBUTOR, "/items/v2/active")
                .acting_as_clerk()
                .send()
                .await
                .status(403),
            app.get(CULTIVATOR, "/items/v2/0").send().await.status(404),
            app.post(CULTIVATOR, "/strains/v2", json!([]))
                .raw_body("{}")
                .send()
                .await
                .status(400),
        ] {
            assert!(
                resp.header("content-type")
                    .unwrap_or_default()
                    .starts_with("application/json"),
                "{}",
                resp.what
            );
            assert!(!resp.message().is_empty());
        }
    })
    .await;
}
