//! Synthetic history for `tagtrail bench` only: records projected straight into their tables,
//! outside the journal. The bench measures reads and writes beside millions of finished records
//! (rule 72's history tier), which through the journal would take hours to make; a database
//! this has touched no longer passes `audit verify` (the journal does not explain those rows),
//! so the bench uses it on its own scratch database only.

use crate::write::upsert_all;
use crate::{Result, Store};
use tagtrail_domain::journal::Change;

impl Store {
    /// Projects `changes` as one journal entry's would be (tiers, keys, constraints), in one
    /// transaction under the writer's turn, without a journal entry. For the bench only.
    pub async fn project_outside_journal(&self, changes: &[Change]) -> Result<()> {
        let _turn = self.turn().await?;
        let mut tx = self.pool.begin().await?;
        upsert_all(&mut tx, self.backend, changes).await?;
        tx.commit().await?;
        Ok(())
    }
}
