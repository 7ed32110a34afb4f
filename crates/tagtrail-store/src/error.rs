#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A read on the caller's thread failed ([`crate::inline`]).
    #[error("database error: {0}")]
    Inline(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0:?}: use a path, sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The commit of a group of writes failed (the disk, the connection): none of the group's
    /// work was written.
    #[error("the write could not be committed: {0}")]
    Commit(String),
    /// A value the database would index is longer than the store keeps, on either backend
    /// (nothing was written). The doors check each field's own, shorter maximum first; this is
    /// the backstop that keeps PostgreSQL's index-size error from ever reaching a caller.
    #[error("{what} is longer than the {max} bytes the ledger stores for it.")]
    TooLong { what: String, max: usize },
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
