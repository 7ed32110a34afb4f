//! A new delivery route: the delivery inventory ledger created before the driver leaves (rule
//! 65): the driver (name, employee ID, driver's license), the vehicle (make, model, plate), the
//! start time and estimated departure in the facility's zone, and every package loaded by UID
//! with its quantity. Runs `CreateRoutes`, which takes the loaded quantities out of the packages.
//!
//! The package lines are entered as on the point-of-sale screen: a scanner types the UID and
//! presses Enter, which presses the form's first button, "Add a line", so a scan never creates
//! a route half-typed; the form comes back with the package's item and stock beside the line.

use super::{
    Got, MANAGE_ROUTES, instant, line_problems, now_local, number, plainly, problems, refused,
    text, typed,
};
use crate::WebState;
use crate::error::WebError;
use crate::fields::Posted;
use crate::flash::{Typed, notices, reply};
use crate::frame::Frame;
use crate::layout::csrf_field;
use crate::session::Signed;
use crate::urls::segment;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use rust_decimal::Decimal;
use tagtrail_app::actions::deliveries::CreateRoutes;
use tagtrail_app::reads::ListQuery;
use tagtrail_domain::commands::sales::deliveries::CourierSpec;
use tagtrail_domain::commands::sales::retailer_deliveries::{LoadSpec, RouteSpec};
use tagtrail_domain::records::{Package, RetailerDelivery};

/// Blank package lines a new route starts with.
const START_LINES: usize = 3;
/// The most package lines one form shows.
const MOST_LINES: usize = 60;
/// The most packages offered as suggestions while typing a UID.
const SUGGESTED: u32 = 400;

/// The courier fields: the form's name, its label, and the words a refusal uses for it.
const COURIER: &[(&str, &str, &str)] = &[
    ("driver_name", "Driver's name", "driver's name"),
    ("driver_id", "Driver's employee ID", "employee id"),
    (
        "driver_license",
        "Driver's license number",
        "driver's license",
    ),
    ("phone", "Phone for questions (optional)", "phone"),
    ("make", "Vehicle make", "vehicle make"),
    ("model", "Vehicle model", "vehicle model"),
    ("plate", "License plate", "license plate"),
];

fn action(f: &Frame) -> String {
    f.url("deliveries/routes/new")
}

/// The package lines as typed (UID, quantity), never fewer than `START_LINES` and always one
/// blank line to scan into.
fn lines(got: Option<Got<'_>>) -> Vec<(String, String)> {
    let (uids, qtys) = got
        .map(|g| (g.all("uid"), g.all("qty")))
        .unwrap_or_default();
    let n = uids.len().max(qtys.len()).min(MOST_LINES);
    let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    let mut out: Vec<(String, String)> = (0..n).map(|i| (at(&uids, i), at(&qtys, i))).collect();
    let blank = |l: &(String, String)| l.0.trim().is_empty() && l.1.trim().is_empty();
    if !out.iter().any(blank) && out.len() < MOST_LINES {
        out.push(Default::default());
    }
    while out.len() < START_LINES {
        out.push(Default::default());
    }
    out
}

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
) -> Result<Response, WebError> {
    let f = super::frame(&s, signed, &license, MANAGE_ROUTES).await?;
    let kept = typed(&f, &action(&f)).map(|g| g.0.to_vec());
    render(&s, &f, kept).await
}

/// The facility's packages that can be loaded now (rules 49, 63), for the UID suggestions.
async fn loadable(s: &WebState, f: &Frame) -> Result<Vec<Package>, WebError> {
    let q = ListQuery {
        active: Some(true),
        newest_first: true,
        page: Some((1, SUGGESTED)),
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

/// The drivers and vehicles of the facility's recent routes, to suggest while typing.
async fn recent(s: &WebState, f: &Frame) -> Result<Vec<RetailerDelivery>, WebError> {
    Ok(s.ledger
        .list::<RetailerDelivery>(&f.scope, super::newest())
        .await?
        .rows)
}

/// `fields`: the form as typed (a refusal or "Add a line"), or none for a fresh form.
async fn render(
    s: &WebState,
    f: &Frame,
    fields: Option<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let at = action(f);
    let got = fields.as_deref().map(Got);
    let value = |name: &str, fresh: String| got.map(|g| g.one(name)).unwrap_or(fresh);
    let start = value("start", now_local(s, f));
    let departure = value("departure", String::new());
    let rows = lines(got);
    let errors = problems(f, &at);
    let mut known: Vec<Option<Package>> = Vec::with_capacity(rows.len());
    for (uid, _) in &rows {
        let uid = uid.trim();
        known.push(if uid.is_empty() {
            None
        } else {
            s.ledger.package(&f.scope, uid).await.ok()
        });
    }
    let suggestions = loadable(s, f).await?;
    let past = recent(s, f).await?;
    let other_problem = |key: &str| -> Markup {
        html! { @for e in errors.iter().filter(|e| !e.starts_with("Line ") && e.to_lowercase().contains(key)) { span.field-error role="alert" { (e) } } }
    };
    let body = html! {
        h1 { "New delivery route" }
        (notices(f.flash()))
        p.lead { "The delivery inventory ledger, made before the driver leaves (rule 65): who drives, in what, and every package loaded. Loading takes the quantities out of the packages until the route ends." }
        form.create.delivery-form #route-form method="post" action=(at) {
            (csrf_field(f.csrf()))
            datalist #loadable {
                @for p in &suggestions { option value=(p.label.to_string()) { (p.item_name) " · " (p.quantity.normalize()) " " (p.unit_of_measure) } }
            }
            (suggest("past-names", past.iter().map(|r| r.courier.driver_name.as_str())))
            (suggest("past-ids", past.iter().map(|r| r.courier.driver_employee_id.as_str())))
            (suggest("past-makes", past.iter().map(|r| r.courier.vehicle_make.as_str())))
            (suggest("past-models", past.iter().map(|r| r.courier.vehicle_model.as_str())))
            fieldset #route-courier {
                legend { "Driver and vehicle" }
                div.pair {
                    @for (name, label, key) in COURIER {
                        label { (label)
                            input type="text" name=(name) value=(value(name, String::new()))
                                list=[list_of(name)] autocomplete="off";
                        }
                        (other_problem(key))
                    }
                }
            }
            fieldset #route-times {
                legend { "Times (facility's clock)" }
                div.pair {
                    label { "Start time of the ledger" input type="datetime-local" name="start" value=(start); }
                    (other_problem("start time"))
                    label { "Estimated departure (optional)" input type="datetime-local" name="departure" value=(departure); }
                    (other_problem("departure"))
                }
            }
            fieldset #route-lines {
                legend { "Packages loaded" }
                p.hint { "Scan or type each package's UID; a scanner's Enter adds a line. The quantity is in the package's unit." }
                ol.sale-lines {
                    @for (i, (uid, qty)) in rows.iter().enumerate() {
                        @let n = i + 1;
                        @let bad = line_problems(errors, n);
                        li.sale-line.load.bad[!bad.is_empty()] id={ "line-" (n) } {
                            span.line-no aria-hidden="true" { (n) }
                            label.uid { span { "Package UID " span.vh { "(line " (n) ")" } }
                                input type="text" name="uid" list="loadable" autocomplete="off" autocapitalize="characters" spellcheck="false" enterkeyhint="next" value=(uid) aria-invalid=[(!bad.is_empty()).then_some("true")]; }
                            label.qty { span { "Quantity " span.vh { "(line " (n) ")" } } input type="text" name="qty" inputmode="decimal" size="6" value=(qty); }
                            @if let Some(p) = &known[i] {
                                p.line-package {
                                    a href=(f.url(&format!("packages/{}", p.id))) { (p.item_name) }
                                    " · " (p.quantity.normalize()) " " strong.unit { (p.unit_of_measure) } " on hand"
                                    @if !p.lab_testing_state.passing() { " · " span.badge.hold { (p.lab_testing_state.to_string()) } }
                                    @if p.on_hold { " · " span.badge.hold { "On hold" } }
                                }
                            }
                            @for e in bad { span.field-error role="alert" { (e) } }
                        }
                    }
                }
                // The first submit button: what Enter in a field (a scanner) presses.
                button.secondary #add-line type="submit" name="more" value="1" { "Add a line" }
                (other_problem("add at least one package"))
            }
            div.pos-submit {
                button.act #create-route type="submit" name="save" value="1" { "Create route" }
                " " a href=(f.url("deliveries")) { "Deliveries" }
            }
        }
    };
    Ok(f.page("New delivery route", "deliveries", body)
        .into_response())
}

/// The suggestions list a courier field offers (from recent routes), if any.
fn list_of(name: &str) -> Option<&'static str> {
    match name {
        "driver_name" => Some("past-names"),
        "driver_id" => Some("past-ids"),
        "make" => Some("past-makes"),
        "model" => Some("past-models"),
        _ => None,
    }
}

fn suggest<'a>(id: &str, values: impl Iterator<Item = &'a str>) -> Markup {
    let mut seen: Vec<&str> = values.filter(|v| !v.is_empty()).collect();
    seen.sort_unstable();
    seen.dedup();
    html! { datalist id=(id) { @for v in seen { option value=(v) {} } } }
}

/// `POST …/deliveries/routes/new`.
pub async fn submit(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    posted: Posted,
) -> Response {
    let back = format!("/ui/l/{}/deliveries/routes/new", segment(&license));
    if posted.fields.get("save").is_none() {
        // "Add a line" (or Enter in a field): the form again, as typed, with a blank line.
        let redraw = async {
            let f = super::frame(&s, signed.clone(), &license, MANAGE_ROUTES).await?;
            render(&s, &f, Some(posted.fields.pairs().to_vec())).await
        };
        return redraw.await.unwrap_or_else(|e| e.into_response());
    }
    let typed = Typed::of(&posted.path, &posted.fields);
    let mut to = back.clone();
    let result = async {
        let f = super::frame(&s, signed.clone(), &license, MANAGE_ROUTES).await?;
        let (spec, rows) = spec(&s, &f, Got(posted.fields.pairs())).await?;
        let w = s
            .ledger
            .run_as::<CreateRoutes>(&signed.acting, &license, posted.door(None), &vec![spec])
            .await
            .map_err(|e| loading_words(plainly(e, &rows)))?;
        if let Some(id) = w.ids.first() {
            to = format!("/ui/l/{}/deliveries/routes/{id}", segment(&license));
        }
        Ok::<_, WebError>(super::super::done(
            &w,
            "Route created; its packages are loaded",
        ))
    }
    .await;
    let to = if result.is_ok() { to } else { back };
    reply(&s, &signed, &to, result, Some(typed)).await
}

/// A refusal of a load in a loader's words: the shared sale-line check says "sold".
fn loading_words(mut e: WebError) -> WebError {
    for m in &mut e.messages {
        *m = m.replace("cannot be sold from it", "cannot be loaded");
    }
    e
}

/// The route request the form asks for, and for each of its package lines the form's line
/// number. Blank lines are skipped; each line's unit is its package's.
async fn spec(s: &WebState, f: &Frame, got: Got<'_>) -> Result<(RouteSpec, Vec<usize>), WebError> {
    let mut problems = Vec::new();
    let mut loads = Vec::new();
    let mut rows = Vec::new();
    for (i, (uid, qty)) in lines(Some(got)).iter().enumerate() {
        let (uid, qty) = (uid.trim(), qty.trim());
        if uid.is_empty() && qty.is_empty() {
            continue;
        }
        let n = i + 1;
        let quantity = number(qty, "quantity", n, &mut problems);
        if qty.is_empty() {
            problems.push(format!("Line {n}: enter the quantity loaded."));
        }
        let unit = match uid {
            "" => None,
            uid => s
                .ledger
                .package(&f.scope, uid)
                .await
                .ok()
                .map(|p| p.unit_of_measure),
        };
        loads.push(LoadSpec {
            package_label: text(uid),
            quantity,
            unit_of_measure: unit,
            total_price: None,
            remove_current: false,
        });
        rows.push(n);
    }
    let now = tagtrail_domain::time::format(s.ledger.now());
    let start = instant(s, &got.one("start"), "Start time", Some(now), &mut problems);
    let departure = instant(
        s,
        &got.one("departure"),
        "Estimated departure",
        None,
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(refused(problems));
    }
    let field = |name: &str| text(&got.one(name));
    Ok((
        RouteSpec {
            id: None,
            date_time: start,
            courier: CourierSpec {
                driver_employee_id: field("driver_id"),
                driver_name: field("driver_name"),
                drivers_license_number: field("driver_license"),
                phone_number_for_questions: field("phone"),
                vehicle_make: field("make"),
                vehicle_model: field("model"),
                vehicle_license_plate_number: field("plate"),
            },
            estimated_departure: departure,
            stops: vec![],
            packages: loads,
        },
        rows,
    ))
}
