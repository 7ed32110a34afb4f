//! Metrc v2 on the wire: the PascalCase records, request bodies, paging envelope and error
//! shapes (`metrc-v2-api.md` §4–§8), and a client for any Metrc v2 API.
//!
//! The ledger serves these types and the workbench consumes them through [`client::Client`], so
//! a field spelled wrong here is wrong in both directions at once and the conformance suite
//! (an independent client) catches it.

pub mod additives;
pub mod client;
pub mod deliveries;
pub mod envelope;
pub mod harvests;
pub mod keys;
pub mod limits;
pub mod plants;
pub mod records;
pub mod requests;
pub mod sales;
pub mod transfers;
pub mod webhooks;

pub use envelope::{ErrorMessage, Ids, Paged, RowError};
