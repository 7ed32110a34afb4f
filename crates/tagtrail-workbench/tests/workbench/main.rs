//! The workbench against a real tagtrail ledger over loopback, on both backends (the ledger's
//! and the workbench's databases on the same backend): sync, overlap, the outbox under faults,
//! preflight, review rules, keys at rest, isolation between companies, discrepancies.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

mod backup;
mod batches;
mod kit;
mod manifests;
mod release;
mod scenario;

use kit::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use tagtrail_testkit::{DISTRIBUTOR, MANUFACTURER, RETAILER, TestApp};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::preflight::{Intent, TransferDraft};
use tagtrail_workbench::model::role::Role;
use tagtrail_workbench::model::submission::{State, Step};
use tagtrail_workbench::people::Caller;
use tagtrail_workbench::sync::Trigger;
use tagtrail_workbench::vault::Kek;
use tagtrail_workbench::{Config, Workbench};

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
            wholesale_prices: Default::default(),
        });
        let id =
            b.wb.draft(
                &alice,
                Door::Web,
                &l,
                "Move to distribution",
                "weekly move",
                draft.clone(),
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
        let world = b.wb.preflight_world(&l, &draft).await.unwrap();
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
        let everything = match b.on_postgres() {
            false => {
                let mut bytes = std::fs::read(&b.url).unwrap();
                if let Ok(wal) = std::fs::read(format!("{}-wal", b.url)) {
                    bytes.extend(wal);
                }
                String::from_utf8_lossy(&bytes).to_string()
            }
            true => {
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
