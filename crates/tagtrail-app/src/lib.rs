//! The application layer of the tagtrail ledger, and the only crate that touches storage.
//!
//! Every regulated write is an [`Action`] (or, for the operator's licensing work, a
//! [`SystemAction`]) defined once in [`actions`], and every door (the HTTP API, the web UI, the
//! admin CLI, the demo seeder, the bench) runs it through [`Ledger::run`]: authorize → load →
//! decide (pure, in `tagtrail_domain::commands`) → append to the journal → project, in one
//! transaction. Reads go through the scoped queries in [`reads`]. Doors receive an [`Acting`]
//! only from authentication and a [`Scope`] only from authorization; a door cannot make one:
//!
//! ```compile_fail
//! fn forge(facility: tagtrail_domain::records::Facility) -> tagtrail_app::Scope {
//!     tagtrail_app::Scope { acting: tagtrail_app::Acting::operator("x"), facility, access: todo!() }
//! }
//! ```
//!
//! nor reach the store around the write path:
//!
//! ```compile_fail
//! async fn around(ledger: &tagtrail_app::Ledger) {
//!     let _ = ledger.store.begin().await;
//! }
//! ```

mod action;
pub mod actions;
pub mod audit;
pub mod backup;
pub mod changes;
pub mod checkpoints;
mod config;
mod door;
mod error;
mod identity;
pub mod imports;
pub mod reads;
mod sessions;
pub mod webhooks;

pub use action::{Action, Allowed, Context, Definition, Needs, Outcome, SystemAction, Written};
pub use config::{Config, RateLimits, SIGN_IN_QUEUE, ServerLimits};
pub use door::{Door, DoorKind};
pub use error::{AppError, AppResult};
pub use identity::{Acting, Scope, hash_key, new_key};
pub use sessions::{MAX_FLASH, SESSION_HOURS, Session, WebSession};

use tagtrail_store::Store;

/// The ledger: its store (private to this crate) and its configured limits.
#[derive(Clone)]
pub struct Ledger {
    store: Store,
    pub config: Config,
    /// Wakes the webhook delivery worker after each committed write.
    webhook_wake: std::sync::Arc<webhooks::WebhookWake>,
    /// Password checks under way or waiting (see [`Config::password_checks`]).
    password_gate: std::sync::Arc<identity::PasswordGate>,
    /// Callers and scopes under the identity epoch (see `identity::cache`).
    identity_cache: std::sync::Arc<identity::IdentityCache>,
}

impl Ledger {
    /// Opens (creating if needed) the database at `url`: a SQLite path or a `postgres://` URL.
    pub async fn open(url: &str, config: Config) -> AppResult<Ledger> {
        Ok(Ledger {
            store: Store::open(url).await?,
            password_gate: std::sync::Arc::new(identity::PasswordGate::new(config.password_checks)),
            config,
            webhook_wake: Default::default(),
            identity_cache: Default::default(),
        })
    }

    /// Whether GET rate limits are kept in the database, shared by every node serving it
    /// (PostgreSQL with [`Config::shared_rate_limits`]), rather than in this process.
    pub fn shares_rate_limits(&self) -> bool {
        self.config.shared_rate_limits && self.store.backend() == tagtrail_store::Backend::Postgres
    }

    /// Admits one request against every `(key, interval, tolerance)` GCRA rate, or none, in the
    /// database's shared rate cells: `None` when admitted, else the index of the first key
    /// without room (see [`Ledger::shares_rate_limits`]).
    pub async fn rate_admit(
        &self,
        keys: &[(&str, std::time::Duration, std::time::Duration)],
    ) -> AppResult<Option<usize>> {
        Ok(self.store.rate_admit(keys).await?)
    }

    /// The bytes the database takes (see [`tagtrail_store::Store::database_bytes`]).
    pub async fn database_bytes(&self) -> AppResult<u64> {
        Ok(self.store.database_bytes().await?)
    }

    /// Which database the ledger runs on (`sqlite` or `postgres`), for messages.
    pub fn backend_name(&self) -> &'static str {
        match self.store.backend() {
            tagtrail_store::Backend::Sqlite => "sqlite",
            tagtrail_store::Backend::Postgres => "postgres",
        }
    }

    pub async fn close(&self) {
        self.store.close().await;
    }

    /// Shifts the ledger's clock by `seconds` (negative: behind), for sandbox mode: the time
    /// stamped on journal entries (and so `LastModified`) and the horizon of windowed reads.
    /// Stamps still never fall at or before the journal head, and horizons never go back, so
    /// setting it back on a ledger with recent entries holds new stamps just after the head
    /// until the shifted clock passes it. Offsets beyond ten years either way are refused.
    pub fn set_clock_offset(&self, seconds: i64) -> AppResult<()> {
        if seconds.unsigned_abs() > MAX_CLOCK_OFFSET_SECONDS {
            let max = MAX_CLOCK_OFFSET_SECONDS;
            let msg =
                format!("The clock offset must be within {max} seconds (ten years) either way.");
            return Err(tagtrail_domain::Rejection::Invalid(msg).into());
        }
        self.store
            .set_clock_offset(chrono::TimeDelta::seconds(seconds));
        Ok(())
    }

    /// The clock offset in seconds (zero unless sandbox mode set one).
    pub fn clock_offset(&self) -> i64 {
        self.store.clock_offset().num_seconds()
    }

    /// The ledger's "now": the system clock with the clock offset.
    pub fn now(&self) -> tagtrail_domain::time::Timestamp {
        self.store.now()
    }
}

/// The largest clock offset [`Ledger::set_clock_offset`] accepts: ten years of 365.25 days, far
/// beyond any drift worth playing and far inside the range timestamps can be formatted in.
pub const MAX_CLOCK_OFFSET_SECONDS: u64 = 315_576_000;
