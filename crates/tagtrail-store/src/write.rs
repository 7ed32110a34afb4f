//! The write path: one transaction that holds the journal head, loads, appends and projects.

use crate::group::Held;
use crate::open::Backend;
use crate::packing::pack;
use crate::projection::{Kind, Row as Projected, Table, Tier, Val, project, table, tier};
use crate::read::{self, ENTRY_COLUMNS, ListQuery, Page};
use crate::{Result, Store, StoreError};
use sqlx::{AnyConnection, Row};
use tagtrail_domain::journal::{Change, Draft, Entry, GENESIS_HASH};
use tagtrail_domain::records::Record;
use tagtrail_domain::time::{self, Timestamp};

/// An open write transaction: a savepoint in the group's transaction ([`crate::group`]), with
/// the only right to extend the journal until it is committed or dropped (dropping rolls back
/// to the savepoint: nothing half-written survives an error, and no neighbour's work is lost).
pub struct WriteTx {
    held: Held,
    head_seq: i64,
    head_hash: String,
    now: Timestamp,
    /// The newest entry this transaction appended, by its own recorded time.
    appended_at: Option<Timestamp>,
    backend: Backend,
}

impl Store {
    pub async fn begin(&self) -> Result<WriteTx> {
        let mut held = self.lease().await?;
        let cached = held.lease.head.clone();
        let tx = held.lease.tx();
        // The head: where the group's previous member left it (SQLite; PostgreSQL asks anyway,
        // for the database's clock in the same round trip), or read after the lock is held.
        let (mut head_seq, mut head_hash, mut head_time) = (0, GENESIS_HASH.to_string(), None);
        let mut db_now = None;
        match (cached, self.backend) {
            (Some(h), Backend::Sqlite) => {
                head_seq = h.seq;
                head_hash = h.hash;
                head_time = Some(h.time);
            }
            _ => {
                let sql = match self.backend {
                    Backend::Sqlite => {
                        "SELECT seq, hash, recorded_at, NULL AS us FROM journal ORDER BY seq DESC LIMIT 1"
                    }
                    Backend::Postgres => {
                        "SELECT j.seq, j.hash, j.recorded_at, \
                         CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT) AS us \
                         FROM (SELECT 1) AS one LEFT JOIN \
                         (SELECT seq, hash, recorded_at FROM journal ORDER BY seq DESC LIMIT 1) AS j ON TRUE"
                    }
                };
                let head = sqlx::query(sql).fetch_optional(&mut **tx).await?;
                if let Some(row) = head {
                    if let Some(seq) = row.try_get::<Option<i64>, _>("seq")? {
                        head_seq = seq;
                        head_hash = row.try_get::<String, _>("hash")?;
                        head_time = time::parse_instant(&row.try_get::<String, _>("recorded_at")?);
                    }
                    db_now = row
                        .try_get::<Option<i64>, _>("us")?
                        .and_then(chrono::DateTime::from_timestamp_micros);
                }
            }
        }
        // The entry's time is read here, inside the write turn, and never at or before the head's:
        // so `LastModified` order is `seq` order, and every entry not yet committed is later than
        // every committed one. Windowed reads rely on both (see `Store::horizon`).
        let clock = match db_now {
            Some(t) => t,
            None => self.clock_now(tx).await?,
        };
        // A head time from the group is the previous member's stamp: at least its entry's.
        let now = self.clock.stamp(clock, head_time);
        Ok(WriteTx {
            held,
            head_seq,
            head_hash,
            now,
            appended_at: None,
            backend: self.backend,
        })
    }

    /// The clock writes and horizons read: the system's on SQLite, the database server's on
    /// PostgreSQL (one clock for every ledger process sharing the database).
    async fn clock_now(&self, conn: &mut AnyConnection) -> Result<Timestamp> {
        match self.backend {
            Backend::Sqlite => Ok(crate::clock::system_now()),
            Backend::Postgres => {
                let row = sqlx::query(
                    "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT) AS us",
                )
                .fetch_one(&mut *conn)
                .await?;
                let us: i64 = row.try_get("us")?;
                chrono::DateTime::from_timestamp_micros(us)
                    .ok_or_else(|| StoreError::Corrupt(format!("database clock {us}")))
            }
        }
    }

    /// The horizon of a windowed read: waits until no write is in flight, then returns a time
    /// such that every entry at or before it is committed and every later entry is after it. A
    /// window read that ends no later than this sees everything it will ever contain.
    pub async fn horizon(&self) -> Result<Timestamp> {
        match self.backend {
            Backend::Sqlite => {
                // Taking the turn commits any open group: nothing stamped is left uncommitted.
                let _turn = self.turn().await?;
                Ok(self.clock.horizon(crate::clock::system_now()))
            }
            Backend::Postgres => {
                // A shared hold on the writers' advisory lock waits for the write in flight on
                // any process, and keeps new ones out while the clock is read.
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock_shared($1)")
                    .bind(crate::group::WRITE_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                let now = self.clock_now(&mut tx).await?;
                tx.commit().await?;
                Ok(self.clock.horizon(now))
            }
        }
    }

    /// Shifts the clock that stamps entries and sets horizons by `offset` (sandbox mode: a server
    /// whose clock runs ahead or behind). It applies to this store and its clones (one process);
    /// on PostgreSQL it is added to the database server's clock. The guarantees of the clock hold
    /// whatever the offset (see `clock.rs`).
    pub fn set_clock_offset(&self, offset: chrono::TimeDelta) {
        self.clock.set_offset(offset);
    }

    pub fn clock_offset(&self) -> chrono::TimeDelta {
        self.clock.offset()
    }

    /// The system clock shifted by the offset: the ledger's "now" for defaults such as the end
    /// of an open window. Entries are stamped inside the write turn instead (on PostgreSQL from
    /// the database's clock), and never before the head.
    pub fn now(&self) -> Timestamp {
        self.clock.shifted(crate::clock::system_now())
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

    /// Admits one GET against every `(key, interval, tolerance)` rate, or none, in the rate
    /// cells every node on this PostgreSQL database shares: `Ok(None)` when admitted, else
    /// the index of the first key without room. `Ok(None)` always on SQLite, which serves one
    /// node and keeps its limits in the process. Keys may not contain commas.
    pub async fn rate_admit(
        &self,
        keys: &[(&str, std::time::Duration, std::time::Duration)],
    ) -> Result<Option<usize>> {
        if self.backend != Backend::Postgres || keys.is_empty() {
            return Ok(None);
        }
        let join = |f: &dyn Fn(&(&str, std::time::Duration, std::time::Duration)) -> String| {
            keys.iter().map(f).collect::<Vec<_>>().join(",")
        };
        let refused: i32 = sqlx::query_scalar(
            "SELECT rate_admit(string_to_array($1, ','), \
             CAST(string_to_array($2, ',') AS BIGINT[]), CAST(string_to_array($3, ',') AS BIGINT[]))",
        )
        .bind(join(&|k| k.0.to_string()))
        .bind(join(&|k| k.1.as_micros().to_string()))
        .bind(join(&|k| k.2.as_micros().to_string()))
        .fetch_one(&self.pool)
        .await?;
        Ok(usize::try_from(refused).ok())
    }

    /// The bytes the database takes on disk: the SQLite file with its write-ahead log, or the
    /// PostgreSQL database (tables, indexes, TOAST). For the bench's storage figure.
    pub async fn database_bytes(&self) -> Result<u64> {
        let bytes: i64 = match self.backend {
            Backend::Postgres => {
                sqlx::query_scalar("SELECT CAST(pg_database_size(current_database()) AS BIGINT)")
                    .fetch_one(&self.pool)
                    .await?
            }
            Backend::Sqlite => {
                let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
                    .fetch_one(&self.pool)
                    .await?;
                let size: i64 = sqlx::query_scalar("PRAGMA page_size")
                    .fetch_one(&self.pool)
                    .await?;
                pages * size
            }
        };
        Ok(u64::try_from(bytes).unwrap_or(0))
    }

    /// The identity epoch: raised by every committed entry that changes a facility, a user, an
    /// employment, an inspection or a key. Callers and scopes cached under an older epoch may
    /// no longer hold.
    pub async fn identity_epoch(&self) -> Result<i64> {
        if let Some(inline) = &self.inline {
            return inline.identity_epoch();
        }
        let epoch = sqlx::query_scalar("SELECT epoch FROM identity_epoch WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(epoch.unwrap_or(0))
    }
}

/// Rows per multi-row INSERT: at most 13 parameters each keeps a statement well under every
/// backend's parameter limit.
const ROWS_PER_STATEMENT: usize = 100;

/// The placeholder for a value of `kind` in column position `n`: PostgreSQL is told the JSONB and
/// NUMERIC columns' text is of their type.
fn mark(backend: Backend, n: usize, kind: Option<Kind>) -> String {
    match (backend, kind) {
        (Backend::Postgres, Some(Kind::Decimal)) => format!("CAST(${n} AS NUMERIC)"),
        (Backend::Postgres, None) => format!("CAST(${n} AS JSONB)"),
        _ => format!("${n}"),
    }
}

/// Applies after-images in multi-row upserts. Within one call only the last after-image of a
/// row matters (they are applied in order), so each table's changes are reduced to that first;
/// PostgreSQL also refuses a statement that upserts the same row twice. Each row's columns are
/// derived from its record ([`crate::projection::project`]), the same way a rebuild derives them.
pub(crate) async fn upsert_all(
    conn: &mut AnyConnection,
    backend: Backend,
    changes: &[Change],
) -> Result<()> {
    let mut by_table: std::collections::BTreeMap<&str, Vec<&Change>> =
        std::collections::BTreeMap::new();
    for c in changes {
        by_table.entry(c.table.as_str()).or_default().push(c);
    }
    for (name, rows) in by_table {
        let t = table(name)?;
        let mut last: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
        for (i, c) in rows.iter().enumerate() {
            last.insert(c.id, i);
        }
        let rows: Vec<Projected> = rows
            .iter()
            .enumerate()
            .filter(|(i, c)| last.get(&c.id) == Some(i))
            .map(|(_, c)| {
                let row = project(&c.table, c.schema, &c.data)?;
                if row.id != c.id {
                    return Err(StoreError::Corrupt(format!(
                        "{} change {} carries record {}",
                        t.name, c.id, row.id
                    )));
                }
                Ok(row)
            })
            .collect::<Result<_>>()?;
        for row in &rows {
            check_lengths(t, row)?;
        }
        match tier(t) {
            None => upsert_rows(conn, backend, t, t.name, &rows).await?,
            Some(h) => {
                // Rule 72: each row goes to the tier its `active` flag names and leaves the
                // other; its identity row (which foreign keys reference) is kept up to date.
                upsert_keys(conn, t, h, &rows).await?;
                let (live, past): (Vec<Projected>, Vec<Projected>) =
                    rows.into_iter().partition(|r| r.active);
                delete_ids(conn, h.history, &live).await?;
                upsert_rows(conn, backend, t, t.name, &live).await?;
                delete_ids(conn, t.name, &past).await?;
                upsert_rows(conn, backend, t, h.history, &past).await?;
                if backend == Backend::Sqlite && t.name == "packages" {
                    harvests_of_history(conn, &past).await?;
                }
            }
        }
    }
    Ok(())
}

/// The harvests each package entering SQLite's history tier was packaged from, into
/// `lineage_sources`, as the active table's trigger does (migration 0017): the history tier's
/// records may be packed ([`crate::packing`]), which `json_each` cannot read (migration 0027).
/// PostgreSQL's trigger reads its JSONB history itself.
async fn harvests_of_history(conn: &mut AnyConnection, rows: &[Projected]) -> Result<()> {
    for r in rows {
        let record: serde_json::Value = serde_json::from_str(&r.data)?;
        let harvests = record
            .get("source_harvests")
            .and_then(serde_json::Value::as_array);
        for h in harvests.into_iter().flatten() {
            if let Some(harvest) = h.get("harvest_id").and_then(serde_json::Value::as_i64) {
                sqlx::query(
                    "INSERT INTO lineage_sources (source_kind, source_id, child_id) VALUES ('harvest', $1, $2) ON CONFLICT DO NOTHING",
                )
                .bind(harvest)
                .bind(r.id)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    Ok(())
}

/// The tables whose rows decide who may do what: a change to any raises the identity epoch
/// ([`Store::identity_epoch`]), which ends every cached caller and scope.
const IDENTITY_TABLES: [&str; 6] = [
    "facilities",
    "users",
    "employments",
    "inspections",
    "vendor_keys",
    "user_keys",
];

/// The longest text the store writes into an indexed column: a 250-character name of 4-byte
/// characters fits, and so does every index on PostgreSQL (whose btree refuses entries over
/// ~2.7 KB) as on SQLite, so both backends accept and refuse the same values.
pub const MAX_INDEXED_TEXT_BYTES: usize = 1000;

/// Refuses a row whose license or typed text columns exceed [`MAX_INDEXED_TEXT_BYTES`].
fn check_lengths(t: &Table, row: &Projected) -> Result<()> {
    let too_long = |v: &str| v.len() > MAX_INDEXED_TEXT_BYTES;
    let mut what = None;
    if row.license_number.as_deref().is_some_and(too_long) {
        what = Some("license_number");
    }
    for ((c, _), v) in t.columns.iter().zip(&row.typed) {
        if let Val::Text(Some(v)) = v
            && too_long(v)
        {
            what = Some(c.name());
        }
    }
    match what {
        Some(column) => Err(StoreError::TooLong {
            what: format!(
                "A {} {}",
                t.name.trim_end_matches('s'),
                column.replace('_', " ")
            ),
            max: MAX_INDEXED_TEXT_BYTES,
        }),
        None => Ok(()),
    }
}

/// Upserts projected rows of `t` into the physical table `into` (`t` itself or its history).
async fn upsert_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    t: &Table,
    into: &str,
    rows: &[Projected],
) -> Result<()> {
    let typed: Vec<&str> = t.columns.iter().map(|(c, _)| c.name()).collect();
    let mut cols = vec![
        "id",
        "license_number",
        "active",
        "last_modified",
        "schema",
        "data",
    ];
    cols.extend(typed.iter().copied());
    let per_row = cols.len();
    let packed = backend == Backend::Sqlite && crate::projection::PACKED.contains(&into);
    let updates: Vec<String> = cols[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = format!("INSERT INTO {into} ({}) VALUES ", cols.join(", "));
        for i in 0..chunk.len() {
            let b = i * per_row;
            let mut marks = Vec::with_capacity(per_row);
            for (j, _) in cols.iter().enumerate() {
                let kind = match j {
                    0..=4 => Some(Kind::Text),
                    5 => None,
                    k => Some(t.columns[k - 6].1),
                };
                marks.push(mark(backend, b + j + 1, kind));
            }
            sql.push_str(&format!(
                "{}({})",
                if i > 0 { ", " } else { "" },
                marks.join(", ")
            ));
        }
        sql.push_str(&format!(
            " ON CONFLICT (id) DO UPDATE SET {}",
            updates.join(", ")
        ));
        let mut q = sqlx::query(&sql);
        for r in chunk {
            let data = if packed {
                pack(&r.data)?.into_owned()
            } else {
                r.data.clone()
            };
            q = q
                .bind(r.id)
                .bind(r.license_number.clone())
                .bind(i64::from(r.active))
                .bind(r.last_modified.clone())
                .bind(i64::from(r.schema))
                .bind(data);
            for v in &r.typed {
                q = read::bind(q, v);
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Removes the rows with these ids from the physical table `from` (a tier they are leaving).
async fn delete_ids(conn: &mut AnyConnection, from: &str, rows: &[Projected]) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!("DELETE FROM {from} WHERE id IN ({})", marks.join(", "));
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q.bind(r.id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Upserts the identity rows of a tiered table: id, license and the key columns.
async fn upsert_keys(
    conn: &mut AnyConnection,
    t: &Table,
    h: &Tier,
    rows: &[Projected],
) -> Result<()> {
    let at: Vec<usize> = h
        .key_columns
        .iter()
        .map(|k| {
            t.columns.iter().position(|(c, _)| c == k).ok_or_else(|| {
                StoreError::Corrupt(format!("{} has no key column {}", t.name, k.name()))
            })
        })
        .collect::<Result<_>>()?;
    let mut cols = vec!["id", "license_number"];
    cols.extend(h.key_columns.iter().map(|c| c.name()));
    let updates: Vec<String> = cols[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut values = Vec::with_capacity(chunk.len());
        for i in 0..chunk.len() {
            let marks: Vec<String> = (1..=cols.len())
                .map(|j| format!("${}", i * cols.len() + j))
                .collect();
            values.push(format!("({})", marks.join(", ")));
        }
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {} ON CONFLICT (id) DO UPDATE SET {}",
            h.keys,
            cols.join(", "),
            values.join(", "),
            updates.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q.bind(r.id).bind(r.license_number.clone());
            for &k in &at {
                q = read::bind(q, &r.typed[k]);
            }
        }
        q.execute(&mut *conn).await?;
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
            .bind(table(&c.table)?.name.to_string())
            .bind(c.id)
            .bind(entry.seq)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

impl WriteTx {
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        self.held.lease.tx()
    }

    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    /// The sequence number of the journal's head when the turn was taken (0: empty).
    pub(crate) fn head_seq(&self) -> i64 {
        self.head_seq
    }

    /// The time of the entry this transaction will append: read inside the write turn, strictly
    /// after the head's.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The id the next new record of type `R` gets. Safe because writes are serialized.
    pub async fn next_id<R: Record>(&mut self) -> Result<i64> {
        let t = table(R::TABLE)?;
        // A tiered table's ids are all in its keys table (rule 72: the highest may be history).
        let all = tier(t).map_or(t.name, |h| h.keys);
        let row = sqlx::query(&format!("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM {all}"))
            .fetch_one(self.conn())
            .await?;
        Ok(row.try_get("n")?)
    }

    pub async fn get<R: Record>(&mut self, id: i64) -> Result<Option<R>> {
        read::get(self.conn(), id).await
    }

    pub async fn list<R: Record>(&mut self, q: &ListQuery) -> Result<Page<R>> {
        let backend = self.backend;
        read::list(self.conn(), backend, q).await
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
            "INSERT INTO journal ({ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        );
        let b = &entry.body;
        let (request, changes) = (
            serde_json::to_string(&b.request)?,
            serde_json::to_string(&b.changes)?,
        );
        sqlx::query(&sql)
            .bind(entry.seq)
            .bind(b.recorded_at.clone())
            .bind(b.license_number.clone())
            .bind(b.actor.employee_id)
            .bind(b.actor.vendor_key_id)
            .bind(serde_json::to_string(&b.actor)?)
            .bind(b.endpoint.clone())
            .bind(b.reason.clone())
            .bind(pack(&request)?.into_owned())
            .bind(serde_json::to_string(&b.result_ids)?)
            .bind(pack(&changes)?.into_owned())
            .bind(entry.prev_hash.clone())
            .bind(entry.hash.clone())
            .bind(b.door.clone())
            .bind(b.action.clone())
            .execute(self.conn())
            .await?;
        upsert_all(self.held.lease.tx(), self.backend, &entry.body.changes).await?;
        if entry
            .body
            .changes
            .iter()
            .any(|c| IDENTITY_TABLES.contains(&c.table.as_str()))
        {
            sqlx::query("UPDATE identity_epoch SET epoch = epoch + 1 WHERE id = 1")
                .execute(self.conn())
                .await?;
        }
        touch(self.held.lease.tx(), &entry).await?;
        crate::feed::record(self.held.lease.tx(), &entry).await?;
        self.head_seq = entry.seq;
        self.head_hash = entry.hash.clone();
        self.appended_at = time::parse_instant(&entry.body.recorded_at);
        Ok(entry)
    }

    /// Commits: returns once the group holding this transaction's work is durable (or failed).
    pub async fn commit(self) -> Result<()> {
        let head = crate::group::Head {
            seq: self.head_seq,
            hash: self.head_hash,
            // The group's next writer stamps after this: after this transaction's time, and
            // after its entries' own recorded times, whichever is later.
            time: self.appended_at.map_or(self.now, |t| t.max(self.now)),
        };
        self.held.commit(head).await
    }
}

impl WriteTx {
    pub(crate) async fn rebuild_asked(&mut self) -> Result<bool> {
        let row = sqlx::query("SELECT rebuild_from_journal FROM projection_state WHERE id = 1")
            .fetch_optional(self.conn())
            .await?;
        Ok(match row {
            Some(r) => r.try_get::<i64, _>("rebuild_from_journal")? != 0,
            None => false,
        })
    }

    pub(crate) async fn rebuild_done(&mut self) -> Result<()> {
        sqlx::query("UPDATE projection_state SET rebuild_from_journal = 0 WHERE id = 1")
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Applies every journal entry's changes to the (empty) projection tables, a few entries at a
    /// time. Returns how many entries were replayed.
    pub(crate) async fn replay_journal(&mut self) -> Result<i64> {
        let mut after = 0i64;
        let mut n = 0;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {ENTRY_COLUMNS} FROM journal WHERE seq > $1 ORDER BY seq LIMIT 20"
            ))
            .bind(after)
            .fetch_all(self.conn())
            .await?;
            if rows.is_empty() {
                return Ok(n);
            }
            for row in &rows {
                let entry = read::entry_from_row(row)?;
                upsert_all(self.held.lease.tx(), self.backend, &entry.body.changes).await?;
                after = entry.seq;
                n += 1;
            }
        }
    }

    /// Stores document bytes under their SHA-256 (once; the same bytes again are a no-op) and
    /// returns the hash.
    pub async fn put_document(&mut self, bytes: &[u8]) -> Result<String> {
        use sha2::{Digest, Sha256};
        let sha = hex::encode(Sha256::digest(bytes));
        sqlx::query("INSERT INTO document_blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
            .bind(sha.clone())
            .bind(bytes.len() as i64)
            .bind(bytes.to_vec())
            .execute(self.conn())
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
