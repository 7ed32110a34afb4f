//! Every POST must come from a page of this site: its `Origin`, when the browser sends one, is
//! this host, and it carries the CSRF token of its session (or, on the sign-in form, of its
//! double-submit cookie), compared in constant time. Checked here, before routing to any
//! handler, so that no form can forget it; a refused post writes nothing.

use crate::AppState;
use crate::error::Fail;
use crate::session::{self, SIGN_IN};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use subtle::ConstantTimeEq;

/// The largest form: a CSV count sheet (50,000 rows fit well under this) in multipart framing.
pub const LARGEST_FORM: usize = 4 * 1024 * 1024;

/// Whether a request's `Origin`, if it has one, is this site. Only the host and port are
/// compared: behind a TLS-terminating proxy the scheme the browser used is not the one seen here.
fn same_origin(headers: &HeaderMap, uri: &Uri) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()));
    let authority = origin.to_str().ok().and_then(|o| {
        o.strip_prefix("https://")
            .or_else(|| o.strip_prefix("http://"))
    });
    match (authority, host) {
        (Some(a), Some(h)) => without_default_port(a) == without_default_port(h),
        // `Origin: null` (a sandboxed frame, a file) or no host to compare with.
        _ => false,
    }
}

fn without_default_port(authority: &str) -> String {
    let a = authority.trim().to_ascii_lowercase();
    a.strip_suffix(":80")
        .or_else(|| a.strip_suffix(":443"))
        .map(str::to_string)
        .unwrap_or(a)
}

/// The `csrf` field of a posted form, url-encoded or multipart.
async fn token_in(headers: &HeaderMap, body: &Bytes) -> Option<String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        let req = Request::builder()
            .method(Method::POST)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.clone()))
            .ok()?;
        let mut form = Multipart::from_request(req, &()).await.ok()?;
        while let Ok(Some(field)) = form.next_field().await {
            if field.name() == Some("csrf") {
                return field.text().await.ok();
            }
        }
        None
    } else {
        form_urlencoded::parse(body)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned())
    }
}

fn matches(expected: &str, sent: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(sent.as_bytes()))
}

fn refused() -> Response {
    Fail::new(
        StatusCode::FORBIDDEN,
        "This form did not come from a current page of this site, so nothing was done. Go back, \
         reload the page and try again.",
    )
    .into_response()
}

/// Lets a POST through only from this site's own forms.
pub async fn guard_posts(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    if !same_origin(req.headers(), req.uri()) {
        return refused();
    }
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LARGEST_FORM).await else {
        return Fail::new(StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response();
    };
    let sent = token_in(&parts.headers, &bytes).await;
    let expected = if parts.uri.path() == "/login" {
        session::cookie(&parts.headers, SIGN_IN)
    } else {
        match session::signed(&mut parts, &state).await {
            Ok(Some(s)) => Some(s.csrf),
            // No session (expired, signed out elsewhere): nothing may be done without one.
            Ok(None) => return Redirect::to("/login").into_response(),
            Err(e) => return e.into_response(),
        }
    };
    match (expected, sent) {
        (Some(expected), Some(sent)) if matches(&expected, &sent) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => refused(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn origin_must_be_this_host_when_sent() {
        let uri: Uri = "/login".parse().unwrap_or_default();
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("wb.example:8080"));
        assert!(same_origin(&h, &uri), "no Origin");
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://wb.example:8080"),
        );
        assert!(same_origin(&h, &uri));
        for bad in ["http://evil.example:8080", "null", "http://wb.example:8081"] {
            h.insert(header::ORIGIN, HeaderValue::from_static(bad));
            assert!(!same_origin(&h, &uri), "{bad}");
        }
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(matches("abc", "abc"));
        assert!(!matches("abc", "abd"));
        assert!(!matches("abc", "ab"));
        assert!(!matches("", ""));
    }
}
