//! The pure domain of tagtrail: identifiers, quantities, UID tags, licenses and their
//! capabilities, the records the ledger keeps, the rules that decide every regulated write, and
//! the journal's canonical encoding and hash chain.
//!
//! Nothing in this crate performs I/O, awaits, or knows about SQL or HTTP. Every regulated write
//! is a pure function from (loaded state, request, clock reading) to either a set of row
//! after-images ([`journal::Change`]) or a [`error::Rejection`]. The ledger service loads, calls
//! the function, and appends what it returns to the journal in one transaction.

pub mod checkpoint;
pub mod commands;
pub mod error;
pub mod journal;
pub mod lab_state;
pub mod license;
pub mod permission;
pub mod quantity;
pub mod records;
pub mod reference;
pub mod tag;
pub mod time;

pub use error::{Rejection, RowError};
