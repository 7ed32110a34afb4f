//! The CSV format guide per import type (bulletin VII), made from the column definitions the
//! parser reads, and the example file to download.

use super::kind_of;
use crate::WebState;
use crate::error::Page;
use crate::frame::Frame;
use crate::layout::wide;
use crate::session::Signed;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::html;
use tagtrail_app::imports::thousands;
use tagtrail_domain::commands::imports::{MAX_FILE_BYTES, MAX_ROWS};

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, kind)): Path<(String, String)>,
) -> Page {
    let f = Frame::of(&s, signed, &license, &[]).await?;
    let kind = kind_of(&kind)?;
    let cols = kind.columns();
    let example = kind.example_csv();
    // The unit column only where some column has a unit (the plantings' count).
    let units = cols.iter().any(|c| c.unit.is_some());
    let body = html! {
        h1 { "CSV format: " (kind.title().to_lowercase()) }
        div.card {
            p { (kind.purpose()) }
            ul {
                li { "A UTF-8 text file, comma-separated; a cell holding a comma or a quote is written in double quotes, a quote inside doubled (\"\")." }
                li { strong { "The first line is the header row" } ", naming the columns below. Use the order shown; columns may come in another order, and optional ones may be left out." }
                li { "Then one row per " (kind.endpoint()) " object. Blank lines are skipped. Problems are reported by line number, the header being line 1." }
                li { "Dates are YYYY-MM-DD (2026-11-30). Numbers use a point for decimals and no thousands separator. Counts are whole numbers." }
                li { "At most " (thousands(MAX_ROWS)) " rows and " (MAX_FILE_BYTES / 1024 / 1024) " MB. Every row is checked exactly as the API checks it, and the file is applied only if every row passes." }
            }
            p { a.act #example href=(f.url(&format!("imports/guide/{}/example.csv", kind.slug()))) download { "Download the example file" } }
        }
        h2 { "Columns, in order" }
        (wide(html! {
            table.stack #columns {
                thead { tr { th { "#" } th { "Column" } th { "Required" } th { "Format" } @if units { th { "Unit" } } th { "Example" } th { "Description" } } }
                tbody { @for (n, c) in cols.iter().enumerate() {
                    tr {
                        td data-th="#" { div { (n + 1) } }
                        td data-th="Column" { div.mono { (c.name) } }
                        td data-th="Required" { div { @if c.required { "yes" } @else { "no" } } }
                        td data-th="Format" { div { (c.format.words()) } }
                        @if units { td data-th="Unit" { div { (c.unit.unwrap_or("")) } } }
                        td data-th="Example" { div.mono { (c.example) } }
                        td data-th="Description" { div { (c.description) } }
                    }
                } }
            }
        }))
        h2 { "Example" }
        pre.mono #example-text tabindex="0" aria-label="The example file" { (example) }
        p { a href=(f.url(&format!("imports?type={}", kind.slug()))) { "← Data import" } }
    };
    Ok(f.page(&format!("CSV format: {}", kind.title()), "imports", body))
}

pub async fn example(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, kind)): Path<(String, String)>,
) -> Result<Response, crate::error::WebError> {
    let _ = Frame::of(&s, signed, &license, &[]).await?;
    let kind = kind_of(&kind)?;
    let disposition = format!("attachment; filename=\"{}-example.csv\"", kind.slug());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        kind.example_csv(),
    )
        .into_response())
}
