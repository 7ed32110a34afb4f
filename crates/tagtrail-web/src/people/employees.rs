//! A license's employees (seed 000, step 3): the list, and for whoever manages them (the
//! account manager, or an employee holding Manage Employees) adding a person with a first
//! password and permissions, changing an employee's permissions, issuing an employee's API key
//! (shown once, kept only as its hash) and deactivating an employee. Each form runs the
//! license's own action through the web door, so the journal records it as posted.

use crate::WebState;
use crate::confirm;
use crate::error::{Page, WebError};
use crate::fields::Posted;
use crate::flash::{Typed, notices, reply};
use crate::frame::Frame;
use crate::grid::{Col, Grid, View, csv};
use crate::layout::{csrf_field, wide};
use crate::session::Signed;
use crate::urls::segment;
use crate::when::date;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use tagtrail_app::Action;
use tagtrail_app::actions::people::{
    ChangePermissions, Deactivate, EmployeeKey, EmployeePermissions, FreshKey, Hire,
    IssueEmployeeKey, NewHire, PasswordHash,
};
use tagtrail_domain::commands::people::{self, Grantor, HireSpec};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Employment, User};

const SEE: &[Permission] = &[Permission::ViewEmployees, Permission::ManageEmployees];

const COLS: &[Col] = &[
    Col::new("name", "Name"),
    Col::new("username", "Username"),
    Col::new("badge", "Employee license number"),
    Col::new("hired", "Hired"),
    Col::new("permissions", "Permissions"),
];

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(flatten)]
    view: View,
}

fn list_url(license: &str) -> String {
    format!("/ui/l/{}/employees", segment(license))
}

fn employee_url(license: &str, id: i64) -> String {
    format!("/ui/l/{}/employees/{id}", segment(license))
}

/// The person's role at the license, in words.
fn role(f: &Frame, u: &User, job: &Employment) -> &'static str {
    if f.scope.facility().onboarding.account_manager_id == Some(u.id) {
        "Account manager"
    } else if job.is_owner {
        "Owner"
    } else if job.is_manager {
        "Manager"
    } else {
        ""
    }
}

/// Who is acting, for the domain's checks of what they may change (the same checks the action
/// makes when it runs; here they decide what to offer).
fn grantor(f: &Frame) -> Grantor<'_> {
    match f.scope.employment() {
        Some(job) => Grantor::Employee(job),
        None => Grantor::Operator,
    }
}

/// The permission checkboxes: ticked as `held` (or as typed, after a refusal); a permission the
/// person granting does not hold cannot be granted, so it is not offered.
fn permission_boxes(f: &Frame, action: &str, held: &[Permission]) -> Markup {
    let pf = f.prefill(action);
    let may = |p: &Permission| match grantor(f) {
        Grantor::Employee(own) => own.permissions.contains(p),
        Grantor::Operator => true,
    };
    html! {
        fieldset.permissions {
            legend { "Permissions" }
            (pf.problem(&["permission"]))
            div.boxes {
                @for p in Permission::ALL {
                    @if may(p) {
                        label {
                            input type="checkbox" name="permission" value=(p.name())
                                checked[pf.chosen("permission", p.name(), held.contains(p))];
                            " " (p.name())
                        }
                    }
                }
            }
        }
    }
}

pub async fn list(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let f = Frame::of(&s, signed, &license, SEE).await?;
    let page = if q.view.csv() {
        (1, crate::grid::CSV_MAX)
    } else {
        (q.view.page(), q.view.size())
    };
    let (total, rows) = s.ledger.employees(&f.scope, Some(page)).await?;
    if q.view.csv() {
        let out = rows
            .iter()
            .map(|(u, job)| {
                let perms: Vec<&str> = job.permissions.iter().map(|p| p.name()).collect();
                vec![
                    u.full_name.clone(),
                    u.username.clone(),
                    u.employee_license_number.clone(),
                    job.hire_date.clone(),
                    role(&f, u, job).to_string(),
                    perms.join("; "),
                ]
            })
            .collect();
        let header = [
            "Name",
            "Username",
            "Employee license number",
            "Hired",
            "Role",
            "Permissions",
        ];
        return Ok(csv(
            &format!("employees-{}", f.license()),
            &header,
            out,
            total,
        ));
    }
    let path = f.url("employees");
    let grid = Grid {
        cols: COLS,
        view: &q.view,
        total,
        path: &path,
        keep: vec![],
    };
    let hire_to = list_url(f.license());
    let pf = f.prefill(&hire_to);
    let body = html! {
        h1 { "Employees · " (f.scope.facility().name) }
        (notices(f.flash()))
        (wide(html! { table #employees {
            (grid.head())
            tbody { @for (u, job) in &rows { tr {
                td { a href=(employee_url(f.license(), u.id)) { (u.full_name) }
                     @let r = role(&f, u, job);
                     @if !r.is_empty() { " " span.badge.neutral { (r) } } }
                td.mono { (u.username) }
                td.mono { (u.employee_license_number) }
                td { (date(&job.hire_date)) }
                td { @if job.permissions.len() == Permission::ALL.len() { "All permissions" }
                     @else { @for p in &job.permissions { span.pill { (p.name()) } " " } } }
            } } }
        } }))
        (grid.pager())
        @if f.can(&Hire::DEF) {
            h2 #add { "Add an employee" }
            form.card.people method="post" action=(hire_to) {
                (csrf_field(f.csrf()))
                p.muted { "Each person gets their own login; they use it alone. You can grant only the permissions you hold." }
                div.fields {
                    label { "Username"
                        input type="text" name="username" required autocomplete="off" autocapitalize="none" spellcheck="false" value=(pf.value("username", "")); }
                    (pf.problem(&["username"]))
                    label { "Full name"
                        input type="text" name="full_name" required autocomplete="off" value=(pf.value("full_name", "")); }
                    (pf.problem(&["full name"]))
                    label { "Employee license number"
                        input type="text" name="employee_license_number" required autocomplete="off" value=(pf.value("employee_license_number", "")); }
                    (pf.problem(&["employee license number"]))
                    label { "First password (at least 8 characters)"
                        input type="password" name="password" required minlength="8" autocomplete="new-password"; }
                    (pf.problem(&["password"]))
                }
                (permission_boxes(&f, &hire_to, &[]))
                button.act type="submit" { "Add employee" }
            }
        }
    };
    Ok(f.page("Employees", "employees", body).into_response())
}

pub async fn detail(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Page {
    let f = Frame::of(&s, signed, &license, SEE).await?;
    let (u, job, keys) = s.ledger.employee(&f.scope, id).await?;
    let facility = f.scope.facility();
    let manageable = people::may_manage(facility, grantor(&f), &u, &job.permissions);
    let own = f.scope.acting().user().map(|me| me.id) == Some(u.id);
    let key_ok = f.can(&IssueEmployeeKey::DEF)
        && people::may_issue_key(facility, grantor(&f), &u, &job, &[]).is_ok();
    let base = employee_url(f.license(), u.id);
    let perms_to = format!("{base}/permissions");
    let r = role(&f, &u, &job);
    let body = html! {
        p { a href=(list_url(f.license())) { "← Employees" } }
        h1 { (u.full_name) @if !r.is_empty() { " " span.badge.neutral { (r) } } }
        (notices(f.flash()))
        div.card {
            dl.people-facts {
                dt { "Username" } dd.mono { (u.username) }
                dt { "Employee license number" } dd.mono { (u.employee_license_number) }
                dt { "Hired" } dd { (date(&job.hire_date)) }
                dt { "Active API keys" } dd { (keys) }
                dt { "Permissions" }
                dd { @if job.permissions.is_empty() { span.muted { "None" } }
                     @for p in &job.permissions { span.pill { (p.name()) } " " } }
            }
        }
        @if f.can(&ChangePermissions::DEF) {
            @match &manageable {
                Ok(()) => {
                    h2 { "Change permissions" }
                    form.card.people method="post" action=(perms_to) {
                        (csrf_field(f.csrf()))
                        (permission_boxes(&f, &perms_to, &job.permissions))
                        button.act type="submit" { "Save permissions" }
                    }
                }
                Err(why) => { p.muted #why-not { (why.to_string()) } }
            }
        }
        @if key_ok {
            h2 { "API key" }
            form.card method="post" action={ (base) "/key" } {
                (csrf_field(f.csrf()))
                p { "A user API key lets " (u.full_name) " use the Metrc API with an integrator's vendor key. "
                    "It is shown once, on the next page; the ledger keeps only its hash." }
                button.act type="submit" { @if own { "Issue my API key" } @else { "Issue an API key" } }
            }
        }
        @if f.can(&Deactivate::DEF) && manageable.is_ok() {
            h2 { "Deactivate" }
            form.card #deactivate method="post" action={ (base) "/deactivate" } {
                (csrf_field(f.csrf()))
                p.muted { "Someone no longer authorized must be removed at once." }
                (confirm::button("Deactivate", &deactivate_consequence(&u, f.license())))
            }
        }
    };
    Ok(f.page(&u.full_name, "employees", body))
}

fn deactivate_consequence(u: &User, license: &str) -> String {
    format!(
        "{} ({}) loses access to license {license} at once, in the web UI and the API.",
        u.full_name, u.username
    )
}

/// The request the add-employee form asks for.
async fn new_hire(posted: &Posted) -> Result<NewHire, WebError> {
    let form = &posted.fields;
    let password = form.get("password").unwrap_or_default();
    let password = PasswordHash::of(password).await?;
    Ok(NewHire {
        person: HireSpec {
            username: form.text("username").unwrap_or_default(),
            full_name: form.text("full_name").unwrap_or_default(),
            employee_license_number: form.text("employee_license_number").unwrap_or_default(),
            permissions: form.all("permission").map(str::to_string).collect(),
        },
        password: Some(password),
    })
}

pub async fn hire(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    posted: Posted,
) -> Response {
    let mut to = list_url(&license);
    let result = async {
        let req = new_hire(&posted).await?;
        let w = s
            .ledger
            .run_as::<Hire>(&signed.acting, &license, posted.door(None), &req)
            .await?;
        let id = w.ids.first().copied().unwrap_or_default();
        to = employee_url(&license, id);
        Ok(format!(
            "{} ({}) added with {} permission(s) (journal entry {}).",
            req.person.full_name,
            req.person.username,
            req.person.permissions.len(),
            w.seq
        ))
    }
    .await;
    let typed = Typed::of(&posted.path, &posted.fields);
    let back = if result.is_ok() {
        to
    } else {
        format!("{}#add", list_url(&license))
    };
    reply(&s, &signed, &back, result, Some(typed)).await
}

pub async fn permissions(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    posted: Posted,
) -> Response {
    let result = async {
        let req = EmployeePermissions {
            user_id: id,
            permissions: posted
                .fields
                .all("permission")
                .map(str::to_string)
                .collect(),
        };
        let w = s
            .ledger
            .run_as::<ChangePermissions>(&signed.acting, &license, posted.door(None), &req)
            .await?;
        Ok(format!(
            "Permissions saved: {} permission(s) (journal entry {}).",
            req.permissions.len(),
            w.seq
        ))
    }
    .await;
    let typed = Typed::of(&posted.path, &posted.fields);
    reply(
        &s,
        &signed,
        &employee_url(&license, id),
        result,
        Some(typed),
    )
    .await
}

pub async fn deactivate(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    posted: Posted,
) -> Response {
    let back = employee_url(&license, id);
    if !confirm::confirmed(&posted) {
        let who = async {
            let scope = s.ledger.scope(&signed.acting, &license).await?;
            Ok::<_, WebError>(s.ledger.employee(&scope, id).await?.0)
        }
        .await;
        return match who {
            Ok(u) => confirm::ask(
                &posted,
                "Deactivate",
                &deactivate_consequence(&u, &license),
                &back,
            ),
            Err(e) => e.into_response(),
        };
    }
    let result = async {
        let w = s
            .ledger
            .run_as::<Deactivate>(&signed.acting, &license, posted.door(None), &id)
            .await?;
        Ok(format!(
            "Employee {id} deactivated: no longer has access here (journal entry {}).",
            w.seq
        ))
    }
    .await;
    let to = if result.is_ok() {
        list_url(&license)
    } else {
        back
    };
    reply(&s, &signed, &to, result, None).await
}

/// Issues the key and shows it on this response, once: it never rests in the session (where a
/// message would wait for the next page) or anywhere else, and the page is not cached.
pub async fn key(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    posted: Posted,
) -> Response {
    let issued = async {
        let req = EmployeeKey {
            user_id: id,
            key: FreshKey::new(),
        };
        let w = s
            .ledger
            .run_as::<IssueEmployeeKey>(&signed.acting, &license, posted.door(None), &req)
            .await?;
        Ok::<_, WebError>((req.key, w.seq))
    }
    .await;
    let (key, seq) = match issued {
        Ok(k) => k,
        Err(e) => return reply(&s, &signed, &employee_url(&license, id), Err(e), None).await,
    };
    let shown = async {
        let f = Frame::of(&s, signed, &license, SEE).await?;
        let (u, _, _) = s.ledger.employee(&f.scope, id).await?;
        let body = html! {
            h1 { "API key for " (u.full_name) }
            div.flash role="status" { "User API key issued (journal entry " (seq) ")." }
            div.card.key {
                label for="issued-key" { "User API key for " span.mono { (u.username) } }
                input #issued-key .mono type="text" readonly value=(key.reveal()) autocomplete="off" spellcheck="false";
                p { strong { "Copy it now: it is shown only this once." }
                    " The ledger keeps only its hash, so nobody can show it again; if it is lost, issue a new one. "
                    "Give it to " (u.full_name) " alone: every request made with it is recorded as theirs." }
            }
            p { a href=(employee_url(f.license(), u.id)) { "← Back to " (u.full_name) } }
        };
        Ok::<_, WebError>(f.page("API key issued", "employees", body))
    }
    .await;
    match shown {
        Ok(page) => (
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::PRAGMA, "no-cache"),
            ],
            page,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}
