//! Web sign-in sessions: a row per signed-in browser, found by the hash of its token.

use crate::{Result, Store};
use sqlx::Row;

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub user_id: i64,
    pub csrf_token: String,
    pub expires_at: String,
    /// The outcome of the session's last form, not yet shown (taken by the read that returns it).
    pub flash: Option<String>,
}

impl Store {
    /// Stores a new session, first dropping every session that expired before `now`.
    pub async fn session_put(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        now: &str,
        expires_at: &str,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM web_sessions WHERE expires_at < $1")
            .bind(now.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash.to_string())
            .bind(user_id)
            .bind(csrf_token.to_string())
            .bind(now.to_string())
            .bind(expires_at.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session under `token_hash`, if it exists and has not expired by `now`. With
    /// `take_flash`, a flash it holds is taken: returned and cleared, so it is shown once;
    /// without, the flash is left for a later read.
    pub async fn session_get(
        &self,
        token_hash: &str,
        now: &str,
        take_flash: bool,
    ) -> Result<Option<SessionRow>> {
        let row = sqlx::query(
            "SELECT user_id, csrf_token, expires_at, flash FROM web_sessions WHERE token_hash = $1 AND expires_at >= $2",
        )
        .bind(token_hash.to_string())
        .bind(now.to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        let found = SessionRow {
            user_id: r.try_get("user_id")?,
            csrf_token: r.try_get("csrf_token")?,
            expires_at: r.try_get("expires_at")?,
            flash: if take_flash {
                r.try_get("flash")?
            } else {
                None
            },
        };
        if let Some(flash) = &found.flash {
            // Only the flash read here is cleared: one the next form set meanwhile stays.
            sqlx::query(
                "UPDATE web_sessions SET flash = NULL WHERE token_hash = $1 AND flash = $2",
            )
            .bind(token_hash.to_string())
            .bind(flash.clone())
            .execute(&self.pool)
            .await?;
        }
        Ok(Some(found))
    }

    /// Leaves `flash` for the session's next page.
    pub async fn session_flash(&self, token_hash: &str, flash: &str) -> Result<()> {
        sqlx::query("UPDATE web_sessions SET flash = $1 WHERE token_hash = $2")
            .bind(flash.to_string())
            .bind(token_hash.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends a session (signing out).
    pub async fn session_delete(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
