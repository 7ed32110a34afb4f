//! The point-of-sale receipt screen: a line per package sold (its UID typed or scanned, the
//! quantity in the package's unit, the line's price), who bought, and when (now on the
//! facility's clock unless changed). Recording runs `RecordReceipts`; editing a receipt not yet
//! finalized runs `UpdateReceipts` with the same form (rule 64).
//!
//! A handheld scanner types the UID and presses Enter: Enter submits the form's first button,
//! which is "Add a line", so a scan never records a sale half-typed; it shows the form again
//! with the package's item and stock beside the line and a blank line to scan next. No script.

use super::{MANAGE_PERMS, done, finished_label, frame, plainly, words};
use crate::WebState;
use crate::error::WebError;
use crate::fields::{Fields, Posted};
use crate::flash::{Typed, notices, reply};
use crate::frame::Frame;
use crate::layout::csrf_field;
use crate::session::Signed;
use crate::urls::segment;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use rust_decimal::Decimal;
use tagtrail_app::actions::sales::{RecordReceipts, UpdateReceipts};
use tagtrail_app::reads::ListQuery;
use tagtrail_domain::commands::sales::lines::SaleLineSpec;
use tagtrail_domain::commands::sales::receipts::ReceiptSpec;
use tagtrail_domain::records::{CustomerType, Package, SalesReceipt};

/// Blank lines a new sale starts with: most sales are one to three packages.
const START_LINES: usize = 3;
/// The most lines one form shows (a long order is split in receipts).
const MOST_LINES: usize = 60;
/// The most packages offered as suggestions while typing a UID.
const SUGGESTED: usize = 400;

/// The form as typed (or as a receipt holds it).
#[derive(Debug, Default, Clone)]
pub struct Draft {
    /// UID, quantity, price: as typed.
    lines: Vec<(String, String, String)>,
    customer: String,
    /// `datetime-local`, in the facility's zone.
    time: String,
    patient: String,
    caregiver: String,
    external: String,
}

impl Draft {
    fn of(fields: &[(String, String)]) -> Draft {
        let all = |name: &str| -> Vec<String> {
            fields
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let one = |name: &str| all(name).into_iter().next().unwrap_or_default();
        let (uids, qtys, prices) = (all("uid"), all("qty"), all("price"));
        let n = uids.len().max(qtys.len()).max(prices.len()).min(MOST_LINES);
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        Draft {
            lines: (0..n)
                .map(|i| (at(&uids, i), at(&qtys, i), at(&prices, i)))
                .collect(),
            customer: one("customer"),
            time: one("time"),
            patient: one("patient"),
            caregiver: one("caregiver"),
            external: one("external"),
        }
    }

    fn of_receipt(r: &SalesReceipt, f: &Frame) -> Draft {
        Draft {
            lines: r
                .transactions
                .iter()
                .map(|l| {
                    (
                        l.package_label.clone(),
                        l.quantity.normalize().to_string(),
                        l.total_amount.to_string(),
                    )
                })
                .collect(),
            customer: r.sales_customer_type.as_str().to_string(),
            time: local(f, &r.sales_date_time),
            patient: r.patient_license_number.clone().unwrap_or_default(),
            caregiver: r.caregiver_license_number.clone().unwrap_or_default(),
            external: r.external_receipt_number.clone().unwrap_or_default(),
        }
    }

    /// Never fewer than `n` lines, and always one blank line to scan into.
    fn padded(mut self, n: usize) -> Draft {
        let blank = |l: &(String, String, String)| l.0.trim().is_empty() && l.1.trim().is_empty();
        if !self.lines.iter().any(blank) && self.lines.len() < MOST_LINES {
            self.lines.push(Default::default());
        }
        while self.lines.len() < n {
            self.lines.push(Default::default());
        }
        self
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
    s.ledger
        .now()
        .with_timezone(&f.zone.0)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The page's form: a new sale, or editing receipt `id`.
fn action(f: &Frame, id: Option<i64>) -> String {
    match id {
        None => f.url("sales/new"),
        Some(id) => f.url(&format!("sales/{id}/edit")),
    }
}

/// The draft the page shows: the refused form as typed, else `fresh`.
fn typed_or(f: &Frame, at: &str, fresh: Draft) -> Draft {
    match f.flash().and_then(|fl| fl.form.as_ref()) {
        Some(t) if t.action == at => Draft::of(&t.fields),
        _ => fresh,
    }
}

pub async fn new_page(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
) -> Result<Response, WebError> {
    let f = frame(&s, signed, &license, MANAGE_PERMS).await?;
    let fresh = Draft {
        customer: CustomerType::Consumer.as_str().into(),
        time: now_local(&s, &f),
        ..Default::default()
    };
    let d = typed_or(&f, &action(&f, None), fresh);
    render(&s, &f, None, d).await
}

pub async fn edit_page(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let f = frame(&s, signed, &license, MANAGE_PERMS).await?;
    let r: SalesReceipt = s.ledger.get(&f.scope, id, "Sales receipt").await?;
    if !r.active {
        // Rule 64: a finalized receipt is unfinalized before it is edited; a voided one never is.
        return Err(WebError::new(
            axum::http::StatusCode::CONFLICT,
            format!(
                "Receipt {} is {}; it cannot be edited{}.",
                r.receipt_number,
                r.status().to_lowercase(),
                if r.voided {
                    ""
                } else {
                    " until it is unfinalized"
                }
            ),
        ));
    }
    let d = typed_or(&f, &action(&f, Some(id)), Draft::of_receipt(&r, &f));
    render(&s, &f, Some(&r), d).await
}

/// The facility's packages that can be sold now, for the UID suggestions (rules 49, 63).
async fn sellable(s: &WebState, f: &Frame) -> Result<Vec<Package>, WebError> {
    let q = ListQuery {
        active: Some(true),
        newest_first: true,
        page: Some((1, SUGGESTED as u32)),
        ..Default::default()
    };
    Ok(s.ledger
        .list::<Package>(&f.scope, q)
        .await?
        .rows
        .into_iter()
        .filter(|p| p.lab_testing_state.passing() && !p.on_hold && p.quantity > Decimal::ZERO)
        .collect())
}

async fn render(
    s: &WebState,
    f: &Frame,
    editing: Option<&SalesReceipt>,
    d: Draft,
) -> Result<Response, WebError> {
    let d = d.padded(if editing.is_some() { 1 } else { START_LINES });
    let at = action(f, editing.map(|r| r.id));
    let suggestions = sellable(s, f).await?;
    // Each typed UID's package, to show its item and stock beside the line.
    let mut known: Vec<Option<Package>> = Vec::with_capacity(d.lines.len());
    for (uid, _, _) in &d.lines {
        let uid = uid.trim();
        known.push(if uid.is_empty() {
            None
        } else {
            s.ledger.package(&f.scope, uid).await.ok()
        });
    }
    let errors: &[String] = match f.flash() {
        Some(fl) if fl.form.as_ref().is_some_and(|t| t.action == at) => &fl.errors,
        _ => &[],
    };
    // Bulletin III: a sale from a finished package waits until it is unfinished on its page.
    let mut finished: Vec<(String, Option<i64>)> = Vec::new();
    for e in errors {
        if let Some(label) = finished_label(e)
            && !finished.iter().any(|(l, _)| l == label)
        {
            let id = s.ledger.package(&f.scope, label).await.ok().map(|p| p.id);
            finished.push((label.to_string(), id));
        }
    }
    let line_problem = |n: usize| -> Vec<&String> {
        let key = format!("line {n}:");
        errors
            .iter()
            .filter(|e| e.to_lowercase().starts_with(&key))
            .collect()
    };
    let other_problem = |key: &str| -> Vec<&String> {
        errors
            .iter()
            .filter(|e| !e.starts_with("Line ") && e.to_lowercase().contains(key))
            .collect()
    };
    let more_open = !d.patient.is_empty()
        || !d.caregiver.is_empty()
        || !d.external.is_empty()
        || !other_problem("license number").is_empty()
        || !other_problem("receipt number").is_empty();
    let title = match editing {
        Some(r) => format!("Edit receipt {}", r.receipt_number),
        None => "New sale".to_string(),
    };
    let total: Decimal = d
        .lines
        .iter()
        .filter_map(|l| l.2.trim().parse::<Decimal>().ok())
        .sum();
    let body = html! {
        h1 { (title) }
        (notices(f.flash()))
        @if !finished.is_empty() {
            div.card #unfinish-first role="note" {
                p { "A finished package must be unfinished before a sale is recorded or edited from it (bulletin III)." }
                ul { @for (label, id) in &finished { li {
                    @if let Some(id) = id { a href=(f.url(&format!("packages/{id}"))) { "Open package " span.mono { (label) } " to unfinish it" } }
                    @else { span.mono { (label) } }
                } } }
            }
        }
        form #pos method="post" action=(at) {
            (csrf_field(f.csrf()))
            datalist #sellable {
                @for p in &suggestions { option value=(p.label.to_string()) { (p.item_name) " · " (p.quantity.normalize()) " " (p.unit_of_measure) } }
            }
            fieldset #sale-lines {
                legend { "What was sold" }
                p.muted.hint { "Scan or type each package's UID; a scanner's Enter adds a line. The quantity is in the package's unit; the price is the line's total." }
                ol.sale-lines {
                    @for (i, (uid, qty, price)) in d.lines.iter().enumerate() {
                        @let n = i + 1;
                        @let problems = line_problem(n);
                        li.sale-line.bad[!problems.is_empty()] id={ "line-" (n) } {
                            span.line-no aria-hidden="true" { (n) }
                            label.uid { span { "Package UID " span.vh { "(line " (n) ")" } }
                                input type="text" name="uid" list="sellable" autocomplete="off" autocapitalize="characters" spellcheck="false" enterkeyhint="next" value=(uid) aria-invalid=[(!problems.is_empty()).then_some("true")]; }
                            label.qty { span { "Quantity" } input type="text" name="qty" inputmode="decimal" size="6" value=(qty); }
                            label.price { span { "Price ($)" } input type="text" name="price" inputmode="decimal" size="7" value=(price); }
                            @if let Some(p) = &known[i] {
                                p.line-package {
                                    a href=(f.url(&format!("packages/{}", p.id))) { (p.item_name) }
                                    " · " (p.quantity.normalize()) " " strong.unit { (p.unit_of_measure) } " on hand"
                                    @if !p.lab_testing_state.passing() { " · " span.badge.hold { (p.lab_testing_state.to_string()) } }
                                    @if p.on_hold { " · " span.badge.hold { "On hold" } }
                                }
                            }
                            @for e in problems { span.field-error role="alert" { (e) } }
                        }
                    }
                }
                // The first submit button: what Enter in a field (a scanner) presses.
                button.secondary #add-line type="submit" name="more" value="1" { "Add a line" }
                @if total > Decimal::ZERO { p #running-total { "Total " strong { "$" (total) } } }
            }
            fieldset #sale-customer {
                legend { "Customer and time" }
                label { "Customer type"
                    select name="customer" {
                        @for t in CustomerType::ALL { option value=(t.as_str()) selected[d.customer.eq_ignore_ascii_case(t.as_str())] { (customer_words(t)) } }
                    }
                }
                @for e in other_problem("customer type") { span.field-error role="alert" { (e) } }
                label { "Sale time (facility's clock)" input type="datetime-local" name="time" value=(d.time); }
                @for e in other_problem("sale time") { span.field-error role="alert" { (e) } }
                details.more open[more_open] {
                    summary { "Patient, caregiver, your receipt number" }
                    label { "Patient license number (patient sales)" input type="text" name="patient" value=(d.patient); }
                    @for e in other_problem("patient license") { span.field-error role="alert" { (e) } }
                    label { "Caregiver license number (caregiver sales)" input type="text" name="caregiver" value=(d.caregiver); }
                    @for e in other_problem("caregiver license") { span.field-error role="alert" { (e) } }
                    label { "Your receipt number (optional)" input type="text" name="external" value=(d.external); }
                    @for e in other_problem("receipt number") { span.field-error role="alert" { (e) } }
                }
            }
            div.pos-submit {
                @if let Some(r) = editing {
                    button.act #record type="submit" name="save" value="1" { "Save receipt" }
                    " " a href=(f.url(&format!("sales/{}", r.id))) { "Cancel" }
                } @else {
                    button.act #record type="submit" name="save" value="1" { "Record sale" }
                    " " a href=(f.url("sales")) { "Receipts" }
                }
            }
        }
    };
    Ok(f.page(&title, "sales", body).into_response())
}

/// The customer types in words (the value sent is Metrc's name).
pub fn customer_words(t: CustomerType) -> &'static str {
    match t {
        CustomerType::Consumer => "Consumer (adult use)",
        CustomerType::Patient => "Patient",
        CustomerType::Caregiver => "Caregiver",
        CustomerType::ExternalPatient => "External patient",
        CustomerType::NonResidentConsumer => "Non-resident consumer",
    }
}

/// `POST …/sales/new`.
pub async fn record(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    posted: Posted,
) -> Response {
    submit(s, signed, license, None, posted).await
}

/// `POST …/sales/{id}/edit`.
pub async fn update(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    posted: Posted,
) -> Response {
    submit(s, signed, license, Some(id), posted).await
}

async fn submit(
    s: WebState,
    signed: Signed,
    license: String,
    id: Option<i64>,
    posted: Posted,
) -> Response {
    let back = match id {
        None => format!("/ui/l/{}/sales/new", segment(&license)),
        Some(id) => format!("/ui/l/{}/sales/{id}/edit", segment(&license)),
    };
    if posted.fields.get("save").is_none() {
        // "Add a line" (or Enter in a field): the form again, as typed, with a blank line.
        return match redraw(&s, signed, &license, id, &posted.fields).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        };
    }
    let typed = Typed::of(&posted.path, &posted.fields);
    let mut to = back.clone();
    let result = async {
        let scope = s.ledger.scope(&signed.acting, &license).await?;
        let (spec, rows) = spec(&s, &scope, &posted.fields, id).await?;
        let who = &signed.acting;
        let door = posted.door(None);
        let w = match id {
            None => {
                s.ledger
                    .run_as::<RecordReceipts>(who, &license, door, &vec![spec])
                    .await
            }
            Some(_) => {
                s.ledger
                    .run_as::<UpdateReceipts>(who, &license, door, &vec![spec])
                    .await
            }
        }
        .map_err(|e| plainly(e, &rows))?;
        let receipt = id.or_else(|| w.ids.first().copied());
        if let Some(r) = receipt {
            to = format!("/ui/l/{}/sales/{r}", segment(&license));
        }
        Ok::<_, WebError>(done(
            &w,
            if id.is_some() {
                "Receipt saved"
            } else {
                "Sale recorded"
            },
        ))
    }
    .await;
    let to = if result.is_ok() { to } else { back };
    reply(&s, &signed, &to, result, Some(typed)).await
}

async fn redraw(
    s: &WebState,
    signed: Signed,
    license: &str,
    id: Option<i64>,
    fields: &Fields,
) -> Result<Response, WebError> {
    let f = frame(s, signed, license, MANAGE_PERMS).await?;
    let d = Draft::of(fields.pairs());
    match id {
        None => render(s, &f, None, d).await,
        Some(id) => {
            let r: SalesReceipt = s.ledger.get(&f.scope, id, "Sales receipt").await?;
            render(s, &f, Some(&r), d).await
        }
    }
}

/// The receipt request a posted form asks for, and for each of its lines the form's line
/// number. Blank lines are skipped; each line's unit is its package's (rule 63).
async fn spec(
    s: &WebState,
    scope: &tagtrail_app::Scope,
    form: &Fields,
    id: Option<i64>,
) -> Result<(ReceiptSpec, Vec<usize>), WebError> {
    let d = Draft::of(form.pairs());
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for (i, (uid, qty, price)) in d.lines.iter().enumerate() {
        let (uid, qty, price) = (uid.trim(), qty.trim(), price.trim());
        if uid.is_empty() && qty.is_empty() && price.is_empty() {
            continue;
        }
        let n = i + 1;
        let mut number = |v: &str, what: &str| -> Option<Decimal> {
            if v.is_empty() {
                return None;
            }
            match v.trim_start_matches('$').parse::<Decimal>() {
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push(format!(
                        "Line {n}: {what} {v} is not a number; enter one such as 3.5."
                    ));
                    None
                }
            }
        };
        let quantity = number(qty, "quantity");
        let total_amount = number(price, "price");
        let unit = if uid.is_empty() {
            None
        } else {
            s.ledger
                .package(scope, uid)
                .await
                .ok()
                .map(|p| p.unit_of_measure)
        };
        if price.is_empty() {
            problems.push(format!("Line {n}: enter the price (0 for a free item)."));
        }
        lines.push(SaleLineSpec {
            package_label: Some(uid.to_string()).filter(|u| !u.is_empty()),
            quantity,
            unit_of_measure: unit,
            total_amount,
            extras: Default::default(),
        });
        rows.push(n);
    }
    let time = match d.time.trim() {
        "" => Some(tagtrail_domain::time::format(s.ledger.now())),
        t => match s.options.zone.instant(t) {
            Some(at) => Some(tagtrail_domain::time::format(at)),
            None => {
                problems.push(format!("Sale time {t} is not a date and time."));
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(WebError {
            status: axum::http::StatusCode::BAD_REQUEST,
            messages: problems.iter().map(|m| words(m)).collect(),
        });
    }
    let text = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    Ok((
        ReceiptSpec {
            id,
            sales_date_time: time,
            external_receipt_number: text(&d.external),
            sales_customer_type: text(&d.customer),
            patient_license_number: text(&d.patient),
            caregiver_license_number: text(&d.caregiver),
            identification_method: None,
            patient_registration_location_id: None,
            transactions: lines,
        },
        rows,
    ))
}
