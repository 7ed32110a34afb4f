//! The manifest editor: a new manifest or template, or an edit of one before it departs.
//! Registering or saving runs the action the matching API endpoint runs (`Register`,
//! `CreateTemplates`, `Edit`, `UpdateTemplates`); "Add N packages" only ticks boxes and writes
//! nothing.

mod draft;
mod view;

use super::directory::{Choices, choices};
use super::{
    EDITORS, MANAGE, MANAGE_TEMPLATES, detail_path, local, page, title, visible, with_warnings,
};
use crate::WebState;
use crate::error::{Page, WebError};
use crate::fields::Posted;
use crate::flash::reply;
use crate::frame::Frame;
use crate::session::Signed;
use crate::urls::segment;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use draft::{Draft, list_text};
use tagtrail_app::actions::transfers::{
    CreateTemplates, Edit, Loaded, ManifestRequest, Register, UpdateTemplates,
};
use tagtrail_app::{Action, AppError, Door, Written};
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::manifests::manifest_number;
use tagtrail_domain::commands::transfers::{ManifestSpec, parse_package_list};
use tagtrail_domain::records::{TransferState, fold};
use view::Editor;

pub(super) use draft::list_text as package_list_text;

/// The editor page for `d`, with the outcome of the last post.
async fn editor_page(
    s: &WebState,
    f: &Frame,
    editing: Option<&Loaded>,
    d: &Draft,
    msg: Option<&str>,
    errors: &[String],
) -> Page {
    let ch = choices(s, f, editing).await?;
    Ok(editor_markup(s, f, &ch, editing, d, msg, errors))
}

fn editor_markup(
    s: &WebState,
    f: &Frame,
    ch: &Choices,
    editing: Option<&Loaded>,
    d: &Draft,
    msg: Option<&str>,
    errors: &[String],
) -> maud::Markup {
    let e = Editor {
        lic: f.license(),
        facility: f.scope.facility(),
        csrf: f.csrf(),
        choices: ch,
        editing: editing.map(|l| &l.transfer),
        max: s.ledger.config.max_packages_per_transfer,
    };
    let heading = match editing {
        Some(l) => format!("Edit {}", title(&l.transfer)),
        None => "New transfer".into(),
    };
    page(f, &heading, view::body(&e, d, msg, errors))
}

/// Shows the editor again after a post: the same values, the outcome of "Add", or the problems
/// that kept a save from happening (with 422, so that the page is not mistaken for a success).
async fn editor_again(
    s: &WebState,
    f: &Frame,
    editing: Option<&Loaded>,
    d: &Draft,
    outcome: Result<String, WebError>,
) -> Response {
    let (status, msg, errors) = match outcome {
        Ok(m) => (StatusCode::OK, Some(m), vec![]),
        Err(e) if e.shown() => (StatusCode::UNPROCESSABLE_ENTITY, None, e.messages),
        Err(e) => return e.into_response(),
    };
    match editor_page(s, f, editing, d, msg.as_deref(), &errors).await {
        Ok(body) => (status, body).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A manifest action's row problems name package line j as "Packages[j]: …"; name it the way
/// the user gave it instead (its label, or the line of the pasted or uploaded list).
fn named(e: AppError, names: &[String]) -> WebError {
    let AppError::Rejected(Rejection::Rows(rows)) = e else {
        return e.into();
    };
    let messages = rows
        .into_iter()
        .map(|r| {
            let Some((j, name)) = r.line.and_then(|j| Some((j, names.get(j)?))) else {
                return r.message;
            };
            let prefix = format!("Packages[{j}]: ");
            let msg = r.message.strip_prefix(&prefix).unwrap_or(&r.message);
            // A message that names the package already needs no prefix.
            match name.strip_prefix("Package ") {
                Some(label) if msg.contains(label) => msg.to_string(),
                _ => format!("{name}: {msg}"),
            }
        })
        .collect();
    WebError {
        status: StatusCode::BAD_REQUEST,
        messages,
    }
}

/// Runs the manifest write `A` for the employee at `license`.
async fn save<A: Action<Request = Vec<ManifestRequest>>>(
    s: &WebState,
    signed: &Signed,
    license: &str,
    door: Door,
    request: ManifestRequest,
    names: &[String],
) -> Result<Written, WebError> {
    s.ledger
        .run_as::<A>(&signed.acting, license, door, &vec![request])
        .await
        .map_err(|e| named(e, names))
}

pub async fn new_form(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
) -> Page {
    let f = Frame::of(&s, signed, &license, EDITORS).await?;
    editor_page(&s, &f, None, &Draft::new_manifest(), None, &[]).await
}

/// Registers a manifest or saves a template from the editor. A list given instead of ticks is
/// read by the same parser as the package-list upload, and its problems are named by line.
async fn save_new(
    s: &WebState,
    f: &Frame,
    posted: &Posted,
    d: &Draft,
) -> Result<(i64, String), WebError> {
    let template = d.op == "template";
    let max = s.ledger.config.max_packages_per_transfer;
    let text = list_text(&d.file, &d.list)?;
    let (labels, names): (Vec<String>, Vec<String>) = match &text {
        Some(text) => {
            let listed = parse_package_list(text, max).map_err(|errs| WebError {
                status: StatusCode::BAD_REQUEST,
                messages: errs
                    .into_iter()
                    .map(|e| match e.line {
                        0 => e.reason,
                        n => format!("Line {n}: {}", e.reason),
                    })
                    .collect(),
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
    let request = ManifestRequest {
        id: None,
        template_id: None,
        spec: d.spec(&labels)?,
        keep_line_details: false,
    };
    // An uploaded list is what was asked, so the journal keeps its text, not just its size.
    let door = match (&d.file, text) {
        (Some(_), Some(text)) => {
            let mut request = posted.fields.journal();
            if let serde_json::Value::Object(m) = &mut request {
                m.insert("list".into(), serde_json::Value::String(text));
            }
            posted.door_with(request, None)
        }
        _ => posted.door(None),
    };
    let lic = f.license();
    let w = if template {
        save::<CreateTemplates>(s, &f.signed, lic, door, request, &names).await?
    } else {
        save::<Register>(s, &f.signed, lic, door, request, &names).await?
    };
    let id = w
        .ids
        .first()
        .copied()
        .ok_or_else(|| WebError::bad("The transfer was not saved."))?;
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
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    posted: Posted,
) -> Response {
    let f = match Frame::of(&s, signed, &license, EDITORS).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let mut d = Draft::from_fields(&posted.fields);
    if d.op == "add" {
        let ch = match choices(&s, &f, None).await {
            Ok(ch) => ch,
            Err(e) => return e.into_response(),
        };
        let outcome = d.add_packages(&ch.available, s.ledger.config.max_packages_per_transfer);
        return editor_again(&s, &f, None, &d, outcome).await;
    }
    match save_new(&s, &f, &posted, &d).await {
        Ok((id, msg)) => {
            let to = format!("/ui/l/{}/transfers/{id}", segment(f.license()));
            reply(&s, &f.signed, &to, Ok(msg), None).await
        }
        Err(e) => editor_again(&s, &f, None, &d, Err(e)).await,
    }
}

/// The manifest or template `id` of the shipper `f`, while it can still be edited.
pub(super) async fn editable(s: &WebState, f: &Frame, id: i64) -> Result<Loaded, WebError> {
    let l = visible(s, &f.scope, id, MANAGE_TEMPLATES, MANAGE).await?;
    let t = &l.transfer;
    if t.license_number != f.license() {
        return Err(WebError::bad(format!(
            "Only the shipper ({}) edits transfer {id}.",
            t.license_number
        )));
    }
    if !t.active || !matches!(t.state, TransferState::Outgoing | TransferState::Template) {
        return Err(WebError::new(
            StatusCode::CONFLICT,
            format!("Transfer {id} is {} and cannot be edited.", t.list_status()),
        ));
    }
    Ok(l)
}

pub async fn edit_form(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Response {
    let f = match Frame::of(&s, signed, &license, EDITORS).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    match editable(&s, &f, id).await {
        Ok(l) => match editor_page(&s, &f, Some(&l), &Draft::of(&l), None, &[]).await {
            Ok(body) => body.into_response(),
            Err(e) => e.into_response(),
        },
        Err(e) => reply(&s, &f.signed, &detail_path(f.license(), id), Err(e), None).await,
    }
}

/// Saves the editor over a registered manifest or a template.
async fn save_edit(
    s: &WebState,
    f: &Frame,
    posted: &Posted,
    l: &Loaded,
    ch: &Choices,
    d: &Draft,
) -> Result<String, WebError> {
    let t = &l.transfer;
    let template = t.state == TransferState::Template;
    let names: Vec<String> = d.picked.iter().map(|l| format!("Package {l}")).collect();
    let mut spec: ManifestSpec = d.spec(&d.picked)?;
    // An edit keeps what it leaves out, so "this license transports" must be said outright,
    // or a manifest once given to another transporter could never come back to the shipper.
    let carrier = spec
        .transporter_license
        .get_or_insert_with(|| f.license().to_string())
        .clone();
    spec.transporter_count = 1;
    // The action keeps the stored driver's employee id unless one is given, which would leave
    // the old driver's id on the manifest when the driver changes; give the chosen driver's.
    spec.driver_employee_id = spec.driver_license_number.as_deref().and_then(|dl| {
        ch.drivers
            .iter()
            .find(|x| {
                fold(&x.drivers_license_number) == fold(dl) && fold(&x.carrier) == fold(&carrier)
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
    let (lic, door) = (f.license(), posted.door(None));
    let w = if template {
        save::<UpdateTemplates>(s, &f.signed, lic, door, request, &names).await?
    } else {
        save::<Edit>(s, &f.signed, lic, door, request, &names).await?
    };
    Ok(with_warnings(
        format!("{saved} saved (journal entry {}).", w.seq),
        &w.warnings,
    ))
}

pub async fn update(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    posted: Posted,
) -> Response {
    let f = match Frame::of(&s, signed, &license, EDITORS).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let detail = detail_path(f.license(), id);
    let l = match editable(&s, &f, id).await {
        Ok(l) => l,
        Err(e) => return reply(&s, &f.signed, &detail, Err(e), None).await,
    };
    let mut d = Draft::from_fields(&posted.fields);
    let ch = match choices(&s, &f, Some(&l)).await {
        Ok(ch) => ch,
        Err(e) => return e.into_response(),
    };
    if d.op == "add" {
        let outcome = d.add_packages(&ch.available, s.ledger.config.max_packages_per_transfer);
        let (status, msg, errors) = match outcome {
            Ok(m) => (StatusCode::OK, Some(m), vec![]),
            Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, None, e.messages),
        };
        let body = editor_markup(&s, &f, &ch, Some(&l), &d, msg.as_deref(), &errors);
        return (status, body).into_response();
    }
    match save_edit(&s, &f, &posted, &l, &ch, &d).await {
        Ok(msg) => reply(&s, &f.signed, &detail, Ok(msg), None).await,
        Err(e) if e.shown() => {
            let body = editor_markup(&s, &f, &ch, Some(&l), &d, None, &e.messages);
            (StatusCode::UNPROCESSABLE_ENTITY, body).into_response()
        }
        Err(e) => e.into_response(),
    }
}
