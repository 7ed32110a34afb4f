//! Transfer pages: the outgoing, incoming, template, rejected and transporting lists; the
//! manifest editor (tick packages, add N of them at once, or list them by UID, bulletin IV); the
//! manifest page with the steps the viewing license may take and the package-list upload; the
//! receipt screen; and the manifest document. Every write calls the application function the
//! matching API endpoint calls, with the same permissions and journal endpoint, so the UI cannot
//! do what the API would refuse.

use super::layout::{Nav, page};
use super::pages::{Page, WebError, acting, frame, urlencode};
use super::session::Employee;
use crate::app::{Acting, Action, AppError, Ledger, Loaded, ManifestKind, ManifestRequest, Scope};
use crate::http::AppState;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::manifests::manifest_number;
use tagtrail_domain::commands::transfers::{
    ManifestLine, ManifestSpec, ReceiptLine, TRANSFER_TYPES, parse_package_list,
};
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::quantity::{QuantityType, UNITS};
use tagtrail_domain::records::{
    Driver, Facility, Package, PackageState, Party, ShipmentState, Transfer, TransferDelivery,
    TransferPackage, TransferState, TransferTransport, User, Vehicle, fold,
};
use tagtrail_store::ListQuery;

const PAGE: usize = 25;

// The API's permissions for the same reads and writes (http/routes/transfers.rs).
const VIEW: &[&str] = &["View Transfers", "Manage Transfers"];
const MANAGE: &[&str] = &["Manage Transfers"];
const VIEW_TEMPLATES: &[&str] = &["View Transfer Templates", "Manage Transfer Templates"];
const MANAGE_TEMPLATES: &[&str] = &["Manage Transfer Templates"];
/// Any transfer permission: enough to open a transfer page, whose content then checks the one
/// permission that kind of record needs.
const ANY: &[&str] = &[
    "View Transfers",
    "Manage Transfers",
    "View Transfer Templates",
    "Manage Transfer Templates",
];
const EDITORS: &[&str] = &["Manage Transfers", "Manage Transfer Templates"];

/// Every status a registered manifest can be listed under (`Transfer::list_status`).
const REGISTERED: &[&str] = &[
    "Outgoing",
    "InTransit",
    "Delivered",
    "Received",
    "Rejected",
    "Returned",
    "Voided",
];

/// Why a write was refused, message by message: a rejection's rows each (an uploaded list names
/// its lines in them), anything else as the one message the API would give.
struct Refused(StatusCode, Vec<String>);

impl From<AppError> for Refused {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Rejected(Rejection::Rows(rows)) => Refused(
                StatusCode::BAD_REQUEST,
                rows.into_iter().map(|r| r.message).collect(),
            ),
            e => WebError::from(e).into(),
        }
    }
}

impl From<WebError> for Refused {
    fn from(WebError(status, m): WebError) -> Self {
        Refused(status, vec![m])
    }
}

impl From<tagtrail_store::StoreError> for Refused {
    fn from(e: tagtrail_store::StoreError) -> Self {
        AppError::from(e).into()
    }
}

impl Refused {
    fn bad(m: impl Into<String>) -> Self {
        Refused(StatusCode::BAD_REQUEST, vec![m.into()])
    }

    /// Refusals the user can act on (a rule, a bad value, a manifest in the wrong state) are
    /// shown on the page they came from; anything else (no access to the license, a missing
    /// permission, an unknown record, a store failure) is an error page.
    fn shown(&self) -> bool {
        matches!(self.0, StatusCode::BAD_REQUEST | StatusCode::CONFLICT)
    }

    fn page(self) -> Response {
        WebError(self.0, self.1.join(" ")).into_response()
    }
}

/// The flash area: a success message, and every problem of a refusal on its own line.
fn notices(msg: Option<&str>, errors: &[String]) -> Markup {
    html! {
        @if let Some(m) = msg.filter(|m| !m.is_empty()) { div.flash role="status" { (m) } }
        @if let [one] = errors {
            div.flash.error role="alert" { (one) }
        } @else if !errors.is_empty() {
            div.flash.error role="alert" {
                (errors.len()) " problems; nothing was changed:"
                ul { @for e in errors { li { (e) } } }
            }
        }
    }
}

/// Redirect-after-post back to `to`, with the outcome in `msg` or, one per line, `err`.
fn back(to: &str, result: Result<String, Refused>) -> Response {
    let sep = if to.contains('?') { '&' } else { '?' };
    match result {
        Ok(msg) => Redirect::to(&format!("{to}{sep}msg={}", urlencode(&msg))).into_response(),
        Err(r) if r.shown() => {
            Redirect::to(&format!("{to}{sep}err={}", urlencode(&r.1.join("\n")))).into_response()
        }
        Err(r) => r.page(),
    }
}

fn errors_of(err: &Option<String>) -> Vec<String> {
    err.as_deref()
        .map(|e| {
            e.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn opt(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

fn with_warnings(mut msg: String, warnings: &[String]) -> String {
    for w in warnings {
        msg.push(' ');
        msg.push_str(w);
    }
    msg
}

/// Which parties to a manifest the viewing license is. A template is its shipper's alone.
struct Roles {
    shipper: bool,
    recipient: bool,
    transporter: bool,
}

fn roles(t: &Transfer, lic: &str) -> Roles {
    let registered = t.state != TransferState::Template;
    Roles {
        shipper: t.license_number == lic,
        recipient: registered && t.recipient.license_number == lic,
        transporter: registered && t.transporter.license_number == lic,
    }
}

/// The manifest `id` if `scope`'s license is a party to it and the employee holds the permission
/// its kind needs (templates and manifests are permitted separately, as in the API).
async fn visible(
    s: &AppState,
    who: &Acting,
    scope: &Scope,
    id: i64,
    templates: &[&str],
    manifests: &[&str],
) -> Result<Loaded, WebError> {
    let lic = scope.license();
    let l = s
        .ledger
        .manifest(id)
        .await?
        .filter(|l| {
            let r = roles(&l.transfer, lic);
            r.shipper || r.recipient || r.transporter
        })
        .ok_or_else(|| {
            WebError(
                StatusCode::NOT_FOUND,
                format!("Transfer {id} does not exist for license {lic}."),
            )
        })?;
    let perms = if l.transfer.state == TransferState::Template {
        templates
    } else {
        manifests
    };
    Ledger::permit(who, scope, perms)?;
    Ok(l)
}

fn may(who: &Acting, scope: &Scope, perms: &[&str]) -> bool {
    Ledger::permit(who, scope, perms).is_ok()
}

fn title(t: &Transfer) -> String {
    if t.state == TransferState::Template {
        format!("Template {}", t.name.clone().unwrap_or_default())
    } else {
        format!("Manifest {}", t.manifest_number)
    }
}

fn state_pill(t: &Transfer) -> Markup {
    let status = t.list_status();
    let class = match t.state {
        TransferState::Voided => "pill off",
        TransferState::Received if t.rejected_count > 0 && t.rejected_returned_at.is_none() => {
            "pill warn"
        }
        TransferState::InTransit | TransferState::Delivered => "pill warn",
        _ => "pill",
    };
    html! { span class=(class) { (status) } }
}

fn party(p: &Party) -> Markup {
    html! { (p.name) " " span.mono.muted { (p.license_number) } }
}

fn nav<'a>(lic: &'a str, licenses: &'a [(String, String)], user: &'a User) -> Nav<'a> {
    Nav {
        license: Some(lic),
        licenses,
        active: "transfers",
        username: &user.username,
    }
}

// ------------------------------------------------------------------------------------------
// Lists

#[derive(Deserialize, Default)]
pub struct ListParams {
    tab: Option<String>,
    page: Option<usize>,
    msg: Option<String>,
    err: Option<String>,
}

pub async fn list(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path(license): Path<String>,
    Query(f): Query<ListParams>,
) -> Page {
    let tab = f
        .tab
        .as_deref()
        .filter(|t| ["incoming", "templates", "rejected", "transporting"].contains(t))
        .unwrap_or("outgoing");
    let perms = if tab == "templates" {
        VIEW_TEMPLATES
    } else {
        VIEW
    };
    let (scope, licenses) = frame(&s, &user, &license, perms).await?;
    let who = acting(&user);
    let lic = scope.license().to_string();
    // Clamped so that the page links cannot overflow.
    let page_no = f.page.unwrap_or(1).clamp(1, u32::MAX as usize);
    // Newest first, one page from the store.
    let own = |status_in: &[&str]| ListQuery {
        license: Some(lic.clone()),
        status_in: status_in.iter().map(|s| s.to_string()).collect(),
        page: Some((page_no as u32, PAGE as u32)),
        newest_first: true,
        ..Default::default()
    };
    let by_id = async |ids: Vec<i64>| -> Result<Vec<Transfer>, WebError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(t) = s.ledger.store.get::<Transfer>(id).await? {
                out.push(t);
            }
        }
        Ok(out)
    };
    let (total, rows) = match tab {
        "incoming" => {
            let page = s.ledger.store.list::<TransferDelivery>(&own(&[])).await?;
            (
                page.total,
                by_id(page.rows.iter().map(|d| d.id).collect()).await?,
            )
        }
        "transporting" => {
            let page = s.ledger.store.list::<TransferTransport>(&own(&[])).await?;
            (
                page.total,
                by_id(page.rows.iter().map(|t| t.id).collect()).await?,
            )
        }
        "templates" => {
            let mut q = own(&["Template"]);
            q.active = Some(true);
            let page = s.ledger.store.list::<Transfer>(&q).await?;
            (page.total, page.rows)
        }
        "rejected" => {
            let page = s
                .ledger
                .store
                .list::<Transfer>(&own(&["Rejected", "Returned"]))
                .await?;
            (page.total, page.rows)
        }
        _ => {
            let page = s.ledger.store.list::<Transfer>(&own(REGISTERED)).await?;
            (page.total, page.rows)
        }
    };
    let total = usize::try_from(total).unwrap_or(0);
    let mut tabs = vec![
        ("outgoing", "Outgoing"),
        ("incoming", "Incoming"),
        ("templates", "Templates"),
        ("rejected", "Rejected"),
    ];
    if scope.facility.license_type == LicenseType::Distributor {
        tabs.push(("transporting", "Transporting"));
    }
    let pages = total.div_ceil(PAGE).max(1);
    let base = format!("/ui/l/{lic}/transfers");
    Ok(page(
        "Transfers",
        Some(nav(&lic, &licenses, &user)),
        html! {
            h1 { "Transfers · " (scope.facility.name) }
            (notices(f.msg.as_deref(), &errors_of(&f.err)))
            p {
                @for (slug, label) in &tabs {
                    @if *slug == tab { strong.tab { (label) } } @else { a.tab href={ (base) "?tab=" (slug) } { (label) } }
                    " · "
                }
                @if may(&who, &scope, EDITORS) { a href={ (base) "/new" } { strong { "New transfer" } } }
            }
            table #transfers {
                thead { tr {
                    th { @if tab == "templates" { "Template" } @else { "Manifest" } }
                    th { @match tab { "incoming" => "From", "transporting" => "From → to", _ => "To" } }
                    th { "Type" } th { "State" } th { "Packages" } th { "Est. departure" } th { "Est. arrival" }
                } }
                tbody { @for t in &rows { tr {
                    td.mono { a href={ (base) "/" (t.id) } {
                        @if t.state == TransferState::Template { (t.name.clone().unwrap_or_else(|| t.id.to_string())) } @else { (t.manifest_number) }
                    } }
                    td { @match tab {
                        "incoming" => (party(&t.shipper)),
                        "transporting" => { (party(&t.shipper)) " → " (party(&t.recipient)) },
                        _ => (party(&t.recipient)),
                    } }
                    td { (t.transfer_type) }
                    td { (state_pill(t)) }
                    td { (t.lines.len()) }
                    td.mono { (t.estimated_departure) }
                    td.mono { (t.estimated_arrival) }
                } } }
            }
            @if rows.is_empty() { p.muted { "No transfers here." } }
            p.muted {
                (total) " transfer(s) · page " (page_no) " of " (pages) " "
                @if page_no > 1 { a href={ (base) "?tab=" (tab) "&page=" (page_no - 1) } { "← newer" } " " }
                @if page_no < pages { a href={ (base) "?tab=" (tab) "&page=" (page_no + 1) } { "older →" } }
            }
        },
    ))
}

// ------------------------------------------------------------------------------------------
// The editor

/// What the editor form holds, as typed (re-shown unchanged when a save is refused).
#[derive(Debug, Default, Clone)]
struct Draft {
    name: String,
    recipient: String,
    transfer_type: String,
    /// Empty: the shipper transports itself.
    transporter: String,
    /// The driver's driver's license number.
    driver: String,
    /// The vehicle's plate.
    vehicle: String,
    departure: String,
    arrival: String,
    route: String,
    invoice: String,
    phone: String,
    /// Ticked package labels (upper case), in the order ticked.
    picked: Vec<String>,
    prices: HashMap<String, String>,
    weights: HashMap<String, String>,
    units: HashMap<String, String>,
    list: String,
    file: Option<(String, Vec<u8>)>,
    add_n: String,
    op: String,
}

async fn read_draft(mut form: Multipart) -> Result<Draft, Refused> {
    let mut d = Draft::default();
    let unreadable = || Refused::bad("The form could not be read.");
    while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("list.txt").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| Refused::bad("The file could not be read."))?;
            if !bytes.is_empty() {
                d.file = Some((file_name, bytes.to_vec()));
            }
            continue;
        }
        let v = field.text().await.map_err(|_| unreadable())?;
        let per_package = |prefix: &str| name.strip_prefix(prefix).map(str::to_ascii_uppercase);
        match name.as_str() {
            "name" => d.name = v,
            "recipient" => d.recipient = v,
            "transfer_type" => d.transfer_type = v,
            "transporter" => d.transporter = v,
            "driver" => d.driver = v,
            "vehicle" => d.vehicle = v,
            "departure" => d.departure = v,
            "arrival" => d.arrival = v,
            "route" => d.route = v,
            "invoice" => d.invoice = v,
            "phone" => d.phone = v,
            "list" => d.list = v,
            "add_n" => d.add_n = v,
            "op" => d.op = v,
            "pick" => {
                let label = v.trim().to_ascii_uppercase();
                if !label.is_empty() && !d.picked.contains(&label) {
                    d.picked.push(label);
                }
            }
            _ => {
                if let Some(l) = per_package("price_") {
                    d.prices.insert(l, v);
                } else if let Some(l) = per_package("weight_") {
                    d.weights.insert(l, v);
                } else if let Some(l) = per_package("unit_") {
                    d.units.insert(l, v);
                }
            }
        }
    }
    Ok(d)
}

/// An uploaded or pasted list of UIDs, held to the API's terms: UTF-8 text without NUL (the
/// store cannot hold NUL, and a list silently repaired would not be the list uploaded).
fn list_text(file: &Option<(String, Vec<u8>)>, pasted: &str) -> Result<Option<String>, Refused> {
    let text = match file {
        Some((_, bytes)) => std::str::from_utf8(bytes)
            .map_err(|_| Refused::bad("The package list must be UTF-8 text."))?
            .to_string(),
        None => pasted.to_string(),
    };
    if text.contains('\0') {
        return Err(Refused::bad(
            "The package list may not contain NUL characters.",
        ));
    }
    // Browsers send a textarea with CRLF line ends, and spreadsheet CSVs have them too; the
    // list parser numbers the lines after a CRLF one too low, so the lines it names would not
    // be the user's. Plain LF line ends keep every line and its number.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    Ok((!text.trim().is_empty()).then_some(text))
}

/// A date-time input's value (`2026-11-21T08:00`) as the manifest stores it, with seconds.
fn with_seconds(v: &str) -> String {
    let v = v.trim();
    if v.len() == 16 && v.as_bytes().get(10) == Some(&b'T') {
        format!("{v}:00")
    } else {
        v.to_string()
    }
}

/// A stored date-time as a `datetime-local` input shows it (to the minute); empty when it is not
/// in that shape, so that the browser does not show a wrong time.
fn local(v: &str) -> String {
    match v.get(..16) {
        Some(head)
            if v.as_bytes().get(10) == Some(&b'T')
                && tagtrail_domain::time::parse_instant(head).is_some() =>
        {
            head.to_string()
        }
        _ => String::new(),
    }
}

fn line_for(d: &Draft, label: &str) -> Result<ManifestLine, String> {
    let num = |m: &HashMap<String, String>, what: &str| -> Result<Option<Decimal>, String> {
        match m.get(label).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse::<Decimal>()
                .map(Some)
                .map_err(|_| format!("{what} of package {label}: {v} is not a number.")),
        }
    };
    let gross_weight = num(&d.weights, "Gross weight")?;
    Ok(ManifestLine {
        package_label: Some(label.to_string()),
        wholesale_price: num(&d.prices, "Wholesale price")?,
        gross_weight,
        // A unit without a weight says nothing.
        gross_unit: gross_weight.and_then(|_| d.units.get(label).and_then(|u| opt(u))),
    })
}

/// The plan the form describes, with the ticked packages (`labels` when a list replaces them).
fn spec_from(d: &Draft, labels: &[String]) -> Result<ManifestSpec, Refused> {
    let mut errors = Vec::new();
    let mut packages = Vec::new();
    for label in labels {
        match line_for(d, label) {
            Ok(l) => packages.push(l),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(Refused(StatusCode::BAD_REQUEST, errors));
    }
    let transporter = opt(&d.transporter);
    Ok(ManifestSpec {
        name: opt(&d.name),
        invoice_number: opt(&d.invoice),
        phone_for_questions: opt(&d.phone),
        driver_employee_id: None,
        recipient_license: opt(&d.recipient),
        transfer_type: opt(&d.transfer_type),
        transporter_count: usize::from(transporter.is_some()),
        transporter_license: transporter,
        driver_license_number: opt(&d.driver),
        vehicle_plate: opt(&d.vehicle),
        planned_route: opt(&d.route),
        estimated_departure: opt(&d.departure).map(|v| with_seconds(&v)),
        estimated_arrival: opt(&d.arrival).map(|v| with_seconds(&v)),
        packages,
        destination_count: 1,
    })
}

/// The journal's copy of the request, in the shape of the API's template body, so that an entry
/// made here reads like one made through the API.
fn request_json(
    spec: &ManifestSpec,
    transfer_id: Option<i64>,
    template_id: Option<i64>,
) -> serde_json::Value {
    let packages: Vec<serde_json::Value> = spec
        .packages
        .iter()
        .map(|p| {
            json!({
                "PackageLabel": p.package_label,
                "WholesalePrice": p.wholesale_price,
                "GrossWeight": p.gross_weight,
                "GrossUnitOfWeightName": p.gross_unit,
            })
        })
        .collect();
    json!([{
        "TransferId": transfer_id,
        "TransferTemplateId": template_id,
        "Name": spec.name,
        "TransporterFacilityLicenseNumber": spec.transporter_license,
        "DriverLicenseNumber": spec.driver_license_number,
        "DriverOccupationalLicenseNumber": spec.driver_employee_id,
        "VehicleLicensePlateNumber": spec.vehicle_plate,
        "PhoneNumberForQuestions": spec.phone_for_questions,
        "Destinations": [{
            "RecipientLicenseNumber": spec.recipient_license,
            "TransferTypeName": spec.transfer_type,
            "PlannedRoute": spec.planned_route,
            "EstimatedDepartureDateTime": spec.estimated_departure,
            "EstimatedArrivalDateTime": spec.estimated_arrival,
            "InvoiceNumber": spec.invoice_number,
            "Packages": packages,
        }],
    }])
}

/// The app reports a manifest's package problems as "Packages[j]: …"; name package j the way
/// the user gave it instead (its label, or the line of the uploaded list).
fn name_rows(r: Refused, names: &[String]) -> Refused {
    let msgs =
        r.1.into_iter()
            .map(|m| {
                let named = m
                    .strip_prefix("Packages[")
                    .and_then(|rest| rest.split_once("]: "))
                    .and_then(|(j, msg)| Some((names.get(j.parse::<usize>().ok()?)?, msg)));
                match named {
                    // A message that names the package already needs no prefix.
                    Some((name, msg))
                        if name
                            .strip_prefix("Package ")
                            .is_some_and(|l| msg.contains(l)) =>
                    {
                        msg.to_string()
                    }
                    Some((name, msg)) => format!("{name}: {msg}"),
                    None => m,
                }
            })
            .collect();
    Refused(r.0, msgs)
}

/// What the editor offers: facilities to ship to, distributors' drivers and vehicles, and the
/// shipper's packages that could go on this manifest.
struct Choices {
    facilities: Vec<Facility>,
    drivers: Vec<Driver>,
    vehicles: Vec<Vehicle>,
    available: Vec<Package>,
}

async fn choices(s: &AppState, lic: &str, editing: Option<&Loaded>) -> Result<Choices, WebError> {
    let active = ListQuery {
        active: Some(true),
        ..Default::default()
    };
    let facilities = s.ledger.store.list::<Facility>(&active).await?.rows;
    let distributors: HashSet<&str> = facilities
        .iter()
        .filter(|f| f.license_type == LicenseType::Distributor)
        .map(|f| f.license_number.as_str())
        .collect();
    let drivers = s
        .ledger
        .store
        .list::<Driver>(&active)
        .await?
        .rows
        .into_iter()
        .filter(|d| distributors.contains(d.license_number.as_str()))
        .collect();
    let vehicles = s
        .ledger
        .store
        .list::<Vehicle>(&active)
        .await?
        .rows
        .into_iter()
        .filter(|v| distributors.contains(v.license_number.as_str()))
        .collect();
    let own = ListQuery {
        license: Some(lic.to_string()),
        active: Some(true),
        ..Default::default()
    };
    let this = editing.map(|l| l.transfer.id);
    // Packages held by another open manifest cannot be picked (rule 35); the edited manifest's
    // own stay pickable, even if held since, so that the app names the problem on save.
    let busy: HashSet<String> = s
        .ledger
        .store
        .list::<TransferPackage>(&own)
        .await?
        .rows
        .into_iter()
        .filter(|l| Some(l.transfer_id) != this)
        .map(|l| l.package.label.to_string())
        .collect();
    let mine: HashSet<String> = editing
        .map(|l| {
            l.lines
                .iter()
                .map(|x| x.package.label.to_string())
                .collect()
        })
        .unwrap_or_default();
    let available = s
        .ledger
        .store
        .list::<Package>(&own)
        .await?
        .rows
        .into_iter()
        // A testing sample in a laboratory's custody is not at the shipper's premises.
        .filter(|p| p.state == PackageState::Active && p.lab_license.is_none())
        .filter(|p| {
            let label = p.label.to_string();
            !busy.contains(&label) && (!p.on_hold || mine.contains(&label))
        })
        .collect();
    Ok(Choices {
        facilities,
        drivers,
        vehicles,
        available,
    })
}

/// Bulletin IV: enter how many packages to add and add them with one click. Ticks the next N
/// packages of the list that are not ticked yet, up to the manifest limit (rule 47).
fn add_packages(d: &mut Draft, available: &[Package], max: usize) -> Result<String, String> {
    let want = match d.add_n.trim().parse::<usize>() {
        Ok(n) if n > 0 => n,
        _ => return Err("Enter how many packages to add: a whole number above zero.".into()),
    };
    let room = max.saturating_sub(d.picked.len());
    let ticked: HashSet<&str> = d.picked.iter().map(String::as_str).collect();
    let fresh: Vec<String> = available
        .iter()
        .map(|p| p.label.to_string())
        .filter(|l| !ticked.contains(l.as_str()))
        .take(want.min(room))
        .collect();
    let added = fresh.len();
    d.picked.extend(fresh);
    let mut msg = format!("Added {added} package(s); {} ticked.", d.picked.len());
    if want > room {
        msg.push_str(&format!(
            " A transfer holds at most {max} packages (rule 47)."
        ));
    } else if added < want {
        msg.push_str(&format!(" Only {added} more package(s) are available."));
    }
    Ok(msg)
}

fn default_draft() -> Draft {
    let day = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    Draft {
        transfer_type: "Transfer".into(),
        departure: format!("{day}T08:00"),
        arrival: format!("{day}T12:00"),
        add_n: "1".into(),
        ..Default::default()
    }
}

fn draft_of(l: &Loaded) -> Draft {
    let t = &l.transfer;
    let mut d = Draft {
        name: t.name.clone().unwrap_or_default(),
        recipient: t.recipient.license_number.clone(),
        transfer_type: t.transfer_type.clone(),
        transporter: if t.transporter.license_number == t.license_number {
            String::new()
        } else {
            t.transporter.license_number.clone()
        },
        driver: t.driver_license_number.clone(),
        vehicle: t.vehicle_plate.clone(),
        departure: local(&t.estimated_departure),
        arrival: local(&t.estimated_arrival),
        route: t.planned_route.clone().unwrap_or_default(),
        invoice: t.invoice_number.clone().unwrap_or_default(),
        phone: t.phone_for_questions.clone().unwrap_or_default(),
        add_n: "1".into(),
        ..Default::default()
    };
    for line in &l.lines {
        let label = line.package.label.to_string();
        let text = |v: Option<Decimal>| v.map(|v| v.to_string()).unwrap_or_default();
        d.prices.insert(label.clone(), text(line.wholesale_price));
        d.weights.insert(label.clone(), text(line.gross_weight));
        d.units
            .insert(label.clone(), line.gross_unit.clone().unwrap_or_default());
        d.picked.push(label);
    }
    d
}

struct Editor<'a> {
    lic: &'a str,
    facility: &'a Facility,
    choices: &'a Choices,
    editing: Option<&'a Transfer>,
    max: usize,
}

fn editor_body(e: &Editor<'_>, d: &Draft, msg: Option<&str>, errors: &[String]) -> Markup {
    let lic = e.lic;
    let template = e
        .editing
        .is_some_and(|t| t.state == TransferState::Template);
    let action = match e.editing {
        Some(t) => format!("/ui/l/{lic}/transfers/{}/edit", t.id),
        None => format!("/ui/l/{lic}/transfers/new"),
    };
    let self_transports = e.facility.license_type == LicenseType::Distributor;
    let mut carriers: Vec<&Facility> = e
        .choices
        .facilities
        .iter()
        .filter(|f| f.license_type == LicenseType::Distributor)
        .collect();
    // The shipper's own drivers and vehicles first: the common case for a distributor.
    carriers.sort_by_key(|f| f.license_number != lic);
    let weight_units: Vec<&str> = UNITS
        .iter()
        .filter(|u| u.active && u.quantity_type == QuantityType::WeightBased)
        .map(|u| u.name)
        .collect();
    let ticked: HashSet<&str> = d.picked.iter().map(String::as_str).collect();
    let shown: HashSet<String> = e
        .choices
        .available
        .iter()
        .map(|p| p.label.to_string())
        .collect();
    let hidden: Vec<&String> = d.picked.iter().filter(|l| !shown.contains(*l)).collect();
    let heading = match e.editing {
        Some(t) => format!("Edit {}", title(t).to_lowercase()),
        None => "New transfer".to_string(),
    };
    html! {
        h1 { (heading) " · " (e.facility.name) }
        (notices(msg, errors))
        form #editor method="post" enctype="multipart/form-data" action=(action) {
            div.card {
                table {
                    @if e.editing.is_none() || template {
                        tr { th { label for="name" { "Template name" } } td colspan="3" {
                            input #name type="text" name="name" value=(d.name) size="40";
                            @if e.editing.is_none() { span.muted { " only when saving as a template" } }
                        } }
                    }
                    tr {
                        th { label for="recipient" { "Recipient" } }
                        td { select #recipient name="recipient" {
                            option value="" { "— choose —" }
                            @for f in e.choices.facilities.iter().filter(|f| f.license_number != lic) {
                                option value=(f.license_number) selected[fold(&f.license_number) == fold(&d.recipient)] {
                                    (f.name) " (" (f.license_number) ", " (f.license_type.as_str()) ")"
                                }
                            }
                        } }
                        th { label for="transfer_type" { "Type" } }
                        td { select #transfer_type name="transfer_type" {
                            @for t in TRANSFER_TYPES { option value=(t) selected[t.eq_ignore_ascii_case(&d.transfer_type)] { (t) } }
                        } }
                    }
                    tr {
                        th { label for="transporter" { "Transporter" } }
                        td colspan="3" { select #transporter name="transporter" {
                            option value="" { @if self_transports { "This license (" (lic) ")" } @else { "— choose a distributor —" } }
                            @for f in carriers.iter().filter(|f| f.license_number != lic) {
                                option value=(f.license_number) selected[fold(&f.license_number) == fold(&d.transporter)] { (f.name) " (" (f.license_number) ")" }
                            }
                        }
                        span.muted { " Only a distributor transports (rule 39); the driver and vehicle are the transporter's own." } }
                    }
                    tr {
                        th { label for="driver" { "Driver" } }
                        td { select #driver name="driver" {
                            option value="" { "— choose —" }
                            @for f in &carriers {
                                optgroup label={ (f.name) " (" (f.license_number) ")" } {
                                    @for x in e.choices.drivers.iter().filter(|x| x.license_number == f.license_number) {
                                        option value=(x.drivers_license_number) selected[fold(&x.drivers_license_number) == fold(&d.driver)] {
                                            (x.name) " · DL " (x.drivers_license_number)
                                        }
                                    }
                                }
                            }
                        } }
                        th { label for="vehicle" { "Vehicle" } }
                        td { select #vehicle name="vehicle" {
                            option value="" { "— choose —" }
                            @for f in &carriers {
                                optgroup label={ (f.name) " (" (f.license_number) ")" } {
                                    @for v in e.choices.vehicles.iter().filter(|v| v.license_number == f.license_number) {
                                        option value=(v.license_plate_number) selected[fold(&v.license_plate_number) == fold(&d.vehicle)] {
                                            (v.make) " " (v.model) " · " (v.license_plate_number)
                                        }
                                    }
                                }
                            }
                        } }
                    }
                    tr {
                        th { label for="departure" { "Estimated departure" } }
                        td { input #departure type="datetime-local" name="departure" value=(d.departure); }
                        th { label for="arrival" { "Estimated arrival" } }
                        td { input #arrival type="datetime-local" name="arrival" value=(d.arrival); }
                    }
                    tr {
                        th { label for="route" { "Planned route" } }
                        td colspan="3" { textarea #route name="route" rows="2" cols="70" { (d.route) } }
                    }
                    tr {
                        th { label for="invoice" { "Invoice number" } }
                        td { input #invoice type="text" name="invoice" value=(d.invoice); }
                        th { label for="phone" { "Phone for questions" } }
                        td { input #phone type="text" name="phone" value=(d.phone); }
                    }
                }
            }
            h2 { "Packages" }
            div.card {
                p {
                    label { "Add " input type="number" name="add_n" min="1" max=(e.max) value=(d.add_n) style="width:5em"; " packages " }
                    button.act type="submit" name="op" value="add" formnovalidate { "Add" }
                    span.muted { " ticks the next packages below at once · " (d.picked.len()) " of at most " (e.max) " ticked (rule 47)" }
                }
                @if e.editing.is_none() {
                    p {
                        "Or give the packages as a list: a CSV or TXT file with one column of package tag UIDs (bulletin IV), which replaces the ticks. "
                        input type="file" name="file" accept=".csv,.txt,text/csv,text/plain";
                    }
                    p { textarea name="list" rows="3" cols="40" placeholder="…or paste the UIDs here, one per line" { (d.list) } }
                } @else {
                    p.muted { "To replace the packages from a CSV or TXT list of UIDs, use the upload on the transfer's page." }
                }
                table #packages {
                    thead { tr { th { "Ship" } th { "Label" } th { "Item" } th { "Quantity" } th { "Lab state" } th { "Location" } th { "Wholesale price" } th { "Gross weight" } } }
                    tbody {
                        @for p in &e.choices.available {
                            @let label = p.label.to_string();
                            tr {
                                td { input type="checkbox" name="pick" value=(label) checked[ticked.contains(label.as_str())]; }
                                td.mono { (label) }
                                td { (p.item_name) }
                                td { (p.quantity) " " (p.unit_of_measure) }
                                td { (p.lab_testing_state) @if p.on_hold { " " span.pill.warn { "on hold" } } }
                                td { (p.location_name.clone().unwrap_or_default()) }
                                td { input type="text" name={ "price_" (label) } size="7" value=(d.prices.get(&label).cloned().unwrap_or_default()); }
                                td {
                                    input type="text" name={ "weight_" (label) } size="6" value=(d.weights.get(&label).cloned().unwrap_or_default());
                                    " " select name={ "unit_" (label) } {
                                        @for u in &weight_units { option value=(u) selected[d.units.get(&label).is_some_and(|x| x.eq_ignore_ascii_case(u))] { (u) } }
                                    }
                                }
                            }
                        }
                        // Ticked labels that are not (or no longer) in the shipper's free
                        // inventory stay ticked, so that saving names the problem.
                        @for label in &hidden { tr {
                            td { input type="checkbox" name="pick" value=(label) checked; }
                            td.mono { (label) } td colspan="6" { span.pill.warn { "not in your available inventory" } }
                        } }
                    }
                }
                @if e.choices.available.is_empty() { p.muted { "No active, unheld packages are free to ship." } }
            }
            p {
                @match e.editing {
                    None => {
                        button.act type="submit" name="op" value="save" { "Register manifest" } " "
                        button.act type="submit" name="op" value="template" { "Save as template" }
                    }
                    Some(t) => {
                        button.act type="submit" name="op" value="save" { "Save changes" } " "
                        a href={ "/ui/l/" (lic) "/transfers/" (t.id) } { "Cancel" }
                    }
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn editor_page(
    s: &AppState,
    user: &User,
    scope: &Scope,
    licenses: &[(String, String)],
    editing: Option<&Loaded>,
    d: &Draft,
    msg: Option<&str>,
    errors: &[String],
) -> Page {
    let lic = scope.license();
    let ch = choices(s, lic, editing).await?;
    let e = Editor {
        lic,
        facility: &scope.facility,
        choices: &ch,
        editing: editing.map(|l| &l.transfer),
        max: s.ledger.config.max_packages_per_transfer,
    };
    let heading = match editing {
        Some(l) => format!("Edit {}", title(&l.transfer)),
        None => "New transfer".into(),
    };
    Ok(page(
        &heading,
        Some(nav(lic, licenses, user)),
        editor_body(&e, d, msg, errors),
    ))
}

/// Shows the editor again after a post: the same values, the outcome of "Add", or the problems
/// that kept a save from happening (with 422, so that the page is not mistaken for a success).
async fn editor_again(
    s: &AppState,
    user: &User,
    scope: &Scope,
    licenses: &[(String, String)],
    editing: Option<&Loaded>,
    d: &Draft,
    outcome: Result<String, Refused>,
) -> Response {
    let (status, msg, errors) = match outcome {
        Ok(m) => (StatusCode::OK, Some(m), vec![]),
        Err(r) if r.shown() => (StatusCode::UNPROCESSABLE_ENTITY, None, r.1),
        Err(r) => return r.page(),
    };
    match editor_page(
        s,
        user,
        scope,
        licenses,
        editing,
        d,
        msg.as_deref(),
        &errors,
    )
    .await
    {
        Ok(body) => (status, body).into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn new_form(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path(license): Path<String>,
) -> Page {
    let (scope, licenses) = frame(&s, &user, &license, EDITORS).await?;
    editor_page(
        &s,
        &user,
        &scope,
        &licenses,
        None,
        &default_draft(),
        None,
        &[],
    )
    .await
}

/// Registers a manifest (or saves a template) from the editor, through the same
/// `save_manifests` as `POST /tagtrail/v1/transfers/outgoing` (`POST
/// /transfers/v2/templates/outgoing`). A list given instead of ticks is read by the same parser
/// as the package-list upload and its problems are named by line.
async fn save_new(
    s: &AppState,
    who: &Acting,
    license: &str,
    d: &Draft,
) -> Result<(i64, String), Refused> {
    let template = d.op == "template";
    let perms = if template { MANAGE_TEMPLATES } else { MANAGE };
    let scope = s.ledger.authorize(who, license, perms).await?;
    let max = s.ledger.config.max_packages_per_transfer;
    let (labels, names): (Vec<String>, Vec<String>) = match list_text(&d.file, &d.list)? {
        Some(text) => {
            let listed = parse_package_list(&text, max).map_err(|errs| {
                Refused(
                    StatusCode::BAD_REQUEST,
                    errs.into_iter()
                        .map(|e| match e.line {
                            0 => e.reason,
                            n => format!("Line {n}: {}", e.reason),
                        })
                        .collect(),
                )
            })?;
            listed
                .into_iter()
                .map(|(n, label)| (label.to_string(), format!("Line {n}")))
                .unzip()
        }
        None => {
            let names = d.picked.iter().map(|l| format!("Package {l}")).collect();
            (d.picked.clone(), names)
        }
    };
    let spec = spec_from(d, &labels)?;
    let (kind, endpoint, reason) = if template {
        (
            ManifestKind::NewTemplate,
            "POST /transfers/v2/templates/outgoing",
            "Create transfer templates",
        )
    } else {
        (
            ManifestKind::Register,
            "POST /tagtrail/v1/transfers/outgoing",
            "Register transfer manifests",
        )
    };
    let action = Action::new(endpoint, None, reason, request_json(&spec, None, None));
    let request = ManifestRequest {
        id: None,
        template_id: None,
        spec,
        keep_line_details: false,
    };
    let w = s
        .ledger
        .save_manifests(who, &scope, action, kind, &[request])
        .await
        .map_err(|e| name_rows(e.into(), &names))?;
    let id = w
        .ids
        .first()
        .copied()
        .ok_or_else(|| Refused::bad("The transfer was not saved."))?;
    let what = if template {
        "Template saved".to_string()
    } else {
        format!("Manifest {} registered", manifest_number(id))
    };
    Ok((
        id,
        with_warnings(format!("{what} (journal entry {}).", w.seq), &w.warnings),
    ))
}

pub async fn create(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path(license): Path<String>,
    form: Multipart,
) -> Response {
    let (scope, licenses) = match frame(&s, &user, &license, EDITORS).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let mut d = match read_draft(form).await {
        Ok(d) => d,
        Err(r) => return r.page(),
    };
    let who = acting(&user);
    if d.op == "add" {
        let outcome = match choices(&s, scope.license(), None).await {
            Ok(ch) => add_packages(
                &mut d,
                &ch.available,
                s.ledger.config.max_packages_per_transfer,
            )
            .map_err(Refused::bad),
            Err(e) => Err(e.into()),
        };
        return editor_again(&s, &user, &scope, &licenses, None, &d, outcome).await;
    }
    match save_new(&s, &who, &license, &d).await {
        Ok((id, msg)) => Redirect::to(&format!(
            "/ui/l/{}/transfers/{id}?msg={}",
            scope.license(),
            urlencode(&msg)
        ))
        .into_response(),
        Err(r) => editor_again(&s, &user, &scope, &licenses, None, &d, Err(r)).await,
    }
}

/// The manifest or template `id` of the shipper `scope`, while it can still be edited.
async fn editable(s: &AppState, who: &Acting, scope: &Scope, id: i64) -> Result<Loaded, WebError> {
    let l = visible(s, who, scope, id, MANAGE_TEMPLATES, MANAGE).await?;
    let t = &l.transfer;
    if t.license_number != scope.license() {
        return Err(WebError(
            StatusCode::BAD_REQUEST,
            format!(
                "Only the shipper ({}) edits transfer {id}.",
                t.license_number
            ),
        ));
    }
    if !t.active || !matches!(t.state, TransferState::Outgoing | TransferState::Template) {
        return Err(WebError(
            StatusCode::CONFLICT,
            format!("Transfer {id} is {} and cannot be edited.", t.list_status()),
        ));
    }
    Ok(l)
}

pub async fn edit_form(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path((license, id)): Path<(String, i64)>,
) -> Response {
    let (scope, licenses) = match frame(&s, &user, &license, EDITORS).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let who = acting(&user);
    match editable(&s, &who, &scope, id).await {
        Ok(l) => {
            match editor_page(
                &s,
                &user,
                &scope,
                &licenses,
                Some(&l),
                &draft_of(&l),
                None,
                &[],
            )
            .await
            {
                Ok(body) => body.into_response(),
                Err(e) => e.into_response(),
            }
        }
        Err(e) => back(
            &format!("/ui/l/{}/transfers/{id}", scope.license()),
            Err(e.into()),
        ),
    }
}

/// Saves the editor over a registered manifest or a template, through the same `save_manifests`
/// as `PUT /tagtrail/v1/transfers/outgoing` (`PUT /transfers/v2/templates/outgoing`).
async fn save_edit(
    s: &AppState,
    who: &Acting,
    license: &str,
    l: &Loaded,
    ch: &Choices,
    d: &Draft,
) -> Result<String, Refused> {
    let t = &l.transfer;
    let template = t.state == TransferState::Template;
    let perms = if template { MANAGE_TEMPLATES } else { MANAGE };
    let scope = s.ledger.authorize(who, license, perms).await?;
    let names: Vec<String> = d.picked.iter().map(|l| format!("Package {l}")).collect();
    let mut spec = spec_from(d, &d.picked)?;
    // An edit keeps what it leaves out, so "this license transports" must be said outright,
    // or a manifest once given to another transporter could never come back to the shipper.
    let carrier = spec
        .transporter_license
        .get_or_insert_with(|| scope.license().to_string())
        .clone();
    spec.transporter_count = 1;
    // The app keeps the stored driver's employee id unless one is given, which would leave the
    // old driver's id on the manifest when the driver changes; give the chosen driver's.
    spec.driver_employee_id = spec.driver_license_number.as_deref().and_then(|dl| {
        ch.drivers
            .iter()
            .find(|x| {
                fold(&x.drivers_license_number) == fold(dl)
                    && fold(&x.license_number) == fold(&carrier)
            })
            .and_then(|x| x.employee_id.clone())
    });
    // Times shown unchanged are left out, so that the stored value (seconds, any offset) stays.
    if d.departure.trim() == local(&t.estimated_departure) {
        spec.estimated_departure = None;
    }
    if d.arrival.trim() == local(&t.estimated_arrival) {
        spec.estimated_arrival = None;
    }
    let (kind, endpoint, reason) = if template {
        (
            ManifestKind::EditTemplate,
            "PUT /transfers/v2/templates/outgoing",
            "Update transfer templates",
        )
    } else {
        (
            ManifestKind::Edit,
            "PUT /tagtrail/v1/transfers/outgoing",
            "Edit transfer manifests",
        )
    };
    let json = if template {
        request_json(&spec, None, Some(t.id))
    } else {
        request_json(&spec, Some(t.id), None)
    };
    let action = Action::new(endpoint, None, reason, json);
    let saved = match &spec.name {
        Some(name) if template => format!("Template {name}"),
        _ => title(t),
    };
    let request = ManifestRequest {
        id: Some(t.id),
        template_id: None,
        spec,
        keep_line_details: false,
    };
    let w = s
        .ledger
        .save_manifests(who, &scope, action, kind, &[request])
        .await
        .map_err(|e| name_rows(e.into(), &names))?;
    Ok(with_warnings(
        format!("{saved} saved (journal entry {}).", w.seq),
        &w.warnings,
    ))
}

pub async fn update(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path((license, id)): Path<(String, i64)>,
    form: Multipart,
) -> Response {
    let (scope, licenses) = match frame(&s, &user, &license, EDITORS).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let who = acting(&user);
    let lic = scope.license().to_string();
    let l = match editable(&s, &who, &scope, id).await {
        Ok(l) => l,
        Err(e) => return back(&format!("/ui/l/{lic}/transfers/{id}"), Err(e.into())),
    };
    let mut d = match read_draft(form).await {
        Ok(d) => d,
        Err(r) => return r.page(),
    };
    let ch = match choices(&s, &lic, Some(&l)).await {
        Ok(ch) => ch,
        Err(e) => return e.into_response(),
    };
    if d.op == "add" {
        let outcome = add_packages(
            &mut d,
            &ch.available,
            s.ledger.config.max_packages_per_transfer,
        )
        .map_err(Refused::bad);
        return editor_again(&s, &user, &scope, &licenses, Some(&l), &d, outcome).await;
    }
    match save_edit(&s, &who, &license, &l, &ch, &d).await {
        Ok(msg) => back(&format!("/ui/l/{lic}/transfers/{id}"), Ok(msg)),
        Err(r) => editor_again(&s, &user, &scope, &licenses, Some(&l), &d, Err(r)).await,
    }
}

// ------------------------------------------------------------------------------------------
// The manifest page and its steps

#[derive(Deserialize, Default)]
pub struct Flash {
    msg: Option<String>,
    err: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn detail_page(
    s: &AppState,
    user: &User,
    scope: &Scope,
    licenses: &[(String, String)],
    l: &Loaded,
    msg: Option<&str>,
    errors: &[String],
    list: &str,
) -> Page {
    let who = acting(user);
    let lic = scope.license();
    let t = &l.transfer;
    let r = roles(t, lic);
    let template = t.state == TransferState::Template;
    let manage = may(
        &who,
        scope,
        if template { MANAGE_TEMPLATES } else { MANAGE },
    );
    let history = s
        .ledger
        .store
        .journal_touching("transfers", t.id, 50)
        .await?;
    let base = format!("/ui/l/{lic}/transfers/{}", t.id);
    let status = t.list_status();
    let editable = r.shipper
        && manage
        && t.active
        && matches!(t.state, TransferState::Outgoing | TransferState::Template);
    Ok(page(
        &title(t),
        Some(nav(lic, licenses, user)),
        html! {
            h1 { (title(t)) " " (state_pill(t)) }
            (notices(msg, errors))
            div.card {
                table #parties {
                    tr { th { "Type" } td { (t.transfer_type) } th { "Packages" } td { (l.lines.len()) } }
                    tr { th { "Shipper" } td { (party(&t.shipper)) br; span.muted { (t.shipper.address.clone().unwrap_or_default()) } }
                         th { "Recipient" } td { (party(&t.recipient)) br; span.muted { (t.recipient.address.clone().unwrap_or_default()) } } }
                    tr { th { "Transporter" } td { (party(&t.transporter)) }
                         th { "Driver" } td { (t.driver_name) " · DL " span.mono { (t.driver_license_number) } @if let Some(e) = &t.driver_employee_id { " · " (e) } } }
                    tr { th { "Vehicle" } td { (t.vehicle_make) " " (t.vehicle_model) " · " span.mono { (t.vehicle_plate) } }
                         th { "Phone for questions" } td { (t.phone_for_questions.clone().unwrap_or_default()) } }
                    tr { th { "Estimated departure" } td.mono { (t.estimated_departure) } th { "Estimated arrival" } td.mono { (t.estimated_arrival) } }
                    tr { th { "Departed" } td.mono { (t.actual_departure.clone().unwrap_or_default()) } th { "Arrived" } td.mono { (t.actual_arrival.clone().unwrap_or_default()) } }
                    tr { th { "Received" } td.mono { (t.received_at.clone().unwrap_or_default()) @if t.state == TransferState::Received { " · " (t.accepted_count) " accepted, " (t.rejected_count) " rejected" } }
                         th { "Invoice" } td { (t.invoice_number.clone().unwrap_or_default()) } }
                    tr { th { "Planned route" } td colspan="3" { (t.planned_route.clone().unwrap_or_default()) } }
                    tr { th { "Created" } td.mono { (t.created_at) " by " (t.created_by) } th { "Status" } td { (status) } }
                }
                @if !template {
                    p { a #manifest-pdf href={ (base) "/manifest.pdf" } { "Manifest (PDF)" } " · " a href={ (base) "/manifest.html" } { "printable page" } }
                }
            }
            h2 { "Actions" }
            div.card #actions {
                @if editable {
                    p { a href={ (base) "/edit" } { "Edit " @if template { "template" } @else { "manifest" } } }
                }
                @if template && r.shipper && t.active {
                    @if may(&who, scope, MANAGE) {
                        form method="post" action={ (base) "/register" } {
                            "Register a manifest from this template, departing "
                            input type="datetime-local" name="departure" value=(local(&t.estimated_departure));
                            " arriving " input type="datetime-local" name="arrival" value=(local(&t.estimated_arrival));
                            " " button.act type="submit" { "Register manifest" }
                        }
                        p {}
                    }
                    @if manage {
                        form.inline method="post" action={ (base) "/archive" } { button.act type="submit" { "Archive template" } }
                    }
                }
                @if r.transporter && t.state == TransferState::Outgoing && manage {
                    form method="post" action={ (base) "/depart" } {
                        "The load is checked against the manifest. "
                        button.act type="submit" { "Depart" } span.muted { " (the transporter confirms the load; rule 43)" }
                    }
                    p {}
                }
                @if (r.transporter || r.recipient) && t.state == TransferState::InTransit && manage {
                    form method="post" action={ (base) "/arrive" } { button.act type="submit" { "Record arrival" } }
                    p {}
                }
                @if r.recipient && matches!(t.state, TransferState::InTransit | TransferState::Delivered) && manage {
                    p { a #receive-link href={ (base) "/receive" } { strong { "Receive packages…" } } span.muted { " accept or reject each package (rule 44)" } }
                }
                @if r.shipper && t.state == TransferState::Outgoing && manage {
                    form method="post" action={ (base) "/void" } {
                        input type="text" name="reason" placeholder="Why void? (optional)" size="30";
                        " " button.act type="submit" { "Void manifest" } span.muted { " (before departure only; rule 48)" }
                    }
                    p {}
                }
                @if r.shipper && status == "Rejected" && manage {
                    form method="post" action={ (base) "/takeback" } {
                        button.act type="submit" { "Take rejected packages back" } span.muted { " (rule 45)" }
                    }
                }
                @if editable {
                    h2 { "Replace the packages from a list" }
                    form #upload method="post" enctype="multipart/form-data" action={ (base) "/upload" } {
                        p { "A CSV or TXT file with one column of package tag UIDs (bulletin IV); every line must be good or nothing changes. "
                            input type="file" name="file" accept=".csv,.txt,text/csv,text/plain"; }
                        p { textarea name="list" rows="4" cols="40" placeholder="…or paste the UIDs here, one per line" { (list) } }
                        button.act type="submit" { "Upload list" }
                    }
                }
            }
            h2 { "Packages" }
            table #lines {
                thead { tr { th { "Label" } th { "Item" } th { "Shipped" } th { "Wholesale price" } th { "Gross weight" } th { "State" } th { "Received" } th { "Rejection reason" } } }
                tbody { @for line in &l.lines {
                    @let p = &line.package;
                    // Link where the package is the viewer's: the shipper's until accepted, the recipient's after.
                    @let linked = (r.shipper && line.shipment_state != ShipmentState::Accepted) || (r.recipient && line.shipment_state == ShipmentState::Accepted && !p.is_testing_sample);
                    tr {
                        td.mono { @if linked { a href={ "/ui/l/" (lic) "/packages/" (p.id) } { (p.label) } } @else { (p.label) } }
                        td { (p.item_name) }
                        td { (line.shipped_quantity) " " (line.shipped_unit) }
                        td { (line.wholesale_price.map(|v| v.to_string()).unwrap_or_default()) }
                        td { @if let Some(w) = line.gross_weight { (w) " " (line.gross_unit.clone().unwrap_or_default()) } }
                        td { span.pill { (line.list_status()) } }
                        td { (line.received_quantity.map(|v| v.to_string()).unwrap_or_default()) }
                        td { (line.rejection_reason.clone().unwrap_or_default()) }
                    }
                } }
            }
            h2 { "Journal entries for this transfer" }
            table {
                thead { tr { th { "#" } th { "Recorded" } th { "Who" } th { "Endpoint" } th { "Reason" } } }
                tbody { @for e in &history { tr { td.mono { (e.seq) } td.mono { (e.body.recorded_at) } td { (e.body.actor.name) } td.mono { (e.body.endpoint) } td { (e.body.reason) } } } }
            }
            p { a href={ "/ui/l/" (lic) "/transfers" } { "← Transfers" } }
        },
    ))
}

pub async fn detail(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path((license, id)): Path<(String, i64)>,
    Query(f): Query<Flash>,
) -> Page {
    let (scope, licenses) = frame(&s, &user, &license, ANY).await?;
    let l = visible(&s, &acting(&user), &scope, id, VIEW_TEMPLATES, VIEW).await?;
    detail_page(
        &s,
        &user,
        &scope,
        &licenses,
        &l,
        f.msg.as_deref(),
        &errors_of(&f.err),
        "",
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    reason: Option<String>,
    departure: Option<String>,
    arrival: Option<String>,
}

/// The steps of the manifest page, each through the application function of the matching
/// endpoint: depart, arrive, void, take back, register from a template, archive a template.
pub async fn act(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path((license, id, what)): Path<(String, i64, String)>,
    Form(f): Form<StepForm>,
) -> Response {
    let who = acting(&user);
    // The license as typed in the address, kept a valid path for the redirect.
    let detail = format!("/ui/l/{}/transfers/{id}", urlencode(&license));
    let reason = f.reason.as_deref();
    let ids = [Some(id)];
    let body = json!([{ "TransferId": id }]);
    let result: Result<(String, String), Refused> = async {
        let perms = match what.as_str() {
            "archive" => MANAGE_TEMPLATES,
            "depart" | "arrive" | "void" | "takeback" | "register" => MANAGE,
            _ => {
                return Err(Refused(
                    StatusCode::NOT_FOUND,
                    vec!["No such action.".into()],
                ));
            }
        };
        let scope = s.ledger.authorize(&who, &license, perms).await?;
        let lic = scope.license();
        let done = |verb: &str, seq: i64| format!("Transfer {id} {verb} (journal entry {seq}).");
        Ok(match what.as_str() {
            "depart" => {
                let a = Action::new(
                    "POST /tagtrail/v1/transfers/depart",
                    reason,
                    "Depart with manifest",
                    body,
                );
                let w = s.ledger.depart(&who, &scope, a, &ids).await?;
                (detail.clone(), done("departed", w.seq))
            }
            "arrive" => {
                let a = Action::new(
                    "POST /tagtrail/v1/transfers/arrive",
                    reason,
                    "Manifest arrived",
                    body,
                );
                let w = s.ledger.arrive(&who, &scope, a, &ids).await?;
                (detail.clone(), done("arrived", w.seq))
            }
            "takeback" => {
                let a = Action::new(
                    "POST /tagtrail/v1/transfers/returns",
                    reason,
                    "Receive rejected packages back",
                    body,
                );
                let w = s.ledger.take_back(&who, &scope, a, &ids).await?;
                (
                    detail.clone(),
                    done("rejected packages are back in inventory:", w.seq),
                )
            }
            "void" => {
                let a = Action::new(
                    &format!("DELETE /tagtrail/v1/transfers/outgoing/{id}"),
                    reason,
                    "Void transfer manifest",
                    serde_json::Value::Null,
                );
                let w = s.ledger.void_manifest(&who, &scope, a, id).await?;
                (detail.clone(), done("voided", w.seq))
            }
            "archive" => {
                let a = Action::new(
                    &format!("DELETE /transfers/v2/templates/outgoing/{id}"),
                    reason,
                    "Archive transfer template",
                    serde_json::Value::Null,
                );
                let w = s.ledger.archive_template(&who, &scope, a, id).await?;
                (
                    format!("/ui/l/{lic}/transfers?tab=templates"),
                    format!("Template {id} archived (journal entry {}).", w.seq),
                )
            }
            _ => {
                // Register from the template: its plan, with the times given here replacing its own.
                let spec = ManifestSpec {
                    estimated_departure: f
                        .departure
                        .as_deref()
                        .and_then(opt)
                        .map(|v| with_seconds(&v)),
                    estimated_arrival: f.arrival.as_deref().and_then(opt).map(|v| with_seconds(&v)),
                    destination_count: 1,
                    ..Default::default()
                };
                let a = Action::new(
                    "POST /tagtrail/v1/transfers/outgoing",
                    reason,
                    "Register transfer manifests",
                    request_json(&spec, None, Some(id)),
                );
                let request = ManifestRequest {
                    id: None,
                    template_id: Some(id),
                    spec,
                    keep_line_details: false,
                };
                let w = s
                    .ledger
                    .save_manifests(&who, &scope, a, ManifestKind::Register, &[request])
                    .await?;
                let new_id = w
                    .ids
                    .first()
                    .copied()
                    .ok_or_else(|| Refused::bad("No manifest was registered."))?;
                (
                    format!("/ui/l/{lic}/transfers/{new_id}"),
                    with_warnings(
                        format!(
                            "Manifest {} registered from template {id} (journal entry {}).",
                            manifest_number(new_id),
                            w.seq
                        ),
                        &w.warnings,
                    ),
                )
            }
        })
    }
    .await;
    match result {
        Ok((to, msg)) => back(&to, Ok(msg)),
        Err(r) => back(&detail, Err(r)),
    }
}

/// Replaces the package section from a CSV or TXT list of UIDs through the same
/// `upload_package_list` as `PUT /tagtrail/v1/transfers/{id}/packagelist`. A refused list is
/// shown with every bad line on the page itself (not through a redirect, whose address would
/// have to carry them all), with the pasted text kept.
pub async fn upload(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path((license, id)): Path<(String, i64)>,
    form: Multipart,
) -> Response {
    let who = acting(&user);
    let d = match read_draft(form).await {
        Ok(d) => d,
        Err(r) => return r.page(),
    };
    let result: Result<String, Refused> = async {
        let scope = s.ledger.authorize(&who, &license, EDITORS).await?;
        // Templates need the template permission, manifests the transfer one, as in the API.
        let l = editable(&s, &who, &scope, id).await?;
        let text = list_text(&d.file, &d.list)?
            .ok_or_else(|| Refused::bad("Choose a CSV or TXT file, or paste the UIDs."))?;
        let action = Action::new(
            &format!("PUT /tagtrail/v1/transfers/{id}/packagelist"),
            None,
            "Upload transfer package list",
            serde_json::Value::String(text.clone()),
        );
        let w = s
            .ledger
            .upload_package_list(&who, &scope, action, id, &text)
            .await?;
        let count = s
            .ledger
            .manifest(id)
            .await?
            .map(|l| l.lines.len())
            .unwrap_or_default();
        Ok(with_warnings(
            format!(
                "Package list applied: {count} package(s) on {} (journal entry {}).",
                title(&l.transfer),
                w.seq
            ),
            &w.warnings,
        ))
    }
    .await;
    // The license as typed in the address, kept a valid path for the redirect.
    let detail = format!("/ui/l/{}/transfers/{id}", urlencode(&license));
    match result {
        Ok(msg) => back(&detail, Ok(msg)),
        Err(r) if r.shown() => {
            let shown = async {
                let (scope, licenses) = frame(&s, &user, &license, ANY).await?;
                let l = visible(&s, &who, &scope, id, VIEW_TEMPLATES, VIEW).await?;
                let pasted = if d.file.is_none() {
                    d.list.as_str()
                } else {
                    ""
                };
                detail_page(&s, &user, &scope, &licenses, &l, None, &r.1, pasted).await
            }
            .await;
            match shown {
                Ok(body) => (StatusCode::UNPROCESSABLE_ENTITY, body).into_response(),
                Err(e) => e.into_response(),
            }
        }
        Err(r) => r.page(),
    }
}

// ------------------------------------------------------------------------------------------
// Receipt

fn receipt_body(
    lic: &str,
    l: &Loaded,
    values: &HashMap<String, String>,
    errors: &[String],
) -> Markup {
    let t = &l.transfer;
    let base = format!("/ui/l/{lic}/transfers/{}", t.id);
    let value = |k: String| values.get(&k).cloned();
    let wholesale = t.transfer_type == "Wholesale Manifest";
    html! {
        h1 { "Receive " (title(t)) }
        (notices(None, errors))
        p { "From " (party(&t.shipper)) " · " (l.lines.len()) " package(s). "
            span.muted { "Decide every package, each whole (rule 44); a rejected package needs a reason and goes back to the shipper (rule 45)." } }
        form #receipt method="post" action={ (base) "/receive" } {
            table {
                thead { tr { th { "Label" } th { "Item" } th { "Shipped" } th { "Decision" } th { "Received quantity" } th { "Rejection reason" }
                    @if wholesale { th { "Your wholesale price" } } } }
                tbody { @for (i, line) in l.lines.iter().enumerate() {
                    @let p = &line.package;
                    @let decision = value(format!("decision_{i}")).unwrap_or_default();
                    tr.receipt-line data-label=(p.label) {
                        td.mono { (p.label) input type="hidden" name={ "label_" (i) } value=(p.label); }
                        td { (p.item_name) }
                        td { (line.shipped_quantity) " " (line.shipped_unit) }
                        td {
                            label { input type="radio" name={ "decision_" (i) } value="accept" checked[decision == "accept"]; " Accept" } " "
                            label { input type="radio" name={ "decision_" (i) } value="reject" checked[decision == "reject"]; " Reject" }
                        }
                        td { input type="text" name={ "qty_" (i) } size="8" value=(value(format!("qty_{i}")).unwrap_or_else(|| line.shipped_quantity.to_string())); " " (line.shipped_unit) }
                        td { input type="text" name={ "reason_" (i) } size="28" value=(value(format!("reason_{i}")).unwrap_or_default()); }
                        @if wholesale { td { input type="text" name={ "price_" (i) } size="8" value=(value(format!("price_{i}")).unwrap_or_default()); } }
                    }
                } }
            }
            p { label { "Note for the journal " input type="text" name="note" size="40" value=(value("note".into()).unwrap_or_default()); } }
            p { button.act type="submit" { "Record receipt" } " " a href=(base) { "Cancel" } }
        }
    }
}

async fn receivable(
    s: &AppState,
    who: &Acting,
    scope: &Scope,
    id: i64,
) -> Result<Loaded, WebError> {
    let l = visible(s, who, scope, id, MANAGE_TEMPLATES, MANAGE).await?;
    let t = &l.transfer;
    if !roles(t, scope.license()).recipient {
        return Err(WebError(
            StatusCode::BAD_REQUEST,
            format!("Delivery {id} is not addressed to {}.", scope.license()),
        ));
    }
    if !matches!(t.state, TransferState::InTransit | TransferState::Delivered) {
        return Err(WebError(
            StatusCode::CONFLICT,
            format!(
                "Delivery {id} is not awaiting receipt ({}).",
                t.list_status()
            ),
        ));
    }
    Ok(l)
}

pub async fn receipt_form(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path((license, id)): Path<(String, i64)>,
) -> Response {
    let (scope, licenses) = match frame(&s, &user, &license, MANAGE).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let lic = scope.license().to_string();
    match receivable(&s, &acting(&user), &scope, id).await {
        Ok(l) => page(
            &format!("Receive {}", title(&l.transfer)),
            Some(nav(&lic, &licenses, &user)),
            receipt_body(&lic, &l, &HashMap::new(), &[]),
        )
        .into_response(),
        Err(e) => back(&format!("/ui/l/{lic}/transfers/{id}"), Err(e.into())),
    }
}

/// Records the receipt through the same `receive` as `POST
/// /tagtrail/v1/transfers/deliveries/{id}/receive`. A refused receipt is shown again with the
/// decisions made so far.
pub async fn receive(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path((license, id)): Path<(String, i64)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let who = acting(&user);
    let values: HashMap<String, String> = fields.into_iter().collect();
    let (scope, licenses) = match frame(&s, &user, &license, MANAGE).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let lic = scope.license().to_string();
    let detail = format!("/ui/l/{lic}/transfers/{id}");
    let l = match receivable(&s, &who, &scope, id).await {
        Ok(l) => l,
        Err(e) => return back(&detail, Err(e.into())),
    };
    let result: Result<String, Refused> = async {
        let mut lines = Vec::new();
        let mut problems = Vec::new();
        for i in 0..l.lines.len() {
            let get = |k: &str| values.get(&format!("{k}_{i}")).and_then(|v| opt(v));
            let label = get("label");
            let name = label.clone().unwrap_or_else(|| format!("row {}", i + 1));
            let mut num = |k: &str, what: &str| match get(k) {
                None => None,
                Some(v) => v.parse::<Decimal>().ok().or_else(|| {
                    problems.push(format!("Package {name}: {what} {v} is not a number."));
                    None
                }),
            };
            let accept = match get("decision").as_deref() {
                Some("accept") => Some(true),
                Some("reject") => Some(false),
                _ => None,
            };
            // A rejected package is received at nothing; its quantity box is not read.
            let received_quantity = if accept == Some(true) {
                num("qty", "received quantity")
            } else {
                None
            };
            let receiver_wholesale_price = num("price", "wholesale price");
            lines.push(ReceiptLine {
                package_label: label,
                accept,
                reason: get("reason"),
                received_quantity,
                receiver_wholesale_price,
            });
        }
        if !problems.is_empty() {
            return Err(Refused(StatusCode::BAD_REQUEST, problems));
        }
        let body: Vec<serde_json::Value> = lines
            .iter()
            .map(|r| {
                json!({
                    "PackageLabel": r.package_label,
                    "Accepted": r.accept,
                    "RejectionReason": r.reason,
                    "ReceivedQuantity": r.received_quantity,
                    "ReceiverWholesalePrice": r.receiver_wholesale_price,
                })
            })
            .collect();
        let note = values.get("note").map(String::as_str);
        let action = Action::new(
            &format!("POST /tagtrail/v1/transfers/deliveries/{id}/receive"),
            note,
            "Receive delivery",
            serde_json::Value::Array(body),
        );
        let w = s
            .ledger
            .receive(&who, &scope, action, id, &lines)
            .await
            .map_err(|e| match e {
                // Row i is line i: name its package where the message does not.
                AppError::Rejected(Rejection::Rows(rows)) => Refused(
                    StatusCode::BAD_REQUEST,
                    rows.into_iter()
                        .map(
                            |r| match lines.get(r.row).and_then(|x| x.package_label.as_ref()) {
                                Some(label) if !r.message.contains(label.as_str()) => {
                                    format!("Package {label}: {}", r.message)
                                }
                                _ => r.message,
                            },
                        )
                        .collect(),
                ),
                e => e.into(),
            })?;
        let accepted = lines.iter().filter(|x| x.accept == Some(true)).count();
        Ok(with_warnings(
            format!(
                "Receipt recorded: {accepted} accepted, {} rejected (journal entry {}).",
                lines.len() - accepted,
                w.seq
            ),
            &w.warnings,
        ))
    }
    .await;
    match result {
        Ok(msg) => back(&detail, Ok(msg)),
        Err(r) if r.shown() => (
            StatusCode::UNPROCESSABLE_ENTITY,
            page(
                &format!("Receive {}", title(&l.transfer)),
                Some(nav(&lic, &licenses, &user)),
                receipt_body(&lic, &l, &values, &r.1),
            ),
        )
            .into_response(),
        Err(r) => r.page(),
    }
}

// ------------------------------------------------------------------------------------------
// The manifest document

/// The manifest as the parties print it; only a party (shipper, recipient, transporter) with a
/// transfer permission gets it, as with `GET /transfers/v2/manifest/{id}/pdf`.
async fn document(s: &AppState, user: &User, license: &str, id: i64) -> Result<Loaded, WebError> {
    let (scope, _) = frame(s, user, license, VIEW).await?;
    let l = visible(s, &acting(user), &scope, id, VIEW_TEMPLATES, VIEW).await?;
    if l.transfer.state == TransferState::Template {
        return Err(WebError(
            StatusCode::NOT_FOUND,
            "A template has no manifest document; register a manifest from it.".into(),
        ));
    }
    Ok(l)
}

pub async fn manifest_pdf(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let l = document(&s, &user, &license, id).await?;
    let bytes = crate::manifest_doc::manifest_pdf(&l.transfer, &l.lines);
    let disposition = format!(
        "inline; filename=\"{}\"",
        crate::manifest_doc::file_name(&l.transfer)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

pub async fn manifest_html(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let l = document(&s, &user, &license, id).await?;
    let html = crate::manifest_doc::manifest_html(&l.transfer, &l.lines);
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}
