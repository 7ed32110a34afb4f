//! One package: what it is, the writes its owner may make, its lineage, adjustments, lab results
//! and journal entries.
//!
//! Everything shown comes from the scoped reads: another license's package in the lineage is its
//! label and item only (no link, nothing live), and lab results and certificates appear to the
//! owner only once the laboratory has released them.

use super::locations;
use crate::WebState;
use crate::confirm;
use crate::error::WebError;
use crate::flash::notices;
use crate::frame::Frame;
use crate::layout::{csrf_field, wide, yes_no};
use crate::pages::journal::entries;
use crate::session::Signed;
use crate::status;
use crate::urls::segment;
use crate::when::date;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use tagtrail_app::reads::Relative;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Package, PackageState};
use tagtrail_domain::reference;

/// How far up and down the lineage is walked.
const DEPTH: u32 = 10;

fn lineage_row(lic: &str, depth: u32, r: &Relative) -> Markup {
    html! { tr {
        td { (depth) }
        @match r {
            Relative::Visible(p) => {
                td { (crate::packages::list::label_link(&format!("/ui/l/{}/packages/{}", segment(lic), p.id), p)) } td { (p.item_name) }
                td { (p.quantity) " " (p.unit_of_measure) } td { (status::lab(p.lab_testing_state)) } td.mono { (p.license_number) }
            }
            Relative::Other { label, item } => {
                td.mono { (label) } td { (item) }
                td.muted colspan="3" { "another license's package" }
            }
        }
    } }
}

/// The owner's writes on the package. A refused form comes back as typed, with the problem
/// under its field.
fn actions(
    f: &Frame,
    p: &Package,
    base: &str,
    locations: &[tagtrail_domain::records::Location],
) -> Markup {
    let csrf = f.csrf();
    let adjust = f.prefill(&format!("{base}/adjust"));
    let moved = f.prefill(&format!("{base}/move"));
    let noted = f.prefill(&format!("{base}/note"));
    let here = p.location_name.clone().unwrap_or_default();
    html! {
        h2 { "Actions" }
        div.card.actions {
            @if p.state == PackageState::Finished {
                form method="post" action={ (base) "/unfinish" } { (csrf_field(csrf)) button.act type="submit" { "Unfinish" } }
            } @else {
                form #adjust-form method="post" action={ (base) "/adjust" } {
                    (csrf_field(csrf))
                    fieldset { legend { "Adjust the quantity" }
                        label { "By (" (p.unit_of_measure) ", negative to remove)"
                            input type="text" name="quantity" inputmode="decimal" size="8" placeholder="-1.5" required value=(adjust.value("quantity", ""));
                        }
                        (adjust.problem(&["quantity", "below zero", "negative"]))
                        label { "Reason" select name="reason" {
                            @for r in reference::ADJUST_REASONS { option value=(r.name) selected[adjust.chosen("reason", r.name, false)] { (r.name) @if r.requires_note { " (note required)" } } }
                        } }
                        (adjust.problem(&["reason"]))
                        label { "Note" input type="text" name="note" size="30" value=(adjust.value("note", "")); }
                        (adjust.problem(&["note"]))
                        button.act type="submit" { "Adjust" }
                    }
                }
                form method="post" action={ (base) "/move" } {
                    (csrf_field(csrf))
                    fieldset { legend { "Move" }
                        label { "To location" select name="location" { @for l in locations { option value=(l.name) selected[moved.chosen("location", &l.name, l.name == here)] { (l.name) } } } }
                        (moved.problem(&["location"]))
                        button.act type="submit" { "Move" }
                    }
                }
                form method="post" action={ (base) "/note" } {
                    (csrf_field(csrf))
                    fieldset { legend { "Note" }
                        label { "Note on the package" input type="text" name="note" size="40" value=(noted.value("note", &p.note.clone().unwrap_or_default())); }
                        (noted.problem(&["note"]))
                        button.act type="submit" { "Save note" }
                    }
                }
                @if p.quantity.is_zero() {
                    form method="post" action={ (base) "/finish" } {
                        (csrf_field(csrf))
                        (confirm::button("Finish", &format!("Package {} is finished and leaves active inventory.", p.label)))
                    }
                }
            }
        }
    }
}

/// A package by id or by tag UID (`/ui/l/{license}/packages/1A4…` works as well as the id).
pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, key)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let f = Frame::of(&s, signed, &license, &[Permission::ViewPackages]).await?;
    let key = key.trim();
    let id = match key.parse::<i64>() {
        Ok(id) => id,
        Err(_) => {
            // A UID: the package's page at a license the person may open.
            let found = s.ledger.locate_package(&f.signed.acting, key).await?;
            return match found {
                Some((lic, id)) => {
                    let to = format!("/ui/l/{}/packages/{id}", segment(&lic));
                    Ok(Redirect::to(&to).into_response())
                }
                None => Err(WebError::not_found(format!(
                    "No package with tag {key} at the licenses you may open."
                ))),
            };
        }
    };
    let lic = f.license().to_string();
    let p = s.ledger.package_seen(&f.scope, id).await?;
    let lineage = s.ledger.lineage(&f.scope, p.clone(), DEPTH).await?;
    let adjustments = s.ledger.adjustments(&f.scope, &p).await?;
    let results = s.ledger.lab_results(&f.scope, p.id).await?;
    let history = s.ledger.package_history(&f.scope, p.id, 50).await?;
    let mine = p.license_number == lic && f.may(&[]);
    let locations = if mine {
        locations(&s, &f.scope).await?
    } else {
        vec![]
    };
    let base = f.url(&format!("packages/{}", p.id));
    let body = html! {
        (status::banner(&p))
        h1.mono { (p.label) }
        (notices(f.flash()))
        div.card { table.fields #facts {
            tr { th { "Item" } td { (p.item_name) " (" (p.item_category) ")" } th { "Quantity" } td { (p.quantity) " " (p.unit_of_measure) " of " (p.original_quantity) } }
            tr { th { "Location" } td { (p.location_name.clone().unwrap_or_default()) @if let Some(sub) = &p.sublocation_name { " / " (sub) } } th { "Lab testing" } td #lab-state { (status::lab(p.lab_testing_state)) " since " (date(&p.lab_testing_state_date)) } }
            tr { th { "Packaged by" } td { span.mono { (p.packaged_by_license) } " " span.muted { (p.packaged_by_name) } } th { "Packaged" } td { (date(&p.packaged_date)) } }
            tr { th { "State" } td { (status::package(&p)) @if let Some(r) = p.hold_reason.as_ref().filter(|_| p.on_hold) { " " (r) } } th { "Finished" } td { (p.finished_date.as_deref().map(date).unwrap_or_default()) } }
            tr { th { "Testing sample" } td { (yes_no(p.is_testing_sample)) @if let Some(l) = &p.lab_license { " sent to " span.mono { (l) } } } th { "Remediations" } td { (p.remediation_count) } }
            tr { th { "Note" } td colspan="3" { (p.note.clone().unwrap_or_default()) } }
            tr { th { "Last changed" } td colspan="3" { (f.when(&p.last_modified)) } }
        } }
        @if mine { (actions(&f, &p, &base, &locations)) }
        h2 { "Lineage" }
        (wide(html! { table #lineage {
            thead { tr { th { "Depth" } th { "Tag UID" } th { "Item" } th { "Quantity" } th { "Lab testing" } th { "License" } } }
            tbody {
                @for (d, a) in &lineage.ancestors { (lineage_row(&lic, *d, a)) }
                tr { td { "·" } td.mono { strong { (p.label) } } td { (p.item_name) } td { (p.quantity) " " (p.unit_of_measure) } td { (status::lab(p.lab_testing_state)) } td.mono { (p.license_number) } }
                @for (d, c) in &lineage.descendants { (lineage_row(&lic, *d, c)) }
            }
        } }))
        p.muted { "Sources above the package, packages made from it below. Another license's packages show only what they are." }
        h2 { "Adjustments" }
        (wide(html! { table {
            thead { tr { th { "Date" } th { "Quantity" } th { "Reason" } th { "Note" } th { "By" } } }
            tbody { @for a in &adjustments { tr { td { (date(&a.adjustment_date)) } td { (a.quantity) " " (a.unit_of_measure) } td { (a.reason) } td { (a.note.clone().unwrap_or_default()) } td { (a.adjusted_by) } } } }
        } }))
        @if adjustments.is_empty() { p.muted { "No adjustments." } }
        h2 { "Lab results" }
        (wide(html! { table #results {
            thead { tr { th { "Sample" } th { "Laboratory" } th { "Test" } th { "Result" } th { "Outcome" } th { "Released" } th { "Certificate" } } }
            tbody { @for r in &results { tr {
                td.mono { (r.package_label) } td { (r.lab_name) } td { (r.test_type) @if r.research { " (R&D)" } }
                td { (r.quantity.map(|q| q.to_string()).unwrap_or_default()) }
                td { @if r.passed { span.badge.passed { "✓ Passed" } } @else { span.badge.failed { "✕ Failed" } } }
                td { (yes_no(r.released)) }
                td { @if let Some(d) = r.document_id { a href=(f.url(&format!("documents/{d}"))) { "Certificate (PDF)" } } }
            } } }
        } }))
        @if results.is_empty() { p.muted { "No lab results to show." } }
        h2 { "Journal entries for this package" }
        (entries(f.license(), f.zone, &history))
    };
    Ok(f.page(&format!("Package {}", p.label), "packages", body)
        .into_response())
}

/// `/ui/packages/{uid}`: a package by its tag UID alone, at whichever license the person may open
/// it (the address a label's QR code holds).
pub async fn by_uid(
    State(s): State<WebState>,
    signed: Signed,
    Path(uid): Path<String>,
) -> Result<Response, WebError> {
    match s.ledger.locate_package(&signed.acting, &uid).await? {
        Some((lic, id)) => {
            let to = format!("/ui/l/{}/packages/{id}", segment(&lic));
            Ok(Redirect::to(&to).into_response())
        }
        None => Err(WebError::not_found(format!(
            "No package with tag {} at the licenses you may open.",
            uid.trim()
        ))),
    }
}
