//! The receipt screen (issue 9): a receipt says where accepted packages go, a location of the
//! receiving license (one for all, a package's own choice over it), and the ledger holds it to
//! the receiver's own active locations (rule 44, the domain's `receiving_location`). A refused
//! receipt comes back with every choice as made and writes nothing. The Metrc-shaped API's
//! receipt names no location and works as before.

use crate::browser::{Browser, element};
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

/// The id of the demo's manifest on the road from the manufacturer to the distributor, from the
/// distributor's incoming list.
async fn in_transit(dist: &Browser) -> i64 {
    let page = dist
        .get(&format!(
            "/ui/l/{DISTRIBUTOR}/transfers?tab=incoming&status=InTransit"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let grid = element(&page.body, "id=\"transfers\"", "</table>");
    let at = grid
        .find("/transfers/")
        .expect("an in-transit manifest in the list")
        + "/transfers/".len();
    grid[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("its id")
}

/// The package's location as the API shows it.
async fn location_of(app: &TestApp, license: &str, label: &str) -> String {
    let p = app
        .get(license, &format!("/packages/v2/{label}"))
        .send()
        .await
        .ok()
        .json();
    // No location is `null`.
    p.get("LocationName")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn accepted_packages_go_to_an_active_location_of_the_receiver() {
    for_each_backend(async |app| {
        let b = app.backend;
        let dist = Browser::sign_in(app, DISTRIBUTOR).await;
        let id = in_transit(&dist).await;
        let form_path = format!("/ui/l/{DISTRIBUTOR}/transfers/{id}/receive");
        let form = dist.get(&form_path).await;
        assert_eq!(form.status, StatusCode::OK, "[{b}]");
        // The screen shows the lab testing state and offers only the receiver's locations.
        assert!(form.body.contains("Test passed"), "[{b}] lab state shown");
        assert!(form.body.contains("Receiving Dock"), "[{b}]");
        assert!(
            !form.body.contains("Finished Goods"),
            "[{b}] not another license's"
        );
        let label = crate::browser::hidden(&form.body, "label_0").expect("the line's label");
        let journal_before = app.journal(DISTRIBUTOR).await.len();

        // Archive a location the receiver had: it is no longer a place to put packages.
        let cage = app
            .list(DISTRIBUTOR, "/locations/v2/active")
            .await
            .into_iter()
            .find(|l| str_field(l, "Name") == "Quarantine Cage")
            .expect("the distributor's quarantine cage");
        app.delete(
            DISTRIBUTOR,
            &format!("/locations/v2/{}", int_field(&cage, "Id")),
        )
        .send()
        .await
        .ok();
        let journal_before = journal_before + 1;

        let post = |location: &'static str, own: &'static str| {
            let label = label.clone();
            let dist = &dist;
            let form_path = form_path.clone();
            async move {
                dist.post(
                    &form_path,
                    &[
                        ("csrf", dist.csrf.as_str()),
                        ("location", location),
                        ("label_0", label.as_str()),
                        ("decision_0", "accept"),
                        ("qty_0", "100"),
                        ("loc_0", own),
                        ("note", "Dock 2"),
                    ],
                )
                .await
            }
        };
        // Another license's location, an archived one, one that does not exist: refused, with
        // the choices as made, and nothing written.
        for (location, own, says) in [
            (
                "Finished Goods",
                "",
                "Location Finished Goods does not exist at",
            ),
            ("Receiving Dock", "Quarantine Cage", "is archived"),
            ("Nowhere", "", "Location Nowhere does not exist at"),
        ] {
            let page = post(location, own).await;
            assert_eq!(
                page.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "[{b}] {location}"
            );
            assert!(page.body.contains(says), "[{b}] {says}: {}", page.body);
            assert!(
                page.body.contains("value=\"accept\" checked"),
                "[{b}] the decision is kept"
            );
            assert_eq!(
                app.journal(DISTRIBUTOR).await.len(),
                journal_before,
                "[{b}] nothing written"
            );
        }
        // A package's own location wins over the one for all; the receipt is journaled with it.
        let page = post("Receiving Dock", "Sellable Inventory").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "[{b}] {}", page.body);
        assert_eq!(
            location_of(app, DISTRIBUTOR, &label).await,
            "Sellable Inventory",
            "[{b}]"
        );
        let last = app.journal_head(DISTRIBUTOR).await.to_string();
        assert!(last.contains("Sellable Inventory"), "[{b}] {last}");
    })
    .await;
}

#[tokio::test]
async fn a_receipt_through_the_api_names_no_location_and_still_works() {
    for_each_backend(async |app| {
        let b = app.backend;
        let dist = Browser::sign_in(app, DISTRIBUTOR).await;
        let id = in_transit(&dist).await;
        let form = dist
            .get(&format!("/ui/l/{DISTRIBUTOR}/transfers/{id}/receive"))
            .await;
        let label = crate::browser::hidden(&form.body, "label_0").expect("the line's label");
        app.post(
            DISTRIBUTOR,
            &format!("/tagtrail/v1/transfers/deliveries/{id}/receive"),
            json!([{"PackageLabel": label, "Accepted": true}]),
        )
        .send()
        .await
        .ok();
        assert_eq!(location_of(app, DISTRIBUTOR, &label).await, "", "[{b}]");
    })
    .await;
}
