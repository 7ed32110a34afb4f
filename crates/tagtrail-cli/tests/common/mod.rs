//! What the CLI's process-level tests share: the backends a run covers, fresh databases on
//! them, a free port, the `tagtrail` command and its output, a server process, and a client
//! holding the demo's keys.
#![allow(
    dead_code,
    reason = "each test file uses the part it needs; the rest is unused there"
)]
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use serde_json::Value;
use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_tagtrail");

/// Where databases for a test come from: files in a directory, or fresh PostgreSQL databases on
/// a server (dropped when the test ends, passed or failed).
pub enum Backend {
    Sqlite,
    Postgres { admin: String },
}

impl Backend {
    /// SQLite, and PostgreSQL when `TAGTRAIL_TEST_POSTGRES_URL` names a server.
    pub fn everything() -> Vec<Backend> {
        let mut out = vec![Backend::Sqlite];
        match std::env::var("TAGTRAIL_TEST_POSTGRES_URL") {
            Ok(url) if !url.trim().is_empty() => out.push(Backend::Postgres { admin: url }),
            _ => eprintln!("TAGTRAIL_TEST_POSTGRES_URL not set; PostgreSQL runs skipped"),
        }
        out
    }

    /// The backends this run covers: as `everything`, less SQLite when
    /// `TAGTRAIL_TEST_SKIP_SQLITE=1` says another run (CI's SQLite run) has it, as the test
    /// kit's suites do.
    pub fn all() -> Vec<Backend> {
        let mut out = Backend::everything();
        if out.len() > 1 && std::env::var("TAGTRAIL_TEST_SKIP_SQLITE").is_ok_and(|v| v == "1") {
            out.remove(0);
        }
        out
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres { .. } => "postgres",
        }
    }
}

/// Fresh databases, dropped (PostgreSQL) when this goes out of scope.
pub struct Databases {
    dir: PathBuf,
    /// Names of PostgreSQL databases start with this (the test file's own).
    prefix: &'static str,
    made: Vec<(String, String)>,
}

impl Databases {
    pub fn new(dir: &Path, prefix: &'static str) -> Databases {
        Databases {
            dir: dir.to_path_buf(),
            prefix,
            made: Vec::new(),
        }
    }

    /// The URL of a new, empty database on `backend` (a SQLite path that does not exist yet).
    pub async fn fresh(&mut self, backend: &Backend, label: &str) -> String {
        match backend {
            Backend::Sqlite => self
                .dir
                .join(format!("{label}.db"))
                .to_string_lossy()
                .to_string(),
            Backend::Postgres { admin } => {
                let name = format!(
                    "{}_{label}_{}_{}",
                    self.prefix,
                    std::process::id(),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_nanos()
                );
                let mut c = sqlx::AnyConnection::connect(admin).await.unwrap();
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut c)
                    .await
                    .unwrap();
                c.close().await.unwrap();
                self.made.push((admin.clone(), name.clone()));
                format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
            }
        }
    }
}

impl Drop for Databases {
    fn drop(&mut self) {
        let made = std::mem::take(&mut self.made);
        if made.is_empty() {
            return;
        }
        // From a thread of its own: the test's runtime may be unwinding.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                for (admin, name) in made {
                    if let Ok(mut c) = sqlx::AnyConnection::connect(&admin).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut c)
                                .await;
                    }
                }
            });
        })
        .join();
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The tagtrail command, with nothing from the caller's environment choosing a database, a key
/// or an address for it.
pub fn command(cwd: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(cwd)
        .env_remove("TAGTRAIL_DATABASE_URL")
        .env_remove("TAGTRAIL_CHECKPOINT_KEY")
        .env_remove("TAGTRAIL_LISTEN")
        .env_remove("TAGTRAIL_WEBHOOK_KEY_FILE")
        .env("TAGTRAIL_LOG", "warn");
    c
}

pub fn tagtrail(cwd: &Path, args: &[&str]) -> Output {
    command(cwd).args(args).output().unwrap()
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs `tagtrail args…` and expects success; returns standard output.
pub fn ok(cwd: &Path, args: &[&str]) -> String {
    succeeded(args, tagtrail(cwd, args))
}

/// The standard output of `tagtrail args…`, which must have succeeded.
pub fn succeeded(args: &[&str], o: Output) -> String {
    assert!(
        o.status.success(),
        "tagtrail {args:?} failed:\n{}",
        text(&o)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// What sqlx connects to for a database the CLI names by a SQLite path or a PostgreSQL URL.
pub fn sqlx_url(url: &str) -> String {
    if url.starts_with("postgres") {
        url.to_string()
    } else {
        format!("sqlite://{url}")
    }
}

/// A server process this test started.
pub struct Server(pub Child);

impl Server {
    /// Starts `c`, its standard output dropped and its errors shown with the test's.
    pub fn spawn(mut c: Command) -> Server {
        Server(
            c.stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap(),
        )
    }

    /// SIGKILL: no graceful shutdown, no open transaction finished, answers cut off mid-request.
    pub fn kill(mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }

    /// SIGTERM, as a service manager stops it, then waits for the exit.
    pub fn stop(mut self) {
        let pid = self.0.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = self.0.wait().unwrap();
        assert!(status.success(), "server exited with {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only if a test failed before `kill` or `stop`: never leave the server running.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The demo's keys and one license to read and write as (its first, which may create strains).
/// Each test file adds the requests it makes.
#[derive(Clone)]
pub struct Api {
    pub port: u16,
    pub vendor: String,
    pub user: String,
    pub license: String,
}

impl Api {
    pub fn from_credentials(path: &Path, port: u16) -> Api {
        let creds: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let l = &creds["licenses"][0];
        Api {
            port,
            vendor: creds["vendor_key"].as_str().unwrap().to_string(),
            user: l["user_key"].as_str().unwrap().to_string(),
            license: l["license_number"].as_str().unwrap().to_string(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!(
            "http://127.0.0.1:{}{path}{sep}licenseNumber={}",
            self.port, self.license
        )
    }

    /// Waits until the server answers (the demo seeds before it serves).
    pub async fn wait_ready(port: u16, credentials: &Path) -> Api {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            if credentials.exists() {
                let api = Api::from_credentials(credentials, port);
                if let Ok(r) = reqwest::Client::new()
                    .get(format!("http://127.0.0.1:{port}/facilities/v2"))
                    .basic_auth(&api.vendor, Some(&api.user))
                    .send()
                    .await
                    && r.status().is_success()
                {
                    return api;
                }
            }
            assert!(Instant::now() < deadline, "the demo server never answered");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
