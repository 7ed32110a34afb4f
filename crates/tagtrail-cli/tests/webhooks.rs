//! Webhook delivery survives a server killed mid-delivery, with the real `tagtrail` binary: the
//! demo ledger delivers a license's change feed to a receiver in this test; the receiver holds
//! the first POST unanswered while the server is killed with SIGKILL; the server restarts on the
//! same database, and the receiver ends with every change exactly once after de-duplication by
//! item cursor (the held batch comes again: a position moves only after a 2xx).
//!
//! On a SQLite file, and on PostgreSQL when `TAGTRAIL_TEST_POSTGRES_URL` names a server.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tagtrail");
const LICENSE: &str = "CCL21-0001001";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Demo(Child);

impl Demo {
    fn start(dir: &Path, port: u16, database_url: Option<&str>) -> Demo {
        let mut cmd = Command::new(BIN);
        cmd.args(["demo", "--no-workbench", "--data-dir"])
            .arg(dir)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"));
        if let Some(url) = database_url {
            cmd.args(["--database-url", url]);
        }
        let child = cmd
            .env("TAGTRAIL_LOG", "warn")
            .env_remove("TAGTRAIL_WEBHOOK_KEY_FILE")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        Demo(child)
    }

    /// SIGKILL: no graceful shutdown, nothing flushed, a delivery cut off mid-request.
    fn kill(mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[derive(Default)]
struct Inner {
    /// (answered, delivery id, body) of every POST.
    got: Vec<(bool, String, Bytes)>,
    /// Whether the first POST is being held.
    holding: bool,
}

#[derive(Clone, Default)]
struct Receiver(Arc<Mutex<Inner>>);

/// Holds the first POST forever (the server dies waiting for it); answers every later one 204.
async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let id = headers
        .get("x-tagtrail-webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let hold = {
        let mut inner = r.0.lock().unwrap();
        let first = inner.got.is_empty();
        inner.got.push((!first, id, body));
        inner.holding = first;
        first
    };
    if hold {
        std::future::pending::<()>().await;
    }
    StatusCode::NO_CONTENT
}

impl Receiver {
    fn accepted(&self) -> BTreeSet<String> {
        let inner = self.0.lock().unwrap();
        inner
            .got
            .iter()
            .filter(|(ok, _, _)| *ok)
            .flat_map(|(_, _, body)| {
                let v: Value = serde_json::from_slice(body).unwrap();
                v["items"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|i| i["Cursor"].as_str().unwrap().to_string())
            })
            .collect()
    }
}

async fn wait_until(what: &str, secs: u64, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

struct Keys {
    vendor: String,
    user: String,
}

fn keys(dir: &Path) -> Option<Keys> {
    let text = std::fs::read_to_string(dir.join("credentials.json")).ok()?;
    let creds: Value = serde_json::from_str(&text).ok()?;
    let user = creds["licenses"]
        .as_array()?
        .iter()
        .find(|l| l["license_number"] == LICENSE)?["user_key"]
        .as_str()?
        .to_string();
    Some(Keys {
        vendor: creds["vendor_key"].as_str()?.to_string(),
        user,
    })
}

async fn up(port: u16, k: &Keys) -> bool {
    reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/webhooks/v2"))
        .basic_auth(&k.vendor, Some(&k.user))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}

/// Every item cursor of the license's feed, read to its end.
async fn feed(port: u16, k: &Keys) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut after = String::new();
    loop {
        let mut url = format!(
            "http://127.0.0.1:{port}/tagtrail/v1/changes?licenseNumber={LICENSE}&pageSize=500"
        );
        if !after.is_empty() {
            url.push_str(&format!("&after={after}"));
        }
        let page: Value = reqwest::Client::new()
            .get(url)
            .basic_auth(&k.vendor, Some(&k.user))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for i in page["Data"].as_array().unwrap() {
            out.insert(i["Cursor"].as_str().unwrap().to_string());
        }
        let next = page["Next"].as_str().unwrap().to_string();
        if next == after {
            return out;
        }
        after = next;
    }
}

async fn killed_mid_delivery_then_every_change_once(dir: &Path, database_url: Option<&str>) {
    let (r, hook) = {
        let r = Receiver::default();
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(r.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (r, url)
    };

    // 1. The demo ledger (seeded on first start; the demo allows loopback receivers).
    let port = free_port();
    let demo = Demo::start(dir, port, database_url);
    let mut k = None;
    wait_until("the demo to serve", 300, async || {
        if k.is_none() {
            k = keys(dir);
        }
        match &k {
            Some(k) => up(port, k).await,
            None => false,
        }
    })
    .await;
    let k = k.unwrap();

    // 2. Subscribe; the receiver holds the first batch, and the server is killed meanwhile.
    let created: Value = reqwest::Client::new()
        .put(format!("http://127.0.0.1:{port}/webhooks/v2"))
        .basic_auth(&k.vendor, Some(&k.user))
        .json(&json!({"objectType": "*", "verb": "*", "url": hook,
                      "facilityLicenseNumbers": LICENSE}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(created["secret"].is_string(), "{created}");
    wait_until("the first delivery to be held", 60, async || {
        r.0.lock().unwrap().holding
    })
    .await;
    let held_id = r.0.lock().unwrap().got[0].1.clone();
    demo.kill();
    assert!(r.accepted().is_empty());

    // 3. Restart on the same database (another port: the receiver's URL is what matters).
    let port = free_port();
    let _demo = Demo::start(dir, port, database_url);
    wait_until("the restarted ledger to serve", 120, async || {
        up(port, &k).await
    })
    .await;
    let want = feed(port, &k).await;
    assert!(!want.is_empty());
    wait_until(
        "every change delivered after the restart",
        120,
        async || r.accepted().is_superset(&want),
    )
    .await;
    // A change after the restart arrives too.
    reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{port}/strains/v2?licenseNumber={LICENSE}"
        ))
        .basic_auth(&k.vendor, Some(&k.user))
        .json(&json!([{"Name": "After The Crash"}]))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let want = feed(port, &k).await;
    wait_until("the new change delivered", 60, async || {
        r.accepted().is_superset(&want)
    })
    .await;
    // Exactly once after de-duplication; the held batch was delivered again, same id.
    assert_eq!(r.accepted(), want);
    let inner = r.0.lock().unwrap();
    assert!(
        inner.got[1..].iter().any(|(_, id, _)| *id == held_id),
        "the held batch was not redelivered"
    );
}

#[tokio::test]
async fn webhooks_survive_a_kill_mid_delivery_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    killed_mid_delivery_then_every_change_once(dir.path(), None).await;
}

#[tokio::test]
async fn webhooks_survive_a_kill_mid_delivery_on_postgres() {
    let Ok(admin) = std::env::var("TAGTRAIL_TEST_POSTGRES_URL") else {
        return;
    };
    sqlx::any::install_default_drivers();
    let name = format!("tt_webhook_kill_{}", std::process::id());
    let mut c = sqlx::AnyConnection::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut c)
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    let dir = tempfile::tempdir().unwrap();
    killed_mid_delivery_then_every_change_once(dir.path(), Some(&url)).await;
    // The demo process is gone; a connection it held may linger a moment.
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Err(e) = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut c)
        .await
    {
        assert!(Instant::now() < deadline, "dropping {name}: {e}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
