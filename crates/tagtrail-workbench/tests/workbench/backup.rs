//! `tagtrail workbench backup` and `restore` through the application layer: a workbench set up
//! against a real ledger, synced and with a draft, backed up and restored into a new database of
//! the same backend; a backup whose audit log was altered is refused and leaves nothing behind.

use crate::kit::{PASSWORD, backends, fast, kek};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use tagtrail_testkit::{Backend, DISTRIBUTOR, EmptyDatabase, MANUFACTURER, TestApp};
use tagtrail_workbench::Workbench;
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::backup::RestoreOutcome;
use tagtrail_workbench::model::preflight::Intent;
use tagtrail_workbench::model::role::Role;
use tagtrail_workbench::people::{Caller, totp_code};
use tagtrail_workbench::sync::Trigger;
use tagtrail_workbench::vault::Secret;

/// Workbench databases for one test: SQLite files, or PostgreSQL databases dropped at the end.
struct Databases {
    backend: Backend,
    /// Where backup files go.
    dir: tempfile::TempDir,
    made: Vec<EmptyDatabase>,
}

impl Databases {
    fn new(backend: &Backend) -> Databases {
        Databases {
            backend: backend.clone(),
            dir: tempfile::tempdir().unwrap(),
            made: vec![],
        }
    }

    async fn open(&mut self, name: &str) -> Workbench {
        let db = EmptyDatabase::create(&self.backend, &format!("wb_backup_{name}")).await;
        let wb = Workbench::open(&db.url, kek(), fast()).await.unwrap();
        self.made.push(db);
        wb
    }

    async fn finish(self) {
        for db in self.made {
            db.drop_now().await;
        }
    }
}

/// The demo brand's manufacturer and distributor licenses with their keys, and two people;
/// returns each person's TOTP secret.
async fn brand(wb: &Workbench, app: &TestApp) -> Vec<(String, String)> {
    let op = Caller::operator();
    let company = wb
        .create_company(&op, Door::Cli, "Golden Hour Brands", &app.base_url)
        .await
        .unwrap();
    for (number, name, kind) in [
        (MANUFACTURER, "Golden Hour Kitchen", "Manufacturer"),
        (DISTRIBUTOR, "Golden Hour Distribution", "Distributor"),
    ] {
        wb.add_license(&op, Door::Cli, company, number, name, kind, "#7c3aed")
            .await
            .unwrap();
    }
    wb.store_vendor_key(
        &op,
        Door::Cli,
        company,
        Secret::new(app.creds.vendor_key.clone()),
        None,
    )
    .await
    .unwrap();
    let l = app
        .creds
        .licenses
        .iter()
        .find(|l| l.license_number == MANUFACTURER)
        .unwrap();
    wb.store_user_key_as_operator(
        MANUFACTURER,
        Secret::new(l.user_key.clone()),
        &l.employee_license_number,
        None,
    )
    .await
    .unwrap();
    let mut users = vec![];
    for (name, role) in [("alice", Role::Admin), ("carol", Role::ComplianceManager)] {
        let u = wb
            .create_user(&op, Door::Cli, Some(company), name, name, PASSWORD)
            .await
            .unwrap();
        wb.grant(&op, Door::Cli, name, MANUFACTURER, role)
            .await
            .unwrap();
        users.push((name.to_string(), u.totp_secret));
    }
    users
}

async fn sign_in(wb: &Workbench, users: &[(String, String)], name: &str) -> Caller {
    let secret = &users.iter().find(|u| u.0 == name).unwrap().1;
    let code = totp_code(secret).unwrap();
    wb.sign_in(name, PASSWORD, Some(&code))
        .await
        .unwrap()
        .caller
}

fn count(counts: &[(String, i64)], table: &str) -> i64 {
    counts.iter().find(|c| c.0 == table).unwrap().1
}

/// A copy of the backup `from` at `to` with the reason of the audit entry `seq` changed, still
/// a well-formed file: only the hash chain can tell.
fn tamper(from: &Path, to: &Path, seq: i64) {
    let lines = BufReader::new(flate2::read::GzDecoder::new(
        std::fs::File::open(from).unwrap(),
    ))
    .lines();
    let mut out = flate2::write::GzEncoder::new(
        std::fs::File::create(to).unwrap(),
        flate2::Compression::default(),
    );
    let mut changed = false;
    for line in lines {
        let mut line = line.unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&line).unwrap();
        if v["table"] == "compliance_events" && v["row"]["seq"].as_i64() == Some(seq) {
            v["row"]["reason"] = "nothing to see here".into();
            line = v.to_string();
            changed = true;
        }
        writeln!(out, "{line}").unwrap();
    }
    assert!(changed, "entry {seq} is in the backup");
    out.finish().unwrap();
}

#[tokio::test]
async fn a_backup_restores_into_a_new_database_and_an_altered_one_is_refused() {
    for backend in backends() {
        let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
        let mut dbs = Databases::new(&backend);
        let wb = dbs.open("source").await;
        let users = brand(&wb, &app).await;
        let alice = sign_in(&wb, &users, "alice").await;
        let l = wb.license(&alice, MANUFACTURER).await.unwrap();
        let r = wb
            .sync_license(&l, Some(&alice), Trigger::First, &|_| {})
            .await
            .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let carol = sign_in(&wb, &users, "carol").await;
        let l_carol = wb.license(&carol, MANUFACTURER).await.unwrap();
        wb.draft(
            &carol,
            Door::Web,
            &l_carol,
            "New strain",
            "Launching Sunset Sherbert",
            Intent::CreateStrains(vec!["Workbench Sunset".into()]),
        )
        .await
        .unwrap();

        let file = dbs.dir.path().join("workbench.backup.gz");
        let header = wb.backup(&file).await.unwrap();
        assert!(
            wb.backup(&file).await.is_err(),
            "a backup never overwrites a file"
        );
        let source = wb.table_counts().await.unwrap();
        let head = wb.verify_audit().await.unwrap();
        assert!(head.problem.is_none());
        assert_eq!(
            header.audit_head.as_ref().map(|h| (h.seq, h.hash.clone())),
            Some((head.entries, head.head.clone()))
        );
        assert!(count(&source, "metrc_records") > 0 && count(&source, "submissions") == 1);
        assert!(count(&source, "sessions") > 0, "people are signed in");

        let copy = dbs.open("copy").await;
        let outcome = copy.restore(&file).await.unwrap();
        assert_eq!(outcome, RestoreOutcome::Restored(header.clone()));
        let restored = copy.table_counts().await.unwrap();
        for table in [
            "companies",
            "licenses",
            "users",
            "roles",
            "metrc_credentials",
            "metrc_records",
            "snapshots",
            "metrc_api_requests",
            "submissions",
            "compliance_events",
        ] {
            assert_eq!(
                count(&restored, table),
                count(&source, table),
                "{} {table}",
                backend.name()
            );
        }
        assert_eq!(count(&restored, "sessions"), 0, "sign-ins are not restored");
        let again = copy.verify_audit().await.unwrap();
        assert!(again.problem.is_none(), "{:?}", again.problem);
        assert_eq!((again.entries, again.head), (head.entries, head.head));
        // The people sign in to the copy (their second factors open under the same key), and
        // the copy keeps working: a new draft takes the next id after the restored ones.
        let carol = sign_in(&copy, &users, "carol").await;
        let l_carol = copy.license(&carol, MANUFACTURER).await.unwrap();
        let id = copy
            .draft(
                &carol,
                Door::Web,
                &l_carol,
                "Another strain",
                "After the restore",
                Intent::CreateStrains(vec!["Workbench Dawn".into()]),
            )
            .await
            .unwrap();
        assert_eq!(id, 2);
        assert!(copy.verify_audit().await.unwrap().problem.is_none());
        assert!(
            matches!(
                copy.restore(&file).await.unwrap(),
                RestoreOutcome::TargetNotEmpty(_)
            ),
            "a restore refuses a database that holds anything"
        );

        let altered = dbs.dir.path().join("altered.backup.gz");
        let seq = head.entries / 2;
        tamper(&file, &altered, seq);
        let target = dbs.open("target").await;
        match target.restore(&altered).await.unwrap() {
            RestoreOutcome::Refused { problem } => {
                assert!(problem.contains(&format!("entry {seq} ")), "{problem}");
                assert!(problem.contains("changed"), "{problem}");
            }
            other => panic!("an altered backup was restored: {other:?}"),
        }
        assert!(
            target
                .table_counts()
                .await
                .unwrap()
                .iter()
                .all(|(_, n)| *n == 0),
            "a refused restore leaves the target empty"
        );

        for w in [wb, copy, target] {
            w.close().await;
        }
        dbs.finish().await;
        app.finish().await;
    }
}

/// Every row line of a backup, sorted: two backups of the same data hold the same set, whatever
/// order each backend's collation sorted text keys in.
fn rows_of(file: &Path) -> Vec<String> {
    let mut lines: Vec<String> = BufReader::new(flate2::read::GzDecoder::new(
        std::fs::File::open(file).unwrap(),
    ))
    .lines()
    .skip(1)
    .map(Result::unwrap)
    .collect();
    lines.sort();
    lines
}

/// The file is the same whichever backend wrote it: SQLite → PostgreSQL → SQLite keeps every
/// value of every row. Runs only when a PostgreSQL server is named.
#[tokio::test]
async fn a_backup_crosses_backends_both_ways() {
    let Some(pg) = tagtrail_testkit::backends()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres(_)))
    else {
        return;
    };
    let app = TestApp::start(&pg, tagtrail_testkit::test_config()).await;
    let mut lite = Databases::new(&Backend::Sqlite);
    let mut post = Databases::new(&pg);
    let wb = lite.open("source").await;
    let users = brand(&wb, &app).await;
    let alice = sign_in(&wb, &users, "alice").await;
    let l = wb.license(&alice, MANUFACTURER).await.unwrap();
    let r = wb
        .sync_license(&l, Some(&alice), Trigger::First, &|_| {})
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let first = lite.dir.path().join("from-sqlite.gz");
    let header = wb.backup(&first).await.unwrap();
    assert_eq!(header.backend, "sqlite");

    let in_pg = post.open("copy").await;
    assert_eq!(
        in_pg.restore(&first).await.unwrap(),
        RestoreOutcome::Restored(header.clone())
    );
    sign_in(&in_pg, &users, "carol").await;
    let second = lite.dir.path().join("from-postgres.gz");
    let header2 = in_pg.backup(&second).await.unwrap();
    assert_eq!(header2.backend, "postgres");
    assert_eq!(
        (&header2.rows, &header2.audit_head),
        (&header.rows, &header.audit_head)
    );
    assert_eq!(rows_of(&first), rows_of(&second));

    let back = lite.open("back").await;
    assert_eq!(
        back.restore(&second).await.unwrap(),
        RestoreOutcome::Restored(header2)
    );
    sign_in(&back, &users, "alice").await;
    let without_sessions = |c: Vec<(String, i64)>| {
        c.into_iter()
            .filter(|(t, _)| t != "sessions")
            .collect::<Vec<_>>()
    };
    assert_eq!(
        without_sessions(back.table_counts().await.unwrap()),
        without_sessions(wb.table_counts().await.unwrap())
    );

    for w in [wb, in_pg, back] {
        w.close().await;
    }
    lite.finish().await;
    post.finish().await;
    app.finish().await;
}
