//! What guards every web response and every posted form.
//!
//! - [`headers`]: a Content Security Policy that lets pages load nothing but this site's own
//!   stylesheet (no script at all), no framing, no sniffing, no referrer to other sites, and no
//!   caching of pages that show a licensee's records.
//! - [`guard_posts`]: a POST must come from a page of this site (its `Origin`, when the browser
//!   sends one, is this host) and carry the CSRF token of its session (or, on the sign-in form,
//!   of its double-submit cookie), compared in constant time. Checked here, before routing to any
//!   handler, so that no form can forget it; a refused post writes nothing.

use crate::error::WebError;
use crate::session::{self, SIGN_IN};
use crate::{DEFAULT_FORM, LARGEST_FORM, WebState};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The policy of every page: this site's stylesheet and nothing else; forms post only here.
pub const POLICY: &str = "default-src 'self'; style-src 'self'; frame-ancestors 'none'; \
                          form-action 'self'; base-uri 'none'";

/// Adds the security headers to every response of the web UI (a handler may set a narrower
/// `Content-Security-Policy` or a `Cache-Control` of its own).
pub async fn headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(POLICY));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // The camera is for reading tags on the inspection page (this site only); nothing else.
    h.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(self), microphone=(), geolocation=(), payment=()"),
    );
    // Pages show a licensee's records to one employee; no shared or browser cache may keep them
    // (a shared computer's back button after sign-out, a proxy).
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    resp
}

/// [`POLICY`] that also allows the inline `<style>` blocks of `html` by their SHA-256, for a
/// self-contained document (the printable manifest) and nothing else inline.
pub fn policy_with_styles_of(html: &str) -> String {
    let mut hashes = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<style>") {
        let after = &rest[start + "<style>".len()..];
        let Some(end) = after.find("</style>") else {
            break;
        };
        let digest = Sha256::digest(&after.as_bytes()[..end]);
        let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
        hashes.push_str(&format!(" 'sha256-{b64}'"));
        rest = &after[end..];
    }
    POLICY.replace("style-src 'self'", &format!("style-src 'self'{hashes}"))
}

/// Whether a request's `Origin`, if it has one, is this site. Browsers send `Origin` with every
/// POST; a form posted from another site names that site. Only the host and port are compared:
/// behind a TLS-terminating proxy the scheme the browser used is not the one seen here.
pub fn same_origin(headers: &HeaderMap, uri: &Uri) -> bool {
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
pub async fn csrf_token_in(headers: &HeaderMap, body: &Bytes) -> Option<String> {
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
        // The token is the first field of every form; stop at it.
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

/// Whether the token sent is the one expected, compared in constant time; an empty expectation
/// matches nothing.
pub fn tokens_match(expected: &str, sent: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(sent.as_bytes()))
}

fn refused() -> Response {
    WebError::new(
        StatusCode::FORBIDDEN,
        "This form did not come from a current page of this site, so nothing was done. Go \
         back, reload the page and try again.",
    )
    .into_response()
}

/// The most of a POST the guard reads to find its token: a little over the largest form the path
/// accepts, for the multipart framing (the route's own limit applies again when its handler reads
/// the form). Only the laboratory's result entry takes a certificate; anywhere else a large body
/// is refused before it is buffered.
fn body_limit(path: &str) -> usize {
    const FRAMING: usize = 64 * 1024;
    if path.starts_with("/ui/l/") && (path.ends_with("/record") || path.ends_with("/imports")) {
        LARGEST_FORM + FRAMING
    } else {
        DEFAULT_FORM + FRAMING
    }
}

/// Lets a POST through only from this site's own forms (see the module's notes).
pub async fn guard_posts(State(state): State<WebState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    if !same_origin(req.headers(), req.uri()) {
        return refused();
    }
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, body_limit(parts.uri.path())).await else {
        return WebError::new(StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.")
            .into_response();
    };
    let sent = csrf_token_in(&parts.headers, &bytes).await;
    let expected = if parts.uri.path() == "/ui/login" {
        session::cookie(&parts.headers, SIGN_IN)
    } else {
        match session::signed(&mut parts, &state).await {
            Ok(Some(s)) => Some(s.csrf),
            // No session (expired, signed out elsewhere): nothing may be done without one.
            Ok(None) => return Redirect::to("/ui/login").into_response(),
            Err(e) => return e.into_response(),
        }
    };
    match (expected, sent) {
        (Some(expected), Some(sent)) if tokens_match(&expected, &sent) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => refused(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_must_be_this_host_when_sent() {
        let uri: Uri = "/ui/login".parse().unwrap_or_default();
        let host = (header::HOST, "ledger.example:8080");
        assert!(
            same_origin(&headers(std::slice::from_ref(&host)), &uri),
            "no Origin"
        );
        assert!(same_origin(
            &headers(&[host.clone(), (header::ORIGIN, "http://ledger.example:8080")]),
            &uri
        ));
        assert!(same_origin(
            &headers(&[
                (header::HOST, "ledger.example"),
                (header::ORIGIN, "https://ledger.example")
            ]),
            &uri
        ));
        for bad in [
            "http://evil.example:8080",
            "null",
            "http://ledger.example:8081",
            "ledger.example:8080",
        ] {
            assert!(
                !same_origin(&headers(&[host.clone(), (header::ORIGIN, bad)]), &uri),
                "{bad}"
            );
        }
    }

    #[test]
    fn only_the_result_entry_takes_a_large_body() {
        assert_eq!(
            body_limit("/ui/l/C8-0000042-LIC/labsamples/9/record"),
            LARGEST_FORM + 64 * 1024
        );
        assert_eq!(body_limit("/ui/login"), DEFAULT_FORM + 64 * 1024);
        assert_eq!(
            body_limit("/ui/l/X/transfers/3/upload"),
            DEFAULT_FORM + 64 * 1024
        );
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", "ab"));
        assert!(!tokens_match("", ""));
    }

    #[tokio::test]
    async fn the_token_is_found_in_either_encoding() {
        let url = headers(&[(header::CONTENT_TYPE, "application/x-www-form-urlencoded")]);
        let body = Bytes::from_static(b"a=1&csrf=t%2Bk&b=2");
        assert_eq!(csrf_token_in(&url, &body).await.as_deref(), Some("t+k"));
        let multi = headers(&[(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")]);
        let body = Bytes::from_static(
            b"--XX\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n--XX\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\n1\r\n--XX--\r\n",
        );
        assert_eq!(csrf_token_in(&multi, &body).await.as_deref(), Some("tok"));
        assert_eq!(csrf_token_in(&url, &Bytes::from_static(b"a=1")).await, None);
    }

    #[test]
    fn inline_styles_are_allowed_by_hash_only() {
        let p = policy_with_styles_of("<html><style>body{x:1}</style><p>hi</p></html>");
        assert!(p.contains("style-src 'self' 'sha256-"), "{p}");
        assert!(!p.contains("unsafe-inline"));
        assert_eq!(policy_with_styles_of("<p>no style</p>"), POLICY);
    }
}
