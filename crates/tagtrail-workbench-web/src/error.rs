//! What a page shows when a request is refused or fails, and with which status: one place maps
//! the workbench's errors to the web door's answers.

use crate::AppState;
use crate::page;
use crate::session::{self, Signed};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use std::sync::Arc;
use tagtrail_workbench::WbError;

/// A refusal or failure with the words a person reads.
#[derive(Debug)]
pub struct Fail {
    pub status: StatusCode,
    pub message: String,
}

/// Shown instead of a database failure's cause, which is logged once and is no business of the
/// person at the browser.
const FAILED: &str = "The workbench could not complete the request. Try again; if it keeps \
                      happening, tell the installation's administrator.";

/// Shown for every license page the person may not open, whether it exists or not: another
/// company's license must be indistinguishable from no license at all.
pub const NOT_FOUND: &str =
    "There is no such page, or it belongs to a license you do not hold a role in.";

impl Fail {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Fail {
        Fail {
            status,
            message: message.into(),
        }
    }

    pub fn not_found() -> Fail {
        Fail::new(StatusCode::NOT_FOUND, NOT_FOUND)
    }

    /// A refusal the person can act on by changing what they typed: shown on the form.
    pub fn on_form(&self) -> bool {
        matches!(
            self.status,
            StatusCode::BAD_REQUEST | StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY
        )
    }
}

impl From<WbError> for Fail {
    fn from(e: WbError) -> Fail {
        match e {
            // What was not found is not named: "license X" would confirm X exists elsewhere.
            WbError::NotFound(_) => Fail::not_found(),
            WbError::Forbidden(m) => Fail::new(StatusCode::FORBIDDEN, m),
            WbError::Invalid(m) => Fail::new(StatusCode::BAD_REQUEST, m),
            WbError::Conflict(m) => Fail::new(StatusCode::CONFLICT, m),
            WbError::SignIn => Fail::new(StatusCode::UNAUTHORIZED, WbError::SignIn.to_string()),
            WbError::Metrc(m) => Fail::new(
                StatusCode::BAD_GATEWAY,
                format!("Metrc did not answer as expected: {m}"),
            ),
            e @ WbError::Crypto => {
                tracing::error!(error = %e, "web request failed opening a secret");
                Fail::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
            }
            e @ (WbError::Db(_) | WbError::Migrate(_)) => {
                tracing::error!(error = %e, "web request failed in the database");
                Fail::new(StatusCode::INTERNAL_SERVER_ERROR, FAILED)
            }
        }
    }
}

impl Fail {
    fn title(&self) -> &'static str {
        match self.status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::INTERNAL_SERVER_ERROR | StatusCode::BAD_GATEWAY => "Something went wrong",
            StatusCode::TOO_MANY_REQUESTS => "Too many requests",
            StatusCode::BAD_REQUEST | StatusCode::CONFLICT => "That did not work",
            StatusCode::UNAUTHORIZED => "Sign in",
            _ => "Not allowed",
        }
    }

    fn body(&self) -> Markup {
        html! {
            div.card {
                h1 { (self.title()) }
                p { (page::sentence(&self.message)) }
                p { a href="/" { "Back to your licenses" } }
            }
        }
    }
}

/// A failure's words, left on its answer so that [`framed_failures`] can show them in the
/// signed-in person's frame.
#[derive(Clone)]
struct Failed(Arc<Fail>);

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let mut resp = page::plain(self.status, self.title(), self.body());
        resp.extensions_mut().insert(Failed(Arc::new(self)));
        resp
    }
}

/// Shows a failure to a signed-in person inside their frame (their licenses, sign-out), so a
/// "not found" is not a dead end. Done around the handlers, where the session is known; without
/// a session the plain page stands.
pub async fn framed_failures(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let token = session::cookie(req.headers(), session::SESSION);
    let resp = next.run(req).await;
    let (Some(Failed(fail)), Some(token)) = (resp.extensions().get::<Failed>().cloned(), token)
    else {
        return resp;
    };
    let Ok(Some((caller, csrf))) = s.wb.session(&token).await else {
        return resp;
    };
    let Ok(licenses) = s.wb.licenses_of(&caller).await else {
        return resp;
    };
    let signed = Signed::new(caller, csrf, token);
    let mut framed = page::framed(
        fail.status,
        page::Frame {
            signed: &signed,
            licenses: &licenses,
            place: page::Place::Home,
            also: &[],
        },
        fail.title(),
        fail.body(),
    );
    // Headers the failure set (a redirect has none; a 429 might) stay.
    for (k, v) in resp.headers() {
        if !framed.headers().contains_key(k) {
            framed.headers_mut().insert(k.clone(), v.clone());
        }
    }
    framed
}

pub type Result<T, E = Fail> = std::result::Result<T, E>;
