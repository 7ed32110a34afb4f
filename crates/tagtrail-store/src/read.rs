//! Reads of projection rows and journal entries. They work on any connection, so the same
//! queries serve plain reads (from the pool) and the load step inside a write transaction.

use crate::{Result, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use tagtrail_domain::journal::{Actor, Change, Draft, Entry};
use tagtrail_domain::records::{Record, TABLES};

/// Guards every table name that is spliced into SQL: only known projection tables pass.
pub(crate) fn table_name(t: &str) -> Result<&'static str> {
    TABLES
        .iter()
        .copied()
        .find(|x| *x == t)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown table {t:?}")))
}

/// A filtered, optionally paged list of one record type.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub license: Option<String>,
    pub active: Option<bool>,
    /// Exact `status` column match.
    pub status: Option<String>,
    /// `status` is one of these (when not empty).
    pub status_in: Vec<String>,
    /// `lookup` starts with this text.
    pub lookup_prefix: Option<String>,
    /// Inclusive bounds on `last_modified` (formatted timestamps).
    pub modified_from: Option<String>,
    pub modified_to: Option<String>,
    /// 1-based page number and page size; `None` lists every match.
    pub page: Option<(u32, u32)>,
    /// Highest id first (the web UI lists newest first); Metrc's lists go by ascending id.
    pub newest_first: bool,
}

#[derive(Debug, Clone)]
pub struct Page<R> {
    pub total: i64,
    pub rows: Vec<R>,
}

fn where_clause(q: &ListQuery) -> (String, Vec<String>) {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if let Some(l) = &q.license {
        clauses.push(format!("license_number = {}", next()));
        args.push(l.clone());
    }
    if let Some(s) = &q.status {
        clauses.push(format!("status = {}", next()));
        args.push(s.clone());
    }
    if !q.status_in.is_empty() {
        let marks: Vec<String> = q.status_in.iter().map(|_| next()).collect();
        clauses.push(format!("status IN ({})", marks.join(", ")));
        args.extend(q.status_in.iter().cloned());
    }
    if let Some(p) = &q.lookup_prefix {
        clauses.push(format!("lookup LIKE {}", next()));
        args.push(format!("{}%", p.replace(['%', '_'], "")));
    }
    if let Some(f) = &q.modified_from {
        clauses.push(format!("last_modified >= {}", next()));
        args.push(f.clone());
    }
    if let Some(t) = &q.modified_to {
        clauses.push(format!("last_modified <= {}", next()));
        args.push(t.clone());
    }
    if let Some(a) = q.active {
        clauses.push(format!("active = {}", i64::from(a)));
    }
    let w = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (w, args)
}

fn decode<R: Record>(row: &AnyRow) -> Result<R> {
    let data: String = row.try_get("data")?;
    Ok(serde_json::from_str(&data)?)
}

/// PostgreSQL cannot hold NUL in TEXT and tagtrail never writes one, so a look-up for text with a
/// NUL matches nothing on either backend; answering that here keeps both backends alike and
/// keeps such input from ever reaching the database as an error.
fn has_nul(s: &str) -> bool {
    s.contains('\0')
}

pub(crate) async fn list<R: Record>(conn: &mut AnyConnection, q: &ListQuery) -> Result<Page<R>> {
    let table = table_name(R::TABLE)?;
    let (w, args) = where_clause(q);
    if args.iter().any(|a| has_nul(a)) {
        return Ok(Page {
            total: 0,
            rows: vec![],
        });
    }
    let count_sql = format!("SELECT COUNT(*) AS n FROM {table}{w}");
    let mut count = sqlx::query(&count_sql);
    for a in &args {
        count = count.bind(a.clone());
    }
    let total: i64 = count.fetch_one(&mut *conn).await?.try_get("n")?;
    let order = if q.newest_first { "DESC" } else { "ASC" };
    let mut sql = format!("SELECT data FROM {table}{w} ORDER BY id {order}");
    if let Some((page, size)) = q.page {
        sql.push_str(&format!(
            " LIMIT {} OFFSET {}",
            size,
            u64::from(page.saturating_sub(1)) * u64::from(size)
        ));
    }
    let mut query = sqlx::query(&sql);
    for a in &args {
        query = query.bind(a.clone());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let rows = rows.iter().map(decode).collect::<Result<Vec<R>>>()?;
    Ok(Page { total, rows })
}

pub(crate) async fn get<R: Record>(conn: &mut AnyConnection, id: i64) -> Result<Option<R>> {
    let table = table_name(R::TABLE)?;
    let row = sqlx::query(&format!("SELECT data FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(decode).transpose()
}

/// Records whose `lookup` equals one of `keys`, within `license` when given, active or not
/// as `active` says. The database is asked by lookup key alone and the license is checked here:
/// without statistics SQLite may otherwise pick a license-leading index and scan a facility's
/// whole history for one label.
pub(crate) async fn find_many<R: Record>(
    conn: &mut AnyConnection,
    license: Option<&str>,
    keys: &[String],
    active: Option<bool>,
) -> Result<Vec<R>> {
    let table = table_name(R::TABLE)?;
    let mut out = Vec::new();
    if license.is_some_and(has_nul) {
        return Ok(out);
    }
    let keys: Vec<String> = keys.iter().filter(|k| !has_nul(k)).cloned().collect();
    // Chunked so that a 5,000-tag receipt never builds a statement past a backend's limits.
    for chunk in keys.chunks(200) {
        let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let mut sql = format!(
            "SELECT license_number, data FROM {table} WHERE lookup IN ({})",
            marks.join(",")
        );
        if let Some(a) = active {
            sql.push_str(&format!(" AND active = {}", i64::from(a)));
        }
        let mut q = sqlx::query(&sql);
        for k in chunk {
            q = q.bind(k.clone());
        }
        for row in q.fetch_all(&mut *conn).await? {
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

pub(crate) fn entry_from_row(row: &AnyRow) -> Result<Entry> {
    let actor: String = row.try_get("actor")?;
    let request: String = row.try_get("request")?;
    let result_ids: String = row.try_get("result_ids")?;
    let changes: String = row.try_get("changes")?;
    Ok(Entry {
        seq: row.try_get("seq")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
        body: Draft {
            recorded_at: row.try_get("recorded_at")?,
            license_number: row.try_get("license_number")?,
            actor: serde_json::from_str::<Actor>(&actor)?,
            endpoint: row.try_get("endpoint")?,
            reason: row.try_get("reason")?,
            request: serde_json::from_str(&request)?,
            result_ids: serde_json::from_str(&result_ids)?,
            changes: serde_json::from_str::<Vec<Change>>(&changes)?,
        },
    })
}

pub(crate) const ENTRY_COLUMNS: &str = "seq, recorded_at, license_number, employee_id, vendor_key_id, actor, endpoint, reason, request, result_ids, changes, prev_hash, hash";

impl Store {
    pub async fn list<R: Record>(&self, q: &ListQuery) -> Result<Page<R>> {
        let mut conn = self.pool.acquire().await?;
        list(&mut conn, q).await
    }

    pub async fn get<R: Record>(&self, id: i64) -> Result<Option<R>> {
        let mut conn = self.pool.acquire().await?;
        get(&mut conn, id).await
    }

    /// The record with this lookup key (name, label, key hash), active ones first.
    pub async fn find<R: Record>(&self, license: Option<&str>, key: &str) -> Result<Option<R>> {
        let mut conn = self.pool.acquire().await?;
        let mut found: Vec<R> = find_many(&mut conn, license, &[key.to_string()], None).await?;
        found.sort_by_key(|r| !r.active());
        Ok(found.into_iter().next())
    }

    pub async fn find_many<R: Record>(
        &self,
        license: Option<&str>,
        keys: &[String],
        active: Option<bool>,
    ) -> Result<Vec<R>> {
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
        let table = table_name(table)?;
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
