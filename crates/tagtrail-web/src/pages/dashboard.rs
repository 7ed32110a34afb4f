//! A license's dashboard (its home page).

use crate::WebState;
use crate::frame::Frame;
use crate::session::Signed;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
) -> Result<Response, crate::error::WebError> {
    let f = Frame::of(&s, signed, &license, &[]).await?;
    Ok(Redirect::to(&f.url("packages")).into_response())
}
