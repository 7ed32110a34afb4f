//! Deliveries, read-only for now: the retailer's delivery inventory ledgers (routes, rule 65:
//! driver, vehicle, the packages loaded, sold and brought back, the start time) and its sales
//! deliveries with their state. Creating, departing, selling from and ending a route, and
//! completing a delivery, are done through the API until their forms are added here.

use super::frame;
use super::pos::customer_words;
use crate::WebState;
use crate::error::WebError;
use crate::flash::notices;
use crate::layout::wide;
use crate::session::Signed;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use tagtrail_app::reads::ListQuery;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{RetailerDelivery, SalesDelivery};

/// Who may see routes or deliveries.
const VIEW: &[Permission] = &[
    Permission::ViewRetailerDelivery,
    Permission::ManageRetailerDelivery,
    Permission::ViewSalesDelivery,
    Permission::ManageSalesDelivery,
];

/// The most rows each list shows.
const PAGE: u32 = 100;

fn newest() -> ListQuery {
    ListQuery {
        newest_first: true,
        page: Some((1, PAGE)),
        ..Default::default()
    }
}

/// A state in words.
fn words(state: &str) -> &str {
    match state {
        "InTransit" => "On the road",
        other => other,
    }
}

pub async fn list(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
) -> Result<Response, WebError> {
    let f = frame(&s, signed, &license, VIEW).await?;
    let routes = if f.scope.holds_any(&VIEW[..2]) {
        s.ledger
            .list::<RetailerDelivery>(&f.scope, newest())
            .await?
            .rows
    } else {
        vec![]
    };
    let sales = if f.scope.holds_any(&VIEW[2..]) {
        s.ledger
            .list::<SalesDelivery>(&f.scope, newest())
            .await?
            .rows
    } else {
        vec![]
    };
    let body = html! {
        h1 { "Deliveries · " (f.scope.facility().name) }
        (notices(f.flash()))
        p.muted { "Routes and deliveries are recorded through the API for now; this page shows where each stands." }
        h2 { "Delivery routes" }
        (wide(html! { table.grid.stack #routes {
            thead { tr { th { "Route" } th { "Starts" } th { "Driver" } th { "Vehicle" } th.num { "Packages" } th.num { "Sold" } th { "State" } } }
            tbody { @for r in &routes { tr.done[!r.active] {
                td data-th="Route" { a.mono href=(f.url(&format!("deliveries/routes/{}", r.id))) { (r.retailer_delivery_number) } }
                td data-th="Starts" { (f.when(&r.date_time)) }
                td data-th="Driver" { (r.courier.driver_name) }
                td data-th="Vehicle" { (r.courier.vehicle_make) " " (r.courier.vehicle_model) " " span.mono { (r.courier.vehicle_license_plate_number) } }
                td.num data-th="Packages" { (r.total_packages()) }
                td.num data-th="Sold" { "$" (r.total_price_sold) }
                td data-th="State" { span.badge.neutral { (words(r.state.as_str())) } }
            } } }
        } }))
        @if routes.is_empty() { p.muted #no-routes { "No delivery routes." } }
        h2 { "Sales deliveries" }
        (wide(html! { table.grid.stack #sales-deliveries {
            thead { tr { th { "Delivery" } th { "Sold" } th { "Customer" } th { "To" } th.num { "Packages" } th.num { "Total" } th { "State" } } }
            tbody { @for d in &sales { tr.done[!d.active] {
                td data-th="Delivery" { span.mono { (d.delivery_number) }
                    @if let Some(route) = d.retailer_delivery_id { " " a href=(f.url(&format!("deliveries/routes/{route}"))) { "route" } } }
                td data-th="Sold" { (f.when(&d.sales_date_time)) }
                td data-th="Customer" { (customer_words(d.sales_customer_type)) }
                td data-th="To" { (d.recipient.city) }
                td.num data-th="Packages" { (d.total_packages()) }
                td.num data-th="Total" { "$" (d.total_price()) }
                td data-th="State" { span.badge.neutral { (words(d.state.as_str())) } }
            } } }
        } }))
        @if sales.is_empty() { p.muted #no-deliveries { "No sales deliveries." } }
    };
    Ok(f.page("Deliveries", "deliveries", body).into_response())
}

pub async fn route(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let f = frame(&s, signed, &license, &VIEW[..2]).await?;
    let r: RetailerDelivery = s.ledger.get(&f.scope, id, "Retailer delivery").await?;
    let c = &r.courier;
    let body = html! {
        h1 { "Route " span.mono { (r.retailer_delivery_number) } " " span.badge.neutral { (words(r.state.as_str())) } }
        div.card { table.fields #facts {
            tr { th { "Starts" } td { (f.when(&r.date_time)) } }
            tr { th { "Driver" } td { (c.driver_name) " · employee " (c.driver_employee_id) " · license " span.mono { (c.drivers_license_number) } } }
            tr { th { "Vehicle" } td { (c.vehicle_make) " " (c.vehicle_model) " · plate " span.mono { (c.vehicle_license_plate_number) } } }
            tr { th { "Departed" } td { (f.zone.maybe(r.actual_departure.as_deref())) } }
            tr { th { "Back" } td { (f.zone.maybe(r.actual_arrival.as_deref())) } }
            tr { th { "Sold" } td { "$" (r.total_price_sold) " in " (r.sales.len()) " deliveries" } }
        } }
        h2 { "Packages on the route" }
        (wide(html! { table.grid.stack #route-packages {
            thead { tr { th { "Package" } th { "Item" } th.num { "Loaded" } th.num { "Sold" } th.num { "Came back" } th.num { "In the van" } th { "Unit" } } }
            tbody { @for p in &r.packages { tr.done[p.removed] {
                td data-th="Package" { a.mono href=(f.url(&format!("packages/{}", p.package_id))) { (p.package_label) } }
                td data-th="Item" { (p.item_name) }
                td.num data-th="Loaded" { (p.loaded.normalize()) }
                td.num data-th="Sold" { (p.sold.normalize()) }
                td.num data-th="Came back" { (p.end_quantity.map(|q| q.normalize().to_string()).unwrap_or_default()) }
                td.num data-th="In the van" { (p.remaining().normalize()) }
                td data-th="Unit" { (p.unit_of_measure) }
            } } }
        } }))
        p { a href=(f.url("deliveries")) { "All deliveries" } }
    };
    Ok(f.page(
        &format!("Route {}", r.retailer_delivery_number),
        "deliveries",
        body,
    )
    .into_response())
}
