//! The audit log: every action the workbench takes is appended to `compliance_events`, hash
//! chained (`model::chain`), inside the same transaction as the action's own writes, so an
//! action without its audit entry cannot exist and an entry cannot be changed without
//! `workbench audit verify` finding it.

use crate::db::WriteTx;
use crate::people::{Caller, LicenseCtx};
use crate::{Result, WbError, Workbench, now, ts};
use sqlx::{AnyConnection, Row};
use tagtrail_workbench_model::chain::{self, Entry, GENESIS};

/// How an action reached the workbench.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    Web,
    Cli,
    Sync,
    Outbox,
}

impl Door {
    pub fn as_str(self) -> &'static str {
        match self {
            Door::Web => "web",
            Door::Cli => "cli",
            Door::Sync => "sync",
            Door::Outbox => "outbox",
        }
    }
}

/// One action to record.
#[derive(Debug, Clone, Default)]
pub struct Event {
    pub company_id: Option<i64>,
    pub license_number: Option<String>,
    pub user_id: Option<i64>,
    pub action: String,
    pub reason: String,
    pub endpoint: Option<String>,
    pub request: Option<String>,
    pub response_status: Option<i64>,
    pub response_sha256: Option<String>,
}

impl Event {
    pub fn new(action: impl Into<String>, reason: impl Into<String>) -> Event {
        Event {
            action: action.into(),
            reason: reason.into(),
            ..Event::default()
        }
    }

    pub fn by(mut self, caller: &Caller) -> Event {
        self.user_id = Some(caller.user_id);
        self.company_id = caller.company_id;
        self
    }

    pub fn in_license(mut self, l: &LicenseCtx) -> Event {
        self.company_id = Some(l.company_id);
        self.license_number = Some(l.number.clone());
        self
    }

    pub fn request(mut self, r: impl Into<String>) -> Event {
        self.request = Some(r.into());
        self
    }
}

/// Appends `event` to the chain inside `tx` (which holds the write lock).
pub(crate) async fn append(tx: &mut WriteTx, door: Door, event: Event) -> Result<i64> {
    let head = sqlx::query("SELECT seq, hash FROM compliance_events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *tx.tx)
        .await?;
    let (seq, prev) = match head {
        Some(r) => (
            r.try_get::<i64, _>("seq")? + 1,
            r.try_get::<String, _>("hash")?,
        ),
        None => (1, GENESIS.to_string()),
    };
    let entry = Entry {
        seq,
        at: ts(now()),
        company_id: event.company_id,
        license_number: event.license_number,
        user_id: event.user_id,
        door: door.as_str().into(),
        action: clip(&event.action, 100),
        reason: clip(&event.reason, 1000),
        endpoint: event.endpoint,
        request: event.request.map(|r| clip(&r, 200_000)),
        response_status: event.response_status,
        response_sha256: event.response_sha256,
    };
    let hash = chain::hash(&prev, &entry);
    sqlx::query(
        "INSERT INTO compliance_events (seq, prev_hash, hash, at, company_id, license_number, user_id, door, action, reason, endpoint, request, response_status, response_sha256) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(entry.seq)
    .bind(&prev)
    .bind(&hash)
    .bind(&entry.at)
    .bind(entry.company_id)
    .bind(&entry.license_number)
    .bind(entry.user_id)
    .bind(&entry.door)
    .bind(&entry.action)
    .bind(&entry.reason)
    .bind(&entry.endpoint)
    .bind(&entry.request)
    .bind(entry.response_status)
    .bind(&entry.response_sha256)
    .execute(&mut *tx.tx)
    .await?;
    Ok(seq)
}

/// Cuts text to at most `max` characters on a character boundary.
pub(crate) fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// An audit entry as read back, for pages.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub entry: Entry,
    pub hash: String,
    pub user: Option<String>,
}

/// What `verify` found.
#[derive(Debug, Clone)]
pub struct Verified {
    pub entries: i64,
    pub head: String,
    pub problem: Option<chain::Break>,
}

fn entry_of(r: &sqlx::any::AnyRow) -> Result<(Entry, String, String)> {
    Ok((
        Entry {
            seq: r.try_get("seq")?,
            at: r.try_get("at")?,
            company_id: r.try_get("company_id")?,
            license_number: r.try_get("license_number")?,
            user_id: r.try_get("user_id")?,
            door: r.try_get("door")?,
            action: r.try_get("action")?,
            reason: r.try_get("reason")?,
            endpoint: r.try_get("endpoint")?,
            request: r.try_get("request")?,
            response_status: r.try_get("response_status")?,
            response_sha256: r.try_get("response_sha256")?,
        },
        r.try_get("prev_hash")?,
        r.try_get("hash")?,
    ))
}

const COLUMNS: &str = "seq, prev_hash, hash, at, company_id, license_number, user_id, door, action, reason, endpoint, request, response_status, response_sha256";
const E_COLUMNS: &str = "e.seq, e.prev_hash, e.hash, e.at, e.company_id, e.license_number, e.user_id, e.door, e.action, e.reason, e.endpoint, e.request, e.response_status, e.response_sha256";

/// Walks the whole chain from genesis on `conn`, a page at a time: on the pool for `audit
/// verify`, inside a restore's transaction before it commits.
pub(crate) async fn verify_on(conn: &mut AnyConnection) -> Result<Verified> {
    let mut prev = GENESIS.to_string();
    let mut count = 0i64;
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM compliance_events WHERE seq > $1 ORDER BY seq LIMIT 1000"
        ))
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
        if rows.is_empty() {
            return Ok(Verified {
                entries: count,
                head: prev,
                problem: None,
            });
        }
        for r in &rows {
            let (e, p, h) = entry_of(r)?;
            let expected_seq = count + 1;
            let problem = if e.seq != expected_seq {
                Some(format!(
                    "entry {} follows {} (an entry is missing or inserted)",
                    e.seq, count
                ))
            } else if p != prev {
                Some("its previous hash is not the hash of the entry before it".into())
            } else if chain::hash(&prev, &e) != h {
                Some("its contents do not match its hash (the entry was changed)".into())
            } else {
                None
            };
            if let Some(problem) = problem {
                return Ok(Verified {
                    entries: count,
                    head: prev,
                    problem: Some(chain::Break {
                        seq: e.seq,
                        problem,
                    }),
                });
            }
            prev = h;
            count += 1;
            after = e.seq;
        }
    }
}

impl Workbench {
    /// Walks the whole chain from genesis, a page at a time.
    pub async fn verify_audit(&self) -> Result<Verified> {
        let mut conn = self.db.pool.acquire().await?;
        verify_on(&mut conn).await
    }

    /// The newest entries of one license's context (or the caller's company's entries without a
    /// license), newest first.
    /// One submission's entries in its license's log, newest first: every entry about it
    /// names it first in its reason ("#12 …").
    pub async fn submission_history(&self, license: &LicenseCtx, id: i64) -> Result<Vec<AuditRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {E_COLUMNS}, u.username FROM compliance_events e LEFT JOIN users u ON u.id = e.user_id \
             WHERE e.license_number = $1 AND e.reason LIKE $2 ORDER BY e.seq DESC LIMIT 1000"
        ))
        .bind(&license.number)
        .bind(format!("#{id} %"))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let (entry, _, hash) = entry_of(r)?;
                Ok(AuditRow {
                    entry,
                    hash,
                    user: r.try_get("username")?,
                })
            })
            .collect()
    }

    pub async fn audit_log(
        &self,
        caller: &Caller,
        license: Option<&LicenseCtx>,
        limit: i64,
    ) -> Result<Vec<AuditRow>> {
        let rows = match (license, caller.company_id) {
            (Some(l), _) => {
                sqlx::query(&format!(
                    "SELECT {E_COLUMNS}, u.username FROM compliance_events e LEFT JOIN users u ON u.id = e.user_id \
                     WHERE e.license_number = $1 ORDER BY e.seq DESC LIMIT $2"
                ))
                .bind(&l.number)
                .bind(limit)
                .fetch_all(&self.db.pool)
                .await?
            }
            (None, Some(company)) => {
                sqlx::query(&format!(
                    "SELECT {E_COLUMNS}, u.username FROM compliance_events e LEFT JOIN users u ON u.id = e.user_id \
                     WHERE e.company_id = $1 ORDER BY e.seq DESC LIMIT $2"
                ))
                .bind(company)
                .bind(limit)
                .fetch_all(&self.db.pool)
                .await?
            }
            (None, None) => {
                if !caller.installation_admin {
                    return Err(WbError::Forbidden("no audit log to show".into()));
                }
                // The installation's administrators see the installation's own entries (users,
                // companies, settings), not the licensees' compliance work.
                sqlx::query(&format!(
                    "SELECT {E_COLUMNS}, u.username FROM compliance_events e LEFT JOIN users u ON u.id = e.user_id \
                     WHERE u.installation_admin = 1 ORDER BY e.seq DESC LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(&self.db.pool)
                .await?
            }
        };
        rows.iter()
            .map(|r| {
                let (entry, _, hash) = entry_of(r)?;
                Ok(AuditRow {
                    entry,
                    hash,
                    user: r.try_get("username")?,
                })
            })
            .collect()
    }
}
