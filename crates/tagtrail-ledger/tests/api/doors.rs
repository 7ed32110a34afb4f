//! Every journal entry names the door its request came through and keeps the request as that
//! door received it (issue 8): the API, an operator's command, an operator's bulk import, the
//! demo seeder. (The web UI's door is tested with the web suite.)

use crate::helpers::*;
use serde_json::{Value, json};
use tagtrail_app::actions::import::ImportPackages;
use tagtrail_app::{Acting, Door};
use tagtrail_domain::commands::import::ImportedPackage;
use tagtrail_domain::lab_state::LabState;

fn door(e: &Value) -> (String, String, String) {
    (
        str_field(e, "Door"),
        str_field(e, "Endpoint"),
        str_field(e, "Action"),
    )
}

#[tokio::test]
async fn each_entry_names_its_door_and_the_request_it_received() {
    for_each_backend(async |app| {
        // The API: the endpoint as called, the body as sent.
        let body = json!([{"Name": "Door Kush"}]);
        app.post(CULTIVATOR, "/strains/v2", body.clone())
            .send()
            .await
            .ok();
        let e = app.journal_head(CULTIVATOR).await;
        assert_eq!(
            door(&e),
            (
                "api".into(),
                "POST /strains/v2".into(),
                "Create strains".into()
            )
        );
        assert_eq!(e["Request"], body);
        assert!(str_field(&e, "Actor").starts_with("api:"), "{e}");

        // The demo seeder is an operator command acting for its staff; it claims no API call. Its
        // grower also uploads one CSV file, whose entries the import door writes.
        let seeded = app.journal(CULTIVATOR).await;
        let demo: Vec<&Value> = seeded
            .iter()
            .filter(|e| str_field(e, "Endpoint") == "tagtrail demo")
            .collect();
        assert!(!demo.is_empty());
        assert!(
            seeded.iter().all(|e| e["Door"] == "operator"
                || e["Door"] == "api"
                || (e["Door"] == "import" && e["Request"]["FileName"] == "mother-room-feed.csv")),
            "{seeded:?}"
        );
        assert!(
            !seeded
                .iter()
                .any(|e| e["Door"] == "operator" && str_field(e, "Endpoint").contains("/v2")),
            "an operator entry never names an API endpoint"
        );

        // An operator's command.
        let order = ids(&app
            .post(
                CULTIVATOR,
                "/tagtrail/v1/tags/orders",
                json!([{"PackageTags": 1}]),
            )
            .send()
            .await
            .ok())[0];
        app.ship_tags(order).await;
        let e = app.journal_head(CULTIVATOR).await;
        assert_eq!(
            door(&e),
            (
                "operator".into(),
                "test harness".into(),
                "Ship a tag order".into()
            )
        );
        assert_eq!(str_field(&e, "Actor"), "operator:test");

        // An operator's bulk import names the file it read (by digest), not an endpoint.
        let scope = app
            .ledger
            .authorize(&Acting::operator("test"), MANUFACTURER, &[])
            .await
            .expect("the license exists");
        let package: ImportedPackage = serde_json::from_value(json!({
            "Label": "1A4FF0300000000000000777", "Item": "Blue Dream Distillate", "Quantity": 0,
            "OriginalQuantity": 100, "Finished": true, "LabTestingState": LabState::TestPassed,
            "PackagedDate": "2025-01-02"
        }))
        .expect("an import row");
        let file = json!({"File": "history-2025.json", "Sha256": "ab12", "Packages": 1});
        app.ledger
            .run::<ImportPackages>(
                &scope,
                Door::import("tagtrail admin import", file.clone()),
                &vec![package],
            )
            .await
            .expect("the import is written");
        let e = app.journal_head(MANUFACTURER).await;
        assert_eq!(
            door(&e),
            (
                "import".into(),
                "tagtrail admin import".into(),
                "Import package history".into()
            )
        );
        assert_eq!(e["Request"], file);
        let imported = app
            .get(MANUFACTURER, "/packages/v2/1A4FF0300000000000000777")
            .send()
            .await
            .ok()
            .json();
        assert_eq!(imported["IsFinished"], true);
    })
    .await;
}
