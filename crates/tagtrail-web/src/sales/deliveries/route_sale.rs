//! A delivery sale from a route on the road (rule 65: the time, the customer type, each UID with
//! its quantity and price, and the recipient's city, county and ZIP). The lines are the packages
//! still in the van; a blank quantity leaves a package out. Runs `SellFromRoutes`, which records
//! the sale as a completed sales delivery: it cannot be voided or edited afterwards, so the form
//! is reviewed (what is sold, for how much, where) before it is recorded.

use super::{
    Got, MANAGE_ROUTES, line_problems, now_local, number, plainly, problems, refused, text, typed,
};
use crate::WebState;
use crate::confirm;
use crate::error::WebError;
use crate::fields::Posted;
use crate::flash::{Typed, notices, reply};
use crate::frame::Frame;
use crate::layout::csrf_field;
use crate::session::Signed;
use crate::urls::segment;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use rust_decimal::Decimal;
use tagtrail_app::actions::deliveries::SellFromRoutes;
use tagtrail_domain::commands::sales::deliveries::RecipientSpec;
use tagtrail_domain::commands::sales::lines::SaleLineSpec;
use tagtrail_domain::commands::sales::reference::COUNTIES;
use tagtrail_domain::commands::sales::retailer_deliveries::RouteSaleSpec;
use tagtrail_domain::records::{
    CustomerType, RetailerDelivery, RetailerDeliveryState, RoutePackage,
};

/// The recipient's fields: the form's name, its label, and the words a refusal uses for it.
const RECIPIENT: &[(&str, &str, &str)] = &[
    ("name", "Recipient's name (optional)", "recipient's name"),
    ("street", "Street address (optional)", "street address"),
    ("city", "City", "city"),
];

/// The route, if it is on the road (the only state a sale may be made from).
async fn on_the_road(s: &WebState, f: &Frame, id: i64) -> Result<RetailerDelivery, WebError> {
    let r: RetailerDelivery = s.ledger.get(&f.scope, id, "Retailer delivery").await?;
    if r.state != RetailerDeliveryState::InTransit {
        return Err(WebError::new(
            StatusCode::CONFLICT,
            format!(
                "Route {} is not on the road; a delivery sale is recorded only from a route that has departed and not ended (rule 65).",
                r.retailer_delivery_number
            ),
        ));
    }
    Ok(r)
}

/// The packages still in the van: the form's lines, in the route's order.
fn in_van(r: &RetailerDelivery) -> Vec<&RoutePackage> {
    r.packages
        .iter()
        .filter(|p| p.remaining() > Decimal::ZERO)
        .collect()
}

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let f = super::frame(&s, signed, &license, MANAGE_ROUTES).await?;
    let r = on_the_road(&s, &f, id).await?;
    let at = f.url(&format!("deliveries/routes/{id}/sale"));
    let got = typed(&f, &at);
    let errors = problems(&f, &at);
    let value = |name: &str, fresh: &str| got.map(|g| g.one(name)).unwrap_or(fresh.to_string());
    let (qtys, prices) = got
        .map(|g| (g.all("qty"), g.all("price")))
        .unwrap_or_default();
    let kept = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    let customer = value("customer", CustomerType::Consumer.as_str());
    let county = value("county", "");
    let other_problem = |key: &str| -> Markup {
        html! { @for e in errors.iter().filter(|e| !e.starts_with("Line ") && e.to_lowercase().contains(key)) { span.field-error role="alert" { (e) } } }
    };
    let title = format!("Delivery sale from route {}", r.retailer_delivery_number);
    let body = html! {
        h1 { (title) }
        (notices(f.flash()))
        p.lead { "Record each delivery the day it is made (rule 65). Only what is still in the van can be sold; leave a quantity blank for a package not sold." }
        form.create.delivery-form #route-sale method="post" action=(at) {
            (csrf_field(f.csrf()))
            fieldset #sale-lines {
                legend { "What was sold" }
                ol.sale-lines {
                    @for (i, p) in in_van(&r).into_iter().enumerate() {
                        @let n = i + 1;
                        @let bad = line_problems(errors, n);
                        li.sale-line.bad[!bad.is_empty()] id={ "line-" (n) } {
                            input type="hidden" name="uid" value=(p.package_label);
                            span.line-no aria-hidden="true" { (n) }
                            span.uid { span.mono { (p.package_label) } br; span.muted { (p.item_name) " · " (p.remaining().normalize()) " " strong.unit { (p.unit_of_measure) } " in the van" } }
                            label.qty { span { "Quantity " span.vh { "(" (p.package_label) ")" } } input type="text" name="qty" inputmode="decimal" size="6" value=(kept(&qtys, i)); }
                            label.price { span { "Price ($) " span.vh { "(" (p.package_label) ")" } } input type="text" name="price" inputmode="decimal" size="7" value=(kept(&prices, i)); }
                            @for e in bad { span.field-error role="alert" { (e) } }
                        }
                    }
                }
                (other_problem("add at least one line"))
            }
            fieldset #sale-customer {
                legend { "Customer and time" }
                label { "Customer type"
                    select name="customer" {
                        @for t in CustomerType::ALL { option value=(t.as_str()) selected[customer.eq_ignore_ascii_case(t.as_str())] { (super::customer_words(t)) } }
                    }
                }
                (other_problem("customer type"))
                label { "Patient license number (patient sales)" input type="text" name="patient" value=(value("patient", "")); }
                (other_problem("patient license"))
                label { "Customer ID (optional)" input type="text" name="consumer" value=(value("consumer", "")); }
                label { "Delivered at (facility's clock)" input type="datetime-local" name="time" value=(value("time", &now_local(&s, &f))); }
                (other_problem("delivered time"))
            }
            fieldset #sale-recipient {
                legend { "Delivered to" }
                @for (name, label, key) in RECIPIENT {
                    label { (label) input type="text" name=(name) value=(value(name, "")); }
                    (other_problem(key))
                }
                label { "County"
                    select name="county" {
                        option value="" selected[county.is_empty()] { "Choose a county" }
                        @for c in COUNTIES { option value=(c) selected[county == c] { (c) } }
                    }
                }
                (other_problem("county"))
                label { "ZIP code" input type="text" name="zip" inputmode="numeric" autocomplete="off" size="10" value=(value("zip", "")); }
                (other_problem("zip code"))
                label { "Planned route (optional)" input type="text" name="planned_route" value=(value("planned_route", "")); }
                (other_problem("planned route"))
            }
            div.pos-submit {
                button.act #record type="submit" { "Review sale" }
                " " a href=(f.url(&format!("deliveries/routes/{id}"))) { "Back to the route" }
            }
        }
    };
    Ok(f.page(&title, "deliveries", body).into_response())
}

/// `POST …/deliveries/routes/{id}/sale`: checked, reviewed (confirmed), then recorded.
pub async fn submit(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    posted: Posted,
) -> Response {
    let back = format!("/ui/l/{}/deliveries/routes/{id}/sale", segment(&license));
    let route = format!("/ui/l/{}/deliveries/routes/{id}", segment(&license));
    let typed = Typed::of(&posted.path, &posted.fields);
    let checked = async {
        let f = super::frame(&s, signed.clone(), &license, MANAGE_ROUTES).await?;
        let r = on_the_road(&s, &f, id).await?;
        let (spec, rows) = spec(&s, &r, Got(posted.fields.pairs()))?;
        Ok::<_, WebError>((r, spec, rows))
    }
    .await;
    let (r, spec, rows) = match checked {
        Ok(c) => c,
        // A route no longer on the road has no sale form to go back to: its page says why.
        Err(e) if e.status == StatusCode::CONFLICT => {
            return reply(&s, &signed, &route, Err(e), None).await;
        }
        Err(e) => return reply(&s, &signed, &back, Err(e), Some(typed)).await,
    };
    if !confirm::confirmed(&posted) {
        let title = format!("Record this sale from route {}", r.retailer_delivery_number);
        return confirm::ask_then(
            &posted,
            &title,
            &review(&spec),
            "A delivery sale from a route is recorded as delivered and cannot be voided or edited.",
            &back,
        );
    }
    let result = s
        .ledger
        .run_as::<SellFromRoutes>(&signed.acting, &license, posted.door(None), &vec![spec])
        .await
        .map(|w| super::super::done(&w, "Delivery sale recorded"))
        .map_err(|e| plainly(e, &rows));
    let to = if result.is_ok() { route } else { back };
    reply(&s, &signed, &to, result, Some(typed)).await
}

/// What the review names: the lines, the total, and where it went.
fn review(spec: &RouteSaleSpec) -> String {
    let lines: Vec<String> = spec
        .lines
        .iter()
        .map(|l| {
            format!(
                "{} {} of {} for ${}",
                l.quantity.unwrap_or_default().normalize(),
                l.unit_of_measure.as_deref().unwrap_or_default(),
                l.package_label.as_deref().unwrap_or_default(),
                l.total_amount.unwrap_or_default()
            )
        })
        .collect();
    let total: Decimal = spec.lines.iter().filter_map(|l| l.total_amount).sum();
    let rc = &spec.recipient;
    format!(
        "{}; total ${total}, delivered to {}, {} County {}.",
        lines.join("; "),
        rc.city.as_deref().unwrap_or("?"),
        rc.county.as_deref().unwrap_or("?"),
        rc.postal_code.as_deref().unwrap_or("?"),
    )
}

/// The sale request the form asks for, and for each of its lines the form's line number. A line
/// with neither quantity nor price is left out; each line's unit is the route package's.
fn spec(
    s: &WebState,
    r: &RetailerDelivery,
    got: Got<'_>,
) -> Result<(RouteSaleSpec, Vec<usize>), WebError> {
    let mut problems = Vec::new();
    let (uids, qtys, prices) = (got.all("uid"), got.all("qty"), got.all("price"));
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for (i, uid) in uids.iter().enumerate() {
        let at = |v: &Vec<String>| v.get(i).map(|x| x.trim().to_string()).unwrap_or_default();
        let (qty, price) = (at(&qtys), at(&prices));
        if qty.is_empty() && price.is_empty() {
            continue;
        }
        let n = i + 1;
        let quantity = number(&qty, "quantity", n, &mut problems);
        let total_amount = number(&price, "price", n, &mut problems);
        if qty.is_empty() {
            problems.push(format!("Line {n}: enter the quantity sold."));
        }
        if price.is_empty() {
            problems.push(format!("Line {n}: enter the price (0 for a free item)."));
        }
        let unit = r
            .packages
            .iter()
            .find(|p| !p.removed && p.package_label.eq_ignore_ascii_case(uid.trim()))
            .map(|p| p.unit_of_measure.clone());
        lines.push(SaleLineSpec {
            package_label: text(uid),
            quantity,
            unit_of_measure: unit,
            total_amount,
            extras: Default::default(),
        });
        rows.push(n);
    }
    if lines.is_empty() {
        problems.push("Add at least one line: the quantity and price of a package sold.".into());
    }
    let now = tagtrail_domain::time::format(s.ledger.now());
    let time = super::instant(
        s,
        &got.one("time"),
        "Delivered time",
        Some(now),
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(refused(problems));
    }
    let field = |name: &str| text(&got.one(name));
    Ok((
        RouteSaleSpec {
            retailer_delivery_id: Some(r.id),
            sales_date_time: time,
            sales_customer_type: field("customer"),
            patient_license_number: field("patient"),
            consumer_id: field("consumer"),
            phone_number_for_questions: None,
            recipient: RecipientSpec {
                name: field("name"),
                street1: field("street"),
                city: field("city"),
                county: field("county"),
                state: Some("CA".into()),
                postal_code: field("zip"),
                ..Default::default()
            },
            planned_route: field("planned_route"),
            lines,
        },
        rows,
    ))
}
