//! `audit verify`: the chain recomputed, the projections rebuilt from the journal into a
//! scratch database and compared row by row, column by column, with the live ones; the touch
//! index likewise; every stored certificate re-hashed.
//!
//! Everything live is read inside one read transaction, a single consistent snapshot of the
//! database (SQLite's WAL snapshot; PostgreSQL's `REPEATABLE READ`), so a server writing while
//! the audit runs never shows up as a false difference.

use crate::open::Backend;
use crate::projection::{Column, Kind, Table, tables, tier, tiers};
use crate::read::{ENTRY_COLUMNS, entry_from_row};
use crate::write::{touch, upsert_all};
use crate::{Result, Store};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};
use tagtrail_domain::journal::verify_link;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: i64,
    pub rows: i64,
    /// The hash of the newest entry verified (the chain head of the snapshot), if any.
    pub head: Option<(i64, String)>,
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

/// One read transaction over `store`: every statement in it sees the same snapshot.
pub(crate) async fn snapshot(store: &Store) -> Result<Transaction<'static, Any>> {
    let mut tx = match store.backend {
        Backend::Postgres => {
            store
                .pool
                .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?
        }
        Backend::Sqlite => store.pool.begin().await?,
    };
    // SQLite fixes a deferred transaction's snapshot at its first read.
    sqlx::query("SELECT COUNT(*) AS n FROM journal WHERE seq < 0")
        .fetch_one(&mut *tx)
        .await?;
    Ok(tx)
}

/// The columns compared for `t`, each as text so both backends answer alike (a NUMERIC as its
/// digits, JSONB as JSON text, which is compared parsed).
/// What is compared of a physical table: a projection table (or its history tier), or the keys
/// table of a tiered one (its id, license and key columns).
enum Layout {
    Rows(&'static Table),
    Keys(&'static [Column]),
}

/// Every physical projection table, the history tiers and keys tables included (rule 72: a row
/// in the wrong tier is a difference too).
fn physical() -> Vec<(&'static str, Layout)> {
    let mut out = Vec::new();
    for t in tables() {
        for name in tiers(t) {
            out.push((name, Layout::Rows(t)));
        }
        if let Some(h) = tier(t) {
            out.push((h.keys, Layout::Keys(h.key_columns)));
        }
    }
    out
}

fn select_list(l: &Layout) -> String {
    match l {
        Layout::Rows(t) => {
            let mut cols: Vec<String> = ["license_number", "active", "last_modified", "schema"]
                .iter()
                .map(|c| format!("CAST({c} AS TEXT) AS {c}"))
                .collect();
            for (c, _) in t.columns {
                cols.push(format!("CAST({0} AS TEXT) AS {0}", c.name()));
            }
            format!("id, CAST(data AS TEXT) AS data, {}", cols.join(", "))
        }
        Layout::Keys(keys) => {
            let mut cols = vec![
                "id".to_string(),
                "CAST(license_number AS TEXT) AS license_number".into(),
            ];
            cols.extend(
                keys.iter()
                    .map(|c| format!("CAST({0} AS TEXT) AS {0}", c.name())),
            );
            cols.join(", ")
        }
    }
}

/// A row as compared: its id, its columns as text, and its record parsed.
type Compared = (i64, Vec<Option<String>>, serde_json::Value);

fn compared(l: &Layout, r: &AnyRow) -> Result<Compared> {
    let t = match l {
        Layout::Rows(t) => t,
        Layout::Keys(keys) => {
            let mut cols = vec![r.try_get::<Option<String>, _>("license_number")?];
            for c in keys.iter() {
                cols.push(r.try_get::<Option<String>, _>(c.name())?);
            }
            return Ok((r.try_get("id")?, cols, serde_json::Value::Null));
        }
    };
    let mut cols = Vec::new();
    for c in ["license_number", "active", "last_modified", "schema"] {
        cols.push(r.try_get::<Option<String>, _>(c)?);
    }
    for (c, kind) in t.columns {
        let v: Option<String> = r.try_get(c.name())?;
        // SQLite may hand an integer column's text back as written; normalize integers.
        let v = match kind {
            Kind::Int | Kind::Bool => v.map(|s| s.trim().to_string()),
            _ => v,
        };
        cols.push(v);
    }
    let data: String = r.try_get("data")?;
    let data = crate::packing::unpack(&data)?;
    Ok((r.try_get("id")?, cols, serde_json::from_str(&data)?))
}

/// Verifies `live`, rebuilding into a fresh SQLite file at `scratch_path`.
pub async fn verify(live: &Store, scratch_path: &std::path::Path) -> Result<VerifyReport> {
    let mut snap = snapshot(live).await?;
    let report = verify_on(&mut snap, scratch_path).await;
    snap.rollback().await?;
    report
}

/// Verifies what `live` sees: a read snapshot for `audit verify`, or the write transaction of a
/// restore, which must verify what it wrote before it commits.
pub(crate) async fn verify_on(
    live: &mut AnyConnection,
    scratch_path: &std::path::Path,
) -> Result<VerifyReport> {
    let _ = std::fs::remove_file(scratch_path);
    let scratch = Store::open_scratch(scratch_path).await?;
    let report = compare(live, &scratch).await;
    scratch.close().await;
    let _ = std::fs::remove_file(scratch_path);
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", scratch_path.display()));
    }
    report
}

async fn compare(snap: &mut AnyConnection, scratch: &Store) -> Result<VerifyReport> {
    let mut report = VerifyReport {
        entries: 0,
        rows: 0,
        head: None,
        problem: None,
    };

    // 1. The chain, and the rebuild, entry by entry in sequence order. Entries can be large (a
    // bulk import carries thousands of after-images), so the chain is read a few entries at a
    // time to keep memory flat.
    let mut prev: Option<(i64, String)> = None;
    let mut after = 0i64;
    'chain: loop {
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM journal WHERE seq > $1 ORDER BY seq LIMIT {ENTRY_BATCH}"
        ))
        .bind(after)
        .fetch_all(&mut *snap)
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
            if let Err(e) = upsert_all(&mut tx, Backend::Sqlite, &entry.body.changes).await {
                report.problem = Some(format!(
                    "journal entry {} cannot be projected: {e}",
                    entry.seq
                ));
                break 'chain;
            }
            touch(&mut tx, &entry).await?;
            crate::feed::record(&mut tx, &entry).await?;
            report.entries += 1;
            after = entry.seq;
            prev = Some((entry.seq, entry.hash));
        }
        tx.commit().await?;
    }
    report.head = prev;

    // 2. Every projection row, live against rebuilt, in id order.
    if report.problem.is_none() {
        'tables: for (table, t) in physical() {
            let mut after_id = i64::MIN;
            let sql = format!(
                "SELECT {} FROM {table} WHERE id > $1 ORDER BY id LIMIT {BATCH}",
                select_list(&t),
            );
            loop {
                let a = sqlx::query(&sql)
                    .bind(after_id)
                    .fetch_all(&mut *snap)
                    .await?;
                let b = sqlx::query(&sql)
                    .bind(after_id)
                    .fetch_all(&scratch.pool)
                    .await?;
                for i in 0..a.len().max(b.len()) {
                    let ra = a.get(i).map(|r| compared(&t, r)).transpose()?;
                    let rb = b.get(i).map(|r| compared(&t, r)).transpose()?;
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
        let key = |r: &AnyRow| -> Result<(String, i64, i64)> {
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
                .fetch_all(&mut *snap)
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

    // 3b. The change feed, live against rebuilt, likewise.
    if report.problem.is_none() {
        let mut from = 0i64;
        while from <= after {
            let to = from + ENTRY_BATCH;
            let a = crate::feed::rows_between(&mut *snap, from, to).await?;
            let mut conn = scratch.pool.acquire().await?;
            let b = crate::feed::rows_between(&mut conn, from, to).await?;
            if let Some(i) = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)) {
                let seq = a.get(i).or(b.get(i)).map(|r| r.0).unwrap_or_default();
                report.problem = Some(format!(
                    "change_feed disagrees with the journal at entry {seq}"
                ));
                break;
            }
            from = to;
        }
    }

    // 4. Every certificate the projections name is stored, and its bytes still hash to its name.
    if report.problem.is_none() {
        let docs = sqlx::query("SELECT id, sha256 FROM lab_documents ORDER BY id")
            .fetch_all(&mut *snap)
            .await?;
        for d in docs {
            let id: i64 = d.try_get("id")?;
            let sha: String = d.try_get("sha256")?;
            let bytes = sqlx::query("SELECT content FROM document_blobs WHERE sha256 = $1")
                .bind(sha.clone())
                .fetch_optional(&mut *snap)
                .await?
                .map(|r| r.try_get::<Vec<u8>, _>("content"))
                .transpose()?;
            match bytes {
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
    Ok(report)
}
