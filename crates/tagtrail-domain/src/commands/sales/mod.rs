//! Retail sales (cctt-rules §K, rules 63 and 64; state machine 2.8; bulletin III).
//!
//! `lines` checks sale lines against packages and is shared by receipts and deliveries;
//! `receipts` decides the receipt actions.

pub mod deliveries;
pub mod lines;
pub mod receipts;
pub mod reference;
pub mod retailer_deliveries;

#[cfg(test)]
pub(crate) mod fixtures;
