//! Deliveries (rule 65, §15049.3): the retailer's delivery inventory ledgers (routes: driver,
//! vehicle, the packages loaded, sold and brought back, the start time) and its sales
//! deliveries. A route is created with its load before the driver leaves (`new_route`), departed,
//! sold from and ended on its page (`route`); a sales delivery in transit is completed (each
//! package accepted or returned) or voided on its page (`sale`). Every form runs the action the
//! matching Metrc endpoint runs, through the web door.

pub mod new_route;
pub mod route;
pub mod route_sale;
pub mod sale;

use super::frame;
use super::pos::customer_words;
use crate::WebState;
use crate::error::WebError;
use crate::flash::notices;
use crate::frame::Frame;
use crate::layout::wide;
use crate::session::Signed;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use rust_decimal::Decimal;
use tagtrail_app::reads::ListQuery;
use tagtrail_app::{Action, AppError};
use tagtrail_domain::Rejection;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{RetailerDelivery, SalesDelivery};

/// Who may see routes or deliveries.
const VIEW: &[Permission] = &[
    Permission::ViewRetailerDelivery,
    Permission::ManageRetailerDelivery,
    Permission::ViewSalesDelivery,
    Permission::ManageSalesDelivery,
];
/// Who may see routes.
const VIEW_ROUTES: &[Permission] = &[
    Permission::ViewRetailerDelivery,
    Permission::ManageRetailerDelivery,
];
/// Who may see sales deliveries.
const VIEW_SALES: &[Permission] = &[
    Permission::ViewSalesDelivery,
    Permission::ManageSalesDelivery,
];
/// Who may load, depart, sell from and end routes.
const MANAGE_ROUTES: &[Permission] = &[Permission::ManageRetailerDelivery];
/// Who may complete and void sales deliveries.
const MANAGE_SALES: &[Permission] = &[Permission::ManageSalesDelivery];

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
        "Pending" => "Loading",
        other => other,
    }
}

pub async fn list(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
) -> Result<Response, WebError> {
    let f = frame(&s, signed, &license, VIEW).await?;
    let routes = if f.scope.holds_any(VIEW_ROUTES) {
        s.ledger
            .list::<RetailerDelivery>(&f.scope, newest())
            .await?
            .rows
    } else {
        vec![]
    };
    let sales = if f.scope.holds_any(VIEW_SALES) {
        s.ledger
            .list::<SalesDelivery>(&f.scope, newest())
            .await?
            .rows
    } else {
        vec![]
    };
    let may_load = f.can(&tagtrail_app::actions::deliveries::CreateRoutes::DEF);
    let body = html! {
        h1 { "Deliveries · " (f.scope.facility().name) }
        (notices(f.flash()))
        h2 { "Delivery routes" }
        p.muted { "A route is the delivery inventory ledger: it is created with the driver, the vehicle and every package loaded before the driver leaves (rule 65)." }
        @if may_load { p { a.act.big #new-route href=(f.url("deliveries/routes/new")) { "New delivery route" } } }
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
        p.muted { "A delivery on the road is completed (each package accepted or returned) or voided from its page." }
        (wide(html! { table.grid.stack #sales-deliveries {
            thead { tr { th { "Delivery" } th { "Sold" } th { "Customer" } th { "To" } th.num { "Packages" } th.num { "Total" } th { "State" } } }
            tbody { @for d in &sales { tr.done[!d.active] {
                td data-th="Delivery" { a.mono href=(f.url(&format!("deliveries/sales/{}", d.id))) { (d.delivery_number) }
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

// ---- what the forms share ------------------------------------------------------------------

/// A posted (or refused and kept) form's fields, read by name.
#[derive(Clone, Copy)]
struct Got<'a>(&'a [(String, String)]);

impl<'a> Got<'a> {
    /// The first value of `name`, as typed ("" when absent).
    fn one(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value of `name`, in order.
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// The fields of the form posting to `action` as typed, when it was refused; else none.
fn typed<'a>(f: &'a Frame, action: &str) -> Option<Got<'a>> {
    f.flash()
        .and_then(|fl| fl.form.as_ref())
        .filter(|t| t.action == action)
        .map(|t| Got(&t.fields))
}

/// The problems the refused form posting to `action` left.
fn problems<'a>(f: &'a Frame, action: &str) -> &'a [String] {
    match f.flash() {
        Some(fl) if fl.form.as_ref().is_some_and(|t| t.action == action) => &fl.errors,
        _ => &[],
    }
}

/// A stored instant as a `datetime-local` value in the facility's zone.
fn local(f: &Frame, stamp: &str) -> String {
    tagtrail_domain::time::parse_instant(stamp)
        .map(|t| {
            t.with_timezone(&f.zone.0)
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Now, as a `datetime-local` value in the facility's zone.
fn now_local(s: &WebState, f: &Frame) -> String {
    local(f, &tagtrail_domain::time::format(s.ledger.now()))
}

/// A `datetime-local` value typed in the facility's zone, as the instant the ledger keeps; a
/// blank one is `blank`; a value that is no time adds a problem naming `what`.
fn instant(
    s: &WebState,
    typed: &str,
    what: &str,
    blank: Option<String>,
    problems: &mut Vec<String>,
) -> Option<String> {
    match typed.trim() {
        "" => blank,
        t => match s.options.zone.instant(t) {
            Some(at) => Some(tagtrail_domain::time::format(at)),
            None => {
                problems.push(format!("{what} {t} is not a date and time."));
                None
            }
        },
    }
}

/// A typed number (a leading `$` allowed), or a problem naming the line and the field.
fn number(v: &str, what: &str, line: usize, problems: &mut Vec<String>) -> Option<Decimal> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match v.trim_start_matches('$').parse::<Decimal>() {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(format!(
                "Line {line}: {what} {v} is not a number; enter one such as 3.5."
            ));
            None
        }
    }
}

/// Trimmed text, none when blank.
fn text(v: &str) -> Option<String> {
    Some(v.trim().to_string()).filter(|v| !v.is_empty())
}

/// The delivery API's field names in the forms' words (longest first, so that
/// `EstimatedDepartureDateTime` is not read as `DateTime`). The sales pages' own words follow.
const FIELD_WORDS: &[(&str, &str)] = &[
    ("EstimatedDepartureDateTime", "Estimated departure"),
    ("ActualArrivalDateTime", "Time back"),
    ("SalesDateTime", "Delivered time"),
    ("DateTime", "Start time"),
    ("DriverEmployeeId", "Driver's employee ID"),
    ("DriversLicenseNumber", "Driver's license number"),
    ("DriverName", "Driver's name"),
    ("PhoneNumberForQuestions", "Phone for questions"),
    ("VehicleLicensePlateNumber", "License plate"),
    ("VehicleMake", "Vehicle make"),
    ("VehicleModel", "Vehicle model"),
    ("RecipientAddressPostalCode", "ZIP code"),
    ("RecipientAddressCounty", "County"),
    ("RecipientAddressCity", "City"),
    ("RecipientAddressStreet1", "Street address"),
    ("RecipientName", "Recipient's name"),
    ("ConsumerId", "Customer ID"),
    ("PlannedRoute", "Planned route"),
    ("EndUnitOfMeasure", "Unit"),
    ("EndQuantity", "the quantity back"),
    ("ReturnQuantityVerified", "Quantity returned"),
    ("ReturnReasonNote", "Note"),
    ("ReturnReason", "Return reason"),
    ("ReturnUnitOfMeasure", "Unit"),
    ("ReturnedPackages: Label", "Package"),
    ("PaymentType", "Payment type"),
    (
        "Packages were not specified: the delivery inventory ledger lists every UID and its quantity.",
        "Add at least one package: its UID and the quantity loaded (the delivery inventory ledger lists every UID and its quantity).",
    ),
    ("Retailer delivery", "Route"),
];

/// One message in the forms' words.
fn plain_words(m: &str) -> String {
    let m = FIELD_WORDS
        .iter()
        .fold(m.to_string(), |m, (api, w)| m.replace(api, w));
    super::words(&m)
}

/// A message whose `Packages[i]: ` or `Transactions[i]: ` names the request's line `i`, naming
/// instead the form's line (`rows[i]`).
fn on_line(m: &str, rows: &[usize]) -> String {
    for key in ["Packages[", "Transactions["] {
        if let Some(rest) = m.strip_prefix(key)
            && let Some((i, tail)) = rest.split_once("]: ")
            && let Ok(i) = i.parse::<usize>()
        {
            let n = rows.get(i).copied().unwrap_or(i + 1);
            return format!("Line {n}: {tail}");
        }
    }
    m.to_string()
}

/// A refusal in the forms' words, each line's problem naming the form's line.
fn plainly(e: AppError, rows: &[usize]) -> WebError {
    match e {
        AppError::Rejected(Rejection::Rows(errs)) => WebError {
            status: axum::http::StatusCode::BAD_REQUEST,
            messages: errs
                .into_iter()
                .map(|r| plain_words(&on_line(&r.message, rows)))
                .collect(),
        },
        other => {
            let mut w = WebError::from(other);
            w.messages = w.messages.iter().map(|m| plain_words(m)).collect();
            w
        }
    }
}

/// Problems found before the action ran, in the forms' words (400: shown on the form).
fn refused(problems: Vec<String>) -> WebError {
    WebError {
        status: axum::http::StatusCode::BAD_REQUEST,
        messages: problems.iter().map(|m| plain_words(m)).collect(),
    }
}

/// The problems of `errors` that name the form's line `n` ("Line 2: …").
fn line_problems(errors: &[String], n: usize) -> Vec<&String> {
    let key = format!("line {n}:");
    errors
        .iter()
        .filter(|e| e.to_lowercase().starts_with(&key))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_refusal_names_the_forms_line_and_fields_in_words() {
        assert_eq!(
            plain_words(&on_line(
                "Packages[1]: UnitOfMeasure Grams does not match package X's Each.",
                &[2, 5]
            )),
            "Line 5: Unit Grams does not match package X's Each."
        );
        assert_eq!(
            plain_words("EstimatedDepartureDateTime x is not an ISO 8601 date-time."),
            "Estimated departure x is not an ISO 8601 date-time."
        );
        assert_eq!(
            plain_words("DateTime was not specified."),
            "Start time was not specified."
        );
        assert_eq!(
            plain_words("RecipientAddressCounty was not specified."),
            "County was not specified."
        );
    }
}
