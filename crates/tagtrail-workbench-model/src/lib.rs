//! The workbench's pure model: who may do what in a license's context ([`role`]), the
//! submission state machine ([`submission`]), the plan of `lastModified` windows a sync walks
//! ([`window`]), what reconciliation compares ([`discrepancy`]), what a submission is checked
//! against before anyone reviews it ([`preflight`]), the manifest steps Metrc's API lacks
//! ([`manifest`]), production batches and their mass balance ([`batch`]), lineage and the
//! recall walk ([`lineage`]), certificates of analysis ([`coa`]), the QA release gate ([`qa`]),
//! and the hash chain of the audit log ([`chain`]).
//!
//! No I/O, no clock, no SQL: the application layer (`tagtrail-workbench`) loads the facts and
//! passes the time in. Rules the ledger also enforces are reused from `tagtrail-domain`, so
//! a preflight and the ledger cannot disagree about them.

pub mod batch;
pub mod chain;
pub mod coa;
pub mod discrepancy;
pub mod lineage;
pub mod manifest;
pub mod preflight;
pub mod qa;
pub mod role;
pub mod submission;
pub mod window;

pub use tagtrail_domain::time::Timestamp;
