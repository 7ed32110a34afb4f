//! The submission outbox (seed 003 §03): every write to Metrc is a submission that moves draft →
//! review → approved → submitted → accepted (or rejected, or withdrawn). The list by state; a
//! page per submission with its intent as a table, preflight's problems by row, its history
//! from the audit log and Metrc's answer; the steps the person may take; and the draft forms.
//!
//! Which buttons a page offers is decided by the model's own rule (`submission::decide`), so a
//! page cannot offer a step the workbench would refuse; the step is decided again when it is
//! taken.

use super::Lic;
use crate::AppState;
use crate::error::Result;
use crate::page::{when, wide};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use tagtrail_workbench::model::role::Duty;
use tagtrail_workbench::model::submission::State as SubState;

mod detail;
mod draft;

pub use detail::{detail, step, tick};
use draft::FORMS;
pub use draft::{create, destruction_url, new_form};

/// A label inside a sentence: its first letter in lower case, names keep theirs ("accepted by
/// Metrc").
fn lower_first(label: &str) -> String {
    let mut c = label.chars();
    match c.next() {
        Some(first) => format!("{}{}", first.to_lowercase(), c.as_str()),
        None => String::new(),
    }
}

fn state_class(s: SubState) -> &'static str {
    s.as_str()
}

fn state_badge(s: SubState) -> Markup {
    html! { span class={ "state " (state_class(s)) } { (s.label()) } }
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    state: Option<String>,
}

pub async fn list(
    State(s): State<AppState>,
    l: Lic,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let state = q.state.as_deref().and_then(SubState::parse);
    let subs = s.wb.submissions(&l.lic, state, 500).await?;
    let counts = s.wb.submission_counts(&l.lic).await?;
    let total: i64 = counts.values().sum();
    let zone = &s.options.zone;
    let may_draft = l.lic.allows(Duty::Draft) && !l.signed.caller.installation_admin;
    let body = html! {
        h1 { "Outbox" }
        p.lead.muted { "Every change to Metrc is a submission: drafted, checked by preflight, reviewed and approved by another person, then submitted." }
        @if may_draft {
            div.card {
                h2 { "New submission" }
                div.buttons {
                    @for (slug, kind, _) in FORMS {
                        a.act href={ (l.url("/outbox/new")) "?kind=" (slug) } { (kind.label()) }
                    }
                }
            }
        }
        nav.tabs aria-label="Submissions by state" {
            a class=@if state.is_none() { "on" } aria-current=[state.is_none().then_some("page")] href=(l.url("/outbox")) { "All (" (total) ")" }
            @for st in SubState::ALL {
                @let on = state == Some(*st);
                a class=@if on { "on" } aria-current=[on.then_some("page")] href={ (l.url("/outbox")) "?state=" (st.as_str()) } {
                    (st.label()) " (" (counts.get(st.as_str()).copied().unwrap_or(0)) ")"
                }
            }
        }
        @if subs.is_empty() {
            p { "No submissions" @if let Some(st) = state { " " (st.label().to_lowercase()) } "." }
        } @else {
            (wide("Submissions", html! {
                table.cards {
                    thead { tr { th { "#" } th { "Title" } th { "What" } th { "State" } th { "Author" } th { "Last change" } } }
                    tbody {
                        @for sub in &subs {
                            tr {
                                td data-label="#" { a href=(l.url(&format!("/outbox/{}", sub.id))) { (sub.id) } }
                                td data-label="Title" { a href=(l.url(&format!("/outbox/{}", sub.id))) { (sub.title) } }
                                td data-label="What" { (sub.kind.label()) ", " (sub.intent.rows()) " row" @if sub.intent.rows() != 1 { "s" } }
                                td data-label="State" { (state_badge(sub.state)) @if !sub.preflight.is_empty() && !sub.state.is_final() { " " span.badge.hold { (sub.preflight.len()) " problem" @if sub.preflight.len() != 1 { "s" } } } }
                                td data-label="Author" { (sub.author) }
                                td data-label="Last change" { (when(zone, sub.updated_at)) }
                            }
                        }
                    }
                }
            }))
        }
    };
    Ok(l.page(
        StatusCode::OK,
        "/outbox",
        &format!("Outbox · {}", l.lic.name),
        body,
    ))
}
