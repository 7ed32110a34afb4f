//! The manifest (or template) page: its parties and packages, the steps the viewing license may
//! take (depart, arrive, receive, void, take back, register from a template, archive), the
//! package-list upload, and its journal entries.

use super::editor::{editable, package_list_text};
use super::{
    ANY, MANAGE, MANAGE_TEMPLATES, VIEW, VIEW_TEMPLATES, detail_path, line_words, local, opt, page,
    party, planned, roles, state_badge, title, visible, with_seconds, with_warnings,
};
use crate::WebState;
use crate::confirm;
use crate::error::{Page, WebError};
use crate::fields::Posted;
use crate::flash::{Typed, reply};
use crate::frame::Frame;
use crate::layout::{csrf_field, notices};
use crate::pages::journal::entries;
use crate::session::Signed;
use crate::status;
use crate::urls::segment;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde_json::Value;
use tagtrail_app::Written;
use tagtrail_app::actions::transfers::{
    ArchiveTemplate, Arrive, Depart, Loaded, ManifestRequest, PackageList, Register, TakeBack,
    UploadManifestPackageList, UploadTemplatePackageList, Void,
};
use tagtrail_domain::commands::manifests::manifest_number;
use tagtrail_domain::commands::transfers::ManifestSpec;
use tagtrail_domain::records::{ShipmentState, TransferState};

async fn detail_page(
    s: &WebState,
    f: &Frame,
    l: &Loaded,
    msg: Option<&str>,
    errors: &[String],
    list: &str,
) -> Page {
    let lic = f.license();
    let t = &l.transfer;
    let r = roles(t, lic);
    let template = t.state == TransferState::Template;
    let manage = f.may(if template { MANAGE_TEMPLATES } else { MANAGE });
    let history = s.ledger.manifest_history(&f.scope, t.id, 50).await?;
    let base = f.url(&format!("transfers/{}", t.id));
    let status = t.list_status();
    let editable = r.shipper
        && manage
        && t.active
        && matches!(t.state, TransferState::Outgoing | TransferState::Template);
    let csrf = f.csrf();
    let lab_of = |p: &tagtrail_domain::records::Package| {
        html! {
            (status::lab(p.lab_testing_state))
            @if p.on_hold { " " span.badge.hold { "⏸ On hold" } }
        }
    };
    Ok(page(
        f,
        &title(t),
        html! {
            h1 { "Transfer · " (title(t)) " " (state_badge(t)) }
            (notices(msg, errors))
            div.card {
                table.fields #parties {
                    tr { th { "Type" } td { (t.transfer_type) } th { "Packages" } td { (l.lines.len()) } }
                    tr { th { "Shipper" } td { (party(&t.shipper)) br; span.muted { (t.shipper.address.clone().unwrap_or_default()) } }
                         th { "Recipient" } td { (party(&t.recipient)) br; span.muted { (t.recipient.address.clone().unwrap_or_default()) } } }
                    tr { th { "Transporter" } td { (party(&t.transporter)) }
                         th { "Driver" } td { (t.driver_name) " · DL " span.mono { (t.driver_license_number) } @if let Some(e) = &t.driver_employee_id { " · " (e) } } }
                    tr { th { "Vehicle" } td { (t.vehicle_make) " " (t.vehicle_model) " · " span.mono { (t.vehicle_plate) } }
                         th { "Phone for questions" } td { (t.phone_for_questions.clone().unwrap_or_default()) } }
                    tr { th { "Estimated departure" } td { (planned(f.zone, &t.estimated_departure)) } th { "Estimated arrival" } td { (planned(f.zone, &t.estimated_arrival)) } }
                    tr { th { "Departed" } td { (f.zone.maybe(t.actual_departure.as_deref())) } th { "Arrived" } td { (f.zone.maybe(t.actual_arrival.as_deref())) } }
                    tr { th { "Received" } td { (f.zone.maybe(t.received_at.as_deref())) @if t.state == TransferState::Received { " · " (t.accepted_count) " accepted, " (t.rejected_count) " rejected" } }
                         th { "Invoice" } td { (t.invoice_number.clone().unwrap_or_default()) } }
                    tr { th { "Planned route" } td colspan="3" { (t.planned_route.clone().unwrap_or_default()) } }
                    tr { th { "Created" } td { (f.when(&t.created_at)) " by " (t.created_by) } th { "State" } td { (state_badge(t)) } }
                }
                @if !template {
                    p { a #manifest-pdf href={ (base) "/manifest.pdf" } { "Manifest (PDF)" } " · " a href={ (base) "/manifest.html" } { "printable manifest" } }
                }
            }
            h2 { "Actions" }
            div.card #actions {
                @if editable {
                    p { a href={ (base) "/edit" } { "Edit " @if template { "template" } @else { "transfer" } } }
                }
                @if template && r.shipper && t.active {
                    @if f.may(MANAGE) {
                        form.register method="post" action={ (base) "/register" } {
                            (csrf_field(csrf))
                            p { "Register a transfer from this template (it gets its manifest number):" }
                            label { "Departing " input type="datetime-local" name="departure" value=(local(&t.estimated_departure)); }
                            " " label { "arriving " input type="datetime-local" name="arrival" value=(local(&t.estimated_arrival)); }
                            " " button.act type="submit" { "Register transfer" }
                        }
                        p {}
                    }
                    @if manage {
                        form.inline method="post" action={ (base) "/archive" } { (csrf_field(csrf)) (confirm::button("Archive template", &format!("Template {} is archived and can no longer be used to register transfers.", t.name.clone().unwrap_or_else(|| t.id.to_string())))) }
                    }
                }
                @if r.transporter && t.state == TransferState::Outgoing && manage {
                    form method="post" action={ (base) "/depart" } {
                        (csrf_field(csrf))
                        p { "The load is checked against the manifest (the transporter confirms the load; rule 43)." }
                        (confirm::button("Depart", &format!("{} with {} package(s) leaves in transit; it can no longer be edited or voided.", title(t), l.lines.len())))
                    }
                    p {}
                }
                @if (r.transporter || r.recipient) && t.state == TransferState::InTransit && manage {
                    form method="post" action={ (base) "/arrive" } { (csrf_field(csrf)) button.act type="submit" { "Record arrival" } }
                    p {}
                }
                @if r.recipient && matches!(t.state, TransferState::InTransit | TransferState::Delivered) && manage {
                    p { a.act #receive-link href={ (base) "/receive" } { "Receive packages…" } span.muted { " accept or reject each package and say where it goes (rule 44)" } }
                }
                @if r.shipper && t.state == TransferState::Outgoing && manage {
                    form method="post" action={ (base) "/void" } {
                        (csrf_field(csrf))
                        label { "Why void? (optional) " input type="text" name="reason" size="30"; }
                        span.muted { " Before departure only (rule 48)." }
                        (confirm::button("Void manifest", &format!("{} is voided and its {} package(s) return to inventory.", title(t), l.lines.len())))
                    }
                    p {}
                }
                @if r.shipper && status == "Rejected" && manage {
                    form method="post" action={ (base) "/takeback" } {
                        (csrf_field(csrf))
                        span.muted { "Rule 45. " }
                        (confirm::button("Take rejected packages back", &format!("The {} rejected package(s) of {} return to your inventory.", t.rejected_count, title(t))))
                    }
                }
                @if editable {
                    h2 { "Replace the packages from a list" }
                    form #upload method="post" enctype="multipart/form-data" action={ (base) "/upload" } {
                        (csrf_field(csrf))
                        p { "A CSV or TXT file with one column of package tag UIDs (bulletin IV); every line must be good or nothing changes." }
                        p { label { "Package list file " input type="file" name="file" accept=".csv,.txt,text/csv,text/plain"; } }
                        p { label { "…or paste the UIDs, one per line" br; textarea name="list" rows="4" cols="40" { (list) } } }
                        button.act type="submit" { "Upload list" }
                    }
                }
            }
            h2 { "Packages" }
            table.stack #lines {
                thead { tr { th { "Tag UID" } th { "Item" } th { "Lab testing" } th { "Shipped" } th { "Wholesale price" } th { "Gross weight" } th { "State" } th { "Received" } th { "Rejection reason" } } }
                tbody { @for line in &l.lines {
                    @let p = &line.package;
                    // Link where the package is the viewer's: the shipper's until accepted, the recipient's after.
                    @let linked = (r.shipper && line.shipment_state != ShipmentState::Accepted) || (r.recipient && line.shipment_state == ShipmentState::Accepted && !p.is_testing_sample);
                    tr data-lab=(p.lab_testing_state.name()) {
                        td.mono data-th="Tag UID" { div { @if linked { a href=(f.url(&format!("packages/{}", p.id))) { (p.label) } } @else { (p.label) } } }
                        td data-th="Item" { div { (p.item_name) } }
                        td data-th="Lab testing" { div { (lab_of(p)) } }
                        td data-th="Shipped" { div { (line.shipped_quantity) " " (line.shipped_unit) } }
                        td data-th="Wholesale price" { div { (line.wholesale_price.map(|v| v.to_string()).unwrap_or_default()) } }
                        td data-th="Gross weight" { div { @if let Some(w) = line.gross_weight { (w) " " (line.gross_unit.clone().unwrap_or_default()) } } }
                        td data-th="State" { div { span.pill { (line_words(&line.list_status())) } } }
                        td data-th="Received" { div { (line.received_quantity.map(|v| v.to_string()).unwrap_or_default()) } }
                        td data-th="Rejection reason" { div { (line.rejection_reason.clone().unwrap_or_default()) } }
                    }
                } }
            }
            p.muted { "Lab testing as shipped." }
            h2 { "Journal entries for this transfer" }
            (entries(f.license(), f.zone, &history))
            p { a href=(f.url("transfers")) { "← Transfers" } }
        },
    ))
}

pub async fn page_of(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Page {
    let f = Frame::of(&s, signed, &license, ANY).await?;
    let l = visible(&s, &f.scope, id, VIEW_TEMPLATES, VIEW).await?;
    let flash = f.flash().cloned().unwrap_or_default();
    detail_page(&s, &f, &l, flash.msg.as_deref(), &flash.errors, "").await
}

/// The steps of the manifest page, each the action of the matching endpoint: depart, arrive,
/// void, take back, register from a template, archive a template.
pub async fn act(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id, what)): Path<(String, i64, String)>,
    posted: Posted,
) -> Response {
    let detail = detail_path(&license, id);
    // What cannot be undone asks first (the page's button does; a post without it gets the
    // question as a page).
    let ask = match what.as_str() {
        "depart" => Some((
            "Depart",
            "The manifest's packages leave in transit and the manifest can no longer be edited or voided.",
        )),
        "void" => Some((
            "Void manifest",
            "The manifest is voided and its packages return to inventory; it cannot be used again.",
        )),
        "takeback" => Some((
            "Take rejected packages back",
            "The rejected packages return to your inventory and the manifest is closed.",
        )),
        "archive" => Some((
            "Archive template",
            "The template is archived and can no longer be used to register manifests.",
        )),
        _ => None,
    };
    if let Some((label, consequence)) = ask
        && !confirm::confirmed(&posted)
    {
        return confirm::ask(&posted, label, consequence, &detail);
    }
    let door = posted.door(posted.fields.get("reason"));
    let ids = vec![Some(id)];
    let done = |verb: &str, w: Written| {
        format!(
            "Manifest {} {verb} (journal entry {}).",
            manifest_number(id),
            w.seq
        )
    };
    let result: Result<(String, String), WebError> = async {
        Ok(match what.as_str() {
            "depart" => {
                let w = s
                    .ledger
                    .run_as::<Depart>(&signed.acting, &license, door, &ids)
                    .await?;
                (detail.clone(), done("departed", w))
            }
            "arrive" => {
                let w = s
                    .ledger
                    .run_as::<Arrive>(&signed.acting, &license, door, &ids)
                    .await?;
                (detail.clone(), done("arrived", w))
            }
            "takeback" => {
                let w = s
                    .ledger
                    .run_as::<TakeBack>(&signed.acting, &license, door, &ids)
                    .await?;
                let verb = "rejected packages are back in inventory:";
                (detail.clone(), done(verb, w))
            }
            "void" => {
                let w = s
                    .ledger
                    .run_as::<Void>(&signed.acting, &license, door, &id)
                    .await?;
                (detail.clone(), done("voided", w))
            }
            "archive" => {
                let w = s
                    .ledger
                    .run_as::<ArchiveTemplate>(&signed.acting, &license, door, &id)
                    .await?;
                (
                    format!("/ui/l/{}/transfers?tab=templates", segment(&license)),
                    format!("Template {id} archived (journal entry {}).", w.seq),
                )
            }
            "register" => {
                // The template's plan, with the times given here replacing its own.
                let time = |k: &str| posted.fields.get(k).and_then(opt).map(|v| with_seconds(&v));
                let request = ManifestRequest {
                    id: None,
                    template_id: Some(id),
                    spec: ManifestSpec {
                        estimated_departure: time("departure"),
                        estimated_arrival: time("arrival"),
                        destination_count: 1,
                        ..Default::default()
                    },
                    keep_line_details: false,
                };
                let w = s
                    .ledger
                    .run_as::<Register>(&signed.acting, &license, door, &vec![request])
                    .await?;
                let new_id = w
                    .ids
                    .first()
                    .copied()
                    .ok_or_else(|| WebError::bad("No manifest was registered."))?;
                let msg = format!(
                    "Transfer registered from the template: manifest {} (journal entry {}).",
                    manifest_number(new_id),
                    w.seq
                );
                (
                    detail_path(&license, new_id),
                    with_warnings(msg, &w.warnings),
                )
            }
            _ => return Err(WebError::not_found("No such action.")),
        })
    }
    .await;
    match result {
        Ok((to, msg)) => reply(&s, &signed, &to, Ok(msg), None).await,
        Err(e) => {
            let typed = Typed::of(&posted.path, &posted.fields);
            reply(&s, &signed, &detail, Err(e), Some(typed)).await
        }
    }
}

/// Replaces the package section from a CSV or TXT list of UIDs, through the upload action the
/// API's package-list endpoint runs. A refused list is shown with every bad line on the page
/// itself (not through a redirect, whose address would have to carry them all), with the
/// pasted text kept.
pub async fn upload(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    posted: Posted,
) -> Response {
    let f = match Frame::of(&s, signed, &license, ANY).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let file = posted
        .fields
        .file("file")
        .map(|u| (u.file_name.clone(), u.bytes.clone()));
    let pasted = posted.fields.get("list").unwrap_or_default().to_string();
    let result: Result<String, WebError> = async {
        // Templates need the template permission, manifests the transfer one, as in the API.
        let l = editable(&s, &f, id).await?;
        let text = package_list_text(&file, &pasted)?
            .ok_or_else(|| WebError::bad("Choose a CSV or TXT file, or paste the UIDs."))?;
        // The journal keeps the list itself: it is what was asked, whether pasted or uploaded.
        let mut request = posted.fields.journal();
        if let Value::Object(m) = &mut request {
            m.insert("list".into(), Value::String(text.clone()));
        }
        let door = posted.door_with(request, None);
        let list = PackageList {
            transfer_id: id,
            text,
        };
        let lic = f.license();
        let w = if l.transfer.state == TransferState::Template {
            s.ledger
                .run_as::<UploadTemplatePackageList>(&f.signed.acting, lic, door, &list)
                .await?
        } else {
            s.ledger
                .run_as::<UploadManifestPackageList>(&f.signed.acting, lic, door, &list)
                .await?
        };
        let count = s.ledger.manifest_in(&f.scope, id).await?.lines.len();
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
    let detail = detail_path(&license, id);
    match result {
        Ok(msg) => reply(&s, &f.signed, &detail, Ok(msg), None).await,
        Err(e) if e.shown() => {
            let shown = async {
                let l = visible(&s, &f.scope, id, VIEW_TEMPLATES, VIEW).await?;
                let kept = if file.is_none() { pasted.as_str() } else { "" };
                detail_page(&s, &f, &l, None, &e.messages, kept).await
            }
            .await;
            match shown {
                Ok(body) => (StatusCode::UNPROCESSABLE_ENTITY, body).into_response(),
                Err(e) => e.into_response(),
            }
        }
        Err(e) => e.into_response(),
    }
}
