//! The editor form.

use super::super::directory::{Choices, Known};
use super::super::title;
use super::draft::Draft;
use crate::layout::{csrf_field, notices, wide};
use maud::{Markup, html};
use std::collections::HashSet;
use tagtrail_domain::commands::transfers::TRANSFER_TYPES;
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::quantity::{QuantityType, UNITS};
use tagtrail_domain::records::{Facility, Transfer, TransferState, fold};

pub struct Editor<'a> {
    pub lic: &'a str,
    pub facility: &'a Facility,
    pub csrf: &'a str,
    pub choices: &'a Choices,
    pub editing: Option<&'a Transfer>,
    pub max: usize,
}

fn same(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

/// The value for the "other" box beside a list: what the draft names when the list does not
/// offer it.
fn other<'a>(value: &'a str, offered: impl IntoIterator<Item = &'a str>) -> &'a str {
    let value = value.trim();
    if value.is_empty() || offered.into_iter().any(|o| same(o, value)) {
        ""
    } else {
        value
    }
}

fn facility_label(f: &Known) -> Markup {
    html! {
        (f.name) " (" (f.license_number)
        @if let Some(k) = f.kind { ", " (k.as_str()) }
        ")"
    }
}

pub fn body(e: &Editor<'_>, d: &Draft, msg: Option<&str>, errors: &[String]) -> Markup {
    let lic = e.lic;
    let template = e
        .editing
        .is_some_and(|t| t.state == TransferState::Template);
    let action = match e.editing {
        Some(t) => format!("/ui/l/{lic}/transfers/{}/edit", t.id),
        None => format!("/ui/l/{lic}/transfers/new"),
    };
    let self_transports = e.facility.license_type == LicenseType::Distributor;
    let recipients: Vec<&Known> = e
        .choices
        .facilities
        .values()
        .filter(|f| !same(&f.license_number, lic))
        .collect();
    let carriers = e.choices.carriers(lic);
    let weight_units: Vec<&str> = UNITS
        .iter()
        .filter(|u| u.active && u.quantity_type == QuantityType::WeightBased)
        .map(|u| u.name)
        .collect();
    let ticked: HashSet<&str> = d.picked.iter().map(String::as_str).collect();
    let shown: HashSet<String> = e
        .choices
        .available
        .iter()
        .map(|p| p.label.to_string())
        .collect();
    let hidden: Vec<&String> = d.picked.iter().filter(|l| !shown.contains(*l)).collect();
    let heading = match e.editing {
        Some(t) => format!("Edit {}", title(t).to_lowercase()),
        None => "New transfer".to_string(),
    };
    let other_recipient = other(
        &d.recipient,
        recipients.iter().map(|f| f.license_number.as_str()),
    );
    let other_transporter = other(
        &d.transporter,
        carriers.iter().map(|f| f.license_number.as_str()),
    );
    let other_driver = other(
        &d.driver,
        e.choices
            .drivers
            .iter()
            .map(|x| x.drivers_license_number.as_str()),
    );
    let other_vehicle = other(
        &d.vehicle,
        e.choices.vehicles.iter().map(|v| v.plate.as_str()),
    );
    html! {
        h1 { (heading) " · " (e.facility.name) }
        (notices(msg, errors))
        form #editor method="post" enctype="multipart/form-data" action=(action) {
            (csrf_field(e.csrf))
            div.card {
                table.fields {
                    @if e.editing.is_none() || template {
                        tr { th { label for="name" { "Template name" } } td colspan="3" {
                            input #name type="text" name="name" value=(d.name) size="40";
                            @if e.editing.is_none() { span.muted { " only when saving as a template" } }
                        } }
                    }
                    tr {
                        th { label for="recipient" { "Recipient" } }
                        td {
                            select #recipient name="recipient" {
                                option value="" { "— choose —" }
                                @for f in &recipients {
                                    option value=(f.license_number) selected[same(&f.license_number, &d.recipient)] { (facility_label(f)) }
                                }
                            }
                            " " input type="text" name="recipient_other" value=(other_recipient) size="16" placeholder="or license number" aria-label="Recipient license number";
                        }
                        th { label for="transfer_type" { "Type" } }
                        td { select #transfer_type name="transfer_type" {
                            @for t in TRANSFER_TYPES { option value=(t) selected[t.eq_ignore_ascii_case(&d.transfer_type)] { (t) } }
                        } }
                    }
                    tr {
                        th { label for="transporter" { "Transporter" } }
                        td colspan="3" {
                            select #transporter name="transporter" {
                                option value="" { @if self_transports { "This license (" (lic) ")" } @else { "— choose a distributor —" } }
                                @for f in carriers.iter().filter(|f| !same(&f.license_number, lic)) {
                                    option value=(f.license_number) selected[same(&f.license_number, &d.transporter)] { (f.name) " (" (f.license_number) ")" }
                                }
                            }
                            " " input type="text" name="transporter_other" value=(other_transporter) size="16" placeholder="or license number" aria-label="Transporter license number";
                            br; span.muted { "Only a distributor transports (rule 39); the driver and vehicle are the transporter's own." }
                        }
                    }
                    tr {
                        th { label for="driver" { "Driver" } }
                        td {
                            select #driver name="driver" {
                                option value="" { "— choose —" }
                                @for f in &carriers {
                                    optgroup label={ (f.name) " (" (f.license_number) ")" } {
                                        @for x in e.choices.drivers.iter().filter(|x| same(&x.carrier, &f.license_number)) {
                                            option value=(x.drivers_license_number) selected[same(&x.drivers_license_number, &d.driver)] {
                                                (x.name) " · DL " (x.drivers_license_number)
                                            }
                                        }
                                    }
                                }
                            }
                            " " input type="text" name="driver_other" value=(other_driver) size="12" placeholder="or DL number" aria-label="Driver's license number";
                        }
                        th { label for="vehicle" { "Vehicle" } }
                        td {
                            select #vehicle name="vehicle" {
                                option value="" { "— choose —" }
                                @for f in &carriers {
                                    optgroup label={ (f.name) " (" (f.license_number) ")" } {
                                        @for v in e.choices.vehicles.iter().filter(|v| same(&v.carrier, &f.license_number)) {
                                            option value=(v.plate) selected[same(&v.plate, &d.vehicle)] {
                                                (v.make) " " (v.model) " · " (v.plate)
                                            }
                                        }
                                    }
                                }
                            }
                            " " input type="text" name="vehicle_other" value=(other_vehicle) size="10" placeholder="or plate" aria-label="Vehicle plate";
                        }
                    }
                    tr {
                        th { label for="departure" { "Estimated departure" } }
                        td { input #departure type="datetime-local" name="departure" value=(d.departure); }
                        th { label for="arrival" { "Estimated arrival" } }
                        td { input #arrival type="datetime-local" name="arrival" value=(d.arrival); }
                    }
                    tr {
                        th { label for="route" { "Planned route" } }
                        td colspan="3" { textarea #route name="route" rows="2" cols="60" { (d.route) } }
                    }
                    tr {
                        th { label for="invoice" { "Invoice number" } }
                        td { input #invoice type="text" name="invoice" value=(d.invoice); }
                        th { label for="phone" { "Phone for questions" } }
                        td { input #phone type="text" name="phone" value=(d.phone); }
                    }
                }
            }
            h2 { "Packages" }
            div.card {
                p {
                    label { "Add " input.n type="number" name="add_n" min="1" max=(e.max) value=(d.add_n); " packages " }
                    button.act type="submit" name="op" value="add" formnovalidate { "Add" }
                    span.muted { " ticks the next packages below at once · " (d.picked.len()) " of at most " (e.max) " ticked (rule 47)" }
                }
                @if e.editing.is_none() {
                    p { "Or give the packages as a list, which replaces the ticks: a CSV or TXT file with one column of package tag UIDs (bulletin IV)." }
                    p { label { "Package list file " input type="file" name="file" accept=".csv,.txt,text/csv,text/plain"; } }
                    p { label { "…or paste the UIDs, one per line" br; textarea name="list" rows="3" cols="40" { (d.list) } } }
                } @else {
                    p.muted { "To replace the packages from a CSV or TXT list of UIDs, use the upload on the transfer's page." }
                }
                (wide(html! { table #packages {
                    thead { tr { th { "Ship" } th { "Tag UID" } th { "Item" } th { "Quantity" } th { "Lab testing" } th { "Location" } th { "Wholesale price" } th { "Gross weight" } } }
                    tbody {
                        @for p in &e.choices.available {
                            @let label = p.label.to_string();
                            tr {
                                td { input type="checkbox" name="pick" value=(label) checked[ticked.contains(label.as_str())] aria-label={ "Ship " (label) }; }
                                td.mono { (label) }
                                td { (p.item_name) }
                                td { (p.quantity) " " (p.unit_of_measure) }
                                td { (crate::status::lab(p.lab_testing_state)) @if p.on_hold { " " span.badge.hold { "⏸ On hold" } } }
                                td { (p.location_name.clone().unwrap_or_default()) }
                                td { input type="text" inputmode="decimal" name={ "price_" (label) } size="7" value=(d.prices.get(&label).cloned().unwrap_or_default()) aria-label={ "Wholesale price of " (label) }; }
                                td {
                                    input type="text" inputmode="decimal" name={ "weight_" (label) } size="6" value=(d.weights.get(&label).cloned().unwrap_or_default()) aria-label={ "Gross weight of " (label) };
                                    " " select name={ "unit_" (label) } aria-label={ "Unit of the gross weight of " (label) } {
                                        @for u in &weight_units { option value=(u) selected[d.units.get(&label).is_some_and(|x| x.eq_ignore_ascii_case(u))] { (u) } }
                                    }
                                }
                            }
                        }
                        // Ticked labels that are not (or no longer) in the shipper's free
                        // inventory stay ticked, so that saving names the problem.
                        @for label in &hidden { tr {
                            td { input type="checkbox" name="pick" value=(label) checked aria-label={ "Ship " (label) }; }
                            td.mono { (label) } td colspan="6" { span.pill.warn { "not in your available inventory" } }
                        } }
                    }
                } }))
                @if e.choices.available.is_empty() { p.muted { "No active, unheld packages are free to ship." } }
            }
            p {
                @match e.editing {
                    None => {
                        button.act type="submit" name="op" value="save" { "Register transfer" } " "
                        button.act type="submit" name="op" value="template" { "Save as template" }
                    }
                    Some(t) => {
                        button.act type="submit" name="op" value="save" { "Save changes" } " "
                        a href={ "/ui/l/" (lic) "/transfers/" (t.id) } { "Cancel" }
                    }
                }
            }
        }
    }
}
