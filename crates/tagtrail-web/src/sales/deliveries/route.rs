//! A route's page: its ledger (driver, vehicle, times), the packages on it, the sales made from
//! it, and what may be done in its state (rule 65): while loading, depart or void it; on the
//! road, record a delivery sale from it or end it with what came back of each package. Depart,
//! void and end cannot be undone, so each asks first.

use super::{
    Got, MANAGE_ROUTES, VIEW_ROUTES, instant, now_local, plainly, problems, refused, typed, words,
};
use crate::WebState;
use crate::confirm;
use crate::error::WebError;
use crate::fields::Posted;
use crate::flash::{Typed, notices, reply};
use crate::frame::Frame;
use crate::layout::{csrf_field, wide};
use crate::session::Signed;
use crate::urls::segment;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use rust_decimal::Decimal;
use tagtrail_app::Action;
use tagtrail_app::actions::deliveries::{DepartRoutes, EndRoutes, SellFromRoutes, VoidRoute};
use tagtrail_domain::commands::sales::retailer_deliveries::{EndLine, EndSpec};
use tagtrail_domain::records::{RetailerDelivery, RetailerDeliveryState};

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let f = super::frame(&s, signed, &license, VIEW_ROUTES).await?;
    let r: RetailerDelivery = s.ledger.get(&f.scope, id, "Retailer delivery").await?;
    let c = &r.courier;
    let body = html! {
        h1 { "Route " span.mono { (r.retailer_delivery_number) } " " span.badge.neutral #route-state { (words(r.state.as_str())) } }
        (notices(f.flash()))
        div.card { table.fields #facts {
            tr { th { "Starts" } td { (f.when(&r.date_time)) } }
            tr { th { "Driver" } td { (c.driver_name) " · employee " (c.driver_employee_id) " · license " span.mono { (c.drivers_license_number) }
                @if let Some(p) = &c.phone_number_for_questions { " · " (p) } } }
            tr { th { "Vehicle" } td { (c.vehicle_make) " " (c.vehicle_model) " · plate " span.mono { (c.vehicle_license_plate_number) } } }
            tr { th { "Estimated departure" } td { (f.zone.maybe(r.estimated_departure.as_deref())) } }
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
        @if !r.sales.is_empty() {
            h2 { "Sales from this route" }
            ul #route-sales { @for d in &r.sales { li { a href=(f.url(&format!("deliveries/sales/{d}"))) { "Delivery " span.mono { (format!("{d:010}")) } } } } }
        }
        (actions(&s, &f, &r))
        p { a href=(f.url("deliveries")) { "All deliveries" } }
    };
    Ok(f.page(
        &format!("Route {}", r.retailer_delivery_number),
        "deliveries",
        body,
    )
    .into_response())
}

/// What may be done to the route in its state.
fn actions(s: &WebState, f: &Frame, r: &RetailerDelivery) -> Markup {
    let base = f.url(&format!("deliveries/routes/{}", r.id));
    match r.state {
        RetailerDeliveryState::Pending => html! {
            section.card.actions #route-actions aria-label="Actions on this route" {
                p { "Loading: the driver has not left. Depart when the van leaves; sales can be recorded from the route once it is on the road." }
                @if f.can(&DepartRoutes::DEF) {
                    form method="post" action={ (base) "/depart" } {
                        (csrf_field(f.csrf()))
                        (confirm::button("Depart", &depart_words(r)))
                    }
                }
                @if f.can(&VoidRoute::DEF) {
                    form method="post" action={ (base) "/void" } {
                        (csrf_field(f.csrf()))
                        (confirm::button("Void route", &void_words(r)))
                    }
                }
            }
        },
        RetailerDeliveryState::InTransit => html! {
            section.card.actions #route-actions aria-label="Actions on this route" {
                p { "On the road: record each delivery as it is made, and end the route when the driver is back." }
                @if f.can(&SellFromRoutes::DEF) {
                    p { a.act.big #sell href={ (base) "/sale" } { "Record a delivery sale from this route" } }
                }
                @if f.can(&EndRoutes::DEF) { (end_form(s, f, r, &base)) }
            }
        },
        RetailerDeliveryState::Ended => html! {
            p.muted #route-done { "Ended: what came back went back to the packages." }
        },
        RetailerDeliveryState::Voided => html! {
            p.muted #route-done { "Voided before departure: the loaded quantities went back to the packages." }
        },
    }
}

/// End the route: what came back of each package still on it (what is left in the van, unless
/// changed), and when the driver was back.
fn end_form(s: &WebState, f: &Frame, r: &RetailerDelivery, base: &str) -> Markup {
    let at = format!("{base}/end");
    let got = typed(f, &at);
    let errors = problems(f, &at);
    let on: Vec<_> = r.packages.iter().filter(|p| !p.removed).collect();
    let kept = got.map(|g| g.all("end_qty"));
    let back = got
        .map(|g| g.one("back"))
        .unwrap_or_else(|| now_local(s, f));
    html! {
        form #end-route method="post" action=(at) {
            (csrf_field(f.csrf()))
            fieldset {
                legend { "End the route" }
                p.hint { "Count what came back of each package. What was neither sold nor brought back is named as a loss to account for." }
                ol.sale-lines {
                    @for (i, p) in on.iter().enumerate() {
                        @let bad: Vec<&String> = errors.iter().filter(|e| e.contains(p.package_label.as_str())).collect();
                        li.sale-line.end.bad[!bad.is_empty()] id={ "end-" (i + 1) } {
                            input type="hidden" name="end_uid" value=(p.package_label);
                            span.line-no aria-hidden="true" { (i + 1) }
                            span.uid { span.mono { (p.package_label) } br; span.muted { (p.item_name) " · " (p.remaining().normalize()) " " (p.unit_of_measure) " in the van" } }
                            label.qty { span { "Came back " span.vh { "(" (p.package_label) ")" } }
                                input type="text" name="end_qty" inputmode="decimal" size="6"
                                    value=(kept.as_ref().and_then(|k| k.get(i).cloned()).unwrap_or_else(|| p.remaining().normalize().to_string())); }
                            @for e in bad { span.field-error role="alert" { (e) } }
                        }
                    }
                }
                label { "Back at (facility's clock)" input type="datetime-local" name="back" value=(back); }
                @for e in errors.iter().filter(|e| e.contains("Time back")) { span.field-error role="alert" { (e) } }
            }
            (confirm::button("End route", &end_words(r)))
        }
    }
}

fn depart_words(r: &RetailerDelivery) -> String {
    format!(
        "Route {} leaves with its {} package(s): the delivery inventory ledger becomes active, sales can be recorded from it, and it can no longer be edited or voided.",
        r.retailer_delivery_number,
        r.total_packages()
    )
}

fn void_words(r: &RetailerDelivery) -> String {
    format!(
        "Route {} is voided and the quantities loaded go back to its {} package(s).",
        r.retailer_delivery_number,
        r.total_packages()
    )
}

fn end_words(r: &RetailerDelivery) -> String {
    format!(
        "Route {} ends: the quantities that came back go back to their packages, and no more sales can be recorded from it.",
        r.retailer_delivery_number
    )
}

/// `POST …/deliveries/routes/{id}/{depart|void|end}`.
pub async fn act(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id, what)): Path<(String, i64, String)>,
    posted: Posted,
) -> Response {
    let to = format!("/ui/l/{}/deliveries/routes/{id}", segment(&license));
    let route = async {
        let f = super::frame(&s, signed.clone(), &license, MANAGE_ROUTES).await?;
        Ok::<_, WebError>(
            s.ledger
                .get::<RetailerDelivery>(&f.scope, id, "Retailer delivery")
                .await?,
        )
    }
    .await;
    let r = match route {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let (label, words) = match what.as_str() {
        "depart" => ("Depart route", depart_words(&r)),
        "void" => ("Void route", void_words(&r)),
        "end" => ("End route", end_words(&r)),
        _ => return WebError::not_found("No such action.").into_response(),
    };
    if !confirm::confirmed(&posted) {
        let title = format!("{label} {}", r.retailer_delivery_number);
        return confirm::ask(&posted, &title, &words, &to);
    }
    let typed = Typed::of(&posted.path, &posted.fields);
    let who = &signed.acting;
    let door = posted.door(None);
    let done = super::super::done;
    let result = match what.as_str() {
        "depart" => s
            .ledger
            .run_as::<DepartRoutes>(who, &license, door, &vec![Some(id)])
            .await
            .map(|w| done(&w, "Route departed; sales can be recorded from it"))
            .map_err(|e| plainly(e, &[])),
        "void" => s
            .ledger
            .run_as::<VoidRoute>(who, &license, door, &id)
            .await
            .map(|w| done(&w, "Route voided; its packages got their quantities back"))
            .map_err(|e| plainly(e, &[])),
        _ => match end_spec(&s, id, Got(posted.fields.pairs())) {
            Ok(spec) => s
                .ledger
                .run_as::<EndRoutes>(who, &license, door, &vec![spec])
                .await
                .map(|w| {
                    super::plain_words(&done(
                        &w,
                        "Route ended; what came back is back in the packages",
                    ))
                })
                .map_err(|e| plainly(e, &[])),
            Err(e) => Err(e),
        },
    };
    reply(&s, &signed, &to, result, Some(typed)).await
}

/// The end request: each package's quantity back, by its UID, and the time back.
fn end_spec(s: &WebState, id: i64, got: Got<'_>) -> Result<EndSpec, WebError> {
    let mut problems = Vec::new();
    let qtys = got.all("end_qty");
    let mut packages = Vec::new();
    for (i, label) in got.all("end_uid").into_iter().enumerate() {
        let typed = qtys
            .get(i)
            .map(|q| q.trim().to_string())
            .unwrap_or_default();
        let end_quantity = match typed.trim_start_matches('$').parse::<Decimal>() {
            Ok(q) => Some(q),
            Err(_) if typed.is_empty() => {
                problems.push(format!(
                    "Package {label}: enter what came back (0 if nothing)."
                ));
                None
            }
            Err(_) => {
                problems.push(format!(
                    "Package {label}: {typed} is not a number; enter one such as 3."
                ));
                None
            }
        };
        packages.push(EndLine {
            label: Some(label),
            end_quantity,
            end_unit_of_measure: None,
        });
    }
    let now = tagtrail_domain::time::format(s.ledger.now());
    let actual_arrival = instant(s, &got.one("back"), "Time back", Some(now), &mut problems);
    if !problems.is_empty() {
        return Err(refused(problems));
    }
    Ok(EndSpec {
        id: Some(id),
        actual_arrival,
        packages,
    })
}
