//! One sample: what it is, who sent it, the manifest it came on, the results so far, and (for
//! the laboratory) the result form or the release.
//!
//! The result form marks nothing for the user: each test is "Not tested" until its value is
//! typed and its outcome chosen, and shows its unit and limit beside the value. A refused entry
//! comes back with every value and outcome as typed, and says which certificate had been chosen
//! (a browser cannot put a file back into a file input).

use super::{Progress, Seen, is_lab, seen, value};
use crate::WebState;
use crate::confirm;
use crate::error::WebError;
use crate::flash::notices;
use crate::frame::Frame;
use crate::layout::csrf_field;
use crate::session::Signed;
use crate::status;
use crate::when::date;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tagtrail_app::Action;
use tagtrail_app::actions::lab::{Record, Release};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::reference::{LAB_TEST_TYPES, LabTestType};

/// The field that carries, in a refused entry kept in the session, the name of the certificate
/// that had been chosen.
pub const COA_NAME: &str = "coa_name";

/// What releasing `x`'s pending results does, in words: named sample, who will see what, and the
/// state the sample and its lot take.
pub fn release_consequence(x: &Seen) -> String {
    let p = &x.package;
    let n = x.pending().count();
    let failing = x.failing();
    let compliance = x.pending().any(|r| !r.research);
    let lots = if p.source_package_labels.is_empty() {
        "the lot it was taken from".to_string()
    } else {
        format!(
            "the lot it was taken from ({})",
            p.source_package_labels.join(", ")
        )
    };
    let outcome = if !compliance {
        "The results are research only: the sample becomes R&D testing completed and the lot keeps its lab testing state (rule 56).".to_string()
    } else if failing.is_empty() {
        format!("The sample and {lots} become Test passed (Retest passed after a remediation).")
    } else {
        format!(
            "The sample and {lots} become Test failed (Retest failed after a remediation) for {}; a failed lot may not be sold.",
            failing.join(", ")
        )
    };
    format!(
        "Releasing the {n} result(s) recorded for sample {} ({}) makes them final: {} will see every result and the certificate. {outcome}",
        p.label, p.item_name, x.sample.owner_license
    )
}

fn test_fieldset(f: &Frame, action: &str, t: &LabTestType) -> Markup {
    let pf = f.prefill(action);
    let (q, o) = (format!("q_{}", t.id), format!("o_{}", t.id));
    let limit = format!("limit_{}", t.id);
    html! {
        fieldset.test data-test=(t.name) {
            legend { (t.name)
                @if t.informational_only { " " span.badge.neutral { "Informational" } }
                @if t.research_and_development { " " span.badge.neutral { "R&D" } }
            }
            div.test-value {
                label for=(q) { span.vh { (t.name) " " } "Result (" (t.unit) ")" }
                input id=(q) type="text" name=(q) inputmode="decimal" size="9" autocomplete="off"
                    value=(pf.value(&q, "")) aria-describedby=(limit);
            }
            p.limit id=(limit) { span.muted { "Limit: " } (t.limit) }
            @if t.informational_only {
                p.muted.outcome-note { "Reported only: an informational result never fails the sample." }
            } @else {
                fieldset.outcome {
                    legend { "Outcome" span.vh { " of " (t.name) } }
                    label { input type="radio" name=(o) value="" checked[pf.chosen(&o, "", true)]; " Not tested" }
                    label.pass { input type="radio" name=(o) value="passed" checked[pf.chosen(&o, "passed", false)]; " Passed" }
                    label.fail { input type="radio" name=(o) value="failed" checked[pf.chosen(&o, "failed", false)]; " Failed" }
                }
            }
            (pf.problem(&[&format!("{}:", t.name), &format!("type {} ", t.name)]))
        }
    }
}

/// The laboratory's result form.
fn record_form(f: &Frame, x: &Seen) -> Markup {
    let action = f.url(&format!("labsamples/{}/record", x.sample.id));
    let pf = f.prefill(&action);
    let chosen = pf.value(COA_NAME, "");
    html! {
        h2 #record-results { "Record results" }
        form.card #record method="post" enctype="multipart/form-data" action=(action) {
            (csrf_field(f.csrf()))
            p.muted {
                "For each test performed, type its result and choose its outcome; nothing is marked passed for you. "
                "Tests left as Not tested are not recorded."
            }
            (pf.problem(&["at least one result", "Results were not specified"]))
            div.tests { @for t in LAB_TEST_TYPES { (test_fieldset(f, &action, t)) } }
            fieldset.coa {
                legend { "Certificate of analysis" }
                label for="coa" { "PDF, at most 5 MB (one certificate per sample, rule 54)" }
                input #coa type="file" name="coa" accept="application/pdf";
                @if !chosen.is_empty() {
                    p.field-error #coa-again role="alert" {
                        "You had chosen " strong { (chosen) } ". It was not saved because the entry was refused, and a browser cannot keep a chosen file: choose it again."
                    }
                }
                (pf.problem(&["document", "PDF"]))
            }
            button.act type="submit" { "Record results" }
        }
    }
}

fn release_form(f: &Frame, x: &Seen) -> Markup {
    let action = f.url(&format!("labsamples/{}/release", x.sample.id));
    html! {
        h2 { "Release results" }
        form.card #release method="post" action=(action) {
            (csrf_field(f.csrf()))
            p {
                (x.pending().count()) " result(s) recorded and not released. "
                @let failing = x.failing();
                @if failing.is_empty() { "None of them failed." }
                @else { strong.failed-words { "Failed: " (failing.join(", ")) "." } }
            }
            (confirm::button("Release results", &release_consequence(x)))
        }
    }
}

fn results_table(f: &Frame, x: &Seen) -> Markup {
    html! {
        // A row per result on a desktop, a card per result on a phone (no sideways scroll).
        table.stack #sample-results {
            thead { tr { th { "Test" } th { "Result" } th { "Outcome" } th { "Recorded" } th { "Released" } th { "Certificate" } } }
            tbody { @for r in &x.results {
                tr data-outcome=(if r.passed { "passed" } else { "failed" }) {
                    td data-th="Test" { div {
                        strong { (r.test_type) } @if r.research { " (R&D)" }
                        @if let Some(t) = super::test_type(&r.test_type) { br; span.muted.limit { "Limit: " (t.limit) } }
                    } }
                    td.num data-th="Result" { div { (value(r)) } }
                    td data-th="Outcome" { div {
                        @if r.informational { span.badge.neutral { "Reported" } }
                        @else if r.passed { span.badge.passed { span aria-hidden="true" { "✓ " } "Passed" } }
                        @else { span.badge.failed { span aria-hidden="true" { "✕ " } "Failed" } }
                    } }
                    td data-th="Recorded" { div { (f.when(&r.result_date)) } }
                    td data-th="Released" { div { @match &r.released_at { Some(at) => (f.when(at)), None => span.badge.testing { "Not yet" } } } }
                    td data-th="Certificate" { div { @if let Some(d) = r.document_id { a href=(f.url(&format!("documents/{d}"))) { "Certificate (PDF)" } } } }
                }
            } }
        }
        @if x.results.is_empty() {
            p.muted #no-results { @if is_lab(f) { "No results recorded yet." } @else { "No results released yet: they appear here once the laboratory releases them." } }
        }
    }
}

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let f = Frame::of(&s, signed, &license, &[Permission::ViewPackages]).await?;
    let x = seen(&s, &f, id).await?;
    let lab = is_lab(&f);
    let p = &x.package;
    let manifests = s.ledger.package_manifests(&f.scope, p).await?;
    let progress = x.progress();
    let may_record = lab && f.can(&Record::DEF);
    let may_release = lab && f.can(&Release::DEF);
    let sender = if p.packaged_by_license == x.sample.owner_license {
        p.packaged_by_name.clone()
    } else {
        String::new()
    };
    let body = html! {
        (status::banner(p))
        h1.mono { "Sample " (p.label) }
        (notices(f.flash()))
        div.card { table.fields #sample-facts {
            tr { th { "Item" } td { (p.item_name) " " span.muted { "(" (p.item_category) ")" } } }
            tr { th { "Item strain" } td { (p.item_strain_name.clone().unwrap_or_else(|| "—".into())) } }
            tr { th { "Quantity" } td { (p.quantity) " " (p.unit_of_measure) } }
            tr { th { "Lab testing" } td #sample-lab { (status::lab(p.lab_testing_state)) " since " (date(&p.lab_testing_state_date)) } }
            tr { th { "Testing" } td { (progress.words()) } }
            tr { th { "Sent by" } td { span.mono { (x.sample.owner_license) } @if !sender.is_empty() { " " (sender) } } }
            tr { th { "Laboratory" } td { (x.sample.lab_name) " " span.mono.muted { (x.sample.lab_license) } } }
            tr { th { "Received by the laboratory" } td { (f.when(&x.sample.sent_at)) } }
            tr { th { "Taken from" } td {
                @if p.source_package_labels.is_empty() { "—" }
                @for (i, l) in p.source_package_labels.iter().enumerate() {
                    @if i > 0 { ", " }
                    @if lab { span.mono { (l) } } @else { a.mono href={ "/ui/packages/" (l) } { (l) } }
                }
            } }
            @if !lab { tr { th { "Package page" } td { a href=(f.url(&format!("packages/{}", p.id))) { "The sample's package page" } } } }
        } }
        h2 { "Manifest" }
        @if manifests.is_empty() {
            p.muted { "No manifest of this sample is one this facility is a party to." }
        } @else {
            table.stack #sample-manifests {
                thead { tr { th { "Manifest" } th { "From" } th { "To" } th { "Departed" } th { "Received" } } }
                tbody { @for (line, t) in &manifests { tr {
                    td data-th="Manifest" { div { a.mono href=(f.url(&format!("transfers/{}", t.id))) { (t.manifest_number) } } }
                    td data-th="From" { div { (t.shipper.name) " " span.mono.muted { (t.shipper.license_number) } } }
                    td data-th="To" { div { (t.recipient.name) } }
                    td data-th="Departed" { div { (f.zone.maybe(line.departed_at.as_deref())) } }
                    td data-th="Received" { div { (f.zone.maybe(line.received_at.as_deref())) } }
                } } }
            }
        }
        h2 { "Results" }
        (results_table(&f, &x))
        @if matches!(progress, Progress::ToRelease(_)) && may_release { (release_form(&f, &x)) }
        @if !matches!(progress, Progress::ToRelease(_)) && may_record { (record_form(&f, &x)) }
        p { a href=(f.url("labsamples")) { "← Lab samples" } }
    };
    Ok(f.page(&format!("Sample {}", p.label), "labsamples", body)
        .into_response())
}
