//! Checkpoints through the application layer, on a real SQLite file and on PostgreSQL when
//! `TAGTRAIL_TEST_POSTGRES_URL` names a server: the key file, signing only when the head moved,
//! and the inspector's check of a checkpoints file against the database.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use serde_json::json;
use tagtrail_app::actions::people::CreateLicense;
use tagtrail_app::checkpoints::{KeyFileError, SigningKey};
use tagtrail_app::{Acting, Config, Door, Ledger};
use tagtrail_domain::checkpoint::{Checkpoint, Head, Mismatch, PublicKey};
use tagtrail_domain::commands::people::FacilitySpec;
use tagtrail_domain::license::LicenseType;

async fn ledgers(dir: &std::path::Path) -> Vec<Ledger> {
    let mut out = vec![
        Ledger::open(&dir.join("t.db").to_string_lossy(), Config::default())
            .await
            .unwrap(),
    ];
    if let Ok(admin) = std::env::var("TAGTRAIL_TEST_POSTGRES_URL") {
        let url = tagtrail_app::audit::create_postgres_database(&admin, "tagtrail_ckpt_app")
            .await
            .unwrap();
        out.push(Ledger::open(&url, Config::default()).await.unwrap());
    }
    out
}

async fn license(ledger: &Ledger, n: u32) {
    let spec = FacilitySpec {
        license_number: format!("CCL-{n}"),
        license_type: LicenseType::Manufacturer,
        name: format!("Kitchen {n}"),
        address: None,
        license_start_date: "2026-01-01".into(),
        license_end_date: "2026-12-31".into(),
    };
    let door = Door::operator("test", json!({"LicenseNumber": spec.license_number}));
    ledger
        .run_system::<CreateLicense>(&Acting::operator("test"), door, &spec)
        .await
        .unwrap();
}

#[test]
fn key_files_are_private_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys").join("checkpoint.key");
    let key = SigningKey::create(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(
        SigningKey::load(&path).unwrap().public_key(),
        key.public_key()
    );
    assert!(matches!(
        SigningKey::create(&path),
        Err(KeyFileError::Exists { .. })
    ));
    // The Debug form names the key, never the secret.
    let text = std::fs::read_to_string(&path).unwrap();
    let secret = text.lines().last().unwrap();
    assert!(!format!("{key:?}").contains(secret));
    std::fs::write(&path, "# nothing\nnot hex\n").unwrap();
    assert!(matches!(
        SigningKey::load(&path),
        Err(KeyFileError::Invalid { .. })
    ));
}

#[tokio::test]
async fn signs_only_a_moved_head_and_proves_a_copy() {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::create(&dir.path().join("checkpoint.key")).unwrap();
    let stranger = SigningKey::generate();
    for ledger in ledgers(dir.path()).await {
        // Nothing to sign in an empty journal.
        assert!(ledger.checkpoint(&key).await.unwrap().is_none());

        license(&ledger, 1).await;
        let head = ledger.journal_len().await.unwrap();
        let first = ledger.checkpoint(&key).await.unwrap().unwrap();
        assert_eq!(first.seq, head);
        assert_eq!(first.key_id, key.public_key().key_id());
        assert!(first.verify(key.public_key()).is_ok());
        // The head has not moved: no second checkpoint of it.
        assert!(ledger.checkpoint(&key).await.unwrap().is_none());
        assert_eq!(ledger.checkpoints(None, true).await.unwrap().total, 1);

        license(&ledger, 2).await;
        let second = ledger.checkpoint(&key).await.unwrap().unwrap();
        assert!(second.seq > first.seq);
        let listed = ledger.checkpoints(Some((1, 20)), true).await.unwrap();
        assert_eq!(listed.rows, vec![second.clone(), first.clone()]);

        let file = ledger.checkpoint_file().await.unwrap();
        assert_eq!(file.checkpoints, vec![first.clone(), second.clone()]);
        assert_eq!(file.public_keys.len(), 1);
        assert_eq!(file.public_keys[0].public_key, key.public_key().to_hex());

        let scratch = dir.path().join("scratch.db");
        let trusted = [*key.public_key()];
        let audit = ledger
            .verify_checkpoints(&scratch, &file.checkpoints, &trusted)
            .await
            .unwrap();
        assert!(audit.ok(), "{audit:?}");
        assert_eq!((audit.checked, audit.last_good), (2, Some(second.seq)));

        // Another key is not trusted; an altered checkpoint does not verify; a checkpoint
        // beyond the journal says so.
        let audit = ledger
            .verify_checkpoints(&scratch, &file.checkpoints, &[*stranger.public_key()])
            .await
            .unwrap();
        assert!(matches!(audit.failure, Some(Mismatch::UntrustedKey { .. })));
        let mut altered = file.checkpoints.clone();
        altered[1].hash = "00".repeat(32);
        let audit = ledger
            .verify_checkpoints(&scratch, &altered, &trusted)
            .await
            .unwrap();
        assert!(matches!(audit.failure, Some(Mismatch::Signature(_))));
        assert_eq!(audit.last_good, Some(first.seq));
        // A checkpoint of an entry this copy does not hold (a copy older than the checkpoint,
        // or entries removed).
        let raw = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        let ahead = Checkpoint::sign(
            &Head {
                seq: second.seq + 5,
                hash: second.hash.clone(),
                recorded_at: second.recorded_at.clone(),
            },
            &second.signed_at,
            &raw,
        )
        .unwrap();
        let audit = ledger
            .verify_checkpoints(&scratch, &[ahead], &[PublicKey::new(raw.verifying_key())])
            .await
            .unwrap();
        assert!(
            matches!(audit.failure, Some(Mismatch::BeyondJournal { head, .. }) if head == second.seq),
            "{audit:?}"
        );
        // An empty file proves nothing.
        let audit = ledger
            .verify_checkpoints(&scratch, &[], &trusted)
            .await
            .unwrap();
        assert!(!audit.ok());
        ledger.close().await;
    }
}
