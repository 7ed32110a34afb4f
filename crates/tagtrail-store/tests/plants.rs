//! Cultivation projections (migration 0013): the database itself refuses what the cultivation
//! rules forbid even if application code were wrong (rules 19, 20, 24), and the typed columns
//! answer the plant lists. On SQLite, and on PostgreSQL when `TAGTRAIL_TEST_POSTGRES_URL` names a
//! server.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use rust_decimal::Decimal;
use serde_json::json;
use tagtrail_domain::journal::Change;
use tagtrail_domain::records::{
    GrowthPhase, Location, Plant, PlantBatch, PlantBatchType, PlantState, PlantWaste, Record,
    Strain,
};
use tagtrail_domain::tag::TagLabel;
use tagtrail_store::{Column, ListQuery, verify};

mod common;
use common::{LIC, NOW, backends, facility, write};

fn strain() -> Strain {
    Strain {
        id: 1,
        license_number: LIC.into(),
        name: "Sour Diesel".into(),
        testing_status: "None".into(),
        thc_level: None,
        cbd_level: None,
        indica_percentage: None,
        sativa_percentage: None,
        genetics: None,
        active: true,
        last_modified: NOW.into(),
    }
}

fn location() -> Location {
    Location {
        id: 1,
        license_number: LIC.into(),
        name: "Greenhouse".into(),
        location_type_id: 2,
        location_type_name: "Planting".into(),
        active: true,
        last_modified: NOW.into(),
    }
}

fn batch(id: i64, name: &str, count: i64) -> PlantBatch {
    PlantBatch {
        id,
        license_number: LIC.into(),
        name: name.into(),
        plant_batch_type: PlantBatchType::Clone,
        tag: None,
        strain_id: 1,
        strain_name: "Sour Diesel".into(),
        location_id: 1,
        location_name: "Greenhouse".into(),
        location_type_name: "Planting".into(),
        sublocation_id: None,
        sublocation_name: None,
        patient_license_number: None,
        untracked_count: count,
        tracked_count: 0,
        packaged_count: 0,
        destroyed_count: 0,
        source_package_id: None,
        source_package_label: None,
        source_plant_id: None,
        source_plant_label: None,
        source_plant_batch_ids: vec![],
        source_plant_batch_names: vec![],
        planted_date: "2026-05-01".into(),
        on_hold: false,
        finished_date: None,
        active: true,
        last_modified: NOW.into(),
    }
}

fn plant(id: i64, seq: u32, batch_id: i64, mother: bool) -> Plant {
    Plant {
        id,
        license_number: LIC.into(),
        label: TagLabel::issue(3, seq),
        state: PlantState::Growing,
        growth_phase: GrowthPhase::Vegetative,
        is_mother: mother,
        plant_batch_id: batch_id,
        plant_batch_name: "Lot".into(),
        plant_batch_type: PlantBatchType::Clone,
        strain_id: 1,
        strain_name: "Sour Diesel".into(),
        location_id: 1,
        location_name: "Greenhouse".into(),
        location_type_name: "Planting".into(),
        sublocation_id: None,
        sublocation_name: None,
        patient_license_number: None,
        harvest_id: None,
        harvested_unit_of_weight_name: None,
        harvested_wet_weight: None,
        harvest_count: 0,
        on_hold: false,
        planted_date: "2026-05-01".into(),
        vegetative_date: Some("2026-05-10".into()),
        flowering_date: None,
        harvested_date: None,
        destroyed_date: None,
        destroyed_note: None,
        destroyed_by_user_name: None,
        mother_plant_date: None,
        cloned_count: 0,
        active: true,
        last_modified: NOW.into(),
    }
}

fn waste(id: i64, weight: Decimal) -> PlantWaste {
    PlantWaste {
        id,
        license_number: LIC.into(),
        waste_number: format!("PW-{id}"),
        waste_method_name: "Compost".into(),
        mixed_material: None,
        waste_weight: weight,
        waste_unit_of_measure_name: "Grams".into(),
        waste_reason_name: "Male Plants".into(),
        note: None,
        plant_batch_id: Some(10),
        plant_batch_name: Some("Lot".into()),
        plant_count: 1,
        plants: vec![],
        location_name: None,
        sublocation_name: None,
        waste_date: "2026-06-01".into(),
        recorded_by: "grower".into(),
        active: true,
        last_modified: NOW.into(),
    }
}

/// Rules 19, 20 and 24 and the references between records, held by the database: a lot of more
/// than 100 plants or fewer than none, two active lots of one name, two plants under one tag, a
/// plant of a batch that does not exist, an unknown growth phase and a negative waste weight are
/// refused, and the entry that carried them is not written.
#[tokio::test]
async fn the_database_refuses_what_the_cultivation_rules_forbid() {
    for db in backends("tagtrail_plants").await {
        let s = &db.store;
        write(
            s,
            vec![
                facility().to_change(),
                strain().to_change(),
                location().to_change(),
                batch(10, "Lot", 100).to_change(),
                plant(20, 1, 10, false).to_change(),
                waste(30, Decimal::new(125, 1)).to_change(),
            ],
        )
        .await
        .unwrap();
        let len = s.journal_len().await.unwrap();
        let refused: Vec<(&str, Change)> = vec![
            ("a lot of 101", batch(11, "Big", 101).to_change()),
            ("a negative count", batch(12, "Less", -1).to_change()),
            (
                "two active lots named alike",
                batch(13, "lot", 1).to_change(),
            ),
            ("one tag on two plants", plant(21, 1, 10, false).to_change()),
            ("a plant of no batch", plant(22, 2, 99, false).to_change()),
            (
                "a negative waste weight",
                waste(31, Decimal::new(-1, 0)).to_change(),
            ),
            ("an unknown growth phase", {
                let mut c = plant(23, 3, 10, false).to_change();
                c.data["growth_phase"] = json!("Sprouting");
                c
            }),
        ];
        for (what, change) in refused {
            assert!(write(s, vec![change]).await.is_err(), "{what}");
        }
        assert_eq!(
            s.journal_len().await.unwrap(),
            len,
            "nothing refused was written"
        );
        let report = verify(s, &db.dir.path().join("v.db")).await.unwrap();
        assert!(report.ok(), "{report:?}");
        s.close().await;
    }
}

/// The plant lists are filters on typed columns: status, mother, waste kind.
#[tokio::test]
async fn plant_lists_filter_on_typed_columns() {
    for db in backends("tagtrail_plants").await {
        let s = &db.store;
        let mut destroyed = plant(22, 2, 10, false);
        destroyed.state = PlantState::Destroyed;
        destroyed.active = false;
        write(
            s,
            vec![
                facility().to_change(),
                strain().to_change(),
                location().to_change(),
                batch(10, "Lot", 5).to_change(),
                plant(20, 1, 10, false).to_change(),
                plant(21, 3, 10, true).to_change(),
                destroyed.to_change(),
                waste(30, Decimal::ONE).to_change(),
            ],
        )
        .await
        .unwrap();
        let q = || ListQuery {
            license: Some(LIC.into()),
            ..Default::default()
        };
        let ids = |p: tagtrail_store::Page<Plant>| p.rows.iter().map(|p| p.id).collect::<Vec<_>>();
        let veg = q()
            .with(Column::Status, ["Vegetative"])
            .with(Column::Mother, [false]);
        assert_eq!(ids(s.list(&veg).await.unwrap()), vec![20]);
        let mothers = q().with(Column::Mother, [true]);
        assert_eq!(ids(s.list(&mothers).await.unwrap()), vec![21]);
        let gone = q().with(Column::Status, ["Destroyed"]);
        assert_eq!(ids(s.list(&gone).await.unwrap()), vec![22]);
        let batch_waste = q().with(Column::Kind, ["PlantBatch"]);
        let found: tagtrail_store::Page<PlantWaste> = s.list(&batch_waste).await.unwrap();
        assert_eq!(found.rows.len(), 1);
        s.close().await;
    }
}
