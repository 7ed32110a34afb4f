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
