//! One package: what it is, the writes its owner may make, its lineage, adjustments, lab results
//! and journal entries.
//!
//! Everything shown comes from the scoped reads: another license's package in the lineage is its
//! label and item only (no link, nothing live), and lab results and certificates appear to the
//! owner only once the laboratory has released them.

use super::locations;
use crate::WebState;
use crate::error::Page;
use crate::frame::{Frame, Notice};
use crate::layout::{csrf_field, flash, wide, yes_no};
use crate::pages::journal::entries;
use crate::session::Signed;
use axum::extract::{Path, Query, State};
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
                td.mono { a href={ "/ui/l/" (lic) "/packages/" (p.id) } { (p.label) } } td { (p.item_name) }
                td { (p.quantity) " " (p.unit_of_measure) } td { (p.lab_testing_state.name()) } td.mono { (p.license_number) }
            }
            Relative::Other { label, item } => {
                td.mono { (label) } td { (item) }
                td.muted colspan="3" { "another license's package" }
            }
        }
    } }
}

fn state_name(s: PackageState) -> &'static str {
    match s {
        PackageState::Active => "Active",
        PackageState::InTransit => "In transit",
        PackageState::Finished => "Finished",
        PackageState::Discontinued => "Discontinued",
    }
}

/// The owner's writes on the package.
fn actions(
    f: &Frame,
    p: &Package,
    base: &str,
    locations: &[tagtrail_domain::records::Location],
) -> Markup {
    let csrf = f.csrf();
    html! {
        h2 { "Actions" }
        div.card {
            @if p.state == PackageState::Finished {
                form.inline method="post" action={ (base) "/unfinish" } { (csrf_field(csrf)) button.act type="submit" { "Unfinish" } }
            } @else {
                form method="post" action={ (base) "/adjust" } {
                    (csrf_field(csrf))
                    "Adjust by " input type="text" name="quantity" size="6" placeholder="-1.5" required; " " (p.unit_of_measure) " · reason "
                    select name="reason" { @for r in reference::ADJUST_REASONS { option value=(r.name) { (r.name) @if r.requires_note { " (note required)" } } } }
                    " " input type="text" name="note" placeholder="Note"; " " button.act type="submit" { "Adjust" }
                }
                p {}
                form method="post" action={ (base) "/move" } {
                    (csrf_field(csrf))
                    "Move to " select name="location" { @for l in locations { option value=(l.name) { (l.name) } } }
                    " " button.act type="submit" { "Move" }
                }
                p {}
                form method="post" action={ (base) "/note" } {
                    (csrf_field(csrf))
                    input type="text" name="note" size="40" value=(p.note.clone().unwrap_or_default()) placeholder="Note"; " " button.act type="submit" { "Save note" }
                }
                @if p.quantity.is_zero() {
                    p {} form.inline method="post" action={ (base) "/finish" } { (csrf_field(csrf)) button.act type="submit" { "Finish" } }
                }
            }
        }
    }
}

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    Query(n): Query<Notice>,
) -> Page {
    let f = Frame::of(&s, signed, &license, &[Permission::ViewPackages]).await?;
    let lic = f.license().to_string();
    let p = s.ledger.package_seen(&f.scope, id).await?;
    let lineage = s.ledger.lineage(&f.scope, p.clone(), DEPTH).await?;
    let adjustments = s.ledger.adjustments(&f.scope, &p).await?;
    let results = s.ledger.lab_results(&f.scope, p.id).await?;
    let history = s.ledger.package_history(&f.scope, p.id, 50).await?;
    let mine = p.license_number == lic;
    let locations = if mine {
        locations(&s, &f.scope).await?
    } else {
        vec![]
    };
    let base = format!("/ui/l/{lic}/packages/{}", p.id);
    Ok(f.page(
        &format!("Package {}", p.label),
        "packages",
        html! {
            h1.mono { (p.label) }
            (flash(n.msg.as_deref(), false))
            (flash(n.err.as_deref(), true))
            div.card { table.fields {
                tr { th { "Item" } td { (p.item_name) " (" (p.item_category) ")" } th { "Quantity" } td { (p.quantity) " " (p.unit_of_measure) " of " (p.original_quantity) } }
                tr { th { "Location" } td { (p.location_name.clone().unwrap_or_default()) @if let Some(sub) = &p.sublocation_name { " / " (sub) } } th { "Lab testing state" } td { (p.lab_testing_state.name()) " since " (p.lab_testing_state_date) } }
                tr { th { "Packaged by" } td.mono { (p.packaged_by_license) " " span.muted { (p.packaged_by_name) } } th { "Packaged" } td { (p.packaged_date) } }
                tr { th { "State" } td { (state_name(p.state)) @if p.on_hold { " " span.pill.warn { "on hold: " (p.hold_reason.clone().unwrap_or_default()) } } } th { "Finished" } td { (p.finished_date.clone().unwrap_or_default()) } }
                tr { th { "Testing sample" } td { (yes_no(p.is_testing_sample)) @if let Some(l) = &p.lab_license { " sent to " span.mono { (l) } } } th { "Remediations" } td { (p.remediation_count) } }
                tr { th { "Note" } td colspan="3" { (p.note.clone().unwrap_or_default()) } }
            } }
            @if mine { (actions(&f, &p, &base, &locations)) }
            h2 { "Lineage" }
            (wide(html! { table #lineage {
                thead { tr { th { "Depth" } th { "Label" } th { "Item" } th { "Quantity" } th { "Lab state" } th { "License" } } }
                tbody {
                    @for (d, a) in &lineage.ancestors { (lineage_row(&lic, *d, a)) }
                    tr { td { "·" } td.mono { strong { (p.label) } } td { (p.item_name) } td { (p.quantity) " " (p.unit_of_measure) } td { (p.lab_testing_state.name()) } td.mono { (p.license_number) } }
                    @for (d, c) in &lineage.descendants { (lineage_row(&lic, *d, c)) }
                }
            } }))
            p.muted { "Sources above the package, packages made from it below. Another license's packages show only what they are." }
            h2 { "Adjustments" }
            (wide(html! { table {
                thead { tr { th { "Date" } th { "Quantity" } th { "Reason" } th { "Note" } th { "By" } } }
                tbody { @for a in &adjustments { tr { td { (a.adjustment_date) } td { (a.quantity) " " (a.unit_of_measure) } td { (a.reason) } td { (a.note.clone().unwrap_or_default()) } td { (a.adjusted_by) } } } }
            } }))
            h2 { "Lab results" }
            (wide(html! { table #results {
                thead { tr { th { "Sample" } th { "Laboratory" } th { "Test" } th { "Result" } th { "Passed" } th { "Released" } th { "COA" } } }
                tbody { @for r in &results { tr {
                    td.mono { (r.package_label) } td { (r.lab_name) } td { (r.test_type) @if r.research { " (R&D)" } }
                    td { (r.quantity.map(|q| q.to_string()).unwrap_or_default()) } td { (yes_no(r.passed)) } td { (yes_no(r.released)) }
                    td { @if let Some(d) = r.document_id { a href={ "/ui/l/" (lic) "/documents/" (d) } { "PDF" } } }
                } } }
            } }))
            @if results.is_empty() { p.muted { "No lab results to show." } }
            h2 { "Journal entries for this package" }
            (entries(&history, false))
        },
    ))
}
