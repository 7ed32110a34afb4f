//! The package grid: by state (active, on hold, in transit, finished or discontinued), part of
//! the item's or location's name, part of the UID, and lab testing state; sortable, a page at a
//! time, and exportable as CSV. Every filter and order is a typed column, so the database pages
//! the filtered list whatever its size, and every filter applies to every state (finished
//! packages too).

use crate::WebState;
use crate::error::WebError;
use crate::flash::notices;
use crate::frame::Frame;
use crate::grid::{Col, Grid, View, csv};
use crate::layout::wide;
use crate::session::Signed;
use crate::status;
use crate::when::date;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use tagtrail_app::reads::{Column, ListQuery, Val};
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Package, fold};

#[derive(Deserialize, Default)]
pub struct ListFilter {
    state: Option<String>,
    uid: Option<String>,
    item: Option<String>,
    location: Option<String>,
    lab: Option<String>,
    #[serde(flatten)]
    view: View,
}

/// The longest filter text taken (a name is at most 250 characters).
const MAX_FILTER: usize = 250;

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.chars().take(MAX_FILTER).collect())
}

pub const STATES: &[(&str, &str)] = &[
    ("active", "Active"),
    ("onhold", "On hold"),
    ("intransit", "In transit"),
    ("inactive", "Finished or discontinued"),
];

const COLS: &[Col] = &[
    Col::sorted("label", "Tag UID", Column::Label),
    Col::sorted("item", "Item", Column::ItemName),
    Col::sorted("quantity", "Quantity", Column::Quantity),
    Col::sorted("location", "Location", Column::LocationName),
    Col::sorted("lab", "Lab testing", Column::LabState),
    Col::new("state", "State"),
    Col::new("packaged", "Packaged"),
];

impl ListFilter {
    fn state(&self) -> &'static str {
        let asked = nonempty(&self.state);
        STATES
            .iter()
            .map(|(v, _)| *v)
            .find(|v| asked.as_deref() == Some(*v))
            .unwrap_or("active")
    }

    /// The query for the filters. Names match in part and in any case; a lab state that is
    /// not one matches nothing.
    fn query(&self) -> ListQuery {
        let mut q = ListQuery::default();
        q = match self.state() {
            "onhold" => q.with(Column::Status, ["OnHold"]),
            "intransit" => q.with(Column::Status, ["InTransit"]),
            "inactive" => q.with(Column::Status, ["Finished", "Discontinued"]),
            _ => ListQuery {
                active: Some(true),
                ..q
            },
        };
        if let Some(uid) = nonempty(&self.uid) {
            q = q.containing(Column::Label, uid.to_uppercase());
        }
        if let Some(name) = nonempty(&self.item) {
            q = q.containing(Column::ItemName, fold(&name));
        }
        if let Some(name) = nonempty(&self.location) {
            q = q.containing(Column::LocationName, fold(&name));
        }
        if let Some(lab) = nonempty(&self.lab) {
            let st = LabState::parse(&lab).map(|s| s.name()).unwrap_or("");
            q = q.with(Column::LabState, [Val::from(st)]);
        }
        q
    }

    fn keep(&self) -> Vec<(&'static str, String)> {
        vec![
            ("state", self.state().to_string()),
            ("uid", nonempty(&self.uid).unwrap_or_default()),
            ("item", nonempty(&self.item).unwrap_or_default()),
            ("location", nonempty(&self.location).unwrap_or_default()),
            ("lab", nonempty(&self.lab).unwrap_or_default()),
        ]
    }
}

/// A package's UID, with a card on hover or focus: what it is and who packaged it (bulletin I).
pub fn label_link(href: &str, p: &Package) -> Markup {
    html! {
        span.pop {
            a.mono href=(href) { (p.label) }
            span.popcard role="tooltip" {
                strong { (p.item_name) } br;
                (p.quantity) " " (p.unit_of_measure) " · " (status::words(p.lab_testing_state)) br;
                "Packaged by " span.mono { (p.packaged_by_license) } " " (p.packaged_by_name)
                @if !p.packaged_date.is_empty() { br; "on " (date(&p.packaged_date)) }
            }
        }
    }
}

fn filters(f: &ListFilter, path: &str) -> Markup {
    let v = |o: &Option<String>| nonempty(o).unwrap_or_default();
    html! {
        form.card.filters method="get" action=(path) {
            label { "State" select name="state" {
                @for (val, l) in STATES { option value=(val) selected[*val == f.state()] { (l) } }
            } }
            label { "Tag UID contains" input type="text" name="uid" value=(v(&f.uid)) size="14" autocomplete="off"; }
            label { "Item contains" input type="text" name="item" value=(v(&f.item)) size="16"; }
            label { "Location contains" input type="text" name="location" value=(v(&f.location)) size="12"; }
            label { "Lab testing" select name="lab" {
                option value="" { "any" }
                @for st in LabState::ALL { option value=(st.name()) selected[v(&f.lab) == st.name()] { (status::words(*st)) } }
            } }
            @if let Some(size) = &f.view.size { input type="hidden" name="size" value=(size); }
            button.act type="submit" { "Filter" }
            " " a href=(path) { "Clear" }
        }
    }
}

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(filter): Query<ListFilter>,
) -> Result<Response, WebError> {
    let f = Frame::of(&s, signed, &license, &[Permission::ViewPackages]).await?;
    let q = filter.view.apply(COLS, filter.query());
    let found = s.ledger.list::<Package>(&f.scope, q).await?;
    if filter.view.csv() {
        let rows = found
            .rows
            .iter()
            .map(|p| {
                vec![
                    p.label.to_string(),
                    p.item_name.clone(),
                    p.quantity.to_string(),
                    p.unit_of_measure.clone(),
                    p.location_name.clone().unwrap_or_default(),
                    p.lab_testing_state.name().to_string(),
                    p.list_status().to_string(),
                    p.packaged_by_license.clone(),
                    p.packaged_date.clone(),
                    p.last_modified.clone(),
                ]
            })
            .collect();
        let header = [
            "Tag UID",
            "Item",
            "Quantity",
            "Unit",
            "Location",
            "Lab testing state",
            "State",
            "Packaged by",
            "Packaged",
            "Last modified (UTC)",
        ];
        let name = format!("packages-{}", f.license());
        return Ok(csv(&name, &header, rows, found.total));
    }
    let path = f.url("packages");
    let grid = Grid {
        cols: COLS,
        view: &filter.view,
        total: found.total,
        path: &path,
        keep: filter.keep(),
    };
    let body = html! {
        h1 { "Packages · " (f.scope.facility().name) }
        (notices(f.flash()))
        @if f.can(&<tagtrail_app::actions::packages::Create as tagtrail_app::Action>::DEF) {
            p.actions { a.act href=(f.url("packages/new")) { "New package" } }
        }
        (filters(&filter, &path))
        (wide(html! { table.grid #packages {
            (grid.head())
            tbody { @for p in &found.rows {
                tr data-lab=(p.lab_testing_state.name()) {
                    td { (label_link(&f.url(&format!("packages/{}", p.id)), p)) }
                    td { (p.item_name) }
                    td.num { (p.quantity) " " (p.unit_of_measure) }
                    td { (p.location_name.clone().unwrap_or_default()) }
                    td { (status::lab(p.lab_testing_state)) }
                    td { (status::package(p)) @if p.is_testing_sample { " " span.badge.neutral { "Sample" } } }
                    td { (date(&p.packaged_date)) }
                }
            } }
        } }))
        @if found.rows.is_empty() { p.muted #no-packages { "No packages match." } }
        (grid.pager())
    };
    Ok(f.page("Packages", "packages", body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(pairs: &[(&str, &str)]) -> ListFilter {
        let q = crate::urls::with_query("", pairs);
        serde_urlencoded::from_str(q.trim_start_matches('?')).unwrap_or_default()
    }

    /// A filter applies to every state: finished packages are filtered by item and lab state
    /// as active ones are (issue 9: they were silently ignored).
    #[test]
    fn filters_apply_to_finished_packages_too() {
        let f = filter(&[
            ("state", "inactive"),
            ("item", "Mango"),
            ("lab", "TestFailed"),
        ]);
        let q = f.query();
        assert_eq!(q.active, None);
        assert!(q.contains.contains(&(Column::ItemName, "mango".into())));
        assert!(
            q.filters
                .iter()
                .any(|x| x.column == Column::LabState && x.values == [Val::from("TestFailed")])
        );
        assert!(q.filters.iter().any(|x| x.column == Column::Status));
    }
}
