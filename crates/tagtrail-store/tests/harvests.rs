//! Harvest projections (migration 0014): the database itself refuses what the harvest rules
//! forbid even if application code were wrong. On SQLite, and on PostgreSQL when
//! `TAGTRAIL_TEST_POSTGRES_URL` names a server.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use rust_decimal::Decimal;
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::records::{Harvest, HarvestType, HarvestWaste, Location, Record};
use tagtrail_store::{Column, ListQuery, verify};

mod common;
use common::{LIC, NOW, backends, facility, write};

fn drying_room() -> Location {
    Location {
        id: 1,
        license_number: LIC.into(),
        name: "Drying Room".into(),
        location_type_id: 3,
        location_type_name: "Drying".into(),
        active: true,
        last_modified: NOW.into(),
    }
}

fn harvest(id: i64, name: &str, wet: i64, waste: i64) -> Harvest {
    Harvest {
        id,
        license_number: LIC.into(),
        name: name.into(),
        harvest_type: HarvestType::WholePlant,
        strain_names: vec!["Blue Dream".into()],
        drying_location_id: 1,
        drying_location_name: "Drying Room".into(),
        drying_location_type_name: "Drying".into(),
        drying_sublocation_id: None,
        drying_sublocation_name: None,
        patient_license_number: None,
        unit_of_weight: "Grams".into(),
        total_wet_weight: Decimal::from(wet),
        total_waste_weight: Decimal::from(waste),
        total_packaged_weight: Decimal::ZERO,
        total_restored_weight: Decimal::ZERO,
        plant_ids: vec![1],
        package_count: 0,
        lab_testing_state: LabState::NotSubmitted,
        lab_testing_state_date: "2026-06-01".into(),
        on_hold: false,
        harvest_start_date: "2026-06-01".into(),
        finished_date: None,
        archived_date: None,
        active: true,
        last_modified: NOW.into(),
    }
}

fn waste(id: i64, harvest_id: i64) -> HarvestWaste {
    HarvestWaste {
        id,
        license_number: LIC.into(),
        harvest_id,
        harvest_name: "H".into(),
        waste_type: "Fibrous".into(),
        waste_weight: Decimal::ONE,
        unit_of_weight: "Grams".into(),
        harvest_weight: Decimal::ONE,
        actual_date: "2026-06-01".into(),
        recorded_by: "grower".into(),
        active: true,
        last_modified: NOW.into(),
    }
}

/// A harvest's weight never goes below zero (rule 24's spirit), its name is unique in its
/// license even once finished (rule 72: it can be unfinished), a finished harvest is inactive,
/// and a harvest's drying location and a waste's harvest exist.
#[tokio::test]
async fn the_database_refuses_what_the_harvest_rules_forbid() {
    for db in backends("tagtrail_harvest").await {
        let s = &db.store;
        write(s, vec![facility().to_change(), drying_room().to_change()])
            .await
            .unwrap();
        write(s, vec![harvest(1, "H-1", 100, 40).to_change()])
            .await
            .unwrap();
        let len = s.journal_len().await.unwrap();

        assert!(
            write(s, vec![harvest(2, "H-2", 100, 101).to_change()])
                .await
                .is_err(),
            "more waste than weight"
        );
        let mut finished = harvest(1, "H-1", 100, 40);
        finished.finished_date = Some("2026-06-01".into());
        assert!(
            write(s, vec![finished.to_change()]).await.is_err(),
            "a finished harvest still active"
        );
        assert!(
            write(s, vec![harvest(3, "h-1", 10, 0).to_change()])
                .await
                .is_err(),
            "a second harvest named alike"
        );
        let mut elsewhere = harvest(4, "H-4", 10, 0);
        elsewhere.drying_location_id = 99;
        assert!(
            write(s, vec![elsewhere.to_change()]).await.is_err(),
            "a drying location that does not exist"
        );
        assert!(
            write(s, vec![waste(1, 99).to_change()]).await.is_err(),
            "waste of a harvest that does not exist"
        );
        assert_eq!(
            s.journal_len().await.unwrap(),
            len,
            "refused entries leave nothing"
        );

        // Finished properly, it leaves the active rows and keeps its name.
        finished.set_active(false, NOW);
        write(s, vec![finished.to_change(), waste(1, 1).to_change()])
            .await
            .unwrap();
        assert!(
            write(s, vec![harvest(5, "H-1", 10, 0).to_change()])
                .await
                .is_err(),
            "a finished harvest's name stays taken"
        );
        let q = ListQuery {
            license: Some(LIC.into()),
            active: Some(false),
            ..Default::default()
        };
        let inactive = s.list::<Harvest>(&q).await.unwrap();
        assert_eq!(inactive.rows.len(), 1);
        let q = ListQuery {
            license: Some(LIC.into()),
            ..Default::default()
        }
        .with(Column::HarvestId, [1i64]);
        assert_eq!(s.list::<HarvestWaste>(&q).await.unwrap().rows.len(), 1);
        let report = verify(s, &db.dir.path().join("v.db")).await.unwrap();
        assert!(report.ok(), "{report:?}");
        s.close().await;
    }
}
