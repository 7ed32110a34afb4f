//! What a page shows when a request is refused or fails, and with which status. One place maps
//! the application layer's errors to HTTP statuses for the web door.

use crate::layout::page;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use tagtrail_app::AppError;
use tagtrail_domain::Rejection;

/// A refusal or failure: its status and every message (a rejection's rows each; an uploaded
/// list names its lines in them).
#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub messages: Vec<String>,
}

/// Shown instead of a database failure's cause, which is logged once and is no business of the
/// person at the browser.
const FAILED: &str = "The ledger could not complete the request. Try again; if it keeps \
                      happening, tell the ledger's operator.";

impl WebError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        WebError {
            status,
            messages: vec![message.into()],
        }
    }

    /// A bad value in the form (400).
    pub fn bad(message: impl Into<String>) -> Self {
        WebError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        WebError::new(StatusCode::NOT_FOUND, message)
    }

    /// Refusals the user can act on (a rule, a bad value, a record in the wrong state) are shown
    /// on the page they came from; anything else (no access to the license, a missing
    /// permission, an unknown record, a failure) is an error page.
    pub fn shown(&self) -> bool {
        matches!(self.status, StatusCode::BAD_REQUEST | StatusCode::CONFLICT)
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        let status = |s: StatusCode, m: String| WebError::new(s, m);
        match e {
            AppError::Rejected(Rejection::Rows(rows)) => WebError {
                status: StatusCode::BAD_REQUEST,
                messages: rows.into_iter().map(|r| r.message).collect(),
            },
            AppError::Rejected(Rejection::Invalid(m)) => status(StatusCode::BAD_REQUEST, m),
            AppError::Rejected(Rejection::Forbidden(m)) | AppError::Forbidden(m) => {
                status(StatusCode::FORBIDDEN, m)
            }
            AppError::Rejected(Rejection::NotFound(m)) | AppError::NotFound(m) => {
                status(StatusCode::NOT_FOUND, m)
            }
            AppError::Rejected(Rejection::Conflict(m)) => status(StatusCode::CONFLICT, m),
            AppError::Unauthorized(m) => status(StatusCode::UNAUTHORIZED, m),
            AppError::Busy(m) => status(StatusCode::TOO_MANY_REQUESTS, m),
            AppError::Store(e) => {
                tracing::error!(error = %e, "web request failed in the store");
                status(StatusCode::INTERNAL_SERVER_ERROR, FAILED.into())
            }
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let title = match self.status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::INTERNAL_SERVER_ERROR => "Something went wrong",
            StatusCode::TOO_MANY_REQUESTS => "Too many requests",
            _ => "Not allowed",
        };
        let body = page(
            title,
            None,
            html! {
                h1 { (self.status.as_u16()) " " (self.status.canonical_reason().unwrap_or("")) }
                div.flash.error role="alert" {
                    @if let [one] = self.messages.as_slice() { (one) }
                    @else { ul { @for m in &self.messages { li { (m) } } } }
                }
                p { a href="/ui" { "Back to your facilities" } }
            },
        );
        (self.status, body).into_response()
    }
}

/// A page, or the error page instead.
pub type Page = Result<maud::Markup, WebError>;

#[cfg(test)]
mod tests {
    use super::*;
    use tagtrail_domain::RowError;

    #[test]
    fn app_errors_map_to_the_statuses_the_api_uses() {
        let cases = [
            (
                AppError::Rejected(Rejection::Rows(vec![
                    RowError::new(0, "a"),
                    RowError::new(1, "b"),
                ])),
                StatusCode::BAD_REQUEST,
            ),
            (
                AppError::Rejected(Rejection::Invalid("x".into())),
                StatusCode::BAD_REQUEST,
            ),
            (
                AppError::Rejected(Rejection::Forbidden("x".into())),
                StatusCode::FORBIDDEN,
            ),
            (
                AppError::Rejected(Rejection::NotFound("x".into())),
                StatusCode::NOT_FOUND,
            ),
            (
                AppError::Rejected(Rejection::Conflict("x".into())),
                StatusCode::CONFLICT,
            ),
            (AppError::Unauthorized("x".into()), StatusCode::UNAUTHORIZED),
            (AppError::Forbidden("x".into()), StatusCode::FORBIDDEN),
            (AppError::NotFound("x".into()), StatusCode::NOT_FOUND),
        ];
        for (e, status) in cases {
            assert_eq!(WebError::from(e).status, status);
        }
        let rows = WebError::from(AppError::Rejected(Rejection::Rows(vec![
            RowError::new(0, "first"),
            RowError::new(1, "second"),
        ])));
        assert_eq!(rows.messages, ["first", "second"]);
        assert!(rows.shown());
    }
}
