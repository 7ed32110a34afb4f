//! Additive projections (migration 0015): the database itself refuses what the additive rules
//! forbid even if application code were wrong. On SQLite, and on PostgreSQL when
//! `TAGTRAIL_TEST_POSTGRES_URL` names a server.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use rust_decimal::Decimal;
use tagtrail_domain::records::{
    ActiveIngredient, AdditiveType, AdditivesTemplate, PlantAdditive, Record,
};
use tagtrail_store::{Column, ListQuery, verify};

mod common;
use common::{LIC, NOW, backends, facility, write};

fn template(id: i64, name: &str) -> AdditivesTemplate {
    AdditivesTemplate {
        id,
        license_number: LIC.into(),
        facility_id: 1,
        name: name.into(),
        additive_type: AdditiveType::Pesticide,
        application_device: None,
        epa_registration_number: Some("70051-2".into()),
        note: None,
        product_supplier: None,
        product_trade_name: "Neem Gold".into(),
        restrictive_entry_interval_quantity_description: None,
        restrictive_entry_interval_time_description: None,
        active_ingredients: vec![ActiveIngredient {
            name: "Azadirachtin".into(),
            percentage: Decimal::new(125, 1),
        }],
        recorded_by: "grower".into(),
        active: true,
        last_modified: NOW.into(),
    }
}

fn application(id: i64, amount: Decimal, plants: i64) -> PlantAdditive {
    PlantAdditive {
        id,
        license_number: LIC.into(),
        additive_type: AdditiveType::Fertilizer,
        product_trade_name: "Grow Big".into(),
        epa_registration_number: None,
        product_supplier: None,
        application_device: None,
        active_ingredients: vec![],
        restrictive_entry_interval_quantity_description: None,
        restrictive_entry_interval_time_description: None,
        note: None,
        template_id: None,
        template_name: None,
        rate: None,
        volume: None,
        total_amount_applied: amount,
        amount_unit_of_measure: "Gallons".into(),
        plant_batch_id: None,
        plant_batch_name: None,
        plant_ids: (1..=plants).collect(),
        plant_labels: (1..=plants).map(|i| format!("P{i}")).collect(),
        plant_count: plants,
        location_name: None,
        sublocation_name: None,
        actual_date: "2026-05-31".into(),
        recorded_by: "grower".into(),
        active: true,
        last_modified: NOW.into(),
    }
}

/// Rule 17: an application's amount is above zero and it treats at least one plant; a batch it
/// names exists; a template's name is unique among the license's active templates only.
#[tokio::test]
async fn the_database_refuses_what_the_additive_rules_forbid() {
    for db in backends("tagtrail_additive").await {
        let s = &db.store;
        write(s, vec![facility().to_change()]).await.unwrap();
        write(
            s,
            vec![
                template(1, "Neem").to_change(),
                application(1, Decimal::new(25, 1), 2).to_change(),
            ],
        )
        .await
        .unwrap();
        let len = s.journal_len().await.unwrap();

        assert!(
            write(s, vec![application(2, Decimal::ZERO, 1).to_change()])
                .await
                .is_err(),
            "a zero amount"
        );
        assert!(
            write(s, vec![application(3, Decimal::new(-1, 0), 1).to_change()])
                .await
                .is_err(),
            "a negative amount"
        );
        assert!(
            write(s, vec![application(4, Decimal::ONE, 0).to_change()])
                .await
                .is_err(),
            "no plant treated"
        );
        let mut batch = application(5, Decimal::ONE, 1);
        batch.plant_batch_id = Some(99);
        assert!(
            write(s, vec![batch.to_change()]).await.is_err(),
            "a batch that does not exist"
        );
        assert!(
            write(s, vec![template(2, "neem").to_change()])
                .await
                .is_err(),
            "a second active template named alike"
        );
        assert_eq!(
            s.journal_len().await.unwrap(),
            len,
            "refused entries leave nothing"
        );

        // Archived, a template frees its name.
        let mut archived = template(1, "Neem");
        archived.set_active(false, NOW);
        write(
            s,
            vec![archived.to_change(), template(3, "NEEM").to_change()],
        )
        .await
        .unwrap();
        let q = ListQuery {
            license: Some(LIC.into()),
            active: Some(false),
            ..Default::default()
        };
        assert_eq!(s.list::<AdditivesTemplate>(&q).await.unwrap().rows.len(), 1);
        let q = ListQuery {
            license: Some(LIC.into()),
            ..Default::default()
        }
        .with(Column::Kind, ["Plant"]);
        assert_eq!(s.list::<PlantAdditive>(&q).await.unwrap().rows.len(), 1);
        let report = verify(s, &db.dir.path().join("v.db")).await.unwrap();
        assert!(report.ok(), "{report:?}");
        s.close().await;
    }
}
