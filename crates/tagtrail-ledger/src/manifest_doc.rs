//! The printable shipping manifest, as a PDF and as an HTML page.
//!
//! California requires the manifest to travel with the load (cctt-rules rule 40), so both forms
//! carry the same content: the three licensees with license numbers and premises addresses, the
//! trip times, the driver and vehicle, and every package with its UID, item and quantity. Both
//! renderers read one shared description of the document (`sections` and `rows`) so the PDF
//! and the HTML cannot drift apart.

use crate::pdf;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use rust_decimal::Decimal;
use tagtrail_domain::records::{Party, ShipmentState, Transfer, TransferPackage, TransferState};

/// Shown where a value the manifest must carry is missing, so a gap is visible on paper rather
/// than silently left blank. ASCII because the PDF writer only has ASCII glyphs.
const MISSING: &str = "-";

/// The PDF of the manifest, with the packages in the order given.
pub fn manifest_pdf(t: &Transfer, lines: &[TransferPackage]) -> Vec<u8> {
    let mut out: Vec<pdf::Line> = Vec::new();
    let mut push = |size: u8, text: String| out.push(pdf::Line::new(size, text));

    push(TITLE, "Shipping Manifest".into());
    if is_voided(t) {
        push(TITLE, "*** VOIDED - NOT VALID FOR TRANSPORT ***".into());
    }
    for s in sections(t) {
        push(BODY, String::new());
        push(HEADING, s.title.into());
        for f in &s.fields {
            for l in pack(&[format!("{}: {}", f.label, f.value)], BODY, "", INDENT) {
                push(BODY, l);
            }
        }
    }

    push(BODY, String::new());
    push(HEADING, format!("Packages ({})", lines.len()));
    for r in rows(lines) {
        // The rule 40 essentials lead, so a reader scanning the list finds UID, item and
        // quantity on one line; the rest follows indented beneath.
        let ident = [
            format!("{}. Package UID: {}", r.n, r.uid),
            format!("Item: {}", r.item),
            format!("Quantity: {}", r.quantity),
        ];
        for l in pack(&ident, SMALL, "", INDENT) {
            push(SMALL, l);
        }
        let detail: Vec<String> = r
            .details()
            .into_iter()
            .map(|(label, value)| format!("{label}: {value}"))
            .collect();
        for l in pack(&detail, SMALL, INDENT, INDENT) {
            push(SMALL, l);
        }
        // The receipt outcome gets its own line so accepted and rejected packages stand out.
        let receipt: Vec<String> = r
            .receipt()
            .into_iter()
            .map(|(label, value)| format!("{label}: {value}"))
            .collect();
        for l in pack(&receipt, SMALL, INDENT, INDENT) {
            push(SMALL, l);
        }
    }
    if lines.is_empty() {
        push(BODY, "No packages.".into());
    }

    pdf::render(&format!("Shipping Manifest {}", t.manifest_number), &out)
}

/// A self-contained printable HTML page of the manifest (no external styles or scripts).
pub fn manifest_html(t: &Transfer, lines: &[TransferPackage]) -> String {
    let sections = sections(t);
    let rows = rows(lines);
    let title = format!("Shipping Manifest {}", t.manifest_number);
    let doc: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "Shipping Manifest" }
                @if is_voided(t) {
                    p.voided role="alert" { "VOIDED \u{2014} not valid for transport" }
                }
                div.sections {
                    @for s in &sections {
                        section class=@if s.party { "party" } @else { "info" } {
                            h2 { (s.title) }
                            dl {
                                @for f in &s.fields {
                                    dt { (f.label) }
                                    dd { (f.value) }
                                }
                            }
                        }
                    }
                }
                h2 { "Packages (" (rows.len()) ")" }
                @if rows.is_empty() {
                    p { "No packages." }
                } @else {
                    table {
                        thead {
                            tr {
                                th { "#" }
                                th { "Package UID" }
                                th { "Item" }
                                th { "Category" }
                                th { "Type" }
                                th.num { "Quantity" }
                                th.num { "Gross Weight" }
                                th.num { "Wholesale Price" }
                                th { "Lab Testing" }
                                th { "Batch No." }
                                th { "Shipment" }
                            }
                        }
                        tbody {
                            @for r in &rows {
                                tr class=@if r.state == Some(ShipmentState::Rejected) { "rejected" } {
                                    td { (r.n) }
                                    td.mono { (r.uid) }
                                    td { (r.item) @if let Some(d) = &r.designation { br; small { (d) } } }
                                    td { (r.category) }
                                    td { (r.package_type) }
                                    td.num { (r.quantity) }
                                    td.num { (r.gross.as_deref().unwrap_or("")) }
                                    td.num { (r.price.as_deref().unwrap_or("")) }
                                    td { (r.lab) }
                                    td { (r.batch.as_deref().unwrap_or("")) }
                                    td {
                                        @if let Some(s) = r.state {
                                            strong { (s.as_str()) }
                                            @if let Some(q) = &r.received { br; "Received Quantity: " (q) }
                                            @if let Some(why) = &r.reason { br; "Rejection Reason: " (why) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    doc.into_string()
}

/// The download name of the manifest PDF, e.g. `Manifest-0000000012.pdf`.
///
/// Only ASCII letters, digits, `-` and `_` survive, because the name goes into a
/// `Content-Disposition` header and onto users' disks. A template has no manifest number, so it
/// is named by its id instead.
pub fn file_name(t: &Transfer) -> String {
    let safe: String = t
        .manifest_number
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        format!("Manifest-Template-{}.pdf", t.id)
    } else {
        format!("Manifest-{safe}.pdf")
    }
}

const TITLE: u8 = 16;
const HEADING: u8 = 12;
const BODY: u8 = 10;
const SMALL: u8 = 9;
const INDENT: &str = "    ";

/// Usable width of a US Letter page with the writer's 50 pt left margin and a matching right one.
const TEXT_WIDTH_PT: f32 = 512.0;

/// Advance widths of Helvetica's printable ASCII glyphs (space to `~`) in 1/1000 em, from the
/// Adobe AFM. The writer shows every other character as `?`, so this covers all it prints; real
/// widths let a line use the whole page instead of a cautious guess.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // ' '..'/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584,
    556, // '0'..'?'
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722,
    778, // '@'..'O'
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
    556, // 'P'..'_'
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556,
    556, // '`'..'o'
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // 'p'..'~'
];

/// The printed width of `text` at `size` points, as the writer will show it.
fn text_width(text: &str, size: u8) -> f32 {
    let em: u32 = text
        .chars()
        .map(|c| {
            let i = (c as u32).wrapping_sub(32) as usize;
            // Anything outside the table prints as '?'.
            u32::from(HELVETICA.get(i).copied().unwrap_or(556))
        })
        .sum();
    em as f32 * f32::from(size) / 1000.0
}

fn fits(text: &str, size: u8) -> bool {
    text_width(text, size) <= TEXT_WIDTH_PT
}

/// Lays `fields` out left to right, several per line where they fit, because the PDF writer does
/// not wrap and text past the margin is lost off the page. A field too long for a line is
/// word-wrapped, and a word too long for a line is cut. The first line starts with `first`, the
/// continuations with `rest`.
fn pack(fields: &[String], size: u8, first: &str, rest: &str) -> Vec<String> {
    const GAP: &str = "   ";
    fn break_line(out: &mut Vec<String>, cur: &mut String, rest: &str) {
        out.push(std::mem::replace(cur, rest.to_string()));
    }
    let fits_with = |cur: &str, sep: &str, more: &str| fits(&format!("{cur}{sep}{more}"), size);
    let mut out: Vec<String> = Vec::new();
    let mut cur = first.to_string();
    // True while `cur` holds nothing but its prefix.
    let mut bare = true;
    for f in fields {
        let f = f.trim();
        if f.is_empty() {
            continue;
        }
        if !bare {
            if fits_with(&cur, GAP, f) {
                cur.push_str(GAP);
                cur.push_str(f);
                continue;
            }
            break_line(&mut out, &mut cur, rest);
            bare = true;
        }
        if fits_with(&cur, "", f) {
            cur.push_str(f);
            bare = false;
            continue;
        }
        for word in f.split_whitespace() {
            let sep = if bare { "" } else { " " };
            if fits_with(&cur, sep, word) {
                cur.push_str(sep);
                cur.push_str(word);
                bare = false;
                continue;
            }
            if !bare {
                break_line(&mut out, &mut cur, rest);
                bare = true;
            }
            let mut buf = [0u8; 4];
            for c in word.chars() {
                if !bare && !fits_with(&cur, "", c.encode_utf8(&mut buf)) {
                    break_line(&mut out, &mut cur, rest);
                }
                cur.push(c);
                bare = false;
            }
        }
    }
    if !bare {
        out.push(cur);
    }
    out
}

const STYLE: &str = r#"
@page{size:letter;margin:12mm}
*{box-sizing:border-box}
body{margin:1.5rem;font:13px/1.4 Helvetica,Arial,sans-serif;color:#111}
h1{font-size:1.5rem;margin:0 0 .6rem}
h2{font-size:1rem;margin:1rem 0 .3rem;border-bottom:1px solid #999}
.voided{border:3px solid #a00;color:#a00;font-size:1.4rem;font-weight:700;text-align:center;padding:.4rem;letter-spacing:.1em}
.sections{display:grid;grid-template-columns:repeat(3,1fr);gap:0 1.2rem}
.sections .info{grid-column:span 3}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:0}
dt{font-weight:700}dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;font-size:12px}
thead{display:table-header-group}
th,td{border:1px solid #999;padding:.2rem .35rem;text-align:left;vertical-align:top}
th{background:#eee}.num{text-align:right}.mono{font-family:Menlo,Consolas,monospace;white-space:nowrap}
tr{page-break-inside:avoid}tr.rejected td{background:#fbeaea}
@media print{body{margin:0}}
"#;

fn is_voided(t: &Transfer) -> bool {
    t.voided || t.state == TransferState::Voided
}

struct Field {
    label: &'static str,
    value: String,
}

struct Section {
    title: &'static str,
    /// One of the licensees, which the HTML sets side by side.
    party: bool,
    fields: Vec<Field>,
}

fn required(v: &str) -> String {
    let v = v.trim();
    if v.is_empty() {
        MISSING.into()
    } else {
        v.into()
    }
}

/// Adds `label` only when the value is present: these are the fields rule 40 does not require,
/// and printing empty ones would clutter the document.
fn optional(fields: &mut Vec<Field>, label: &'static str, v: Option<&str>) {
    if let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) {
        fields.push(Field {
            label,
            value: v.into(),
        });
    }
}

fn field(label: &'static str, value: String) -> Field {
    Field { label, value }
}

fn party(title: &'static str, p: &Party) -> Section {
    Section {
        title,
        party: true,
        fields: vec![
            field("Name", required(&p.name)),
            field("License No.", required(&p.license_number)),
            field(
                "Premises Address",
                required(p.address.as_deref().unwrap_or("")),
            ),
        ],
    }
}

/// The manifest's state in words. Metrc's list name (`Rejected`) would hide that the receipt
/// happened, so the state is spelled out with the rejection count beside it.
fn status(t: &Transfer) -> String {
    let mut s = if is_voided(t) {
        TransferState::Voided.as_str().to_string()
    } else {
        t.state.as_str().to_string()
    };
    if t.rejected_count > 0 {
        s.push_str(&format!("; rejected packages: {}", t.rejected_count));
        if t.rejected_returned_at.is_some() {
            s.push_str("; returned to shipper");
        }
    }
    s
}

fn sections(t: &Transfer) -> Vec<Section> {
    let mut manifest = vec![
        field("Manifest No.", required(&t.manifest_number)),
        field("Transfer Type", required(&t.transfer_type)),
        field("Status", status(t)),
    ];
    if t.state == TransferState::Template {
        optional(&mut manifest, "Template", t.name.as_deref());
    }
    optional(&mut manifest, "Invoice No.", t.invoice_number.as_deref());
    optional(
        &mut manifest,
        "Phone for Questions",
        t.phone_for_questions.as_deref(),
    );
    let contains: Vec<&str> = [
        (t.contains_testing_sample, "Testing Sample"),
        (t.contains_trade_sample, "Trade Sample"),
        (t.contains_donation, "Donation"),
        (t.contains_remediation, "Remediated Product"),
    ]
    .into_iter()
    .filter_map(|(on, what)| on.then_some(what))
    .collect();
    if !contains.is_empty() {
        manifest.push(field("Contains", contains.join(", ")));
    }
    manifest.push(field(
        "Created",
        format!("{} by {}", required(&t.created_at), required(&t.created_by)),
    ));

    let mut schedule = vec![
        field("Est. Departure", required(&t.estimated_departure)),
        field("Est. Arrival", required(&t.estimated_arrival)),
    ];
    optional(
        &mut schedule,
        "Actual Departure",
        t.actual_departure.as_deref(),
    );
    optional(&mut schedule, "Actual Arrival", t.actual_arrival.as_deref());
    optional(&mut schedule, "Received", t.received_at.as_deref());
    optional(
        &mut schedule,
        "Rejected Packages Returned",
        t.rejected_returned_at.as_deref(),
    );
    optional(&mut schedule, "Planned Route", t.planned_route.as_deref());

    let mut driver = vec![
        field("Driver", required(&t.driver_name)),
        field("Driver's License No.", required(&t.driver_license_number)),
    ];
    optional(&mut driver, "Employee ID", t.driver_employee_id.as_deref());
    driver.extend([
        field("Vehicle Make", required(&t.vehicle_make)),
        field("Vehicle Model", required(&t.vehicle_model)),
        field("License Plate", required(&t.vehicle_plate)),
    ]);

    vec![
        Section {
            title: "Manifest",
            party: false,
            fields: manifest,
        },
        party("Shipper (Originating Licensee)", &t.shipper),
        party("Transporter", &t.transporter),
        party("Recipient", &t.recipient),
        Section {
            title: "Schedule",
            party: false,
            fields: schedule,
        },
        Section {
            title: "Driver and Vehicle",
            party: false,
            fields: driver,
        },
    ]
}

/// One package line as printed.
struct Row {
    n: usize,
    uid: String,
    item: String,
    category: String,
    package_type: String,
    quantity: String,
    gross: Option<String>,
    price: Option<String>,
    lab: String,
    batch: Option<String>,
    designation: Option<String>,
    /// Set once the receiver has decided (rule 44); `Shipped` says nothing new on paper.
    state: Option<ShipmentState>,
    received: Option<String>,
    reason: Option<String>,
}

impl Row {
    /// The per-package facts after UID, item and quantity, in print order.
    fn details(&self) -> Vec<(&'static str, String)> {
        let mut d = vec![
            ("Category", self.category.clone()),
            ("Type", self.package_type.clone()),
        ];
        let opt = [
            ("Gross Weight", &self.gross),
            ("Wholesale Price", &self.price),
        ];
        d.extend(
            opt.into_iter()
                .filter_map(|(l, v)| v.clone().map(|v| (l, v))),
        );
        d.push(("Lab Testing", self.lab.clone()));
        let opt = [
            ("Batch No.", &self.batch),
            ("Designation", &self.designation),
        ];
        d.extend(
            opt.into_iter()
                .filter_map(|(l, v)| v.clone().map(|v| (l, v))),
        );
        d
    }

    /// The receiver's decision, empty until there is one.
    fn receipt(&self) -> Vec<(&'static str, String)> {
        let Some(s) = self.state else {
            return Vec::new();
        };
        let mut d = vec![("Shipment", s.as_str().to_string())];
        let opt = [
            ("Received Quantity", &self.received),
            ("Rejection Reason", &self.reason),
        ];
        d.extend(
            opt.into_iter()
                .filter_map(|(l, v)| v.clone().map(|v| (l, v))),
        );
        d
    }
}

/// A quantity without the trailing zeros the database scale adds ("10", not "10.0000").
fn qty(d: Decimal, unit: &str) -> String {
    let unit = unit.trim();
    if unit.is_empty() {
        d.normalize().to_string()
    } else {
        format!("{} {unit}", d.normalize())
    }
}

fn nonempty(v: Option<&str>) -> Option<String> {
    v.map(str::trim).filter(|v| !v.is_empty()).map(String::from)
}

fn rows(lines: &[TransferPackage]) -> Vec<Row> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let p = &l.package;
            let decided = l.shipment_state != ShipmentState::Shipped
                || l.received_quantity.is_some()
                || l.rejection_reason.is_some();
            let received = l.received_quantity.map(|q| {
                let s = qty(q, &l.shipped_unit);
                // A received quantity that differs is a variance the regulator sees (rule 44),
                // so the shipped figure is repeated next to it.
                if q == l.shipped_quantity {
                    s
                } else {
                    format!("{s} (shipped {})", l.shipped_quantity.normalize())
                }
            });
            let designation: Vec<&str> = [
                (p.is_testing_sample, "Testing Sample"),
                (p.is_trade_sample, "Trade Sample"),
                (p.is_donation, "Donation"),
                (p.product_requires_remediation, "Requires Remediation"),
            ]
            .into_iter()
            .filter_map(|(on, what)| on.then_some(what))
            .collect();
            Row {
                n: i + 1,
                uid: required(p.label.as_str()),
                item: required(&p.item_name),
                category: required(&p.item_category),
                package_type: required(&p.package_type),
                quantity: qty(l.shipped_quantity, &l.shipped_unit),
                gross: l
                    .gross_weight
                    .map(|g| qty(g, l.gross_unit.as_deref().unwrap_or(""))),
                price: l.wholesale_price.map(|p| format!("${:.2}", p.round_dp(2))),
                lab: required(&p.lab_testing_state),
                batch: nonempty(p.production_batch_number.as_deref()),
                designation: (!designation.is_empty()).then(|| designation.join(", ")),
                state: decided.then_some(l.shipment_state),
                received,
                reason: nonempty(l.rejection_reason.as_deref()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tagtrail_domain::records::Package;

    const NOW: &str = "2026-05-02T09:00:00Z";

    fn package(seq: u32, item: &str) -> Package {
        let text = format!(
            r#"{{"id": {seq}, "license_number": "C11-0000001-LIC", "label": "1A400000000000700000{seq:04}", "package_type": "Product",
            "item_id": 1, "item_name": "ITEM", "item_category": "Edible (weight - each)", "item_strain_name": null,
            "quantity": 10, "unit_of_measure": "Each", "original_quantity": 10, "location_id": null, "location_name": null,
            "sublocation_id": null, "sublocation_name": null, "note": null, "packaged_date": "2026-05-01",
            "packaged_by_license": "C11-0000001-LIC", "packaged_by_name": "D", "source_package_ids": [], "source_package_labels": [],
            "production_batch_number": "PB-7", "is_production_batch": false, "is_testing_sample": false, "is_trade_sample": false,
            "is_donation": false, "is_finished_good": false, "product_requires_remediation": false,
            "initial_lab_testing_state": "TestPassed", "lab_testing_state": "TestPassed", "lab_testing_state_date": "2026-05-01",
            "remediation_count": 0, "remediation_date": null, "decontamination_date": null, "on_hold": false, "hold_reason": null,
            "state": "Active", "finished_date": null, "expiration_date": null, "sell_by_date": null, "use_by_date": null,
            "external_id": null, "archived_date": null, "active": true, "last_modified": "{NOW}"}}"#
        );
        let mut p: Package = serde_json::from_str(&text).unwrap();
        // Set after parsing so test names need no JSON escaping.
        p.item_name = item.into();
        p
    }

    fn party(lic: &str, name: &str, addr: &str) -> Party {
        Party {
            license_number: lic.into(),
            name: name.into(),
            address: Some(addr.into()),
        }
    }

    fn transfer() -> Transfer {
        Transfer {
            id: 12,
            license_number: "C11-0000001-LIC".into(),
            manifest_number: "0000000012".into(),
            name: None,
            state: TransferState::Outgoing,
            template_id: None,
            transfer_type: "Wholesale Manifest".into(),
            shipper: party(
                "C11-0000001-LIC",
                "Green Valley Distribution",
                "1 Main St, Oakland, CA 94607",
            ),
            recipient: party(
                "C10-0000002-LIC",
                "Sunset Retail",
                "22 Ocean Ave, San Francisco, CA 94112",
            ),
            transporter: party(
                "C11-0000003-LIC",
                "Fast Freight Distribution",
                "300 Harbor Rd, Richmond, CA 94801",
            ),
            driver_name: "Luis Ortega".into(),
            driver_license_number: "D7654321".into(),
            driver_employee_id: Some("EMP-42".into()),
            vehicle_make: "Ford".into(),
            vehicle_model: "Transit".into(),
            vehicle_plate: "8TRK123".into(),
            phone_for_questions: Some("510-555-0100".into()),
            invoice_number: Some("INV-2026-77".into()),
            planned_route: Some("I-880 S to I-80 W, Bay Bridge".into()),
            estimated_departure: "2026-05-02T10:00:00Z".into(),
            estimated_arrival: "2026-05-02T11:30:00Z".into(),
            actual_departure: None,
            actual_arrival: None,
            received_at: None,
            lines: vec![1, 2],
            accepted_count: 0,
            rejected_count: 0,
            rejected_returned_at: None,
            contains_testing_sample: false,
            contains_trade_sample: false,
            contains_donation: false,
            contains_remediation: false,
            created_at: NOW.into(),
            created_by: "alice".into(),
            voided: false,
            active: true,
            last_modified: NOW.into(),
        }
    }

    fn line(id: i64, item: &str, qty: Decimal, unit: &str) -> TransferPackage {
        TransferPackage {
            id,
            license_number: "C11-0000001-LIC".into(),
            transfer_id: 12,
            recipient_license: "C10-0000002-LIC".into(),
            package: package(u32::try_from(id).unwrap(), item),
            shipped_quantity: qty,
            shipped_unit: unit.into(),
            gross_weight: None,
            gross_unit: None,
            wholesale_price: None,
            receiver_wholesale_price: None,
            shipment_state: ShipmentState::Shipped,
            received_quantity: None,
            rejection_reason: None,
            departed_at: None,
            received_at: None,
            returned_at: None,
            is_template: false,
            active: true,
            last_modified: NOW.into(),
        }
    }

    fn two_lines() -> Vec<TransferPackage> {
        let mut a = line(1, "Mango Gummies 10pk", Decimal::new(250, 1), "Each");
        a.gross_weight = Some(Decimal::new(1250, 3));
        a.gross_unit = Some("Pounds".into());
        a.wholesale_price = Some(Decimal::new(12500, 2));
        let b = line(2, "OG Kush Flower", Decimal::new(4536, 1), "Grams");
        vec![a, b]
    }

    fn pdf_text(t: &Transfer, lines: &[TransferPackage]) -> String {
        String::from_utf8(manifest_pdf(t, lines)).unwrap()
    }

    fn page_count(pdf: &str) -> usize {
        pdf.split("/Count ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .unwrap()
            .parse()
            .unwrap()
    }

    /// Rule 40: every licensee's name, license and premises address, the trip times, the
    /// driver's license, the vehicle and each package's UID, item and quantity are on the PDF.
    #[test]
    fn rule_40_pdf_carries_required_manifest_fields() {
        let t = transfer();
        let lines = two_lines();
        let pdf = pdf_text(&t, &lines);
        assert!(pdf.starts_with("%PDF"));
        for needle in [
            "Manifest No.: 0000000012",
            "Transfer Type: Wholesale Manifest",
            "C11-0000001-LIC",
            "C10-0000002-LIC",
            "C11-0000003-LIC",
            "Green Valley Distribution",
            "Sunset Retail",
            "Fast Freight Distribution",
            "1 Main St, Oakland, CA 94607",
            "22 Ocean Ave, San Francisco, CA 94112",
            "300 Harbor Rd, Richmond, CA 94801",
            "Est. Departure: 2026-05-02T10:00:00Z",
            "Est. Arrival: 2026-05-02T11:30:00Z",
            "Driver: Luis Ortega",
            "Driver's License No.: D7654321",
            "Employee ID: EMP-42",
            "Vehicle Make: Ford",
            "Vehicle Model: Transit",
            "License Plate: 8TRK123",
            "Invoice No.: INV-2026-77",
            "Phone for Questions: 510-555-0100",
            "Planned Route: I-880 S to I-80 W, Bay Bridge",
            "Package UID: 1A4000000000007000000001",
            "Package UID: 1A4000000000007000000002",
            "Item: Mango Gummies 10pk",
            "Item: OG Kush Flower",
            // Parentheses are escaped in PDF strings.
            "Category: Edible \\(weight - each\\)",
            "Quantity: 25 Each",
            "Quantity: 453.6 Grams",
            "Gross Weight: 1.25 Pounds",
            "Wholesale Price: $125.00",
            "Lab Testing: TestPassed",
        ] {
            assert!(pdf.contains(needle), "missing {needle:?}");
        }
        assert!(!pdf.contains("VOIDED"));
        assert!(!pdf.contains("Actual Departure"), "not departed yet");
        assert!(!pdf.contains("Shipment:"), "no receipt decision yet");
    }

    /// Rules 40 and 44: once the trip happened and the receiver decided, the actual times and
    /// the per-package outcome (with reason and received quantity) are printed too.
    #[test]
    fn rule_40_44_pdf_shows_actual_times_and_receipt() {
        let mut t = transfer();
        t.state = TransferState::Received;
        t.actual_departure = Some("2026-05-02T10:05:00Z".into());
        t.actual_arrival = Some("2026-05-02T11:20:00Z".into());
        t.received_at = Some("2026-05-02T12:00:00Z".into());
        t.rejected_count = 1;
        let mut lines = two_lines();
        lines[0].shipment_state = ShipmentState::Accepted;
        lines[0].received_quantity = Some(Decimal::new(24, 0));
        lines[1].shipment_state = ShipmentState::Rejected;
        lines[1].rejection_reason = Some("Damaged packaging".into());
        let pdf = pdf_text(&t, &lines);
        for needle in [
            "Actual Departure: 2026-05-02T10:05:00Z",
            "Actual Arrival: 2026-05-02T11:20:00Z",
            "Received: 2026-05-02T12:00:00Z",
            "Status: Received; rejected packages: 1",
            "Shipment: Accepted",
            "Received Quantity: 24 Each \\(shipped 25\\)",
            "Shipment: Rejected",
            "Rejection Reason: Damaged packaging",
        ] {
            assert!(pdf.contains(needle), "missing {needle:?}");
        }
        let html = manifest_html(&t, &lines);
        assert!(html.contains("Damaged packaging"));
        assert!(html.contains("Received Quantity: 24 Each (shipped 25)"));
    }

    /// Rule 47 allows 200 packages on a manifest; the document must still print them all.
    #[test]
    fn rule_40_200_packages_paginate() {
        let t = transfer();
        let lines: Vec<TransferPackage> = (1..=200)
            .map(|i| line(i, "Gummies", Decimal::from(i), "Each"))
            .collect();
        let pdf = pdf_text(&t, &lines);
        assert!(page_count(&pdf) > 1, "200 packages on one page");
        assert!(pdf.contains("200. Package UID: 1A4000000000007000000200"));
        assert!(pdf.contains("Quantity: 200 Each"));
        let html = manifest_html(&t, &lines);
        assert_eq!(html.matches("<tr").count(), 201, "header and 200 rows");
    }

    #[test]
    fn rule_40_html_carries_required_fields_and_escapes() {
        let t = transfer();
        let mut lines = two_lines();
        lines[1].package.item_name = "<script>alert('x')</script>".into();
        lines[1].rejection_reason = Some("<b>bad</b>".into());
        let html = manifest_html(&t, &lines);
        assert!(html.starts_with("<!DOCTYPE html>"));
        for needle in [
            "Manifest No.",
            "0000000012",
            "Wholesale Manifest",
            "Shipper",
            "Transporter",
            "Recipient",
            "C11-0000001-LIC",
            "C10-0000002-LIC",
            "C11-0000003-LIC",
            "1 Main St, Oakland, CA 94607",
            "22 Ocean Ave, San Francisco, CA 94112",
            "300 Harbor Rd, Richmond, CA 94801",
            "Est. Departure",
            "2026-05-02T10:00:00Z",
            "Est. Arrival",
            "Driver's License No.",
            "D7654321",
            "License Plate",
            "8TRK123",
            "Ford",
            "Transit",
            "Package UID",
            "1A4000000000007000000001",
            "1A4000000000007000000002",
            "Mango Gummies 10pk",
            "25 Each",
            "453.6 Grams",
            "1.25 Pounds",
            "$125.00",
            "TestPassed",
        ] {
            assert!(html.contains(needle), "missing {needle:?}");
        }
        assert!(!html.contains("<script>"), "item name must be escaped");
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<b>bad"));
        assert!(!html.contains("VOIDED"));
    }

    #[test]
    fn voided_manifest_is_marked() {
        let mut t = transfer();
        t.voided = true;
        t.state = TransferState::Voided;
        assert!(pdf_text(&t, &two_lines()).contains("VOIDED"));
        assert!(manifest_html(&t, &two_lines()).contains("VOIDED"));
    }

    #[test]
    fn odd_input_does_not_panic_and_stays_in_margin() {
        let mut t = transfer();
        t.manifest_number = String::new();
        t.state = TransferState::Template;
        t.name = Some("Weekly \u{2603} run".into());
        t.shipper.address = None;
        t.driver_name = String::new();
        t.voided = true;
        t.recipient.name = "Back\\slash (and parens) ".repeat(10);
        t.planned_route = Some(format!(
            "{} {}",
            "Highway 101 north then ".repeat(20),
            "X".repeat(300)
        ));
        let mut lines = two_lines();
        lines[0].package.item_name = "Caf\u{e9} \u{1F33F} ".repeat(40);
        lines[0].shipped_unit = String::new();
        let pdf = pdf_text(&t, &lines);
        assert!(pdf.starts_with("%PDF"));
        assert!(pdf.contains("Premises Address: -"));
        for l in pdf.lines().filter(|l| l.starts_with("BT /F1 ")) {
            let size: u8 = l[7..].split(' ').next().unwrap().parse().unwrap();
            let text = &l[l.find('(').unwrap() + 1..l.rfind(')').unwrap()];
            // Escapes add backslashes that do not print.
            let shown = text
                .replace("\\\\", "\\")
                .replace("\\(", "(")
                .replace("\\)", ")");
            assert!(fits(&shown, size), "line too wide at {size}pt: {shown}");
        }
        assert!(manifest_html(&t, &[]).contains("No packages."));
        assert!(pdf_text(&t, &[]).starts_with("%PDF"));
    }

    #[test]
    fn pack_keeps_short_fields_together_and_wraps_long_ones() {
        let f = ["A: 1".to_string(), "B: 2".to_string()];
        assert_eq!(pack(&f, 10, "", ""), vec!["A: 1   B: 2".to_string()]);
        let long = vec!["word ".repeat(50)];
        let out = pack(&long, 10, "", "  ");
        assert!(out.len() > 1);
        assert!(out.iter().all(|l| fits(l, 10)));
        assert!(out[1].starts_with("  word"));
        let out = pack(&["Z".repeat(500)], 9, "", "  ");
        assert!(out.iter().all(|l| fits(l, 9)));
        assert_eq!(out.iter().map(|l| l.trim().len()).sum::<usize>(), 500);
    }

    #[test]
    fn file_name_is_header_safe() {
        let mut t = transfer();
        assert_eq!(file_name(&t), "Manifest-0000000012.pdf");
        t.manifest_number = "12\"; evil/../x".into();
        assert_eq!(file_name(&t), "Manifest-12___evil____x.pdf");
        t.manifest_number = String::new();
        assert_eq!(file_name(&t), "Manifest-Template-12.pdf");
    }
}
