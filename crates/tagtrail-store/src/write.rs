//! The write path: one transaction that holds the journal head, loads, appends and projects.

use crate::open::Backend;
use crate::read::{self, ENTRY_COLUMNS, ListQuery, Page, table_name};
use crate::{Result, Store};
use sqlx::{Any, AnyConnection, Row, Transaction};
use tagtrail_domain::journal::{Change, Draft, Entry, GENESIS_HASH};
use tagtrail_domain::records::Record;

/// Arbitrary constant naming the ledger's advisory lock on PostgreSQL.
const WRITE_LOCK_KEY: i64 = 0x7461_6774_7261_696c; // "tagtrail"

/// An open write transaction. It holds the only right to extend the journal until it is
/// committed or dropped (dropping rolls back: nothing half-written survives an error).
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    _turn: tokio::sync::OwnedMutexGuard<()>,
    head_seq: i64,
    head_hash: String,
}

impl Store {
    pub async fn begin(&self) -> Result<WriteTx> {
        let turn = self.writer.clone().lock_owned().await;
        let mut tx = match self.backend {
            // IMMEDIATE takes SQLite's write lock now, so two writers never both read the same
            // journal head and then race to append after it.
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
        let head = sqlx::query("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let (head_seq, head_hash) = match head {
            Some(row) => (
                row.try_get::<i64, _>("seq")?,
                row.try_get::<String, _>("hash")?,
            ),
            None => (0, GENESIS_HASH.to_string()),
        };
        Ok(WriteTx {
            tx,
            _turn: turn,
            head_seq,
            head_hash,
        })
    }

    /// The newest journal entry, if any.
    pub async fn head(&self) -> Result<Option<Entry>> {
        let row = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM journal ORDER BY seq DESC LIMIT 1"
        ))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(read::entry_from_row).transpose()
    }
}

/// Rows per multi-row INSERT: 7 parameters each keeps a statement well under every backend's
/// parameter limit.
const ROWS_PER_STATEMENT: usize = 100;

/// Applies after-images in multi-row upserts. Within one call only the last after-image of a
/// row matters (they are applied in order), so each table's changes are reduced to that first;
/// PostgreSQL also refuses a statement that upserts the same row twice.
pub(crate) async fn upsert_all(conn: &mut AnyConnection, changes: &[Change]) -> Result<()> {
    let mut by_table: std::collections::BTreeMap<&str, Vec<&Change>> =
        std::collections::BTreeMap::new();
    for c in changes {
        by_table.entry(c.table.as_str()).or_default().push(c);
    }
    for (table, rows) in by_table {
        let table = table_name(table)?;
        let mut last: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
        for (i, c) in rows.iter().enumerate() {
            last.insert(c.id, i);
        }
        let rows: Vec<&Change> = rows
            .iter()
            .enumerate()
            .filter(|(i, c)| last.get(&c.id) == Some(i))
            .map(|(_, c)| *c)
            .collect();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut sql = format!(
                "INSERT INTO {table} (id, license_number, active, last_modified, lookup, status, data) VALUES "
            );
            for i in 0..chunk.len() {
                let b = i * 7;
                sql.push_str(&format!(
                    "{}(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    if i > 0 { ", " } else { "" },
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7
                ));
            }
            sql.push_str(
                " ON CONFLICT (id) DO UPDATE SET license_number = excluded.license_number, active = excluded.active, \
                 last_modified = excluded.last_modified, lookup = excluded.lookup, status = excluded.status, data = excluded.data",
            );
            let mut q = sqlx::query(&sql);
            for c in chunk {
                q = q
                    .bind(c.id)
                    .bind(c.license_number.clone())
                    .bind(i64::from(c.active))
                    .bind(c.last_modified.clone())
                    .bind(c.lookup.clone())
                    .bind(c.status.clone())
                    .bind(serde_json::to_string(&c.data)?);
            }
            q.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// Records which rows `entry` changed (once per row, however many after-images it carries).
pub(crate) async fn touch(conn: &mut AnyConnection, entry: &Entry) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for c in &entry.body.changes {
        if seen.insert((c.table.as_str(), c.id)) {
            sqlx::query(
                "INSERT INTO journal_touches (table_name, row_id, seq) VALUES ($1, $2, $3)",
            )
            .bind(table_name(&c.table)?.to_string())
            .bind(c.id)
            .bind(entry.seq)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

impl WriteTx {
    fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// The id the next new record of type `R` gets. Safe because writes are serialized.
    pub async fn next_id<R: Record>(&mut self) -> Result<i64> {
        let table = table_name(R::TABLE)?;
        let row = sqlx::query(&format!(
            "SELECT COALESCE(MAX(id), 0) + 1 AS n FROM {table}"
        ))
        .fetch_one(self.conn())
        .await?;
        Ok(row.try_get("n")?)
    }

    pub async fn get<R: Record>(&mut self, id: i64) -> Result<Option<R>> {
        read::get(self.conn(), id).await
    }

    pub async fn list<R: Record>(&mut self, q: &ListQuery) -> Result<Page<R>> {
        read::list(self.conn(), q).await
    }

    pub async fn find_many<R: Record>(
        &mut self,
        license: Option<&str>,
        keys: &[String],
        active: Option<bool>,
    ) -> Result<Vec<R>> {
        read::find_many(self.conn(), license, keys, active).await
    }

    /// Seals `draft` onto the chain, stores it, and applies its changes to the projections.
    pub async fn append(&mut self, draft: Draft) -> Result<Entry> {
        let entry = Entry::seal(draft, self.head_seq + 1, &self.head_hash);
        let sql = format!(
            "INSERT INTO journal ({ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        );
        let b = &entry.body;
        sqlx::query(&sql)
            .bind(entry.seq)
            .bind(b.recorded_at.clone())
            .bind(b.license_number.clone())
            .bind(b.actor.employee_id)
            .bind(b.actor.vendor_key_id)
            .bind(serde_json::to_string(&b.actor)?)
            .bind(b.endpoint.clone())
            .bind(b.reason.clone())
            .bind(serde_json::to_string(&b.request)?)
            .bind(serde_json::to_string(&b.result_ids)?)
            .bind(serde_json::to_string(&b.changes)?)
            .bind(entry.prev_hash.clone())
            .bind(entry.hash.clone())
            .execute(&mut *self.tx)
            .await?;
        upsert_all(&mut self.tx, &entry.body.changes).await?;
        touch(&mut self.tx, &entry).await?;
        self.head_seq = entry.seq;
        self.head_hash = entry.hash.clone();
        Ok(entry)
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl WriteTx {
    /// Stores document bytes under their SHA-256 (once; the same bytes again are a no-op) and
    /// returns the hash.
    pub async fn put_document(&mut self, bytes: &[u8]) -> Result<String> {
        use sha2::{Digest, Sha256};
        let sha = hex::encode(Sha256::digest(bytes));
        sqlx::query("INSERT INTO document_blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
            .bind(sha.clone())
            .bind(bytes.len() as i64)
            .bind(bytes.to_vec())
            .execute(&mut *self.tx)
            .await?;
        Ok(sha)
    }
}

impl Store {
    /// The bytes stored under `sha256`, if any.
    pub async fn document(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        if sha256.contains('\0') {
            return Ok(None);
        }
        let row = sqlx::query("SELECT content FROM document_blobs WHERE sha256 = $1")
            .bind(sha256.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get::<Vec<u8>, _>("content")?),
            None => None,
        })
    }
}
