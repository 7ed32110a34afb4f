//! Backup and restore end to end, with the real `tagtrail` binary: the demo ledger backed up while
//! its server runs and writes, restored into fresh SQLite files and PostgreSQL databases (every
//! direction between the two), verified, and compared entry by entry with the source; refusals
//! of a tampered, re-chained or truncated file and of a database that is not empty, each leaving
//! the target as it was; and the README's incident procedure, run line by line as written.
//!
//! On SQLite files, and on PostgreSQL too when `TAGTRAIL_TEST_POSTGRES_URL` names a server.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

mod common;
use common::{
    Api, BIN, Backend, Databases, Server, command, free_port, ok, sqlx_url, tagtrail, text,
};
use serde_json::{Value, json};
use sqlx::{Connection, Row};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use tagtrail_domain::journal::{Actor, Change, Draft, compute_hash};

async fn connect(url: &str) -> sqlx::AnyConnection {
    sqlx::AnyConnection::connect(&sqlx_url(url)).await.unwrap()
}

/// Every journal row, every column as text: what a restore must reproduce byte for byte.
async fn journal_rows(url: &str) -> Vec<Vec<Option<String>>> {
    let cols = [
        "seq",
        "recorded_at",
        "license_number",
        "employee_id",
        "vendor_key_id",
        "actor",
        "endpoint",
        "reason",
        "request",
        "result_ids",
        "changes",
        "prev_hash",
        "hash",
        "door",
        "action",
    ];
    let select: Vec<String> = cols
        .iter()
        .map(|c| format!("CAST({c} AS TEXT) AS {c}"))
        .collect();
    let mut c = connect(url).await;
    let rows = sqlx::query(&format!(
        "SELECT {} FROM journal ORDER BY journal.seq",
        select.join(", ")
    ))
    .fetch_all(&mut c)
    .await
    .unwrap();
    c.close().await.unwrap();
    rows.iter()
        .map(|r| {
            cols.iter()
                .map(|c| r.try_get::<Option<String>, _>(*c).unwrap())
                .collect()
        })
        .collect()
}

async fn count(url: &str, table: &str) -> i64 {
    let mut c = connect(url).await;
    let n = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(&mut c)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    c.close().await.unwrap();
    n
}

/// The journal's head (seq, hash), if any.
async fn head(url: &str) -> Option<(i64, String)> {
    let mut c = connect(url).await;
    let h = sqlx::query("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut c)
        .await
        .unwrap()
        .map(|r| (r.try_get("seq").unwrap(), r.try_get("hash").unwrap()));
    c.close().await.unwrap();
    h
}

impl Api {
    async fn get(&self, path: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(self.url(path))
            .basic_auth(&self.vendor, Some(&self.user))
            .send()
            .await
            .unwrap()
    }

    async fn get_json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status(), 200, "GET {path}");
        r.json().await.unwrap()
    }

    /// Waits until a checkpoint signs entry `seq` or later.
    async fn wait_for_checkpoint(&self, seq: i64) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let page = self
                .get_json("/tagtrail/v1/checkpoints?pageNumber=1&pageSize=1")
                .await;
            if page["Data"][0]["Seq"].as_i64().unwrap_or(0) >= seq {
                return;
            }
            assert!(Instant::now() < deadline, "no checkpoint of entry {seq}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// One package of the license, by its label (its first active one).
    async fn first_package(&self) -> (String, Value) {
        let page = self
            .get_json("/packages/v2/active?pageNumber=1&pageSize=1")
            .await;
        let label = page["Data"][0]["Label"].as_str().unwrap().to_string();
        let package = self.get_json(&format!("/packages/v2/{label}")).await;
        (label, package)
    }
}

/// Starts `tagtrail demo` (seeding on first run) on `db`, signing checkpoints every second.
async fn start_demo(work: &Path, db: &str) -> (Server, Api) {
    let port = free_port();
    let data = work.join("demo");
    let mut c = command(work);
    c.args(["demo", "--no-workbench", "--data-dir"])
        .arg(&data)
        .args(["--database-url", db, "--checkpoint-every", "1", "--listen"])
        .arg(format!("127.0.0.1:{port}"));
    let server = Server::spawn(c);
    let api = Api::wait_ready(port, &data.join("credentials.json")).await;
    (server, api)
}

/// Backs up `url` into `file`, expecting success.
fn backup(work: &Path, url: &str, file: &Path) -> String {
    ok(
        work,
        &[
            "backup",
            "--database-url",
            url,
            "--out",
            file.to_str().unwrap(),
        ],
    )
}

fn restore(work: &Path, file: &Path, url: &str) -> Output {
    tagtrail(
        work,
        &[
            "restore",
            "--from",
            file.to_str().unwrap(),
            "--database-url",
            url,
        ],
    )
}

/// Restores `file` into the fresh `target`, then checks the result against `source`: the same
/// journal, byte for byte, the same certificates and checkpoints, no sessions, and a passing
/// `audit verify`.
async fn restore_and_compare(work: &Path, file: &Path, target: &str, source: &str) {
    let o = restore(work, file, target);
    assert!(o.status.success(), "restore into {target}:\n{}", text(&o));
    let said = text(&o);
    let (seq, hash) = head(source).await.unwrap();
    assert!(
        said.contains(&format!(
            "ok: head entry {seq} hash {hash}, as the backup names it"
        )),
        "{said}"
    );
    let verified = ok(work, &["audit", "verify", "--database-url", target]);
    assert!(
        verified.contains(&format!("ok: {seq} journal entries, hash chain intact")),
        "{verified}"
    );
    assert_eq!(head(target).await, Some((seq, hash)));
    assert!(journal_rows(target).await == journal_rows(source).await);
    for table in ["document_blobs", "checkpoint_keys", "checkpoints"] {
        assert_eq!(
            count(target, table).await,
            count(source, table).await,
            "{table}"
        );
    }
    assert!(count(source, "document_blobs").await > 0);
    assert!(count(source, "checkpoints").await > 0);
    assert_eq!(
        count(target, "web_sessions").await,
        0,
        "sessions are not restored"
    );
}

/// Signs in to the web UI, so that the source holds a session a backup must leave out.
async fn sign_in(work: &Path, port: u16) {
    let creds: Value =
        serde_json::from_str(&std::fs::read_to_string(work.join("demo/credentials.json")).unwrap())
            .unwrap();
    let l = &creds["licenses"][0];
    // The sign-in form's double-submit token: any well-formed value, as cookie and field.
    let token = "backuptestbackuptestbackuptestbackuptestbackupte";
    assert_eq!(token.len(), 48);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(format!("http://127.0.0.1:{port}/ui/login"))
        .header("Cookie", format!("tagtrail_signin={token}"))
        .form(&[
            ("csrf", token),
            ("username", l["username"].as_str().unwrap()),
            ("password", l["password"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_redirection(),
        "sign-in answered {}",
        r.status()
    );
}

/// The demo on `source`, backed up while its server runs and a client keeps writing, restored
/// into a fresh database of every backend; then the restored copy on the other backend is backed
/// up and restored back, so either backend's file restores into either.
async fn backup_and_restore_from(source_backend: &Backend) {
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let mut dbs = Databases::new(work, "tt_backup");
    let source = dbs.fresh(source_backend, "source").await;
    let (server, api) = start_demo(work, &source).await;
    sign_in(work, api.port).await;
    api.wait_for_checkpoint(head(&source).await.unwrap().0)
        .await;

    // A client writes strains the whole time the backup runs (on the runtime's other thread,
    // while this one waits for the backup): the backup is one snapshot, so what it holds is a
    // prefix of the journal that links and verifies, wherever it was cut.
    let seeded = head(&source).await.unwrap().0;
    let written = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (vendor, user, url) = (api.vendor.clone(), api.user.clone(), api.url("/strains/v2"));
        let (written, stop) = (written.clone(), stop.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            for i in 0..5000 {
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let r = client
                    .post(&url)
                    .basic_auth(&vendor, Some(&user))
                    .json(&json!([{"Name": format!("Backup Haze {i}")}]))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
                written.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        })
    };
    while written.load(std::sync::atomic::Ordering::SeqCst) < 5 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let file = work.join("ledger.ttbackup");
    let said = backup(work, &source, &file);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    writer.await.unwrap();
    server.stop();
    assert!(said.contains("journal entries, head entry"), "{said}");

    // The file names its head: writes landed on both sides of it.
    let mut header = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&file).unwrap())
        .read_to_string(&mut header)
        .unwrap();
    let header: Value = serde_json::from_str(header.lines().next().unwrap()).unwrap();
    assert_eq!(header["format"], "tagtrail-backup");
    assert_eq!(header["backend"], source_backend.name());
    let backed_up = header["head"]["seq"].as_i64().unwrap();
    let live = journal_rows(&source).await;
    assert!(count(&source, "web_sessions").await > 0);
    assert!(
        backed_up >= seeded + 5,
        "the backup began after five writes"
    );
    assert!(
        (backed_up as usize) < live.len(),
        "writes went on while the backup ran"
    );
    eprintln!(
        "{}: the backup's head is entry {backed_up}; the journal had {} entries when the writer stopped",
        source_backend.name(),
        live.len()
    );

    // The source as it was at the backup: the prefix the file holds.
    let at_backup = dbs.fresh(&Backend::Sqlite, "at_backup").await;
    restore_and_compare_prefix(work, &file, &at_backup, &source, backed_up).await;

    for target_backend in Backend::all() {
        let target = dbs
            .fresh(&target_backend, &format!("to_{}", target_backend.name()))
            .await;
        restore_and_compare(work, &file, &target, &at_backup).await;
        // And back: a backup of the restored copy restores on the source's backend.
        let again = work.join(format!("from_{}.ttbackup", target_backend.name()));
        backup(work, &target, &again);
        let back = dbs
            .fresh(source_backend, &format!("back_{}", target_backend.name()))
            .await;
        restore_and_compare(work, &again, &back, &at_backup).await;
    }
}

/// Restores `file` into `target` and checks it holds exactly the first `seq` entries of `source`.
async fn restore_and_compare_prefix(
    work: &Path,
    file: &Path,
    target: &str,
    source: &str,
    seq: i64,
) {
    let o = restore(work, file, target);
    assert!(o.status.success(), "{}", text(&o));
    ok(work, &["audit", "verify", "--database-url", target]);
    let source_rows = journal_rows(source).await;
    let rows = journal_rows(target).await;
    assert_eq!(rows.len() as i64, seq);
    for (a, b) in rows.iter().zip(&source_rows) {
        assert_eq!(a, b, "the restored entry differs from the source's");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_into_either_backend_and_verifies() {
    sqlx::any::install_default_drivers();
    // Every source; the targets follow `all()`, so a PostgreSQL-only run still crosses both
    // ways (a SQLite source restored into PostgreSQL, and that copy's backup back into SQLite).
    for source in Backend::everything() {
        backup_and_restore_from(&source).await;
    }
}

/// Reads a backup file's lines.
fn lines_of(file: &Path) -> Vec<String> {
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(file).unwrap())
        .read_to_string(&mut s)
        .unwrap();
    s.lines().map(str::to_string).collect()
}

/// Writes `lines` as a backup file.
fn write_lines(file: &Path, lines: &[String]) {
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(file).unwrap(),
        flate2::Compression::default(),
    );
    for l in lines {
        gz.write_all(l.as_bytes()).unwrap();
        gz.write_all(b"\n").unwrap();
    }
    gz.finish().unwrap();
}

/// The line of journal entry `seq` (line 0 is the header).
fn entry_line(lines: &[String], seq: i64) -> usize {
    lines
        .iter()
        .position(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["journal"]["seq"].as_i64() == Some(seq)
        })
        .unwrap()
}

/// A small ledger made with admin commands (no server needed).
fn small_ledger(work: &Path, url: &str) {
    for (n, kind) in [
        ("CCL-1", "manufacturer"),
        ("CCL-2", "distributor"),
        ("CCL-3", "retailer"),
    ] {
        ok(
            work,
            &[
                "admin",
                "--database-url",
                url,
                "create-license",
                "--license-number",
                n,
                "--license-type",
                kind,
                "--name",
                &format!("Shop {n}"),
            ],
        );
    }
    ok(
        work,
        &[
            "admin",
            "--database-url",
            url,
            "vendor-key",
            "--name",
            "Integrator",
        ],
    );
}

/// Expects `file` to be refused into a fresh database of `backend` with a message containing
/// `why`, and the target to be left as found: a SQLite file that did not exist does not exist
/// afterwards, and an existing empty database (PostgreSQL's, or a SQLite file made empty
/// beforehand) holds nothing.
async fn refused(work: &Path, dbs: &mut Databases, backend: &Backend, file: &Path, why: &str) {
    let target = dbs.fresh(backend, "refused").await;
    let o = restore(work, file, &target);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(2), "{said}");
    assert!(said.contains(why), "expected {why:?} in:\n{said}");
    assert!(said.contains("nothing was kept"), "{said}");
    match backend {
        Backend::Sqlite => {
            assert!(!Path::new(&target).exists(), "{target} was left behind");
            // An existing, empty database stays empty.
            ok(work, &["audit", "verify", "--database-url", &target]);
            let o = restore(work, file, &target);
            assert_eq!(o.status.code(), Some(2), "{}", text(&o));
            assert!(Path::new(&target).exists());
            assert_eq!(count(&target, "journal").await, 0);
            assert_eq!(count(&target, "facilities").await, 0);
            assert_eq!(count(&target, "journal_touches").await, 0);
            std::fs::remove_file(&target).unwrap();
        }
        Backend::Postgres { .. } => {
            assert_eq!(count(&target, "journal").await, 0);
            assert_eq!(count(&target, "facilities").await, 0);
            assert_eq!(count(&target, "journal_touches").await, 0);
        }
    }
}

/// Rewrites entry `seq` of a backup's lines with `edit` applied to its draft, then recomputes the
/// hash of it and of every later entry, as an attacker who knows the hashing would.
fn rechain(lines: &mut [String], seq: i64, edit: impl Fn(&mut Draft)) {
    let mut prev: Option<String> = None;
    for line in lines.iter_mut() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        let Some(e) = v.get_mut("journal") else {
            continue;
        };
        let s = e["seq"].as_i64().unwrap();
        if s < seq {
            prev = Some(e["hash"].as_str().unwrap().to_string());
            continue;
        }
        let field = |k: &str| e[k].as_str().unwrap().to_string();
        let mut draft = Draft {
            recorded_at: field("recorded_at"),
            license_number: e["license_number"].as_str().map(str::to_string),
            actor: serde_json::from_str::<Actor>(&field("actor")).unwrap(),
            endpoint: field("endpoint"),
            reason: field("reason"),
            request: serde_json::from_str(&field("request")).unwrap(),
            result_ids: serde_json::from_str(&field("result_ids")).unwrap(),
            changes: serde_json::from_str::<Vec<Change>>(&field("changes")).unwrap(),
            door: e["door"].as_str().map(str::to_string),
            action: e["action"].as_str().map(str::to_string),
        };
        assert_eq!(
            compute_hash(s, &field("prev_hash"), &draft),
            field("hash"),
            "the test hashes as the ledger does"
        );
        if s == seq {
            edit(&mut draft);
        }
        let prev_hash = prev.clone().unwrap();
        let hash = compute_hash(s, &prev_hash, &draft);
        e["reason"] = json!(draft.reason);
        e["prev_hash"] = json!(prev_hash);
        e["hash"] = json!(hash);
        prev = Some(hash);
        *line = v.to_string();
    }
}

#[tokio::test]
async fn a_backup_that_does_not_verify_is_refused_and_leaves_the_target_empty() {
    sqlx::any::install_default_drivers();
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let mut dbs = Databases::new(work, "tt_backup");
    let source = dbs.fresh(&Backend::Sqlite, "small").await;
    small_ledger(work, &source);
    let file = work.join("small.ttbackup");
    backup(work, &source, &file);
    let lines = lines_of(&file);
    assert_eq!(lines.len(), 1 + 4, "a header and four entries");

    // One byte of entry 2's payload changed: the name of the license it issued.
    let tampered = work.join("tampered.ttbackup");
    let mut t = lines.clone();
    let i = entry_line(&t, 2);
    let at = t[i].find("Shop CCL-2").unwrap();
    t[i].replace_range(at..at + 1, "C");
    write_lines(&tampered, &t);

    // Entry 2 rewritten and every later hash recomputed: the chain links again, but it is not
    // the chain the file's header names.
    let rechained = work.join("rechained.ttbackup");
    let mut r = lines.clone();
    rechain(&mut r, 2, |d| d.reason = "Never issued".into());
    write_lines(&rechained, &r);

    // The last entry missing: the header promises more than the file holds.
    let truncated = work.join("truncated.ttbackup");
    write_lines(&truncated, &lines[..lines.len() - 1]);

    // Not a backup at all.
    let other = work.join("other.ttbackup");
    std::fs::write(&other, b"SQLite format 3\0").unwrap();

    for backend in Backend::all() {
        refused(
            work,
            &mut dbs,
            &backend,
            &tampered,
            "REFUSED after 1 good entries: hash chain broken at entry 2: stored hash",
        )
        .await;
        refused(
            work,
            &mut dbs,
            &backend,
            &rechained,
            "REFUSED after 4 good entries: the restored chain ends at entry 4 with hash",
        )
        .await;
        refused(
            work,
            &mut dbs,
            &backend,
            &truncated,
            "the file is incomplete: its header promises 4 entries",
        )
        .await;
        refused(
            work,
            &mut dbs,
            &backend,
            &other,
            "the file is not a tagtrail backup",
        )
        .await;
        // The untouched file restores, so each refusal above was the edit's doing.
        let target = dbs.fresh(&backend, "untouched").await;
        let o = restore(work, &file, &target);
        assert!(o.status.success(), "{}", text(&o));
    }

    // A source whose own chain is broken is not backed up: that copy would never restore.
    let mut c = connect(&source).await;
    sqlx::query("DROP TRIGGER journal_no_update")
        .execute(&mut c)
        .await
        .unwrap();
    sqlx::query("UPDATE journal SET reason = 'edited' WHERE seq = 3")
        .execute(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
    let broken = work.join("broken.ttbackup");
    let o = tagtrail(
        work,
        &[
            "backup",
            "--database-url",
            &source,
            "--out",
            broken.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains("the hash chain is broken at entry 3"),
        "{}",
        text(&o)
    );
    assert!(!broken.exists());
    assert_eq!(
        std::fs::read_dir(work)
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".partial"))
            .count(),
        0
    );
}

#[tokio::test]
async fn restore_refuses_a_database_that_holds_anything_and_backup_never_overwrites_or_creates() {
    sqlx::any::install_default_drivers();
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let mut dbs = Databases::new(work, "tt_backup");
    let source = dbs.fresh(&Backend::Sqlite, "small").await;
    small_ledger(work, &source);
    let file = work.join("small.ttbackup");
    backup(work, &source, &file);

    // A second backup to the same name is refused, and the first is untouched.
    let before = std::fs::read(&file).unwrap();
    let o = tagtrail(
        work,
        &[
            "backup",
            "--database-url",
            &source,
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("never overwrites"), "{}", text(&o));
    assert_eq!(std::fs::read(&file).unwrap(), before);

    // A mistyped database path is not a new, empty ledger to back up.
    let missing = work.join("misspelt.db");
    let o = tagtrail(
        work,
        &[
            "backup",
            "--database-url",
            missing.to_str().unwrap(),
            "--out",
            work.join("empty.ttbackup").to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("there is no database at"), "{}", text(&o));
    assert!(!missing.exists() && !work.join("empty.ttbackup").exists());

    for backend in Backend::all() {
        // A ledger in use: its own backup is refused, and nothing changes.
        let target = dbs.fresh(&backend, "used").await;
        assert!(restore(work, &file, &target).status.success());
        let rows = journal_rows(&target).await;
        let o = restore(work, &file, &target);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert!(
            text(&o).contains("refusing to restore into")
                && text(&o).contains("its journal holds 4 entries"),
            "{}",
            text(&o)
        );
        assert!(journal_rows(&target).await == rows);
        ok(work, &["audit", "verify", "--database-url", &target]);

        // A database holding no journal but something else is not empty either.
        let keyed = dbs.fresh(&backend, "keyed").await;
        ok(work, &["audit", "verify", "--database-url", &keyed]);
        let mut c = connect(&keyed).await;
        sqlx::query(
            "INSERT INTO checkpoint_keys (key_id, public_key, added_at) VALUES ('k', 'p', 't')",
        )
        .execute(&mut c)
        .await
        .unwrap();
        c.close().await.unwrap();
        let o = restore(work, &file, &keyed);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert!(
            text(&o).contains("its table checkpoint_keys holds 1 rows"),
            "{}",
            text(&o)
        );
        assert_eq!(count(&keyed, "journal").await, 0);
    }
}

/// The README's section "Backup, restore and incidents": the procedure's command lines, in order.
fn readme_procedure() -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let start = readme
        .find("### The incident procedure")
        .expect("the README has the incident procedure");
    let block = &readme[start..];
    let open = block.find("```sh\n").unwrap() + "```sh\n".len();
    let close = open + block[open..].find("```").unwrap();
    block[open..close]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Runs one line of the procedure as the operator would type it, in the ledger's directory, with
/// this build's `tagtrail` first on the PATH.
fn shell(work: &Path, line: &str) -> Output {
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .args(["-c", line])
        .current_dir(work)
        .env("PATH", path)
        .env_remove("TAGTRAIL_DATABASE_URL")
        .env_remove("TAGTRAIL_CHECKPOINT_KEY")
        .env("TAGTRAIL_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_readme_incident_procedure_works_as_written() {
    sqlx::any::install_default_drivers();
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let steps = readme_procedure();
    let expected = [
        "tagtrail backup --database-url tagtrail-data/tagtrail.db --out backups/tagtrail-$(date +%Y%m%d-%H%M%S).ttbackup",
        "mv tagtrail-data tagtrail-data.damaged",
        "tagtrail restore --from \"$(ls backups/tagtrail-*.ttbackup | tail -n 1)\" --database-url tagtrail-data/tagtrail.db",
        "tagtrail audit verify --database-url tagtrail-data/tagtrail.db",
        "tagtrail audit checkpoints --database-url tagtrail-data/tagtrail.db --out restored-checkpoints.json",
        "tagtrail audit verify --database-url tagtrail-data/tagtrail.db --checkpoints restored-checkpoints.json --public-key keys/checkpoint.pub",
        "tagtrail serve --database-url tagtrail-data/tagtrail.db --checkpoint-key keys/checkpoint.key",
    ];
    assert_eq!(
        steps, expected,
        "the README's procedure is the one this test runs"
    );

    // Before the incident: a ledger with its checkpoint key, serving (the demo's data, signed
    // with the operator's key), backed up by the nightly job while it serves.
    ok(
        work,
        &["admin", "checkpoint-key", "--out", "keys/checkpoint.key"],
    );
    let port = free_port();
    let mut c = command(work);
    c.args([
        "demo",
        "--no-workbench",
        "--data-dir",
        "demo",
        "--database-url",
        "tagtrail-data/tagtrail.db",
        "--checkpoint-key",
        "keys/checkpoint.key",
        "--checkpoint-every",
        "1",
        "--listen",
    ])
    .arg(format!("127.0.0.1:{port}"));
    let server = Server::spawn(c);
    let api = Api::wait_ready(port, &work.join("demo/credentials.json")).await;
    let db = work.join("tagtrail-data/tagtrail.db");
    let db = db.to_str().unwrap();
    api.wait_for_checkpoint(head(db).await.unwrap().0).await;
    let (label, package) = api.first_package().await;
    let active = api.get_json("/packages/v2/active").await;
    let nightly = shell(work, &steps[0]);
    assert!(nightly.status.success(), "{}", text(&nightly));
    let (seq, hash) = head(db).await.unwrap();

    // The incident: the server stops and the database file is damaged.
    server.stop();
    std::fs::write(db, b"this is not a database any more").unwrap();
    let damaged = tagtrail(work, &["audit", "verify", "--database-url", db]);
    assert!(!damaged.status.success(), "{}", text(&damaged));

    // The procedure, line by line.
    for step in &steps[1..steps.len() - 1] {
        let o = shell(work, step);
        assert!(o.status.success(), "`{step}` failed:\n{}", text(&o));
        let said = text(&o);
        if step.starts_with("tagtrail restore") {
            assert!(
                said.contains(&format!(
                    "ok: head entry {seq} hash {hash}, as the backup names it"
                )),
                "{said}"
            );
        }
        if step.contains("--checkpoints") {
            assert!(said.contains("given with --public-key"), "{said}");
            assert!(said.contains("checkpoints hold, up to entry"), "{said}");
        }
    }
    assert!(work.join("tagtrail-data.damaged/tagtrail.db").exists());
    assert_eq!(head(db).await, Some((seq, hash)));

    // Serving again, as written (the address from the environment, as a service sets it): the
    // same keys read the same package.
    let port = free_port();
    let bin_dir = Path::new(BIN).parent().unwrap();
    let mut c = Command::new("sh");
    c.args(["-c", &format!("exec {}", steps[steps.len() - 1])])
        .current_dir(work)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env_remove("TAGTRAIL_DATABASE_URL")
        .env_remove("TAGTRAIL_CHECKPOINT_KEY")
        .env("TAGTRAIL_LISTEN", format!("127.0.0.1:{port}"))
        .env("TAGTRAIL_LOG", "warn");
    let server = Server::spawn(c);
    let api = Api::wait_ready(port, &work.join("demo/credentials.json")).await;
    assert_eq!(
        api.get_json(&format!("/packages/v2/{label}")).await,
        package
    );
    assert_eq!(api.get_json("/packages/v2/active").await, active);
    // The restored ledger takes writes, linked onto the restored head.
    let r = reqwest::Client::new()
        .post(api.url("/strains/v2"))
        .basic_auth(&api.vendor, Some(&api.user))
        .json(&json!([{"Name": "After The Restore"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    server.stop();
    ok(work, &["audit", "verify", "--database-url", db]);
    assert_eq!(head(db).await.unwrap().0, seq + 1);
}

/// The README's section "Backing up and restoring the workbench": the procedure's lines, in
/// order.
fn readme_workbench_procedure() -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let start = readme
        .find("### Backing up and restoring the workbench")
        .expect("the README has the workbench's procedure");
    let block = &readme[start..];
    let open = block.find("```sh\n").unwrap() + "```sh\n".len();
    let close = open + block[open..].find("```").unwrap();
    block[open..close]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Waits until a workbench serves its sign-in page on `port`.
async fn wait_for_workbench(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/login")).await
            && r.status() == 200
        {
            return;
        }
        assert!(Instant::now() < deadline, "the workbench never served");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The workbench's incident procedure, line by line as the README writes it: a nightly backup
/// while it serves, the database damaged, the restore, the verification, serving again.
#[tokio::test]
async fn the_readme_workbench_procedure_works_as_written() {
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let steps = readme_workbench_procedure();
    let base = "tagtrail workbench --database-url workbench-data/workbench.db --kek-file keys/workbench.kek";
    let expected = [
        format!("{base} backup --out backups/workbench-$(date +%Y%m%d-%H%M%S).jsonl.gz"),
        "mv workbench-data workbench-data.damaged".to_string(),
        format!("{base} restore --from \"$(ls backups/workbench-*.jsonl.gz | tail -n 1)\""),
        format!("{base} audit verify"),
        format!("{base} serve"),
    ];
    assert_eq!(
        steps, expected,
        "the README's procedure is the one this test runs"
    );

    // Before the incident: an installation set up from the command line, serving.
    let kek = ok(work, &["workbench", "kek"]);
    std::fs::create_dir_all(work.join("keys")).unwrap();
    std::fs::write(work.join("keys/workbench.kek"), kek.trim()).unwrap();
    let admin = |args: &[&str]| {
        let mut all = vec![
            "workbench",
            "--database-url",
            "workbench-data/workbench.db",
            "--kek-file",
            "keys/workbench.kek",
            "admin",
        ];
        all.extend_from_slice(args);
        ok(work, &all)
    };
    admin(&[
        "create-company",
        "--name",
        "Restored Brands",
        "--metrc-url",
        "http://127.0.0.1:9",
    ]);
    admin(&[
        "add-license",
        "--company",
        "Restored Brands",
        "--number",
        "C11-0000777-LIC",
        "--name",
        "Restored Distribution",
        "--kind",
        "Distributor",
    ]);
    let o = command(work)
        .args([
            "workbench",
            "--database-url",
            "workbench-data/workbench.db",
            "--kek-file",
            "keys/workbench.kek",
            "admin",
            "create-user",
            "--company",
            "Restored Brands",
            "--username",
            "ana",
            "--full-name",
            "Ana Ruiz",
        ])
        .env("TAGTRAIL_WORKBENCH_PASSWORD", "correct horse battery")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    admin(&[
        "grant",
        "--username",
        "ana",
        "--license",
        "C11-0000777-LIC",
        "--role",
        "admin",
    ]);
    let serve = |port: u16, line: &str| {
        let bin_dir = Path::new(BIN).parent().unwrap();
        let mut c = Command::new("sh");
        c.args(["-c", &format!("exec {line}")])
            .current_dir(work)
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    bin_dir.display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env_remove("TAGTRAIL_WORKBENCH_DATABASE_URL")
            .env_remove("TAGTRAIL_WORKBENCH_KEK")
            .env("TAGTRAIL_WORKBENCH_LISTEN", format!("127.0.0.1:{port}"))
            .env("TAGTRAIL_LOG", "warn");
        Server::spawn(c)
    };
    let port = free_port();
    let server = serve(port, &steps[steps.len() - 1]);
    wait_for_workbench(port).await;
    let nightly = shell(work, &steps[0]);
    assert!(nightly.status.success(), "{}", text(&nightly));
    let verified = shell(work, &steps[3]);
    assert!(verified.status.success(), "{}", text(&verified));
    let before = text(&verified);

    // The incident: the workbench stops and its database is damaged (the file overwritten,
    // its write-ahead log lost).
    server.stop();
    std::fs::write(
        work.join("workbench-data/workbench.db"),
        b"this is not a database any more",
    )
    .unwrap();
    for lost in ["workbench.db-wal", "workbench.db-shm"] {
        let _ = std::fs::remove_file(work.join("workbench-data").join(lost));
    }
    let damaged = shell(work, &steps[3]);
    assert!(!damaged.status.success(), "{}", text(&damaged));

    // The procedure, line by line.
    for step in &steps[1..steps.len() - 1] {
        let o = shell(work, step);
        assert!(o.status.success(), "`{step}` failed:\n{}", text(&o));
        if step.contains(" restore ") {
            assert!(text(&o).contains("hash chain intact"), "{}", text(&o));
        }
    }
    assert!(work.join("workbench-data.damaged/workbench.db").exists());
    // The same audit log as before the incident, verified from its first entry.
    assert_eq!(text(&shell(work, &steps[3])), before);

    // Serving again, as written: its people are back (the one signed in before signs in again).
    let port = free_port();
    let server = serve(port, &steps[steps.len() - 1]);
    wait_for_workbench(port).await;
    server.stop();
    let people = admin(&[
        "grant",
        "--username",
        "ana",
        "--license",
        "C11-0000777-LIC",
        "--role",
        "viewer",
    ]);
    assert!(people.contains("granted to ana"), "{people}");
}
