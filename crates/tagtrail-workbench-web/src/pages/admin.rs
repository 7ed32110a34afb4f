//! The admin pages: companies and their licenses (the installation's administrators), and
//! people with their roles per license (the installation's administrators, and a licensee's
//! administrators for their own company). Nothing here decides anything for a licensee.

use super::{done, refused_status};
use crate::AppState;
use crate::error::{Fail, Result};
use crate::form::{Fields, Refill};
use crate::page::{self, Frame, Place, csrf_field, refusal, swatch, wide};
use crate::session::Signed;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use std::collections::BTreeMap;
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::role::{Duty, Role};
use tagtrail_workbench::people::{Company, LicenseCtx};
use tagtrail_workbench::vault::Secret;

fn framed(
    signed: &Signed,
    licenses: &[LicenseCtx],
    also: &[LicenseCtx],
    section: &'static str,
    status: StatusCode,
    title: &str,
    body: Markup,
) -> Response {
    page::framed(
        status,
        Frame {
            signed,
            licenses,
            place: Place::Admin(section),
            also,
        },
        title,
        body,
    )
}

/// The installation administrator's home: the companies, their licenses, and where to manage
/// people.
pub async fn admin_home(s: &AppState, signed: &Signed) -> Result<Response> {
    let companies = s.wb.companies(&signed.caller).await?;
    let licenses = s.wb.all_licenses().await?;
    let people = s.wb.people(&signed.caller).await?;
    let body = html! {
        h1 { "Installation" }
        p.lead.muted { "You manage this installation's companies, licenses and people. Compliance work — drafts, approvals, submissions, reconciliation — belongs to each licensee's own people, so it is not shown here." }
        div.figures {
            div.figure { a href="/admin/companies" { span.n { (companies.len()) } span.what { "companies" } } }
            div.figure { a href="/admin/companies" { span.n { (licenses.len()) } span.what { "licenses" } } }
            div.figure { a href="/admin/people" { span.n { (people.len()) } span.what { "people" } } }
        }
        (company_table(&companies, &licenses, &ledgers(s, &companies).await?))
    };
    Ok(framed(
        signed,
        &[],
        &licenses,
        "home",
        StatusCode::OK,
        "Installation",
        body,
    ))
}

/// Whether each company's Metrc is a tagtrail ledger (its manifest steps sent to the ledger's
/// extensions rather than done by hand in Metrc's web UI).
async fn ledgers(s: &AppState, companies: &[Company]) -> Result<BTreeMap<i64, bool>> {
    let mut out = BTreeMap::new();
    for c in companies {
        out.insert(c.id, s.wb.ledger_extensions(c.id).await?);
    }
    Ok(out)
}

/// A company's manifest steps, in words.
fn manifest_steps(ledger: bool) -> &'static str {
    if ledger {
        "Sent by the workbench: this company's Metrc is a tagtrail ledger"
    } else {
        "Tasks done by hand in Metrc's web UI, confirmed by sync"
    }
}

fn company_table(
    companies: &[Company],
    licenses: &[LicenseCtx],
    ledger: &BTreeMap<i64, bool>,
) -> Markup {
    html! {
        h2 { "Companies and their licenses" }
        @if companies.is_empty() {
            p.muted { "No company is set up yet." }
        } @else {
            (wide("Companies", html! {
                table.cards {
                    thead { tr { th { "Company" } th { "Metrc API" } th { "Manifest steps" } th { "Licenses" } } }
                    tbody {
                        @for c in companies {
                            tr {
                                td data-label="Company" { (c.name) }
                                td.mono data-label="Metrc API" { (c.metrc_url) }
                                td data-label="Manifest steps" { (manifest_steps(ledger.get(&c.id).copied().unwrap_or(false))) }
                                td data-label="Licenses" {
                                    @for l in licenses.iter().filter(|l| l.company_id == c.id) {
                                        div { (swatch(l)) (l.name) " " span.mono { (l.number) } " · " (l.kind) }
                                    }
                                }
                            }
                        }
                    }
                }
            }))
        }
    }
}

async fn companies_page(
    s: &AppState,
    signed: &Signed,
    status: StatusCode,
    refill: Option<&Refill>,
) -> Result<Response> {
    let companies = s.wb.companies(&signed.caller).await?;
    let licenses = s.wb.all_licenses().await?;
    let ledger = ledgers(s, &companies).await?;
    let v = |form: &str, name: &str| Refill::value(refill, form, name);
    let body = html! {
        h1 { "Companies" }
        (company_table(&companies, &licenses, &ledger))
        @if !companies.is_empty() {
            section.card #manifest-steps aria-labelledby="ms-h" {
                h2 #ms-h { "Manifest steps" }
                p.hint { "Metrc's API cannot register a manifest or receive a delivery: against Metrc these are tasks people do in Metrc's web UI, which the next sync confirms. A tagtrail ledger can do both itself; for a company whose Metrc is one, the workbench sends them." }
                (refusal(Refill::error(refill, "ledger")))
                @for c in &companies {
                    @let on = ledger.get(&c.id).copied().unwrap_or(false);
                    form.stack.ledger method="post" action="/admin/ledger-extensions" {
                        (csrf_field(&signed.csrf))
                        input type="hidden" name="company_id" value=(c.id);
                        h3 { (c.name) }
                        p { "Now: " strong { (manifest_steps(on)) } "." }
                        label.choice {
                            input type="checkbox" name="on" value="yes" checked[on];
                            " This company's Metrc is a tagtrail ledger (the workbench registers and receives manifests there itself)"
                        }
                        button.act type="submit" { "Save for " (c.name) }
                    }
                }
            }
        }
        div.lic-cards {
            form.card.stack method="post" action="/admin/companies" {
                (csrf_field(&signed.csrf))
                h2 { "Set up a company" }
                (refusal(Refill::error(refill, "company")))
                label for="c-name" { "Company name" }
                input type="text" id="c-name" name="name" required value=(v("company", "name"));
                label for="c-url" { "Metrc API address" }
                input type="text" id="c-url" name="metrc_url" required placeholder="https://sandbox-api-ca.metrc.com" value=(v("company", "metrc_url")) aria-describedby="c-url-hint";
                p.hint #c-url-hint { "The state's Metrc API, a Metrc sandbox, or a tagtrail ledger. Production Metrc is accepted only in a production installation." }
                button.act type="submit" { "Set up company" }
            }
            @if !companies.is_empty() {
                form.card.stack method="post" action="/admin/licenses" {
                    (csrf_field(&signed.csrf))
                    h2 { "Add a license" }
                    (refusal(Refill::error(refill, "license")))
                    label for="l-company" { "Company" }
                    select id="l-company" name="company_id" {
                        @for c in &companies {
                            option value=(c.id) selected[v("license", "company_id") == c.id.to_string()] { (c.name) }
                        }
                    }
                    label for="l-number" { "License number (as Metrc knows it)" }
                    input type="text" id="l-number" name="number" required value=(v("license", "number"));
                    label for="l-name" { "Name people know it by" }
                    input type="text" id="l-name" name="name" required value=(v("license", "name"));
                    label for="l-kind" { "License type" }
                    input type="text" id="l-kind" name="kind" required placeholder="Manufacturer, Distributor, Retailer…" value=(v("license", "kind"));
                    label for="l-colour" { "Colour of its pages" }
                    input type="color" id="l-colour" name="colour" value=(Some(v("license", "colour")).filter(|c| !c.is_empty()).unwrap_or_else(|| "#0e7490".into()));
                    div.buttons { button.act type="submit" { "Add license" } }
                }
                form.card.stack method="post" action="/admin/vendor-key" autocomplete="off" {
                    (csrf_field(&signed.csrf))
                    h2 { "Store a company's Metrc vendor key" }
                    (refusal(Refill::error(refill, "vendor")))
                    p.hint { "The key is stored encrypted and never shown again; pages show its last four characters." }
                    label for="v-company" { "Company" }
                    select id="v-company" name="company_id" {
                        @for c in &companies {
                            option value=(c.id) selected[v("vendor", "company_id") == c.id.to_string()] { (c.name) }
                        }
                    }
                    label for="v-key" { "Vendor key" }
                    input type="password" id="v-key" name="key" required autocomplete="off";
                    label for="v-exp" { "Expires on (optional)" }
                    input type="date" id="v-exp" name="expires_on" value=(v("vendor", "expires_on"));
                    button.act type="submit" { "Store vendor key" }
                }
            }
        }
    };
    Ok(framed(
        signed,
        &[],
        &licenses,
        "companies",
        status,
        "Companies",
        body,
    ))
}

pub async fn companies(State(s): State<AppState>, signed: Signed) -> Result<Response> {
    companies_page(&s, &signed, StatusCode::OK, None).await
}

/// Answers a form: on success the message and back to `to`; refused, the page again with what
/// was typed.
async fn answer<F, Fut>(
    s: &AppState,
    signed: &Signed,
    outcome: Result<String>,
    to: &str,
    form: &'static str,
    fields: &Fields,
    again: F,
) -> Result<Response>
where
    F: FnOnce(StatusCode, Refill) -> Fut,
    Fut: std::future::Future<Output = Result<Response>>,
{
    match outcome {
        Ok(message) => Ok(done(s, signed, to, &message).await),
        Err(f) if f.on_form() || f.status == StatusCode::FORBIDDEN => {
            let status = refused_status(&f);
            let status = if f.status == StatusCode::FORBIDDEN {
                f.status
            } else {
                status
            };
            again(status, Refill::new(form, fields, f.message)).await
        }
        Err(f) => Err(f),
    }
}

pub async fn create_company(
    State(s): State<AppState>,
    signed: Signed,
    fields: Fields,
) -> Result<Response> {
    let outcome =
        s.wb.create_company(
            &signed.caller,
            Door::Web,
            fields.get("name"),
            fields.get("metrc_url"),
        )
        .await
        .map(|_| format!("Company {} set up.", fields.get("name").trim()))
        .map_err(Fail::from);
    answer(
        &s,
        &signed,
        outcome,
        "/admin/companies",
        "company",
        &fields,
        |st, r| {
            let (s, signed) = (s.clone(), signed.clone());
            async move { companies_page(&s, &signed, st, Some(&r)).await }
        },
    )
    .await
}

pub async fn add_license(
    State(s): State<AppState>,
    signed: Signed,
    fields: Fields,
) -> Result<Response> {
    let outcome = match fields.get("company_id").parse::<i64>() {
        Ok(company) => {
            s.wb.add_license(
                &signed.caller,
                Door::Web,
                company,
                fields.get("number"),
                fields.get("name"),
                fields.get("kind"),
                fields.get("colour"),
            )
            .await
            .map(|_| format!("License {} added.", fields.get("number").trim()))
            .map_err(Fail::from)
        }
        Err(_) => Err(Fail::new(StatusCode::BAD_REQUEST, "Choose a company.")),
    };
    answer(
        &s,
        &signed,
        outcome,
        "/admin/companies",
        "license",
        &fields,
        |st, r| {
            let (s, signed) = (s.clone(), signed.clone());
            async move { companies_page(&s, &signed, st, Some(&r)).await }
        },
    )
    .await
}

/// Says whether a company's Metrc is a tagtrail ledger (the manifest steps' setting).
pub async fn set_ledger_extensions(
    State(s): State<AppState>,
    signed: Signed,
    fields: Fields,
) -> Result<Response> {
    let on = fields.get("on") == "yes";
    let outcome = async {
        let company = fields
            .get("company_id")
            .parse::<i64>()
            .map_err(|_| Fail::new(StatusCode::BAD_REQUEST, "Choose a company."))?;
        let name = s.wb.company(company).await?.name;
        s.wb.set_ledger_extensions(&signed.caller, Door::Web, company, on)
            .await?;
        Ok(format!(
            "Manifest steps of {name}: {}.",
            manifest_steps(on).to_lowercase()
        ))
    }
    .await;
    answer(
        &s,
        &signed,
        outcome,
        "/admin/companies",
        "ledger",
        &fields,
        |st, r| {
            let (s, signed) = (s.clone(), signed.clone());
            async move { companies_page(&s, &signed, st, Some(&r)).await }
        },
    )
    .await
}

/// A date typed as `YYYY-MM-DD`, or none when left empty.
pub fn optional_date(text: &str) -> Result<Option<chrono::NaiveDate>> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| {
            Fail::new(
                StatusCode::BAD_REQUEST,
                format!("{t} is not a date (YYYY-MM-DD)"),
            )
        })
}

pub async fn store_vendor_key(
    State(s): State<AppState>,
    signed: Signed,
    fields: Fields,
) -> Result<Response> {
    let outcome = async {
        let company = fields
            .get("company_id")
            .parse::<i64>()
            .map_err(|_| Fail::new(StatusCode::BAD_REQUEST, "Choose a company."))?;
        let expires = optional_date(fields.get("expires_on"))?;
        let name = s.wb.company(company).await?.name;
        s.wb.store_vendor_key(
            &signed.caller,
            Door::Web,
            company,
            Secret::new(fields.get("key")),
            expires,
        )
        .await?;
        Ok(format!("The vendor key of {name} is stored."))
    }
    .await;
    answer(
        &s,
        &signed,
        outcome,
        "/admin/companies",
        "vendor",
        &fields,
        |st, r| {
            let (s, signed) = (s.clone(), signed.clone());
            async move { companies_page(&s, &signed, st, Some(&r)).await }
        },
    )
    .await
}

/// The licenses a person may grant roles in: every license for the installation's
/// administrators, the licenses they administer for a licensee's.
async fn grantable(s: &AppState, signed: &Signed, mine: &[LicenseCtx]) -> Result<Vec<LicenseCtx>> {
    if signed.caller.installation_admin {
        return Ok(s.wb.all_licenses().await?);
    }
    Ok(mine
        .iter()
        .filter(|l| l.allows(Duty::ManageLicense))
        .cloned()
        .collect())
}

async fn people_page(
    s: &AppState,
    signed: &Signed,
    status: StatusCode,
    refill: Option<&Refill>,
    created: Option<Markup>,
) -> Result<Response> {
    let mine = s.wb.licenses_of(&signed.caller).await?;
    let can_grant = grantable(s, signed, &mine).await?;
    if can_grant.is_empty() && !signed.caller.installation_admin {
        return Err(Fail::new(
            StatusCode::FORBIDDEN,
            "Only an administrator of a license or of the installation manages people.",
        ));
    }
    let people = s.wb.people(&signed.caller).await?;
    // Roles name their license by number; the page names it in words too.
    let named: std::collections::BTreeMap<String, String> = if signed.caller.installation_admin {
        s.wb.all_licenses().await?
    } else {
        mine.clone()
    }
    .into_iter()
    .map(|l| (l.number, l.name))
    .collect();
    let companies = if signed.caller.installation_admin {
        s.wb.companies(&signed.caller).await?
    } else {
        vec![]
    };
    let v = |form: &str, name: &str| Refill::value(refill, form, name);
    let body = html! {
        h1 { "People" }
        @if let Some(c) = created { (c) }
        (wide("People and their roles", html! {
            table.cards {
                thead { tr { th { "User name" } th { "Name" } @if signed.caller.installation_admin { th { "Company" } } th { "Roles" } } }
                tbody {
                    @for u in &people {
                        tr {
                            td.mono data-label="User name" { (u.username) }
                            td data-label="Name" { (u.full_name) }
                            @if signed.caller.installation_admin {
                                td data-label="Company" { @match &u.company { Some(c) => { (c) }, None => { span.muted { "the installation" } } } }
                            }
                            td data-label="Roles" {
                                @if u.roles.is_empty() { span.muted { "none" } }
                                @for (lic, role) in &u.roles {
                                    div { (role.label()) " in " (named.get(lic).map(String::as_str).unwrap_or("")) " " span.mono { "(" (lic) ")" } }
                                }
                            }
                        }
                    }
                }
            }
        }))
        div.lic-cards {
            form.card.stack method="post" action="/admin/people" autocomplete="off" {
                (csrf_field(&signed.csrf))
                h2 { "Add a person" }
                (refusal(Refill::error(refill, "person")))
                @if signed.caller.installation_admin {
                    label for="p-company" { "Company" }
                    select id="p-company" name="company_id" {
                        @for c in &companies {
                            option value=(c.id) selected[v("person", "company_id") == c.id.to_string()] { (c.name) }
                        }
                        option value="" selected[refill.is_some() && v("person", "company_id").is_empty()] { "None: an administrator of this installation" }
                    }
                }
                label for="p-user" { "User name" }
                input type="text" id="p-user" name="username" required autocapitalize="none" value=(v("person", "username"));
                label for="p-name" { "Full name" }
                input type="text" id="p-name" name="full_name" required value=(v("person", "full_name"));
                label for="p-pass" { "First password (at least 12 characters)" }
                input type="password" id="p-pass" name="password" required minlength="12" autocomplete="new-password";
                p.hint { "The second factor's secret is shown once after the person is added, to put in their authenticator app." }
                button.act type="submit" { "Add person" }
            }
            @if !can_grant.is_empty() {
                form.card.stack method="post" action="/admin/grants" {
                    (csrf_field(&signed.csrf))
                    h2 { "Grant a role in a license" }
                    (refusal(Refill::error(refill, "grant")))
                    label for="g-user" { "Person" }
                    select id="g-user" name="username" {
                        @for u in &people {
                            option value=(u.username) selected[v("grant", "username") == u.username] { (u.username) " — " (u.full_name) }
                        }
                    }
                    label for="g-lic" { "License" }
                    select id="g-lic" name="license" {
                        @for l in &can_grant {
                            option value=(l.number) selected[v("grant", "license") == l.number] { (l.name) " (" (l.number) ")" }
                        }
                    }
                    label for="g-role" { "Role" }
                    select id="g-role" name="role" {
                        @for r in Role::ALL {
                            option value=(r.as_str()) selected[v("grant", "role") == r.as_str()] { (r.label()) }
                        }
                    }
                    p.hint { "A role is granted in one license only: the same person may approve for one license and only view another." }
                    button.act type="submit" { "Grant role" }
                }
            }
        }
    };
    Ok(framed(signed, &mine, &[], "people", status, "People", body))
}

pub async fn people(State(s): State<AppState>, signed: Signed) -> Result<Response> {
    people_page(&s, &signed, StatusCode::OK, None, None).await
}

pub async fn create_user(
    State(s): State<AppState>,
    signed: Signed,
    fields: Fields,
) -> Result<Response> {
    let company = if signed.caller.installation_admin {
        match fields.get("company_id") {
            "" => None,
            c => match c.parse::<i64>() {
                Ok(c) => Some(c),
                Err(_) => {
                    let r = Refill::new("person", &fields, "Choose a company.");
                    return people_page(&s, &signed, StatusCode::BAD_REQUEST, Some(&r), None).await;
                }
            },
        }
    } else {
        signed.caller.company_id
    };
    let made =
        s.wb.create_user(
            &signed.caller,
            Door::Web,
            company,
            fields.get("username"),
            fields.get("full_name"),
            fields.get("password"),
        )
        .await;
    match made {
        Ok(user) => {
            let username = fields.get("username").trim().to_lowercase();
            // Shown in this answer only (never left in the session or a log): the person puts
            // it in their authenticator app now.
            let uri = format!(
                "otpauth://totp/tagtrail%20workbench:{}?secret={}&issuer=tagtrail%20workbench&digits=6&period=30",
                page::segment(&username),
                user.totp_secret
            );
            let shown = html! {
                div.card role="status" {
                    h2 { (username) " was added" }
                    p { "Give them this second-factor secret to add to their authenticator app. " strong { "It is shown only now." } }
                    p.secret { (user.totp_secret) }
                    p.hint { "Or as a link an authenticator app takes:" }
                    p.secret { (uri) }
                    p { "Then grant them a role in a license below." }
                }
            };
            people_page(&s, &signed, StatusCode::OK, None, Some(shown)).await
        }
        Err(e) => {
            let f = Fail::from(e);
            if f.on_form() || f.status == StatusCode::FORBIDDEN {
                let status = f.status;
                let r = Refill::new("person", &fields, f.message);
                people_page(&s, &signed, status, Some(&r), None).await
            } else {
                Err(f)
            }
        }
    }
}

pub async fn grant(State(s): State<AppState>, signed: Signed, fields: Fields) -> Result<Response> {
    let outcome = match Role::parse(fields.get("role")) {
        Some(role) => {
            s.wb.grant(
                &signed.caller,
                Door::Web,
                fields.get("username"),
                fields.get("license"),
                role,
            )
            .await
            .map(|()| {
                format!(
                    "{} granted to {} in {}.",
                    role.label(),
                    fields.get("username"),
                    fields.get("license")
                )
            })
            .map_err(Fail::from)
        }
        None => Err(Fail::new(StatusCode::BAD_REQUEST, "Choose a role.")),
    };
    match outcome {
        Ok(m) => Ok(done(&s, &signed, "/admin/people", &m).await),
        // A license the person may not grant in reads "not found"; shown on the form, since the
        // license was picked from it.
        Err(f)
            if f.on_form()
                || f.status == StatusCode::FORBIDDEN
                || f.status == StatusCode::NOT_FOUND =>
        {
            let status = f.status;
            let r = Refill::new("grant", &fields, f.message);
            people_page(&s, &signed, status, Some(&r), None).await
        }
        Err(f) => Err(f),
    }
}
