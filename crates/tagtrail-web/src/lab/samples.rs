//! The samples grid: a laboratory's samples (or the samples a facility sent), filtered by part of
//! the UID or item, by who sent them (or which laboratory has them) and by where their testing
//! stands; sortable, a page at a time, and exportable as CSV.
//!
//! A sample record carries no typed column but its owner, so the grid reads the newest
//! [`SCAN`] samples with their packages and results in three reads (`samples_seen`) and
//! filters, sorts and pages those; the page says so when a laboratory holds more.

use super::{Progress, Seen, is_lab};
use crate::WebState;
use crate::error::WebError;
use crate::flash::notices;
use crate::frame::Frame;
use crate::grid::{Col, Grid, View, csv};
use crate::layout::wide;
use crate::session::Signed;
use crate::status::{self, Tone};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::BTreeMap;
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::permission::Permission;

/// How many of the newest samples the grid filters and sorts.
const SCAN: u32 = 5_000;

/// The longest filter text taken.
const MAX_FILTER: usize = 250;

#[derive(Deserialize, Default)]
pub struct SampleFilter {
    uid: Option<String>,
    item: Option<String>,
    from: Option<String>,
    status: Option<String>,
    #[serde(flatten)]
    view: View,
}

const STATUSES: &[(&str, &str)] = &[
    ("", "Any"),
    ("awaiting", "Awaiting results"),
    ("release", "Results to release"),
    ("released", "Results released"),
    ("failed", "Failed"),
];

// The typed columns here only name the order asked for; the grid sorts in memory.
const LAB_COLS: &[Col] = &[
    Col::sorted("label", "Tag UID", Column::Label),
    Col::sorted("item", "Item", Column::ItemName),
    Col::new("strain", "Item strain"),
    Col::sorted("from", "Sent by", Column::OwnerLicense),
    Col::sorted("received", "Received", Column::PackageId),
    Col::new("results", "Results"),
    Col::sorted("lab", "Lab testing", Column::LabState),
];

const OWNER_COLS: &[Col] = &[
    Col::sorted("label", "Tag UID", Column::Label),
    Col::sorted("item", "Item", Column::ItemName),
    Col::new("strain", "Item strain"),
    Col::sorted("from", "Laboratory", Column::OwnerLicense),
    Col::sorted("received", "Received by the lab", Column::PackageId),
    Col::new("results", "Results"),
    Col::sorted("lab", "Lab testing", Column::LabState),
];

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.chars().take(MAX_FILTER).collect())
}

impl SampleFilter {
    fn status(&self) -> &'static str {
        let asked = nonempty(&self.status).unwrap_or_default();
        STATUSES
            .iter()
            .map(|(v, _)| *v)
            .find(|v| *v == asked)
            .unwrap_or("")
    }

    fn keep(&self) -> Vec<(&'static str, String)> {
        vec![
            ("uid", nonempty(&self.uid).unwrap_or_default()),
            ("item", nonempty(&self.item).unwrap_or_default()),
            ("from", nonempty(&self.from).unwrap_or_default()),
            ("status", self.status().to_string()),
        ]
    }

    /// Whether a sample matches every filter. `lab` says which side the viewer is on.
    fn matches(&self, x: &Seen, lab: bool) -> bool {
        let has = |hay: &str, needle: &Option<String>| match nonempty(needle) {
            Some(n) => hay.to_lowercase().contains(&n.to_lowercase()),
            None => true,
        };
        let from_ok = match nonempty(&self.from) {
            Some(f) => counterpart(x, lab).0.eq_ignore_ascii_case(&f),
            None => true,
        };
        let status_ok = match self.status() {
            "awaiting" => x.progress() == Progress::Awaiting,
            "release" => matches!(x.progress(), Progress::ToRelease(_)),
            "released" => matches!(x.progress(), Progress::Released(_)),
            "failed" => status::tone(x.package.lab_testing_state) == Tone::Failed,
            _ => true,
        };
        has(x.package.label.as_str(), &self.uid)
            && has(&x.package.item_name, &self.item)
            && from_ok
            && status_ok
    }
}

/// The other party to a sample, as the viewer sees it: who sent it (to the laboratory) or which
/// laboratory holds it (to the sender). License number and name.
fn counterpart(x: &Seen, lab: bool) -> (String, String) {
    if lab {
        let p = &x.package;
        let name = if p.packaged_by_license == x.sample.owner_license {
            p.packaged_by_name.clone()
        } else {
            String::new()
        };
        (x.sample.owner_license.clone(), name)
    } else {
        (x.sample.lab_license.clone(), x.sample.lab_name.clone())
    }
}

/// Orders the rows as the view asks; newest received first by default.
fn sort(rows: &mut [Seen], by: Option<(Column, bool)>, lab: bool) {
    let newest = |a: &Seen, b: &Seen| {
        (b.sample.sent_at.as_str(), b.sample.id).cmp(&(a.sample.sent_at.as_str(), a.sample.id))
    };
    let Some((column, desc)) = by else {
        rows.sort_by(newest);
        return;
    };
    let key = |x: &Seen| -> String {
        match column {
            Column::Label => x.package.label.to_string(),
            Column::ItemName => x.package.item_name.to_lowercase(),
            Column::OwnerLicense => counterpart(x, lab).0,
            Column::LabState => status::words(x.package.lab_testing_state).to_string(),
            _ => x.sample.sent_at.clone(),
        }
    };
    rows.sort_by(|a, b| {
        let o = key(a).cmp(&key(b)).then(a.sample.id.cmp(&b.sample.id));
        if desc { o.reverse() } else { o }
    });
}

fn filters(f: &SampleFilter, path: &str, senders: &BTreeMap<String, String>, lab: bool) -> Markup {
    let v = |o: &Option<String>| nonempty(o).unwrap_or_default();
    html! {
        form.card.filters #sample-filters method="get" action=(path) {
            label { "Tag UID contains" input type="text" name="uid" value=(v(&f.uid)) size="14" autocomplete="off"; }
            label { "Item contains" input type="text" name="item" value=(v(&f.item)) size="16"; }
            label { @if lab { "Sent by" } @else { "Laboratory" }
                select name="from" {
                    option value="" { "Any" }
                    @for (lic, name) in senders {
                        option value=(lic) selected[v(&f.from).eq_ignore_ascii_case(lic)] {
                            (lic) @if !name.is_empty() { " · " (name) }
                        }
                    }
                }
            }
            label { "Testing" select name="status" {
                @for (val, l) in STATUSES { option value=(val) selected[*val == f.status()] { (l) } }
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
    Query(filter): Query<SampleFilter>,
) -> Result<Response, WebError> {
    let f = Frame::of(&s, signed, &license, &[Permission::ViewPackages]).await?;
    let lab = is_lab(&f);
    let cols = if lab { LAB_COLS } else { OWNER_COLS };
    let newest = ListQuery {
        page: Some((1, SCAN)),
        newest_first: true,
        ..Default::default()
    };
    let listed = s.ledger.lab_samples(&f.scope, newest).await?;
    let scanned_all = listed.total <= i64::from(SCAN);
    let all: Vec<Seen> = s
        .ledger
        .samples_seen(&f.scope, listed.rows)
        .await?
        .into_iter()
        .map(|(sample, package, results)| Seen {
            sample,
            package,
            results,
        })
        .collect();
    let senders: BTreeMap<String, String> = all.iter().map(|x| counterpart(x, lab)).collect();
    let mut rows: Vec<Seen> = all.into_iter().filter(|x| filter.matches(x, lab)).collect();
    sort(
        &mut rows,
        filter.view.apply(cols, ListQuery::default()).sort,
        lab,
    );
    let total = rows.len() as i64;
    if filter.view.csv() {
        let out = rows
            .iter()
            .map(|x| {
                let (who, name) = counterpart(x, lab);
                vec![
                    x.package.label.to_string(),
                    x.package.item_name.clone(),
                    x.package.item_strain_name.clone().unwrap_or_default(),
                    who,
                    name,
                    x.sample.sent_at.clone(),
                    x.progress().words(),
                    status::words(x.package.lab_testing_state).to_string(),
                ]
            })
            .collect();
        let who = if lab { "Sent by" } else { "Laboratory" };
        let header = [
            "Tag UID",
            "Item",
            "Item strain",
            who,
            "Name",
            "Received (UTC)",
            "Results",
            "Lab testing state",
        ];
        return Ok(csv(
            &format!("lab-samples-{}", f.license()),
            &header,
            out,
            total,
        ));
    }
    let size = filter.view.size() as usize;
    let pages = rows.len().div_ceil(size).max(1);
    let page_no = (filter.view.page() as usize).min(pages);
    let shown = rows.iter().skip((page_no - 1) * size).take(size);
    let path = f.url("labsamples");
    let grid = Grid {
        cols,
        view: &filter.view,
        total,
        path: &path,
        keep: filter.keep(),
    };
    let body = html! {
        h1 { "Lab samples · " (f.scope.facility().name) }
        (notices(f.flash()))
        p.muted {
            @if lab { "Testing samples sent to this laboratory. Open a sample to record its results and release them." }
            @else { "Testing samples this facility sent to laboratories. Results appear once the laboratory releases them." }
        }
        (filters(&filter, &path, &senders, lab))
        @if !scanned_all {
            p.muted { "The filters and order apply to the newest " (SCAN) " samples of " (listed.total) "." }
        }
        (wide(html! { table.grid #samples {
            (grid.head())
            tbody { @for x in shown {
                @let p = &x.package;
                @let (who, name) = counterpart(x, lab);
                tr data-lab=(p.lab_testing_state.name()) data-label=(p.label) {
                    td { a.mono href=(f.url(&format!("labsamples/{}", x.sample.id))) { (p.label) } }
                    td { (p.item_name) }
                    td { (p.item_strain_name.clone().unwrap_or_else(|| "—".into())) }
                    td { span.mono { (who) } @if !name.is_empty() { br; span.muted { (name) } } }
                    td { (f.when(&x.sample.sent_at)) }
                    td { (x.progress().words()) }
                    td { (status::lab(p.lab_testing_state)) }
                }
            } }
        } }))
        @if rows.is_empty() { p.muted #no-samples { "No samples match." } }
        (grid.pager())
    };
    Ok(f.page("Lab samples", "labsamples", body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_offered_statuses_are_taken() {
        let f = SampleFilter {
            status: Some("failed".into()),
            ..Default::default()
        };
        assert_eq!(f.status(), "failed");
        let f = SampleFilter {
            status: Some("<script>".into()),
            ..Default::default()
        };
        assert_eq!(f.status(), "");
    }
}
