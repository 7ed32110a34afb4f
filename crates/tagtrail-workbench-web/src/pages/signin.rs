//! Signing in and out.
//!
//! The sign-in form has no session to hold a CSRF token, so it uses a double-submit token: a
//! random value in a cookie and in the form, which the guard compares. Failures are throttled
//! per account and per address before the password is checked (the ledger UI's throttle).
//!
//! The form always has the code field: administrators (of a license or of the installation)
//! must fill it (`Workbench::sign_in` refuses them without it), others may, which also
//! confirms their second factor for approving. Whether a name needs the code is not said before
//! the password is right, so the form cannot be used to find out who the administrators are.

use crate::AppState;
use crate::error::Fail;
use crate::form::Fields;
use crate::page::{csrf_field, plain, refusal};
use crate::session::{ClientAddr, NEXT, SESSION, SIGN_IN, cookie, safe_next, set_cookie};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use rand::RngCore;
use tagtrail_web::shared::Client;
use tagtrail_workbench::WbError;

const TOO_MANY: &str = "Too many sign-in attempts; try again in a few minutes.";
const WRONG: &str = "The user name, password or code is not right. Administrators also enter \
                     the 6-digit code from their authenticator app.";

/// The form's double-submit token: the browser's, if it has a well-formed one (so that two open
/// sign-in tabs both work), else a new one.
fn form_token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, SIGN_IN) {
        Some(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => (t, false),
        _ => {
            let mut b = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut b);
            (hex::encode(b), true)
        }
    }
}

fn form_page(
    s: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<&str>,
    username: &str,
) -> Response {
    let (token, fresh) = form_token(headers);
    let mut resp = plain(
        status,
        "Sign in",
        html! {
            div.login.card {
                h1 { "Sign in to the workbench" }
                (refusal(error))
                form method="post" action="/login" {
                    (csrf_field(&token))
                    label for="username" { "User name" }
                    input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value=(username) autofocus[username.is_empty()];
                    label for="password" { "Password" }
                    input type="password" id="password" name="password" autocomplete="current-password" required autofocus[!username.is_empty()];
                    label for="code" { "6-digit code" }
                    input type="text" id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" aria-describedby="code-hint";
                    p.hint #code-hint { "From your authenticator app. Required for administrators." }
                    button.act type="submit" { "Sign in" }
                }
            }
        },
    );
    if fresh && let Some(v) = set_cookie(s, SIGN_IN, &token, "/login", 3600) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

pub async fn form(State(s): State<AppState>, headers: HeaderMap) -> Response {
    form_page(&s, &headers, StatusCode::OK, None, "")
}

pub async fn sign_in(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    fields: Fields,
) -> Response {
    let username = fields.get("username");
    let password = fields.get("password");
    let code = fields.get("code");
    let client = Client::of(addr);
    if !s.throttle.allows(username, client) {
        tracing::warn!(username, ?client, "workbench sign-in throttled");
        return form_page(
            &s,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            Some(TOO_MANY),
            username,
        );
    }
    let started = match s
        .wb
        .sign_in(
            username,
            password,
            Some(code).filter(|c| !c.trim().is_empty()),
        )
        .await
    {
        Ok(started) => started,
        Err(WbError::SignIn) => {
            s.throttle.failed(username, client);
            return form_page(
                &s,
                &headers,
                StatusCode::UNAUTHORIZED,
                Some(WRONG),
                username,
            );
        }
        Err(e) => return Fail::from(e).into_response(),
    };
    // A session the browser already had (another person's, or one planted by someone else)
    // ends here: a new sign-in always gets a new token.
    if let Some(old) = cookie(&headers, SESSION)
        && let Err(e) = s.wb.sign_out(&old).await
    {
        return Fail::from(e).into_response();
    }
    let lifetime = s.wb.config().session_lifetime.num_seconds();
    // Back to the page asked for before signing in, if it is one of the workbench's.
    let next = cookie(&headers, NEXT)
        .and_then(|n| {
            form_urlencoded::parse(format!("n={n}").as_bytes())
                .map(|(_, v)| v.into_owned())
                .next()
        })
        .filter(|n| safe_next(n))
        .unwrap_or_else(|| "/".to_string());
    let mut resp = Redirect::to(&next).into_response();
    let cookies = [
        set_cookie(&s, SESSION, &started.token, "/", lifetime),
        set_cookie(&s, SIGN_IN, "", "/login", 0),
        set_cookie(&s, NEXT, "", "/login", 0),
    ];
    for v in cookies.into_iter().flatten() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

pub async fn sign_out(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION)
        && let Err(e) = s.wb.sign_out(&token).await
    {
        return Fail::from(e).into_response();
    }
    let mut resp = Redirect::to("/login").into_response();
    if let Some(v) = set_cookie(&s, SESSION, "", "/", 0) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}
