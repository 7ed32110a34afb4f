//! The manifest document, as the parties print it: only a party (shipper, recipient,
//! transporter) with a transfer permission gets it, as with `GET /transfers/v2/manifest/{id}/pdf`.

use super::{ANY, VIEW, VIEW_TEMPLATES, visible};
use crate::WebState;
use crate::error::WebError;
use crate::frame::Frame;
use crate::security::policy_with_styles_of;
use crate::session::Signed;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tagtrail_app::actions::transfers::Loaded;
use tagtrail_domain::records::TransferState;

async fn manifest(
    s: &WebState,
    signed: Signed,
    license: &str,
    id: i64,
) -> Result<Loaded, WebError> {
    let f = Frame::of(s, signed, license, ANY).await?;
    let l = visible(s, &f.scope, id, VIEW_TEMPLATES, VIEW).await?;
    if l.transfer.state == TransferState::Template {
        return Err(WebError::not_found(
            "A template has no manifest document; register a manifest from it.",
        ));
    }
    Ok(l)
}

pub async fn pdf(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let l = manifest(&s, signed, &license, id).await?;
    let bytes = tagtrail_documents::manifest_pdf(&l.transfer, &l.lines).map_err(|e| {
        tracing::error!(error = %e, manifest = id, "manifest PDF failed");
        WebError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The manifest PDF could not be made; the printable page has the same content.",
        )
    })?;
    let disposition = format!(
        "inline; filename=\"{}\"",
        tagtrail_documents::file_name(&l.transfer).replace(['"', '\\', '\r', '\n'], "")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

pub async fn html(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let l = manifest(&s, signed, &license, id).await?;
    let html = tagtrail_documents::manifest_html(&l.transfer, &l.lines);
    // The printable page is self-contained (its style inline, for printing and saving); allow
    // exactly that style and nothing else inline.
    let policy = policy_with_styles_of(&html);
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (header::CONTENT_SECURITY_POLICY, policy),
        ],
        html,
    )
        .into_response())
}
