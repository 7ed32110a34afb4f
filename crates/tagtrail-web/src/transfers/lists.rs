//! The transfer lists as grids: outgoing transfers, incoming ones, templates, those with
//! rejected packages to take back, and (for a distributor) those it transports. Each is
//! filtered by state, sorted and paged in the store, shown a page at a time (page size to
//! choose) and exported as CSV; planned times are the facility's local time as typed.

use super::{
    EDITORS, VIEW, VIEW_TEMPLATES, glossary, page, party, planned, state_badge, status_words,
};
use crate::WebState;
use crate::error::WebError;
use crate::flash::notices;
use crate::frame::Frame;
use crate::grid::{Col, Grid, View, csv};
use crate::layout::wide;
use crate::session::Signed;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use tagtrail_app::reads::{Column, ListQuery, Page as Rows};
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::records::{Transfer, TransferDelivery, TransferState, TransferTransport};

#[derive(Deserialize, Default)]
pub struct ListParams {
    tab: Option<String>,
    status: Option<String>,
    #[serde(flatten)]
    view: View,
}

const TABS: &[(&str, &str)] = &[
    ("outgoing", "Outgoing"),
    ("incoming", "Incoming"),
    ("templates", "Templates"),
    ("rejected", "Rejected"),
    ("transporting", "Transporting"),
];

// Sortable columns are the list's own typed columns: a transfer's for the shipper's lists, the
// recipient's or transporter's index row for theirs.
const OUTGOING: &[Col] = &[
    Col::sorted("manifest", "Manifest no.", Column::ManifestNumber),
    Col::sorted("to", "To", Column::RecipientLicense),
    Col::new("type", "Type"),
    Col::sorted("state", "State", Column::Status),
    Col::new("packages", "Packages"),
    Col::new("departure", "Est. departure"),
    Col::new("arrival", "Est. arrival"),
];
const TEMPLATES: &[Col] = &[
    Col::new("name", "Template"),
    Col::sorted("to", "To", Column::RecipientLicense),
    Col::new("type", "Type"),
    Col::new("packages", "Packages"),
    Col::new("departure", "Est. departure"),
    Col::new("arrival", "Est. arrival"),
];
const INCOMING: &[Col] = &[
    Col::new("manifest", "Manifest no."),
    Col::sorted("from", "From", Column::ShipperLicense),
    Col::new("type", "Type"),
    Col::sorted("state", "State", Column::Status),
    Col::new("packages", "Packages"),
    Col::new("departure", "Est. departure"),
    Col::new("arrival", "Est. arrival"),
];
const TRANSPORTING: &[Col] = &[
    Col::new("manifest", "Manifest no."),
    Col::sorted("from", "From", Column::ShipperLicense),
    Col::new("to", "To"),
    Col::new("type", "Type"),
    Col::sorted("state", "State", Column::Status),
    Col::new("packages", "Packages"),
    Col::new("departure", "Est. departure"),
    Col::new("arrival", "Est. arrival"),
];

fn cols(tab: &str) -> &'static [Col] {
    match tab {
        "templates" => TEMPLATES,
        "incoming" => INCOMING,
        "transporting" => TRANSPORTING,
        _ => OUTGOING,
    }
}

/// The states a tab lists (its filter's choices).
fn statuses(tab: &str) -> &'static [&'static str] {
    match tab {
        "templates" => &["Template"],
        "rejected" => &["Rejected", "Returned"],
        _ => Transfer::REGISTERED_LISTS,
    }
}

impl ListParams {
    fn tab(&self) -> &'static str {
        let asked = self.tab.as_deref().unwrap_or_default();
        TABS.iter()
            .map(|(t, _)| *t)
            .find(|t| *t == asked)
            .unwrap_or("outgoing")
    }

    /// The state asked for, if it is one the tab lists.
    fn status(&self) -> Option<&'static str> {
        let asked = self.status.as_deref().map(str::trim).unwrap_or_default();
        statuses(self.tab()).iter().copied().find(|s| *s == asked)
    }

    fn query(&self) -> ListQuery {
        let tab = self.tab();
        let q = ListQuery::default();
        let q = match self.status() {
            Some(s) => q.with(Column::Status, [s]),
            None => q.with(Column::Status, statuses(tab).iter().copied()),
        };
        let q = if tab == "templates" {
            ListQuery {
                active: Some(true),
                ..q
            }
        } else {
            q
        };
        self.view.apply(cols(tab), q)
    }

    fn keep(&self) -> Vec<(&'static str, String)> {
        vec![
            ("tab", self.tab().to_string()),
            ("status", self.status().unwrap_or_default().to_string()),
        ]
    }
}

async fn rows(s: &WebState, f: &Frame, p: &ListParams) -> Result<Rows<Transfer>, WebError> {
    let scope = &f.scope;
    let q = p.query();
    Ok(match p.tab() {
        "incoming" => s.ledger.manifests_via::<TransferDelivery>(scope, q).await?,
        "transporting" => {
            s.ledger
                .manifests_via::<TransferTransport>(scope, q)
                .await?
        }
        _ => s.ledger.manifests(scope, q).await?,
    })
}

fn csv_of(f: &Frame, tab: &str, found: &Rows<Transfer>) -> Response {
    let header = [
        "Manifest number",
        "Template",
        "From",
        "From license",
        "To",
        "To license",
        "Transporter license",
        "Type",
        "State",
        "Packages",
        "Estimated departure (facility time)",
        "Estimated arrival (facility time)",
        "Departed (UTC)",
        "Received (UTC)",
    ];
    let rows = found
        .rows
        .iter()
        .map(|t| {
            vec![
                t.manifest_number.clone(),
                t.name.clone().unwrap_or_default(),
                t.shipper.name.clone(),
                t.shipper.license_number.clone(),
                t.recipient.name.clone(),
                t.recipient.license_number.clone(),
                t.transporter.license_number.clone(),
                t.transfer_type.clone(),
                t.list_status(),
                t.lines.len().to_string(),
                t.estimated_departure.clone(),
                t.estimated_arrival.clone(),
                t.actual_departure.clone().unwrap_or_default(),
                t.received_at.clone().unwrap_or_default(),
            ]
        })
        .collect();
    csv(
        &format!("transfers-{tab}-{}", f.license()),
        &header,
        rows,
        found.total,
    )
}

pub async fn page_of(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(p): Query<ListParams>,
) -> Result<Response, WebError> {
    let tab = p.tab();
    let perms = if tab == "templates" {
        VIEW_TEMPLATES
    } else {
        VIEW
    };
    let f = Frame::of(&s, signed, &license, perms).await?;
    let distributor = f.scope.facility().license_type == LicenseType::Distributor;
    if tab == "transporting" && !distributor {
        return Err(WebError::not_found(
            "Only a distributor transports: this license has no transporting list.",
        ));
    }
    let found = rows(&s, &f, &p).await?;
    if p.view.csv() {
        return Ok(csv_of(&f, tab, &found));
    }
    let base = f.url("transfers");
    let grid = Grid {
        cols: cols(tab),
        view: &p.view,
        total: found.total,
        path: &base,
        keep: p.keep(),
    };
    let tabs: Vec<&(&str, &str)> = TABS
        .iter()
        .filter(|(t, _)| *t != "transporting" || distributor)
        .collect();
    let body = html! {
        h1 { "Transfers · " (f.scope.facility().name) }
        (notices(f.flash()))
        (glossary())
        nav.tabs aria-label="Transfer lists" {
            @for (slug, label) in &tabs {
                @if *slug == tab { strong.tab aria-current="page" { (label) } }
                @else { a.tab href={ (base) "?tab=" (slug) } { (label) } }
            }
            @if f.may(EDITORS) { a.act.new-transfer href={ (base) "/new" } { "New transfer" } }
        }
        @if statuses(tab).len() > 1 {
            form.card.filters #transfer-filters method="get" action=(base) {
                input type="hidden" name="tab" value=(tab);
                label { "State" select name="status" {
                    option value="" { "Any" }
                    @for st in statuses(tab) {
                        option value=(st) selected[p.status() == Some(*st)] { (status_words(st).0.trim_start_matches(['⇢', '✓', ' '])) }
                    }
                } }
                @if let Some(size) = &p.view.size { input type="hidden" name="size" value=(size); }
                button.act type="submit" { "Filter" }
                " " a href={ (base) "?tab=" (tab) } { "Clear" }
            }
        }
        (wide(html! { table.grid #transfers {
            (grid.head())
            tbody { @for t in &found.rows { tr data-state=(t.list_status()) {
                td.mono { a href={ (base) "/" (t.id) } {
                    @if t.state == TransferState::Template { (t.name.clone().unwrap_or_else(|| t.id.to_string())) } @else { (t.manifest_number) }
                } }
                @match tab {
                    "incoming" => td { (party(&t.shipper)) },
                    "transporting" => { td { (party(&t.shipper)) } td { (party(&t.recipient)) } },
                    _ => td { (party(&t.recipient)) },
                }
                td { (t.transfer_type) }
                @if tab != "templates" { td { (state_badge(t)) } }
                td.num { (t.lines.len()) }
                td { (planned(f.zone, &t.estimated_departure)) }
                td { (planned(f.zone, &t.estimated_arrival)) }
            } } }
        } }))
        @if found.rows.is_empty() { p.muted #no-transfers { "No transfers here." } }
        (grid.pager())
    };
    Ok(page(&f, "Transfers", body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> ListParams {
        serde_urlencoded::from_str(q).unwrap_or_default()
    }

    #[test]
    fn a_tab_lists_only_its_states_and_sorts_by_its_own_columns() {
        let p = params("tab=incoming&status=Voided&sort=state&dir=desc");
        assert_eq!(p.status(), Some("Voided"));
        let q = p.query();
        assert_eq!(q.sort, Some((Column::Status, true)));
        // A state the tab does not list, or a column it cannot sort by, is not taken.
        let p = params("tab=templates&status=Voided&sort=manifest");
        assert_eq!(p.status(), None);
        assert_eq!(p.query().sort, None);
        assert_eq!(p.query().active, Some(true));
        let p = params("tab=nonsense&page=3&size=50");
        assert_eq!(p.tab(), "outgoing");
        assert_eq!(p.query().page, Some((3, 50)));
    }
}
