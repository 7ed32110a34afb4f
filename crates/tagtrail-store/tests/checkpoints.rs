//! The checkpoint tables on a real SQLite file, and on PostgreSQL when
//! `TAGTRAIL_TEST_POSTGRES_URL` names a server: append-only like the journal, one checkpoint per
//! entry, only of entries that exist, under a recorded key; and the journal look-ups the signer
//! and the inspector use.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use serde_json::json;
use sqlx::Connection;
use tagtrail_domain::checkpoint::Checkpoint;
use tagtrail_domain::journal::{Actor, Draft, Entry};
use tagtrail_store::{Backend, Store, scratch};

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
        let url = scratch::create_postgres_database(&admin, "tagtrail_ckpt")
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

fn draft(reason: &str) -> Draft {
    Draft {
        recorded_at: "2026-01-01T00:00:00.000000+00:00".into(),
        license_number: None,
        actor: Actor {
            employee_id: None,
            vendor_key_id: None,
            name: "operator:test".into(),
        },
        endpoint: "test".into(),
        reason: reason.into(),
        request: json!(null),
        result_ids: vec![],
        changes: vec![],
        door: Some("operator".into()),
        action: Some("test".into()),
    }
}

/// The store keeps what it is given; signatures are the application's to make and check.
fn checkpoint(e: &Entry) -> Checkpoint {
    Checkpoint {
        seq: e.seq,
        hash: e.hash.clone(),
        recorded_at: e.body.recorded_at.clone(),
        signed_at: "2026-01-01T00:00:05.000000+00:00".into(),
        key_id: "0011223344556677".into(),
        signature: "ab".repeat(64),
    }
}

async fn raw(db: &Db, sql: &str) -> Result<(), sqlx::Error> {
    let mut conn = sqlx::AnyConnection::connect(&db.url).await?;
    sqlx::query(sql).execute(&mut conn).await.map(|_| ())
}

#[tokio::test]
async fn checkpoints_are_append_only_and_name_real_entries() {
    for db in backends().await {
        let s = &db.store;
        let mut tx = s.begin().await.unwrap();
        let mut entries = Vec::new();
        for reason in ["one", "two", "three"] {
            entries.push(tx.append(draft(reason)).await.unwrap());
        }
        tx.commit().await.unwrap();
        assert!(s.checkpoint_latest().await.unwrap().is_none());

        // A checkpoint names a recorded key: none yet, so the database refuses it.
        assert!(s.checkpoint_append(&checkpoint(&entries[1])).await.is_err());
        s.checkpoint_key_put(
            "0011223344556677",
            &"cd".repeat(32),
            "2026-01-01T00:00:05.000000+00:00",
        )
        .await
        .unwrap();
        // The same key again is a no-op.
        s.checkpoint_key_put(
            "0011223344556677",
            &"cd".repeat(32),
            "2026-01-01T00:00:06.000000+00:00",
        )
        .await
        .unwrap();
        assert_eq!(
            s.checkpoint_keys().await.unwrap(),
            vec![("0011223344556677".to_string(), "cd".repeat(32))]
        );

        assert!(s.checkpoint_append(&checkpoint(&entries[0])).await.unwrap());
        assert!(s.checkpoint_append(&checkpoint(&entries[1])).await.unwrap());
        // A second signer of the same entry changes nothing.
        let mut again = checkpoint(&entries[1]);
        again.signed_at = "2026-01-01T00:00:09.000000+00:00".into();
        assert!(!s.checkpoint_append(&again).await.unwrap());
        // A checkpoint of an entry the journal does not hold is refused.
        let mut beyond = checkpoint(&entries[2]);
        beyond.seq = 99;
        assert!(s.checkpoint_append(&beyond).await.is_err());

        assert_eq!(
            s.checkpoint_latest().await.unwrap(),
            Some(checkpoint(&entries[1]))
        );
        let newest = s.checkpoints(None, true).await.unwrap();
        assert_eq!(newest.total, 2);
        assert_eq!(
            newest.rows.iter().map(|c| c.seq).collect::<Vec<_>>(),
            [2, 1]
        );
        let second_page = s.checkpoints(Some((2, 1)), true).await.unwrap();
        assert_eq!((second_page.total, second_page.rows[0].seq), (2, 1));
        let oldest = s.checkpoints(None, false).await.unwrap();
        assert_eq!(
            oldest.rows.iter().map(|c| c.seq).collect::<Vec<_>>(),
            [1, 2]
        );

        // The journal look-ups.
        assert_eq!(
            s.journal_hash_at(2).await.unwrap(),
            Some((entries[1].hash.clone(), entries[1].body.recorded_at.clone()))
        );
        assert_eq!(s.journal_hash_at(4).await.unwrap(), None);
        let hashes = s.journal_hashes_at(&[3, 1, 99]).await.unwrap();
        assert_eq!(
            hashes
                .iter()
                .map(|(seq, h, _)| (*seq, h.clone()))
                .collect::<Vec<_>>(),
            vec![(1, entries[0].hash.clone()), (3, entries[2].hash.clone())]
        );
        let after = s.journal_after(1, 10).await.unwrap();
        assert_eq!(after, entries[1..].to_vec());

        // The database refuses to change or remove a published checkpoint or key.
        for sql in [
            "UPDATE checkpoints SET hash = 'x' WHERE seq = 1",
            "DELETE FROM checkpoints WHERE seq = 2",
            "UPDATE checkpoint_keys SET public_key = 'x'",
            "DELETE FROM checkpoint_keys",
        ] {
            let e = raw(&db, sql).await.unwrap_err();
            assert!(
                e.to_string().contains("checkpoints are append-only"),
                "{sql}: {e}"
            );
        }
        if s.backend() == Backend::Postgres {
            assert!(raw(&db, "TRUNCATE checkpoints").await.is_err());
        }
        assert_eq!(s.checkpoints(None, true).await.unwrap().total, 2);
        s.close().await;
    }
}
