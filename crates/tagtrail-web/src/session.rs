//! Who is signed in. The browser holds a random session token in a cookie; the ledger's database
//! holds the session (only the token's hash) with its CSRF token, so a restart keeps employees
//! signed in and several ledger processes on one database share them.
//!
//! Cookies are `HttpOnly` (no script reads them), `SameSite=Lax` (another site's forms do not
//! carry them; following a link to a page here still does, so links in e-mail work) and `Secure`
//! when the UI is served over TLS. Lax alone is not enough against cross-site posts from a
//! sibling subdomain or an old browser, which is why every form also carries the CSRF token.

use crate::WebState;
use crate::error::WebError;
use crate::flash::Flash;
use crate::urls;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use tagtrail_app::{Acting, SESSION_HOURS};

/// The session token.
pub const SESSION: &str = "tagtrail_session";
/// The sign-in form's double-submit token: there is no session to hold a CSRF token yet.
pub const SIGN_IN: &str = "tagtrail_signin";
/// The page asked for before signing in, to go back to after.
pub const NEXT: &str = "tagtrail_next";

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
    state: &WebState,
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
        "{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .ok()
}

/// How long the session cookie lives: as long as the session in the database.
pub const SESSION_SECONDS: i64 = SESSION_HOURS * 3600;

/// A signed-in employee (or inspector), with the session's CSRF token for the forms of the
/// page, and on a page (a GET) the flash the last form left.
#[derive(Debug, Clone)]
pub struct Signed {
    pub acting: Acting,
    pub csrf: String,
    pub flash: Option<Flash>,
    token: String,
}

impl Signed {
    /// The session token, to leave a flash in the session (never shown or logged).
    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn username(&self) -> &str {
        self.acting
            .user()
            .map(|u| u.username.as_str())
            .unwrap_or("")
    }
}

/// The session lookup of one request, done once and kept in the request's extensions: the guard
/// that checks a POST's CSRF token and the handler's extractor both need it.
#[derive(Clone)]
struct Looked(Option<Signed>);

/// The signed-in employee of this request, if any.
pub async fn signed(parts: &mut Parts, state: &WebState) -> Result<Option<Signed>, WebError> {
    if let Some(Looked(s)) = parts.extensions.get::<Looked>() {
        return Ok(s.clone());
    }
    // A page takes the flash its form left; a post leaves it for the page it leads to.
    let take_flash = parts.method == Method::GET;
    let found = match cookie(&parts.headers, SESSION) {
        Some(token) => state
            .ledger
            .session(&token, take_flash)
            .await?
            .map(|w| Signed {
                acting: w.acting,
                csrf: w.csrf,
                flash: w.flash.as_deref().and_then(Flash::parse),
                token,
            }),
        None => None,
    };
    parts.extensions.insert(Looked(found.clone()));
    Ok(found)
}

impl FromRequestParts<WebState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        match signed(parts, state).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(to_sign_in(parts, state)),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// Sends the browser to the sign-in form, remembering the page it asked for (a GET; a form
/// posted with an expired session is not replayed) in a short-lived cookie, so that the sign-in
/// form's own address stays `/ui/login`.
fn to_sign_in(parts: &Parts, state: &WebState) -> Response {
    let mut resp = Redirect::to("/ui/login").into_response();
    let wanted = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .filter(|p| parts.method == Method::GET && p != "/ui" && safe_next(p));
    if let Some(next) = wanted
        && let Some(v) = set_cookie(state, NEXT, &urls::query_value(&next), "/ui/login", 600)
    {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

/// Whether `next` is a page of this UI to go back to after signing in: a path on this site
/// under `/ui/`, never an address elsewhere (`//evil.example`, `/\evil.example`, a scheme).
pub fn safe_next(next: &str) -> bool {
    safe_path_under("/ui/", next)
}

/// Whether `next` is a path on this site under `prefix` (which starts with `/`): never an
/// address elsewhere (`//evil.example`, `/\evil.example`, a scheme) nor a header injection.
pub fn safe_path_under(prefix: &str, next: &str) -> bool {
    next.starts_with(prefix)
        && !next.contains("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_of_this_ui_are_gone_back_to() {
        assert!(safe_next("/ui/l/C11-0000701-LIC/packages/12?msg=x"));
        for bad in [
            "//evil.example/ui/",
            "/ui//evil.example",
            "/\\evil.example",
            "/ui/\\evil",
            "https://evil.example/ui/",
            "/ui/l/x\r\nSet-Cookie: a=b",
            "/other",
            "ui/l",
        ] {
            assert!(!safe_next(bad), "{bad}");
        }
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; tagtrail_session=tok; b=2"),
        );
        h.append(
            header::COOKIE,
            HeaderValue::from_static("tagtrail_signin=s"),
        );
        assert_eq!(cookie(&h, SESSION).as_deref(), Some("tok"));
        assert_eq!(cookie(&h, SIGN_IN).as_deref(), Some("s"));
        assert_eq!(cookie(&h, NEXT), None);
    }
}
