//! Authentication (rule 66: HTTP Basic, vendor key : user key), `licenseNumber` scoping and
//! permissions.

use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

/// Rule 66: no `Authorization` header → 401 `{"Message"}` with a Basic challenge, on reads and
/// writes alike, and a refused write leaves no trace.
#[tokio::test]
async fn rule_66_missing_basic_auth_is_401() {
    for_each_backend(async |app| {
        let before = app.journal_head(CULTIVATOR).await;
        for (method, path) in [
            (Method::GET, "/items/v2/active"),
            (Method::GET, "/facilities/v2"),
            (Method::GET, "/unitsofmeasure/v2/active"),
            (Method::GET, "/tagtrail/v1/journal"),
            (Method::POST, "/strains/v2"),
        ] {
            let r = app
                .call(method, path)
                .license(CULTIVATOR)
                .json(json!([{"Name": "Anonymous Kush"}]))
                .send()
                .await
                .status(401);
            assert!(!r.message().is_empty());
            let challenge = r.header("www-authenticate").unwrap_or_default();
            assert!(
                challenge.to_ascii_lowercase().starts_with("basic"),
                "{}: WWW-Authenticate {challenge:?}",
                r.what
            );
        }
        assert!(
            !app.names(CULTIVATOR, "/strains/v2/active")
                .await
                .contains(&"Anonymous Kush".to_string())
        );
        assert_eq!(
            app.journal_head(CULTIVATOR).await,
            before,
            "an unauthenticated write left a journal entry"
        );
    })
    .await;
}

/// Rule 66: wrong keys or a malformed header → 401 `{"Message"}`.
#[tokio::test]
async fn rule_66_bad_basic_auth_is_401() {
    for_each_backend(async |app| {
        let vendor = app.creds.vendor_key.clone();
        let user = app.user_key(CULTIVATOR).to_string();
        // Sanity: the right keys work, so the failures below are about the keys.
        app.get(CULTIVATOR, "/items/v2/active").send().await.ok();
        let bad = [
            app.get(CULTIVATOR, "/items/v2/active")
                .keys(&vendor, "not-a-user-key"),
            app.get(CULTIVATOR, "/items/v2/active")
                .keys("not-a-vendor-key", &user),
            // The keys swapped: username must be the vendor key.
            app.get(CULTIVATOR, "/items/v2/active").keys(&user, &vendor),
            app.get(CULTIVATOR, "/items/v2/active").keys("", ""),
            app.get(CULTIVATOR, "/items/v2/active")
                .authorization("Basic !!!not-base64!!!"),
            app.get(CULTIVATOR, "/items/v2/active")
                .authorization(&format!("Bearer {user}")),
            // Base64 of a string without the `:` separator.
            app.get(CULTIVATOR, "/items/v2/active")
                .authorization("Basic bm9jb2xvbg=="),
        ];
        for call in bad {
            let r = call.send().await.status(401);
            assert!(!r.message().is_empty(), "{}", r.what);
        }
        // Another license's user key is a valid key: it authenticates but is scoped (below).
        let r = app
            .get(CULTIVATOR, "/items/v2/active")
            .acting_as(MANUFACTURER)
            .send()
            .await
            .status(401);
        assert!(
            r.message().contains(CULTIVATOR),
            "the message names the license: {}",
            r.message()
        );
    })
    .await;
}

/// `licenseNumber` is required on scoped endpoints: missing or empty → 400 `{"Message"}`.
#[tokio::test]
async fn missing_license_number_is_400() {
    for_each_backend(async |app| {
        let before = app.journal(CULTIVATOR).await.len();
        for (method, path) in [
            (Method::GET, "/items/v2/active"),
            (Method::GET, "/strains/v2/active"),
            (Method::GET, "/locations/v2/types"),
            (Method::GET, "/employees/v2"),
            (Method::GET, "/tags/v2/package/available"),
            (Method::GET, "/tagtrail/v1/journal"),
            (Method::POST, "/strains/v2"),
            (Method::DELETE, "/strains/v2/1"),
        ] {
            let r = app
                .call(method.clone(), path)
                .acting_as(CULTIVATOR)
                .json(json!([{"Name": "Licenseless"}]))
                .send()
                .await
                .status(400);
            assert!(
                r.message().contains("licenseNumber"),
                "{}: {}",
                r.what,
                r.body
            );
            app.call(method, path)
                .acting_as(CULTIVATOR)
                .query("licenseNumber", "")
                .send()
                .await
                .status(400);
        }
        assert_eq!(app.journal(CULTIVATOR).await.len(), before);
        assert!(
            !app.names(CULTIVATOR, "/strains/v2/active")
                .await
                .contains(&"Licenseless".to_string())
        );
    })
    .await;
}

/// A user acting for a license where they are not employed → 401 (Metrc's answer for a facility
/// the user cannot access), for reads and writes, and nothing is written.
#[tokio::test]
async fn foreign_license_is_401() {
    for_each_backend(async |app| {
        let strains_before = app.names(MANUFACTURER, "/strains/v2/active").await;
        let journal_before = app.journal(MANUFACTURER).await.len();
        for path in [
            "/items/v2/active",
            "/strains/v2/active",
            "/employees/v2",
            "/tags/v2/package/available",
            "/tagtrail/v1/journal",
        ] {
            let r = app
                .get(MANUFACTURER, path)
                .acting_as(CULTIVATOR)
                .send()
                .await
                .status(401);
            assert!(!r.message().is_empty());
        }
        let r = app
            .post(
                MANUFACTURER,
                "/strains/v2",
                json!([{"Name": "Trespass Haze"}]),
            )
            .acting_as(CULTIVATOR)
            .send()
            .await
            .status(401);
        assert!(!r.message().is_empty());
        // A license that does not exist at all is no different.
        app.get(CULTIVATOR, "/items/v2/active")
            .license("NOPE-0000001")
            .send()
            .await
            .status(401);
        assert_eq!(
            app.names(MANUFACTURER, "/strains/v2/active").await,
            strains_before
        );
        assert_eq!(app.journal(MANUFACTURER).await.len(), journal_before);
    })
    .await;
}

/// An employee lacking "Manage Items" → 403 `{"Message"}` on items; the clerk's own permissions
/// ("View Employees", "Manage Tags") still work.
#[tokio::test]
async fn clerk_lacking_manage_items_is_403() {
    for_each_backend(async |app| {
        let items_before = app.names(DISTRIBUTOR, "/items/v2/active").await;
        let r = app.get(DISTRIBUTOR, "/items/v2/active").acting_as_clerk().send().await.status(403);
        assert!(r.message().contains("Manage Items"), "{}", r.body);
        let body = json!([{"ItemCategory": "Edible (Each)", "Name": "Clerk Gummies", "UnitOfMeasure": "Each", "UnitThcContent": 5, "UnitThcContentUnitOfMeasure": "Milligrams"}]);
        let r = app.post(DISTRIBUTOR, "/items/v2", body).acting_as_clerk().send().await.status(403);
        assert!(r.message().contains("Manage Items"), "{}", r.body);
        let r = app.post(DISTRIBUTOR, "/items/v2/brand", json!([{"Name": "Clerk Brand"}])).acting_as_clerk().send().await.status(403);
        assert!(!r.message().is_empty());
        assert_eq!(app.names(DISTRIBUTOR, "/items/v2/active").await, items_before);
        let item = int_field(&app.list(DISTRIBUTOR, "/items/v2/active").await[0], "Id");
        app.get(DISTRIBUTOR, &format!("/items/v2/{item}")).acting_as_clerk().send().await.status(403).message();
        app.get(DISTRIBUTOR, &format!("/items/v2/{item}")).acting_as_clerk().without_license().send().await.status(403).message();
        app.delete(DISTRIBUTOR, &format!("/items/v2/{item}")).acting_as_clerk().send().await.status(403).message();
        assert!(app.list(DISTRIBUTOR, "/items/v2/active").await.iter().any(|i| int_field(i, "Id") == item));
        // Other permissions the clerk lacks.
        app.get(DISTRIBUTOR, "/strains/v2/active").acting_as_clerk().send().await.status(403);
        app.get(DISTRIBUTOR, "/locations/v2/active").acting_as_clerk().send().await.status(403);
        app.get(DISTRIBUTOR, "/employees/v2/permissions").acting_as_clerk().query("employeeLicenseNumber", "EMP-300302").send().await.status(403);
        app.get(DISTRIBUTOR, "/tagtrail/v1/journal").acting_as_clerk().send().await.status(403);
        // What the clerk may do.
        let employees = app.get(DISTRIBUTOR, "/employees/v2").acting_as_clerk().send().await.ok().json();
        assert_eq!(int_field(&employees, "Total"), 2);
        let tags = app.get(DISTRIBUTOR, "/tags/v2/package/available").acting_as_clerk().send().await.ok().json();
        assert_eq!(tags.as_array().map(Vec::len), Some(demo_tags_left(app, DISTRIBUTOR).await));
        // The clerk is employed only at the distributor.
        app.get(RETAILER, "/tags/v2/package/available").acting_as_clerk().send().await.status(401);
    })
    .await;
}

/// `GET /items/v2/{id}` with a `licenseNumber` the item does not belong to → 401, whether the
/// caller may act for that license or not; without `licenseNumber` the item's own facility must
/// be one the caller may act for.
#[tokio::test]
async fn get_by_id_with_another_license_is_401() {
    for_each_backend(async |app| {
        let item = app.list(CULTIVATOR, "/items/v2/active").await.remove(0);
        let id = int_field(&item, "Id");
        let path = format!("/items/v2/{id}");
        // The owner, scoped to the right license (in any case) or not scoped at all.
        let got = app.get(CULTIVATOR, &path).send().await.ok().json();
        assert_eq!(got, item);
        app.get(CULTIVATOR, &path)
            .license(&CULTIVATOR.to_ascii_lowercase())
            .send()
            .await
            .ok();
        app.get(CULTIVATOR, &path)
            .without_license()
            .send()
            .await
            .ok();
        // The owner naming another license.
        let r = app
            .get(CULTIVATOR, &path)
            .license(MANUFACTURER)
            .send()
            .await
            .status(401);
        assert!(!r.message().is_empty());
        // Another license's user naming their own license: the item is not theirs.
        let r = app.get(MANUFACTURER, &path).send().await.status(401);
        assert!(r.message().contains(&id.to_string()), "{}", r.body);
        // Another license's user without a license: the item's facility is not theirs.
        app.get(MANUFACTURER, &path)
            .without_license()
            .send()
            .await
            .status(401);
        // The same rules hold for strains, locations and sublocations.
        for list in [
            "/strains/v2/active",
            "/locations/v2/active",
            "/sublocations/v2/active",
        ] {
            let rec = app.list(CULTIVATOR, list).await.remove(0);
            let by_id = list.replace("active", &int_field(&rec, "Id").to_string());
            assert_eq!(app.get(CULTIVATOR, &by_id).send().await.ok().json(), rec);
            app.get(MANUFACTURER, &by_id).send().await.status(401);
            app.get(CULTIVATOR, &by_id)
                .license(MANUFACTURER)
                .send()
                .await
                .status(401);
        }
    })
    .await;
}

/// Callers and scopes are cached under the identity epoch, which lives in the database: a
/// permission changed by another process on the same database (the admin command line, or
/// another node) takes effect at this server's very next request, both ways.
#[tokio::test]
async fn a_permission_changed_elsewhere_takes_effect_at_once() {
    use tagtrail_app::actions::people::{Employ, SetPermissions};
    use tagtrail_app::{Acting, Config, Door, Ledger};
    use tagtrail_domain::commands::people::Grant;
    for_each_backend(async |app| {
        let b = app.backend;
        let items = "/items/v2/active";
        // Cached: the clerk's caller and scope at the distributor.
        for _ in 0..3 {
            app.get(DISTRIBUTOR, items)
                .acting_as_clerk()
                .send()
                .await
                .status(403);
        }
        let elsewhere = Ledger::open(app.database_url(), Config::default())
            .await
            .expect("a second process on the same database");
        let grant = |permissions: &[&str]| Employ {
            username: "clerk".into(),
            license_number: DISTRIBUTOR.into(),
            grant: Grant {
                permissions: permissions.iter().map(|p| p.to_string()).collect(),
                is_owner: false,
                is_manager: false,
            },
        };
        let set = async |perms: &[&str]| {
            elsewhere
                .run_system::<SetPermissions>(
                    &Acting::operator("test"),
                    Door::operator("grant", json!({})),
                    &grant(perms),
                )
                .await
                .expect("granted");
        };
        set(&["View Employees", "Manage Tags", "Manage Items"]).await;
        app.get(DISTRIBUTOR, items)
            .acting_as_clerk()
            .send()
            .await
            .ok();
        set(&["View Employees", "Manage Tags"]).await;
        let r = app.get(DISTRIBUTOR, items).acting_as_clerk().send().await;
        assert_eq!(r.status, 403, "[{b}] taken back at once: {}", r.body);
        elsewhere.close().await;
    })
    .await;
}
