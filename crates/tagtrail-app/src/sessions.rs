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

/// The most a flash may hold (bytes).
pub const MAX_FLASH: usize = 64 * 1024;

/// A signed-in browser: the employee, the CSRF token of its forms, and the flash left by its
/// last form, if any.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub acting: Acting,
    pub csrf: String,
    pub flash: Option<String>,
}

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

    /// The session of `token`, if it exists, has not expired and its employee is still active.
    /// With `take_flash` a flash it holds is taken (shown once); a page takes it, a form post
    /// leaves it for the page it leads to.
    pub async fn session(&self, token: &str, take_flash: bool) -> AppResult<Option<WebSession>> {
        let now = time::format(Utc::now());
        let hash = hash_key(token);
        let Some(row) = self.store.session_get(&hash, &now, take_flash).await? else {
            return Ok(None);
        };
        let user: Option<User> = self.store.get(row.user_id).await?;
        Ok(user.filter(|u| u.active).map(|u| WebSession {
            acting: Acting::employee(u, None, "web"),
            csrf: row.csrf_token,
            flash: row.flash,
        }))
    }

    /// Leaves `flash` (the outcome of a form, as the web UI encodes it) for the session's next
    /// page. Longer than [`MAX_FLASH`] is refused: the door trims what it keeps.
    pub async fn leave_flash(&self, token: &str, flash: &str) -> AppResult<()> {
        if flash.len() > MAX_FLASH {
            return Err(AppError::Rejected(tagtrail_domain::Rejection::Invalid(
                "The form's outcome is too long to keep.".into(),
            )));
        }
        Ok(self.store.session_flash(&hash_key(token), flash).await?)
    }

    /// Signs out.
    pub async fn end_session(&self, token: &str) -> AppResult<()> {
        Ok(self.store.session_delete(&hash_key(token)).await?)
    }
}
