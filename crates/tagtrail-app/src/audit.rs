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

    /// For `tagtrail bench` only: adds `count` finished copies of `template` (new ids and
    /// labels of a tag shipment of its own) to the history tier of its license, outside the
    /// journal, `batch` to a transaction. The database no longer passes `audit verify` afterwards: the bench's own
    /// scratch database only. Returns how many were added.
    pub async fn bench_add_finished_history(
        &self,
        template: &tagtrail_domain::records::Package,
        count: u64,
        batch: u64,
    ) -> AppResult<u64> {
        use tagtrail_domain::records::{PackageState, Record};
        let mut added = 0;
        while added < count {
            let mut tx = self.store.begin().await?;
            let first = tx.next_id::<tagtrail_domain::records::Package>().await?;
            drop(tx);
            let n = batch.min(count - added);
            let mut changes = Vec::with_capacity(n as usize);
            for i in 0..n as i64 {
                let mut p = template.clone();
                p.id = first + i;
                // A shipment of its own (prefix 0x0041_574F_5259): no real tag can collide.
                p.label = tagtrail_domain::tag::TagLabel::issue(0x0041_574F_5259, p.id as u32);
                p.state = PackageState::Finished;
                p.active = false;
                p.quantity = rust_decimal::Decimal::ZERO;
                p.finished_date = Some(p.last_modified.chars().take(10).collect());
                changes.push(p.to_change());
            }
            self.store.project_outside_journal(&changes).await?;
            added += n;
        }
        Ok(added)
    }
}

/// Creates a new, empty PostgreSQL database named `prefix_<random>` on the server at
/// `admin_url` and returns its URL (tests and benchmarks get one each).
pub async fn create_postgres_database(admin_url: &str, prefix: &str) -> AppResult<String> {
    Ok(tagtrail_store::scratch::create_postgres_database(admin_url, prefix).await?)
}
