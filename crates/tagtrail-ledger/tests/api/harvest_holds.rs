//! The regulator's administrative hold on a harvest (rule 34, as for packages; `tagtrail admin
//! hold --harvest`): a held harvest is listed on `GET /harvests/v2/onhold`, and its packaging,
//! waste and other changes are refused until it is released.

use crate::helpers::*;
use crate::plantbatches::{grown, planted};
use serde_json::{Value, json};
use tagtrail_app::actions::harvests::HoldHarvests;
use tagtrail_app::{Acting, AppError, Door, Ledger};
use tagtrail_domain::commands::harvests::HoldSpec;

/// Holds (or releases) the cultivator's harvests named `names`, as `tagtrail admin` does.
async fn hold(ledger: &Ledger, names: &[&str], hold: bool) -> Result<(), AppError> {
    let scope = ledger
        .authorize(&Acting::operator("test"), CULTIVATOR, &[])
        .await?;
    let door = Door::operator("hold", json!({"Harvests": names})).because(Some("Embargo"));
    let req = HoldSpec {
        names: names.iter().map(|n| n.to_string()).collect(),
        hold,
    };
    ledger
        .run::<HoldHarvests>(&scope, door, &req)
        .await
        .map(|_| ())
}

/// A new harvest `name` of one flowering plant of 500 g; its id.
async fn a_harvest(app: &TestApp, name: &str) -> i64 {
    planted(app, name, 1).await;
    let id = grown(app, name, 1, "Flowering").await[0];
    let plant = app
        .get(CULTIVATOR, &format!("/plants/v2/{id}"))
        .send()
        .await
        .ok()
        .json();
    app.put(
        CULTIVATOR,
        "/plants/v2/harvest",
        json!([{"Plant": str_field(&plant, "Label"), "Weight": 500, "UnitOfWeight": "Grams", "DryingLocation": "Drying Room",
                "HarvestName": name}]),
    )
    .send()
    .await
    .ok();
    let active = app.list(CULTIVATOR, "/harvests/v2/active").await;
    int_field(by_name(&active, name).expect("the new harvest"), "Id")
}

fn on_hold(list: &[Value], id: i64) -> bool {
    list.iter().any(|h| int_field(h, "Id") == id)
}

/// Posts or puts `body`; expects one row error saying the harvest is on hold, nothing written.
async fn refused_on_hold(app: &TestApp, method: &str, path: &str, body: Value) {
    let before = app.journal(CULTIVATOR).await.len();
    let call = match method {
        "POST" => app.post(CULTIVATOR, path, body),
        _ => app.put(CULTIVATOR, path, body),
    };
    let r = call.send().await.status(400);
    let rows = r.rows();
    assert_eq!(rows.len(), 1, "{}", r.body);
    assert!(rows[0].1.contains("is on hold"), "{path}: {}", r.body);
    assert_eq!(
        app.journal(CULTIVATOR).await.len(),
        before,
        "{path}: nothing written"
    );
}

#[tokio::test]
async fn rule_34_a_held_harvest_is_neither_packaged_nor_wasted_until_released() {
    for_each_backend(async |app| {
        let id = a_harvest(app, "Embargoed").await;
        hold(&app.ledger, &["embargoed"], true).await.expect("the operator holds it");
        let h = app.get(CULTIVATOR, &format!("/harvests/v2/{id}")).send().await.ok().json();
        assert_eq!(h["IsOnHold"], true);
        assert!(on_hold(&app.list(CULTIVATOR, "/harvests/v2/onhold").await, id));

        let tags = app.list(CULTIVATOR, "/tags/v2/package/available").await;
        let tag = str_field(&tags[0], "Label");
        refused_on_hold(
            app,
            "POST",
            "/harvests/v2/packages",
            json!([{"Tag": tag, "Location": "Vault", "Item": "Blue Dream Flower", "UnitOfWeight": "Grams",
                    "Ingredients": [{"HarvestId": id, "Weight": 100, "UnitOfWeight": "Grams"}]}]),
        )
        .await;
        let waste = json!([{"Id": id, "WasteType": "Plant Material", "UnitOfWeight": "Grams", "WasteWeight": 10}]);
        refused_on_hold(app, "POST", "/harvests/v2/waste", waste.clone()).await;
        refused_on_hold(app, "PUT", "/harvests/v2/finish", json!([{"Id": id}])).await;

        // Holding twice, or an unknown harvest, is refused by row.
        let e = hold(&app.ledger, &["Embargoed"], true).await.expect_err("already held");
        assert!(format!("{e:?}").contains("already on hold"), "{e:?}");
        let e = hold(&app.ledger, &["Embargoed", "Nonesuch"], false).await.expect_err("unknown");
        assert!(format!("{e:?}").contains("Nonesuch does not exist"), "{e:?}");
        assert!(on_hold(&app.list(CULTIVATOR, "/harvests/v2/onhold").await, id), "nothing released");

        // Released, it is worked again.
        hold(&app.ledger, &["Embargoed"], false).await.expect("the operator releases it");
        assert!(!on_hold(&app.list(CULTIVATOR, "/harvests/v2/onhold").await, id));
        app.post(CULTIVATOR, "/harvests/v2/waste", waste).send().await.ok();
        let e = hold(&app.ledger, &["Embargoed"], false).await.expect_err("not held");
        assert!(format!("{e:?}").contains("not on hold"), "{e:?}");
    })
    .await;
}

/// A finished harvest held stays finished: unfinishing it is refused too.
#[tokio::test]
async fn rule_34_a_held_finished_harvest_is_not_unfinished() {
    for_each_backend(async |app| {
        let id = a_harvest(app, "Done").await;
        app.put(CULTIVATOR, "/harvests/v2/finish", json!([{"Id": id}]))
            .send()
            .await
            .ok();
        hold(&app.ledger, &["Done"], true)
            .await
            .expect("the operator holds it");
        refused_on_hold(app, "PUT", "/harvests/v2/unfinish", json!([{"Id": id}])).await;
    })
    .await;
}
