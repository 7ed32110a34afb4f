//! What every workbench test shares: a workbench database per test on the run's backend, the
//! demo brand set up on it against a test ledger, people signed in with their second factor,
//! and a few calls to the ledger.

use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeSet;
use tagtrail_testkit::{Backend, DISTRIBUTOR, EmptyDatabase, MANUFACTURER, TestApp};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::role::Role;
use tagtrail_workbench::people::{Caller, LicenseCtx, totp_code};
use tagtrail_workbench::sync::Trigger;
use tagtrail_workbench::vault::{Kek, Secret};
use tagtrail_workbench::{Config, Workbench};

pub const PASSWORD: &str = "correct horse battery";

/// A workbench database for one test: a SQLite file, or a fresh PostgreSQL database.
pub struct Bench {
    pub wb: Workbench,
    pub url: String,
    db: EmptyDatabase,
    /// Each person's user name and TOTP secret.
    pub users: Vec<(String, String)>,
}

impl Bench {
    pub async fn open(backend: &Backend, config: Config) -> Bench {
        let db = EmptyDatabase::create(backend, "wb_test").await;
        let wb = Workbench::open(&db.url, kek(), config).await.unwrap();
        Bench {
            wb,
            url: db.url.clone(),
            db,
            users: vec![],
        }
    }

    pub fn on_postgres(&self) -> bool {
        self.db.is_postgres()
    }

    pub async fn finish(self) {
        let verified = self.wb.verify_audit().await.unwrap();
        assert!(verified.problem.is_none(), "{:?}", verified.problem);
        self.wb.close().await;
        self.db.drop_now().await;
    }

    pub async fn brand(&mut self, app: &TestApp) -> i64 {
        let op = Caller::operator();
        let wb = &self.wb;
        let company = wb
            .create_company(&op, Door::Cli, "Golden Hour Brands", &app.base_url)
            .await
            .unwrap();
        wb.add_license(
            &op,
            Door::Cli,
            company,
            MANUFACTURER,
            "Golden Hour Kitchen",
            "Manufacturer",
            "#7c3aed",
        )
        .await
        .unwrap();
        wb.add_license(
            &op,
            Door::Cli,
            company,
            DISTRIBUTOR,
            "Golden Hour Distribution",
            "Distributor",
            "#0e7490",
        )
        .await
        .unwrap();
        wb.store_vendor_key(
            &op,
            Door::Cli,
            company,
            Secret::new(app.creds.vendor_key.clone()),
            None,
        )
        .await
        .unwrap();
        for number in [MANUFACTURER, DISTRIBUTOR] {
            let l = app
                .creds
                .licenses
                .iter()
                .find(|l| l.license_number == number)
                .unwrap();
            wb.store_user_key_as_operator(
                number,
                Secret::new(l.user_key.clone()),
                &l.employee_license_number,
                None,
            )
            .await
            .unwrap();
        }
        for (name, roles) in [
            (
                "alice",
                vec![(MANUFACTURER, Role::Admin), (DISTRIBUTOR, Role::Admin)],
            ),
            ("bob", vec![(MANUFACTURER, Role::Operator)]),
            (
                "carol",
                vec![
                    (MANUFACTURER, Role::ComplianceManager),
                    (DISTRIBUTOR, Role::ComplianceManager),
                ],
            ),
            ("dave", vec![(DISTRIBUTOR, Role::Viewer)]),
        ] {
            let u = wb
                .create_user(&op, Door::Cli, Some(company), name, name, PASSWORD)
                .await
                .unwrap();
            for (l, r) in roles {
                wb.grant(&op, Door::Cli, name, l, r).await.unwrap();
            }
            self.users.push((name.to_string(), u.totp_secret));
        }
        company
    }

    /// Signs a user in, with the second factor.
    pub async fn caller(&self, name: &str) -> Caller {
        let secret = &self.users.iter().find(|u| u.0 == name).unwrap().1;
        let code = totp_code(secret).unwrap();
        self.wb
            .sign_in(name, PASSWORD, Some(&code))
            .await
            .unwrap()
            .caller
    }

    pub async fn license(&self, who: &Caller, number: &str) -> LicenseCtx {
        self.wb.license(who, number).await.unwrap()
    }
}

/// The defaults, except a client limit the test ledger allows and a first sync reaching back
/// only as far as the seeded data.
pub fn fast() -> Config {
    Config {
        rate_limit_per_second: 2_000,
        first_sync_since: chrono::TimeDelta::days(2),
        ..Config::default()
    }
}

/// One backend per run: PostgreSQL when `TAGTRAIL_TEST_POSTGRES_URL` names a server (CI's
/// PostgreSQL step; its SQLite step has already run these on SQLite), SQLite otherwise. These
/// tests are long, and running SQLite twice in CI bought nothing.
pub fn backends() -> Vec<Backend> {
    let all = tagtrail_testkit::backends();
    all.iter().rev().take(1).cloned().collect()
}

pub fn quiet() -> impl Fn(&tagtrail_workbench::sync::Progress) + Sync {
    |_| {}
}

pub async fn ledger_labels(app: &TestApp, license: &str, list: &str) -> BTreeSet<String> {
    let all: Vec<Value> = app
        .client(license)
        .get_all(
            &format!("/packages/v2/{list}"),
            &[("licenseNumber", license.to_string())],
        )
        .await
        .unwrap();
    all.iter()
        .filter_map(|p| p["Label"].as_str().map(str::to_string))
        .collect()
}

pub async fn sandbox(app: &TestApp, path: &str, body: Value) {
    app.call(Method::PUT, path)
        .acting_as(MANUFACTURER)
        .json(body)
        .send()
        .await
        .ok();
}

pub async fn sync(b: &Bench, who: &Caller, number: &str) {
    let l = b.license(who, number).await;
    let r =
        b.wb.sync_license(&l, Some(who), Trigger::Manual, &quiet())
            .await
            .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

/// The key-encryption key of every test workbench.
pub fn kek() -> Kek {
    Kek::from_text(&hex::encode([7u8; 32])).unwrap()
}

/// The distributor's van and driver (the demo ledger's own) carry every manifest of the tests.
pub fn transport() -> tagtrail_workbench::model::manifest::Transport {
    tagtrail_workbench::model::manifest::Transport {
        transporter_license: DISTRIBUTOR.into(),
        driver_name: "Luis Ortega".into(),
        driver_occupational_license: "EMP-300310".into(),
        driver_license: "D4481237".into(),
        vehicle_make: "Ford".into(),
        vehicle_model: "Transit 250".into(),
        vehicle_plate: "8TGT123".into(),
        estimated_departure: "2026-11-21T08:00:00".into(),
        estimated_arrival: "2026-11-21T12:30:00".into(),
        phone_for_questions: "916-555-0142".into(),
    }
}

/// `n` of a license's free package tags on the ledger.
pub async fn free_tags(app: &TestApp, license: &str, n: usize) -> Vec<String> {
    let tags: Vec<String> = app
        .list(license, "/tags/v2/package/available")
        .await
        .iter()
        .filter_map(|t| t["Label"].as_str().map(str::to_string))
        .take(n)
        .collect();
    assert_eq!(tags.len(), n, "{license} has {n} free tags");
    tags
}
