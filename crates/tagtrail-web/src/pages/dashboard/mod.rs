//! A license's dashboard, its home page: what a person would rather look at than read. Active
//! inventory by lab testing state and by location (charts whose bars open the filtered package
//! list), lots on hold or failed, manifests on the road and overdue, UID tags left, and the
//! latest journal entries in words. Each chart carries its numbers as a table too.
//!
//! Every tile is a read the person may make anyway (packages, transfers, tags, journal); a
//! tile they may not see is left out, so an employee with narrow permissions gets a smaller
//! dashboard rather than a refusal. An inspector reads everything and sees it all.

mod chart;
mod transit;

use crate::WebState;
use crate::error::{Page, WebError};
use crate::flash::notices;
use crate::frame::Frame;
use crate::session::Signed;
use crate::status::{self, Tone};
use crate::urls::with_query;
use axum::extract::{Path, State};
use chart::Bar;
use chrono::{DateTime, Utc};
use maud::{Markup, html};
use std::collections::HashMap;
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::journal::Entry;
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Location, Package, Tag, TagOrder, TransferState, fold};
use tagtrail_domain::tag::{OrderStatus, TagKind, TagStatus};
use transit::Open;

/// Lots listed in the on-hold-or-failed tile, and journal entries in theirs.
const LOTS: u32 = 8;
const ENTRIES: u32 = 8;
/// Locations charted by name; the rest are one bar.
const PLACES: usize = 8;

const VIEW_PACKAGES: &[Permission] = &[Permission::ViewPackages];
const VIEW_TRANSFERS: &[Permission] = &[Permission::ViewTransfers, Permission::ManageTransfers];
const VIEW_TAGS: &[Permission] = &[Permission::ManageTags];
const VIEW_JOURNAL: &[Permission] = &[Permission::ViewJournal];

/// Active inventory: packages per lab testing state and per location, and the lots that need
/// attention.
struct Inventory {
    total: i64,
    by_lab: Vec<(LabState, i64)>,
    /// Location name as people wrote it (`None`: no location recorded) and the count, most
    /// first; the package list filters by the name.
    by_place: Vec<(Option<String>, i64)>,
    held: Vec<Package>,
    held_total: i64,
    failed: Vec<Package>,
    failed_total: i64,
    /// The failed states present, for the "all failed lots" links.
    failed_states: Vec<LabState>,
}

/// UID tags by kind: received and unused, shipped awaiting receipt, ordered and not shipped.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct TagsLeft {
    ready: i64,
    shipped: i64,
    ordered: i64,
}

pub async fn page(State(s): State<WebState>, signed: Signed, Path(license): Path<String>) -> Page {
    let f = Frame::of(&s, signed, &license, &[]).await?;
    let sees = |perms: &[Permission]| f.scope.holds_any(perms);
    let now = Utc::now();
    let inventory = if sees(VIEW_PACKAGES) {
        Some(inventory(&s, &f).await?)
    } else {
        None
    };
    let open = if sees(VIEW_TRANSFERS) {
        Some(transit::open(&s.ledger, &f.scope).await?)
    } else {
        None
    };
    let tags = if sees(VIEW_TAGS) {
        Some(tags(&s, &f).await?)
    } else {
        None
    };
    let journal = if sees(VIEW_JOURNAL) {
        Some(s.ledger.journal(&f.scope, None, ENTRIES).await?)
    } else {
        None
    };
    let fac = f.scope.facility();
    let body = html! {
        div.dash-head {
            h1 { (fac.name) }
            p.muted {
                span.mono { (fac.license_number) } " · " (fac.license_type.as_str())
                @if f.inspector() { " · " span.badge.neutral { "Inspection (read-only)" } }
            }
        }
        (notices(f.flash()))
        (glance(&f, inventory.as_ref(), open.as_deref(), tags.as_ref(), now))
        // Two columns on a wide screen (inventory; movements, tags and the journal), one
        // after the other on a phone; each tile as tall as its content.
        div.dash {
            @if let Some(inv) = &inventory {
                div.dash-col {
                    (by_lab_tile(&f, inv))
                    (attention_tile(&f, inv))
                    (by_place_tile(&f, inv))
                }
            }
            @if open.is_some() || tags.is_some() || journal.is_some() {
                div.dash-col {
                    @if let Some(open) = &open { (transit_tile(&f, open, now)) }
                    @if let Some(t) = &tags { (tags_tile(&f, t)) }
                    @if let Some(entries) = &journal { (journal_tile(&f, entries)) }
                }
            }
        }
        @if inventory.is_none() && open.is_none() && tags.is_none() && journal.is_none() {
            p.card #nothing-to-show {
                "Your permissions at this license cover none of the dashboard's tiles (packages, transfers, tags, journal). "
                "The sections above lead to what you may open."
            }
        }
    };
    Ok(f.page(&format!("Dashboard · {}", fac.name), "dashboard", body))
}

async fn inventory(s: &WebState, f: &Frame) -> Result<Inventory, WebError> {
    let active = || ListQuery {
        active: Some(true),
        ..Default::default()
    };
    let by_lab = s
        .ledger
        .count_by::<Package>(&f.scope, active(), Column::LabState)
        .await?;
    let by_lab = lab_rows(&by_lab);
    let total = by_lab.iter().map(|(_, n)| n).sum();
    let by_place = s
        .ledger
        .count_by::<Package>(&f.scope, active(), Column::LocationName)
        .await?;
    // The counts are by folded name (as the list filters); people read the name as written.
    let places = s
        .ledger
        .list::<Location>(&f.scope, ListQuery::default())
        .await?;
    let names: HashMap<String, String> = places
        .rows
        .into_iter()
        .map(|l| (fold(&l.name), l.name))
        .collect();
    let by_place = by_place
        .into_iter()
        .map(|(k, n)| (k.map(|k| names.get(&k).cloned().unwrap_or(k)), n))
        .collect();
    let newest = |q: ListQuery| ListQuery {
        page: Some((1, LOTS)),
        newest_first: true,
        ..q
    };
    let held = s
        .ledger
        .list::<Package>(&f.scope, newest(active()).with(Column::Status, ["OnHold"]))
        .await?;
    let failing: Vec<&str> = LabState::ALL
        .iter()
        .filter(|st| status::tone(**st) == Tone::Failed)
        .map(|st| st.name())
        .collect();
    let failed = s
        .ledger
        .list::<Package>(
            &f.scope,
            newest(active()).with(Column::LabState, failing.iter().copied()),
        )
        .await?;
    let failed_states = by_lab
        .iter()
        .filter(|(st, _)| status::tone(*st) == Tone::Failed)
        .map(|(st, _)| *st)
        .collect();
    Ok(Inventory {
        total,
        by_lab,
        by_place,
        held: held.rows,
        held_total: held.total,
        failed: failed.rows,
        failed_total: failed.total,
        failed_states,
    })
}

/// Counts per lab testing state, worst first (failed, treated, in testing, untested, passed),
/// then most first. A value that is not a state (none are written) is left out.
fn lab_rows(counts: &[(Option<String>, i64)]) -> Vec<(LabState, i64)> {
    let rank = |t: Tone| match t {
        Tone::Failed => 0,
        Tone::Treated => 1,
        Tone::Testing => 2,
        Tone::Untested => 3,
        Tone::Passed => 4,
    };
    let mut rows: Vec<(LabState, i64)> = counts
        .iter()
        .filter_map(|(k, n)| Some((LabState::parse(k.as_deref()?)?, *n)))
        .filter(|(_, n)| *n > 0)
        .collect();
    rows.sort_by_key(|(st, n)| (rank(status::tone(*st)), -n));
    rows
}

async fn tags(s: &WebState, f: &Frame) -> Result<Vec<(TagKind, TagsLeft)>, WebError> {
    let plant = f.scope.facility().license_type.may_order_plant_tags();
    let orders = s
        .ledger
        .list::<TagOrder>(
            &f.scope,
            ListQuery::default().with(Column::Status, [OrderStatus::Ordered.as_str()]),
        )
        .await?;
    let mut out = Vec::new();
    for kind in [TagKind::Package, TagKind::Plant] {
        let counts = s
            .ledger
            .count_by::<Tag>(
                &f.scope,
                ListQuery::default().with(Column::Kind, [kind.as_str()]),
                Column::Status,
            )
            .await?;
        let of = |st: TagStatus| {
            counts
                .iter()
                .filter(|(k, _)| k.as_deref() == Some(st.as_str()))
                .map(|(_, n)| *n)
                .sum::<i64>()
        };
        let ordered: i64 = orders
            .rows
            .iter()
            .map(|o| match kind {
                TagKind::Package => i64::from(o.package_tags),
                TagKind::Plant => i64::from(o.plant_tags),
            })
            .sum();
        let left = TagsLeft {
            ready: of(TagStatus::Received),
            shipped: of(TagStatus::Shipped),
            ordered,
        };
        // Plant tags are shown where they can be ordered, or where some were.
        if kind == TagKind::Package || plant || left != TagsLeft::default() {
            out.push((kind, left));
        }
    }
    Ok(out)
}

/// The row of big numbers at the top, each leading to its list.
fn glance(
    f: &Frame,
    inv: Option<&Inventory>,
    open: Option<&[Open]>,
    tags: Option<&Vec<(TagKind, TagsLeft)>>,
    now: DateTime<Utc>,
) -> Markup {
    let tile = |id: &str, n: i64, words: &str, href: String, alert: bool| {
        html! {
            a.kpi.alert[alert && n > 0] id=(id) href=(href) {
                span.n { (n) } span.w { (words) }
            }
        }
    };
    html! {
        section.kpis aria-label="At a glance" {
            @if let Some(inv) = inv {
                (tile("kpi-active", inv.total, "active packages", f.url("packages"), false))
                (tile("kpi-hold", inv.held_total, "on hold", f.url("packages?state=onhold"), true))
                (tile("kpi-failed", inv.failed_total, "failed lab tests", failed_href(f, inv), true))
            }
            @if let Some(open) = open {
                @let moving = open.iter().filter(|o| o.transfer.state == TransferState::InTransit).count() as i64;
                @let late = open.iter().filter(|o| transit::overdue(&o.transfer, now, f.zone.0).is_some()).count() as i64;
                (tile("kpi-transit", moving, "manifests in transit", "#transit".into(), false))
                (tile("kpi-overdue", late, "overdue", "#transit".into(), true))
            }
            @if let Some(tags) = tags {
                @let ready = tags.iter().find(|(k, _)| *k == TagKind::Package).map(|(_, t)| t.ready).unwrap_or(0);
                (tile("kpi-tags", ready, "package tags ready", with_query(&f.url("tags/all"), &[("kind", "Package"), ("status", "Received")]), false))
            }
        }
    }
}

/// Where "failed" leads: the failed list itself when one failed state is present.
fn failed_href(f: &Frame, inv: &Inventory) -> String {
    match inv.failed_states.as_slice() {
        [one] => with_query(&f.url("packages"), &[("lab", one.name())]),
        _ => "#attention".into(),
    }
}

/// A tile: a heading and its content.
fn tile(id: &str, title: &str, content: Markup) -> Markup {
    html! {
        section.tile id=(id) aria-labelledby={ (id) "-h" } {
            h2 id={ (id) "-h" } { (title) }
            (content)
        }
    }
}

fn by_lab_tile(f: &Frame, inv: &Inventory) -> Markup {
    let list = f.url("packages");
    let href = |st: LabState| with_query(&list, &[("lab", st.name())]);
    let bars: Vec<Bar> = inv
        .by_lab
        .iter()
        .map(|(st, n)| Bar {
            label: status::words(*st).to_string(),
            value: *n,
            colour: chart::tone_colour(status::tone(*st)),
            href: Some(href(*st)),
        })
        .collect();
    tile(
        "by-lab",
        "Active inventory by lab testing state",
        html! {
            @if inv.by_lab.is_empty() {
                p.muted { "No active packages." }
            } @else {
                figure.chart {
                    (chart::bars(&bars).unwrap_or_default())
                    figcaption {
                        table.numbers {
                            caption.sr { "Active packages by lab testing state" }
                            thead { tr { th scope="col" { "Lab testing" } th.n scope="col" { "Packages" } } }
                            tbody { @for (st, n) in &inv.by_lab {
                                tr data-lab=(st.name()) {
                                    td { (status::lab(*st)) }
                                    td.n { a href=(href(*st)) aria-label={ (n) " " (status::words(*st)) ": show them" } { (n) } }
                                }
                            } }
                            tfoot { tr { th scope="row" { "All active" } td.n { a href=(list) { (inv.total) } } } }
                        }
                    }
                }
            }
        },
    )
}

fn by_place_tile(f: &Frame, inv: &Inventory) -> Markup {
    let list = f.url("packages");
    let href = |name: &Option<String>| {
        name.as_deref()
            .map(|n| with_query(&list, &[("location", n)]))
    };
    let label = |name: &Option<String>| {
        name.clone()
            .unwrap_or_else(|| "No location recorded".to_string())
    };
    let shown: Vec<&(Option<String>, i64)> = inv.by_place.iter().take(PLACES).collect();
    let rest: i64 = inv.by_place.iter().skip(PLACES).map(|(_, n)| n).sum();
    let mut bars: Vec<Bar> = shown
        .iter()
        .map(|(name, n)| Bar {
            label: label(name),
            value: *n,
            colour: chart::ACCENT,
            href: href(name),
        })
        .collect();
    if rest > 0 {
        bars.push(Bar {
            label: "Other locations".into(),
            value: rest,
            colour: chart::ACCENT,
            href: Some(list.clone()),
        });
    }
    tile(
        "by-location",
        "Active inventory by location",
        html! {
            @if inv.by_place.is_empty() {
                p.muted { "No active packages." }
            } @else {
                figure.chart {
                    (chart::bars(&bars).unwrap_or_default())
                    figcaption {
                        table.numbers {
                            caption.sr { "Active packages by location" }
                            thead { tr { th scope="col" { "Location" } th.n scope="col" { "Packages" } } }
                            tbody {
                                @for (name, n) in &shown {
                                    tr {
                                        td { (label(name)) }
                                        td.n { @match href(name) {
                                            Some(h) => a href=(h) aria-label={ (n) " at " (label(name)) ": show them" } { (n) },
                                            None => (n),
                                        } }
                                    }
                                }
                                @if rest > 0 {
                                    tr { td { "Other locations" } td.n { a href=(list) { (rest) } } }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn attention_tile(f: &Frame, inv: &Inventory) -> Markup {
    // A lot both held and failed is listed once.
    let mut lots: Vec<&Package> = inv.failed.iter().collect();
    for p in &inv.held {
        if !lots.iter().any(|x| x.id == p.id) {
            lots.push(p);
        }
    }
    tile(
        "attention",
        "Lots on hold or failed",
        html! {
            p.counts {
                a href=(f.url("packages?state=onhold")) { strong { (inv.held_total) } " on hold" }
                " · "
                a href=(failed_href(f, inv)) { strong { (inv.failed_total) } " failed lab tests" }
            }
            @if lots.is_empty() {
                p.muted.allclear { "None: no active lot is on hold or has failed its tests." }
            } @else {
                ul.dash-lots {
                    @for p in &lots {
                        li data-lab=(p.lab_testing_state.name()) {
                            a.mono href=(f.url(&format!("packages/{}", p.id))) { (p.label) }
                            span.what { (p.item_name) " · " (p.quantity) " " (p.unit_of_measure) }
                            span.states {
                                @if status::tone(p.lab_testing_state) == Tone::Failed { (status::lab(p.lab_testing_state)) " " }
                                @if p.on_hold { span.badge.hold { "⏸ On hold" } }
                            }
                            @if p.on_hold { @if let Some(r) = &p.hold_reason { span.muted.why { (r) } } }
                        }
                    }
                }
                @let shown = lots.len() as i64;
                @let all = inv.held_total + inv.failed_total;
                @if all > shown {
                    p.more { "Newest shown. " a href=(f.url("packages?state=onhold")) { "All on hold" } " · "
                        @for (i, st) in inv.failed_states.iter().enumerate() {
                            @if i > 0 { " · " }
                            a href=(with_query(&f.url("packages"), &[("lab", st.name())])) { "All " (status::words(*st).to_lowercase()) }
                        }
                    }
                }
            }
        },
    )
}

/// What the license is on a manifest, in words.
fn roles(o: &Open) -> String {
    let words: Vec<&str> = o.roles.iter().map(|r| r.words()).collect();
    words.join(" and ")
}

fn transit_tile(f: &Frame, open: &[Open], now: DateTime<Utc>) -> Markup {
    let zone = f.zone.0;
    // Overdue first (the latest first), then on the road, then arrived awaiting receipt;
    // manifests not yet departed and not late are only counted.
    let mut late: Vec<(&Open, chrono::Duration)> = open
        .iter()
        .filter_map(|o| transit::overdue(&o.transfer, now, zone).map(|d| (o, d)))
        .collect();
    late.sort_by_key(|(_, d)| std::cmp::Reverse(*d));
    let on_time = |st: TransferState| {
        open.iter()
            .filter(move |o| o.transfer.state == st)
            .filter(move |o| transit::overdue(&o.transfer, now, zone).is_none())
    };
    let moving: Vec<&Open> = on_time(TransferState::InTransit).collect();
    let arrived: Vec<&Open> = on_time(TransferState::Delivered).collect();
    let waiting = on_time(TransferState::Outgoing).count();
    let in_transit = open
        .iter()
        .filter(|o| o.transfer.state == TransferState::InTransit)
        .count();
    let row = |o: &Open, mark: Markup| {
        let t = &o.transfer;
        html! {
            li {
                a.mono href=(f.url(&format!("transfers/{}", t.id))) { (t.manifest_number) }
                " " (mark)
                span.route { (t.shipper.name) " → " (t.recipient.name) }
                span.muted.role { "You are the " (roles(o)) }
                span.eta { "Estimated arrival " (arrival_text(&t.estimated_arrival, f)) }
            }
        }
    };
    tile(
        "transit",
        "Transfers on the road",
        html! {
            p.counts {
                strong { (in_transit) } " in transit · "
                strong.late[!late.is_empty()] { (late.len()) } " overdue · "
                strong { (arrived.len()) } " arrived, awaiting receipt"
            }
            @if late.is_empty() && moving.is_empty() && arrived.is_empty() {
                p.muted.allclear { "Nothing on the road." }
            } @else {
                ul.dash-manifests {
                    @for (o, d) in &late {
                        (row(o, html! {
                            span.badge.failed { "Overdue " (transit::late_words(*d)) }
                            @if o.transfer.state == TransferState::Outgoing { " " span.badge.neutral { "Not departed" } }
                        }))
                    }
                    @for o in &moving { (row(o, html! { span.badge.transit { "⇢ In transit" } })) }
                    @for o in &arrived { (row(o, html! { span.badge.testing { "Arrived, awaiting receipt" } })) }
                }
            }
            p.more {
                @if waiting > 0 { (waiting) " registered, not departed yet. " }
                a href=(f.url("transfers")) { "All transfers" }
            }
        },
    )
}

/// An estimated time for people: in the facility's zone, to the minute (an estimate without
/// an offset is already the facility's wall clock), or as stored if it is not a time.
fn arrival_text(stamp: &str, f: &Frame) -> Markup {
    match transit::instant(stamp, f.zone.0) {
        Some(t) => f.when(&tagtrail_domain::time::format(t)),
        None if stamp.trim().is_empty() => html! { "not given" },
        None => html! { (stamp) },
    }
}

fn tags_tile(f: &Frame, tags: &[(TagKind, TagsLeft)]) -> Markup {
    // Orders are on the tags page; the tags themselves in its grid, filtered by kind and status.
    let list = f.url("tags");
    let grid = f.url("tags/all");
    let href =
        |kind: TagKind, st: &str| with_query(&grid, &[("kind", kind.as_str()), ("status", st)]);
    let mut bars = Vec::new();
    for (kind, t) in tags {
        let k = kind.as_str();
        bars.push(Bar {
            label: format!("{k}: ready to use"),
            value: t.ready,
            colour: chart::tone_colour(Tone::Passed),
            href: Some(href(*kind, TagStatus::Received.as_str())),
        });
        bars.push(Bar {
            label: format!("{k}: to receive"),
            value: t.shipped,
            colour: chart::PENDING,
            href: Some(href(*kind, TagStatus::Shipped.as_str())),
        });
        bars.push(Bar {
            label: format!("{k}: on order"),
            value: t.ordered,
            colour: chart::LATER,
            href: Some(list.clone()),
        });
    }
    tile(
        "tags",
        "UID tags left",
        html! {
            figure.chart {
                (chart::bars(&bars).unwrap_or_default())
                figcaption {
                    table.numbers {
                        caption.sr { "UID tags by kind" }
                        thead { tr {
                            th scope="col" { "Kind" }
                            th.n scope="col" { "Ready to use" }
                            th.n scope="col" { "To receive" }
                            th.n scope="col" { "On order" }
                        } }
                        tbody { @for (kind, t) in tags {
                            tr data-kind=(kind.as_str()) {
                                th scope="row" { (kind.as_str()) }
                                td.n { a href=(href(*kind, TagStatus::Received.as_str())) aria-label={ (t.ready) " " (kind.as_str()) " tags ready to use" } { (t.ready) } }
                                td.n { (t.shipped) }
                                td.n { (t.ordered) }
                            }
                        } }
                    }
                }
            }
            p.muted.note { "Ready to use: received and unused. To receive: shipped by the supplier; record their receipt before use (rule 11). On order: not shipped yet." }
        },
    )
}

fn journal_tile(f: &Frame, entries: &[Entry]) -> Markup {
    tile(
        "latest",
        "Latest in the journal",
        html! {
            @if entries.is_empty() {
                p.muted { "Nothing recorded yet." }
            } @else {
                ol.dash-entries {
                    @for e in entries {
                        li {
                            a href=(f.url(&format!("journal/{}", e.seq))) { (super::journal::said(e)) }
                            span.muted.by { (e.body.actor.name) " · " (f.when(&e.body.recorded_at)) }
                        }
                    }
                }
            }
            p.more { a href=(f.url("journal")) { "The whole journal" } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_states_are_listed_worst_first_then_most_first() {
        let counts = vec![
            (Some("TestPassed".to_string()), 7),
            (Some("NotSubmitted".to_string()), 9),
            (Some("Remediated".to_string()), 1),
            (Some("TestFailed".to_string()), 2),
            (Some("RetestPassed".to_string()), 8),
            (Some("NotAState".to_string()), 3),
            (None, 4),
        ];
        let rows = lab_rows(&counts);
        let names: Vec<&str> = rows.iter().map(|(s, _)| s.name()).collect();
        assert_eq!(
            names,
            [
                "TestFailed",
                "Remediated",
                "NotSubmitted",
                "RetestPassed",
                "TestPassed"
            ]
        );
    }
}
