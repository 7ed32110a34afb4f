//! Transporters: drivers and vehicles of a distributor (rule 39).

use crate::helpers::*;
use serde_json::json;

/// Drivers: list, create, read, update (with Metrc's string Ids), archive; a driver's license
/// number is unique at the facility.
#[tokio::test]
async fn drivers_lifecycle() {
    for_each_backend(async |app| {
        let before = app.list(DISTRIBUTOR, "/transporters/v2/drivers").await;
        assert!(before.iter().any(|d| str_field(d, "Name") == "Luis Ortega"), "the demo's drivers");
        let id = ids(&app.post(DISTRIBUTOR, "/transporters/v2/drivers", json!([{"Name": "Rae Kim", "DriversLicenseNumber": "D1000001", "EmployeeId": "E-9"}])).send().await.ok())[0];
        let d = app.get(DISTRIBUTOR, &format!("/transporters/v2/drivers/{id}")).send().await.ok().json();
        assert_eq!((str_field(&d, "Name"), str_field(&d, "DriversLicenseNumber"), str_field(&d, "EmployeeId")), ("Rae Kim".into(), "D1000001".into(), "E-9".into()));
        assert_pascal_case(&d, "driver");
        // Metrc's examples send the Id as a string.
        app.put(DISTRIBUTOR, "/transporters/v2/drivers", json!([{"Id": id.to_string(), "Name": "Rae Kimura", "DriversLicenseNumber": "D1000001"}])).send().await.ok();
        let d = app.get(DISTRIBUTOR, &format!("/transporters/v2/drivers/{id}")).send().await.ok().json();
        assert_eq!(str_field(&d, "Name"), "Rae Kimura");
        let dup = app.post(DISTRIBUTOR, "/transporters/v2/drivers", json!([{"Name": "Other", "DriversLicenseNumber": "d1000001"}])).send().await.status(400);
        assert_eq!(dup.rows()[0].0, 0);
        app.delete(DISTRIBUTOR, &format!("/transporters/v2/drivers/{id}")).send().await.ok();
        assert!(!app.list(DISTRIBUTOR, "/transporters/v2/drivers").await.iter().any(|d| int_field(d, "Id") == id));
        app.delete(DISTRIBUTOR, &format!("/transporters/v2/drivers/{id}")).send().await.status(400);
    })
    .await;
}

/// Vehicles: create, read, update, archive; plates are stored upper-case and unique.
#[tokio::test]
async fn vehicles_lifecycle() {
    for_each_backend(async |app| {
        let id = ids(&app.post(DISTRIBUTOR, "/transporters/v2/vehicles", json!([{"Make": "Mercedes", "Model": "Sprinter", "LicensePlateNumber": "7xyz001"}])).send().await.ok())[0];
        let v = app.get(DISTRIBUTOR, &format!("/transporters/v2/vehicles/{id}")).send().await.ok().json();
        assert_eq!(str_field(&v, "LicensePlateNumber"), "7XYZ001");
        let dup = app.post(DISTRIBUTOR, "/transporters/v2/vehicles", json!([{"Make": "Ford", "Model": "E-350", "LicensePlateNumber": "7XYZ001"}, {"Make": "", "Model": "x", "LicensePlateNumber": "1"}])).send().await.status(400);
        assert_eq!(dup.rows().iter().map(|r| r.0).collect::<Vec<_>>(), vec![0, 1]);
        app.put(DISTRIBUTOR, "/transporters/v2/vehicles", json!([{"Id": id, "Make": "Mercedes", "Model": "Sprinter 2500", "LicensePlateNumber": "7XYZ001"}])).send().await.ok();
        let page = app.get(DISTRIBUTOR, "/transporters/v2/vehicles").query("pageNumber", "1").query("pageSize", "1").send().await.ok().json();
        assert_eq!(int_field(&page, "PageSize"), 1);
        assert!(app.list(DISTRIBUTOR, "/transporters/v2/vehicles").await.iter().any(|v| str_field(v, "Model") == "Sprinter 2500"));
        app.delete(DISTRIBUTOR, &format!("/transporters/v2/vehicles/{id}")).send().await.ok();
        assert!(!app.list(DISTRIBUTOR, "/transporters/v2/vehicles").await.iter().any(|v| int_field(v, "Id") == id));
    })
    .await;
}

/// Rule 39: only a distributor transports; other license types cannot register drivers or
/// vehicles. Permissions and license scoping as everywhere else.
#[tokio::test]
async fn rule_39_only_distributors_and_scoping() {
    for_each_backend(async |app| {
        for lic in [CULTIVATOR, MANUFACTURER, LAB, RETAILER] {
            app.post(
                lic,
                "/transporters/v2/drivers",
                json!([{"Name": "X", "DriversLicenseNumber": "D2"}]),
            )
            .send()
            .await
            .status(403)
            .message();
            app.post(
                lic,
                "/transporters/v2/vehicles",
                json!([{"Make": "X", "Model": "Y", "LicensePlateNumber": "Z1"}]),
            )
            .send()
            .await
            .status(403)
            .message();
            assert!(app.list(lic, "/transporters/v2/drivers").await.is_empty());
        }
        app.get(DISTRIBUTOR, "/transporters/v2/drivers")
            .acting_as_clerk()
            .send()
            .await
            .status(403);
        let id = int_field(
            &app.list(DISTRIBUTOR, "/transporters/v2/drivers").await[0],
            "Id",
        );
        app.get(RETAILER, &format!("/transporters/v2/drivers/{id}"))
            .send()
            .await
            .status(401);
        app.get(DISTRIBUTOR, "/transporters/v2/drivers/999999")
            .send()
            .await
            .status(404);
        app.post(
            DISTRIBUTOR,
            "/transporters/v2/drivers",
            json!([{"Id": "abc", "Name": "X", "DriversLicenseNumber": "D3"}]),
        )
        .send()
        .await
        .status(400);
    })
    .await;
}

/// Transfer reference lists: California's transfer types (rule 42) and the delivery-package
/// states (§2.6).
#[tokio::test]
async fn transfer_reference_lists() {
    for_each_backend(async |app| {
        let types = app
            .get(DISTRIBUTOR, "/transfers/v2/types")
            .query("pageNumber", "1")
            .query("pageSize", "2")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(
            (
                int_field(&types, "Total"),
                int_field(&types, "RecordsOnPage")
            ),
            (3, 2)
        );
        let all = app.list(DISTRIBUTOR, "/transfers/v2/types").await;
        let wholesale = all
            .iter()
            .find(|t| str_field(t, "Name") == "Wholesale Manifest")
            .expect("wholesale type");
        assert_eq!(str_field(wholesale, "TransactionType"), "Wholesale");
        app.get(DISTRIBUTOR, "/transfers/v2/types")
            .without_license()
            .send()
            .await
            .status(400);
        let states = app
            .call(
                reqwest::Method::GET,
                "/transfers/v2/deliveries/packages/states",
            )
            .acting_as(DISTRIBUTOR)
            .send()
            .await
            .ok()
            .json();
        assert_eq!(
            states,
            json!(["Shipped", "Rejected", "Accepted", "Returned"])
        );
        app.call(
            reqwest::Method::GET,
            "/transfers/v2/deliveries/packages/states",
        )
        .send()
        .await
        .status(401);
    })
    .await;
}
