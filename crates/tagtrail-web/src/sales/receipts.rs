//! The receipts: active (editable), finalized and voided, by sale date, newest first; a
//! receipt's page with its lines linked to their packages, and Finalize, Unfinalize, Edit and
//! Void as the receipt's state allows (rule 64: a finalized receipt is not edited until it is
//! unfinalized; a void is for good, so it asks first).

use super::pos::customer_words;
use super::{MANAGE_PERMS, VIEW, done, frame, plainly};
use crate::WebState;
use crate::confirm;
use crate::error::WebError;
use crate::fields::Posted;
use crate::flash::{Typed, notices, reply};
use crate::frame::Frame;
use crate::layout::{csrf_field, wide};
use crate::session::Signed;
use crate::urls::{segment, with_query};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use tagtrail_app::Action;
use tagtrail_app::actions::sales::{
    FinalizeReceipts, RecordReceipts, UnfinalizeReceipts, UpdateReceipts, VoidReceipt,
};
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::records::SalesReceipt;

const TABS: &[(&str, &str)] = &[
    ("active", "Active"),
    ("finalized", "Finalized"),
    ("voided", "Voided"),
];

/// The most receipts one list shows.
const PAGE: u32 = 200;

#[derive(Deserialize, Default)]
pub struct Filter {
    tab: Option<String>,
    /// Sale dates, inclusive, on the facility's calendar.
    from: Option<String>,
    to: Option<String>,
}

/// A facility date (`2026-11-30`) at `time` as the stored instant text, or none.
fn bound(f: &Frame, day: Option<&str>, time: &str) -> Option<String> {
    let d = day.map(str::trim).filter(|d| !d.is_empty())?;
    f.zone
        .instant(&format!("{d}T{time}"))
        .map(tagtrail_domain::time::format)
}

pub async fn list(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(q): Query<Filter>,
) -> Result<Response, WebError> {
    let f = frame(&s, signed, &license, VIEW).await?;
    let tab = match q.tab.as_deref() {
        Some("finalized") => "finalized",
        Some("voided") => "voided",
        _ => "active",
    };
    let mut query = ListQuery {
        page: Some((1, PAGE)),
        ..Default::default()
    }
    .sorted(Column::SalesDate, true);
    query = match tab {
        "active" => ListQuery {
            active: Some(true),
            ..query
        },
        "finalized" => query.with(Column::Status, ["Finalized"]),
        _ => query.with(Column::Status, ["Voided"]),
    };
    let (from, to) = (q.from.as_deref(), q.to.as_deref());
    let (lo, hi) = (bound(&f, from, "00:00"), bound(&f, to, "23:59:59"));
    if lo.is_some() || hi.is_some() {
        query = query.between(Column::SalesDate, lo, hi);
    }
    let found = s.ledger.list::<SalesReceipt>(&f.scope, query).await?;
    let base = f.url("sales");
    let dates: Vec<(&str, &str)> = [("from", from), ("to", to)]
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect();
    let tab_href = |slug: &str| {
        let mut pairs = vec![("tab", slug)];
        pairs.extend(dates.iter().copied());
        with_query(&base, &pairs)
    };
    let body = html! {
        h1 { "Sales · " (f.scope.facility().name) }
        (notices(f.flash()))
        @if f.can(&RecordReceipts::DEF) {
            p { a.act.big #new-sale href=(f.url("sales/new")) { "New sale" } }
        }
        nav.tabs aria-label="Receipt lists" {
            @for (slug, name) in TABS {
                @let href = tab_href(slug);
                @if *slug == tab { strong.tab aria-current="page" { (name) } }
                @else { a.tab href=(href) { (name) } }
            }
        }
        form.filters #sale-dates method="get" action=(base) {
            input type="hidden" name="tab" value=(tab);
            label { "Sold from" input type="date" name="from" value=(from.unwrap_or("")); }
            label { "to" input type="date" name="to" value=(to.unwrap_or("")); }
            button type="submit" { "Show" }
            @if !dates.is_empty() { " " a href=(with_query(&base, &[("tab", tab)])) { "All dates" } }
        }
        @if tab == "active" { p.muted { "Active receipts can be edited. Finalize a receipt when the sale is settled (rule 64); finalized receipts are kept read-only until unfinalized." } }
        (wide(html! { table.grid.stack #receipts {
            thead { tr { th { "Receipt" } th { "Sold" } th { "Customer" } th.num { "Packages" } th.num { "Total" } th { "State" } } }
            tbody { @for r in &found.rows { tr.receipt.done[!r.active] {
                td data-th="Receipt" { a href=(f.url(&format!("sales/{}", r.id))) { span.mono { (r.receipt_number) } }
                    @if let Some(n) = &r.external_receipt_number { " " span.muted { "(" (n) ")" } } }
                td data-th="Sold" { (f.when(&r.sales_date_time)) }
                td data-th="Customer" { (customer_words(r.sales_customer_type)) }
                td.num data-th="Packages" { (r.total_packages()) }
                td.num data-th="Total" { "$" (r.total_price()) }
                td data-th="State" { (state(r)) }
            } } }
        } }))
        @if found.rows.is_empty() { p.muted #no-receipts { "No receipts here." } }
        @else if found.total > i64::from(PAGE) { p.muted { "The newest " (PAGE) " of " (found.total) " are shown; choose dates to see others." } }
    };
    Ok(f.page("Sales", "sales", body).into_response())
}

fn state(r: &SalesReceipt) -> Markup {
    html! {
        @match r.status() {
            "Active" => span.badge.neutral { "Active" },
            "Finalized" => span.badge.closed { "Finalized" },
            _ => span.badge.hold { "Voided" },
        }
    }
}

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let f = frame(&s, signed, &license, VIEW).await?;
    let r: SalesReceipt = s.ledger.get(&f.scope, id, "Sales receipt").await?;
    let base = f.url(&format!("sales/{}", r.id));
    // Each line's package id, to link to (the lines keep it).
    let body = html! {
        h1 { "Receipt " span.mono { (r.receipt_number) } " " (state(&r)) }
        (notices(f.flash()))
        div.card.receipt-card.done[!r.active] #receipt {
            table.fields #facts {
                tr { th { "Sold" } td { (f.when(&r.sales_date_time)) } }
                tr { th { "Customer" } td { (customer_words(r.sales_customer_type))
                    @if let Some(p) = &r.patient_license_number { " · patient " span.mono { (p) } }
                    @if let Some(c) = &r.caregiver_license_number { " · caregiver " span.mono { (c) } } } }
                @if let Some(n) = &r.external_receipt_number { tr { th { "Your receipt number" } td { (n) } } }
                tr { th { "Recorded" } td { (f.when(&r.recorded_date_time)) " by " (r.recorded_by_user_name) } }
                tr { th { "Total" } td #receipt-total { strong { "$" (r.total_price()) } } }
            }
            (wide(html! { table.grid.stack #receipt-lines {
                thead { tr { th { "#" } th { "Package" } th { "Item" } th.num { "Quantity" } th.num { "Price" } } }
                tbody { @for (i, l) in r.transactions.iter().enumerate() { tr {
                    td data-th="#" { (i + 1) }
                    td data-th="Package" { a.mono href=(f.url(&format!("packages/{}", l.package_id))) { (l.package_label) } }
                    td data-th="Item" { (l.item_name) }
                    td.num data-th="Quantity" { (l.quantity.normalize()) " " (l.unit_of_measure) }
                    td.num data-th="Price" { "$" (l.total_amount) }
                } } }
            } }))
        }
        (actions(&f, &r, &base))
        p { a href=(f.url("sales")) { "All receipts" } }
    };
    Ok(
        f.page(&format!("Receipt {}", r.receipt_number), "sales", body)
            .into_response(),
    )
}

/// What may be done to the receipt in its state (rule 64).
fn actions(f: &Frame, r: &SalesReceipt, base: &str) -> Markup {
    if r.voided {
        return html! { p.muted #receipt-state { "This receipt was voided; its quantities went back to the packages." } };
    }
    html! {
        section.card.actions #receipt-actions aria-label="Actions on this receipt" {
            @if r.is_final {
                p #receipt-state { "Finalized: it cannot be edited or voided until it is unfinalized (rule 64)." }
                @if f.can(&UnfinalizeReceipts::DEF) {
                    form method="post" action={ (base) "/unfinalize" } {
                        (csrf_field(f.csrf()))
                        button.act type="submit" { "Unfinalize" }
                    }
                }
            } @else {
                @if f.can(&UpdateReceipts::DEF) { a.act #edit href={ (base) "/edit" } { "Edit" } }
                @if f.can(&FinalizeReceipts::DEF) {
                    form method="post" action={ (base) "/finalize" } {
                        (csrf_field(f.csrf()))
                        button.act type="submit" { "Finalize" }
                    }
                }
                @if f.can(&VoidReceipt::DEF) {
                    form method="post" action={ (base) "/void" } {
                        (csrf_field(f.csrf()))
                        (confirm::button("Void", &void_words(r)))
                    }
                }
            }
        }
    }
}

fn void_words(r: &SalesReceipt) -> String {
    format!(
        "Receipt {} is voided and its {} line(s) go back to their packages.",
        r.receipt_number,
        r.transactions.len()
    )
}

/// `POST …/sales/{id}/{finalize|unfinalize|void}`.
pub async fn act(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id, what)): Path<(String, i64, String)>,
    posted: Posted,
) -> Response {
    let to = format!("/ui/l/{}/sales/{id}", segment(&license));
    let typed = Typed::of(&posted.path, &posted.fields);
    let receipt = async {
        let f = frame(&s, signed.clone(), &license, MANAGE_PERMS).await?;
        Ok::<_, WebError>(
            s.ledger
                .get::<SalesReceipt>(&f.scope, id, "Sales receipt")
                .await?,
        )
    }
    .await;
    let r = match receipt {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    if what == "void" && !confirm::confirmed(&posted) {
        let title = format!("Void receipt {}", r.receipt_number);
        return confirm::ask(&posted, &title, &void_words(&r), &to);
    }
    let who = &signed.acting;
    let door = posted.door(None);
    let result = match what.as_str() {
        "finalize" => s
            .ledger
            .run_as::<FinalizeReceipts>(who, &license, door, &vec![Some(id)])
            .await
            .map(|w| done(&w, "Receipt finalized")),
        "unfinalize" => s
            .ledger
            .run_as::<UnfinalizeReceipts>(who, &license, door, &vec![Some(id)])
            .await
            .map(|w| done(&w, "Receipt unfinalized; it can be edited again")),
        "void" => s
            .ledger
            .run_as::<VoidReceipt>(who, &license, door, &id)
            .await
            .map(|w| {
                done(
                    &w,
                    "Receipt voided; its quantities went back to the packages",
                )
            }),
        _ => return WebError::not_found("No such action.").into_response(),
    };
    reply(
        &s,
        &signed,
        &to,
        result.map_err(|e| plainly(e, &[])),
        Some(typed),
    )
    .await
}
