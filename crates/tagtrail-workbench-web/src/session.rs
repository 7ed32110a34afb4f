//! Who is signed in. The browser holds a random session token in a cookie; the workbench's
//! database holds the session (the token's hash) with its CSRF token and the one-shot flash.
//!
//! Cookies are `HttpOnly` (no script reads them), `SameSite=Strict` (no other site's page, form
//! or link carries them: the workbench is an app people open, not a site linked from e-mail)
//! and `Secure` when the UI is served over TLS.

use crate::AppState;
use crate::error::Fail;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use tagtrail_workbench::people::Caller;

/// The session token.
pub const SESSION: &str = "wb_session";
/// The sign-in form's double-submit token: there is no session to hold a CSRF token yet.
pub const SIGN_IN: &str = "wb_signin";
/// The page asked for before signing in, to go back to after (ten minutes, the sign-in path
/// only).
pub const NEXT: &str = "wb_next";

/// Whether `next` is a page of the workbench to go back to after signing in: a path on this
/// site (the ledger's web UI's own check), and not the sign-in page.
pub fn safe_next(next: &str) -> bool {
    tagtrail_web::shared::safe_path_under("/", next) && next != "/" && !next.starts_with("/login")
}

/// The answer to a page asked for without a session: the sign-in form, remembering the page
/// (a GET of this site) to come back to.
fn to_sign_in(parts: &Parts, state: &AppState) -> Response {
    let mut resp = Redirect::to("/login").into_response();
    let wanted = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .filter(|p| parts.method == Method::GET && safe_next(p));
    if let Some(next) = wanted {
        let value: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
        if let Some(v) = set_cookie(state, NEXT, &value, "/login", 600) {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    resp
}

/// The value of the cookie `name`, if the request carries it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name && !v.is_empty()).then(|| v.to_string())
        })
}

/// A `Set-Cookie` value: `value` for `max_age` seconds (0 deletes it) on `path`.
pub fn set_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    path: &str,
    max_age: i64,
) -> Option<HeaderValue> {
    let secure = if state.options.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .ok()
}

/// A signed-in person, with the session's CSRF token for the page's forms and, on a page (a
/// GET), the message the last form left.
#[derive(Debug, Clone)]
pub struct Signed {
    pub caller: Caller,
    pub csrf: String,
    pub flash: Option<String>,
    token: String,
}

impl Signed {
    /// A session looked up outside the extractor (no flash is taken).
    pub fn new(caller: Caller, csrf: String, token: String) -> Signed {
        Signed {
            caller,
            csrf,
            flash: None,
            token,
        }
    }

    /// The session token, to leave a flash or confirm the second factor (never shown or
    /// logged).
    pub fn token(&self) -> &str {
        &self.token
    }
}

/// The session lookup of one request, done once: the guard that checks a POST's CSRF token and
/// the handler's extractor both need it.
#[derive(Clone)]
struct Looked(Option<Signed>);

/// The signed-in person of this request, if any.
pub async fn signed(parts: &mut Parts, state: &AppState) -> Result<Option<Signed>, Fail> {
    if let Some(Looked(s)) = parts.extensions.get::<Looked>() {
        return Ok(s.clone());
    }
    let found = match cookie(&parts.headers, SESSION) {
        Some(token) => match state.wb.session(&token).await? {
            Some((caller, csrf)) => {
                // A page takes the flash its form left; a post leaves it for the page it leads
                // to.
                let flash = if parts.method == Method::GET {
                    state.wb.take_flash(&token).await?
                } else {
                    None
                };
                Some(Signed {
                    caller,
                    csrf,
                    flash,
                    token,
                })
            }
            None => None,
        },
        None => None,
    };
    parts.extensions.insert(Looked(found.clone()));
    Ok(found)
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match signed(parts, state).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(to_sign_in(parts, state)),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The client's address, when the server was started with connection info (see
/// [`crate::serve`]); `None` otherwise, and then every client shares one throttle budget.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_of_the_workbench_are_gone_back_to() {
        assert!(safe_next("/l/C11-0000701-LIC/outbox/12?state=review"));
        assert!(safe_next("/admin/people"));
        for bad in [
            "/",
            "/login",
            "/login?x=1",
            "//evil.example/l/",
            "/l//evil.example",
            "/\\evil.example",
            "https://evil.example/l/",
            "/l/x\r\nSet-Cookie: a=b",
            "l/x",
        ] {
            assert!(!safe_next(bad), "{bad}");
        }
    }
}
