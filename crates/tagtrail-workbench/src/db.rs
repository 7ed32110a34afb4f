//! The workbench's database: the backend chosen by the URL, migrations per backend, and the
//! write transaction that serializes appends to the audit chain.

use crate::{Result, WbError};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Names the workbench's advisory lock on PostgreSQL ("wbaudit").
const WRITE_LOCK_KEY: i64 = 0x0077_6261_7564_6974;

#[derive(Clone, Debug)]
pub(crate) struct Db {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    /// Writers in this process queue here before taking the database's own write lock.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// A plain path or `sqlite:` URL selects SQLite (the file is created); `postgres://` selects
/// PostgreSQL.
pub fn classify(url: &str) -> Result<(Backend, String)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_string()));
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.contains("://") {
        return Err(WbError::Invalid(format!("unsupported database URL {url}")));
    }
    Ok((Backend::Sqlite, path.to_string()))
}

/// A write transaction holding the workbench's write lock.
pub(crate) struct WriteTx {
    pub(crate) tx: Transaction<'static, Any>,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl WriteTx {
    pub(crate) async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Db {
    pub(crate) async fn open(url: &str) -> Result<Db> {
        install_default_drivers();
        let (backend, target) = classify(url)?;
        let pool = match backend {
            Backend::Sqlite => {
                if let Some(dir) = Path::new(&target)
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        WbError::Invalid(format!("creating {}: {e}", dir.display()))
                    })?;
                }
                let url = format!("sqlite://{target}?mode=rwc");
                // One plain connection first: a file that is not a database fails now, in
                // SQLite's words, rather than after the pool's acquire timeout of retries.
                {
                    use sqlx::Connection;
                    let mut c = sqlx::AnyConnection::connect(&url).await?;
                    c.execute("SELECT count(*) FROM sqlite_master").await?;
                    c.close().await?;
                }
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;")
                                .await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(&target)
                    .await?
            }
        };
        match backend {
            Backend::Sqlite => SQLITE.run(&pool).await?,
            Backend::Postgres => POSTGRES.run(&pool).await?,
        }
        Ok(Db {
            pool,
            backend,
            writer: Default::default(),
        })
    }

    /// Takes the write turn: in-process first, then the database's lock (`BEGIN IMMEDIATE` on
    /// SQLite, an advisory lock on PostgreSQL), so two writers never both append after the same
    /// audit head.
    pub(crate) async fn begin(&self) -> Result<WriteTx> {
        let turn = self.writer.clone().lock_owned().await;
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                tx
            }
        };
        Ok(WriteTx { tx, _turn: turn })
    }

    #[cfg(test)]
    pub(crate) fn migration_versions() -> (Vec<i64>, Vec<i64>) {
        (
            SQLITE.iter().map(|m| m.version).collect(),
            POSTGRES.iter().map(|m| m.version).collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_migrations() {
        let (s, p) = Db::migration_versions();
        assert_eq!(s, p);
    }
}
