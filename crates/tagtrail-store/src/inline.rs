//! SQLite reads on the caller's own thread.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every statement and its
//! rows across channels; on a 2-core machine serving small reads, those hand-offs cost more
//! than the reads (a profile of the label GET under load spent 55 % of its samples switching
//! tasks). A point read or a page of SQLite is a few microseconds of work in the page cache, so
//! the hot reads (a record by id or key, a page of a list, the identity epoch) run here, on the
//! calling task's thread, through a handful of plain connections kept for reuse. Writes, and
//! unpaged lists that may walk a whole table, stay on sqlx: they must not hold an async worker.
//!
//! The SQL is the store's own (`read.rs` builds it for both paths), so the answers are the
//! same; only the connection differs. These connections see committed data only, like any
//! read from the pool.

use crate::projection::{Kind, Val, source, table};
use crate::read::{self, ListQuery, Page};
use crate::{Result, StoreError};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::Mutex;
use tagtrail_domain::records::Record;

/// Connections kept for reuse; more are opened when more readers run at once, and closed after.
const KEEP: usize = 8;

pub(crate) struct Inline {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Inline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inline").field("path", &self.path).finish()
    }
}

/// A connection out of the idle list, given back when dropped.
struct Lent<'a> {
    conn: Option<Connection>,
    home: &'a Inline,
}

impl std::ops::Deref for Lent<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
            .as_ref()
            .expect("a lent connection is present until it is dropped")
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            let mut idle = self.home.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < KEEP {
                idle.push(c);
            }
        }
    }
}

impl Inline {
    pub(crate) fn new(path: PathBuf) -> Inline {
        Inline {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn lend(&self) -> Result<Lent<'_>> {
        let idle = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            idle.pop()
        };
        let conn = match idle {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                // Reads only; a second process writing waits for (never fails on) the lock.
                c.execute_batch("PRAGMA query_only = ON; PRAGMA busy_timeout = 10000;")?;
                c.set_prepared_statement_cache_capacity(64);
                c
            }
        };
        Ok(Lent {
            conn: Some(conn),
            home: self,
        })
    }

    pub(crate) fn identity_epoch(&self) -> Result<i64> {
        let c = self.lend()?;
        let mut st = c.prepare_cached("SELECT epoch FROM identity_epoch WHERE id = 1")?;
        let mut rows = st.query([])?;
        Ok(match rows.next()? {
            Some(r) => r.get(0)?,
            None => 0,
        })
    }

    pub(crate) fn get<R: Record>(&self, id: i64) -> Result<Option<R>> {
        let t = table(R::TABLE)?;
        let sql = format!("SELECT data FROM {} WHERE id = $1", source(t, None));
        let c = self.lend()?;
        let mut st = c.prepare_cached(&sql)?;
        let mut rows = st.query([id])?;
        match rows.next()? {
            Some(r) => Ok(Some(decode(r.get_ref(0)?)?)),
            None => Ok(None),
        }
    }

    /// As [`read::find_many`]: asked by key alone, the license and `active` checked here.
    pub(crate) fn find_many<R: Record>(
        &self,
        license: Option<&str>,
        keys: &[String],
        active: Option<bool>,
    ) -> Result<Vec<R>> {
        let t = table(R::TABLE)?;
        let (key, keys) = match read::find_keys(t, license, keys)? {
            Some(k) => k,
            None => return Ok(Vec::new()),
        };
        let c = self.lend()?;
        let mut out = Vec::new();
        for chunk in keys.chunks(read::FIND_CHUNK) {
            let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT license_number, active, data FROM {} WHERE {} IN ({})",
                source(t, active),
                key.name(),
                marks.join(",")
            );
            let mut st = c.prepare_cached(&sql)?;
            let mut rows = st.query(rusqlite::params_from_iter(chunk.iter().map(value)))?;
            while let Some(r) = rows.next()? {
                if let Some(a) = active
                    && r.get::<_, i64>(1)? != i64::from(a)
                {
                    continue;
                }
                if let Some(l) = license {
                    let owner: Option<String> = r.get(0)?;
                    if owner.as_deref() != Some(l) {
                        continue;
                    }
                }
                out.push(decode(r.get_ref(2)?)?);
            }
        }
        Ok(out)
    }

    /// A page of a list (the caller sends only paged lists here), as [`read::list`].
    pub(crate) fn list<R: Record>(&self, q: &ListQuery) -> Result<Page<R>> {
        let t = table(R::TABLE)?;
        let Some(plan) = read::plan(t, crate::Backend::Sqlite, q)? else {
            return Ok(Page {
                total: 0,
                rows: vec![],
            });
        };
        let c = self.lend()?;
        let mut st = c.prepare_cached(&plan.count_sql)?;
        let total: i64 = st.query_row(
            rusqlite::params_from_iter(plan.args.iter().map(value)),
            |r| r.get(0),
        )?;
        let mut st = c.prepare_cached(&plan.rows_sql)?;
        let mut rows = st.query(rusqlite::params_from_iter(plan.args.iter().map(value)))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(decode(r.get_ref(0)?)?);
        }
        Ok(Page { total, rows: out })
    }
}

fn decode<R: Record>(data: rusqlite::types::ValueRef<'_>) -> Result<R> {
    let text = data
        .as_str()
        .map_err(|e| StoreError::Corrupt(format!("a record's data is not text: {e}")))?;
    Ok(serde_json::from_str(&crate::packing::unpack(text)?)?)
}

/// A bound value as SQLite stores it (booleans as 0/1, decimals as their text), as
/// [`read::bind`] binds it through sqlx.
fn value(v: &Val) -> Value {
    match v {
        Val::Text(t) => t.clone().map_or(Value::Null, Value::Text),
        Val::Int(i) => i.map_or(Value::Null, Value::Integer),
        Val::Bool(b) => Value::Integer(i64::from(*b)),
        Val::Decimal(d) => d.map_or(Value::Null, |d| Value::Text(d.to_string())),
    }
}

#[allow(dead_code)]
fn _kinds_are_covered(k: Kind) {
    // Every kind binds through `value`; a new kind must be added there too.
    match k {
        Kind::Text | Kind::Int | Kind::Bool | Kind::Decimal => {}
    }
}
