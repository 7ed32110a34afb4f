//! Why a regulated write was refused.

use serde::Serialize;

/// One problem with one element of a Metrc write body (`row` is the 0-based array index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: usize,
    pub message: String,
    /// When the problem is with one entry of a list inside the element (a manifest's package
    /// line), that entry's 0-based index, so a door can point at it (an upload's file line, a
    /// form's row) without reading it back out of the message.
    #[serde(skip)]
    pub line: Option<usize>,
}

impl RowError {
    pub fn new(row: usize, message: impl Into<String>) -> Self {
        Self {
            row,
            message: message.into(),
            line: None,
        }
    }
}

/// A decision function's refusal. Nothing is written when any of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Per-element validation failures (HTTP 400, `[{"row":i,"message":...}]`).
    #[error("{} invalid object(s)", .0.len())]
    Rows(Vec<RowError>),
    /// A request-level validation failure (HTTP 400, `{"Message":...}`).
    #[error("{0}")]
    Invalid(String),
    /// The license type or the caller may not do this (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// The addressed record does not exist in this facility (HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// The record is in a state that forbids this (HTTP 409), e.g. a manifest after departure.
    #[error("{0}")]
    Conflict(String),
}

impl Rejection {
    pub fn row(row: usize, message: impl Into<String>) -> Self {
        Rejection::Rows(vec![RowError::new(row, message)])
    }
}

/// Collects row errors while a whole request body is validated, so the caller sees every
/// problem at once rather than one per round trip.
#[derive(Debug, Default)]
pub struct RowErrors(Vec<RowError>);

impl RowErrors {
    pub fn push(&mut self, row: usize, message: impl Into<String>) {
        self.0.push(RowError::new(row, message));
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn into_result(self) -> Result<(), Rejection> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Rejection::Rows(self.0))
        }
    }
}
