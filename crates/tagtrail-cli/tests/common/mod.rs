//! What the CLI's process-level tests share: the backends a run covers, fresh databases on
//! them, and a free port.
#![allow(
    dead_code,
    reason = "each test file uses the part it needs; the rest is unused there"
)]
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use sqlx::Connection;
use std::path::{Path, PathBuf};

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
