//! JSON answers written in one pass into a plain buffer.
//!
//! axum's `Json` serializes into a `BytesMut` that starts at 128 bytes and takes every token
//! through `BufMut::put_slice`. A page of 20 packages is about 25 KB; a profile of the active
//! page under load (issue 14) spent a tenth of its samples in `put_slice` and the copies of a
//! growing buffer. A `Vec`'s `io::Write` is a plain append, so serializing into one (from 1 KB,
//! which most single records fit) costs a few doublings instead. The answer is the same bytes
//! and headers as axum's, including its 500 when a value cannot be serialized.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Room reserved before serializing: a single package or item fits.
const FIRST_ROOM: usize = 1024;

/// A JSON answer; `Json(value)` as with axum's type of the same name.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut buf = Vec::with_capacity(FIRST_ROOM);
        match serde_json::to_writer(&mut buf, &self.0) {
            Ok(()) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                buf,
            )
                .into_response(),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                )],
                e.to_string(),
            )
                .into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_as_axum_does() {
        let value =
            serde_json::json!({"Id": 1, "Label": "1A4FF0000000022000000001", "Note": "é\"\n"});
        let ours = Json(&value).into_response();
        let theirs = axum::Json(&value).into_response();
        assert_eq!(ours.status(), theirs.status());
        assert_eq!(
            ours.headers().get(header::CONTENT_TYPE),
            theirs.headers().get(header::CONTENT_TYPE)
        );
        let ours = axum::body::to_bytes(ours.into_body(), usize::MAX).await;
        let theirs = axum::body::to_bytes(theirs.into_body(), usize::MAX).await;
        assert_eq!(ours.ok(), theirs.ok());
    }
}
