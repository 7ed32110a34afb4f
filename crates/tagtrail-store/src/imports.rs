//! The Data Import page's uploads (`imports`, migration 0016): not journaled, like web sessions
//! and checkpoints, because an upload changes nothing regulated until it is applied; the apply
//! marks its row in the same transaction as the journal entries it appends, so the two agree.
//!
//! Status writes outside that transaction take the in-process write turn first: on SQLite a long
//! apply holds the database's write lock, and waiting in the queue is better than timing out in
//! SQLite's busy handler.

use crate::{Result, Store, WriteTx};
use sqlx::Row;
use sqlx::any::AnyRow;

/// An upload as stored (without the file's bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub id: i64,
    pub license_number: String,
    pub kind: String,
    pub file_name: String,
    pub sha256: String,
    pub row_count: i64,
    /// `validating`, `failed`, `ready`, `applying` or `applied`.
    pub status: String,
    pub error_count: i64,
    /// The first problems, as JSON.
    pub errors: Option<String>,
    /// Rows done when last stored.
    pub progress: i64,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    /// The journal entries the apply appended, first and last.
    pub journal: Option<(i64, i64)>,
}

/// A new upload.
#[derive(Debug, Clone)]
pub struct NewImport<'a> {
    pub license_number: &'a str,
    pub kind: &'a str,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub row_count: i64,
    pub created_by: &'a str,
    pub created_at: &'a str,
}

/// Where an upload stands after a step.
#[derive(Debug, Clone)]
pub struct ImportState<'a> {
    pub status: &'a str,
    pub row_count: i64,
    pub error_count: i64,
    pub errors: Option<&'a str>,
    pub progress: i64,
    pub at: &'a str,
}

const COLUMNS: &str = "id, license_number, kind, file_name, sha256, row_count, status, \
                       error_count, errors, progress, created_by, created_at, updated_at, \
                       journal_first, journal_last";

fn from_row(r: &AnyRow) -> Result<ImportRow> {
    let first: Option<i64> = r.try_get("journal_first")?;
    let last: Option<i64> = r.try_get("journal_last")?;
    Ok(ImportRow {
        id: r.try_get("id")?,
        license_number: r.try_get("license_number")?,
        kind: r.try_get("kind")?,
        file_name: r.try_get("file_name")?,
        sha256: r.try_get("sha256")?,
        row_count: r.try_get("row_count")?,
        status: r.try_get("status")?,
        error_count: r.try_get("error_count")?,
        errors: r.try_get("errors")?,
        progress: r.try_get("progress")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        journal: first.zip(last),
    })
}

impl Store {
    /// Stores a new upload as `validating`; its id.
    pub async fn import_insert(&self, new: &NewImport<'_>) -> Result<i64> {
        let _turn = self.turn().await?;
        let row = sqlx::query(
            "INSERT INTO imports (license_number, kind, file_name, sha256, content, row_count, \
             status, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'validating', $7, $8, $8) RETURNING id",
        )
        .bind(new.license_number.to_string())
        .bind(new.kind.to_string())
        .bind(new.file_name.to_string())
        .bind(new.sha256.to_string())
        .bind(new.content.to_vec())
        .bind(new.row_count)
        .bind(new.created_by.to_string())
        .bind(new.created_at.to_string())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("id")?)
    }

    pub async fn import_get(&self, id: i64) -> Result<Option<ImportRow>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM imports WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The file's bytes.
    pub async fn import_content(&self, id: i64) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT content FROM imports WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get::<Vec<u8>, _>("content")?),
            None => None,
        })
    }

    /// A license's uploads, newest first, at most `limit`.
    pub async fn imports_of(&self, license: &str, limit: i64) -> Result<Vec<ImportRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM imports WHERE license_number = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(license.to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Moves an upload to `state` if it is in one of `from`; whether it was.
    pub async fn import_set(
        &self,
        id: i64,
        from: &[&str],
        state: &ImportState<'_>,
    ) -> Result<bool> {
        let _turn = self.turn().await?;
        // It reads the row and then writes it: see `begin_bookkeeping` for why IMMEDIATE.
        let mut tx = crate::group::begin_bookkeeping(&self.pool, self.backend).await?;
        let now: Option<String> = sqlx::query("SELECT status FROM imports WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("status"))
            .transpose()?;
        if !now.is_some_and(|s| from.contains(&s.as_str())) {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE imports SET status = $1, row_count = $2, error_count = $3, errors = $4, \
             progress = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(state.status.to_string())
        .bind(state.row_count)
        .bind(state.error_count)
        .bind(state.errors.map(str::to_string))
        .bind(state.progress)
        .bind(state.at.to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

impl WriteTx {
    /// The status of upload `id`, read inside the write turn (so two applies cannot both see it
    /// unapplied).
    pub async fn import_status(&mut self, id: i64) -> Result<Option<String>> {
        let row = sqlx::query("SELECT status FROM imports WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get("status")?),
            None => None,
        })
    }

    /// Marks upload `id` applied, as the journal entries `first..=last` of this transaction.
    pub async fn import_applied(
        &mut self,
        id: i64,
        rows: i64,
        first: i64,
        last: i64,
        at: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE imports SET status = 'applied', progress = $1, error_count = 0, errors = NULL, \
             journal_first = $2, journal_last = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(rows)
        .bind(first)
        .bind(last)
        .bind(at.to_string())
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
