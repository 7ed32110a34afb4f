//! `audit verify`: the chain recomputed, the projections rebuilt from the journal into a
//! scratch database and compared row by row with the live ones.

use crate::read::{ENTRY_COLUMNS, entry_from_row};
use crate::write::{touch, upsert_all};
use crate::{Result, Store};
use sqlx::Row;
use tagtrail_domain::journal::verify_link;
use tagtrail_domain::records::TABLES;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: i64,
    pub rows: i64,
    /// The first disagreement found, if any.
    pub problem: Option<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problem.is_none()
    }
}

const BATCH: i64 = 1000;
const ENTRY_BATCH: i64 = 20;

/// Verifies `live`, rebuilding into a fresh SQLite file at `scratch_path`.
pub async fn verify(live: &Store, scratch_path: &std::path::Path) -> Result<VerifyReport> {
    let _ = std::fs::remove_file(scratch_path);
    let scratch = Store::open_scratch(scratch_path).await?;
    let mut report = VerifyReport {
        entries: 0,
        rows: 0,
        problem: None,
    };

    // 1. The chain, and the rebuild, entry by entry in sequence order.
    let mut prev: Option<(i64, String)> = None;
    let mut after = 0i64;
    // Entries can be large (a bulk import carries thousands of after-images), so the chain is
    // read a few entries at a time to keep memory flat.
    'chain: loop {
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM journal WHERE seq > $1 ORDER BY seq LIMIT {ENTRY_BATCH}"
        ))
        .bind(after)
        .fetch_all(&live.pool)
        .await?;
        if rows.is_empty() {
            break;
        }
        let mut tx = scratch.pool.begin().await?;
        for row in &rows {
            let entry = match entry_from_row(row) {
                Ok(e) => e,
                Err(e) => {
                    let seq: i64 = row.try_get("seq").unwrap_or(-1);
                    report.problem = Some(format!("journal entry {seq} cannot be read: {e}"));
                    break 'chain;
                }
            };
            if let Err(e) = verify_link(prev.as_ref().map(|(s, h)| (*s, h.as_str())), &entry) {
                report.problem = Some(format!("hash chain broken at {e}"));
                break 'chain;
            }
            upsert_all(&mut tx, &entry.body.changes).await?;
            touch(&mut tx, &entry).await?;
            report.entries += 1;
            after = entry.seq;
            prev = Some((entry.seq, entry.hash));
        }
        tx.commit().await?;
    }

    // 2. Every projection row, live against rebuilt, in id order.
    if report.problem.is_none() {
        'tables: for table in TABLES {
            let mut after_id = i64::MIN;
            loop {
                let sql = format!(
                    "SELECT id, license_number, active, last_modified, lookup, status, data FROM {table} WHERE id > $1 ORDER BY id LIMIT {BATCH}"
                );
                let a = sqlx::query(&sql)
                    .bind(after_id)
                    .fetch_all(&live.pool)
                    .await?;
                let b = sqlx::query(&sql)
                    .bind(after_id)
                    .fetch_all(&scratch.pool)
                    .await?;
                for i in 0..a.len().max(b.len()) {
                    let ra = a.get(i).map(row_tuple).transpose()?;
                    let rb = b.get(i).map(row_tuple).transpose()?;
                    if ra != rb {
                        let id = ra.as_ref().or(rb.as_ref()).map(|r| r.0).unwrap_or_default();
                        report.problem = Some(match (ra, rb) {
                            (Some(_), None) => format!(
                                "{table} row {id} exists live but no journal entry creates it"
                            ),
                            (None, Some(_)) => {
                                format!("{table} row {id} is in the journal but missing live")
                            }
                            _ => format!("{table} row {id} differs from what the journal says"),
                        });
                        break 'tables;
                    }
                    report.rows += 1;
                }
                match a.last() {
                    Some(r) if a.len() as i64 == BATCH && b.len() as i64 == BATCH => {
                        after_id = r.try_get("id")?
                    }
                    _ => break,
                }
            }
        }
    }
    // 3. The touch index, live against rebuilt, a range of entries at a time.
    if report.problem.is_none() {
        let key = |r: &sqlx::any::AnyRow| -> Result<(String, i64, i64)> {
            Ok((
                r.try_get("table_name")?,
                r.try_get("row_id")?,
                r.try_get("seq")?,
            ))
        };
        let mut from = 0i64;
        'touches: while from <= after {
            let to = from + ENTRY_BATCH;
            let sql = "SELECT table_name, row_id, seq FROM journal_touches WHERE seq >= $1 AND seq < $2 ORDER BY seq, table_name, row_id";
            let a = sqlx::query(sql)
                .bind(from)
                .bind(to)
                .fetch_all(&live.pool)
                .await?;
            let b = sqlx::query(sql)
                .bind(from)
                .bind(to)
                .fetch_all(&scratch.pool)
                .await?;
            for i in 0..a.len().max(b.len()) {
                let (x, y) = (
                    a.get(i).map(key).transpose()?,
                    b.get(i).map(key).transpose()?,
                );
                if x != y {
                    let seq = x.as_ref().or(y.as_ref()).map(|t| t.2).unwrap_or_default();
                    report.problem = Some(format!(
                        "journal_touches disagrees with the journal at entry {seq}"
                    ));
                    break 'touches;
                }
            }
            from = to;
        }
    }

    // 4. Every certificate the projections name is stored, and its bytes still hash to its name.
    if report.problem.is_none() {
        let docs = sqlx::query("SELECT id, status FROM lab_documents ORDER BY id")
            .fetch_all(&live.pool)
            .await?;
        for d in docs {
            let id: i64 = d.try_get("id")?;
            let sha: Option<String> = d.try_get("status")?;
            let sha = sha.unwrap_or_default();
            match live.document(&sha).await? {
                None => {
                    report.problem =
                        Some(format!("lab_documents row {id}: document {sha} is missing"));
                    break;
                }
                Some(bytes) => {
                    use sha2::{Digest, Sha256};
                    if hex::encode(Sha256::digest(&bytes)) != sha {
                        report.problem = Some(format!(
                            "lab_documents row {id}: document {sha} does not match its hash"
                        ));
                        break;
                    }
                }
            }
        }
    }
    scratch.close().await;
    let _ = std::fs::remove_file(scratch_path);
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", scratch_path.display()));
    }
    Ok(report)
}

type RowTuple = (
    i64,
    Option<String>,
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
);

fn row_tuple(r: &sqlx::any::AnyRow) -> Result<RowTuple> {
    Ok((
        r.try_get("id")?,
        r.try_get("license_number")?,
        r.try_get("active")?,
        r.try_get("last_modified")?,
        r.try_get("lookup")?,
        r.try_get("status")?,
        r.try_get("data")?,
    ))
}
