//! A sales delivery's page: what was sold, to whom and where (rule 65), the courier, and while
//! it is on the road, Complete (each package accepted or returned, with the quantity and reason
//! of a return, which goes back to its package) and Void (every line back to its package). Both
//! are final, so each asks first.

use super::{
    Got, MANAGE_SALES, VIEW_SALES, instant, now_local, plainly, problems, refused, text, typed,
    words,
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
use tagtrail_app::actions::deliveries::{Complete, Void};
use tagtrail_domain::commands::sales::deliveries::{CompleteSpec, ReturnSpec};
use tagtrail_domain::commands::sales::reference::{PAYMENT_TYPES, RETURN_REASONS};
use tagtrail_domain::records::{SaleLine, SalesDelivery, SalesDeliveryState};

/// Each package on the delivery once (two lines of one package are one package to accept or
/// return), with the quantity carried.
fn packages(d: &SalesDelivery) -> Vec<(&SaleLine, Decimal)> {
    let mut out: Vec<(&SaleLine, Decimal)> = Vec::new();
    for l in &d.transactions {
        match out
            .iter_mut()
            .find(|(o, _)| o.package_label.eq_ignore_ascii_case(&l.package_label))
        {
            Some((_, q)) => *q += l.quantity,
            None => out.push((l, l.quantity)),
        }
    }
    out
}

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let f = super::frame(&s, signed, &license, VIEW_SALES).await?;
    let d: SalesDelivery = s.ledger.get(&f.scope, id, "Sales delivery").await?;
    let c = &d.courier;
    let rc = &d.recipient;
    let body = html! {
        h1 { "Delivery " span.mono { (d.delivery_number) } " " span.badge.neutral #delivery-state { (words(d.state.as_str())) } }
        (notices(f.flash()))
        div.card.receipt-card.done[!d.active] { table.fields #facts {
            tr { th { "Sold" } td { (f.when(&d.sales_date_time)) } }
            tr { th { "Customer" } td { (super::customer_words(d.sales_customer_type))
                @if let Some(p) = &d.patient_license_number { " · patient " span.mono { (p) } } } }
            tr { th { "To" } td { @if let Some(n) = &rc.name { (n) ", " } @if let Some(st) = &rc.street1 { (st) ", " }
                (rc.city) ", " (rc.county) " County " (rc.postal_code) } }
            tr { th { "Courier" } td { (c.driver_name) " · " (c.vehicle_make) " " (c.vehicle_model) " · plate " span.mono { (c.vehicle_license_plate_number) } } }
            @if let Some(route) = d.retailer_delivery_id { tr { th { "Route" } td { a href=(f.url(&format!("deliveries/routes/{route}"))) { "Route " span.mono { (format!("{route:010}")) } } } } }
            @if let Some(p) = &d.planned_route { tr { th { "Planned route" } td { (p) } } }
            tr { th { "Completed" } td { (f.zone.maybe(d.completed_date_time.as_deref())) } }
            tr { th { "Total" } td { strong { "$" (d.total_price()) } } }
        } }
        (wide(html! { table.grid.stack #delivery-lines {
            thead { tr { th { "Package" } th { "Item" } th.num { "Quantity" } th.num { "Price" } } }
            tbody { @for l in &d.transactions { tr {
                td data-th="Package" { a.mono href=(f.url(&format!("packages/{}", l.package_id))) { (l.package_label) } }
                td data-th="Item" { (l.item_name) }
                td.num data-th="Quantity" { (l.quantity.normalize()) " " (l.unit_of_measure) }
                td.num data-th="Price" { "$" (l.total_amount) }
            } } }
        } }))
        @if !d.returned_packages.is_empty() {
            h2 { "Returned" }
            ul #returned { @for r in &d.returned_packages { li { span.mono { (r.package_label) } ": " (r.quantity.normalize()) " " (r.unit_of_measure) " · " (r.reason) @if let Some(n) = &r.reason_note { " (" (n) ")" } } } }
        }
        (actions(&s, &f, &d))
        p { a href=(f.url("deliveries")) { "All deliveries" } }
    };
    Ok(f.page(
        &format!("Delivery {}", d.delivery_number),
        "deliveries",
        body,
    )
    .into_response())
}

fn actions(s: &WebState, f: &Frame, d: &SalesDelivery) -> Markup {
    if d.state != SalesDeliveryState::InTransit {
        return html! { p.muted #delivery-done { @if d.state == SalesDeliveryState::Voided { "Voided: every line went back to its package." } @else { "Delivered." } } };
    }
    let base = f.url(&format!("deliveries/sales/{}", d.id));
    html! {
        section.card.actions #delivery-actions aria-label="Actions on this delivery" {
            @if f.can(&Complete::DEF) { (complete_form(s, f, d, &base)) }
            @if f.can(&Void::DEF) {
                form method="post" action={ (base) "/void" } {
                    (csrf_field(f.csrf()))
                    (confirm::button("Void delivery", &void_words(d)))
                }
            }
        }
    }
}

/// Complete: each package accepted or returned (a return names its quantity and reason), the
/// time it was delivered, and how the customer paid.
fn complete_form(s: &WebState, f: &Frame, d: &SalesDelivery, base: &str) -> Markup {
    let at = format!("{base}/complete");
    let got = typed(f, &at);
    let errors = problems(f, &at);
    let all = |name: &str| got.map(|g| g.all(name)).unwrap_or_default();
    let (fates, qtys, reasons, notes) = (all("fate"), all("ret_qty"), all("reason"), all("note"));
    let kept = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    let payment = got.map(|g| g.one("payment")).unwrap_or_default();
    let time = got
        .map(|g| g.one("time"))
        .unwrap_or_else(|| now_local(s, f));
    html! {
        form #complete-delivery method="post" action=(at) {
            (csrf_field(f.csrf()))
            fieldset {
                legend { "Complete the delivery" }
                p.hint { "Each package was accepted by the customer or came back; a return goes back to its package." }
                ol.sale-lines {
                    @for (i, (l, carried)) in packages(d).into_iter().enumerate() {
                        @let bad: Vec<&String> = errors.iter().filter(|e| e.contains(l.package_label.as_str())).collect();
                        @let returned = kept(&fates, i) == "returned";
                        li.sale-line.fate.bad[!bad.is_empty()] id={ "fate-" (i + 1) } {
                            input type="hidden" name="pkg" value=(l.package_label);
                            span.uid { span.mono { (l.package_label) } br; span.muted { (l.item_name) " · " (carried.normalize()) " " (l.unit_of_measure) } }
                            label { span { "Outcome " span.vh { "(" (l.package_label) ")" } }
                                select name="fate" {
                                    option value="accepted" selected[!returned] { "Accepted" }
                                    option value="returned" selected[returned] { "Returned" }
                                }
                            }
                            label { span { "Quantity returned " span.vh { "(" (l.package_label) ")" } } input type="text" name="ret_qty" inputmode="decimal" size="6" value=(kept(&qtys, i)); }
                            label { span { "Reason " span.vh { "(" (l.package_label) ")" } }
                                select name="reason" {
                                    option value="" { "—" }
                                    @for r in RETURN_REASONS { option value=(r.name) selected[kept(&reasons, i) == r.name] { (r.name) } }
                                }
                            }
                            label { span { "Note " span.vh { "(" (l.package_label) ")" } } input type="text" name="note" value=(kept(&notes, i)); }
                            @for e in bad { span.field-error role="alert" { (e) } }
                        }
                    }
                }
                label { "Delivered at (facility's clock)" input type="datetime-local" name="time" value=(time); }
                @for e in errors.iter().filter(|e| e.contains("Time back")) { span.field-error role="alert" { (e) } }
                label { "Payment type (optional)"
                    select name="payment" {
                        option value="" selected[payment.is_empty()] { "—" }
                        @for p in PAYMENT_TYPES { option value=(p) selected[payment == p] { (p) } }
                    }
                }
            }
            (confirm::button("Complete delivery", &complete_words(d)))
        }
    }
}

fn complete_words(d: &SalesDelivery) -> String {
    format!(
        "Delivery {} is completed: accepted packages stay sold, returned quantities go back to their packages, and it can no longer be changed.",
        d.delivery_number
    )
}

fn void_words(d: &SalesDelivery) -> String {
    format!(
        "Delivery {} is voided and its {} line(s) go back to their packages.",
        d.delivery_number,
        d.transactions.len()
    )
}

/// `POST …/deliveries/sales/{id}/{complete|void}`.
pub async fn act(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id, what)): Path<(String, i64, String)>,
    posted: Posted,
) -> Response {
    let to = format!("/ui/l/{}/deliveries/sales/{id}", segment(&license));
    let found = async {
        let f = super::frame(&s, signed.clone(), &license, MANAGE_SALES).await?;
        Ok::<_, WebError>(
            s.ledger
                .get::<SalesDelivery>(&f.scope, id, "Sales delivery")
                .await?,
        )
    }
    .await;
    let d = match found {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let (label, consequence) = match what.as_str() {
        "complete" => ("Complete delivery", complete_words(&d)),
        "void" => ("Void delivery", void_words(&d)),
        _ => return WebError::not_found("No such action.").into_response(),
    };
    if !confirm::confirmed(&posted) {
        let title = format!("{label} {}", d.delivery_number);
        return confirm::ask(&posted, &title, &consequence, &to);
    }
    let typed = Typed::of(&posted.path, &posted.fields);
    let (who, door) = (&signed.acting, posted.door(None));
    let done = super::super::done;
    let result = if what == "void" {
        s.ledger
            .run_as::<Void>(who, &license, door, &id)
            .await
            .map(|w| done(&w, "Delivery voided; its lines went back to the packages"))
            .map_err(|e| plainly(e, &[]))
    } else {
        match complete_spec(&s, id, Got(posted.fields.pairs())) {
            Ok(spec) => s
                .ledger
                .run_as::<Complete>(who, &license, door, &vec![spec])
                .await
                .map(|w| done(&w, "Delivery completed"))
                .map_err(|e| plainly(e, &[])),
            Err(e) => Err(e),
        }
    };
    reply(&s, &signed, &to, result, Some(typed)).await
}

/// The completion request: each package accepted, or returned with its quantity and reason.
fn complete_spec(s: &WebState, id: i64, got: Got<'_>) -> Result<CompleteSpec, WebError> {
    let mut problems = Vec::new();
    let (fates, qtys, reasons, notes) = (
        got.all("fate"),
        got.all("ret_qty"),
        got.all("reason"),
        got.all("note"),
    );
    let at = |v: &Vec<String>, i: usize| v.get(i).map(|x| x.trim().to_string()).unwrap_or_default();
    let mut accepted = Vec::new();
    let mut returned = Vec::new();
    for (i, label) in got.all("pkg").into_iter().enumerate() {
        if at(&fates, i) != "returned" {
            accepted.push(label);
            continue;
        }
        let typed = at(&qtys, i);
        let quantity = match typed.parse::<Decimal>() {
            Ok(q) => Some(q),
            Err(_) => {
                problems.push(format!(
                    "Package {label}: enter the quantity returned as a number, such as 1."
                ));
                None
            }
        };
        returned.push(ReturnSpec {
            label: Some(label),
            quantity,
            unit_of_measure: None,
            reason: text(&at(&reasons, i)),
            reason_note: text(&at(&notes, i)),
        });
    }
    let now = tagtrail_domain::time::format(s.ledger.now());
    let arrival = instant(s, &got.one("time"), "Time back", Some(now), &mut problems);
    if !problems.is_empty() {
        return Err(refused(problems));
    }
    Ok(CompleteSpec {
        id: Some(id),
        actual_arrival: arrival,
        payment_type: text(&got.one("payment")),
        accepted,
        returned,
    })
}
