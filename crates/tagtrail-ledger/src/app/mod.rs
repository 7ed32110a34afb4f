//! The application layer. Every regulated write takes one path:
//! authorize → load → decide (pure, in `tagtrail_domain::commands`) → append to the journal →
//! update projections, all in one transaction ([`Ledger::commit`]). HTTP handlers, the web UI,
//! the admin CLI and the demo seeder all call these functions; none writes to the store itself.

mod admin;
mod auth;
mod catalog;
mod lab;
mod packages;
mod premises;
mod tags;
mod transfers;
mod transporters;

pub use admin::Credentials;
pub use auth::{hash_key, new_key};
pub use lab::NewDocument;
pub use packages::{Lineage, Refs};
pub use transfers::{Loaded, ManifestKind, ManifestRequest, spec_of};

use crate::config::Config;
use serde_json::Value;
use std::collections::HashMap;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::Ctx;
use tagtrail_domain::journal::{Actor, Change, Draft};
use tagtrail_domain::records::Record;
use tagtrail_domain::records::{Employment, Facility, User};
use tagtrail_domain::time;
use tagtrail_store::{Store, StoreError, WriteTx};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Rejected(#[from] Rejection),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type AppResult<T> = Result<T, AppError>;

/// Who is acting, and through what.
#[derive(Debug, Clone)]
pub struct Acting {
    pub user: Option<User>,
    pub vendor_key_id: Option<i64>,
    /// `api`, `web` or `operator:<name>`.
    pub channel: String,
}

impl Acting {
    pub fn operator(name: &str) -> Self {
        Acting {
            user: None,
            vendor_key_id: None,
            channel: format!("operator:{name}"),
        }
    }

    fn actor(&self) -> Actor {
        Actor {
            employee_id: self.user.as_ref().map(|u| u.id),
            vendor_key_id: self.vendor_key_id,
            name: match &self.user {
                Some(u) => format!("{}:{}", self.channel, u.username),
                None => self.channel.clone(),
            },
        }
    }
}

/// A facility the caller may act for, with the employment that allows it.
#[derive(Debug, Clone)]
pub struct Scope {
    pub facility: Facility,
    pub employment: Option<Employment>,
}

impl Scope {
    pub fn license(&self) -> &str {
        &self.facility.license_number
    }
}

/// What a committed write produced.
#[derive(Debug, Clone)]
pub struct Written {
    pub seq: i64,
    pub ids: Vec<i64>,
    pub warnings: Vec<String>,
}

/// What a decision produced: the rows to write, the ids to answer with, late-entry warnings.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub changes: Vec<Change>,
    pub ids: Vec<i64>,
    pub warnings: Vec<String>,
}

impl Outcome {
    /// Writes `records` and answers with their ids.
    pub fn of<R: Record>(records: &[R]) -> Self {
        Outcome {
            changes: records.iter().map(Record::to_change).collect(),
            ids: records.iter().map(Record::id).collect(),
            warnings: vec![],
        }
    }

    /// Also writes `records` (sources drawn on, tags used, lineage edges…) without answering
    /// with their ids.
    pub fn and<R: Record>(mut self, records: &[R]) -> Self {
        self.changes.extend(records.iter().map(Record::to_change));
        self
    }

    pub fn warn(mut self, warnings: Vec<String>) -> Self {
        self.warnings = warnings;
        self
    }
}

/// Describes one regulated write for the journal: the endpoint as `METHOD /path`, the reason
/// given (or the endpoint's summary), and the request as received.
#[derive(Debug, Clone)]
pub struct Action {
    pub endpoint: String,
    pub reason: String,
    pub request: Value,
}

impl Action {
    pub fn new(endpoint: &str, reason: Option<&str>, default_reason: &str, request: Value) -> Self {
        let reason = reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .unwrap_or(default_reason);
        Action {
            endpoint: endpoint.to_string(),
            reason: reason.to_string(),
            request,
        }
    }
}

#[derive(Clone)]
pub struct Ledger {
    pub store: Store,
    pub config: Config,
}

impl Ledger {
    /// The shape every create-or-update of a named record shares: load the facility's active
    /// records the request names (by lookup key) and the ones it addresses by id, decide, commit.
    /// `key` must fold a spec's name the way the record's `lookup` does.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn upsert_named<R: Record + Clone, S>(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[S],
        key: impl Fn(&S) -> Option<String>,
        id: impl Fn(&S) -> Option<i64>,
        decide: impl FnOnce(&Ctx, HashMap<String, R>, HashMap<i64, R>, i64) -> Result<Vec<R>, Rejection>,
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let lic = Some(scope.license());
        let mut tx = self.store.begin().await?;
        let keys: Vec<String> = specs.iter().filter_map(&key).collect();
        let by_key = tx
            .find_many::<R>(lic, &keys, Some(true))
            .await?
            .into_iter()
            .filter_map(|r| r.lookup().map(|k| (k, r)))
            .collect();
        let mut by_id = HashMap::new();
        for i in specs.iter().filter_map(&id) {
            if let Some(r) = tx.get::<R>(i).await?.filter(|r: &R| r.license() == lic) {
                by_id.insert(i, r);
            }
        }
        let rows = decide(&ctx, by_key, by_id, tx.next_id::<R>().await?)?;
        self.commit(tx, who, lic, action, &now, Outcome::of(&rows))
            .await
    }

    pub fn new(store: Store, config: Config) -> Self {
        Ledger { store, config }
    }

    pub fn now_string() -> String {
        time::format(chrono::Utc::now())
    }

    fn ctx<'a>(scope: &'a Scope, now: &str) -> Ctx<'a> {
        Ctx {
            facility: &scope.facility,
            now: now.to_string(),
        }
    }

    /// The last step of every write: seal the journal entry, project its changes, commit.
    async fn commit(
        &self,
        mut tx: WriteTx,
        who: &Acting,
        license: Option<&str>,
        action: Action,
        now: &str,
        outcome: Outcome,
    ) -> AppResult<Written> {
        let Outcome {
            changes,
            ids,
            warnings,
        } = outcome;
        let entry = tx
            .append(Draft {
                recorded_at: now.to_string(),
                license_number: license.map(str::to_string),
                actor: who.actor(),
                endpoint: action.endpoint,
                reason: action.reason,
                request: action.request,
                result_ids: ids.clone(),
                changes,
            })
            .await?;
        tx.commit().await?;
        Ok(Written {
            seq: entry.seq,
            ids,
            warnings,
        })
    }
}
