//! The two baselines `tagtrail bench` measures in the same run as the ledger, so every figure is
//! printed as a ratio to a limit measured on the same machine, build and load, never as an
//! absolute target (absolute numbers move with the machine; ratios to a same-run limit do not).
//!
//! - **Bare axum** ([`BareAxum`]): a second axum server in the same process, on loopback, whose
//!   two routes return from memory exactly the bytes the ledger returned for `GET
//!   /packages/v2/{label}` and `GET /packages/v2/active` (page of 20), as `application/json`,
//!   with no authentication, no database and no JSON encoding. The bench drives it with the same
//!   client, connections and seconds as the ledger. It is the fair limit for a read because it
//!   pays everything a read over HTTP must pay on this machine (TCP, HTTP parsing, routing,
//!   writing the same number of bytes, the client's own cost) and nothing a ledger adds: what
//!   remains between the two is the ledger's own work.
//! - **Raw insert** ([`RawInsert`]): one row of a strain's size per transaction, into a scratch
//!   table, with the ledger's durability: on SQLite a scratch file beside the bench database
//!   opened with the ledger's pragmas (WAL, `synchronous = FULL`, same busy timeout and foreign
//!   keys) and pool size, each row in its own `BEGIN IMMEDIATE … COMMIT`; on PostgreSQL a scratch
//!   table in the bench's database, default durability (`synchronous_commit = on`), the ledger's
//!   pool size. It is the fair limit for a regulated single-object write because each request
//!   must be durable before it is acknowledged, and one committed row per transaction is the
//!   least a database can do for that without batching requests together: it pays the same
//!   fsync (SQLite) or WAL flush (PostgreSQL) per acknowledgement and nothing else: no HTTP, no
//!   journal chain, no validation, no projections.

use anyhow::{Context, Result};
use axum::Router;
use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use sqlx::Executor;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqlitePool, SqlitePoolOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The ledger's SQLite settings, copied from `tagtrail-store/src/open.rs` (keep them in step):
/// the baseline must pay for exactly the durability the ledger pays for.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;";
/// The ledger's pool sizes (`tagtrail-store/src/open.rs`).
const SQLITE_POOL: u32 = 8;
const POSTGRES_POOL: u32 = 16;
/// The scratch table on PostgreSQL; it lives in the bench's own database and is dropped after.
const PG_TABLE: &str = "bench_raw_strains";

/// A bare axum server answering the two package reads with fixed bytes.
pub struct BareAxum {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl BareAxum {
    /// Starts on 127.0.0.1:0. The routes have the ledger's paths, so the router does the same
    /// matching (a static segment beside a parameter); query strings and credentials are ignored.
    pub async fn start(by_label: Bytes, active_page: Bytes) -> Result<BareAxum> {
        let json = |body: Bytes| {
            move || std::future::ready(([(CONTENT_TYPE, "application/json")], body.clone()))
        };
        let app = Router::new()
            .route("/packages/v2/active", get(json(active_page)))
            .route("/packages/v2/{label}", get(json(by_label)));
        let listener = crate::listen::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(BareAxum { base, stop, task })
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Single-row durable inserts into a scratch table.
pub enum RawInsert {
    Sqlite {
        pool: SqlitePool,
        /// Writers queue here before `BEGIN IMMEDIATE`, as the ledger's do (`Store::writer`):
        /// without it SQLite's busy handler sleeps and polls, which would understate the limit.
        turn: tokio::sync::Mutex<()>,
        path: PathBuf,
    },
    Postgres {
        pool: PgPool,
    },
}

/// What is inserted: one strain's JSON as the ledger serves it, under the bench's license.
pub struct Row {
    pub license_number: String,
    pub data: String,
}

impl RawInsert {
    /// A fresh scratch SQLite file at `path` (any leftover from an earlier run is removed).
    pub async fn sqlite(path: &Path) -> Result<RawInsert> {
        remove_sqlite_files(path);
        let pool = SqlitePoolOptions::new()
            .max_connections(SQLITE_POOL)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(SQLITE_PRAGMAS).await?;
                    Ok(())
                })
            })
            .connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .with_context(|| format!("opening the raw-insert scratch file {}", path.display()))?;
        pool.execute("CREATE TABLE strains (id INTEGER PRIMARY KEY, license_number TEXT, name TEXT, data TEXT)")
            .await?;
        Ok(RawInsert::Sqlite {
            pool,
            turn: tokio::sync::Mutex::new(()),
            path: path.to_path_buf(),
        })
    }

    /// A scratch table in the PostgreSQL database at `url` (the bench's own).
    pub async fn postgres(url: &str) -> Result<RawInsert> {
        // Quiet, so the first run's "does not exist, skipping" notice is not logged; it changes
        // nothing about durability.
        let options = url
            .parse::<PgConnectOptions>()?
            .options([("client_min_messages", "warning")]);
        let pool = PgPoolOptions::new()
            .max_connections(POSTGRES_POOL)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .context("connecting for the raw-insert baseline")?;
        pool.execute(format!("DROP TABLE IF EXISTS {PG_TABLE}").as_str())
            .await?;
        pool.execute(format!("CREATE TABLE {PG_TABLE} (id BIGINT PRIMARY KEY, license_number TEXT, name TEXT, data TEXT)").as_str())
            .await?;
        Ok(RawInsert::Postgres { pool })
    }

    /// What the printed table calls this baseline.
    pub fn name(&self) -> &'static str {
        match self {
            RawInsert::Sqlite { .. } => "raw insert (WAL, synchronous=FULL)",
            RawInsert::Postgres { .. } => "raw INSERT (synchronous_commit=on)",
        }
    }

    /// Inserts row `n` in its own transaction; true once it is committed.
    pub async fn insert(&self, n: u64, row: &Row) -> bool {
        let name = format!("Bench strain {n}");
        let id = i64::try_from(n).unwrap_or(i64::MAX);
        match self {
            RawInsert::Sqlite { pool, turn, .. } => {
                let _turn = turn.lock().await;
                let Ok(mut tx) = pool.begin_with("BEGIN IMMEDIATE").await else {
                    return false;
                };
                let done = sqlx::query(
                    "INSERT INTO strains (id, license_number, name, data) VALUES (?, ?, ?, ?)",
                )
                .bind(id)
                .bind(&row.license_number)
                .bind(name)
                .bind(&row.data)
                .execute(&mut *tx)
                .await;
                done.is_ok() && tx.commit().await.is_ok()
            }
            RawInsert::Postgres { pool } => {
                let Ok(mut tx) = pool.begin().await else {
                    return false;
                };
                let sql = format!(
                    "INSERT INTO {PG_TABLE} (id, license_number, name, data) VALUES ($1, $2, $3, $4)"
                );
                let done = sqlx::query(&sql)
                    .bind(id)
                    .bind(&row.license_number)
                    .bind(name)
                    .bind(&row.data)
                    .execute(&mut *tx)
                    .await;
                done.is_ok() && tx.commit().await.is_ok()
            }
        }
    }

    /// Drops the scratch table or file; nothing of the baseline outlives the run.
    pub async fn remove(self) {
        match self {
            RawInsert::Sqlite { pool, path, .. } => {
                pool.close().await;
                remove_sqlite_files(&path);
            }
            RawInsert::Postgres { pool } => {
                let _ = pool
                    .execute(format!("DROP TABLE IF EXISTS {PG_TABLE}").as_str())
                    .await;
                pool.close().await;
            }
        }
    }
}

/// Where the SQLite scratch file goes: beside the bench database, so on the same disk.
pub fn scratch_beside(bench_db: &str) -> PathBuf {
    let path = bench_db
        .strip_prefix("sqlite://")
        .or_else(|| bench_db.strip_prefix("sqlite:"))
        .unwrap_or(bench_db);
    let path = Path::new(path.split('?').next().unwrap_or(path));
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "bench".into());
    path.with_file_name(format!("{stem}-raw-insert.db"))
}

fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}
