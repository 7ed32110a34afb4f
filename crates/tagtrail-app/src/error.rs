//! Why the application refused or failed. Each variant maps to one HTTP status in the doors.

use tagtrail_domain::Rejection;
use tagtrail_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A decision refused the request (400, 403, 404 or 409; see [`Rejection`]).
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The caller is not who they claim, or may not act for the license at all (401).
    #[error("{0}")]
    Unauthorized(String),
    /// The caller may act for the license but not take this action (403).
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// Too much of something slow is already under way (a sign-in flood); try again shortly
    /// (429).
    #[error("{0}")]
    Busy(String),
    /// The database failed; nothing was written (500, logged once by the door).
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            // A value too long to store is the caller's to fix, not a failure (400).
            StoreError::TooLong { .. } => AppError::Rejected(Rejection::Invalid(e.to_string())),
            e => AppError::Store(e),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
