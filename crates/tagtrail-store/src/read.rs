//! Reads of projection rows and journal entries. They work on any connection, so the same
//! queries serve plain reads (from the pool) and the load step inside a write transaction.

use crate::projection::{Column, Kind, Table, Val, source, table};
use crate::{Backend, Result, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use tagtrail_domain::journal::{Actor, Change, Draft, Entry};
use tagtrail_domain::records::Record;

/// Rows whose `column` has one of `values`.
#[derive(Debug, Clone)]
pub struct Filter {
    pub column: Column,
    pub values: Vec<Val>,
}

/// A filtered, optionally paged list of one record type.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub license: Option<String>,
    pub active: Option<bool>,
    /// Typed-column matches, all of which must hold.
    pub filters: Vec<Filter>,
    /// Inclusive bounds on `last_modified` (formatted timestamps).
    pub modified_from: Option<String>,
    pub modified_to: Option<String>,
    /// 1-based page number and page size; `None` lists every match.
    pub page: Option<(u32, u32)>,
    /// Highest id first (the web UI lists newest first); Metrc's lists go by ascending id.
    pub newest_first: bool,
    /// Text columns that must contain a piece of text (compared as stored: a name key is
    /// folded, a label is upper case; the caller passes the text in the same form).
    pub contains: Vec<(Column, String)>,
    /// Order by this column first (then by id), descending when `true`. Empty values sort last
    /// in either direction on both backends.
    pub sort: Option<(Column, bool)>,
    /// Inclusive bounds on a text column whose values sort in time order (formatted instants):
    /// the sales receipts' `salesDateStart..salesDateEnd`.
    pub between: Option<(Column, Option<String>, Option<String>)>,
}

impl ListQuery {
    /// Also requires `column` to be one of `values`.
    pub fn with(
        mut self,
        column: Column,
        values: impl IntoIterator<Item = impl Into<Val>>,
    ) -> Self {
        self.filters.push(Filter {
            column,
            values: values.into_iter().map(Into::into).collect(),
        });
        self
    }

    /// Also requires the text column `column` to contain `text`.
    pub fn containing(mut self, column: Column, text: impl Into<String>) -> Self {
        self.contains.push((column, text.into()));
        self
    }

    /// Also requires the text column `column` to lie between `from` and `to` (inclusive).
    pub fn between(mut self, column: Column, from: Option<String>, to: Option<String>) -> Self {
        self.between = Some((column, from, to));
        self
    }

    /// Orders by `column` (then id), descending when `desc`.
    pub fn sorted(mut self, column: Column, desc: bool) -> Self {
        self.sort = Some((column, desc));
        self
    }
}

/// `text` as a `LIKE` pattern that matches it anywhere, with `LIKE`'s own wildcards escaped.
fn like_anywhere(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[derive(Debug, Clone)]
pub struct Page<R> {
    pub total: i64,
    pub rows: Vec<R>,
}

/// Builds `$n` placeholders in order, so the clause and its bindings stay in step.
#[derive(Default)]
struct Marks(usize);

impl Marks {
    fn next(&mut self) -> String {
        self.0 += 1;
        format!("${}", self.0)
    }
}

fn where_clause(table: &Table, q: &ListQuery) -> Result<(String, Vec<Val>)> {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    let mut marks = Marks::default();
    if let Some(l) = &q.license {
        clauses.push(format!("license_number = {}", marks.next()));
        args.push(Val::Text(Some(l.clone())));
    }
    for f in &q.filters {
        let kind = table.kind(f.column).ok_or_else(|| {
            StoreError::Corrupt(format!("{} has no column {}", table.name, f.column.name()))
        })?;
        if kind == Kind::Decimal {
            return Err(StoreError::Corrupt(format!(
                "{} is a decimal column and cannot be matched exactly",
                f.column.name()
            )));
        }
        if f.values.is_empty() {
            clauses.push("1 = 0".into());
            continue;
        }
        let ms: Vec<String> = f.values.iter().map(|_| marks.next()).collect();
        clauses.push(format!("{} IN ({})", f.column.name(), ms.join(", ")));
        args.extend(f.values.iter().cloned());
    }
    for (column, text) in &q.contains {
        if table.kind(*column) != Some(Kind::Text) {
            return Err(StoreError::Corrupt(format!(
                "{} has no text column {}",
                table.name,
                column.name()
            )));
        }
        clauses.push(format!(
            "{} LIKE {} ESCAPE '\\'",
            column.name(),
            marks.next()
        ));
        args.push(Val::Text(Some(like_anywhere(text))));
    }
    if let Some((column, from, to)) = &q.between {
        if table.kind(*column) != Some(Kind::Text) {
            return Err(StoreError::Corrupt(format!(
                "{} has no text column {}",
                table.name,
                column.name()
            )));
        }
        for (bound, op) in [(from, ">="), (to, "<=")] {
            if let Some(v) = bound {
                clauses.push(format!("{} {op} {}", column.name(), marks.next()));
                args.push(Val::Text(Some(v.clone())));
            }
        }
    }
    if let Some(f) = &q.modified_from {
        clauses.push(format!("last_modified >= {}", marks.next()));
        args.push(Val::Text(Some(f.clone())));
    }
    if let Some(t) = &q.modified_to {
        clauses.push(format!("last_modified <= {}", marks.next()));
        args.push(Val::Text(Some(t.clone())));
    }
    if let Some(a) = q.active {
        clauses.push(format!("active = {}", i64::from(a)));
    }
    let w = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    Ok((w, args))
}

/// Binds a value. Booleans are stored as 0/1 on both backends; decimals as their text (see
/// [`Kind::Decimal`]).
pub(crate) fn bind<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    v: &Val,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    match v {
        Val::Text(t) => q.bind(t.clone()),
        Val::Int(i) => q.bind(*i),
        Val::Bool(b) => q.bind(i64::from(*b)),
        Val::Decimal(d) => q.bind(d.map(|d| d.to_string())),
    }
}

fn decode<R: Record>(row: &AnyRow) -> Result<R> {
    let data: String = row.try_get("data")?;
    Ok(serde_json::from_str(&crate::packing::unpack(&data)?)?)
}

/// PostgreSQL cannot hold NUL in TEXT and tagtrail never writes one, so a look-up for text with a
/// NUL matches nothing on either backend; answering that here keeps both backends alike and
/// keeps such input from ever reaching the database as an error.
fn has_nul(v: &Val) -> bool {
    matches!(v, Val::Text(Some(s)) if s.contains('\0'))
}

/// The record's JSON as text on both backends (PostgreSQL keeps it as JSONB).
const DATA: &str = "CAST(data AS TEXT) AS data";

/// The `ORDER BY` of a list: the sort column (empty values last, a decimal by its value) and
/// the id, or the id alone.
fn order_by(t: &Table, backend: Backend, q: &ListQuery) -> Result<String> {
    let dir = |desc: bool| if desc { "DESC" } else { "ASC" };
    let Some((column, desc)) = q.sort else {
        return Ok(format!("id {}", dir(q.newest_first)));
    };
    let name = column.name();
    let expr = match t.kind(column) {
        // SQLite keeps a decimal as its text (see `Kind::Decimal`); ordering by that text
        // would put 10 before 9. Ordering only, so a float's rounding is harmless here.
        Some(Kind::Decimal) if backend == Backend::Sqlite => format!("CAST({name} AS REAL)"),
        Some(_) => name.to_string(),
        None => {
            return Err(StoreError::Corrupt(format!(
                "{} has no column {name}",
                t.name
            )));
        }
    };
    let d = dir(desc);
    Ok(format!("({name} IS NULL), {expr} {d}, id {d}"))
}

/// A list's two statements (the count and the rows) and their arguments; `None` when the list
/// is empty without asking (a NUL in a matched text).
pub(crate) struct Plan {
    pub(crate) count_sql: String,
    pub(crate) rows_sql: String,
    pub(crate) args: Vec<Val>,
}

pub(crate) fn plan(t: &Table, backend: Backend, q: &ListQuery) -> Result<Option<Plan>> {
    let (w, args) = where_clause(t, q)?;
    if args.iter().any(has_nul) {
        return Ok(None);
    }
    let from = source(t, q.active);
    let count_sql = format!("SELECT COUNT(*) AS n FROM {from}{w}");
    let order = order_by(t, backend, q)?;
    let mut rows_sql = format!("SELECT {DATA} FROM {from}{w} ORDER BY {order}");
    if let Some((page, size)) = q.page {
        rows_sql.push_str(&format!(
            " LIMIT {} OFFSET {}",
            size,
            u64::from(page.saturating_sub(1)) * u64::from(size)
        ));
    }
    Ok(Some(Plan {
        count_sql,
        rows_sql,
        args,
    }))
}

pub(crate) async fn list<R: Record>(
    conn: &mut AnyConnection,
    backend: Backend,
    q: &ListQuery,
) -> Result<Page<R>> {
    let t = table(R::TABLE)?;
    let Some(plan) = plan(t, backend, q)? else {
        return Ok(Page {
            total: 0,
            rows: vec![],
        });
    };
    let mut count = sqlx::query(&plan.count_sql);
    for a in &plan.args {
        count = bind(count, a);
    }
    let total: i64 = count.fetch_one(&mut *conn).await?.try_get("n")?;
    let mut query = sqlx::query(&plan.rows_sql);
    for a in &plan.args {
        query = bind(query, a);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let rows = rows.iter().map(decode).collect::<Result<Vec<R>>>()?;
    Ok(Page { total, rows })
}

pub(crate) async fn get<R: Record>(conn: &mut AnyConnection, id: i64) -> Result<Option<R>> {
    let t = table(R::TABLE)?;
    let row = sqlx::query(&format!(
        "SELECT {DATA} FROM {} WHERE id = $1",
        source(t, None)
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(decode).transpose()
}

/// Records whose natural key (the table's key column) equals one of `keys`, within `license`
/// when given, active or not as `active` says. The database is asked by key alone, and the
/// license and `active` are checked here: without statistics a planner may otherwise combine the
/// key's index with a license-leading or an active-only partial index and walk a facility's whole
/// history for one name (measured on PostgreSQL with autovacuum off: a `BitmapAnd` over every
/// active item, 1.2 ms per look-up at 22,000 items and growing, halving item creates).
pub(crate) async fn find_many<R: Record>(
    conn: &mut AnyConnection,
    license: Option<&str>,
    keys: &[String],
    active: Option<bool>,
) -> Result<Vec<R>> {
    let t = table(R::TABLE)?;
    let mut out = Vec::new();
    let Some((key, keys)) = find_keys(t, license, keys)? else {
        return Ok(out);
    };
    // Chunked so that a 5,000-tag receipt never builds a statement past a backend's limits.
    for chunk in keys.chunks(FIND_CHUNK) {
        let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT license_number, active, {DATA} FROM {} WHERE {} IN ({})",
            source(t, active),
            key.name(),
            marks.join(",")
        );
        let mut q = sqlx::query(&sql);
        for k in chunk {
            q = bind(q, k);
        }
        for row in q.fetch_all(&mut *conn).await? {
            if let Some(a) = active
                && row.try_get::<i64, _>("active")? != i64::from(a)
            {
                continue;
            }
            if let Some(l) = license {
                let owner: Option<String> = row.try_get("license_number")?;
                if owner.as_deref() != Some(l) {
                    continue;
                }
            }
            out.push(decode(&row)?);
        }
    }
    Ok(out)
}

/// Keys per look-up statement: a 5,000-tag receipt never builds a statement past a backend's
/// limits.
pub(crate) const FIND_CHUNK: usize = 200;

/// The table's key column and the keys as its values (an integer key that does not parse, or a
/// text with a NUL, matches nothing); `None` when nothing can match.
pub(crate) fn find_keys(
    t: &Table,
    license: Option<&str>,
    keys: &[String],
) -> Result<Option<(Column, Vec<Val>)>> {
    let key = t
        .key
        .ok_or_else(|| StoreError::Corrupt(format!("{} has no key column", t.name)))?;
    if license.is_some_and(|l| l.contains('\0')) {
        return Ok(None);
    }
    let keys: Vec<Val> = match t.kind(key) {
        Some(Kind::Int) => keys
            .iter()
            .filter_map(|k| k.trim().parse::<i64>().ok())
            .map(Val::from)
            .collect(),
        _ => keys
            .iter()
            .filter(|k| !k.contains('\0'))
            .map(|k| Val::from(k.as_str()))
            .collect(),
    };
    Ok(Some((key, keys)))
}

/// A journal row's columns exactly as stored: the JSON columns as their text (unpacked, see
/// [`crate::packing`]), so that a copy (a backup) carries each entry byte for byte and a restore
/// writes back what was hashed, not a re-serialization of it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredEntry {
    pub seq: i64,
    pub recorded_at: String,
    pub license_number: Option<String>,
    pub employee_id: Option<i64>,
    pub vendor_key_id: Option<i64>,
    pub actor: String,
    pub endpoint: String,
    pub reason: String,
    pub request: String,
    pub result_ids: String,
    pub changes: String,
    pub prev_hash: String,
    pub hash: String,
    pub door: Option<String>,
    pub action: Option<String>,
}

impl StoredEntry {
    pub(crate) fn from_row(row: &AnyRow) -> Result<StoredEntry> {
        Ok(StoredEntry {
            seq: row.try_get("seq")?,
            recorded_at: row.try_get("recorded_at")?,
            license_number: row.try_get("license_number")?,
            employee_id: row.try_get("employee_id")?,
            vendor_key_id: row.try_get("vendor_key_id")?,
            actor: row.try_get("actor")?,
            endpoint: row.try_get("endpoint")?,
            reason: row.try_get("reason")?,
            request: crate::packing::unpacked(row.try_get("request")?)?,
            result_ids: row.try_get("result_ids")?,
            changes: crate::packing::unpacked(row.try_get("changes")?)?,
            prev_hash: row.try_get("prev_hash")?,
            hash: row.try_get("hash")?,
            door: row.try_get("door")?,
            action: row.try_get("action")?,
        })
    }

    /// The entry, its JSON columns parsed.
    pub(crate) fn entry(&self) -> Result<Entry> {
        Ok(Entry {
            seq: self.seq,
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
            body: Draft {
                recorded_at: self.recorded_at.clone(),
                license_number: self.license_number.clone(),
                actor: serde_json::from_str::<Actor>(&self.actor)?,
                endpoint: self.endpoint.clone(),
                reason: self.reason.clone(),
                request: serde_json::from_str(&self.request)?,
                result_ids: serde_json::from_str(&self.result_ids)?,
                changes: serde_json::from_str::<Vec<Change>>(&self.changes)?,
                door: self.door.clone(),
                action: self.action.clone(),
            },
        })
    }
}

pub(crate) fn entry_from_row(row: &AnyRow) -> Result<Entry> {
    StoredEntry::from_row(row)?.entry()
}

pub(crate) const ENTRY_COLUMNS: &str = "seq, recorded_at, license_number, employee_id, vendor_key_id, actor, endpoint, reason, request, result_ids, changes, prev_hash, hash, door, action";

impl Store {
    pub async fn list<R: Record>(&self, q: &ListQuery) -> Result<Page<R>> {
        // A page is bounded work; an unpaged list may walk a table and stays off the caller's
        // thread.
        if let (Some(inline), Some(_)) = (&self.inline, q.page) {
            return inline.list(q);
        }
        let mut conn = self.pool.acquire().await?;
        list(&mut conn, self.backend, q).await
    }

    /// How many records of `R` match `q` for each value of the text column `by` (its empty value
    /// as `None`), most first. Paging and ordering in `q` are ignored.
    pub async fn count_by<R: Record>(
        &self,
        q: &ListQuery,
        by: Column,
    ) -> Result<Vec<(Option<String>, i64)>> {
        let t = table(R::TABLE)?;
        if t.kind(by) != Some(Kind::Text) {
            return Err(StoreError::Corrupt(format!(
                "{} has no text column {}",
                t.name,
                by.name()
            )));
        }
        let (w, args) = where_clause(t, q)?;
        if args.iter().any(has_nul) {
            return Ok(vec![]);
        }
        let col = by.name();
        let sql = format!(
            "SELECT {col} AS k, COUNT(*) AS n FROM {}{w} GROUP BY {col} ORDER BY n DESC, ({col} IS NULL), k",
            source(t, q.active)
        );
        let mut query = sqlx::query(&sql);
        for a in &args {
            query = bind(query, a);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<Option<String>, _>("k")?, r.try_get("n")?)))
            .collect()
    }

    pub async fn get<R: Record>(&self, id: i64) -> Result<Option<R>> {
        if let Some(inline) = &self.inline {
            return inline.get(id);
        }
        let mut conn = self.pool.acquire().await?;
        get(&mut conn, id).await
    }

    /// The record with this lookup key (name, label, key hash), active ones first.
    pub async fn find<R: Record>(&self, license: Option<&str>, key: &str) -> Result<Option<R>> {
        let mut found: Vec<R> = self.find_many(license, &[key.to_string()], None).await?;
        found.sort_by_key(|r| !r.active());
        Ok(found.into_iter().next())
    }

    pub async fn find_many<R: Record>(
        &self,
        license: Option<&str>,
        keys: &[String],
        active: Option<bool>,
    ) -> Result<Vec<R>> {
        if let Some(inline) = &self.inline {
            return inline.find_many(license, keys, active);
        }
        let mut conn = self.pool.acquire().await?;
        find_many(&mut conn, license, keys, active).await
    }

    /// Journal entries, newest first, optionally only those for `licenses`, below `before` (a
    /// sequence number) when paging back.
    pub async fn journal(
        &self,
        licenses: Option<&[String]>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Entry>> {
        let mut sql = format!("SELECT {ENTRY_COLUMNS} FROM journal WHERE seq < $1");
        let mut n = 1;
        if let Some(ls) = licenses {
            if ls.is_empty() {
                return Ok(vec![]);
            }
            let marks: Vec<String> = ls
                .iter()
                .map(|_| {
                    n += 1;
                    format!("${n}")
                })
                .collect();
            sql.push_str(&format!(" AND license_number IN ({})", marks.join(",")));
        }
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT {limit}"));
        let mut q = sqlx::query(&sql).bind(before.unwrap_or(i64::MAX));
        for l in licenses.unwrap_or_default() {
            q = q.bind(l.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Journal entries that changed row `id` of `table`, newest first.
    pub async fn journal_touching(&self, table: &str, id: i64, limit: u32) -> Result<Vec<Entry>> {
        let table = crate::projection::table(table)?.name;
        let cols = ENTRY_COLUMNS
            .split(", ")
            .map(|c| format!("j.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols} FROM journal_touches t JOIN journal j ON j.seq = t.seq WHERE t.table_name = $1 AND t.row_id = $2 ORDER BY t.seq DESC LIMIT {limit}"
        );
        let rows = sqlx::query(&sql)
            .bind(table.to_string())
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(entry_from_row).collect()
    }

    pub async fn journal_len(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM journal")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }
}
