//! Errors on the wire, in Metrc's two shapes: `[{"row":i,"message":...}]` for per-object write
//! validation, `{"Message":...}` for everything else (`metrc-v2-api.md` §8).

use crate::json::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tagtrail_app::AppError;
use tagtrail_domain::Rejection;
use tagtrail_metrc::{ErrorMessage, RowError};

#[derive(Debug)]
pub enum ApiError {
    Rows(Vec<RowError>),
    Status(StatusCode, String),
}

impl ApiError {
    pub fn bad_request(msg: impl Into<String>) -> Self {
        ApiError::Status(StatusCode::BAD_REQUEST, msg.into())
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Rejected(Rejection::Rows(rows)) => ApiError::Rows(
                rows.into_iter()
                    .map(|r| RowError {
                        row: r.row,
                        message: r.message,
                    })
                    .collect(),
            ),
            AppError::Rejected(Rejection::Invalid(m)) => {
                ApiError::Status(StatusCode::BAD_REQUEST, m)
            }
            AppError::Rejected(Rejection::Forbidden(m)) | AppError::Forbidden(m) => {
                ApiError::Status(StatusCode::FORBIDDEN, m)
            }
            AppError::Rejected(Rejection::NotFound(m)) | AppError::NotFound(m) => {
                ApiError::Status(StatusCode::NOT_FOUND, m)
            }
            AppError::Rejected(Rejection::Conflict(m)) => ApiError::Status(StatusCode::CONFLICT, m),
            AppError::Unauthorized(m) => ApiError::Status(StatusCode::UNAUTHORIZED, m),
            AppError::Busy(m) => ApiError::Status(StatusCode::TOO_MANY_REQUESTS, m),
            AppError::Store(e) => {
                // The cause is logged once here; the client gets no internals.
                tracing::error!(error = %e, "store failure");
                ApiError::Status(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "An internal error occurred; the request was not applied.".into(),
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Rows(rows) => (StatusCode::BAD_REQUEST, Json(rows)).into_response(),
            ApiError::Status(status, message) => {
                let mut resp = (status, Json(ErrorMessage { message })).into_response();
                if status == StatusCode::UNAUTHORIZED {
                    resp.headers_mut().insert(
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static("Basic realm=\"tagtrail\""),
                    );
                }
                if status == StatusCode::TOO_MANY_REQUESTS {
                    resp.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                }
                resp
            }
        }
    }
}
