//! Signed checkpoints of the journal head and the public keys that signed them: stored to be
//! published, never trusted from here (an inspector checks them against a key held elsewhere).
//! Both tables are append-only, refused UPDATE and DELETE by triggers like the journal.
//!
//! A checkpoint is not a regulated action and is not journaled: it is a statement about the
//! journal, and journaling it would move the head it signs.

use crate::read::{ENTRY_COLUMNS, entry_from_row};
use crate::{Page, Result, Store};
use sqlx::Row;
use sqlx::any::AnyRow;
use tagtrail_domain::checkpoint::Checkpoint;
use tagtrail_domain::journal::Entry;

const CHECKPOINT_COLUMNS: &str = "seq, hash, recorded_at, signed_at, key_id, signature";

/// Look-ups per statement when reading many entries' hashes: far below every backend's limit on
/// parameters.
const SEQS_PER_STATEMENT: usize = 500;

fn checkpoint_from_row(r: &AnyRow) -> Result<Checkpoint> {
    Ok(Checkpoint {
        seq: r.try_get("seq")?,
        hash: r.try_get("hash")?,
        recorded_at: r.try_get("recorded_at")?,
        signed_at: r.try_get("signed_at")?,
        key_id: r.try_get("key_id")?,
        signature: r.try_get("signature")?,
    })
}

impl Store {
    /// Records a public key (hex) under its id, once; the same key again is a no-op.
    pub async fn checkpoint_key_put(
        &self,
        key_id: &str,
        public_key: &str,
        added_at: &str,
    ) -> Result<()> {
        sqlx::query("INSERT INTO checkpoint_keys (key_id, public_key, added_at) VALUES ($1, $2, $3) ON CONFLICT (key_id) DO NOTHING")
            .bind(key_id.to_string())
            .bind(public_key.to_string())
            .bind(added_at.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every recorded public key as (key id, hex), oldest first.
    pub async fn checkpoint_keys(&self) -> Result<Vec<(String, String)>> {
        let rows =
            sqlx::query("SELECT key_id, public_key FROM checkpoint_keys ORDER BY added_at, key_id")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("key_id")?, r.try_get("public_key")?)))
            .collect()
    }

    /// Appends `cp`. Returns false, writing nothing, when a checkpoint at its `seq` exists
    /// already (another signer got there first); its key must be recorded first.
    pub async fn checkpoint_append(&self, cp: &Checkpoint) -> Result<bool> {
        let done = sqlx::query(&format!(
            "INSERT INTO checkpoints ({CHECKPOINT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (seq) DO NOTHING"
        ))
        .bind(cp.seq)
        .bind(cp.hash.clone())
        .bind(cp.recorded_at.clone())
        .bind(cp.signed_at.clone())
        .bind(cp.key_id.clone())
        .bind(cp.signature.clone())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The checkpoint with the highest `seq`, if any.
    pub async fn checkpoint_latest(&self) -> Result<Option<Checkpoint>> {
        let row = sqlx::query(&format!(
            "SELECT {CHECKPOINT_COLUMNS} FROM checkpoints ORDER BY seq DESC LIMIT 1"
        ))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(checkpoint_from_row).transpose()
    }

    /// Checkpoints by `seq`, newest first or oldest first, paged (1-based page, size) or all.
    pub async fn checkpoints(
        &self,
        page: Option<(u32, u32)>,
        newest_first: bool,
    ) -> Result<Page<Checkpoint>> {
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM checkpoints")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        let order = if newest_first { "DESC" } else { "ASC" };
        let mut sql = format!("SELECT {CHECKPOINT_COLUMNS} FROM checkpoints ORDER BY seq {order}");
        if let Some((page, size)) = page {
            sql.push_str(&format!(
                " LIMIT {} OFFSET {}",
                size,
                u64::from(page.saturating_sub(1)) * u64::from(size)
            ));
        }
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        Ok(Page {
            total,
            rows: rows
                .iter()
                .map(checkpoint_from_row)
                .collect::<Result<_>>()?,
        })
    }

    /// The hash and time of journal entry `seq`, if it exists.
    pub async fn journal_hash_at(&self, seq: i64) -> Result<Option<(String, String)>> {
        Ok(self
            .journal_hashes_at(&[seq])
            .await?
            .into_iter()
            .next()
            .map(|(_, hash, at)| (hash, at)))
    }

    /// (seq, hash, recorded_at) of each journal entry among `seqs` that exists, by `seq`.
    pub async fn journal_hashes_at(&self, seqs: &[i64]) -> Result<Vec<(i64, String, String)>> {
        let mut out = Vec::with_capacity(seqs.len());
        let mut conn = self.pool.acquire().await?;
        for chunk in seqs.chunks(SEQS_PER_STATEMENT) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT seq, hash, recorded_at FROM journal WHERE seq IN ({}) ORDER BY seq",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for s in chunk {
                q = q.bind(*s);
            }
            for r in q.fetch_all(&mut *conn).await? {
                out.push((
                    r.try_get("seq")?,
                    r.try_get("hash")?,
                    r.try_get("recorded_at")?,
                ));
            }
        }
        out.sort_by_key(|(s, _, _)| *s);
        Ok(out)
    }

    /// Up to `limit` journal entries after `after` (a sequence number), oldest first: the entries
    /// a signer checks link onto its last checkpoint before it signs a newer head.
    pub async fn journal_after(&self, after: i64, limit: u32) -> Result<Vec<Entry>> {
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM journal WHERE seq > $1 ORDER BY seq LIMIT {limit}"
        ))
        .bind(after)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }
}
