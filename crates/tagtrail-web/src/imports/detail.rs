//! One upload: where it stands, its problems by line, or the preview of what applying it will
//! change (a page of rows at a time), and the Apply button, which asks first.

use super::status;
use crate::WebState;
use crate::confirm;
use crate::error::{Page, WebError};
use crate::fields::Posted;
use crate::flash::{notices, reply};
use crate::frame::Frame;
use crate::layout::{csrf_field, wide};
use crate::session::Signed;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use tagtrail_app::imports::{self as imp, ImportStatus};
use tagtrail_domain::commands::imports::ImportKind;

/// Rows of the preview per page.
const PAGE: usize = 200;

#[derive(Deserialize)]
pub struct From {
    from: Option<usize>,
}

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    Query(q): Query<From>,
) -> Page {
    let f = Frame::of(&s, signed, &license, &[]).await?;
    let i = s.ledger.import(&f.scope, id).await?;
    let from = q.from.unwrap_or(0);
    let preview = if i.status == ImportStatus::Ready {
        Some(s.ledger.import_preview(&f.scope, id, from, PAGE).await?)
    } else {
        None
    };
    let base = f.url(&format!("imports/{id}"));
    // What a change's source is: a planting's package or plant, an additive's supplier.
    let from_header = match i.kind {
        ImportKind::Plantings => "From",
        ImportKind::PlantAdditives | ImportKind::ImmaturePlantAdditives => "Supplier",
        ImportKind::SalesReceipts => "Customer",
    };
    let body = html! {
        @if i.status.running() {
            meta http-equiv="refresh" content="2";
        }
        h1 { "Import " (id) ": " (i.file_name) }
        (notices(f.flash()))
        div.card {
            dl.cat-facts {
                dt { "Type" } dd { (i.kind.title()) " (" a href=(f.url(&format!("imports/guide/{}", i.kind.slug()))) { "format" } ")" }
                dt { "Rows" } dd { (imp::thousands(i.rows)) }
                dt { "Uploaded" } dd { (i.created_by) ", " (f.when(&i.created_at)) }
                dt { "SHA-256" } dd.mono { (i.sha256) }
                dt { "Status" } dd #status { (status(&i.status)) }
                @if let ImportStatus::Applied { first, last } = i.status {
                    dt { "Journal entries" } dd { (first) "–" (last) " (one per request of at most 10 rows) · " a href=(f.url("journal")) { "journal" } }
                }
            }
        }
        @if !i.errors.is_empty() {
            h2 { "Problems" }
            p { "Nothing was applied. Correct these lines and upload the file again"
                @if matches!(i.status, ImportStatus::Failed { errors } if errors > i.errors.len()) { " (the first " (i.errors.len()) " are shown)" } "." }
            ul #errors { @for e in &i.errors { li { strong { "Line " (e.line) } ": " (e.message) } } }
        }
        @if let Some(p) = &preview {
            h2 { "What applying will change" }
            ul #totals { @for t in &p.totals { li { (t) } } }
            @if f.can(imp::definition(i.kind)) {
                form #apply method="post" action={ (base) "/apply" } {
                    (csrf_field(f.csrf()))
                    (confirm::button("Apply", &format!("All {} rows of {} are applied at once, or none is; the journal records them as an import of this file.", imp::thousands(p.rows), i.file_name)))
                }
            }
            (wide(html! {
                table.stack #preview {
                    thead { tr { th { "Line" } th { "Record" } th { "Change" } th { (from_header) } } }
                    tbody { @for c in &p.changes {
                        tr {
                            td data-th="Line" { div { (c.line) } }
                            td data-th="Record" { div { (c.target) } }
                            td data-th="Change" { div { (c.change) } }
                            td data-th=(from_header) { div { (c.source.clone().unwrap_or_default()) } }
                        }
                    } }
                }
            }))
            p {
                "Rows " (imp::thousands((from + 1).min(p.rows))) "–" (imp::thousands((from + p.changes.len()).min(p.rows))) " of " (imp::thousands(p.rows)) ". "
                @if from > 0 { a href={ (base) "?from=" (from.saturating_sub(PAGE)) } { "← Previous" } " " }
                @if from + PAGE < p.rows { a href={ (base) "?from=" (from + PAGE) } { "Next →" } }
            }
        }
        p { a href=(f.url(&format!("imports?type={}", i.kind.slug()))) { "← Data import" } }
    };
    Ok(f.page(&format!("Import {id}"), "imports", body))
}

/// Applies a ready upload, after confirmation; its page then shows the progress.
pub async fn apply(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    posted: Posted,
) -> Response {
    let to = format!("/ui/l/{}/imports/{id}", crate::urls::segment(&license));
    if !confirm::confirmed(&posted) {
        return confirm::ask(
            &posted,
            "Apply",
            &format!("Import {id} is applied: every row at once, or none."),
            &to,
        );
    }
    let result: Result<String, WebError> = async {
        let scope = s.ledger.scope(&signed.acting, &license).await?;
        let i = s.ledger.import_apply(&scope, id).await?;
        Ok(format!(
            "Applying import {id} ({} rows).",
            imp::thousands(i.rows)
        ))
    }
    .await;
    reply(&s, &signed, &to, result, None).await
}
