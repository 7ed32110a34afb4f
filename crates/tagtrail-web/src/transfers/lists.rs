//! The transfer lists: outgoing manifests, incoming deliveries, templates, rejected packages to
//! take back, and (for a distributor) the manifests it transports. Newest first, one page from
//! the store.

use super::{EDITORS, VIEW, VIEW_TEMPLATES, page, party, state_pill};
use crate::WebState;
use crate::error::{Page, WebError};
use crate::flash::notices;
use crate::frame::Frame;
use crate::layout::wide;
use crate::session::Signed;
use axum::extract::{Path, Query, State};
use maud::html;
use serde::Deserialize;
use tagtrail_app::reads::{Column, ListQuery, Page as Rows};
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::records::{Transfer, TransferDelivery, TransferState, TransferTransport};

const PAGE: u32 = 25;

#[derive(Deserialize, Default)]
pub struct ListParams {
    tab: Option<String>,
    page: Option<u32>,
}

async fn rows(
    s: &WebState,
    f: &Frame,
    tab: &str,
    page_no: u32,
) -> Result<Rows<Transfer>, WebError> {
    let newest = ListQuery {
        page: Some((page_no, PAGE)),
        newest_first: true,
        ..Default::default()
    };
    let scope = &f.scope;
    Ok(match tab {
        "incoming" => {
            s.ledger
                .manifests_via::<TransferDelivery>(scope, newest)
                .await?
        }
        "transporting" => {
            s.ledger
                .manifests_via::<TransferTransport>(scope, newest)
                .await?
        }
        "templates" => {
            let q = ListQuery {
                active: Some(true),
                ..newest
            }
            .with(Column::Status, ["Template"]);
            s.ledger.manifests(scope, q).await?
        }
        "rejected" => {
            let q = newest.with(Column::Status, ["Rejected", "Returned"]);
            s.ledger.manifests(scope, q).await?
        }
        _ => {
            let q = newest.with(Column::Status, Transfer::REGISTERED_LISTS.iter().copied());
            s.ledger.manifests(scope, q).await?
        }
    })
}

pub async fn page_of(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(q): Query<ListParams>,
) -> Page {
    let tab = q
        .tab
        .as_deref()
        .filter(|t| ["incoming", "templates", "rejected", "transporting"].contains(t))
        .unwrap_or("outgoing");
    let perms = if tab == "templates" {
        VIEW_TEMPLATES
    } else {
        VIEW
    };
    let f = Frame::of(&s, signed, &license, perms).await?;
    let lic = f.license().to_string();
    // Clamped so that the page links cannot overflow.
    let page_no = q.page.unwrap_or(1).clamp(1, u32::MAX - 1);
    let found = rows(&s, &f, tab, page_no).await?;
    let total = u32::try_from(found.total).unwrap_or(0);
    let mut tabs = vec![
        ("outgoing", "Outgoing"),
        ("incoming", "Incoming"),
        ("templates", "Templates"),
        ("rejected", "Rejected"),
    ];
    if f.scope.facility().license_type == LicenseType::Distributor {
        tabs.push(("transporting", "Transporting"));
    }
    let pages = total.div_ceil(PAGE).max(1);
    let base = format!("/ui/l/{lic}/transfers");
    let rows = &found.rows;
    Ok(page(
        &f,
        "Transfers",
        html! {
            h1 { "Transfers · " (f.scope.facility().name) }
            (notices(f.flash()))
            p {
                @for (slug, label) in &tabs {
                    @if *slug == tab { strong.tab { (label) } } @else { a.tab href={ (base) "?tab=" (slug) } { (label) } }
                    " · "
                }
                @if f.may(EDITORS) { a href={ (base) "/new" } { strong { "New transfer" } } }
            }
            (wide(html! { table #transfers {
                thead { tr {
                    th { @if tab == "templates" { "Template" } @else { "Manifest" } }
                    th { @match tab { "incoming" => "From", "transporting" => "From → to", _ => "To" } }
                    th { "Type" } th { "State" } th { "Packages" } th { "Est. departure" } th { "Est. arrival" }
                } }
                tbody { @for t in rows { tr {
                    td.mono { a href={ (base) "/" (t.id) } {
                        @if t.state == TransferState::Template { (t.name.clone().unwrap_or_else(|| t.id.to_string())) } @else { (t.manifest_number) }
                    } }
                    td { @match tab {
                        "incoming" => (party(&t.shipper)),
                        "transporting" => { (party(&t.shipper)) " → " (party(&t.recipient)) },
                        _ => (party(&t.recipient)),
                    } }
                    td { (t.transfer_type) }
                    td { (state_pill(t)) }
                    td { (t.lines.len()) }
                    td.mono { (t.estimated_departure) }
                    td.mono { (t.estimated_arrival) }
                } } }
            } }))
            @if rows.is_empty() { p.muted { "No transfers here." } }
            p.muted {
                (total) " transfer(s) · page " (page_no) " of " (pages) " "
                @if page_no > 1 { a href={ (base) "?tab=" (tab) "&page=" (page_no - 1) } { "← newer" } " " }
                @if page_no < pages { a href={ (base) "?tab=" (tab) "&page=" (page_no + 1) } { "older →" } }
            }
        },
    ))
}
