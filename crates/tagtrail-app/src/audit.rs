//! The operator's audit and upkeep of the store: `audit verify`, maintenance, scratch databases
//! for tests and benchmarks, and the raw write rate the bench compares the ledger with.

use crate::{AppResult, Ledger};
pub use tagtrail_store::VerifyReport;

impl Ledger {
    /// Recomputes the hash chain and rebuilds every projection from the journal into a scratch
    /// SQLite file at `scratch`, comparing row by row, all from one consistent snapshot.
    pub async fn verify(&self, scratch: &std::path::Path) -> AppResult<VerifyReport> {
        Ok(tagtrail_store::verify(&self.store, scratch).await?)
    }

    /// Refreshes planner statistics (`VACUUM (ANALYZE)` / `PRAGMA optimize`).
    pub async fn maintain(&self) -> AppResult<()> {
        Ok(self.store.maintain().await?)
    }

    /// How many entries the journal holds.
    pub async fn journal_len(&self) -> AppResult<i64> {
        Ok(self.store.journal_len().await?)
    }

    /// The database's own floor for the ledger's write pattern: single-row transactions into a
    /// scratch table, for `seconds`. Returns (rows, elapsed seconds).
    pub async fn raw_insert_rate(&self, data: &str, seconds: u64) -> AppResult<(u64, f64)> {
        Ok(tagtrail_store::scratch::raw_insert_rate(&self.store, data, seconds).await?)
    }
}

/// Creates a new, empty PostgreSQL database named `prefix_<random>` on the server at
/// `admin_url` and returns its URL (tests and benchmarks get one each).
pub async fn create_postgres_database(admin_url: &str, prefix: &str) -> AppResult<String> {
    Ok(tagtrail_store::scratch::create_postgres_database(admin_url, prefix).await?)
}
