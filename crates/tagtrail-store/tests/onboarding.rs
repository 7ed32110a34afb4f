//! A license's onboarding columns (migration 0012), held by the database itself: a known kind,
//! an account manager who is a user, a training date only where there is an account manager; and
//! licenses of a database written before onboarding existed read as annual, administered by the
//! operator. On SQLite, and on PostgreSQL when `TAGTRAIL_TEST_POSTGRES_URL` names a server.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use serde_json::json;
use std::io::Read;
use tagtrail_domain::journal::{Actor, Change, Draft};
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::records::{Facility, LicenseKind, Onboarding, Record, User};
use tagtrail_store::{Column, ListQuery, Store, scratch, verify};

const NOW: &str = "2026-01-01T00:00:00.000000+00:00";

async fn stores(dir: &std::path::Path) -> Vec<Store> {
    let mut out = vec![
        Store::open(&dir.join("t.db").to_string_lossy())
            .await
            .unwrap(),
    ];
    if let Ok(admin) = std::env::var("TAGTRAIL_TEST_POSTGRES_URL") {
        let url = scratch::create_postgres_database(&admin, "tagtrail_onboard")
            .await
            .unwrap();
        out.push(Store::open(&url).await.unwrap());
    }
    out
}

async fn write(store: &Store, changes: Vec<Change>) -> Result<(), String> {
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    let draft = Draft {
        recorded_at: NOW.into(),
        license_number: None,
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
    };
    tx.append(draft).await.map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())
}

fn license(id: i64, onboarding: Onboarding) -> Facility {
    Facility {
        id,
        license_number: format!("L-{id}"),
        license_type: LicenseType::Retailer,
        name: "Shop".into(),
        display_name: "Shop".into(),
        license_start_date: "2026-01-01".into(),
        license_end_date: "2026-12-31".into(),
        address: None,
        credentialed_date: "2026-01-01".into(),
        onboarding,
        active: true,
        last_modified: NOW.into(),
    }
}

fn user(id: i64) -> User {
    User {
        id,
        username: format!("u{id}"),
        full_name: "U".into(),
        employee_license_number: "E".into(),
        password_hash: None,
        active: true,
        last_modified: NOW.into(),
    }
}

/// Rules 1 to 3 as the database holds them: the kind is annual or temporary; the account manager
/// is a user; a training date is a date and needs an account manager.
#[tokio::test]
async fn the_database_holds_the_onboarding_rules() {
    let dir = tempfile::tempdir().unwrap();
    for s in stores(dir.path()).await {
        let trained = Onboarding {
            license_kind: LicenseKind::Annual,
            account_manager_id: Some(1),
            training_completed: Some("2026-01-02".into()),
        };
        write(
            &s,
            vec![user(1).to_change(), license(1, trained).to_change()],
        )
        .await
        .unwrap();
        let len = s.journal_len().await.unwrap();
        let mut odd = license(2, Onboarding::default()).to_change();
        odd.data["onboarding"]["license_kind"] = json!("provisional");
        assert!(write(&s, vec![odd]).await.is_err(), "an unknown kind");
        let nobody = Onboarding {
            account_manager_id: Some(99),
            ..Onboarding::default()
        };
        assert!(
            write(&s, vec![license(3, nobody).to_change()])
                .await
                .is_err(),
            "an account manager who is not a user"
        );
        let untaught = Onboarding {
            training_completed: Some("2026-01-02".into()),
            ..Onboarding::default()
        };
        assert!(
            write(&s, vec![license(4, untaught).to_change()])
                .await
                .is_err(),
            "training with no account manager"
        );
        let sloppy = Onboarding {
            account_manager_id: Some(1),
            training_completed: Some("Jan 2".into()),
            ..Onboarding::default()
        };
        assert!(
            write(&s, vec![license(5, sloppy).to_change()])
                .await
                .is_err(),
            "a training date that is not a date"
        );
        assert_eq!(
            s.journal_len().await.unwrap(),
            len,
            "nothing refused was written"
        );
        let temporary = Onboarding {
            license_kind: LicenseKind::Temporary,
            ..Onboarding::default()
        };
        write(&s, vec![license(6, temporary).to_change()])
            .await
            .unwrap();
        let found = s
            .list::<Facility>(&ListQuery::default().with(Column::LicenseKind, ["temporary"]))
            .await
            .unwrap();
        assert_eq!(found.total, 1);
        assert_eq!(
            found.rows[0].onboarding.license_kind,
            LicenseKind::Temporary
        );
        assert!(verify(&s, &dir.path().join("v.db")).await.unwrap().ok());
        s.close().await;
    }
}

/// A database written before onboarding existed: every license reads as annual with no account
/// manager (the operator administers it, and its people keep their access), and `audit verify`
/// agrees with the rebuilt projection.
#[tokio::test]
async fn licenses_issued_before_onboarding_are_annual_and_the_operators() {
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
    let all = store.list::<Facility>(&ListQuery::default()).await.unwrap();
    assert_eq!(all.total, 5, "the demo's five licenses");
    for f in &all.rows {
        assert_eq!(f.onboarding, Onboarding::default(), "{}", f.license_number);
    }
    let annual = store
        .list::<Facility>(&ListQuery::default().with(Column::LicenseKind, ["annual"]))
        .await
        .unwrap();
    assert_eq!(annual.total, 5, "the column was filled by the rebuild");
    assert!(verify(&store, &dir.path().join("v.db")).await.unwrap().ok());
    store.close().await;
}
