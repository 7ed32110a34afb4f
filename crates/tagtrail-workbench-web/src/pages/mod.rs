//! The pages, by area: signing in, home and the admin pages, and each license's sections.

mod admin;
mod audit;
mod batches;
mod confirm;
mod dashboard;
mod exceptions;
mod home;
mod manifests;
mod outbox;
mod packages;
mod qa;
mod recall;
mod reconcile;
mod settings;
mod signin;
mod sync;

use crate::AppState;
use crate::error::{Fail, Result};
use crate::page::{self, Frame, Place};
use crate::session::Signed;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{FromRequestParts, Path};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, any, get, post};
use maud::Markup;
use std::collections::HashMap;
use tagtrail_workbench::people::LicenseCtx;

pub fn routes() -> Router<AppState> {
    let mut router = Router::new()
        .route("/style.css", get(page::stylesheet))
        .route("/login", get(signin::form).post(signin::sign_in))
        .route("/logout", post(signin::sign_out))
        .route("/", get(home::home))
        .route(
            "/admin/companies",
            get(admin::companies).post(admin::create_company),
        )
        .route("/admin/licenses", post(admin::add_license))
        .route("/admin/vendor-key", post(admin::store_vendor_key))
        .route(
            "/admin/ledger-extensions",
            post(admin::set_ledger_extensions),
        )
        .route("/admin/people", get(admin::people).post(admin::create_user))
        .route("/admin/grants", post(admin::grant));
    for (pattern, _) in LICENSE_ROUTES {
        router = router.route(&format!("/l/{{license}}{pattern}"), license_route(pattern));
    }
    router
}

/// Every license page and form: the address under `/l/{license}` and the methods it answers.
/// The router is built from this table, and the isolation test walks it as each company against
/// the others, so no page of a license can be added without being walked.
pub const LICENSE_ROUTES: &[(&str, &[&str])] = &[
    ("", &["GET"]),
    ("/outbox", &["GET"]),
    ("/outbox/new", &["GET", "POST"]),
    ("/outbox/{id}", &["GET"]),
    ("/outbox/{id}/step", &["POST"]),
    ("/outbox/{id}/tick", &["POST"]),
    ("/reconciliation", &["GET"]),
    ("/reconciliation/run", &["POST"]),
    ("/reconciliation/count", &["POST"]),
    ("/reconciliation/sheet", &["POST"]),
    ("/exceptions", &["GET"]),
    ("/exceptions/{id}/resolve", &["POST"]),
    ("/sync", &["GET", "POST"]),
    ("/packages", &["GET"]),
    ("/packages/{label}", &["GET"]),
    ("/manifests", &["GET"]),
    ("/audit", &["GET"]),
    ("/requests", &["GET"]),
    ("/settings", &["GET"]),
    ("/settings/key", &["POST"]),
    ("/batches", &["GET", "POST"]),
    ("/batches/{id}", &["GET"]),
    ("/batches/{id}/line", &["POST"]),
    ("/batches/{id}/line/{line}/remove", &["POST"]),
    ("/batches/{id}/loss", &["POST"]),
    ("/batches/{id}/explain", &["POST"]),
    ("/batches/{id}/review", &["POST"]),
    ("/batches/{id}/step", &["POST"]),
    ("/recall", &["GET"]),
    ("/qa", &["GET"]),
    ("/qa/{label}", &["GET"]),
    ("/qa/{label}/coa", &["POST"]),
    ("/qa/{label}/claim", &["POST"]),
    ("/qa/{label}/review", &["POST"]),
    ("/qa/{label}/release", &["POST"]),
    ("/qa/{label}/reject", &["POST"]),
    ("/qa/{label}/hold", &["POST"]),
    ("/qa/{label}/hold/{id}/lift", &["POST"]),
    ("/coa/{id}", &["GET"]),
];

/// The handlers of one license address (see [`LICENSE_ROUTES`]).
fn license_route(pattern: &str) -> MethodRouter<AppState> {
    match pattern {
        "" => get(dashboard::page),
        "/outbox" => get(outbox::list),
        "/outbox/new" => get(outbox::new_form).post(outbox::create),
        "/outbox/{id}" => get(outbox::detail),
        "/outbox/{id}/step" => post(outbox::step),
        "/outbox/{id}/tick" => post(outbox::tick),
        "/reconciliation" => get(reconcile::page),
        "/reconciliation/run" => post(reconcile::run),
        "/reconciliation/count" => post(reconcile::count),
        "/reconciliation/sheet" => {
            post(reconcile::sheet).layer(DefaultBodyLimit::max(crate::guard::LARGEST_FORM))
        }
        "/exceptions" => get(exceptions::list),
        "/exceptions/{id}/resolve" => post(exceptions::resolve),
        "/sync" => get(sync::list).post(sync::sync_now),
        "/packages" => get(packages::list),
        "/packages/{label}" => get(packages::detail),
        "/manifests" => get(manifests::list),
        "/audit" => get(audit::log),
        "/requests" => get(audit::requests),
        "/settings" => get(settings::page),
        "/settings/key" => post(settings::store_key),
        "/batches" => get(batches::board).post(batches::create),
        "/batches/{id}" => get(batches::detail),
        "/batches/{id}/line" => post(batches::add_line),
        "/batches/{id}/line/{line}/remove" => post(batches::remove_line),
        "/batches/{id}/loss" => post(batches::set_loss),
        "/batches/{id}/explain" => post(batches::explain),
        "/batches/{id}/review" => post(batches::review),
        "/batches/{id}/step" => post(batches::step),
        "/recall" => get(recall::page),
        "/qa" => get(qa::queue),
        "/qa/{label}" => get(qa::lot),
        "/qa/{label}/coa" => {
            post(qa::attach_coa).layer(DefaultBodyLimit::max(crate::guard::LARGEST_FORM))
        }
        "/qa/{label}/claim" => post(qa::claim),
        "/qa/{label}/review" => post(qa::prepare),
        "/qa/{label}/release" => post(qa::release),
        "/qa/{label}/reject" => post(qa::reject),
        "/qa/{label}/hold" => post(qa::hold),
        "/qa/{label}/hold/{id}/lift" => post(qa::lift),
        "/coa/{id}" => get(qa::document),
        // Not reached: every pattern of the table has its arm (the router test checks).
        _ => any(not_found),
    }
}

/// Any address that is no page.
pub async fn not_found() -> Fail {
    Fail::not_found()
}

/// A license page's request: the signed-in person, the licenses they hold roles in, and the one
/// the address names, which must be one of them (else "not found", whether it exists or not).
pub struct Lic {
    pub signed: Signed,
    pub licenses: Vec<LicenseCtx>,
    pub lic: LicenseCtx,
    params: HashMap<String, String>,
}

impl FromRequestParts<AppState> for Lic {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let signed = Signed::from_request_parts(parts, state).await?;
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| Fail::not_found().into_response())?;
        let number = params.get("license").cloned().unwrap_or_default();
        let licenses = state
            .wb
            .licenses_of(&signed.caller)
            .await
            .map_err(|e| Fail::from(e).into_response())?;
        let lic = licenses
            .iter()
            .find(|l| l.number == number)
            .cloned()
            .ok_or_else(|| Fail::not_found().into_response())?;
        Ok(Lic {
            signed,
            licenses,
            lic,
            params,
        })
    }
}

impl Lic {
    /// A numeric part of the address (`{id}`); anything else is no page.
    pub fn id(&self) -> Result<i64> {
        self.params
            .get("id")
            .and_then(|v| v.parse().ok())
            .ok_or_else(Fail::not_found)
    }

    /// A text part of the address.
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or("")
    }

    /// The page in the license's frame, on `section`.
    pub fn page(
        &self,
        status: StatusCode,
        section: &'static str,
        title: &str,
        body: Markup,
    ) -> Response {
        page::framed(
            status,
            Frame {
                signed: &self.signed,
                licenses: &self.licenses,
                place: Place::License(&self.lic, section),
                also: &[],
            },
            title,
            body,
        )
    }

    /// After a form did what it said: its message left for the page it leads to.
    pub async fn done(&self, state: &AppState, to: &str, message: &str) -> Response {
        done(state, &self.signed, to, message).await
    }

    pub fn url(&self, rest: &str) -> String {
        page::lic_url(&self.lic, rest)
    }
}

/// Leaves `message` in the session and sends the browser to `to` (post, redirect, get: a
/// reload does not post the form again).
pub async fn done(state: &AppState, signed: &Signed, to: &str, message: &str) -> Response {
    if let Err(e) = state.wb.set_flash(signed.token(), message).await {
        return Fail::from(e).into_response();
    }
    Redirect::to(to).into_response()
}

/// The status a refused form is shown again with.
pub fn refused_status(f: &Fail) -> StatusCode {
    if f.on_form() {
        f.status
    } else {
        StatusCode::BAD_REQUEST
    }
}
