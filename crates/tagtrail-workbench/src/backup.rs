//! Backups of the workbench's database as one portable file, and restores from one (issue 10:
//! "each restore refused unless the restored audit chain verifies").
//!
//! The file is the same whichever backend wrote it, so a SQLite workbench restores into
//! PostgreSQL and back. It is gzip'd JSON lines: a header, then one line per row, table by table
//! in foreign-key order (a row's references are always restored before it):
//!
//! ```text
//! {"format":"tagtrail-workbench-backup","version":1,"tagtrail":"0.1.0","backend":"sqlite",
//!  "created_at":…,"rows":{"companies":1,…,"compliance_events":42},"audit_head":{"seq":42,"hash":…}}
//! {"table":"companies","row":{"id":1,"name":"…","metrc_url":"…","created_at":"…"}}
//! …
//! ```
//!
//! Every column is an integer or text (times are text), so a value is a JSON number, string or
//! null, and travels exactly as stored. Two tables are left out: `_sqlx_migrations` (the target
//! has its own, made when it was opened) and `sessions`: sign-ins are bearer credentials, not
//! records, and a restore that revived them would let a browser signed out since the backup back
//! in, so after a restore everyone signs in again.
//!
//! The Metrc keys and TOTP secrets stay sealed as they are under the operator's key-encryption
//! key, which is never in the database and so never in a backup: it must be kept separately. A
//! restore opened with another key succeeds, but those secrets will not open.
//!
//! A backup reads everything in one read transaction (a consistent snapshot while a server
//! writes). A restore runs in one write transaction: it refuses a database that holds any row,
//! writes every row, verifies the audit chain from genesis inside that transaction and checks it
//! ends at the head the header names, and commits only then; otherwise it rolls back and the
//! target stays as empty as it was found.

use crate::audit::verify_on;
use crate::db::{Backend, classify};
use crate::{Result, WbError, Workbench, now, ts};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// The `format` of a backup file's header.
pub const FORMAT: &str = "tagtrail-workbench-backup";
/// The newest version of the format this release writes and reads.
pub const VERSION: u32 = 1;

/// Every table a backup holds, in foreign-key order, each with the columns that order its rows
/// (its primary key, so a backup of the same data is the same file).
const TABLES: &[(&str, &str)] = &[
    ("companies", "id"),
    ("licenses", "id"),
    ("users", "id"),
    ("roles", "user_id, license_id, role"),
    ("metrc_credentials", "id"),
    ("sync_runs", "id"),
    ("sync_cursors", "license_id, entity"),
    ("metrc_records", "license_id, entity, record_key"),
    ("snapshots", "id"),
    ("package_lineage", "license_id, child_label, parent_label"),
    ("metrc_api_response_hashes", "sha256"),
    ("metrc_api_requests", "id"),
    ("submissions", "id"),
    ("batches", "id"),
    ("batch_lines", "id"),
    ("batch_explanations", "batch_id"),
    ("batch_submissions", "batch_id, submission_id"),
    ("coa_documents", "id"),
    ("label_claims", "license_id, label"),
    ("holds", "id"),
    ("qa_reviews", "id"),
    ("expectations", "license_id, label"),
    ("physical_counts", "id"),
    ("reconciliation_reports", "id"),
    ("exceptions", "id"),
    ("compliance_events", "seq"),
];

/// Left out of a backup on purpose (see the module doc), but a restore target must not hold
/// any either.
const SESSIONS: &str = "sessions";

/// Rows read per statement: a synced record carries its whole JSON, so a page at a time keeps
/// memory flat.
const PAGE: i64 = 500;

/// The first line of a backup: what it holds, so a restore can tell a complete file from a
/// truncated one and the restored chain from the one that was copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    /// The tagtrail release that wrote it.
    pub tagtrail: String,
    /// The backend it was taken from (`sqlite` or `postgres`); informative.
    pub backend: String,
    pub created_at: String,
    /// Rows per table, as written.
    pub rows: BTreeMap<String, i64>,
    /// The newest audit entry; none for a workbench that has recorded nothing.
    pub audit_head: Option<AuditHead>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    table: String,
    row: Map<String, Value>,
}

/// What a restore did, or why it kept nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreOutcome {
    /// Committed: the restored audit chain verifies and ends at the header's head.
    Restored(Header),
    /// Nothing was written: the target already holds rows (which table, in words).
    TargetNotEmpty(String),
    /// Nothing was kept: the file is not a backup this release reads, is incomplete, or its
    /// audit chain does not verify. `problem` names the first bad entry or line.
    Refused { problem: String },
}

fn io(what: &str, e: impl std::fmt::Display) -> WbError {
    WbError::Invalid(format!("{what}: {e}"))
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// The SQLite file a database URL names, if it is one: the CLI refuses to back up a file that
/// does not exist, because opening it would create an empty workbench and back that up.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    match classify(url) {
        Ok((Backend::Sqlite, path)) => Some(PathBuf::from(path)),
        _ => None,
    }
}

/// A table's columns in the database at hand, each with whether it holds integers. Read from
/// the database rather than written down here, so a column a later migration adds is backed up
/// without a change to this module.
async fn columns(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<Vec<(String, bool)>> {
    let rows = match backend {
        Backend::Sqlite => {
            sqlx::query("SELECT name, type AS data_type FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut *conn)
                .await?
        }
        Backend::Postgres => {
            sqlx::query(
                "SELECT CAST(column_name AS TEXT) AS name, CAST(data_type AS TEXT) AS data_type \
                 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 \
                 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    rows.iter()
        .map(|r| {
            let name: String = r.try_get("name")?;
            let ty: String = r.try_get("data_type")?;
            Ok((name, ty.to_ascii_uppercase().contains("INT")))
        })
        .collect()
}

async fn count_rows(conn: &mut AnyConnection, table: &str) -> Result<i64> {
    Ok(sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?)
}

async fn audit_head(conn: &mut AnyConnection) -> Result<Option<AuditHead>> {
    let row = sqlx::query("SELECT seq, hash FROM compliance_events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok(AuditHead {
            seq: r.try_get("seq")?,
            hash: r.try_get("hash")?,
        })
    })
    .transpose()
}

/// One stored value as JSON: the column's own type first, then the other, so a value is never
/// lost to a declared type SQLite did not enforce.
fn value_of(r: &sqlx::any::AnyRow, i: usize, integer: bool) -> Result<Value> {
    let as_int = |r: &sqlx::any::AnyRow| r.try_get::<Option<i64>, _>(i).map(|v| v.map(Value::from));
    let as_text = |r: &sqlx::any::AnyRow| {
        r.try_get::<Option<String>, _>(i)
            .map(|v| v.map(Value::from))
    };
    let v = if integer {
        as_int(r).or_else(|_| as_text(r))?
    } else {
        as_text(r).or_else(|_| as_int(r))?
    };
    Ok(v.unwrap_or(Value::Null))
}

fn write_line<W: Write>(out: &mut W, value: &impl Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(|e| io("writing the backup", e))?;
    out.write_all(b"\n")
        .map_err(|e| io("writing the backup", e))?;
    Ok(())
}

impl Workbench {
    /// Rows per table (every table, `sessions` included), for a restore's emptiness check and
    /// for an operator comparing a restore with its backup.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let mut conn = self.db.pool.acquire().await?;
        let mut out = vec![];
        for table in TABLES.iter().map(|t| t.0).chain([SESSIONS]) {
            out.push((table.to_string(), count_rows(&mut conn, table).await?));
        }
        Ok(out)
    }

    /// Writes a backup of the whole workbench to `out` (see the module doc) and returns its
    /// header. The file is written beside `out` as `out.partial`, flushed to disk and only then
    /// renamed, so an interrupted backup never sits under the name of a good one; an existing
    /// `out` is never overwritten: it may be the only good copy.
    pub async fn backup(&self, out: &Path) -> Result<Header> {
        if out.exists() {
            return Err(WbError::Conflict(format!(
                "{} exists; a backup never overwrites a file (it may be the only good copy)",
                out.display()
            )));
        }
        // The backups' directory is made on first use, as the ledger's backup does.
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| io(&format!("creating {}", dir.display()), e))?;
        }
        let mut partial = out.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let written = async {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&partial)
                .map_err(|e| io(&format!("creating {}", partial.display()), e))?;
            let mut gz = flate2::write::GzEncoder::new(
                std::io::BufWriter::new(file),
                flate2::Compression::default(),
            );
            let header = self.backup_to(&mut gz).await?;
            let file = gz
                .finish()
                .map_err(|e| io("writing the backup", e))?
                .into_inner()
                .map_err(|e| io("writing the backup", e.into_error()))?;
            file.sync_all().map_err(|e| io("writing the backup", e))?;
            Ok::<_, WbError>(header)
        }
        .await;
        let header = match written {
            Ok(h) => h,
            Err(e) => {
                // A partial file left behind would only mislead; the error says what happened.
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        if let Err(e) = std::fs::rename(&partial, out) {
            let _ = std::fs::remove_file(&partial);
            return Err(io(&format!("renaming to {}", out.display()), e));
        }
        // The rename is durable only once its directory is synced (POSIX); where a directory
        // cannot be opened as a file this is skipped, the data itself is on disk regardless.
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = std::fs::File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(header)
    }

    /// Writes the backup's lines to `out` from one snapshot. The header needs every table's
    /// count before the first row, and the snapshot guarantees the rows that follow match it.
    ///
    /// `out` is written with blocking calls between the snapshot's reads: a backup is an
    /// operator's command with nothing else on its runtime, and rows come a page at a time.
    async fn backup_to<W: Write>(&self, out: &mut W) -> Result<Header> {
        let backend = self.db.backend;
        // A consistent snapshot without blocking writers: on SQLite (WAL) a deferred read
        // transaction sees the database as of its first read; on PostgreSQL REPEATABLE READ
        // sees it as of its first statement.
        let mut tx = match backend {
            Backend::Sqlite => self.db.pool.begin_with("BEGIN").await?,
            Backend::Postgres => {
                self.db
                    .pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
        };
        let conn: &mut AnyConnection = &mut tx;
        let audit_head = audit_head(conn).await?;
        let mut rows = BTreeMap::new();
        for (table, _) in TABLES {
            rows.insert(table.to_string(), count_rows(conn, table).await?);
        }
        let header = Header {
            format: FORMAT.into(),
            version: VERSION,
            tagtrail: env!("CARGO_PKG_VERSION").into(),
            backend: backend_name(backend).into(),
            created_at: ts(now()),
            rows,
            audit_head,
        };
        write_line(out, &header)?;
        for (table, order) in TABLES {
            let cols = columns(conn, backend, table).await?;
            let list = cols
                .iter()
                .map(|c| c.0.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let mut offset = 0i64;
            loop {
                // Paging by offset is safe here: the snapshot does not change between pages.
                let page = sqlx::query(&format!(
                    "SELECT {list} FROM {table} ORDER BY {order} LIMIT $1 OFFSET $2"
                ))
                .bind(PAGE)
                .bind(offset)
                .fetch_all(&mut *conn)
                .await?;
                for r in &page {
                    let mut row = Map::new();
                    for (i, (name, integer)) in cols.iter().enumerate() {
                        row.insert(name.clone(), value_of(r, i, *integer)?);
                    }
                    write_line(
                        out,
                        &Line {
                            table: table.to_string(),
                            row,
                        },
                    )?;
                }
                if (page.len() as i64) < PAGE {
                    break;
                }
                offset += PAGE;
            }
        }
        out.flush().map_err(|e| io("writing the backup", e))?;
        tx.commit().await?;
        Ok(header)
    }

    /// Restores the backup file `from` into this workbench's database, which must hold no row.
    /// Everything is written in one transaction, which commits only if the restored audit chain
    /// verifies from genesis and ends at the head the header names; otherwise it rolls back.
    pub async fn restore(&self, from: &Path) -> Result<RestoreOutcome> {
        let file =
            std::fs::File::open(from).map_err(|e| io(&format!("reading {}", from.display()), e))?;
        let mut lines = BufReader::new(flate2::read::GzDecoder::new(file)).lines();
        let header: Header = match lines.next() {
            Some(Ok(line)) => match serde_json::from_str(&line) {
                Ok(h) => h,
                Err(e) => {
                    return Ok(RestoreOutcome::Refused {
                        problem: format!("the first line is not a workbench backup header: {e}"),
                    });
                }
            },
            Some(Err(e)) => {
                return Ok(RestoreOutcome::Refused {
                    problem: format!("{} is not a gzip'd workbench backup: {e}", from.display()),
                });
            }
            None => {
                return Ok(RestoreOutcome::Refused {
                    problem: format!("{} is empty", from.display()),
                });
            }
        };
        if header.format != FORMAT || header.version > VERSION {
            return Ok(RestoreOutcome::Refused {
                problem: format!(
                    "{} is a {} version {} file; this release reads {FORMAT} up to version {VERSION}",
                    from.display(),
                    header.format,
                    header.version
                ),
            });
        }
        let mut tx = self.db.begin().await?;
        for table in TABLES.iter().map(|t| t.0).chain([SESSIONS]) {
            let n = count_rows(&mut tx.tx, table).await?;
            if n > 0 {
                return Ok(RestoreOutcome::TargetNotEmpty(format!(
                    "its table {table} holds {n} rows"
                )));
            }
        }
        match self.restore_rows(&mut tx.tx, &header, lines).await? {
            Some(problem) => {
                // Dropping the transaction would roll back too; saying so is clearer.
                tx.tx.rollback().await?;
                Ok(RestoreOutcome::Refused { problem })
            }
            None => {
                tx.commit().await?;
                Ok(RestoreOutcome::Restored(header))
            }
        }
    }

    /// Writes the rows and checks them; `Some(problem)` when the transaction must roll back.
    async fn restore_rows<R: BufRead>(
        &self,
        conn: &mut AnyConnection,
        header: &Header,
        lines: std::io::Lines<R>,
    ) -> Result<Option<String>> {
        let backend = self.db.backend;
        let rank: HashMap<&str, usize> = TABLES.iter().enumerate().map(|(i, t)| (t.0, i)).collect();
        let mut schema: HashMap<String, HashMap<String, bool>> = HashMap::new();
        for (table, _) in TABLES {
            let cols = columns(conn, backend, table).await?;
            schema.insert(table.to_string(), cols.into_iter().collect());
        }
        let mut written: BTreeMap<String, i64> = BTreeMap::new();
        let mut last_rank = 0usize;
        for (n, line) in lines.enumerate() {
            let line_no = n + 2;
            let line = match line {
                Ok(l) => l,
                Err(e) => {
                    return Ok(Some(format!(
                        "line {line_no} cannot be read (a truncated or damaged file?): {e}"
                    )));
                }
            };
            let Line { table, row } = match serde_json::from_str(&line) {
                Ok(l) => l,
                Err(e) => return Ok(Some(format!("line {line_no} is not a row: {e}"))),
            };
            let (Some(&r), Some(cols)) = (rank.get(table.as_str()), schema.get(&table)) else {
                return Ok(Some(format!(
                    "line {line_no} names table {table}, which a backup does not hold"
                )));
            };
            // Tables come in foreign-key order; a row out of it would fail on a reference, or
            // worse, succeed against a file that was put together by hand.
            if r < last_rank {
                return Ok(Some(format!(
                    "line {line_no}: table {table} comes after its place in the file"
                )));
            }
            last_rank = r;
            let mut names = vec![];
            let mut values = vec![];
            for (name, value) in row {
                let Some(&integer) = cols.get(&name) else {
                    return Ok(Some(format!(
                        "line {line_no}: table {table} has no column {name}"
                    )));
                };
                names.push(name);
                values.push((integer, value));
            }
            let marks = (1..=names.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES ({marks})",
                names.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for (integer, value) in values {
                // A NULL is bound with its column's type: PostgreSQL refuses a text NULL for a
                // bigint column.
                q = match (value, integer) {
                    (Value::Null, true) => q.bind(None::<i64>),
                    (Value::Null, false) => q.bind(None::<String>),
                    (Value::Number(v), _) => match v.as_i64() {
                        Some(v) => q.bind(v),
                        None => {
                            return Ok(Some(format!(
                                "line {line_no}: {table} holds {v}, not an integer"
                            )));
                        }
                    },
                    (Value::String(s), _) => q.bind(s),
                    (other, _) => {
                        return Ok(Some(format!(
                            "line {line_no}: {table} holds {other}, which no column stores"
                        )));
                    }
                };
            }
            if let Err(e) = q.execute(&mut *conn).await {
                return Ok(Some(format!(
                    "line {line_no}: a row of {table} cannot be written: {e}"
                )));
            }
            *written.entry(table).or_default() += 1;
        }
        for (table, _) in TABLES {
            let expected = header.rows.get(*table).copied().unwrap_or(0);
            let got = written.get(*table).copied().unwrap_or(0);
            if got != expected {
                return Ok(Some(format!(
                    "the header names {expected} rows of {table} but the file holds {got} (a truncated file?)"
                )));
            }
        }
        if backend == Backend::Postgres {
            // Rows came with their ids, which an identity column does not notice: without this
            // the next company, user or submission would collide with a restored one.
            for (table, cols) in &schema {
                if cols.contains_key("id") {
                    sqlx::query(&format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}"
                    ))
                    .execute(&mut *conn)
                    .await?;
                }
            }
        }
        let verified = verify_on(conn).await?;
        if let Some(b) = verified.problem {
            return Ok(Some(format!(
                "audit entry {} does not verify after {} good entries: {}",
                b.seq, verified.entries, b.problem
            )));
        }
        let head = audit_head(conn).await?;
        if head != header.audit_head {
            let words = |h: &Option<AuditHead>| match h {
                Some(h) => format!("entry {} hash {}", h.seq, h.hash),
                None => "no entries".into(),
            };
            return Ok(Some(format!(
                "the restored audit chain ends at {} but the backup names {}",
                words(&head),
                words(&header.audit_head)
            )));
        }
        // What happened after the backup is not in it: an approved or submitted submission may
        // have reached Metrc since. Each counts as attempted from the backup's time, so that its
        // next attempt first asks Metrc by natural key and sends only what is not there (exactly
        // once across a restore).
        let marked = sqlx::query(
            "UPDATE submissions SET attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, $1), lease_until = NULL \
             WHERE state IN ('approved', 'submitted')",
        )
        .bind(&header.created_at)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if marked > 0 {
            tracing::info!(
                marked,
                "restored approved and submitted submissions will be read back from Metrc before any is sent"
            );
        }
        Ok(None)
    }
}
