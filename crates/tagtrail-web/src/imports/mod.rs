//! The Data Import page (rule 73; bulletin V–VII): a tab per import type with the file upload
//! and the grid of the license's uploads and where each stands; a page per upload with its
//! problems by line or the preview of what applying it will change, and the Apply button; and
//! the format guide per type, made from the same column definitions the parser reads.
//!
//! Uploading stores the file and validates it in the background (the application layer runs
//! every row through the action the API runs for it); nothing changes until Apply, which is
//! all or nothing.

mod detail;
mod guide;

use crate::WebState;
use crate::error::{Page, WebError};
use crate::fields::Posted;
use crate::flash::{Typed, notices, reply};
use crate::frame::Frame;
use crate::layout::{csrf_field, wide};
use crate::lic;
use crate::session::Signed;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use tagtrail_app::imports::{self as imp, Import, ImportStatus};
use tagtrail_domain::commands::imports::{ImportKind, MAX_FILE_BYTES};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route(&lic("/imports"), get(page))
        .route(
            &lic("/imports"),
            post(upload).layer(DefaultBodyLimit::max(MAX_FILE_BYTES + 64 * 1024)),
        )
        .route(&lic("/imports/{id}"), get(detail::page))
        .route(&lic("/imports/{id}/apply"), post(detail::apply))
        .route(&lic("/imports/guide/{kind}"), get(guide::page))
        .route(
            &lic("/imports/guide/{kind}/example.csv"),
            get(guide::example),
        )
}

/// The tab asked for, else the first type the person may import, else the first.
fn kind_or_first(f: &Frame, slug: Option<&str>) -> ImportKind {
    slug.and_then(ImportKind::parse)
        .or_else(|| {
            ImportKind::ALL
                .iter()
                .copied()
                .find(|k| f.can(imp::definition(*k)))
        })
        .unwrap_or(ImportKind::ALL[0])
}

pub(crate) fn kind_of(slug: &str) -> Result<ImportKind, WebError> {
    ImportKind::parse(slug).ok_or_else(|| WebError::not_found("No such import type."))
}

#[derive(Deserialize)]
pub struct Tab {
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// The status in words, marked so that a failure stands out.
pub(crate) fn status(s: &ImportStatus) -> Markup {
    let class = match s {
        ImportStatus::Failed { .. } => "pill warn",
        ImportStatus::Applied { .. } => "pill",
        _ => "pill off",
    };
    html! { span class=(class) { (s.words()) } }
}

fn grid(f: &Frame, all: &[Import]) -> Markup {
    html! {
        @if all.is_empty() {
            p.muted #imports-none { "No files uploaded yet." }
        } @else {
            (wide(html! {
                table.stack #imports {
                    thead { tr { th { "File" } th { "Type" } th { "Rows" } th { "Uploaded by" } th { "Uploaded" } th { "Status" } } }
                    tbody { @for i in all {
                        tr {
                            td data-th="File" { div { a href=(f.url(&format!("imports/{}", i.id))) { (i.file_name) } } }
                            td data-th="Type" { div { (i.kind.title()) } }
                            td data-th="Rows" { div { (imp::thousands(i.rows)) } }
                            td data-th="Uploaded by" { div { (i.created_by) } }
                            td data-th="Uploaded" { div { (f.when(&i.created_at)) } }
                            td data-th="Status" { div { (status(&i.status)) } }
                        }
                    } }
                }
            }))
        }
    }
}

/// The page: a tab per type, its upload form and guide link, and the grid of every upload.
pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(tab): Query<Tab>,
) -> Page {
    let f = Frame::of(&s, signed, &license, imp::PAGE_PERMISSIONS).await?;
    let action = format!("/ui/l/{}/imports", crate::urls::segment(f.license()));
    let pre = f.prefill(&action);
    // A refused upload comes back on the tab it was sent from.
    let chosen = pre.value("type", "");
    let kind = kind_or_first(
        &f,
        tab.kind
            .as_deref()
            .or(Some(chosen.as_str()).filter(|c| !c.is_empty())),
    );
    let all = s.ledger.imports(&f.scope).await?;
    let running = all.iter().any(|i| i.status.running());
    let may = f.can(imp::definition(kind));
    let body = html! {
        @if running {
            // Progress without script: the page reloads itself while an upload runs.
            meta http-equiv="refresh" content="3";
        }
        h1 { "Data import" }
        (notices(f.flash()))
        nav.cat-tabs aria-label="Import types" {
            @for k in ImportKind::ALL {
                a class=@if *k == kind { "on" } aria-current=[(*k == kind).then_some("page")] href=(f.url(&format!("imports?type={}", k.slug()))) { (k.title()) }
            }
        }
        div.card {
            p { (kind.purpose()) }
            p { a #guide-link href=(f.url(&format!("imports/guide/{}", kind.slug()))) { "CSV format guide for " (kind.title().to_lowercase()) } " · " a href=(f.url(&format!("imports/guide/{}/example.csv", kind.slug()))) download { "example file" } }
            @if may {
                form #upload method="post" enctype="multipart/form-data" action=(action) {
                    (csrf_field(f.csrf()))
                    input type="hidden" name="type" value=(kind.slug());
                    p { label { "CSV file " input type="file" name="file" accept=".csv,text/csv" required; } }
                    (pre.problem(&["file", "File", "Line"]))
                    button.act type="submit" { "Upload and check" }
                    p.muted { "Nothing changes until you review the preview and apply it." }
                }
            } @else {
                p.muted { "You may not " (imp::definition(kind).name.to_lowercase()) " here." }
            }
        }
        h2 { "Uploads" }
        (grid(&f, &all))
    };
    Ok(f.page("Data import", "imports", body))
}

/// Stores the file and starts checking it; on to its page, which shows the outcome.
pub async fn upload(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    posted: Posted,
) -> Response {
    let back = format!("/ui/l/{}/imports", crate::urls::segment(&license));
    let slug = posted.fields.text("type").unwrap_or_default();
    let result: Result<i64, WebError> = async {
        let kind = kind_of(&slug)?;
        let scope = s
            .ledger
            .authorize_for(&signed.acting, &license, imp::definition(kind))
            .await?;
        let file = posted
            .fields
            .file("file")
            .ok_or_else(|| WebError::bad("Choose a CSV file to upload."))?;
        Ok(s.ledger
            .import_upload(&scope, kind, &file.file_name, &file.bytes)
            .await?)
    }
    .await;
    match result {
        Ok(id) => {
            let to = format!("{back}/{id}");
            reply(
                &s,
                &signed,
                &to,
                Ok(format!(
                    "File uploaded as import {id}; it is being checked."
                )),
                None,
            )
            .await
        }
        Err(e) => {
            let typed = Typed::of(&posted.path, &posted.fields);
            reply(
                &s,
                &signed,
                &format!("{back}?type={}", crate::urls::segment(&slug)),
                Err(e),
                Some(typed),
            )
            .await
        }
    }
}
