//! The tagtrail workbench: a licensee's compliance app (seed 003, "the workflow brain, not a
//! shadow version of METRC"). It has its own database and its own users, and knows Metrc only
//! through the Metrc v2 HTTP API ([`tagtrail_metrc::client::Client`]), so it runs the same
//! against real Metrc, a Metrc sandbox or a tagtrail ledger.
//!
//! [`Workbench`] is the application layer and the only way to the database (the `db` module is
//! private): people and roles ([`people`]), Metrc keys ([`credentials`]), the sync
//! ([`sync`]), the submission outbox ([`outbox`]) with its manifest tasks ([`manifests`]),
//! production batches ([`batches`]) and the recall query ([`lineage`]), distribution's release
//! gate ([`release`]), reconciliation ([`reconcile`]) and the
//! audit log ([`audit`]). The rules live in `tagtrail-workbench-model`, which does no I/O.

pub mod audit;
pub mod backup;
pub mod batches;
pub mod credentials;
mod db;
pub mod lineage;
pub mod manifests;
pub mod metrc;
pub mod outbox;
pub mod people;
pub mod reconcile;
pub mod release;
pub mod sync;
pub mod vault;

pub use db::Backend;
pub use tagtrail_workbench_model as model;

use chrono::{SubsecRound, TimeDelta, Utc};
use std::sync::Arc;
use std::time::Duration;
use tagtrail_domain::time::Timestamp;
use tagtrail_workbench_model::window::Policy;

#[derive(Debug, thiserror::Error)]
pub enum WbError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} was not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the user name, password or code is not right")]
    SignIn,
    #[error("a stored secret could not be opened with this key-encryption key")]
    Crypto,
    #[error("Metrc: {0}")]
    Metrc(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = WbError> = std::result::Result<T, E>;

/// Which environment an installation is: keys are stored for one environment and production
/// Metrc keys are refused anywhere but production (seed 003 §06: separate dev/staging/prod).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Dev,
    Staging,
    Prod,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Dev => "dev",
            Environment::Staging => "staging",
            Environment::Prod => "prod",
        }
    }

    pub fn parse(s: &str) -> Result<Environment, String> {
        match s.trim() {
            "dev" => Ok(Environment::Dev),
            "staging" => Ok(Environment::Staging),
            "prod" | "production" => Ok(Environment::Prod),
            other => Err(format!(
                "environment must be dev, staging or prod, not {other}"
            )),
        }
    }
}

/// Whether a Metrc URL is a state's production API (`https://api-ca.metrc.com`), as opposed to
/// a sandbox (`sandbox-api-ca.metrc.com`) or anything else (a tagtrail ledger).
pub fn is_production_metrc(url: &str) -> bool {
    let host = url
        .split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', ':'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    host.starts_with("api-") && host.ends_with(".metrc.com")
}

#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    /// Sync windows: at most this wide, each overlapping the one before.
    pub window: Policy,
    /// How far back a first sync reaches for records Metrc lists only by window.
    pub first_sync_since: TimeDelta,
    /// Requests per second the client allows itself, per license: under Metrc's published
    /// 50 per facility (and the ledger's default) with room for the licensee's other tools.
    pub rate_limit_per_second: u32,
    pub request_timeout: Duration,
    pub session_lifetime: TimeDelta,
    /// How long a confirmed second factor counts for approving.
    pub second_factor_lifetime: TimeDelta,
    /// Days before a key's expiry the dashboard starts reminding.
    pub key_expiry_warning_days: i64,
    /// How long one outbox attempt owns a submission; a worker that dies holding it delays the
    /// next attempt by at most this.
    pub submission_lease: TimeDelta,
    /// How many submissions the outbox sends at once (under the server's concurrency limit).
    pub outbox_concurrency: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            environment: Environment::Dev,
            window: Policy {
                max_width: TimeDelta::hours(24),
                overlap: TimeDelta::minutes(5),
            },
            first_sync_since: TimeDelta::days(30),
            rate_limit_per_second: 40,
            request_timeout: Duration::from_secs(30),
            session_lifetime: TimeDelta::hours(12),
            second_factor_lifetime: TimeDelta::minutes(15),
            key_expiry_warning_days: 30,
            submission_lease: TimeDelta::seconds(120),
            outbox_concurrency: 4,
        }
    }
}

/// The workbench: its database, its key-encryption key and its settings.
#[derive(Clone)]
pub struct Workbench {
    db: db::Db,
    kek: Arc<vault::Kek>,
    config: Arc<Config>,
    /// One HTTP client for every Metrc request: its connection pool and TLS set-up are shared
    /// (each license's keys go on each request, never on the client).
    http: reqwest::Client,
}

impl std::fmt::Debug for Workbench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workbench")
            .field("backend", &self.db.backend)
            .finish_non_exhaustive()
    }
}

pub(crate) fn now() -> Timestamp {
    Utc::now().trunc_subsecs(6)
}

pub(crate) fn ts(t: Timestamp) -> String {
    tagtrail_domain::time::format(t)
}

pub(crate) fn parse_ts(s: &str) -> Option<Timestamp> {
    tagtrail_domain::time::parse_instant(s)
}

impl Workbench {
    /// Opens (creating if needed) the workbench database at `url` and applies migrations.
    pub async fn open(url: &str, kek: vault::Kek, config: Config) -> Result<Workbench> {
        config.window.validate().map_err(WbError::Invalid)?;
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| WbError::Invalid(format!("HTTP client: {e}")))?;
        Ok(Workbench {
            db: db::Db::open(url).await?,
            kek: Arc::new(kek),
            config: Arc::new(config),
            http,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn backend(&self) -> Backend {
        self.db.backend
    }

    pub async fn close(&self) {
        self.db.pool.close().await;
    }
}
