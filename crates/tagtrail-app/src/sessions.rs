//! Web sign-in sessions, kept in the database: a restart keeps employees signed in, and several
//! ledger processes on one database share them. The browser holds a random token; the store
//! holds only its hash, with the session's CSRF token.

use crate::identity::{Acting, hash_key, new_key};
use crate::{AppError, AppResult, Ledger};
use chrono::{TimeDelta, Utc};
use tagtrail_domain::records::User;
use tagtrail_domain::time;

/// How long a sign-in lasts.
pub const SESSION_HOURS: i64 = 8;

/// A started session: the token for the cookie (shown once) and the CSRF token every form of
/// the session carries.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub csrf: String,
}

impl Ledger {
    /// Starts a session for an employee who signed in with their password.
    pub async fn start_session(&self, who: &Acting) -> AppResult<Session> {
        let user = who.user().ok_or_else(|| {
            AppError::Forbidden("Only an employee signs in to the web UI.".into())
        })?;
        let token = new_key();
        let csrf = new_key();
        let now = Utc::now();
        self.store
            .session_put(
                &hash_key(&token),
                user.id,
                &csrf,
                &time::format(now),
                &time::format(now + TimeDelta::hours(SESSION_HOURS)),
            )
            .await?;
        Ok(Session { token, csrf })
    }

    /// The employee signed in with `token`, and the session's CSRF token, if the session exists,
    /// has not expired and the employee is still active.
    pub async fn session(&self, token: &str) -> AppResult<Option<(Acting, String)>> {
        let now = time::format(Utc::now());
        let Some(row) = self.store.session_get(&hash_key(token), &now).await? else {
            return Ok(None);
        };
        let user: Option<User> = self.store.get(row.user_id).await?;
        Ok(user
            .filter(|u| u.active)
            .map(|u| (Acting::employee(u, None, "web"), row.csrf_token)))
    }

    /// Signs out.
    pub async fn end_session(&self, token: &str) -> AppResult<()> {
        Ok(self.store.session_delete(&hash_key(token)).await?)
    }
}
