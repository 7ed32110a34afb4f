//! One package: what it is, the writes its owner may make, its lineage, adjustments, lab results
//! and journal entries.
//!
//! Everything shown comes from the scoped reads: another license's package in the lineage is its
//! label and item only (no link, nothing live), and lab results and certificates appear to the
//! owner only once the laboratory has released them.

use super::locations;
use super::words::plain;
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
use crate::urls::with_query;
use crate::when::date;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use rust_decimal::Decimal;
use tagtrail_app::actions::packages::{
    AdjustBy, ChangeItem, Create, CreateTesting, Decontaminate, Discontinue, Finish, FlagDonation,
    FlagFinishedGood, FlagTradeSample, Move, Remediate, SetDates, SetExternalIds, SetNotes,
    Unfinish, UnflagDonation, UnflagFinishedGood, UnflagTradeSample,
};
use tagtrail_app::reads::Relative;
use tagtrail_app::{Action, Definition};
use tagtrail_domain::commands::packages::check_changeable;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::quantity;
use tagtrail_domain::records::{Item, Location, Package, PackageState};
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

/// The flags a package may carry: the address part of their forms, their words, whether the
/// package carries it, and the actions that set and clear it.
fn flags(
    p: &Package,
) -> [(
    &'static str,
    &'static str,
    bool,
    &'static Definition,
    &'static Definition,
); 3] {
    [
        (
            "donation",
            "donation",
            p.is_donation,
            &FlagDonation::DEF,
            &UnflagDonation::DEF,
        ),
        (
            "trade-sample",
            "trade sample",
            p.is_trade_sample,
            &FlagTradeSample::DEF,
            &UnflagTradeSample::DEF,
        ),
        (
            "finished-good",
            "finished good",
            p.is_finished_good,
            &FlagFinishedGood::DEF,
            &UnflagFinishedGood::DEF,
        ),
    ]
}

/// "1st", "2nd": which remediation this would be.
fn nth(n: u32) -> &'static str {
    match n {
        1 => "first",
        2 => "second",
        _ => "next",
    }
}

/// What the owner may do with the package: make new packages from it, and its writes. Only what
/// the person may take and the package's state allows is offered; a refused form comes back as
/// typed, with the problem under its field.
fn actions(f: &Frame, p: &Package, base: &str, choices: &Choices) -> Markup {
    let csrf = f.csrf();
    let adjust = f.prefill(&format!("{base}/adjust"));
    let moved = f.prefill(&format!("{base}/move"));
    let noted = f.prefill(&format!("{base}/note"));
    let item = f.prefill(&format!("{base}/item"));
    let dates = f.prefill(&format!("{base}/dates"));
    let ext = f.prefill(&format!("{base}/external-id"));
    let finish = f.prefill(&format!("{base}/finish"));
    let remedy = f.prefill(&format!("{base}/remediate"));
    let decon = f.prefill(&format!("{base}/decontaminate"));
    let here = p.location_name.clone().unwrap_or_default();
    let frozen = check_changeable(p).err();
    let failed = p.lab_testing_state.failed();
    let unit_type = quantity::unit(&p.unit_of_measure).map(|u| u.quantity_type);
    let other_items: Vec<&Item> = choices
        .items
        .iter()
        .filter(|i| i.name != p.item_name)
        .filter(|i| reference::item_category(&i.category).map(|c| c.quantity_type) == unit_type)
        .collect();
    let from = with_query(&f.url("packages/new"), &[("from", &p.id.to_string())]);
    let sample = with_query(&f.url("packages/sample"), &[("from", &p.id.to_string())]);
    let date_of = |d: &Option<String>| d.clone().unwrap_or_default();
    html! {
        h2 { "Actions" }
        section.card.actions #actions aria-label="Actions on this package" {
            @if p.state == PackageState::Finished {
                p { "Finished packages are kept for the record. Unfinish it to record anything more (rule 33)." }
                @if f.can(&Unfinish::DEF) {
                    form method="post" action={ (base) "/unfinish" } {
                        (csrf_field(csrf))
                        (confirm::button("Unfinish", &format!("Package {} returns to active inventory with {} {}.", p.label, p.quantity, p.unit_of_measure)))
                    }
                }
            } @else if let Some(why) = &frozen {
                p.muted #frozen { (plain(why)) " Nothing can be recorded on it now." }
            } @else {
                @if p.quantity > Decimal::ZERO && (f.can(&Create::DEF) || f.can(&CreateTesting::DEF)) {
                    p.make {
                        @if f.can(&Create::DEF) {
                            a.act href=(format!("{base}/repackage")) { "Repackage" } " "
                            a.act href=(from) { "New package from this" } " "
                        }
                        @if f.can(&CreateTesting::DEF) { a.act href=(sample) { "Testing sample" } }
                    }
                }
                @if f.can(&AdjustBy::DEF) {
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
                }
                @if f.can(&Move::DEF) {
                    form method="post" action={ (base) "/move" } {
                        (csrf_field(csrf))
                        fieldset { legend { "Move" }
                            label { "To location" select name="location" { @for l in &choices.locations { option value=(l.name) selected[moved.chosen("location", &l.name, l.name == here)] { (l.name) } } } }
                            (moved.problem(&["location"]))
                            button.act type="submit" { "Move" }
                        }
                    }
                }
                @if f.can(&ChangeItem::DEF) {
                    form #item-form method="post" action={ (base) "/item" } {
                        (csrf_field(csrf))
                        fieldset { legend { "Change the item" }
                            @if other_items.is_empty() {
                                p.muted { "No other item of this facility is measured in " (p.unit_of_measure) "." }
                            } @else {
                                label { "New item (measured like " (p.unit_of_measure) ", rule 29)" select name="item" {
                                    @for i in &other_items { option value=(i.name) selected[item.chosen("item", &i.name, false)] { (i.name) " (" (i.category) ")" } }
                                } }
                                (item.problem(&["item"]))
                                button.act type="submit" { "Change item" }
                            }
                        }
                    }
                }
                @if failed {
                    @if f.can(&Remediate::DEF) {
                        form #remediate-form method="post" action={ (base) "/remediate" } {
                            (csrf_field(csrf))
                            fieldset { legend { "Remediation" }
                                @if p.remediation_count >= 2 {
                                    p.muted { "Remediated twice already: the lot can never be released and must be destroyed (§2.5)." }
                                } @else {
                                    p.hint { "Under a corrective-action plan the DCC approved. At most twice; the lot must then pass a retest before sale." }
                                    label { "Method" input type="text" name="method" size="30" required placeholder="Re-extraction" value=(remedy.value("method", "")); }
                                    (remedy.problem(&["method"]))
                                    label { "Date (blank: today)" input type="date" name="date" value=(remedy.value("date", "")); }
                                    (remedy.problem(&["date", "remediat"]))
                                    (confirm::button("Record remediation", &format!(
                                        "Package {} ({} {}) is recorded as remediated for the {} time of at most two; its lab testing state becomes Remediated and it must pass a retest before sale.",
                                        p.label, p.quantity, p.unit_of_measure, nth(p.remediation_count + 1))))
                                }
                            }
                        }
                    }
                    @if f.can(&Decontaminate::DEF) {
                        form #decontaminate-form method="post" action={ (base) "/decontaminate" } {
                            (csrf_field(csrf))
                            fieldset { legend { "Decontamination" }
                                label { "Method" input type="text" name="method" size="30" required value=(decon.value("method", "")); }
                                (decon.problem(&["method"]))
                                label { "Date (blank: today)" input type="date" name="date" value=(decon.value("date", "")); }
                                (decon.problem(&["date", "decontaminat"]))
                                (confirm::button("Record decontamination", &format!(
                                    "Package {} ({} {}) is recorded as decontaminated; its lab testing state becomes Decontaminated.",
                                    p.label, p.quantity, p.unit_of_measure)))
                            }
                        }
                    }
                }
                @if f.can(&SetNotes::DEF) {
                    form method="post" action={ (base) "/note" } {
                        (csrf_field(csrf))
                        fieldset { legend { "Note" }
                            label { "Note on the package" input type="text" name="note" size="40" value=(noted.value("note", &p.note.clone().unwrap_or_default())); }
                            (noted.problem(&["note"]))
                            button.act type="submit" { "Save note" }
                        }
                    }
                }
                @if f.can(&SetDates::DEF) {
                    form #dates-form method="post" action={ (base) "/dates" } {
                        (csrf_field(csrf))
                        fieldset { legend { "Expiration, sell-by and use-by dates" }
                            label { "Expiration date" input type="date" name="expiration" value=(dates.value("expiration", &date_of(&p.expiration_date))); }
                            (dates.problem(&["Expiration"]))
                            label { "Sell-by date" input type="date" name="sell_by" value=(dates.value("sell_by", &date_of(&p.sell_by_date))); }
                            (dates.problem(&["Sell-by"]))
                            label { "Use-by date" input type="date" name="use_by" value=(dates.value("use_by", &date_of(&p.use_by_date))); }
                            (dates.problem(&["Use-by"]))
                            button.act type="submit" { "Save dates" }
                        }
                    }
                }
                @if f.can(&SetExternalIds::DEF) {
                    form method="post" action={ (base) "/external-id" } {
                        (csrf_field(csrf))
                        fieldset { legend { "External identifier" }
                            label { "Your own identifier (blank clears it)" input type="text" name="external_id" size="24" value=(ext.value("external_id", &date_of(&p.external_id))); }
                            (ext.problem(&["identifier"]))
                            button.act type="submit" { "Save identifier" }
                        }
                    }
                }
                @let offered: Vec<_> = flags(p).into_iter().filter(|(_, _, on, set, clear)| if *on { f.can(clear) } else { f.can(set) }).collect();
                @if !offered.is_empty() {
                    fieldset.flags { legend { "Flags" }
                        @for (slug, words, on, _, _) in &offered {
                            @if *on {
                                form.inline method="post" action={ (base) "/" (slug) "-off" } { (csrf_field(csrf)) button.act type="submit" { "Clear the " (words) " flag" } }
                            } @else if failed && *slug != "finished-good" {
                                // A failed lot may not be sold, given away or sampled for trade
                                // (rules 49, 55): not offered.
                            } @else {
                                form.inline method="post" action={ (base) "/" (slug) "-on" } { (csrf_field(csrf)) button.act type="submit" { "Flag as " (words) } }
                            }
                            " "
                        }
                        @if failed { p.muted { "A lot that failed its tests is not offered as a donation or trade sample." } }
                    }
                }
                @if p.quantity.is_zero() && f.can(&Finish::DEF) {
                    form #finish-form method="post" action={ (base) "/finish" } {
                        (csrf_field(csrf))
                        fieldset { legend { "Finish (the package is empty)" }
                            label { "Finished on (blank: today)" input type="date" name="date" value=(finish.value("date", "")); }
                            (finish.problem(&["date"]))
                            (confirm::button("Finish", &format!("Package {} is finished and leaves active inventory.", p.label)))
                        }
                    }
                }
                @if f.can(&Discontinue::DEF) {
                    form #discontinue-form method="post" action={ (base) "/discontinue" } {
                        (csrf_field(csrf))
                        fieldset { legend { "Created in error?" }
                            (confirm::button("Discontinue", &format!(
                                "Package {} ({} {}) is discontinued and leaves inventory for good; its tag is not freed, and what it took from its sources is not returned.",
                                p.label, p.quantity, p.unit_of_measure)))
                        }
                    }
                }
            }
        }
    }
}

/// What the owner's forms choose from.
pub struct Choices {
    pub locations: Vec<Location>,
    pub items: Vec<Item>,
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
    let choices = if mine {
        Choices {
            locations: locations(&s, &f.scope).await?,
            items: if f.can(&ChangeItem::DEF) {
                super::create::items(&s, &f.scope).await?
            } else {
                vec![]
            },
        }
    } else {
        Choices {
            locations: vec![],
            items: vec![],
        }
    };
    let base = f.url(&format!("packages/{}", p.id));
    let body = html! {
        (status::banner(&p))
        h1.mono { (p.label) }
        (notices(f.flash()))
        p.page-links { a #label-link href=(format!("{base}/label")) { "Print label" } " (4 × 2 in, with barcode and QR code)" }
        div.card { table.fields #facts {
            tr { th { "Item" } td { (p.item_name) " (" (p.item_category) ")" } th { "Quantity" } td { (p.quantity) " " (p.unit_of_measure) " of " (p.original_quantity) } }
            tr { th { "Location" } td { (p.location_name.clone().unwrap_or_default()) @if let Some(sub) = &p.sublocation_name { " / " (sub) } } th { "Lab testing" } td #lab-state { (status::lab(p.lab_testing_state)) " since " (date(&p.lab_testing_state_date)) } }
            tr { th { "Packaged by" } td { span.mono { (p.packaged_by_license) } " " span.muted { (p.packaged_by_name) } } th { "Packaged" } td { (date(&p.packaged_date)) } }
            tr { th { "State" } td { (status::package(&p)) @if let Some(r) = p.hold_reason.as_ref().filter(|_| p.on_hold) { " " (r) } } th { "Finished" } td { (p.finished_date.as_deref().map(date).unwrap_or_default()) } }
            tr { th { "Testing sample" } td { (yes_no(p.is_testing_sample)) @if let Some(l) = &p.lab_license { " sent to " span.mono { (l) } } } th { "Remediations" } td { (p.remediation_count) } }
            tr { th { "Note" } td colspan="3" { (p.note.clone().unwrap_or_default()) } }
            tr { th { "Last changed" } td colspan="3" { (f.when(&p.last_modified)) } }
        } }
        @if mine { (actions(&f, &p, &base, &choices)) }
        (crate::cultivation::source_harvests(&f, &p))
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
        (super::origins::table(&f, &lineage.origins))
        (super::origins::grown_into(&f, &lineage.grown_into))
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
