//! Facilities, employees, employee permissions, units of measure, waste methods, item categories
//! and location types.

use crate::helpers::*;
use serde_json::Value;
use std::collections::BTreeSet;

#[tokio::test]
async fn facilities_list_the_callers_licenses_with_capabilities() {
    for_each_backend(async |app| {
        // No licenseNumber: the list is scoped by the user key.
        let cult = app
            .call(reqwest::Method::GET, "/facilities/v2")
            .acting_as(CULTIVATOR)
            .send()
            .await
            .ok()
            .json();
        let cult = cult.as_array().expect("a bare array").clone();
        assert_eq!(cult.len(), 1, "{cult:?}");
        let f = &cult[0];
        assert_eq!(str_field(f, "Name"), "Emerald Triangle Farms");
        assert_eq!(str_field(&f["License"], "Number"), CULTIVATOR);
        assert_eq!(
            str_field(&f["License"], "LicenseType"),
            "Adult-Use Cultivation"
        );
        assert_eq!(
            str_field(&f["License"], "EmployeeLicenseNumber"),
            "EMP-100101"
        );
        assert_eq!(f["IsOwner"], Value::Bool(true));
        assert_eq!(f["FacilityType"]["CanGrowPlants"], Value::Bool(true));
        assert_eq!(f["FacilityType"]["EnableSublocations"], Value::Bool(true));

        let dist = app
            .call(reqwest::Method::GET, "/facilities/v2")
            .acting_as(DISTRIBUTOR)
            .send()
            .await
            .ok()
            .json();
        let f = &dist[0];
        assert_eq!(str_field(&f["License"], "Number"), DISTRIBUTOR);
        assert_eq!(f["FacilityType"]["CanGrowPlants"], Value::Bool(false));
        assert_eq!(
            f["FacilityType"]["CanTransferFromExternalFacilities"],
            Value::Bool(true)
        );
        // The clerk sees the distributor, as a non-owner.
        let clerk = app
            .call(reqwest::Method::GET, "/facilities/v2")
            .acting_as_clerk()
            .send()
            .await
            .ok()
            .json();
        assert_eq!(clerk.as_array().map(Vec::len), Some(1));
        assert_eq!(clerk[0]["IsOwner"], Value::Bool(false));
        assert_eq!(str_field(&clerk[0]["License"], "Number"), DISTRIBUTOR);
    })
    .await;
}

#[tokio::test]
async fn employees_are_listed_per_facility_and_paged() {
    for_each_backend(async |app| {
        let all = app
            .get(DISTRIBUTOR, "/employees/v2")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(int_field(&all, "Total"), 2);
        let names: BTreeSet<String> = all["Data"]
            .as_array()
            .expect("Data")
            .iter()
            .map(|e| str_field(e, "FullName"))
            .collect();
        assert_eq!(
            names,
            BTreeSet::from(["Priya Natarajan".to_string(), "Sam Rivera".to_string()])
        );
        let badges: BTreeSet<String> = all["Data"]
            .as_array()
            .expect("Data")
            .iter()
            .map(|e| str_field(&e["License"], "EmployeeLicenseNumber"))
            .collect();
        assert_eq!(
            badges,
            BTreeSet::from(["EMP-300301".to_string(), "EMP-300302".to_string()])
        );

        let cult = app.list(CULTIVATOR, "/employees/v2").await;
        assert_eq!(cult.len(), 1);
        assert_eq!(str_field(&cult[0], "FullName"), "Rosa Alvarez");

        let p2 = app
            .get(DISTRIBUTOR, "/employees/v2")
            .query("pageSize", "1")
            .query("pageNumber", "2")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(
            (
                int_field(&p2, "Total"),
                int_field(&p2, "RecordsOnPage"),
                int_field(&p2, "TotalPages"),
                int_field(&p2, "Page")
            ),
            (2, 1, 2, 2)
        );
        let p1 = app
            .get(DISTRIBUTOR, "/employees/v2")
            .query("pageSize", "1")
            .send()
            .await
            .ok()
            .json();
        assert_ne!(
            p1["Data"][0], p2["Data"][0],
            "pages 1 and 2 hold different employees"
        );
    })
    .await;
}

#[tokio::test]
async fn employee_permissions_are_the_lower_case_names_held_here() {
    for_each_backend(async |app| {
        let perms = app
            .get(DISTRIBUTOR, "/employees/v2/permissions")
            .query("employeeLicenseNumber", "EMP-300302")
            .send()
            .await
            .ok()
            .json();
        let mut perms: Vec<String> = perms
            .as_array()
            .expect("a bare array")
            .iter()
            .map(|p| p.as_str().expect("a string").to_string())
            .collect();
        perms.sort();
        assert_eq!(perms, vec!["manage tags", "view employees"]);
        // Case-insensitive employee license number (rule 71).
        app.get(DISTRIBUTOR, "/employees/v2/permissions")
            .query("employeeLicenseNumber", "emp-300302")
            .send()
            .await
            .ok();
        let owner = app
            .get(DISTRIBUTOR, "/employees/v2/permissions")
            .query("employeeLicenseNumber", "EMP-300301")
            .send()
            .await
            .ok()
            .json();
        assert!(
            owner
                .as_array()
                .expect("array")
                .iter()
                .any(|p| p == "manage items"),
            "{owner}"
        );

        let r = app
            .get(DISTRIBUTOR, "/employees/v2/permissions")
            .send()
            .await
            .status(400);
        assert!(r.message().contains("employeeLicenseNumber"));
        // Someone employed elsewhere, and someone who does not exist.
        app.get(DISTRIBUTOR, "/employees/v2/permissions")
            .query("employeeLicenseNumber", "EMP-100101")
            .send()
            .await
            .status(404)
            .message();
        app.get(DISTRIBUTOR, "/employees/v2/permissions")
            .query("employeeLicenseNumber", "EMP-999999")
            .send()
            .await
            .status(404)
            .message();
    })
    .await;
}

#[tokio::test]
async fn units_of_measure_active_and_inactive() {
    for_each_backend(async |app| {
        // Global lists: no licenseNumber, but credentials are required.
        let active = app
            .call(reqwest::Method::GET, "/unitsofmeasure/v2/active")
            .acting_as(RETAILER)
            .send()
            .await
            .ok()
            .json();
        let active = active.as_array().expect("a bare array");
        let grams = by_name(active, "Grams").expect("Grams is active");
        assert_eq!(
            (
                str_field(grams, "QuantityType"),
                str_field(grams, "Abbreviation")
            ),
            ("WeightBased".into(), "g".into())
        );
        let each = by_name(active, "Each").expect("Each is active");
        assert_eq!(str_field(each, "QuantityType"), "CountBased");
        assert!(by_name(active, "Liters").is_some());
        assert!(by_name(active, "Tonns").is_none());
        assert_eq!(active.len(), 12);

        let inactive = app
            .call(reqwest::Method::GET, "/unitsofmeasure/v2/inactive")
            .acting_as(RETAILER)
            .send()
            .await
            .ok()
            .json();
        let names: Vec<String> = inactive
            .as_array()
            .expect("a bare array")
            .iter()
            .map(|u| str_field(u, "Name"))
            .collect();
        assert_eq!(names, vec!["Tonns"]);

        app.call(reqwest::Method::GET, "/unitsofmeasure/v2/active")
            .send()
            .await
            .status(401);
    })
    .await;
}

#[tokio::test]
async fn waste_methods() {
    for_each_backend(async |app| {
        let methods = app
            .call(reqwest::Method::GET, "/wastemethods/v2")
            .acting_as(CULTIVATOR)
            .send()
            .await
            .ok()
            .json();
        let names: Vec<String> = methods
            .as_array()
            .expect("a bare array")
            .iter()
            .map(|m| str_field(m, "Name"))
            .collect();
        assert_eq!(
            names,
            vec![
                "Compost",
                "Grinder",
                "Incinerator",
                "Mixed Waste",
                "Landfill"
            ]
        );
        app.call(reqwest::Method::GET, "/wastemethods/v2")
            .send()
            .await
            .status(401);
    })
    .await;
}

#[tokio::test]
async fn item_categories_with_and_without_license() {
    for_each_backend(async |app| {
        let scoped = app
            .get(CULTIVATOR, "/items/v2/categories")
            .send()
            .await
            .ok()
            .json();
        let unscoped = app
            .call(reqwest::Method::GET, "/items/v2/categories")
            .acting_as(CULTIVATOR)
            .send()
            .await
            .ok()
            .json();
        assert_eq!(scoped, unscoped);
        let data = scoped["Data"].as_array().expect("Data");
        let total = int_field(&scoped, "Total");
        assert_eq!(total, data.len() as i64);
        let buds = by_name(data, "Buds").expect("Buds");
        assert_eq!(buds["RequiresStrain"], Value::Bool(true));
        assert_eq!(str_field(buds, "QuantityType"), "WeightBased");
        let gummies = by_name(data, "Edible (Each)").expect("Edible (Each)");
        assert_eq!(gummies["RequiresStrain"], Value::Bool(false));
        assert_eq!(str_field(gummies, "QuantityType"), "CountBased");
        assert_eq!(gummies["RequiresUnitThcContent"], Value::Bool(true));
        assert!(by_name(data, "Immature Plants").is_some());

        let page = app
            .get(CULTIVATOR, "/items/v2/categories")
            .query("pageSize", "2")
            .query("pageNumber", "2")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(
            page["Data"].as_array().map(|d| d.as_slice()),
            Some(&data[2..4])
        );
        assert_eq!(int_field(&page, "TotalPages"), (total + 1) / 2);
        // licenseNumber is optional, but when given it must be the caller's.
        app.get(MANUFACTURER, "/items/v2/categories")
            .acting_as(CULTIVATOR)
            .send()
            .await
            .status(401);
    })
    .await;
}

#[tokio::test]
async fn location_types_depend_on_license_type() {
    for_each_backend(async |app| {
        let cult = app.names(CULTIVATOR, "/locations/v2/types").await;
        assert_eq!(
            cult,
            vec![
                "Default",
                "Drying",
                "Packing",
                "Planting",
                "Quarantine",
                "Storage"
            ]
        );
        let mfg = app.names(MANUFACTURER, "/locations/v2/types").await;
        assert_eq!(mfg, vec!["Default", "Packing", "Quarantine", "Storage"]);
        let types = app.list(CULTIVATOR, "/locations/v2/types").await;
        let planting = by_name(&types, "Planting").expect("Planting");
        assert_eq!(
            (
                planting["ForPlants"].clone(),
                planting["ForPackages"].clone()
            ),
            (Value::Bool(true), Value::Bool(false))
        );
        let paged = app
            .get(CULTIVATOR, "/locations/v2/types")
            .query("pageSize", "4")
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
            (6, 2, 2)
        );
        app.get(CULTIVATOR, "/locations/v2/types")
            .acting_as(MANUFACTURER)
            .send()
            .await
            .status(401);
    })
    .await;
}
