//! Sign-in sessions: a random token in an HttpOnly, SameSite=Strict cookie, mapped in memory
//! to the user. SameSite=Strict keeps other sites from posting forms with the cookie.
//! Sessions live in the server process: a restart signs everyone out, which is acceptable for
//! a single-process ledger and avoids storing bearer tokens in the database.

use crate::app::AppError;
use crate::http::AppState;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tagtrail_domain::records::User;

pub const COOKIE: &str = "tagtrail_session";
const LIFETIME: Duration = Duration::from_secs(8 * 3600);

#[derive(Clone, Default)]
pub struct Sessions(Arc<Mutex<HashMap<String, (i64, Instant)>>>);

impl Sessions {
    pub fn start(&self, user_id: i64) -> String {
        let token = crate::app::new_key();
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        map.retain(|_, (_, exp)| *exp > now);
        map.insert(token.clone(), (user_id, now + LIFETIME));
        token
    }

    fn user_id(&self, token: &str) -> Option<i64> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(token)
            .filter(|(_, exp)| *exp > Instant::now())
            .map(|(id, _)| *id)
    }

    pub fn end(&self, token: &str) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token);
    }
}

pub fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == COOKIE).then(|| v.to_string())
        })
}

/// A signed-in employee; pages that need one redirect to the sign-in form otherwise.
pub struct Employee(pub User);

pub struct ToLogin;

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        Redirect::to("/ui/login").into_response()
    }
}

impl<S> FromRequestParts<S> for Employee
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ToLogin;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let id = token(&parts.headers)
            .and_then(|t| state.sessions.user_id(&t))
            .ok_or(ToLogin)?;
        let user: Option<User> =
            state
                .ledger
                .store
                .get(id)
                .await
                .map_err(|e: tagtrail_store::StoreError| {
                    tracing::error!(error = %AppError::from(e), "session lookup");
                    ToLogin
                })?;
        user.filter(|u| u.active).map(Employee).ok_or(ToLogin)
    }
}
