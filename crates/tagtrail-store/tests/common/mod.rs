//! What the cultivation projection tests share: a store per backend (SQLite, and PostgreSQL when
//! `TAGTRAIL_TEST_POSTGRES_URL` names a server), a write of raw changes, the facility.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use serde_json::json;
use tagtrail_domain::journal::{Actor, Change, Draft};
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::records::Facility;
use tagtrail_store::{Store, scratch};

pub struct Db {
    pub store: Store,
    pub dir: tempfile::TempDir,
}

pub async fn backends(prefix: &str) -> Vec<Db> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("t.db").to_string_lossy().to_string();
    out.push(Db {
        store: Store::open(&url).await.unwrap(),
        dir,
    });
    if let Ok(admin) = std::env::var("TAGTRAIL_TEST_POSTGRES_URL") {
        let url = scratch::create_postgres_database(&admin, prefix)
            .await
            .unwrap();
        out.push(Db {
            store: Store::open(&url).await.unwrap(),
            dir: tempfile::tempdir().unwrap(),
        });
    }
    out
}

pub const NOW: &str = "2026-06-01T00:00:00.000000+00:00";
pub const LIC: &str = "CCL-1";

pub async fn write(store: &Store, changes: Vec<Change>) -> Result<(), String> {
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    tx.append(Draft {
        recorded_at: NOW.into(),
        license_number: Some(LIC.into()),
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
    })
    .await
    .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())
}

pub fn facility() -> Facility {
    Facility {
        id: 1,
        license_number: LIC.into(),
        license_type: LicenseType::Cultivator,
        name: "Farm".into(),
        display_name: "Farm".into(),
        license_start_date: "2026-01-01".into(),
        license_end_date: "2026-12-31".into(),
        address: None,
        credentialed_date: "2026-01-01".into(),
        onboarding: Default::default(),
        active: true,
        last_modified: NOW.into(),
    }
}
