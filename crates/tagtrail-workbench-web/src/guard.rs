//! Every POST must come from a page of this site: its `Origin`, when the browser sends one, is
//! this host, and it carries the CSRF token of its session (or, on the sign-in form, of its
//! double-submit cookie), compared in constant time. Checked here, before routing to any
//! handler, so that no form can forget it; a refused post writes nothing. The checks themselves
//! are the ledger's web UI's (`tagtrail_web::shared`), so the two sites are guarded alike.

use crate::AppState;
use crate::error::Fail;
use crate::session::{self, SIGN_IN};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tagtrail_web::shared::{csrf_token_in, same_origin, tokens_match};

/// The largest form: a CSV count sheet (50,000 rows fit well under this) in multipart framing.
pub const LARGEST_FORM: usize = 4 * 1024 * 1024;

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
    let sent = csrf_token_in(&parts.headers, &bytes).await;
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
        (Some(expected), Some(sent)) if tokens_match(&expected, &sent) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => refused(),
    }
}
