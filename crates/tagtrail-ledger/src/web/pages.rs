//! The pages. Each license page authorizes exactly as the matching API endpoint does.

use super::layout::{Nav, flash, page, yes_no};
use super::session::{COOKIE, Employee, token};
use crate::app::{Acting, Action, AppError, Scope};
use crate::http::AppState;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;
use tagtrail_domain::records::{Item, Location, Strain, Sublocation, Tag, TagOrder, User};
use tagtrail_domain::tag::OrderStatus;
use tagtrail_store::ListQuery;

/// An error shown as a page, with the status the API would use.
pub struct WebError(pub(super) StatusCode, pub(super) String);

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match crate::http::error::ApiError::from(e) {
            crate::http::error::ApiError::Status(s, m) => WebError(s, m),
            crate::http::error::ApiError::Rows(rows) => WebError(
                StatusCode::BAD_REQUEST,
                rows.into_iter()
                    .map(|r| r.message)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        }
    }
}

impl From<tagtrail_store::StoreError> for WebError {
    fn from(e: tagtrail_store::StoreError) -> Self {
        AppError::from(e).into()
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let body = page(
            "Not allowed",
            None,
            html! { h1 { (self.0.as_u16()) " " (self.0.canonical_reason().unwrap_or("")) } div.flash.error { (self.1) } p { a href="/ui" { "Back to your facilities" } } },
        );
        (self.0, body).into_response()
    }
}

pub(super) type Page = Result<Markup, WebError>;

pub(super) fn acting(user: &User) -> Acting {
    Acting {
        user: Some(user.clone()),
        vendor_key_id: None,
        channel: "web".into(),
    }
}

/// Authorizes the page and gathers what the frame needs.
pub(super) async fn frame(
    s: &AppState,
    user: &User,
    license: &str,
    perms: &[&str],
) -> Result<(Scope, Vec<(String, String)>), WebError> {
    let scope = s.ledger.authorize(&acting(user), license, perms).await?;
    let licenses = s
        .ledger
        .facilities_of(user)
        .await?
        .into_iter()
        .map(|(f, _)| (f.license_number, f.name))
        .collect();
    Ok((scope, licenses))
}

#[derive(Deserialize, Default)]
pub struct Flash {
    msg: Option<String>,
    err: Option<String>,
    inactive: Option<String>,
    before: Option<i64>,
}

pub async fn root() -> Redirect {
    Redirect::to("/ui")
}

pub async fn home(State(s): State<AppState>, Employee(user): Employee) -> Page {
    let facilities = s.ledger.facilities_of(&user).await?;
    let licenses: Vec<(String, String)> = facilities
        .iter()
        .map(|(f, _)| (f.license_number.clone(), f.name.clone()))
        .collect();
    let nav = Nav {
        license: None,
        licenses: &licenses,
        active: "",
        username: &user.username,
    };
    Ok(page(
        "Facilities",
        Some(nav),
        html! {
            h1 { "Your facilities" }
            @if facilities.is_empty() { p.muted { "You are not employed at any active license." } }
            table {
                thead { tr { th { "License" } th { "Facility" } th { "Type" } th { "Your permissions" } th { "Owner" } th { "Manager" } } }
                tbody {
                    @for (f, job) in &facilities {
                        tr {
                            td.mono { a href={ "/ui/l/" (f.license_number) "/packages" } { (f.license_number) } }
                            td { (f.name) br; span.muted { (f.address.clone().unwrap_or_default()) } }
                            td { (f.license_type.metrc_name()) }
                            td { @for p in &job.permissions { span.pill { (p) } " " } }
                            td { (yes_no(job.is_owner)) } td { (yes_no(job.is_manager)) }
                        }
                    }
                }
            }
        },
    ))
}

pub async fn login_form(Query(q): Query<Flash>) -> Markup {
    page(
        "Sign in",
        None,
        html! {
            div.login.card {
                h1 { "Sign in to tagtrail" }
                (flash(q.err.as_deref(), true))
                form method="post" action="/ui/login" {
                    label for="username" { "Username" }
                    input type="text" id="username" name="username" autocomplete="username" required;
                    label for="password" { "Password" }
                    input type="password" id="password" name="password" autocomplete="current-password" required;
                    p { button.act type="submit" { "Sign in" } }
                }
            }
        },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn login(State(s): State<AppState>, Form(f): Form<LoginForm>) -> Response {
    match s.ledger.sign_in(&f.username, &f.password).await {
        Ok(user) => {
            let token = s.sessions.start(user.id);
            let mut resp = Redirect::to("/ui").into_response();
            let cookie =
                format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800");
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp
        }
        Err(AppError::Unauthorized(m)) => {
            Redirect::to(&format!("/ui/login?err={}", urlencode(&m))).into_response()
        }
        Err(e) => WebError::from(e).into_response(),
    }
}

pub async fn logout(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(t) = token(&headers) {
        s.sessions.end(&t);
    }
    let mut resp = Redirect::to("/ui/login").into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("tagtrail_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    resp
}

pub(super) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn employees(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path(license): Path<String>,
) -> Page {
    let (scope, licenses) =
        frame(&s, &user, &license, &["View Employees", "Manage Employees"]).await?;
    let (_, rows) = s.ledger.employees(scope.license(), None).await?;
    let nav = Nav {
        license: Some(scope.license()),
        licenses: &licenses,
        active: "employees",
        username: &user.username,
    };
    Ok(page(
        "Employees",
        Some(nav),
        html! {
            h1 { "Employees at " (scope.facility.name) }
            table {
                thead { tr { th { "Name" } th { "Username" } th { "Employee license" } th { "Hired" } th { "Permissions" } } }
                tbody { @for (u, job) in &rows { tr {
                    td { (u.full_name) } td.mono { (u.username) } td.mono { (u.employee_license_number) } td { (job.hire_date) }
                    td { @for p in &job.permissions { span.pill { (p) } " " } }
                } } }
            }
        },
    ))
}

pub async fn items(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path(license): Path<String>,
    Query(q): Query<Flash>,
) -> Page {
    let (scope, licenses) = frame(&s, &user, &license, &["Manage Items"]).await?;
    let inactive = q.inactive.is_some();
    let list = s
        .ledger
        .store
        .list::<Item>(&ListQuery {
            license: Some(scope.license().into()),
            active: Some(!inactive),
            ..Default::default()
        })
        .await?;
    let nav = Nav {
        license: Some(scope.license()),
        licenses: &licenses,
        active: "items",
        username: &user.username,
    };
    Ok(page(
        "Items",
        Some(nav),
        html! {
            h1 { @if inactive { "Archived items" } @else { "Items" } " · " (scope.facility.name) }
            p { @if inactive { a href="?" { "Show active items" } } @else { a href="?inactive=1" { "Show archived items" } } }
            table {
                thead { tr { th { "Id" } th { "Name" } th { "Category" } th { "Unit" } th { "Strain" } th { "Brand" } th { "THC content" } th { "Last modified" } } }
                tbody { @for i in &list.rows { tr {
                    td.mono { (i.id) } td { (i.name) } td { (i.category) } td { (i.unit_of_measure) }
                    td { (i.strain_name.clone().unwrap_or_default()) } td { (i.brand_name.clone().unwrap_or_default()) }
                    td { @if let Some(c) = i.unit_thc_content { (c) " " (i.unit_thc_content_unit.clone().unwrap_or_default()) } }
                    td.mono { (i.last_modified) }
                } } }
            }
            p.muted { (list.total) " item(s)" }
        },
    ))
}

pub async fn strains(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path(license): Path<String>,
) -> Page {
    let (scope, licenses) = frame(&s, &user, &license, &["Manage Strains"]).await?;
    let list = s
        .ledger
        .store
        .list::<Strain>(&ListQuery {
            license: Some(scope.license().into()),
            active: Some(true),
            ..Default::default()
        })
        .await?;
    let nav = Nav {
        license: Some(scope.license()),
        licenses: &licenses,
        active: "strains",
        username: &user.username,
    };
    Ok(page(
        "Strains",
        Some(nav),
        html! {
            h1 { "Strains · " (scope.facility.name) }
            table {
                thead { tr { th { "Id" } th { "Name" } th { "Testing" } th { "THC" } th { "CBD" } th { "Indica %" } th { "Sativa %" } } }
                tbody { @for x in &list.rows { tr {
                    td.mono { (x.id) } td { (x.name) } td { (x.testing_status) }
                    td { (x.thc_level.map(|d| d.to_string()).unwrap_or_default()) } td { (x.cbd_level.map(|d| d.to_string()).unwrap_or_default()) }
                    td { (x.indica_percentage.map(|d| d.to_string()).unwrap_or_default()) } td { (x.sativa_percentage.map(|d| d.to_string()).unwrap_or_default()) }
                } } }
            }
        },
    ))
}

pub async fn locations(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path(license): Path<String>,
) -> Page {
    let (scope, licenses) = frame(&s, &user, &license, &["Manage Locations"]).await?;
    let q = ListQuery {
        license: Some(scope.license().into()),
        active: Some(true),
        ..Default::default()
    };
    let locs = s.ledger.store.list::<Location>(&q).await?;
    let subs = s.ledger.store.list::<Sublocation>(&q).await?;
    let nav = Nav {
        license: Some(scope.license()),
        licenses: &licenses,
        active: "locations",
        username: &user.username,
    };
    Ok(page(
        "Locations",
        Some(nav),
        html! {
            h1 { "Locations · " (scope.facility.name) }
            table {
                thead { tr { th { "Id" } th { "Name" } th { "Type" } th { "Last modified" } } }
                tbody { @for l in &locs.rows { tr { td.mono { (l.id) } td { (l.name) } td { (l.location_type_name) } td.mono { (l.last_modified) } } } }
            }
            h2 { "Sublocations" }
            table {
                thead { tr { th { "Id" } th { "Name" } } }
                tbody { @for x in &subs.rows { tr { td.mono { (x.id) } td { (x.name) } } } }
            }
        },
    ))
}

pub async fn tags(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path(license): Path<String>,
    Query(q): Query<Flash>,
) -> Page {
    let (scope, licenses) = frame(&s, &user, &license, &["Manage Tags"]).await?;
    let lic = scope.license().to_string();
    let orders = s
        .ledger
        .store
        .list::<TagOrder>(&ListQuery {
            license: Some(lic.clone()),
            ..Default::default()
        })
        .await?;
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for status in [
        "Package:Received",
        "Plant:Received",
        "Package:Shipped",
        "Plant:Shipped",
    ] {
        let n = s
            .ledger
            .store
            .list::<Tag>(&ListQuery {
                license: Some(lic.clone()),
                status: Some(status.into()),
                page: Some((1, 1)),
                ..Default::default()
            })
            .await?
            .total;
        counts.insert(status, n);
    }
    let available = s
        .ledger
        .store
        .list::<Tag>(&ListQuery {
            license: Some(lic.clone()),
            status: Some("Package:Received".into()),
            active: Some(true),
            page: Some((1, 25)),
            ..Default::default()
        })
        .await?;
    let nav = Nav {
        license: Some(&lic),
        licenses: &licenses,
        active: "tags",
        username: &user.username,
    };
    Ok(page(
        "Tags",
        Some(nav),
        html! {
            h1 { "UID tags · " (scope.facility.name) }
            (flash(q.msg.as_deref(), false))
            (flash(q.err.as_deref(), true))
            div.card {
                "Available (received, unused): " strong { (counts["Package:Received"]) } " package, " strong { (counts["Plant:Received"]) } " plant. "
                "Shipped, awaiting your receipt: " strong { (counts["Package:Shipped"] + counts["Plant:Shipped"]) } ". "
                span.muted { "Tags must be recorded as received before they can be used (4 CCR §15048.3; rule 11)." }
            }
            h2 { "Orders" }
            table {
                thead { tr { th { "Order" } th { "Plant" } th { "Package" } th { "Status" } th { "Ordered" } th { "Shipped" } th { "Received" } th {} } }
                tbody { @for o in orders.rows.iter().rev() { tr {
                    td.mono { (o.id) } td { (o.plant_tags) } td { (o.package_tags) }
                    td { span class=@if o.order_status == OrderStatus::Shipped { "pill warn" } @else { "pill" } { (o.order_status.as_str()) } }
                    td.mono { (o.ordered_at) } td.mono { (o.shipped_at.clone().unwrap_or_default()) } td.mono { (o.received_at.clone().unwrap_or_default()) }
                    td { @if o.order_status == OrderStatus::Shipped {
                        form.inline method="post" action={ "/ui/l/" (lic) "/tags/receive" } {
                            input type="hidden" name="order_id" value=(o.id);
                            input type="text" name="reason" placeholder="Note (optional)";
                            " " button.act type="submit" { "Record receipt" }
                        }
                    } }
                } } }
            }
            h2 { "Void an unused tag" }
            form method="post" action={ "/ui/l/" (lic) "/tags/void" } {
                input type="text" name="label" placeholder="24-character UID" size="28" required;
                " " input type="text" name="reason" placeholder="Reason" required;
                " " button.act type="submit" { "Void" }
            }
            h2 { "Available package tags" span.muted { " (first " (available.rows.len()) " of " (available.total) ")" } }
            table {
                thead { tr { th { "Id" } th { "Label" } th { "Order" } th { "Received" } } }
                tbody { @for t in &available.rows { tr { td.mono { (t.id) } td.mono { (t.label) } td.mono { (t.order_id) } td.mono { (t.received_at.clone().unwrap_or_default()) } } } }
            }
        },
    ))
}

#[derive(Deserialize)]
pub struct ReceiveForm {
    order_id: i64,
    reason: Option<String>,
}

fn back(license: &str, result: Result<String, WebError>) -> Response {
    match result {
        Ok(msg) => {
            Redirect::to(&format!("/ui/l/{license}/tags?msg={}", urlencode(&msg))).into_response()
        }
        Err(WebError(StatusCode::BAD_REQUEST, m)) => {
            Redirect::to(&format!("/ui/l/{license}/tags?err={}", urlencode(&m))).into_response()
        }
        Err(e) => e.into_response(),
    }
}

pub async fn receive_tags(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path(license): Path<String>,
    Form(f): Form<ReceiveForm>,
) -> Response {
    let result = async {
        let who = acting(&user);
        let scope = s.ledger.authorize(&who, &license, &["Manage Tags"]).await?;
        let action = Action::new(
            "PUT /tagtrail/v1/tags/orders/receive",
            f.reason.as_deref(),
            "Record receipt of UID tags",
            serde_json::json!([{"Id": f.order_id}]),
        );
        let w = s
            .ledger
            .receive_tag_orders(&who, &scope, action, &[Some(f.order_id)])
            .await?;
        let mut msg = format!(
            "Receipt of tag order {} recorded (journal entry {}).",
            f.order_id, w.seq
        );
        for warning in w.warnings {
            msg.push(' ');
            msg.push_str(&warning);
        }
        Ok::<_, WebError>(msg)
    }
    .await;
    back(&license, result)
}

#[derive(Deserialize)]
pub struct VoidForm {
    label: String,
    reason: String,
}

pub async fn void_tag(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path(license): Path<String>,
    Form(f): Form<VoidForm>,
) -> Response {
    let result = async {
        let who = acting(&user);
        let scope = s.ledger.authorize(&who, &license, &["Manage Tags"]).await?;
        let action = Action::new(
            "PUT /tagtrail/v1/tags/void",
            Some(&f.reason),
            "Void unused UID tags",
            serde_json::json!([{"Label": f.label}]),
        );
        let w = s
            .ledger
            .void_tags(&who, &scope, action, &[Some(f.label.clone())])
            .await?;
        Ok::<_, WebError>(format!(
            "Tag {} voided (journal entry {}).",
            f.label.trim(),
            w.seq
        ))
    }
    .await;
    back(&license, result)
}

pub async fn journal(
    State(s): State<AppState>,
    Employee(user): Employee,
    Path(license): Path<String>,
    Query(q): Query<Flash>,
) -> Page {
    let (scope, licenses) = frame(&s, &user, &license, &["View Journal"]).await?;
    let entries = s
        .ledger
        .store
        .journal(Some(&[scope.license().to_string()]), q.before, 50)
        .await?;
    let nav = Nav {
        license: Some(scope.license()),
        licenses: &licenses,
        active: "journal",
        username: &user.username,
    };
    Ok(page(
        "Journal",
        Some(nav),
        html! {
            h1 { "Journal · " (scope.facility.name) }
            p.muted { "Every regulated action for this license, newest first. Each entry's SHA-256 covers its content and the previous entry's hash." }
            table {
                thead { tr { th { "#" } th { "Recorded" } th { "Who" } th { "Endpoint" } th { "Reason" } th { "Ids" } th { "Changes" } th { "Hash" } } }
                tbody { @for e in &entries { tr {
                    td.mono { (e.seq) } td.mono { (e.body.recorded_at) } td { (e.body.actor.name) } td.mono { (e.body.endpoint) } td { (e.body.reason) }
                    td.mono { (e.body.result_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")) }
                    td { (e.body.changes.len()) } td.mono title=(e.hash) { (e.hash.get(..12).unwrap_or("")) "…" }
                } } }
            }
            @if let Some(last) = entries.last() {
                @if entries.len() == 50 { p { a href={ "?before=" (last.seq) } { "Older entries →" } } }
            }
        },
    ))
}
