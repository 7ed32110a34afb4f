//! The QA queue: the license's active lots not sellable yet, each with what it waits for; the
//! sellable inventory; and the labels a revised COA contradicts.

use super::{Lic, SECTION, lab_badge, lot_url, potency, standing, waits};
use crate::AppState;
use crate::error::Result;
use crate::page::{when, wide};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use tagtrail_workbench::model::coa::LABEL_TOLERANCE_PERCENT;

pub async fn queue(State(s): State<AppState>, l: Lic) -> Result<Response> {
    let (waiting, sellable) = s.wb.qa_queue(&l.lic).await?;
    let flags = s.wb.flagged_labels(&l.lic).await?;
    let zone = &s.options.zone;
    let body = html! {
        h1 { "QA release" }
        p.lead.muted { "A lot becomes sellable when a person with the QA role, not the one who prepared its review, releases it with their code: every check ticked against the current COA, no hold, no open discrepancy, and Metrc's lab testing state passing." }
        h2 #waiting-h { "Waiting for QA (" (waiting.len()) ")" }
        @if waiting.is_empty() {
            p { "No active lot waits for QA." }
        } @else {
            (wide("Lots waiting for QA", html! {
                table.cards.qa-queue aria-labelledby="waiting-h" {
                    thead { tr { th { "Lot" } th { "Quantity" } th { "Lab testing (Metrc)" } th { "COA" } th { "Waiting for" } } }
                    tbody {
                        @for lot in &waiting {
                            tr {
                                td data-label="Lot" { a.mono href=(lot_url(&l, &lot.label)) { (lot.label) } br; (standing(lot)) }
                                td.num data-label="Quantity" { @if let Some(p) = &lot.metrc { (p.quantity.normalize()) " " (p.unit) } }
                                td data-label="Lab testing" { (lab_badge(lot.metrc.as_ref().and_then(|p| p.lab_state.as_deref()))) }
                                td data-label="COA" { @if let Some(c) = lot.current_coa() { "Version " (c.version) } @else { span.muted { "none" } } }
                                @let (head, items) = waits(lot);
                                td data-label="Waiting for" {
                                    @if let Some(h) = head { p.waits-head { (h) } }
                                    @if !items.is_empty() { ul.waits { @for w in items { li { (w) } } } }
                                }
                            }
                        }
                    }
                }
            }))
        }
        h2 #sellable-h { "Sellable inventory (" (sellable.len()) ")" }
        p.hint { "Released by QA, agreeing with Metrc at the last sync, and on no hold: only these go to a retailer." }
        @if sellable.is_empty() {
            p { "Nothing is sellable yet." }
        } @else {
            (wide("Sellable inventory", html! {
                table.cards aria-labelledby="sellable-h" {
                    thead { tr { th { "Lot" } th { "Quantity" } th { "Location" } th { "COA" } th { "Released" } } }
                    tbody {
                        @for lot in &sellable {
                            tr {
                                td.mono data-label="Lot" { a href=(lot_url(&l, &lot.label)) { (lot.label) } }
                                td.num data-label="Quantity" { @if let Some(p) = &lot.metrc { (p.quantity.normalize()) " " (p.unit) } }
                                td data-label="Location" { (lot.metrc.as_ref().and_then(|p| p.location.as_deref()).unwrap_or("")) }
                                td data-label="COA" { @if let Some(c) = lot.current_coa() { "Version " (c.version) ", " (potency(&c.potency)) } }
                                td data-label="Released" {
                                    @if let Some(r) = &lot.review {
                                        (r.decided_by.as_deref().unwrap_or("")) " "
                                        @if let Some(t) = r.decided_at { span.muted { (when(zone, t)) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }))
        }
        h2 #flagged-h { "Flagged labels (" (flags.len()) ")" }
        p.hint { "Labels whose printed potency is outside ±" (LABEL_TOLERANCE_PERCENT) " % of their lot's newest COA: a revised COA contradicts them, so they must be relabelled." }
        @if flags.is_empty() {
            p { "No label contradicts its lot's newest COA." }
        } @else {
            (wide("Flagged labels", html! {
                table.cards aria-labelledby="flagged-h" {
                    thead { tr { th { "Label" } th { "Lot" } th { "Label says" } th { "COA says" } th { "COA version" } } }
                    tbody {
                        @for f in &flags {
                            tr.bad-row {
                                td.mono data-label="Label" { a href=(lot_url(&l, &f.label)) { (f.label) } }
                                td.mono data-label="Lot" { a href=(lot_url(&l, &f.lot)) { (f.lot) } }
                                td data-label="Label says" { (potency(&f.claim)) }
                                td data-label="COA says" { (potency(&f.coa)) }
                                td.num data-label="COA version" { (f.coa_version) }
                            }
                        }
                    }
                }
            }))
        }
    };
    Ok(l.page(
        StatusCode::OK,
        SECTION,
        &format!("QA release · {}", l.lic.name),
        body,
    ))
}
