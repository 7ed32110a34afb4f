//! Throw-away databases for tests and benchmarks: a fresh PostgreSQL database per run, created
//! through a server URL such as `postgres://postgres@127.0.0.1:5432/postgres`.

use crate::Result;
use sqlx::Executor;
use sqlx::any::install_default_drivers;

/// Creates a new, empty database named `prefix_<random>` on the server at `admin_url` and
/// returns its URL.
pub async fn create_postgres_database(admin_url: &str, prefix: &str) -> Result<String> {
    install_default_drivers();
    let name = format!("{prefix}_{}", unique_suffix());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(admin_url).await?;
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    Ok(format!("{base}/{name}"))
}

fn unique_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{:x}{:x}{n}", nanos, std::process::id())
}

/// The database's own floor for the ledger's write pattern: `seconds` of single-row
/// transactions inserting `data` into a scratch table shaped like a projection table, on the
/// same pool (so the same durability settings). Returns (rows, elapsed seconds). The table is
/// dropped afterwards; nothing journaled is touched.
pub async fn raw_insert_rate(store: &crate::Store, data: &str, seconds: u64) -> Result<(u64, f64)> {
    let pool = &store.pool;
    sqlx::query("DROP TABLE IF EXISTS bench_raw")
        .execute(pool)
        .await?;
    sqlx::query("CREATE TABLE bench_raw (id BIGINT PRIMARY KEY, license_number TEXT, active BIGINT NOT NULL, last_modified TEXT NOT NULL, lookup TEXT, status TEXT, data TEXT NOT NULL)")
        .execute(pool)
        .await?;
    let start = std::time::Instant::now();
    let deadline = start + std::time::Duration::from_secs(seconds);
    let mut n: i64 = 0;
    while std::time::Instant::now() < deadline {
        n += 1;
        let mut tx = pool.begin().await?;
        sqlx::query("INSERT INTO bench_raw (id, license_number, active, last_modified, lookup, status, data) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(n)
            .bind("BENCH".to_string())
            .bind(1i64)
            .bind(format!("{n:020}"))
            .bind(format!("L{n}"))
            .bind("Active".to_string())
            .bind(data.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    sqlx::query("DROP TABLE bench_raw").execute(pool).await?;
    Ok((n as u64, elapsed))
}
