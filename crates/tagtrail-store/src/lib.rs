//! Storage for the tagtrail ledger: the append-only, hash-chained journal and the projection
//! tables, on SQLite (the embedded default) or PostgreSQL, with one set of semantics.
//!
//! Both backends are driven through sqlx's `Any` driver with the same SQL. Only the schema
//! differs (the append-only triggers, JSONB and NUMERIC on PostgreSQL), in `migrations/sqlite`
//! and `migrations/postgres`, which carry the same versions. Each projection table has typed
//! columns with constraints (see [`projection`](crate::projection)) beside the record's JSON.
//!
//! Writes are serialized: a write transaction takes the journal head under an exclusive lock
//! (`BEGIN IMMEDIATE` on SQLite, a transaction-scoped advisory lock on PostgreSQL), because the
//! hash chain has exactly one head and every entry must link to the one before it.

pub mod backup;
mod checkpoints;
mod clock;
mod error;
mod feed;
mod group;
mod imports;
mod inline;
mod lead;
mod lineage;
mod many;
mod open;
pub mod packing;
mod projection;
mod read;
pub mod scratch;
mod sessions;
mod synthetic;
mod verify;
mod webhooks;
mod write;

pub use error::StoreError;
pub use feed::{FeedCursor, FeedRow};
pub use imports::{ImportRow, ImportState, NewImport};
pub use lead::Leadership;
pub use lineage::SourceKind;
pub use open::{Backend, Store};
pub use projection::{Column, Val};
pub use read::{Filter, ListQuery, Page};
pub use sessions::SessionRow;
pub use verify::{VerifyReport, verify};
pub use webhooks::{AttemptEnd, DeliveryRow, WebhookFields, WebhookOwner, WebhookRow};
pub use write::WriteTx;

pub type Result<T> = std::result::Result<T, StoreError>;
