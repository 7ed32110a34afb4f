//! The workbench against a real tagtrail ledger over loopback, on both backends (the ledger's
//! and the workbench's databases on the same backend): sync, overlap, the outbox under faults,
//! preflight, review rules, keys at rest, isolation between companies, discrepancies.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use tagtrail_testkit::{Backend, DISTRIBUTOR, MANUFACTURER, RETAILER, TestApp};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::manifest::{ManifestDraft, Receipt, ReceiptLine, Transport};
use tagtrail_workbench::model::preflight::{Intent, TransferDraft};
use tagtrail_workbench::model::role::Role;
use tagtrail_workbench::model::submission::{State, Step};
use tagtrail_workbench::people::{Caller, LicenseCtx, totp_code};
use tagtrail_workbench::sync::Trigger;
use tagtrail_workbench::vault::{Kek, Secret};
use tagtrail_workbench::{Config, Workbench};

const PASSWORD: &str = "correct horse battery";

/// A workbench database for one test: a SQLite file, or a fresh PostgreSQL database.
struct Bench {
    wb: Workbench,
    #[allow(dead_code)]
    url: String,
    _dir: tempfile::TempDir,
    pg: Option<(String, String)>,
    users: Vec<(String, String)>,
}

async fn admin_conn(admin: &str) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(admin)
        .await
        .expect("the PostgreSQL server")
}

impl Bench {
    async fn open(backend: &Backend, config: Config) -> Bench {
        let dir = tempfile::tempdir().unwrap();
        let (url, pg) = match backend {
            Backend::Sqlite => (
                dir.path()
                    .join("workbench.db")
                    .to_string_lossy()
                    .to_string(),
                None,
            ),
            Backend::Postgres(admin) => {
                let name = format!("wb_test_{}_{}", std::process::id(), rand_suffix());
                let mut c = admin_conn(admin).await;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut c)
                    .await
                    .unwrap();
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
                (format!("{base}/{name}"), Some((admin.clone(), name)))
            }
        };
        let kek = Kek::from_text(&hex::encode([7u8; 32])).unwrap();
        let wb = Workbench::open(&url, kek, config).await.unwrap();
        Bench {
            wb,
            url,
            _dir: dir,
            pg,
            users: vec![],
        }
    }

    async fn finish(self) {
        let verified = self.wb.verify_audit().await.unwrap();
        assert!(verified.problem.is_none(), "{:?}", verified.problem);
        self.wb.close().await;
        if let Some((admin, name)) = self.pg {
            let mut c = admin_conn(&admin).await;
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut c)
                .await;
        }
    }

    /// The demo brand: its manufacturer and distributor licenses on the ledger, and four people.
    async fn brand(&mut self, app: &TestApp) -> i64 {
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
    async fn caller(&self, name: &str) -> Caller {
        let secret = &self.users.iter().find(|u| u.0 == name).unwrap().1;
        let code = totp_code(secret).unwrap();
        self.wb
            .sign_in(name, PASSWORD, Some(&code))
            .await
            .unwrap()
            .caller
    }

    async fn license(&self, who: &Caller, number: &str) -> LicenseCtx {
        self.wb.license(who, number).await.unwrap()
    }
}

/// The defaults, except a client limit the test ledger allows and a first sync reaching back
/// only as far as the seeded data.
fn fast() -> Config {
    Config {
        rate_limit_per_second: 2_000,
        first_sync_since: chrono::TimeDelta::days(2),
        ..Config::default()
    }
}

/// One backend per run: PostgreSQL when `TAGTRAIL_TEST_POSTGRES_URL` names a server (CI's
/// PostgreSQL step; its SQLite step has already run these on SQLite), SQLite otherwise. These
/// tests are long, and running SQLite twice in CI bought nothing.
fn backends() -> Vec<Backend> {
    let all = tagtrail_testkit::backends();
    all.iter().rev().take(1).cloned().collect()
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{t:x}{}", N.fetch_add(1, Ordering::Relaxed))
}

fn quiet() -> impl Fn(&tagtrail_workbench::sync::Progress) + Sync {
    |_| {}
}

async fn ledger_labels(app: &TestApp, license: &str, list: &str) -> BTreeSet<String> {
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

/// Seed 003 §03: a full sync holds what the ledger holds, record for record.
#[tokio::test]
async fn a_full_sync_equals_the_ledgers_state() {
    for backend in backends() {
        let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
        let mut b = Bench::open(&backend, fast()).await;
        b.brand(&app).await;
        let alice = b.caller("alice").await;
        for number in [MANUFACTURER, DISTRIBUTOR] {
            let l = b.license(&alice, number).await;
            let r =
                b.wb.sync_license(&l, Some(&alice), Trigger::First, &quiet())
                    .await
                    .unwrap();
            assert!(r.errors.is_empty(), "{number}: {:?}", r.errors);
            assert!(r.requests > 0 && r.records > 0);
            let synced: BTreeSet<String> =
                b.wb.records(&l, "package")
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|(k, _)| k)
                    .collect();
            let mut ledger = BTreeSet::new();
            for list in ["active", "onhold", "intransit", "inactive"] {
                ledger.extend(ledger_labels(&app, number, list).await);
            }
            assert_eq!(synced, ledger, "{number} packages");
            for (entity, path) in [
                ("item", "/items/v2/active"),
                ("strain", "/strains/v2/active"),
                ("location", "/locations/v2/active"),
            ] {
                let theirs: Vec<Value> = app
                    .client(number)
                    .get_all(path, &[("licenseNumber", number.to_string())])
                    .await
                    .unwrap();
                let ours = b.wb.records(&l, entity).await.unwrap();
                assert_eq!(ours.len(), theirs.len(), "{number} {entity}");
            }
            // A second sync finds nothing new: overlapping windows repeat records, not versions.
            let again =
                b.wb.sync_license(&l, Some(&alice), Trigger::Manual, &quiet())
                    .await
                    .unwrap();
            assert!(again.errors.is_empty(), "{:?}", again.errors);
            assert_eq!(again.new_versions, 0, "{number}");
            let runs = b.wb.sync_runs(&l, 10).await.unwrap();
            assert_eq!(runs.len(), 2);
            assert!(runs.iter().all(|r| r.status == "finished"));
            let requests = b.wb.requests(&l, 10_000).await.unwrap();
            assert!(
                requests
                    .iter()
                    .all(|r| r.response_sha256.as_deref().is_some_and(|h| h.len() == 64))
            );
        }
        b.finish().await;
        app.finish().await;
    }
}

async fn sandbox(app: &TestApp, path: &str, body: Value) {
    app.call(Method::PUT, path)
        .acting_as(MANUFACTURER)
        .json(body)
        .send()
        .await
        .ok();
}

async fn sync(b: &Bench, who: &Caller, number: &str) {
    let l = b.license(who, number).await;
    let r =
        b.wb.sync_license(&l, Some(who), Trigger::Manual, &quiet())
            .await
            .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

/// Seed 003 §03 ("use overlap windows when syncing LastModified data to avoid clock drift
/// misses"): a record the server stamps inside a window already read is found by the next
/// window's overlap, and lost without one.
#[tokio::test]
async fn a_record_stamped_into_a_window_already_read_is_not_missed() {
    for backend in backends() {
        let app = TestApp::start_sandbox(&backend, Default::default()).await;
        let mut with = Bench::open(&backend, fast()).await;
        with.brand(&app).await;
        let mut without = Bench::open(
            &backend,
            Config {
                window: tagtrail_workbench::model::window::Policy {
                    max_width: chrono::TimeDelta::hours(24),
                    overlap: chrono::TimeDelta::zero(),
                },
                ..fast()
            },
        )
        .await;
        without.brand(&app).await;
        let (a, z) = (with.caller("alice").await, without.caller("alice").await);
        // The ledger's clock runs six seconds behind the workbenches': each sync reads a window
        // ending at the workbench's "now", which the ledger has not reached, so what the ledger
        // writes in the next six seconds carries a time inside a window both have already read.
        // (Its stamps never precede its newest entry, the seeding: wait until that is older.)
        tokio::time::sleep(std::time::Duration::from_secs(7)).await;
        sandbox(
            &app,
            "/tagtrail/v1/sandbox/clock",
            json!({"OffsetSeconds": -6}),
        )
        .await;
        sync(&with, &a, MANUFACTURER).await;
        sync(&without, &z, MANUFACTURER).await;
        app.client(MANUFACTURER)
            .create(
                "/strains/v2/",
                MANUFACTURER,
                &[json!({"Name": "Late Stamp OG", "TestingStatus": "None"})],
            )
            .await
            .unwrap();
        sync(&with, &a, MANUFACTURER).await;
        sync(&without, &z, MANUFACTURER).await;
        let named =
            |recs: Vec<(String, Value)>| recs.iter().any(|(_, v)| v["Name"] == "Late Stamp OG");
        let la = with.license(&a, MANUFACTURER).await;
        let lz = without.license(&z, MANUFACTURER).await;
        assert!(
            named(with.wb.records(&la, "strain").await.unwrap()),
            "the overlap finds it"
        );
        assert!(
            !named(without.wb.records(&lz, "strain").await.unwrap()),
            "without overlap it is lost"
        );
        with.finish().await;
        without.finish().await;
        app.finish().await;
    }
}

/// The outbox's review rules: the author cannot approve their own submission; approving needs
/// the second factor; an operator cannot approve at all; an approved submission reaches Metrc
/// and its answer is kept with its hash.
#[tokio::test]
async fn review_needs_another_person_and_the_second_factor() {
    for backend in backends() {
        let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
        let mut b = Bench::open(&backend, fast()).await;
        b.brand(&app).await;
        let (alice, bob, carol) = (
            b.caller("alice").await,
            b.caller("bob").await,
            b.caller("carol").await,
        );
        sync(&b, &alice, MANUFACTURER).await;
        let l_carol = b.license(&carol, MANUFACTURER).await;
        let id =
            b.wb.draft(
                &carol,
                Door::Web,
                &l_carol,
                "New strain",
                "Launching Sunset Sherbert",
                Intent::CreateStrains(vec!["Workbench Sunset".into()]),
            )
            .await
            .unwrap();
        assert_eq!(
            b.wb.step(&carol, Door::Web, &l_carol, id, Step::SendToReview, "")
                .await
                .unwrap(),
            State::Review
        );
        let own =
            b.wb.step(&carol, Door::Web, &l_carol, id, Step::Approve, "")
                .await
                .unwrap_err();
        assert!(own.to_string().contains("author"), "{own}");
        let l_bob = b.license(&bob, MANUFACTURER).await;
        let role =
            b.wb.step(&bob, Door::Web, &l_bob, id, Step::Approve, "")
                .await
                .unwrap_err();
        assert!(role.to_string().contains("role"), "{role}");
        let mut stale = alice.clone();
        stale.second_factor_at = None;
        let l_alice = b.license(&alice, MANUFACTURER).await;
        let mfa =
            b.wb.step(&stale, Door::Web, &l_alice, id, Step::Approve, "")
                .await
                .unwrap_err();
        assert!(mfa.to_string().contains("second factor"), "{mfa}");
        let op = Caller::operator();
        assert!(
            b.wb.step(&op, Door::Cli, &l_alice, id, Step::Approve, "")
                .await
                .is_err()
        );
        assert_eq!(
            b.wb.step(&alice, Door::Web, &l_alice, id, Step::Approve, "checked")
                .await
                .unwrap(),
            State::Approved
        );
        assert_eq!(
            b.wb.step(&alice, Door::Web, &l_alice, id, Step::Submit, "")
                .await
                .unwrap(),
            State::Submitted
        );
        let done = b.wb.deliver_pending().await.unwrap();
        assert_eq!(
            done,
            vec![(id, tagtrail_workbench::outbox::Delivery::Accepted)]
        );
        let sub = b.wb.submission(&l_alice, id).await.unwrap();
        assert_eq!(sub.state, State::Accepted);
        assert_eq!(sub.response_status, Some(200));
        assert_eq!(sub.response_sha256.as_deref().map(str::len), Some(64));
        let strains: Vec<Value> = app
            .client(MANUFACTURER)
            .get_all(
                "/strains/v2/active",
                &[("licenseNumber", MANUFACTURER.to_string())],
            )
            .await
            .unwrap();
        assert_eq!(
            strains
                .iter()
                .filter(|s| s["Name"] == "Workbench Sunset")
                .count(),
            1
        );
        // The audit log tells the story with the endpoint and the answer's hash.
        let log = b.wb.audit_log(&alice, Some(&l_alice), 50).await.unwrap();
        let answer = log
            .iter()
            .find(|e| e.entry.action == "Metrc answer")
            .unwrap();
        assert_eq!(answer.entry.endpoint.as_deref(), Some("POST /strains/v2/"));
        assert_eq!(answer.entry.response_sha256, sub.response_sha256);
        b.finish().await;
        app.finish().await;
    }
}

/// A submission whose preflight fails cannot go to review, and nothing of it reaches Metrc.
#[tokio::test]
async fn a_submission_failing_preflight_never_reaches_metrc() {
    for backend in backends() {
        let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
        let mut b = Bench::open(&backend, fast()).await;
        b.brand(&app).await;
        let carol = b.caller("carol").await;
        sync(&b, &carol, MANUFACTURER).await;
        let l = b.license(&carol, MANUFACTURER).await;
        let source =
            b.wb.records(&l, "package")
                .await
                .unwrap()
                .into_iter()
                .find(|(_, v)| v["IsFinished"] != true)
                .unwrap()
                .0;
        let intent =
            Intent::CreatePackages(vec![tagtrail_workbench::model::preflight::NewPackage {
                tag: "1A4FFFFFFFFFFFFFFFFFFFFF".into(),
                item: "No Such Item".into(),
                quantity: "5".parse().unwrap(),
                unit: "Grams".into(),
                location: None,
                note: None,
                ingredients: vec![tagtrail_workbench::model::preflight::Ingredient {
                    package: source,
                    quantity: "999999".parse().unwrap(),
                    unit: "Kilograms".into(),
                }],
            }]);
        let id =
            b.wb.draft(
                &carol,
                Door::Web,
                &l,
                "Bad package",
                "testing preflight",
                intent,
            )
            .await
            .unwrap();
        let sub = b.wb.submission(&l, id).await.unwrap();
        let words: Vec<&str> = sub.preflight.iter().map(|p| p.message.as_str()).collect();
        assert!(
            words.iter().any(|m| m.contains("not a received, unused")),
            "{words:?}"
        );
        assert!(
            words.iter().any(|m| m.contains("not an active item")),
            "{words:?}"
        );
        let refused =
            b.wb.step(&carol, Door::Web, &l, id, Step::SendToReview, "")
                .await
                .unwrap_err();
        assert!(refused.to_string().contains("preflight"), "{refused}");
        assert!(b.wb.deliver_pending().await.unwrap().is_empty());
        let posts = b.wb.requests(&l, 10_000).await.unwrap();
        assert!(
            posts.iter().all(|r| r.method == "GET"),
            "only the sync's reads went to Metrc"
        );
        b.finish().await;
        app.finish().await;
    }
}

/// Seed 003 §03: "Block transfers when package status, testing status, hold status, or quantity
/// does not match." A physical count that disagrees opens a discrepancy, and a transfer draft
/// with that package is blocked, saying why, until a person resolves it.
#[tokio::test]
async fn a_discrepancy_blocks_a_transfer_draft() {
    for backend in backends() {
        let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
        let mut b = Bench::open(&backend, fast()).await;
        b.brand(&app).await;
        let alice = b.caller("alice").await;
        let l = b.license(&alice, MANUFACTURER).await;
        for r in b.wb.sync_all(&quiet()).await {
            assert!(r.1.is_ok(), "{r:?}");
        }
        let first = b.wb.reconcile(Some(&alice), &l).await.unwrap();
        assert_eq!(first.status, "agrees", "{first:?}");
        let (label, pkg) =
            b.wb.records(&l, "package")
                .await
                .unwrap()
                .into_iter()
                .find(|(_, v)| v["IsFinished"] != true && v["IsOnHold"] != true)
                .unwrap();
        let unit = pkg["UnitOfMeasureName"].as_str().unwrap().to_string();
        b.wb.record_count(&alice, &l, &label, "0.5", &unit)
            .await
            .unwrap();
        let report = b.wb.reconcile(Some(&alice), &l).await.unwrap();
        assert_eq!(report.status, "discrepancies");
        let open = b.wb.exceptions(&l, false).await.unwrap();
        assert!(open.iter().any(|e| e.label == label), "{open:?}");
        let draft = Intent::OutgoingTransfer(TransferDraft {
            name: "To distribution".into(),
            recipient_license: DISTRIBUTOR.into(),
            recipient_is_retailer: false,
            transfer_type: "Transfer".into(),
            packages: vec![label.clone()],
        });
        let id =
            b.wb.draft(
                &alice,
                Door::Web,
                &l,
                "Move to distribution",
                "weekly move",
                draft,
            )
            .await
            .unwrap();
        let sub = b.wb.submission(&l, id).await.unwrap();
        assert!(
            sub.preflight
                .iter()
                .any(|p| p.message.contains("open discrepancy")),
            "{:?}",
            sub.preflight
        );
        assert!(
            b.wb.step(&alice, Door::Web, &l, id, Step::SendToReview, "")
                .await
                .is_err()
        );
        // A person resolves it (the count was a miscount): the block lifts.
        let ex = open.iter().find(|e| e.label == label).unwrap();
        b.wb.resolve_exception(
            &alice,
            &l,
            ex.id,
            tagtrail_workbench::reconcile::Decision::Explained,
            "recounted: 0.5 was a typo",
        )
        .await
        .unwrap();
        let world =
            b.wb.preflight_world(
                &l,
                tagtrail_workbench::model::submission::Kind::OutgoingTransferTemplate,
            )
            .await
            .unwrap();
        assert!(!world.open_discrepancies.contains_key(&label));
        b.finish().await;
        app.finish().await;
    }
}

/// One installation, two companies: neither sees the other's licenses, submissions or people,
/// and no role crosses between them.
#[tokio::test]
async fn companies_are_isolated() {
    for backend in backends() {
        let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
        let mut b = Bench::open(&backend, fast()).await;
        b.brand(&app).await;
        let op = Caller::operator();
        let other =
            b.wb.create_company(&op, Door::Cli, "Corner Store Inc", &app.base_url)
                .await
                .unwrap();
        b.wb.add_license(
            &op,
            Door::Cli,
            other,
            RETAILER,
            "Corner Store",
            "Retailer",
            "#b45309",
        )
        .await
        .unwrap();
        let eve =
            b.wb.create_user(&op, Door::Cli, Some(other), "eve", "Eve", PASSWORD)
                .await
                .unwrap();
        b.wb.grant(&op, Door::Cli, "eve", RETAILER, Role::Admin)
            .await
            .unwrap();
        b.users.push(("eve".into(), eve.totp_secret));
        // A role in another company's license is refused, by code and by the database.
        assert!(
            b.wb.grant(&op, Door::Cli, "eve", MANUFACTURER, Role::Viewer)
                .await
                .is_err()
        );
        let eve = b.caller("eve").await;
        let alice = b.caller("alice").await;
        assert!(b.wb.license(&eve, MANUFACTURER).await.is_err());
        assert!(b.wb.license(&alice, RETAILER).await.is_err());
        let mine: Vec<String> =
            b.wb.licenses_of(&eve)
                .await
                .unwrap()
                .into_iter()
                .map(|l| l.number)
                .collect();
        assert_eq!(mine, vec![RETAILER.to_string()]);
        let l_alice = b.license(&alice, MANUFACTURER).await;
        let id =
            b.wb.draft(
                &alice,
                Door::Web,
                &l_alice,
                "Strain",
                "x",
                Intent::CreateStrains(vec!["Private".into()]),
            )
            .await
            .unwrap();
        let l_eve = b.license(&eve, RETAILER).await;
        assert!(b.wb.submission(&l_eve, id).await.is_err());
        assert!(
            b.wb.submissions(&l_eve, None, 100)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            b.wb.audit_log(&eve, Some(&l_eve), 100)
                .await
                .unwrap()
                .iter()
                .all(|e| e.entry.license_number.as_deref() == Some(RETAILER))
        );
        let people: Vec<String> =
            b.wb.people(&eve)
                .await
                .unwrap()
                .into_iter()
                .map(|u| u.username)
                .collect();
        assert_eq!(people, vec!["eve".to_string()]);
        // Eve cannot act on alice's company even by naming its license.
        assert!(
            b.wb.grant(&eve, Door::Web, "eve", MANUFACTURER, Role::Viewer)
                .await
                .is_err()
        );
        b.finish().await;
        app.finish().await;
    }
}

/// Seed 003 §06: keys encrypted at rest. Neither a Metrc key nor a TOTP secret appears in
/// plaintext anywhere in the workbench's database.
#[tokio::test]
async fn no_key_is_stored_in_plaintext() {
    for backend in backends() {
        let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
        let mut b = Bench::open(&backend, fast()).await;
        b.brand(&app).await;
        let alice = b.caller("alice").await;
        sync(&b, &alice, MANUFACTURER).await;
        let mut secrets: Vec<String> = vec![app.creds.vendor_key.clone()];
        secrets.extend(app.creds.licenses.iter().map(|l| l.user_key.clone()));
        secrets.extend(b.users.iter().map(|u| u.1.clone()));
        let everything = match &b.pg {
            None => {
                let mut bytes = std::fs::read(&b.url).unwrap();
                if let Ok(wal) = std::fs::read(format!("{}-wal", b.url)) {
                    bytes.extend(wal);
                }
                String::from_utf8_lossy(&bytes).to_string()
            }
            Some(_) => {
                use sqlx::{Connection, Row};
                let mut c = sqlx::AnyConnection::connect(&b.url).await.unwrap();
                let tables: Vec<String> = sqlx::query("SELECT CAST(tablename AS TEXT) AS t FROM pg_tables WHERE schemaname = 'public'")
                    .fetch_all(&mut c)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.get::<String, _>("t"))
                    .collect();
                let mut all = String::new();
                for t in tables {
                    for r in sqlx::query(&format!(
                        "SELECT CAST(row_to_json(x) AS TEXT) AS j FROM {t} x"
                    ))
                    .fetch_all(&mut c)
                    .await
                    .unwrap()
                    {
                        all.push_str(&r.get::<String, _>("j"));
                    }
                }
                all
            }
        };
        assert!(everything.len() > 10_000, "the dump holds the data");
        for s in &secrets {
            assert!(
                !everything.contains(s.as_str()),
                "a secret ending {} is in the database",
                &s[s.len() - 4..]
            );
        }
        b.finish().await;
        app.finish().await;
    }
}

/// Seed 003 §03 and the exactly-once rule: 1,000 submissions sent through a ledger that
/// answers 429 and 500, drops connections, and commits writes whose answers it then drops, with
/// the outbox worker killed mid-flight and a new process taking over, end with every one applied
/// exactly once.
#[tokio::test]
async fn a_thousand_submissions_under_faults_apply_exactly_once() {
    const N: usize = 1000;
    for backend in backends() {
        let app = TestApp::start_sandbox(&backend, Default::default()).await;
        let config = Config {
            submission_lease: chrono::TimeDelta::seconds(1),
            // Short, so that a read-back after an unanswered attempt covers few seconds of
            // other submissions' strains.
            request_timeout: std::time::Duration::from_secs(3),
            outbox_concurrency: 4,
            window: tagtrail_workbench::model::window::Policy {
                max_width: chrono::TimeDelta::hours(24),
                overlap: chrono::TimeDelta::seconds(2),
            },
            ..fast()
        };
        let mut b = Bench::open(&backend, config.clone()).await;
        b.brand(&app).await;
        let (alice, carol) = (b.caller("alice").await, b.caller("carol").await);
        sync(&b, &alice, MANUFACTURER).await;
        let (la, lc) = (
            b.license(&alice, MANUFACTURER).await,
            b.license(&carol, MANUFACTURER).await,
        );
        let started = std::time::Instant::now();
        for i in 0..N {
            let id =
                b.wb.draft(
                    &carol,
                    Door::Web,
                    &lc,
                    "New strain",
                    "catalog",
                    Intent::CreateStrains(vec![format!("Fault Strain {i:04}")]),
                )
                .await
                .unwrap();
            b.wb.step(&carol, Door::Web, &lc, id, Step::SendToReview, "")
                .await
                .unwrap();
            b.wb.step(&alice, Door::Web, &la, id, Step::Approve, "")
                .await
                .unwrap();
            b.wb.step(&alice, Door::Web, &la, id, Step::Submit, "")
                .await
                .unwrap();
        }
        sandbox(
            &app,
            "/tagtrail/v1/sandbox/faults",
            // Each 429 costs a second (Retry-After: 1), so they are fewer than the others.
            json!({"Rate429": 0.005, "Rate500": 0.05, "RateDrop": 0.05, "RateCommitThenDrop": 0.1, "Seed": 7}),
        )
        .await;
        let drafted = started.elapsed();
        // The first worker runs in a workbench of its own (a process of its own) and is killed
        // mid-flight: its work stops wherever it was, and its database connections close, as a
        // dead process's do (a connection left open mid-transaction would hold the write lock).
        let kek = Kek::from_text(&hex::encode([7u8; 32])).unwrap();
        let first = Workbench::open(&b.url, kek, config.clone()).await.unwrap();
        let worker = {
            let first = first.clone();
            tokio::spawn(async move { first.deliver_pending().await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        worker.abort();
        let _ = worker.await;
        first.close().await;
        // A new process takes over the same database.
        let kek = Kek::from_text(&hex::encode([7u8; 32])).unwrap();
        let second = Workbench::open(&b.url, kek, config).await.unwrap();
        let mut rounds = 0;
        loop {
            let pending = second
                .submission_counts(&la)
                .await
                .unwrap()
                .get("submitted")
                .copied()
                .unwrap_or(0);
            if pending == 0 {
                break;
            }
            rounds += 1;
            assert!(rounds < 500, "{pending} submissions still pending");
            let done = second.deliver_pending().await.unwrap();
            if done
                .iter()
                .all(|(_, d)| *d == tagtrail_workbench::outbox::Delivery::NotMine)
            {
                tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
            }
        }
        second.close().await;
        let report: Value = app
            .call(Method::GET, "/tagtrail/v1/sandbox/faults")
            .acting_as(MANUFACTURER)
            .send()
            .await
            .ok()
            .json();
        sandbox(&app, "/tagtrail/v1/sandbox/faults", json!({})).await;
        let counts = b.wb.submission_counts(&la).await.unwrap();
        assert_eq!(
            counts.get("accepted").copied(),
            Some(N as i64),
            "{counts:?}"
        );
        let strains: Vec<Value> = app
            .client(MANUFACTURER)
            .get_all(
                "/strains/v2/active",
                &[("licenseNumber", MANUFACTURER.to_string())],
            )
            .await
            .unwrap();
        let names: Vec<&str> = strains
            .iter()
            .filter_map(|s| s["Name"].as_str())
            .filter(|n| n.starts_with("Fault Strain"))
            .collect();
        let unique: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(
            (names.len(), unique.len()),
            (N, N),
            "each applied exactly once"
        );
        let found_applied =
            b.wb.submissions(&la, Some(State::Accepted), N as i64)
                .await
                .unwrap()
                .iter()
                .filter(|s| {
                    s.last_error
                        .as_deref()
                        .is_some_and(|e| e.contains("found applied"))
                })
                .count();
        eprintln!(
            "{}: {N} submissions drafted, reviewed, approved and submitted in {drafted:?}, delivered in {:?}; faults {report}; {found_applied} accepted by reading back after an unanswered attempt",
            backend.name(),
            started.elapsed() - drafted
        );
        assert!(
            found_applied > 0,
            "commit-then-drop happened and was detected: {report}"
        );
        if std::env::var("WB_DEBUG").is_ok() {
            let reqs = b.wb.requests(&la, 1_000_000).await.unwrap();
            let total: i64 = reqs.iter().map(|r| r.elapsed_ms).sum();
            let slow: Vec<_> = reqs
                .iter()
                .filter(|r| r.elapsed_ms > 500)
                .map(|r| {
                    (
                        r.method.clone(),
                        r.path.clone(),
                        r.status,
                        r.elapsed_ms,
                        r.error.clone(),
                    )
                })
                .take(5)
                .collect();
            eprintln!(
                "{} requests, {total} ms in them; slow: {slow:?}",
                reqs.len()
            );
        }
        b.finish().await;
        app.finish().await;
    }
}

/// A writer that keeps everything logged, for the test below to search.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Seed 003 §06 ("avoid logging sensitive data"): with every crate logging at TRACE (the
/// workbench, sqlx's statements, reqwest and hyper), setting up keys and people, a sync and a
/// submission sent to Metrc log no key, TOTP secret or password.
#[tokio::test]
async fn no_key_or_secret_reaches_a_log() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    // This test's runtime is single-threaded, so everything it and the ledger it starts do runs
    // under this subscriber.
    let _guard = tracing::subscriber::set_default(subscriber);
    let backend = backends().remove(0);
    let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
    let mut b = Bench::open(&backend, fast()).await;
    b.brand(&app).await;
    let (alice, carol) = (b.caller("alice").await, b.caller("carol").await);
    sync(&b, &alice, MANUFACTURER).await;
    let (la, lc) = (
        b.license(&alice, MANUFACTURER).await,
        b.license(&carol, MANUFACTURER).await,
    );
    let id =
        b.wb.draft(
            &carol,
            Door::Web,
            &lc,
            "Strain",
            "logging",
            Intent::CreateStrains(vec!["Log Check".into()]),
        )
        .await
        .unwrap();
    b.wb.step(&carol, Door::Web, &lc, id, Step::SendToReview, "")
        .await
        .unwrap();
    b.wb.step(&alice, Door::Web, &la, id, Step::Approve, "")
        .await
        .unwrap();
    b.wb.step(&alice, Door::Web, &la, id, Step::Submit, "")
        .await
        .unwrap();
    assert_eq!(
        b.wb.deliver(&la, id).await.unwrap(),
        tagtrail_workbench::outbox::Delivery::Accepted
    );
    let log = String::from_utf8_lossy(&captured.0.lock().unwrap()).to_string();
    assert!(log.len() > 1_000, "something was logged");
    let mut secrets: Vec<String> = vec![app.creds.vendor_key.clone(), PASSWORD.to_string()];
    secrets.extend(app.creds.licenses.iter().map(|l| l.user_key.clone()));
    secrets.extend(b.users.iter().map(|u| u.1.clone()));
    for s in &secrets {
        assert!(
            !log.contains(s.as_str()),
            "a secret ending {} was logged",
            &s[s.len() - 4..]
        );
    }
    b.finish().await;
    app.finish().await;
}

/// Seed 003 §06 ("separate dev/staging/prod", "never hardcode production credentials"): a
/// production Metrc API is refused outside a production installation.
#[tokio::test]
async fn production_metrc_is_refused_outside_prod() {
    let backend = backends().remove(0);
    let dev = Bench::open(&backend, fast()).await;
    let refused = dev
        .wb
        .create_company(
            &Caller::operator(),
            Door::Cli,
            "Real Brand",
            "https://api-ca.metrc.com",
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("production"), "{refused}");
    assert!(
        dev.wb
            .create_company(
                &Caller::operator(),
                Door::Cli,
                "Sandbox Brand",
                "https://sandbox-api-ca.metrc.com"
            )
            .await
            .is_ok()
    );
    dev.finish().await;
    let prod = Bench::open(
        &backend,
        Config {
            environment: tagtrail_workbench::Environment::Prod,
            ..fast()
        },
    )
    .await;
    assert!(
        prod.wb
            .create_company(
                &Caller::operator(),
                Door::Cli,
                "Real Brand",
                "https://api-ca.metrc.com"
            )
            .await
            .is_ok()
    );
    prod.finish().await;
}

// ---- manifests: the steps Metrc's API lacks ------------------------------------------------

/// A fresh lot of the manufacturer's (an operator's opening balance on a free tag), so that no
/// manifest of the demo's carries it.
async fn fresh_lot(app: &TestApp) -> String {
    let tag = app
        .list(MANUFACTURER, "/tags/v2/package/available")
        .await
        .first()
        .and_then(|t| t["Label"].as_str().map(str::to_string))
        .expect("the manufacturer has a free package tag");
    let spec = tagtrail_domain::commands::packages::NewPackage {
        tag: Some(tag.clone()),
        item: Some("Mango Gummies 10x10mg".into()),
        quantity: Some(rust_decimal::Decimal::new(40, 0)),
        unit_of_measure: Some("Each".into()),
        location: Some("Finished Goods".into()),
        ..Default::default()
    };
    app.opening_balance(MANUFACTURER, spec, "NotSubmitted")
        .await;
    tag
}

/// The distributor carries the brand's goods in its own van (its driver and vehicle).
fn transport() -> Transport {
    Transport {
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

fn manifest_of(label: &str, transport: Transport) -> Intent {
    Intent::RegisterManifest(ManifestDraft {
        transfer: TransferDraft {
            name: "Gummies to distribution".into(),
            recipient_license: DISTRIBUTOR.into(),
            recipient_is_retailer: false,
            transfer_type: "Transfer".into(),
            packages: vec![label.to_string()],
        },
        transport,
    })
}

/// Drafted by carol, approved (with her second factor) and submitted by alice.
async fn approved_and_submitted(b: &Bench, number: &str, title: &str, intent: Intent) -> i64 {
    let (alice, carol) = (b.caller("alice").await, b.caller("carol").await);
    let (la, lc) = (
        b.license(&alice, number).await,
        b.license(&carol, number).await,
    );
    let id =
        b.wb.draft(&carol, Door::Web, &lc, title, "weekly restock", intent)
            .await
            .unwrap();
    let sub = b.wb.submission(&lc, id).await.unwrap();
    assert!(sub.preflight.is_empty(), "{:?}", sub.preflight);
    for (who, l, step) in [
        (&carol, &lc, Step::SendToReview),
        (&alice, &la, Step::Approve),
        (&alice, &la, Step::Submit),
    ] {
        b.wb.step(who, Door::Web, l, id, step, "").await.unwrap();
    }
    id
}

/// The delivery of the incoming manifest that carries `label`, as the distributor's last sync
/// saw it.
async fn incoming_delivery(b: &Bench, label: &str) -> (i64, String) {
    let alice = b.caller("alice").await;
    let l = b.license(&alice, DISTRIBUTOR).await;
    let all = b.wb.incoming_deliveries(&l).await.unwrap();
    let (id, d) = all
        .iter()
        .find(|(_, d)| d.packages.contains_key(label))
        .expect("the distributor's sync saw the delivery");
    (*id, d.manifest_number.clone())
}

fn receipt_of(delivery_id: i64, manifest: &str, label: &str) -> Intent {
    Intent::ReceiveDelivery(Receipt {
        delivery_id,
        manifest_number: manifest.into(),
        shipper_license: MANUFACTURER.into(),
        lines: vec![ReceiptLine {
            label: label.into(),
            accept: true,
            received_quantity: None,
            reason: None,
        }],
    })
}

/// The ledger's manifests (as the shipper lists them) whose delivery carries `label`.
async fn manifests_carrying(app: &TestApp, label: &str) -> usize {
    let mut n = 0;
    for t in app.list(MANUFACTURER, "/transfers/v2/outgoing").await {
        let id = t["Id"].as_i64().unwrap();
        for d in app
            .list(MANUFACTURER, &format!("/transfers/v2/{id}/deliveries"))
            .await
        {
            let d = d["Id"].as_i64().unwrap();
            let packages = app
                .list(
                    MANUFACTURER,
                    &format!("/transfers/v2/deliveries/{d}/packages"),
                )
                .await;
            n += packages
                .iter()
                .filter(|p| p["PackageLabel"] == label)
                .count();
        }
    }
    n
}

/// Issue 10: registering a manifest and receiving a delivery have no Metrc v2 endpoint, so
/// against Metrc each is a manual task with a checklist after review, and only a sync that
/// shows the effect accepts it — ticking the checklist accepts nothing. Rules 40 and 44 are
/// checked by preflight before review.
#[tokio::test]
async fn manifest_steps_are_manual_tasks_that_a_sync_confirms() {
    for backend in backends() {
        let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
        let mut b = Bench::open(&backend, fast()).await;
        b.brand(&app).await;
        let label = fresh_lot(&app).await;
        let (alice, bob, carol) = (
            b.caller("alice").await,
            b.caller("bob").await,
            b.caller("carol").await,
        );
        sync(&b, &alice, MANUFACTURER).await;
        sync(&b, &alice, DISTRIBUTOR).await;
        let lm = b.license(&carol, MANUFACTURER).await;

        // Rule 40: a manifest names its driver, vehicle and times; preflight says which are
        // missing before anyone reviews it.
        let bare =
            b.wb.draft(
                &carol,
                Door::Web,
                &lm,
                "Bare",
                "test",
                manifest_of(&label, Transport::default()),
            )
            .await
            .unwrap();
        let p = b.wb.submission(&lm, bare).await.unwrap().preflight;
        assert!(
            p.iter()
                .any(|p| p.message.contains("vehicle plate") && p.message.contains("rule 40")),
            "{p:?}"
        );

        let id = approved_and_submitted(
            &b,
            MANUFACTURER,
            "Gummies to distribution",
            manifest_of(&label, transport()),
        )
        .await;
        let la = b.license(&alice, MANUFACTURER).await;
        // Nothing is sent: the outbox leaves a manual task alone, and nothing reached the
        // ledger's extension.
        assert!(
            b.wb.deliver_pending()
                .await
                .unwrap()
                .iter()
                .all(|(s, _)| *s != id)
        );
        assert_eq!(
            b.wb.deliver(&la, id).await.unwrap(),
            tagtrail_workbench::outbox::Delivery::NotMine
        );
        let requests = b.wb.requests(&la, 10_000).await.unwrap();
        assert!(
            requests.iter().all(|r| !r.path.contains("/tagtrail/v1")),
            "no extension was called"
        );
        assert_eq!(manifests_carrying(&app, &label).await, 0);

        // The checklist: steps ticked by whoever may submit (an operator may not), each kept
        // in the audit log; ticking every step accepts nothing.
        let steps = tagtrail_workbench::manifests::checklist(
            &la,
            &b.wb.submission(&la, id).await.unwrap().intent,
        );
        assert!(steps.iter().any(|s| s.contains(&label)), "{steps:?}");
        let lb = b.license(&bob, MANUFACTURER).await;
        assert!(b.wb.tick(&bob, Door::Web, &lb, id, 0, true).await.is_err());
        for i in 0..steps.len() {
            b.wb.tick(&alice, Door::Web, &la, id, i, true)
                .await
                .unwrap();
        }
        assert!(
            b.wb.tick(&alice, Door::Web, &la, id, steps.len(), true)
                .await
                .is_err()
        );
        let sub = b.wb.submission(&la, id).await.unwrap();
        assert_eq!(sub.state, State::Submitted);
        assert_eq!(sub.ticks.len(), steps.len());
        assert!(sub.ticks.iter().all(|t| t.by == "alice"));
        let log = b.wb.audit_log(&alice, Some(&la), 100).await.unwrap();
        assert_eq!(
            log.iter()
                .filter(|e| e.entry.action == "Checklist step done")
                .count(),
            steps.len()
        );

        // A sync before the person registers it confirms nothing.
        sync(&b, &alice, MANUFACTURER).await;
        assert_eq!(
            b.wb.submission(&la, id).await.unwrap().state,
            State::Submitted
        );

        // The person registers it in Metrc's web UI (here: the ledger's own extension, as the
        // manufacturer), and the next sync accepts the task.
        let r = app
            .post(
                MANUFACTURER,
                "/tagtrail/v1/transfers/outgoing",
                json!([plan_body(&label)]),
            )
            .send()
            .await
            .ok();
        let manifest_id = tagtrail_testkit::ids(&r)[0];
        sync(&b, &alice, MANUFACTURER).await;
        let sub = b.wb.submission(&la, id).await.unwrap();
        assert_eq!(sub.state, State::Accepted, "{:?}", sub.last_error);
        assert!(
            sub.last_error
                .as_deref()
                .unwrap_or("")
                .contains("shows manifest"),
            "{:?}",
            sub.last_error
        );

        // The transporter departs; the distributor's sync sees the delivery; a receipt must
        // decide every package (rule 44) and is then the distributor's manual task.
        app.post(
            DISTRIBUTOR,
            "/tagtrail/v1/transfers/depart",
            json!([{"TransferId": manifest_id}]),
        )
        .send()
        .await
        .ok();
        sync(&b, &alice, DISTRIBUTOR).await;
        let (delivery, manifest) = incoming_delivery(&b, &label).await;
        let ld = b.license(&carol, DISTRIBUTOR).await;
        let partial = Intent::ReceiveDelivery(Receipt {
            delivery_id: delivery,
            manifest_number: manifest.clone(),
            shipper_license: MANUFACTURER.into(),
            lines: vec![],
        });
        let bad =
            b.wb.draft(&carol, Door::Web, &ld, "Partial", "test", partial)
                .await
                .unwrap();
        let p = b.wb.submission(&ld, bad).await.unwrap().preflight;
        assert!(
            p.iter().any(|p| p.message.contains("received whole")),
            "{p:?}"
        );
        let rid = approved_and_submitted(
            &b,
            DISTRIBUTOR,
            "Receive gummies",
            receipt_of(delivery, &manifest, &label),
        )
        .await;
        let lda = b.license(&alice, DISTRIBUTOR).await;
        app.post(
            DISTRIBUTOR,
            &format!("/tagtrail/v1/transfers/deliveries/{delivery}/receive"),
            json!([{"PackageLabel": label, "Accepted": true}]),
        )
        .send()
        .await
        .ok();
        sync(&b, &alice, DISTRIBUTOR).await;
        let sub = b.wb.submission(&lda, rid).await.unwrap();
        assert_eq!(sub.state, State::Accepted, "{:?}", sub.last_error);
        // The audit log names the manual task, not an API path the workbench never called.
        let log = b.wb.audit_log(&alice, Some(&lda), 100).await.unwrap();
        let answer = log
            .iter()
            .find(|e| e.entry.action == "Metrc answer")
            .unwrap();
        assert!(
            answer
                .entry
                .endpoint
                .as_deref()
                .unwrap_or("")
                .contains("manual task")
        );
        b.finish().await;
        app.finish().await;
    }
}

/// The ledger's register body for `label` (what a person types into Metrc's form).
fn plan_body(label: &str) -> Value {
    let t = transport();
    json!({
        "TransporterFacilityLicenseNumber": t.transporter_license,
        "DriverOccupationalLicenseNumber": t.driver_occupational_license,
        "DriverName": t.driver_name,
        "DriverLicenseNumber": t.driver_license,
        "PhoneNumberForQuestions": t.phone_for_questions,
        "VehicleMake": t.vehicle_make,
        "VehicleModel": t.vehicle_model,
        "VehicleLicensePlateNumber": t.vehicle_plate,
        "Destinations": [{
            "RecipientLicenseNumber": DISTRIBUTOR,
            "TransferTypeName": "Transfer",
            "EstimatedDepartureDateTime": t.estimated_departure,
            "EstimatedArrivalDateTime": t.estimated_arrival,
            "Transporters": [],
            "Packages": [{"PackageLabel": label}],
        }]
    })
}

/// Against a tagtrail ledger the outbox does both steps itself through `/tagtrail/v1`, exactly
/// once: a registration whose answer is lost after the ledger committed it is found by reading
/// back, not registered twice.
#[tokio::test]
async fn against_a_tagtrail_ledger_the_outbox_does_the_manifest_steps_once() {
    for backend in backends() {
        let app = TestApp::start_sandbox(&backend, Default::default()).await;
        let mut b = Bench::open(&backend, fast()).await;
        let company = b.brand(&app).await;
        let op = Caller::operator();
        b.wb.set_ledger_extensions(&op, Door::Cli, company, true)
            .await
            .unwrap();
        let alice = b.caller("alice").await;
        assert!(
            b.wb.set_ledger_extensions(&alice, Door::Web, company, false)
                .await
                .is_err()
        );
        let label = fresh_lot(&app).await;
        sync(&b, &alice, MANUFACTURER).await;
        let id = approved_and_submitted(
            &b,
            MANUFACTURER,
            "Gummies to distribution",
            manifest_of(&label, transport()),
        )
        .await;
        let la = b.license(&alice, MANUFACTURER).await;
        sandbox(
            &app,
            "/tagtrail/v1/sandbox/faults",
            json!({"RateCommitThenDrop": 1.0}),
        )
        .await;
        let first = b.wb.deliver(&la, id).await.unwrap();
        assert!(
            matches!(first, tagtrail_workbench::outbox::Delivery::Pending(_)),
            "{first:?}"
        );
        sandbox(&app, "/tagtrail/v1/sandbox/faults", json!({})).await;
        assert_eq!(
            manifests_carrying(&app, &label).await,
            1,
            "the lost answer's manifest exists"
        );
        assert_eq!(
            b.wb.deliver(&la, id).await.unwrap(),
            tagtrail_workbench::outbox::Delivery::Accepted
        );
        let sub = b.wb.submission(&la, id).await.unwrap();
        assert!(
            sub.last_error
                .as_deref()
                .unwrap_or("")
                .contains("nothing was sent again"),
            "{:?}",
            sub.last_error
        );
        assert_eq!(manifests_carrying(&app, &label).await, 1, "registered once");

        // The transporter departs (outside the workbench); the distributor receives through
        // the outbox.
        let manifest_id = app
            .list(MANUFACTURER, "/transfers/v2/outgoing")
            .await
            .iter()
            .map(|t| t["Id"].as_i64().unwrap())
            .max()
            .unwrap();
        app.post(
            DISTRIBUTOR,
            "/tagtrail/v1/transfers/depart",
            json!([{"TransferId": manifest_id}]),
        )
        .send()
        .await
        .ok();
        sync(&b, &alice, DISTRIBUTOR).await;
        let (delivery, manifest) = incoming_delivery(&b, &label).await;
        let rid = approved_and_submitted(
            &b,
            DISTRIBUTOR,
            "Receive gummies",
            receipt_of(delivery, &manifest, &label),
        )
        .await;
        let done = b.wb.deliver_pending().await.unwrap();
        assert_eq!(
            done,
            vec![(rid, tagtrail_workbench::outbox::Delivery::Accepted)]
        );
        assert!(
            ledger_labels(&app, DISTRIBUTOR, "active")
                .await
                .contains(&label)
        );
        let ld = b.license(&alice, DISTRIBUTOR).await;
        let log = b.wb.audit_log(&alice, Some(&ld), 100).await.unwrap();
        let answer = log
            .iter()
            .find(|e| e.entry.action == "Metrc answer")
            .unwrap();
        assert_eq!(
            answer.entry.endpoint.as_deref(),
            Some(format!("POST /tagtrail/v1/transfers/deliveries/{delivery}/receive").as_str())
        );
        b.finish().await;
        app.finish().await;
    }
}
