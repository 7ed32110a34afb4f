//! Checkpoints end to end, with the real `tagtrail` binary: a key, a server that signs the head
//! and publishes the checkpoints, the export, and the inspector's offline proof on a copy of the
//! database. Then the copy is rewritten as an attacker with write access would (triggers
//! dropped, an old entry edited, every later hash recomputed): plain `audit verify` finds a
//! sound chain, and `audit verify --checkpoints` names the rewrite.
//!
//! On a SQLite file, and on PostgreSQL when `TAGTRAIL_TEST_POSTGRES_URL` names a server.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

mod common;
use common::{BIN, Server, free_port, sqlx_url, succeeded, text};
use serde_json::Value;
use sqlx::{Connection, Row};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use tagtrail_domain::journal::{Actor, Change, Draft, compute_hash};
use tagtrail_store::packing::unpack;

fn tagtrail(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("TAGTRAIL_DATABASE_URL")
        .env_remove("TAGTRAIL_CHECKPOINT_KEY")
        .env("TAGTRAIL_LOG", "warn")
        .output()
        .unwrap()
}

/// Runs `tagtrail args…` and expects success; returns standard output.
fn ok(args: &[&str]) -> String {
    succeeded(args, tagtrail(args))
}

/// Where the ledger's data lives, and how an inspector's copy of it is taken.
enum Db {
    Sqlite { dir: std::path::PathBuf },
    Postgres { admin: String, live: String },
}

impl Db {
    fn url(&self) -> String {
        match self {
            Db::Sqlite { dir } => dir.join("ledger.db").to_string_lossy().to_string(),
            Db::Postgres { live, .. } => live.clone(),
        }
    }

    /// A consistent copy of the live database, as an inspector would be handed.
    async fn copy(&self) -> String {
        match self {
            Db::Sqlite { dir } => {
                let copy = dir.join("copy.db");
                let mut c = sqlx::AnyConnection::connect(&sqlx_url(&self.url()))
                    .await
                    .unwrap();
                sqlx::query(&format!("VACUUM INTO '{}'", copy.display()))
                    .execute(&mut c)
                    .await
                    .unwrap();
                c.close().await.unwrap();
                copy.to_string_lossy().to_string()
            }
            Db::Postgres { admin, live } => {
                let (base, name) = live.rsplit_once('/').unwrap();
                let copy = format!("{name}_copy");
                let mut c = sqlx::AnyConnection::connect(admin).await.unwrap();
                // A process that just exited may still show as connected for a moment.
                let deadline = Instant::now() + Duration::from_secs(10);
                while let Err(e) = sqlx::query(&format!("CREATE DATABASE {copy} TEMPLATE {name}"))
                    .execute(&mut c)
                    .await
                {
                    assert!(Instant::now() < deadline, "copying {name}: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                format!("{base}/{copy}")
            }
        }
    }
}

impl Server {
    fn start(db: &str, port: u16, key: &Path) -> Server {
        let mut c = Command::new(BIN);
        c.args(["serve", "--database-url", db, "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--checkpoint-key")
            .arg(key)
            .args(["--checkpoint-every", "1"])
            .env("TAGTRAIL_LOG", "warn");
        Server::spawn(c)
    }
}

/// The last line of a command's output (where keys are printed).
fn last_line(s: &str) -> String {
    s.lines().last().unwrap().trim().to_string()
}

async fn get(port: u16, auth: (&str, &str), path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}{path}"))
        .basic_auth(auth.0, Some(auth.1))
        .send()
        .await
        .unwrap()
}

/// The newest published checkpoint's seq, waiting until it reaches `seq`.
async fn wait_for_checkpoint(port: u16, auth: (&str, &str), seq: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = reqwest::Client::new()
            .get(format!(
                "http://127.0.0.1:{port}/tagtrail/v1/checkpoints?pageNumber=1&pageSize=1"
            ))
            .basic_auth(auth.0, Some(auth.1))
            .send()
            .await
            && r.status().is_success()
        {
            let page: Value = r.json().await.unwrap();
            if page["Data"][0]["Seq"].as_i64().unwrap_or(0) >= seq {
                return page;
            }
        }
        assert!(Instant::now() < deadline, "no checkpoint of entry {seq}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn journal_len(url: &str) -> i64 {
    let mut c = sqlx::AnyConnection::connect(&sqlx_url(url)).await.unwrap();
    let n = sqlx::query("SELECT COUNT(*) AS n FROM journal")
        .fetch_one(&mut c)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    // Closed, not dropped: PostgreSQL copies a database only when nobody is connected to it.
    c.close().await.unwrap();
    n
}

/// What an attacker with write access does: drops the journal's append-only trigger, edits the
/// reason of entry `at`, and recomputes the hash of that entry and every later one, so the
/// chain is sound again.
async fn rewrite_history(url: &str, at: i64) {
    let mut c = sqlx::AnyConnection::connect(&sqlx_url(url)).await.unwrap();
    let drop = if url.starts_with("postgres") {
        "DROP TRIGGER journal_no_update ON journal"
    } else {
        "DROP TRIGGER journal_no_update"
    };
    sqlx::query(drop).execute(&mut c).await.unwrap();
    let rows = sqlx::query(
        "SELECT seq, recorded_at, license_number, actor, endpoint, reason, request, result_ids, changes, prev_hash, hash, door, action FROM journal ORDER BY seq",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let mut prev: Option<String> = None;
    for r in rows {
        let seq: i64 = r.try_get("seq").unwrap();
        let mut draft = Draft {
            recorded_at: r.try_get("recorded_at").unwrap(),
            license_number: r.try_get("license_number").unwrap(),
            actor: serde_json::from_str::<Actor>(&r.try_get::<String, _>("actor").unwrap())
                .unwrap(),
            endpoint: r.try_get("endpoint").unwrap(),
            reason: r.try_get("reason").unwrap(),
            request: serde_json::from_str(
                &unpack(&r.try_get::<String, _>("request").unwrap()).unwrap(),
            )
            .unwrap(),
            result_ids: serde_json::from_str(&r.try_get::<String, _>("result_ids").unwrap())
                .unwrap(),
            changes: serde_json::from_str::<Vec<Change>>(
                &unpack(&r.try_get::<String, _>("changes").unwrap()).unwrap(),
            )
            .unwrap(),
            door: r.try_get("door").unwrap(),
            action: r.try_get("action").unwrap(),
        };
        let stored_prev: String = r.try_get("prev_hash").unwrap();
        let stored: String = r.try_get("hash").unwrap();
        // The attacker's tool reproduces the ledger's hashing exactly.
        assert_eq!(compute_hash(seq, &stored_prev, &draft), stored);
        if seq < at {
            prev = Some(stored);
            continue;
        }
        if seq == at {
            draft.reason = "Rewritten: this license was never issued".into();
        }
        let prev_hash = prev.clone().unwrap();
        let hash = compute_hash(seq, &prev_hash, &draft);
        sqlx::query("UPDATE journal SET reason = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
            .bind(draft.reason.clone())
            .bind(prev_hash)
            .bind(hash.clone())
            .bind(seq)
            .execute(&mut c)
            .await
            .unwrap();
        prev = Some(hash);
    }
    c.close().await.unwrap();
}

async fn checkpoints_prove_a_copy_and_catch_a_rewrite(db: Db, work: &Path) {
    let url = db.url();
    let db_args = |args: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        v.extend(["--database-url".to_string(), url.clone()]);
        v
    };
    let run = |args: &[&str]| ok(&db_args(args).iter().map(String::as_str).collect::<Vec<_>>());

    // 1. The operator's key: the secret private to its owner, the public key printed.
    let key = work.join("checkpoint.key");
    let printed = ok(&["admin", "checkpoint-key", "--out", key.to_str().unwrap()]);
    let public_file = work.join("checkpoint.pub");
    let public_hex = std::fs::read_to_string(&public_file)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_string();
    assert!(printed.contains(&public_hex), "{printed}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A key is never overwritten.
    assert!(
        !tagtrail(&["admin", "checkpoint-key", "--out", key.to_str().unwrap()])
            .status
            .success()
    );

    // 2. A small ledger: licenses, an employee with an API key, an integrator's key.
    for (n, name) in [
        ("CCL-1", "North Kitchen"),
        ("CCL-2", "South Farm"),
        ("CCL-3", "Depot"),
    ] {
        run(&[
            "admin",
            "create-license",
            "--license-number",
            n,
            "--license-type",
            "manufacturer",
            "--name",
            name,
        ]);
    }
    run(&[
        "admin",
        "create-employee",
        "--username",
        "ana",
        "--full-name",
        "Ana Inspector",
        "--employee-license-number",
        "EMP-1",
    ]);
    let vendor = last_line(&run(&["admin", "vendor-key", "--name", "Inspector Tools"]));
    let user = last_line(&run(&["admin", "user-key", "--username", "ana"]));
    let auth = (vendor.as_str(), user.as_str());

    // 3. The server signs the head at start, then as the journal grows, and publishes.
    let port = free_port();
    let server = Server::start(&url, port, &key);
    let head = journal_len(&url).await;
    let page = wait_for_checkpoint(port, auth, head).await;
    assert_eq!(page["Data"][0]["Hash"].as_str().unwrap().len(), 64);
    let anonymous = reqwest::get(format!("http://127.0.0.1:{port}/tagtrail/v1/checkpoints"))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let published: Value = get(port, auth, "/tagtrail/v1/checkpoints/publickey")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(published["PublicKey"], public_hex.as_str());
    assert_eq!(published["Algorithm"], "ed25519");

    run(&[
        "admin",
        "create-license",
        "--license-number",
        "CCL-4",
        "--license-type",
        "retailer",
        "--name",
        "Corner Store",
    ]);
    wait_for_checkpoint(port, auth, head + 1).await;
    // Written just before the server stops: signed at shutdown (or by the last round).
    run(&[
        "admin",
        "create-license",
        "--license-number",
        "CCL-5",
        "--license-type",
        "distributor",
        "--name",
        "Valley Distribution",
    ]);
    server.stop();
    let head = journal_len(&url).await;

    // 4. The export the inspector keeps, and the proof on a copy.
    let file = work.join("checkpoints.json");
    let exported = run(&["audit", "checkpoints", "--out", file.to_str().unwrap()]);
    assert!(exported.contains("checkpoints (entries"), "{exported}");
    let export: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let cps = export["Checkpoints"].as_array().unwrap();
    assert!(cps.len() >= 3, "{export}");
    assert_eq!(cps.last().unwrap()["Seq"].as_i64(), Some(head));
    assert_eq!(export["PublicKeys"][0]["PublicKey"], public_hex.as_str());

    let copy = db.copy().await;
    let file_arg = file.to_str().unwrap();
    let proved = ok(&[
        "audit",
        "verify",
        "--database-url",
        &copy,
        "--checkpoints",
        file_arg,
        "--public-key",
        public_file.to_str().unwrap(),
    ]);
    assert!(proved.contains("given with --public-key"), "{proved}");
    assert!(
        proved.contains(&format!("checkpoints hold, up to entry {head}")),
        "{proved}"
    );
    let self_trusting = ok(&[
        "audit",
        "verify",
        "--database-url",
        &copy,
        "--checkpoints",
        file_arg,
    ]);
    assert!(
        self_trusting.contains("trusting the public key(s) in"),
        "{self_trusting}"
    );
    // The secret key is not a public key.
    let wrong = tagtrail(&[
        "audit",
        "verify",
        "--database-url",
        &copy,
        "--checkpoints",
        file_arg,
        "--public-key",
        key.to_str().unwrap(),
    ]);
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).contains("secret signing key"),
        "{}",
        text(&wrong)
    );

    // 5. The attacker rewrites entry 2 and every hash after it.
    rewrite_history(&copy, 2).await;
    let plain = tagtrail(&["audit", "verify", "--database-url", &copy]);
    assert!(
        plain.status.success(),
        "the rewritten chain is sound by itself:\n{}",
        text(&plain)
    );
    assert!(text(&plain).contains("hash chain intact"));

    let caught = tagtrail(&[
        "audit",
        "verify",
        "--database-url",
        &copy,
        "--checkpoints",
        file_arg,
        "--public-key",
        &public_hex,
    ]);
    let said = text(&caught);
    assert_eq!(caught.status.code(), Some(3), "{said}");
    let first_after = cps
        .iter()
        .map(|c| c["Seq"].as_i64().unwrap())
        .find(|s| *s >= 2)
        .unwrap();
    assert!(
        said.contains(&format!(
            "CHECKPOINT FAILED: checkpoint {first_after}: the journal holds hash"
        )) && said.contains(&format!("rewritten at or before entry {first_after}")),
        "{said}"
    );
    assert!(said.contains("hash chain intact"), "{said}");

    // 6. Nor will the ledger's signer bless the rewritten history once it grows.
    ok(&[
        "admin",
        "--database-url",
        &copy,
        "create-license",
        "--license-number",
        "CCL-9",
        "--license-type",
        "retailer",
        "--name",
        "Forged Shop",
    ]);
    let refused = tagtrail(&[
        "admin",
        "--database-url",
        &copy,
        "checkpoint",
        "--checkpoint-key",
        key.to_str().unwrap(),
    ]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("no longer extends the last checkpoint"),
        "{}",
        text(&refused)
    );
    // The live database was never touched.
    ok(&[
        "audit",
        "verify",
        "--database-url",
        &url,
        "--checkpoints",
        file_arg,
        "--public-key",
        &public_hex,
    ]);
}

#[tokio::test]
async fn checkpoints_end_to_end_on_sqlite() {
    sqlx::any::install_default_drivers();
    let work = tempfile::tempdir().unwrap();
    let db = Db::Sqlite {
        dir: work.path().to_path_buf(),
    };
    checkpoints_prove_a_copy_and_catch_a_rewrite(db, work.path()).await;
}

#[tokio::test]
async fn checkpoints_end_to_end_on_postgres() {
    sqlx::any::install_default_drivers();
    let Ok(admin) = std::env::var("TAGTRAIL_TEST_POSTGRES_URL") else {
        eprintln!("TAGTRAIL_TEST_POSTGRES_URL not set; PostgreSQL run skipped");
        return;
    };
    let name = format!(
        "tagtrail_ckpt_cli_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let mut c = sqlx::AnyConnection::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut c)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').unwrap().0;
    let db = Db::Postgres {
        admin: admin.clone(),
        live: format!("{base}/{name}"),
    };
    let work = tempfile::tempdir().unwrap();
    checkpoints_prove_a_copy_and_catch_a_rewrite(db, work.path()).await;
}
