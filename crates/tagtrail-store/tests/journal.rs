//! The journal and projections on a real SQLite file, and on PostgreSQL when
//! `TAGTRAIL_TEST_POSTGRES_URL` names a server (CI always sets it).
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use serde_json::json;
use sqlx::Connection;
use tagtrail_domain::journal::{Actor, Draft};
use tagtrail_domain::records::{Record, Strain};
use tagtrail_store::{Backend, ListQuery, Store, scratch, verify};

struct Db {
    store: Store,
    url: String,
    _dir: tempfile::TempDir,
}

async fn backends() -> Vec<Db> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("t.db").to_string_lossy().to_string();
    out.push(Db {
        store: Store::open(&url).await.unwrap(),
        url: format!("sqlite://{url}"),
        _dir: dir,
    });
    if let Ok(admin) = std::env::var("TAGTRAIL_TEST_POSTGRES_URL") {
        let url = scratch::create_postgres_database(&admin, "tagtrail_store")
            .await
            .unwrap();
        out.push(Db {
            store: Store::open(&url).await.unwrap(),
            url,
            _dir: tempfile::tempdir().unwrap(),
        });
    }
    out
}

fn strain(id: i64, name: &str, now: &str) -> Strain {
    Strain {
        id,
        license_number: "L-1".into(),
        name: name.into(),
        testing_status: "None".into(),
        thc_level: Some("0.1865".parse().unwrap()),
        cbd_level: None,
        indica_percentage: None,
        sativa_percentage: None,
        genetics: None,
        active: true,
        last_modified: now.into(),
    }
}

fn draft(changes: Vec<tagtrail_domain::journal::Change>) -> Draft {
    Draft {
        recorded_at: "2026-01-01T00:00:00.000000+00:00".into(),
        license_number: Some("L-1".into()),
        actor: Actor {
            employee_id: Some(1),
            vendor_key_id: Some(1),
            name: "ana".into(),
        },
        endpoint: "POST /strains/v2".into(),
        reason: "test".into(),
        request: json!([{"Name": "x", "ThcLevel": 0.1865}]),
        result_ids: vec![1],
        changes,
        door: Some("api".into()),
        action: Some("Create strains".into()),
    }
}

/// Rewrites the text of strain 2's record in place (JSONB on PostgreSQL goes through text).
fn retext(db: &Db, from: &str, to: &str) -> String {
    match db.store.backend() {
        Backend::Sqlite => {
            format!("UPDATE strains SET data = replace(data, '{from}', '{to}') WHERE id = 2")
        }
        Backend::Postgres => format!(
            "UPDATE strains SET data = CAST(replace(CAST(data AS TEXT), '{from}', '{to}') AS JSONB) WHERE id = 2"
        ),
    }
}

async fn raw(db: &Db, sql: &str) -> Result<(), sqlx::Error> {
    let mut conn = sqlx::AnyConnection::connect(&db.url).await?;
    sqlx::query(sql).execute(&mut conn).await.map(|_| ())
}

#[tokio::test]
async fn appends_project_and_verify_then_tampering_is_caught() {
    for db in backends().await {
        let s = &db.store;
        let mut tx = s.begin().await.unwrap();
        assert_eq!(tx.next_id::<Strain>().await.unwrap(), 1);
        let e1 = tx
            .append(draft(vec![
                strain(1, "Blue Dream", "2026-01-01T00:00:00.000000+00:00").to_change(),
            ]))
            .await
            .unwrap();
        let e2 = tx
            .append(draft(vec![
                strain(2, "OG Kush", "2026-01-01T00:00:01.000000+00:00").to_change(),
            ]))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(e2.prev_hash, e1.hash);

        // A rolled-back transaction leaves nothing behind.
        let mut tx = s.begin().await.unwrap();
        tx.append(draft(vec![strain(3, "Ghost", "t").to_change()]))
            .await
            .unwrap();
        drop(tx);
        let page = s
            .list::<Strain>(&ListQuery {
                license: Some("L-1".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(page.total, 2);
        assert_eq!(page.rows[0].thc_level, Some("0.1865".parse().unwrap()));
        // Newest first, one page at a time (the web UI's lists).
        let newest = s
            .list::<Strain>(&ListQuery {
                license: Some("L-1".into()),
                newest_first: true,
                page: Some((1, 1)),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            (
                newest.total,
                newest.rows.iter().map(|r| r.id).collect::<Vec<_>>()
            ),
            (2, vec![2])
        );
        let windowed = s
            .list::<Strain>(&ListQuery {
                modified_from: Some("2026-01-01T00:00:00.500000+00:00".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            windowed.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![2]
        );
        assert_eq!(
            s.find::<Strain>(Some("L-1"), "og kush")
                .await
                .unwrap()
                .unwrap()
                .id,
            2
        );

        let scratch = db._dir.path().join("scratch.db");
        let report = verify(s, &scratch).await.unwrap();
        assert!(report.ok(), "{report:?}");
        assert_eq!((report.entries, report.rows), (2, 2));

        // The database itself refuses to rewrite or delete journal rows.
        assert!(
            raw(&db, "UPDATE journal SET reason = 'edited' WHERE seq = 1")
                .await
                .is_err()
        );
        assert!(raw(&db, "DELETE FROM journal WHERE seq = 2").await.is_err());

        // A projection row changed behind the ledger's back is named.
        raw(&db, &retext(&db, "OG Kush", "OG Kush 2"))
            .await
            .unwrap();
        let report = verify(s, &scratch).await.unwrap();
        assert_eq!(
            report.problem.as_deref(),
            Some("strains row 2 differs from what the journal says")
        );
        raw(&db, &retext(&db, "OG Kush 2", "OG Kush"))
            .await
            .unwrap();
        assert!(verify(s, &scratch).await.unwrap().ok());
        // So is a typed column changed behind the ledger's back, with the record left alone.
        raw(
            &db,
            "UPDATE strains SET name_key = 'og kush x' WHERE id = 2",
        )
        .await
        .unwrap();
        assert_eq!(
            verify(s, &scratch).await.unwrap().problem.as_deref(),
            Some("strains row 2 differs from what the journal says")
        );
        raw(&db, "UPDATE strains SET name_key = 'og kush' WHERE id = 2")
            .await
            .unwrap();
        assert!(verify(s, &scratch).await.unwrap().ok());

        // With the triggers dropped, an edited journal row breaks the chain at that entry.
        match s.backend() {
            Backend::Sqlite => raw(&db, "DROP TRIGGER journal_no_update").await.unwrap(),
            Backend::Postgres => raw(&db, "DROP TRIGGER journal_no_update ON journal")
                .await
                .unwrap(),
        }
        raw(&db, "UPDATE journal SET reason = 'edited' WHERE seq = 1")
            .await
            .unwrap();
        let report = verify(s, &scratch).await.unwrap();
        let problem = report.problem.unwrap();
        assert!(problem.contains("entry 1"), "{problem}");
        s.close().await;
    }
}
