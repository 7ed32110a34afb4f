//! Signing in and out.
//!
//! The sign-in form has no session to hold a CSRF token, so it uses a double-submit token: a
//! random value in a cookie and in the form, which the guard compares (another site can make a
//! browser post, but cannot read or set this site's cookie to match its form). Wrong passwords
//! are throttled per account and per address before the password is checked.

use crate::WebState;
use crate::error::WebError;
use crate::fields::Posted;
use crate::layout::{csrf_field, notices, page};
use crate::session::{self, NEXT, SESSION, SESSION_SECONDS, SIGN_IN, cookie, set_cookie};
use crate::throttle::Client;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use tagtrail_app::AppError;

pub async fn root() -> Redirect {
    Redirect::to("/ui")
}

/// The client's address, when the server was started with connection info (it is served with
/// `into_make_service_with_connect_info::<SocketAddr>()`); `None` otherwise, and then every
/// client shares one throttle budget.
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(a)| a.ip()),
        ))
    }
}

const TOO_MANY: &str = "Too many sign-in attempts; try again in a few minutes.";

/// The form's double-submit token: the browser's, if it has a well-formed one (so that two open
/// sign-in tabs both work), else a new one.
fn form_token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, SIGN_IN) {
        Some(t)
            if t.len() == 48
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            (t, false)
        }
        _ => (tagtrail_app::new_key(), true),
    }
}

/// The sign-in page with `error` shown and the username as typed, answered with `status`.
fn form_page(
    s: &WebState,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<&str>,
    username: &str,
) -> Response {
    let (token, fresh) = form_token(headers);
    let body = page(
        "Sign in",
        None,
        html! {
            div.login.card {
                h1 { "Sign in to tagtrail" }
                (notices(None, &error.map(|e| vec![e.to_string()]).unwrap_or_default()))
                form method="post" action="/ui/login" {
                    (csrf_field(&token))
                    label for="username" { "Username" }
                    input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value=(username) autofocus[username.is_empty()];
                    label for="password" { "Password" }
                    input type="password" id="password" name="password" autocomplete="current-password" required autofocus[!username.is_empty()];
                    button.act type="submit" { "Sign in" }
                }
            }
        },
    );
    let mut resp = (status, body).into_response();
    if fresh && let Some(v) = set_cookie(s, SIGN_IN, &token, "/ui/login", 3600) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

pub async fn form(State(s): State<WebState>, headers: HeaderMap) -> Response {
    form_page(&s, &headers, StatusCode::OK, None, "")
}

pub async fn sign_in(
    State(s): State<WebState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    posted: Posted,
) -> Response {
    let username = posted.fields.get("username").unwrap_or_default();
    let password = posted.fields.get("password").unwrap_or_default();
    let client = Client::of(addr);
    if !s.throttle.allows(username, client) {
        tracing::warn!(username, ?client, "sign-in throttled");
        return form_page(
            &s,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            Some(TOO_MANY),
            username,
        );
    }
    let who = match s.ledger.sign_in(username, password).await {
        Ok(who) => who,
        Err(AppError::Unauthorized(m)) => {
            s.throttle.failed(username, client);
            return form_page(&s, &headers, StatusCode::UNAUTHORIZED, Some(&m), username);
        }
        // The password was right, but no license the person works at is open to them yet (an
        // account manager whose training is not recorded, their employees, a temporary
        // licensee): the form says why and whom to contact. Not a failed attempt.
        Err(AppError::Forbidden(m)) => {
            return form_page(&s, &headers, StatusCode::FORBIDDEN, Some(&m), username);
        }
        // Too many sign-ins are being checked at once: the form again, with the username kept.
        Err(AppError::Busy(m)) => {
            return form_page(
                &s,
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                Some(&m),
                username,
            );
        }
        Err(e) => return WebError::from(e).into_response(),
    };
    // A session the browser already had (another employee's, or one planted by someone else)
    // ends here: the new sign-in always gets a new token.
    if let Some(old) = cookie(&headers, SESSION)
        && let Err(e) = s.ledger.end_session(&old).await
    {
        return WebError::from(e).into_response();
    }
    let started = match s.ledger.start_session(&who).await {
        Ok(started) => started,
        Err(e) => return WebError::from(e).into_response(),
    };
    // Back to the page asked for before signing in, if it is one of this UI's.
    let next = cookie(&headers, NEXT)
        .map(|n| {
            form_urlencoded::parse(format!("n={n}").as_bytes())
                .map(|(_, v)| v.into_owned())
                .next()
                .unwrap_or_default()
        })
        .filter(|n| session::safe_next(n))
        .unwrap_or_else(|| "/ui".to_string());
    let mut resp = Redirect::to(&next).into_response();
    let cookies = [
        set_cookie(&s, SESSION, &started.token, "/", SESSION_SECONDS),
        set_cookie(&s, NEXT, "", "/ui/login", 0),
    ];
    for v in cookies.into_iter().flatten() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

pub async fn sign_out(State(s): State<WebState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION)
        && let Err(e) = s.ledger.end_session(&token).await
    {
        return WebError::from(e).into_response();
    }
    let mut resp = Redirect::to("/ui/login").into_response();
    if let Some(v) = set_cookie(&s, SESSION, "", "/", 0) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}
