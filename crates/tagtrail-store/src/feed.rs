//! The change feed: for each license, which rows each journal entry changed, in journal order,
//! so an integrator can follow a license's records by a cursor instead of `lastModified` windows.
//!
//! `change_feed (license_number, seq, ordinal, table_name, row_id)` is derived from the journal
//! like `journal_touches`: written in the same transaction as each entry ([`record`], called by
//! `WriteTx::append` and by restore), rebuilt and compared by `audit verify`, and refilled when a
//! database opens behind its journal (the migration that created it, on a ledger with history).
//!
//! A row's `ordinal` is its place among the distinct rows its entry changed (first appearance
//! order, as `journal_touches` counts them), the same for every license that sees it; so
//! `(seq, ordinal)` orders a license's feed totally and a cursor at one item never skips or
//! repeats, even when a page ends inside an entry. Entries commit in `seq` order under the write
//! turn, so a reader that sees an entry sees every earlier one: the feed only ever grows at its
//! end.

use crate::projection::{Column, Row as Projected, Val, project, table};
use crate::read::{ENTRY_COLUMNS, entry_from_row};
use crate::{Result, Store, StoreError};
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};
use tagtrail_domain::journal::Entry;
use tagtrail_domain::records::Record;

/// Rows per multi-row INSERT (5 parameters each).
const ROWS_PER_STATEMENT: usize = 100;

/// Entries read at a time when refilling the feed from the journal.
const REFILL_BATCH: i64 = 50;

/// A position in a license's change feed: just after the row `ordinal` of entry `seq`, or after
/// all of entry `seq` when `ordinal` is `None` (the start is `0`).
///
/// Written `SEQ.ORDINAL` (`"1234.0"`) or `SEQ` (`"1234"`: after that whole entry, which lets a
/// consumer start from a journal sequence number it already has).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FeedCursor {
    pub seq: i64,
    pub ordinal: Option<i64>,
}

impl FeedCursor {
    /// The start of every feed.
    pub const START: FeedCursor = FeedCursor {
        seq: 0,
        ordinal: None,
    };

    /// The cursor just after one item.
    pub fn at(seq: i64, ordinal: i64) -> FeedCursor {
        FeedCursor {
            seq,
            ordinal: Some(ordinal),
        }
    }

    /// Reads `SEQ` or `SEQ.ORDINAL` (non-negative decimal integers); `None` for anything else.
    pub fn parse(s: &str) -> Option<FeedCursor> {
        fn number(s: &str) -> Option<i64> {
            if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        }
        let s = s.trim();
        match s.split_once('.') {
            None => Some(FeedCursor {
                seq: number(s)?,
                ordinal: None,
            }),
            Some((seq, ordinal)) => Some(FeedCursor::at(number(seq)?, number(ordinal)?)),
        }
    }
}

impl std::fmt::Display for FeedCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.ordinal {
            Some(o) => write!(f, "{}.{o}", self.seq),
            None => write!(f, "{}", self.seq),
        }
    }
}

/// One item of a license's change feed: a row as one entry left it.
#[derive(Debug, Clone)]
pub struct FeedRow {
    pub seq: i64,
    pub ordinal: i64,
    pub license_number: String,
    /// The projection table (`Record::TABLE`).
    pub table: String,
    pub row_id: i64,
    /// When the entry was recorded.
    pub recorded_at: String,
    /// Whether this entry is the first to touch the row (no earlier entry changed it).
    pub created: bool,
    /// The row's `active` flag as this entry left it.
    pub active: bool,
    /// The record as this entry left it (the entry's after-image, decoded and upcast to the
    /// current shape), as JSON.
    data: String,
}

impl FeedRow {
    /// The cursor just after this item.
    pub fn cursor(&self) -> FeedCursor {
        FeedCursor::at(self.seq, self.ordinal)
    }

    /// The record as this entry left it. `R` must be the record type of [`FeedRow::table`].
    pub fn record<R: Record>(&self) -> Result<R> {
        if R::TABLE != self.table {
            return Err(StoreError::Corrupt(format!(
                "feed item {} is a {} row, not {}",
                self.cursor(),
                self.table,
                R::TABLE
            )));
        }
        Ok(serde_json::from_str(&self.data)?)
    }
}

/// The licenses whose feed shows `row` of `table`: its own license, and for a manifest (not a
/// template, which only its shipper sees) the recipient and the transporter, who read it over
/// the API too.
fn parties(table_name: &str, row: &Projected) -> Result<Vec<String>> {
    let t = table(table_name)?;
    let mut out: Vec<String> = row.license_number.iter().cloned().collect();
    let typed = |c: Column| {
        t.columns
            .iter()
            .position(|(x, _)| *x == c)
            .and_then(|i| row.typed.get(i))
    };
    let template = matches!(typed(Column::State), Some(Val::Text(Some(s))) if s == "Template");
    if !template {
        for c in [Column::RecipientLicense, Column::TransporterLicense] {
            if let Some(Val::Text(Some(l))) = typed(c)
                && !l.is_empty()
                && !out.contains(l)
            {
                out.push(l.clone());
            }
        }
    }
    Ok(out)
}

/// One feed row to write.
struct Item {
    license: String,
    ordinal: i64,
    table: &'static str,
    row_id: i64,
}

/// The feed rows of `entry`: each distinct row it changed, numbered in first-appearance order,
/// for each license that sees the row as the entry's last after-image of it leaves it.
fn items(entry: &Entry) -> Result<Vec<Item>> {
    let changes = &entry.body.changes;
    let mut last: HashMap<(&str, i64), usize> = HashMap::new();
    for (i, c) in changes.iter().enumerate() {
        last.insert((c.table.as_str(), c.id), i);
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut ordinal = 0i64;
    for c in changes {
        if !seen.insert((c.table.as_str(), c.id)) {
            continue;
        }
        let t = table(&c.table)?;
        let image = &changes[last[&(c.table.as_str(), c.id)]];
        let row = project(&image.table, image.schema, &image.data)?;
        for license in parties(t.name, &row)? {
            out.push(Item {
                license,
                ordinal,
                table: t.name,
                row_id: c.id,
            });
        }
        ordinal += 1;
    }
    Ok(out)
}

/// Writes `entry`'s feed rows (in the entry's transaction).
pub(crate) async fn record(conn: &mut AnyConnection, entry: &Entry) -> Result<()> {
    let items = items(entry)?;
    for chunk in items.chunks(ROWS_PER_STATEMENT) {
        let marks: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 5;
                format!(
                    "(${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO change_feed (license_number, seq, ordinal, table_name, row_id) VALUES {}",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for it in chunk {
            q = q
                .bind(it.license.clone())
                .bind(entry.seq)
                .bind(it.ordinal)
                .bind(it.table.to_string())
                .bind(it.row_id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes the feed rows of every entry after the feed's last one (a database migrated to the
/// feed with history already in its journal). Entries that give no feed rows (records of no
/// license) are re-read and give none again, so this is idempotent. Returns the entries read.
pub(crate) async fn refill(conn: &mut AnyConnection) -> Result<i64> {
    let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS s FROM change_feed")
        .fetch_one(&mut *conn)
        .await?;
    let mut after: i64 = row.try_get("s")?;
    let mut n = 0;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM journal WHERE seq > $1 ORDER BY seq LIMIT {REFILL_BATCH}"
        ))
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
        if rows.is_empty() {
            return Ok(n);
        }
        for row in &rows {
            let entry = entry_from_row(row)?;
            record(conn, &entry).await?;
            after = entry.seq;
            n += 1;
        }
    }
}

/// The feed's rows of entries `from..to` (by seq), ordered, for `audit verify` to compare.
pub(crate) async fn rows_between(
    conn: &mut AnyConnection,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT seq, ordinal, license_number, table_name, row_id FROM change_feed \
         WHERE seq >= $1 AND seq < $2 ORDER BY seq, ordinal, license_number",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("seq")?,
                r.try_get("ordinal")?,
                r.try_get("license_number")?,
                r.try_get("table_name")?,
                r.try_get("row_id")?,
            ))
        })
        .collect()
}

impl Store {
    /// Up to `limit` items of `license`'s change feed after `after`, in order, each with the
    /// record as its entry left it.
    pub async fn changes(
        &self,
        license: &str,
        after: FeedCursor,
        limit: u32,
    ) -> Result<Vec<FeedRow>> {
        if license.contains('\0') || limit == 0 {
            return Ok(vec![]);
        }
        let mut conn = self.pool.acquire().await?;
        // `created`: no earlier entry touched the row (an index look-up in journal_touches).
        let rows = sqlx::query(&format!(
            "SELECT f.seq, f.ordinal, f.table_name, f.row_id, \
             CASE WHEN EXISTS (SELECT 1 FROM journal_touches t WHERE t.table_name = f.table_name \
             AND t.row_id = f.row_id AND t.seq < f.seq) THEN 0 ELSE 1 END AS created \
             FROM change_feed f WHERE f.license_number = $1 \
             AND (f.seq > $2 OR (f.seq = $2 AND f.ordinal > $3)) \
             ORDER BY f.seq, f.ordinal LIMIT {limit}"
        ))
        .bind(license.to_string())
        .bind(after.seq)
        .bind(after.ordinal.unwrap_or(i64::MAX))
        .fetch_all(&mut *conn)
        .await?;
        let mut seqs: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get::<i64, _>("seq"))
            .collect::<std::result::Result<_, _>>()?;
        seqs.dedup();
        // The entries, each read once however many of its rows the page holds.
        let mut entries: HashMap<i64, Entry> = HashMap::new();
        for chunk in seqs.chunks(100) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {ENTRY_COLUMNS} FROM journal WHERE seq IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for s in chunk {
                q = q.bind(*s);
            }
            for r in q.fetch_all(&mut *conn).await? {
                let e = entry_from_row(&r)?;
                entries.insert(e.seq, e);
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let seq: i64 = r.try_get("seq")?;
            let table_name: String = r.try_get("table_name")?;
            let row_id: i64 = r.try_get("row_id")?;
            let entry = entries
                .get(&seq)
                .ok_or_else(|| StoreError::Corrupt(format!("change feed names entry {seq}")))?;
            let image = entry
                .body
                .changes
                .iter()
                .rev()
                .find(|c| {
                    c.id == row_id && table(&c.table).map(|t| t.name == table_name).unwrap_or(false)
                })
                .ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "change feed names {table_name} row {row_id} in entry {seq}, which does not change it"
                    ))
                })?;
            let projected = project(&image.table, image.schema, &image.data)?;
            out.push(FeedRow {
                seq,
                ordinal: r.try_get("ordinal")?,
                license_number: license.to_string(),
                table: table_name,
                row_id,
                recorded_at: entry.body.recorded_at.clone(),
                created: r.try_get::<i64, _>("created")? != 0,
                active: projected.active,
                data: projected.data,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_and_write_back() {
        assert_eq!(FeedCursor::parse("0"), Some(FeedCursor::START));
        assert_eq!(FeedCursor::parse("12.3"), Some(FeedCursor::at(12, 3)));
        assert_eq!(FeedCursor::at(12, 3).to_string(), "12.3");
        assert_eq!(
            FeedCursor::parse("12").map(|c| c.to_string()),
            Some("12".into())
        );
        for bad in [
            "",
            "-1",
            "1.",
            ".1",
            "1.2.3",
            "x",
            "1e3",
            "99999999999999999999",
        ] {
            assert_eq!(FeedCursor::parse(bad), None, "{bad:?}");
        }
    }
}
