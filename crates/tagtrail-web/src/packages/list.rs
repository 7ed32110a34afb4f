//! The package list: by state (active, on hold, in transit, finished or discontinued), item,
//! location and lab testing state, a page at a time. Every filter is a typed column, so the
//! database pages the filtered list whatever its size.

use super::locations;
use crate::WebState;
use crate::error::{Page, WebError};
use crate::frame::Frame;
use crate::layout::{flash, wide};
use crate::session::Signed;
use axum::extract::{Path, Query, State};
use maud::html;
use serde::Deserialize;
use tagtrail_app::reads::{Column, ListQuery, Val};
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Item, Location, Package, PackageState, fold};

const PAGE: u32 = 25;

#[derive(Deserialize, Default)]
pub struct ListFilter {
    state: Option<String>,
    item: Option<String>,
    location: Option<String>,
    lab: Option<String>,
    page: Option<u32>,
    msg: Option<String>,
    err: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

const STATES: &[(&str, &str)] = &[
    ("active", "Active"),
    ("onhold", "On hold"),
    ("intransit", "In transit"),
    ("inactive", "Finished / discontinued"),
];

/// The query for the filters, or `None` when a filter names nothing there is (no such item or
/// location at this facility: nothing matches).
async fn query(
    s: &WebState,
    f: &Frame,
    state: &str,
    filter: &ListFilter,
) -> Result<Option<ListQuery>, WebError> {
    let mut q = ListQuery::default();
    q = match state {
        "onhold" => q.with(Column::Status, ["OnHold"]),
        "intransit" => q.with(Column::Status, ["InTransit"]),
        "inactive" => q.with(Column::Status, ["Finished", "Discontinued"]),
        _ => ListQuery {
            active: Some(true),
            ..q
        },
    };
    if let Some(name) = nonempty(&filter.item) {
        match s.ledger.find::<Item>(&f.scope, &fold(name)).await? {
            Some(item) => q = q.with(Column::ItemId, [item.id]),
            None => return Ok(None),
        }
    }
    if let Some(name) = nonempty(&filter.location) {
        match s.ledger.find::<Location>(&f.scope, &fold(name)).await? {
            Some(l) => q = q.with(Column::LocationId, [l.id]),
            None => return Ok(None),
        }
    }
    if let Some(lab) = nonempty(&filter.lab) {
        match LabState::parse(lab) {
            Some(st) => q = q.with(Column::LabState, [Val::from(st.name())]),
            None => return Ok(None),
        }
    }
    Ok(Some(q))
}

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(filter): Query<ListFilter>,
) -> Page {
    let f = Frame::of(&s, signed, &license, &[Permission::ViewPackages]).await?;
    let lic = f.license().to_string();
    let state = nonempty(&filter.state)
        .filter(|st| STATES.iter().any(|(v, _)| v == st))
        .unwrap_or("active");
    let page_no = filter.page.unwrap_or(1).max(1);
    let (total, rows) = match query(&s, &f, state, &filter).await? {
        Some(q) => {
            let q = ListQuery {
                page: Some((page_no, PAGE)),
                ..q
            };
            let p = s.ledger.list::<Package>(&f.scope, q).await?;
            (p.total, p.rows)
        }
        None => (0, vec![]),
    };
    let locations = locations(&s, &f.scope).await?;
    let pages = ((total + i64::from(PAGE) - 1) / i64::from(PAGE)).max(1);
    let keep = |p: u32| {
        let mut q = form_urlencoded::Serializer::new(String::from("?"));
        q.append_pair("state", state)
            .append_pair("item", nonempty(&filter.item).unwrap_or(""))
            .append_pair("location", nonempty(&filter.location).unwrap_or(""))
            .append_pair("lab", nonempty(&filter.lab).unwrap_or(""))
            .append_pair("page", &p.to_string());
        q.finish()
    };
    Ok(f.page(
        "Packages",
        "packages",
        html! {
            h1 { "Packages · " (f.scope.facility().name) }
            (flash(filter.msg.as_deref(), false))
            (flash(filter.err.as_deref(), true))
            form.card method="get" {
                label { "State " select name="state" {
                    @for (v, l) in STATES {
                        option value=(v) selected[*v == state] { (l) }
                    }
                } }
                " " label { "Item " input type="text" name="item" value=(nonempty(&filter.item).unwrap_or("")) size="18"; }
                " " label { "Location " select name="location" {
                    option value="" { "any" }
                    @for l in &locations { option value=(l.name) selected[nonempty(&filter.location) == Some(l.name.as_str())] { (l.name) } }
                } }
                " " label { "Lab state " select name="lab" {
                    option value="" { "any" }
                    @for st in LabState::ALL { option value=(st.name()) selected[nonempty(&filter.lab) == Some(st.name())] { (st.name()) } }
                } }
                " " button.act type="submit" { "Filter" }
            }
            (wide(html! { table {
                thead { tr { th { "Label" } th { "Item" } th { "Quantity" } th { "Location" } th { "Lab state" } th { "Packaged by" } th { "Flags" } th { "Last modified" } } }
                tbody { @for p in &rows { tr {
                    td.mono { a href={ "/ui/l/" (lic) "/packages/" (p.id) } { (p.label) } }
                    td { (p.item_name) } td { (p.quantity) " " (p.unit_of_measure) }
                    td { (p.location_name.clone().unwrap_or_default()) }
                    td { span class=@if p.lab_testing_state.passing() { "pill" } @else { "pill warn" } { (p.lab_testing_state.name()) } }
                    td.mono { (p.packaged_by_license) }
                    td { @if p.on_hold { span.pill.warn { "on hold" } " " } @if p.is_testing_sample { span.pill { "sample" } " " } @if p.state == PackageState::Finished { span.pill.off { "finished" } } }
                    td.mono { (p.last_modified) }
                } } }
            } }))
            p.muted {
                (total) " package(s) · page " (page_no) " of " (pages) " "
                @if page_no > 1 { a href=(keep(page_no - 1)) { "← previous" } " " }
                @if i64::from(page_no) < pages { a href=(keep(page_no + 1)) { "next →" } }
            }
        },
    ))
}
