//! Group commit loses no acknowledged write when the server is killed mid-flood, with the real
//! `tagtrail` binary: 32 clients create strains as fast as the demo ledger takes them; once at
//! least 100 are acknowledged the server is killed with SIGKILL while requests are in flight.
//! Then, on the database exactly as the kill left it, `audit verify` passes (the hash chain is
//! intact and every projection matches a rebuild from the journal); the journal holds a strain
//! creation for every acknowledged name and for nothing that was never sent; and the restarted
//! server lists the same strains and takes a write linked onto the surviving head.
//!
//! Why this holds: under group commit concurrent writers share one database transaction and one
//! commit, and a writer is answered only after its group's commit has succeeded
//! (`tagtrail-store/src/group.rs`). A 200 therefore always follows a commit that contains the
//! write; the writes the kill cut off are those of the open group, none of them answered yet.
//! Writes whose commit landed but whose answer never arrived may or may not be there: the test
//! allows them, but never a name that was not sent, nor a half-written group (`audit verify`).
//!
//! What this does not prove: SIGKILL ends the process but not the machine, so the operating
//! system's page cache survives it. SQLite runs with `synchronous=FULL` and PostgreSQL flushes
//! its WAL at commit, but a power loss is not simulated here; this test checks the order of
//! acknowledgement and commit, not the durability of the disk.
//!
//! On a SQLite file, and on PostgreSQL too when `TAGTRAIL_TEST_POSTGRES_URL` names a server
//! (SQLite skipped when `TAGTRAIL_TEST_SKIP_SQLITE=1`, as in `backup.rs`).
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

mod common;
use common::{Api, Backend, Databases, Server, command, free_port, ok, sqlx_url};
use serde_json::{Value, json};
use sqlx::{Connection, Row};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Concurrent clients in the flood.
const CLIENTS: usize = 32;
/// Acknowledged writes before the kill, at least.
const ACKED_BEFORE_KILL: usize = 100;
/// How long the flood runs before the kill, at least.
const FLOOD_AT_LEAST: Duration = Duration::from_secs(1);
/// Every strain this test creates has a name beginning so.
const PREFIX: &str = "Crash Kush";

/// `audit verify` on `db`; returns the number of journal entries it verified.
fn verify(work: &Path, db: &str) -> i64 {
    let said = ok(work, &["audit", "verify", "--database-url", db]);
    let line = said
        .lines()
        .find(|l| l.starts_with("ok: ") && l.contains("hash chain intact"))
        .unwrap_or_else(|| panic!("audit verify did not say the chain is intact:\n{said}"));
    assert!(line.contains("projection rows match the rebuild"), "{said}");
    line["ok: ".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no entry count in {line:?}"))
}

/// Journal entries after `after`: (seq, endpoint, request) each.
async fn journal_after(url: &str, after: i64) -> Vec<(i64, String, Value)> {
    let mut c = sqlx::AnyConnection::connect(&sqlx_url(url)).await.unwrap();
    let rows = sqlx::query(
        "SELECT seq, endpoint, CAST(request AS TEXT) AS request FROM journal WHERE seq > $1 ORDER BY seq",
    )
    .bind(after)
    .fetch_all(&mut c)
    .await
    .unwrap();
    c.close().await.unwrap();
    rows.iter()
        .map(|r| {
            let request: String = r.try_get("request").unwrap();
            let request = tagtrail_store::packing::unpack(&request).unwrap();
            (
                r.try_get("seq").unwrap(),
                r.try_get("endpoint").unwrap(),
                serde_json::from_str(&request).unwrap(),
            )
        })
        .collect()
}

/// The journal's last entry number (0 when empty).
async fn head_seq(url: &str) -> i64 {
    let mut c = sqlx::AnyConnection::connect(&sqlx_url(url)).await.unwrap();
    let seq: Option<i64> = sqlx::query("SELECT MAX(seq) AS seq FROM journal")
        .fetch_one(&mut c)
        .await
        .unwrap()
        .try_get("seq")
        .unwrap();
    c.close().await.unwrap();
    seq.unwrap_or(0)
}

impl Server {
    /// `tagtrail demo` (seeding on first run) on `db`, its files in `work/demo`.
    fn demo(work: &Path, db: &str, port: u16) -> Server {
        let mut c = command(work);
        c.args(["demo", "--no-workbench", "--data-dir"])
            .arg(work.join("demo"))
            .args(["--database-url", db, "--listen"])
            .arg(format!("127.0.0.1:{port}"));
        Server::spawn(c)
    }
}

impl Api {
    /// Every active strain's name, read a page of 20 (the most rule 68 allows) at a time.
    async fn strain_names(&self) -> BTreeSet<String> {
        let client = reqwest::Client::new();
        let mut names = BTreeSet::new();
        let mut page = 1;
        loop {
            let r = client
                .get(self.url(&format!("/strains/v2/active?pageSize=20&pageNumber={page}")))
                .basic_auth(&self.vendor, Some(&self.user))
                .send()
                .await
                .unwrap();
            if r.status() == 429 {
                // GETs are rate-limited per facility; wait as told, then read the page again.
                let wait = r
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1);
                tokio::time::sleep(Duration::from_secs(wait)).await;
                continue;
            }
            assert_eq!(r.status(), 200, "GET strains page {page}");
            let body: Value = r.json().await.unwrap();
            let data = body["Data"].as_array().unwrap();
            for s in data {
                let name = s["Name"].as_str().unwrap().to_string();
                assert!(names.insert(name.clone()), "{name} listed twice");
            }
            if page >= body["TotalPages"].as_i64().unwrap() {
                assert_eq!(names.len() as i64, body["Total"].as_i64().unwrap());
                return names;
            }
            page += 1;
        }
    }

    async fn create_strain(&self, name: &str) -> reqwest::StatusCode {
        reqwest::Client::new()
            .post(self.url("/strains/v2"))
            .basic_auth(&self.vendor, Some(&self.user))
            .json(&json!([{"Name": name}]))
            .send()
            .await
            .unwrap()
            .status()
    }
}

/// What the flood's clients sent and were told.
#[derive(Default)]
struct Flood {
    /// Every name a client began to send.
    sent: Mutex<BTreeSet<String>>,
    /// Every name answered 200.
    acked: Mutex<BTreeSet<String>>,
    /// Answers other than 200, by status, with one body each.
    other: Mutex<BTreeMap<u16, (usize, String)>>,
    /// Requests begun and requests ended (answered or failed).
    begun: AtomicUsize,
    ended: AtomicUsize,
    stop: AtomicBool,
}

/// One client: creates strains named after it, one a request, until told to stop or the server
/// stops answering.
async fn client(api: Api, client: usize, flood: Arc<Flood>) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let url = api.url("/strains/v2");
    for i in 0.. {
        if flood.stop.load(Ordering::SeqCst) {
            return;
        }
        let name = format!("{PREFIX} {client:02}-{i:06}");
        flood.sent.lock().unwrap().insert(name.clone());
        flood.begun.fetch_add(1, Ordering::SeqCst);
        let r = http
            .post(&url)
            .basic_auth(&api.vendor, Some(&api.user))
            .json(&json!([{"Name": name}]))
            .send()
            .await;
        flood.ended.fetch_add(1, Ordering::SeqCst);
        match r {
            // The status line is the acknowledgement: the server writes it only after the
            // group's commit, whether or not the body arrives before the kill.
            Ok(r) if r.status() == 200 => {
                flood.acked.lock().unwrap().insert(name);
            }
            Ok(r) => {
                let status = r.status().as_u16();
                let body = r.text().await.unwrap_or_default();
                let mut other = flood.other.lock().unwrap();
                let e = other.entry(status).or_insert((0, body));
                e.0 += 1;
            }
            // The server is gone (killed): this request's fate is unknown, and so ends the client.
            Err(_) => return,
        }
    }
}

async fn acknowledged_writes_survive_sigkill_on(backend: &Backend) {
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let mut dbs = Databases::new(work, "tt_crash");
    let db = dbs.fresh(backend, "crash").await;
    let credentials = work.join("demo/credentials.json");

    // 1. The demo ledger, seeded.
    let port = free_port();
    let server = Server::demo(work, &db, port);
    let api = Api::wait_ready(port, &credentials).await;
    let seeded = head_seq(&db).await;

    // 2. The flood, and SIGKILL in the middle of it.
    let flood = Arc::new(Flood::default());
    let began = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| tokio::spawn(client(api.clone(), c, flood.clone())))
        .collect();
    let deadline = began + Duration::from_secs(60);
    while flood.acked.lock().unwrap().len() < ACKED_BEFORE_KILL || began.elapsed() < FLOOD_AT_LEAST
    {
        assert!(
            Instant::now() < deadline,
            "only {} writes acknowledged in a minute; other answers: {:?}",
            flood.acked.lock().unwrap().len(),
            flood.other.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let in_flight = flood.begun.load(Ordering::SeqCst) - flood.ended.load(Ordering::SeqCst);
    let acked_at_kill = flood.acked.lock().unwrap().len();
    let flood_time = began.elapsed();
    server.kill();
    flood.stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.await.unwrap();
    }
    let sent = std::mem::take(&mut *flood.sent.lock().unwrap());
    let acked = std::mem::take(&mut *flood.acked.lock().unwrap());
    let other = std::mem::take(&mut *flood.other.lock().unwrap());
    assert!(
        other.is_empty(),
        "answers other than 200 before the kill: {other:?}"
    );
    assert!(
        in_flight > 0,
        "the kill came with no request in flight: it proves nothing"
    );

    // 3. The database as the kill left it: the chain and projections verify, and the journal's
    //    entries after the seed are one strain creation each, for a name that was sent.
    let verified = verify(work, &db);
    let entries = journal_after(&db, seeded).await;
    assert_eq!(verified, seeded + entries.len() as i64);
    let mut journaled = BTreeSet::new();
    for (seq, endpoint, request) in &entries {
        let names: Vec<&str> = request
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["Name"].as_str())
            .collect();
        assert!(
            endpoint.contains("strains") && names.len() == 1 && names[0].starts_with(PREFIX),
            "journal entry {seq} is not one of the flood's strains: {endpoint} {request}"
        );
        assert!(
            sent.contains(names[0]),
            "journal entry {seq} creates {}, which no client sent",
            names[0]
        );
        assert!(
            journaled.insert(names[0].to_string()),
            "{} journaled twice",
            names[0]
        );
    }
    let lost: Vec<&String> = acked.difference(&journaled).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged writes are not in the journal after the kill, e.g. {:?}",
        lost.len(),
        acked.len(),
        &lost[..lost.len().min(10)]
    );

    // 4. Restarted on the same database: the API lists exactly the journaled strains (besides
    //    the demo's own), and takes a write linked onto the surviving head.
    let port = free_port();
    let server = Server::demo(work, &db, port);
    let api = Api::wait_ready(port, &credentials).await;
    let listed: BTreeSet<String> = api
        .strain_names()
        .await
        .into_iter()
        .filter(|n| n.starts_with(PREFIX))
        .collect();
    assert!(
        listed == journaled,
        "the restarted server lists {} of the flood's strains, the journal holds {}; \
         listed only: {:?}; journaled only: {:?}",
        listed.len(),
        journaled.len(),
        listed.difference(&journaled).take(10).collect::<Vec<_>>(),
        journaled.difference(&listed).take(10).collect::<Vec<_>>()
    );
    assert_eq!(api.create_strain("After The Crash").await, 200);
    server.stop();
    assert_eq!(verify(work, &db), verified + 1);

    eprintln!(
        "{}: {} writes sent in {:.2?}, {acked_at_kill} acknowledged at the kill ({} in all), \
         {in_flight} in flight; {} in the journal ({} committed but never answered)",
        backend.name(),
        sent.len(),
        flood_time,
        acked.len(),
        journaled.len(),
        journaled.len() - acked.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_mid_flood() {
    sqlx::any::install_default_drivers();
    for backend in Backend::all() {
        acknowledged_writes_survive_sigkill_on(&backend).await;
    }
}
