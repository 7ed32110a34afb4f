//! Typed projections: the database itself refuses what the rules forbid even if application code
//! were wrong; windows and the clock; a database written by an earlier release is migrated and
//! its projections rebuilt from its journal. On SQLite, and on PostgreSQL when
//! `TAGTRAIL_TEST_POSTGRES_URL` names a server (CI always sets it).
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]
#![recursion_limit = "256"]

use serde_json::json;
use std::io::Read;
use tagtrail_domain::journal::{Actor, Change, Draft};
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::records::{Facility, Item, Package, PackageState, Record};
use tagtrail_domain::tag::TagLabel;
use tagtrail_store::{Column, ListQuery, Store, scratch, verify};

struct Db {
    store: Store,
    dir: tempfile::TempDir,
    /// The database's URL as sqlx's Any driver takes it, to look at its tables directly.
    raw: String,
}

async fn backends() -> Vec<Db> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("t.db").to_string_lossy().to_string();
    out.push(Db {
        store: Store::open(&url).await.unwrap(),
        raw: format!("sqlite://{url}"),
        dir,
    });
    if let Ok(admin) = std::env::var("TAGTRAIL_TEST_POSTGRES_URL") {
        let url = scratch::create_postgres_database(&admin, "tagtrail_proj")
            .await
            .unwrap();
        out.push(Db {
            store: Store::open(&url).await.unwrap(),
            dir: tempfile::tempdir().unwrap(),
            raw: url,
        });
    }
    out
}

const NOW: &str = "2026-01-01T00:00:00.000000+00:00";

fn draft(changes: Vec<Change>) -> Draft {
    Draft {
        recorded_at: NOW.into(),
        license_number: Some("L-1".into()),
        actor: Actor {
            employee_id: None,
            vendor_key_id: None,
            name: "operator:test".into(),
        },
        endpoint: "test".into(),
        reason: "test".into(),
        request: json!(null),
        result_ids: vec![],
        changes,
        door: Some("operator".into()),
        action: Some("test".into()),
    }
}

fn facility() -> Facility {
    Facility {
        id: 1,
        license_number: "L-1".into(),
        license_type: LicenseType::Manufacturer,
        name: "Kitchen".into(),
        display_name: "Kitchen".into(),
        license_start_date: "2026-01-01".into(),
        license_end_date: "2026-12-31".into(),
        address: None,
        credentialed_date: "2026-01-01".into(),
        onboarding: Default::default(),
        active: true,
        last_modified: NOW.into(),
    }
}

fn item(id: i64, name: &str) -> Item {
    Item {
        id,
        license_number: "L-1".into(),
        name: name.into(),
        category: "Concentrate".into(),
        unit_of_measure: "Grams".into(),
        approval_status_date_time: NOW.into(),
        active: true,
        last_modified: NOW.into(),
        ..Default::default()
    }
}

fn package(id: i64, seq: u32, item_id: i64, qty: i64) -> Package {
    let raw = json!({
        "id": id, "license_number": "L-1", "label": TagLabel::issue(7, seq).as_str(),
        "package_type": "Product", "item_id": item_id, "item_name": "Oil", "item_category": "Concentrate",
        "item_strain_name": null, "quantity": qty, "unit_of_measure": "Grams", "original_quantity": 10,
        "location_id": null, "location_name": null, "sublocation_id": null, "sublocation_name": null,
        "note": null, "packaged_date": "2026-01-01", "packaged_by_license": "L-1", "packaged_by_name": "Kitchen",
        "source_package_ids": [], "source_package_labels": [], "production_batch_number": null,
        "is_production_batch": false, "is_testing_sample": false, "is_trade_sample": false,
        "is_donation": false, "is_finished_good": false, "product_requires_remediation": false,
        "initial_lab_testing_state": "TestPassed", "lab_testing_state": "TestPassed",
        "lab_testing_state_date": "2026-01-01", "remediation_count": 0, "remediation_date": null,
        "decontamination_date": null, "on_hold": false, "hold_reason": null, "state": "Active",
        "finished_date": null, "expiration_date": null, "sell_by_date": null, "use_by_date": null,
        "external_id": null, "archived_date": null, "active": true, "last_modified": NOW,
    });
    serde_json::from_value(raw).unwrap()
}

/// Appends one entry with `changes` and commits; the error if the database refuses.
async fn write(store: &Store, changes: Vec<Change>) -> Result<(), String> {
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    tx.append(draft(changes)).await.map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())
}

/// Rules 13 and 28, rule 71 and the references between records, held by the database itself: a
/// second package with a used label, a negative quantity, a second active item of one name, a
/// package of an item that does not exist, and an unknown lab state are refused whatever the
/// application asked, and the entry that carried them is not written.
#[tokio::test]
async fn the_database_refuses_what_the_rules_forbid() {
    for db in backends().await {
        let s = &db.store;
        write(s, vec![facility().to_change(), item(1, "Oil").to_change()])
            .await
            .unwrap();
        write(s, vec![package(1, 1, 1, 10).to_change()])
            .await
            .unwrap();
        let len = s.journal_len().await.unwrap();

        let mut twin = package(2, 1, 1, 10);
        twin.id = 2;
        assert!(
            write(s, vec![twin.to_change()]).await.is_err(),
            "a label twice"
        );
        assert!(
            write(s, vec![package(3, 3, 1, -1).to_change()])
                .await
                .is_err(),
            "a negative quantity"
        );
        assert!(
            write(s, vec![item(2, "oil").to_change()]).await.is_err(),
            "two active items named alike"
        );
        let mut archived = item(2, "oil");
        archived.active = false;
        write(s, vec![archived.to_change()]).await.unwrap();
        assert!(
            write(s, vec![package(4, 4, 99, 1).to_change()])
                .await
                .is_err(),
            "a package of an item that does not exist"
        );
        let mut odd = package(5, 5, 1, 1).to_change();
        odd.data["lab_testing_state"] = json!("Passed-ish");
        assert!(write(s, vec![odd]).await.is_err(), "an unknown lab state");
        // Only the archived item's entry was written; every refused entry left nothing.
        assert_eq!(s.journal_len().await.unwrap(), len + 1);
        let report = verify(s, &db.dir.path().join("v.db")).await.unwrap();
        assert!(report.ok(), "{report:?}");
        s.close().await;
    }
}

/// Typed columns answer filters: a package's list status and lab state.
#[tokio::test]
async fn filters_use_typed_columns() {
    for db in backends().await {
        let s = &db.store;
        let mut done = package(2, 2, 1, 0);
        done.state = PackageState::Finished;
        done.active = false;
        let mut failed = package(3, 3, 1, 5);
        failed.lab_testing_state = LabState::TestFailed;
        write(
            s,
            vec![
                facility().to_change(),
                item(1, "Oil").to_change(),
                package(1, 1, 1, 10).to_change(),
                done.to_change(),
                failed.to_change(),
            ],
        )
        .await
        .unwrap();
        let q = |col: Column, v: &str| {
            ListQuery {
                license: Some("L-1".into()),
                ..Default::default()
            }
            .with(col, [v])
        };
        let ids =
            |p: tagtrail_store::Page<Package>| p.rows.iter().map(|p| p.id).collect::<Vec<_>>();
        assert_eq!(
            ids(s.list(&q(Column::Status, "Finished")).await.unwrap()),
            vec![2]
        );
        assert_eq!(
            ids(s.list(&q(Column::LabState, "TestFailed")).await.unwrap()),
            vec![3]
        );
        assert!(
            s.list::<Package>(&q(Column::Sha256, "x")).await.is_err(),
            "a column the table does not have is refused"
        );
        s.close().await;
    }
}

/// Every write's time is later than the one before, and a horizon separates what is committed
/// from every write after it.
#[tokio::test]
async fn times_follow_seq_and_the_horizon() {
    for db in backends().await {
        let s = &db.store;
        let mut last = None;
        for i in 1..=20 {
            let mut tx = s.begin().await.unwrap();
            let t = tx.now();
            if let Some(prev) = last {
                assert!(t > prev, "write {i}: {t} after {prev}");
            }
            let mut d = draft(vec![]);
            d.recorded_at = tagtrail_domain::time::format(t);
            tx.append(d).await.unwrap();
            tx.commit().await.unwrap();
            last = Some(t);
            let h = s.horizon().await.unwrap();
            assert!(h >= t, "the horizon covers the committed write");
            let next = s.begin().await.unwrap();
            assert!(next.now() > h, "a later write is after the horizon");
            drop(next);
        }
        s.close().await;
    }
}

/// A database written by the release before typed projections: its journal (entries without
/// doors, changes in the first format) still verifies, and its projections are rebuilt into the
/// typed tables when it is opened.
#[tokio::test]
async fn a_v6_database_is_migrated_and_rebuilt_from_its_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let mut gz = flate2::read::GzDecoder::new(
        std::fs::File::open(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/v6-demo.db.gz"
        ))
        .unwrap(),
    );
    let mut bytes = Vec::new();
    gz.read_to_end(&mut bytes).unwrap();
    std::fs::write(&path, bytes).unwrap();

    let store = Store::open(&path.to_string_lossy()).await.unwrap();
    let report = verify(&store, &dir.path().join("v.db")).await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert!(report.entries > 100 && report.rows > 400, "{report:?}");
    let held = store
        .list::<Package>(&ListQuery::default().with(Column::Status, ["OnHold"]))
        .await
        .unwrap();
    assert_eq!(held.total, 1, "the demo's embargoed gummies");
    assert_eq!(held.rows[0].item_name, "Mango Gummies 10x10mg");
    // New entries chain onto the old ones.
    let head = store.head().await.unwrap().unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(tx.now() > tagtrail_domain::time::parse_instant(&head.body.recorded_at).unwrap());
    let e = tx.append(draft(vec![])).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((e.seq, e.prev_hash), (head.seq + 1, head.hash));
    assert!(verify(&store, &dir.path().join("v.db")).await.unwrap().ok());
    // Opening it again does not rebuild again.
    store.close().await;
    let again = Store::open(&path.to_string_lossy()).await.unwrap();
    assert_eq!(again.journal_len().await.unwrap(), report.entries + 1);
    again.close().await;
}

/// The web UI's grids: part of a name or label matches in the database (LIKE's own wildcards
/// are taken literally), a list sorts by a typed column with empty values last in both
/// directions and a decimal by its value (not its text), and counts per column value come out
/// of one query, on both backends alike.
#[tokio::test]
async fn lists_match_parts_sort_by_columns_and_count_per_value() {
    for db in backends().await {
        let s = &db.store;
        let mut changes = vec![
            facility().to_change(),
            item(1, "Oil").to_change(),
            item(2, "Mango 100% Gummies").to_change(),
        ];
        // Quantities whose text order differs from their value order: 9 < 10 < 100.
        for (id, qty, name, location) in [
            (1, 10, "Oil", Some("Vault")),
            (2, 9, "Mango 100% Gummies", None),
            (3, 100, "Oil", Some("Dock")),
        ] {
            let mut p = package(id, id as u32, if id == 2 { 2 } else { 1 }, qty);
            p.item_name = name.into();
            p.location_name = location.map(str::to_string);
            if id == 3 {
                p.lab_testing_state = LabState::TestFailed;
            }
            changes.push(p.to_change());
        }
        write(s, changes).await.unwrap();
        let base = || ListQuery {
            license: Some("L-1".into()),
            ..Default::default()
        };
        let ids = |rows: Vec<Package>| rows.iter().map(|p| p.id).collect::<Vec<_>>();

        let mango = s
            .list::<Package>(&base().containing(Column::ItemName, "mango"))
            .await
            .unwrap();
        assert_eq!(ids(mango.rows), [2]);
        let percent = s
            .list::<Package>(&base().containing(Column::ItemName, "100%"))
            .await
            .unwrap();
        assert_eq!(ids(percent.rows), [2], "% is a character, not a wildcard");
        let none = s
            .list::<Package>(&base().containing(Column::ItemName, "_"))
            .await
            .unwrap();
        assert_eq!(none.total, 0, "_ is a character, not a wildcard");
        let label = TagLabel::issue(7, 3).to_string();
        let tail = &label[label.len() - 4..];
        let by_label = s
            .list::<Package>(&base().containing(Column::Label, tail))
            .await
            .unwrap();
        assert_eq!(ids(by_label.rows), [3], "the last digits of a UID");

        let by_qty = s
            .list::<Package>(&base().sorted(Column::Quantity, false))
            .await
            .unwrap();
        assert_eq!(ids(by_qty.rows), [2, 1, 3], "9, 10, 100 by value");
        let by_qty_desc = s
            .list::<Package>(&base().sorted(Column::Quantity, true))
            .await
            .unwrap();
        assert_eq!(ids(by_qty_desc.rows), [3, 1, 2]);
        for desc in [false, true] {
            let by_location = s
                .list::<Package>(&base().sorted(Column::LocationName, desc))
                .await
                .unwrap();
            assert_eq!(
                ids(by_location.rows).last(),
                Some(&2),
                "no location sorts last (desc: {desc})"
            );
        }
        let paged = s
            .list::<Package>(&ListQuery {
                page: Some((2, 1)),
                ..base().sorted(Column::Quantity, false)
            })
            .await
            .unwrap();
        assert_eq!((paged.total, ids(paged.rows)), (3, vec![1]));

        let by_lab = s
            .count_by::<Package>(&base(), Column::LabState)
            .await
            .unwrap();
        assert_eq!(
            by_lab,
            [
                (Some("TestPassed".to_string()), 2),
                (Some("TestFailed".to_string()), 1)
            ]
        );
        let by_location = s
            .count_by::<Package>(&base(), Column::LocationName)
            .await
            .unwrap();
        assert_eq!(by_location.len(), 3);
        assert!(by_location.contains(&(None, 1)));
        assert!(by_location.contains(&(Some("vault".to_string()), 1)));
        assert!(
            s.count_by::<Package>(&base(), Column::Quantity)
                .await
                .is_err(),
            "counting by a decimal is refused"
        );
        s.close().await;
    }
}

/// Rows with `id` in each physical table of the packages: (active tier, history tier, keys).
async fn tiers_of(db: &Db, id: i64) -> (i64, i64, i64) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.raw).await.unwrap();
    let mut out = [0i64; 3];
    for (n, t) in ["packages", "packages_history", "package_keys"]
        .iter()
        .enumerate()
    {
        let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {t} WHERE id = $1"))
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
        out[n] = sqlx::Row::try_get(&row, "n").unwrap();
    }
    pool.close().await;
    (out[0], out[1], out[2])
}

/// Rule 72 (the July 2020 bulletin's "data optimization"): a finished package moves out of the
/// active table into the history tier in the entry that finishes it, and back when unfinished;
/// by-id, by-label and list reads find it in either tier, the active list never reads history,
/// its label stays taken across both tiers, and `audit verify` compares both tiers and the keys.
#[tokio::test]
async fn rule_72_a_finished_package_moves_to_history_and_back() {
    for db in backends().await {
        let s = &db.store;
        write(
            s,
            vec![
                facility().to_change(),
                item(1, "Oil").to_change(),
                package(1, 1, 1, 10).to_change(),
                package(2, 2, 1, 4).to_change(),
            ],
        )
        .await
        .unwrap();
        assert_eq!(tiers_of(&db, 1).await, (1, 0, 1));

        let mut done = package(1, 1, 1, 0);
        done.state = PackageState::Finished;
        done.active = false;
        write(s, vec![done.to_change()]).await.unwrap();
        assert_eq!(tiers_of(&db, 1).await, (0, 1, 1), "finished: in history");
        let label = TagLabel::issue(7, 1);
        let got: Package = s.get(1).await.unwrap().expect("by id across tiers");
        assert_eq!(got.state, PackageState::Finished);
        let found: Package = s
            .find(Some("L-1"), label.as_str())
            .await
            .unwrap()
            .expect("by label across tiers");
        assert_eq!(found.id, 1);
        let list = |active: Option<bool>| ListQuery {
            license: Some("L-1".into()),
            active,
            ..Default::default()
        };
        let ids =
            |p: tagtrail_store::Page<Package>| p.rows.iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(s.list(&list(Some(true))).await.unwrap()), [2]);
        assert_eq!(ids(s.list(&list(Some(false))).await.unwrap()), [1]);
        assert_eq!(ids(s.list(&list(None)).await.unwrap()), [1, 2]);
        assert_eq!(s.get_many::<Package>(&[2, 1]).await.unwrap().len(), 2);

        // The label is still taken by the finished package: a new package may not reuse it.
        assert!(
            write(s, vec![package(3, 1, 1, 1).to_change()])
                .await
                .is_err()
        );

        let mut again = package(1, 1, 1, 0);
        again.last_modified = NOW.into();
        write(s, vec![again.to_change()]).await.unwrap();
        assert_eq!(tiers_of(&db, 1).await, (1, 0, 1), "unfinished: back");
        assert_eq!(ids(s.list(&list(Some(true))).await.unwrap()), [1, 2]);

        // A finish and an unfinish in one entry leave the row where its last image says.
        let mut gone = package(2, 2, 1, 0);
        gone.state = PackageState::Finished;
        gone.active = false;
        write(
            s,
            vec![
                gone.to_change(),
                package(2, 2, 1, 4).to_change(),
                gone.to_change(),
            ],
        )
        .await
        .unwrap();
        assert_eq!(tiers_of(&db, 2).await, (0, 1, 1));
        // The highest id is in history: the next one is still above it.
        let mut tx = s.begin().await.unwrap();
        assert_eq!(tx.next_id::<Package>().await.unwrap(), 3);
        drop(tx);

        let report = verify(s, &db.dir.path().join("v.db")).await.unwrap();
        assert!(report.ok(), "{report:?}");
        s.close().await;
    }
}

/// Issue 14's storage (migration 0027, src/packing.rs): on SQLite a history row, an adjustment
/// and a link keep their record packed, and so does the journal; every read gives back exactly
/// the record written, on both backends; a package entering history straight away (finished in
/// the entry that creates it, rule 72) still gets its harvest lineage; `audit verify` agrees.
#[tokio::test]
async fn packed_rows_read_back_exactly_and_keep_their_lineage() {
    for db in backends().await {
        let s = &db.store;
        write(s, vec![facility().to_change(), item(1, "Oil").to_change()])
            .await
            .unwrap();
        let mut done = package(1, 1, 1, 0);
        done.state = PackageState::Finished;
        done.active = false;
        done.note = Some("ünïcödé survives packing".into());
        done.source_harvests = vec![
            serde_json::from_value(json!({
                "harvest_id": 41, "name": "Harvest 41", "harvest_start_date": "2026-01-01",
                "harvested_by_license": "L-1", "harvested_by_name": "Farm", "weight": 12.5,
                "unit_of_weight": "Grams"
            }))
            .unwrap(),
        ];
        write(s, vec![done.to_change()]).await.unwrap();
        assert_eq!(
            tiers_of(&db, 1).await,
            (0, 1, 1),
            "created finished: in history"
        );

        let got: Package = s.get(1).await.unwrap().unwrap();
        assert_eq!(got, done, "by id");
        let label = TagLabel::issue(7, 1);
        let found: Package = s.find(Some("L-1"), label.as_str()).await.unwrap().unwrap();
        assert_eq!(found, done, "by label");
        let page = s
            .list::<Package>(&ListQuery {
                license: Some("L-1".into()),
                active: Some(false),
                page: Some((1, 20)),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(page.rows, vec![done.clone()], "a page of history");
        assert_eq!(
            s.children_of(tagtrail_store::SourceKind::Harvest, &[41])
                .await
                .unwrap(),
            vec![(41, 1)],
            "the harvest's lineage reaches the package"
        );

        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db.raw).await.unwrap();
        let stored = |sql: &'static str| {
            let pool = pool.clone();
            async move {
                let row = sqlx::query(sql).fetch_one(&pool).await.unwrap();
                sqlx::Row::try_get::<String, _>(&row, "v").unwrap()
            }
        };
        let history = stored("SELECT CAST(data AS TEXT) AS v FROM packages_history").await;
        let changes = stored("SELECT changes AS v FROM journal ORDER BY seq DESC LIMIT 1").await;
        assert!(
            changes.starts_with("~1"),
            "the journal is packed: {changes:.40}"
        );
        if db.raw.starts_with("sqlite") {
            assert!(
                history.starts_with("~1"),
                "history is packed: {history:.40}"
            );
            assert!(history.len() * 2 < serde_json::to_string(&done).unwrap().len());
        } else {
            assert!(history.starts_with('{'), "PostgreSQL keeps JSONB");
        }
        pool.close().await;

        let report = verify(s, &db.dir.path().join("v.db")).await.unwrap();
        assert!(report.ok(), "{report:?}");
        s.close().await;
    }
}

/// The store's backstop for any door: an indexed text longer than the store keeps is refused
/// with a clear error and nothing written, the same on both backends (PostgreSQL's btree would
/// otherwise fail with an index-size error past ~2.7 KB); 250 four-byte characters are kept.
#[tokio::test]
async fn an_overlong_indexed_text_is_refused_alike_on_both_backends() {
    for db in backends().await {
        let s = &db.store;
        write(s, vec![facility().to_change()]).await.unwrap();
        let before = s.head().await.unwrap().map(|e| e.seq);
        let err = write(s, vec![item(1, &"Ж".repeat(3000)).to_change()])
            .await
            .expect_err("refused");
        assert!(err.contains("longer than the 1000 bytes"), "{err}");
        assert_eq!(
            s.head().await.unwrap().map(|e| e.seq),
            before,
            "nothing written"
        );
        let longest = "𝕂".repeat(250);
        write(s, vec![item(1, &longest).to_change()]).await.unwrap();
        let got: Item = s.get(1).await.unwrap().expect("stored");
        assert_eq!(got.name, longest);
    }
}
