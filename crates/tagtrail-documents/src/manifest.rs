//! The printable shipping manifest, as a PDF and as an HTML page.
//!
//! California requires the manifest to travel with the load (cctt-rules rule 40), so both forms
//! carry the same content: the three licensees with license numbers and premises addresses, the
//! trip times, the driver and vehicle, every package with its UID, item and quantity, and the
//! lines where the driver and the receiver sign. Both renderers read one shared description of
//! the document (`sections` and `rows`) so the PDF and the HTML cannot drift apart.
//!
//! Every field is printed as "Label: value" on one line where it fits, because that is how
//! people and parsers (the conformance suite reads the PDF's text) find a value on the page.

use crate::layout::{
    self, BODY, BODY_LEAD, CAPTION, GAP, HANG, PAD, SECTION_SPACE, SMALL, SMALL_LEAD, heading,
};
use crate::pdf::{
    self, BLACK, Band, Cell, DocumentError, Flow, Fonts, GRAY, LEFT, Op, Placed, RED, RIGHT, RULE,
    Span, WIDTH, bold, labelled, regular,
};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use rust_decimal::Decimal;
use tagtrail_domain::records::{Party, ShipmentState, Transfer, TransferPackage, TransferState};

/// Shown where a value the manifest must carry is missing, so a gap is visible on paper rather
/// than silently left blank.
const MISSING: &str = "\u{2014}";

/// The notice a voided manifest carries, on its first page and atop every other.
const VOIDED: &str = "VOIDED \u{2014} NOT VALID FOR TRANSPORT";

/// The PDF of the manifest, with the packages in the order given.
///
/// The text is embedded as Unicode, so names print as written and text extraction reads back
/// exactly "Label: value" for every field. Every page has "Page N of M" in its footer and,
/// after the first, a header naming the manifest; the last page ends with signature blocks for
/// the driver and the receiver.
pub fn manifest_pdf(t: &Transfer, lines: &[TransferPackage]) -> Result<Vec<u8>, DocumentError> {
    let fonts = pdf::fonts()?;
    let pages = layout(fonts, t, lines);
    pdf::render(fonts, &document_title(t), &footer(t), pages)
}

/// A self-contained printable HTML page of the manifest (no external styles or scripts).
pub fn manifest_html(t: &Transfer, lines: &[TransferPackage]) -> String {
    let sections = sections(t);
    let rows = rows(lines);
    let title = document_title(t);
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
                header.title {
                    h1 { "Shipping Manifest" }
                    p.number { (number_caption(t)) }
                }
                @if is_voided(t) {
                    p.voided role="alert" { (VOIDED) }
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
                section.signatures {
                    h2 { "Signatures" }
                    div.signature-grid {
                        @for b in signature_blocks(t) {
                            div.signature {
                                h3 { (b.title) }
                                p.party-line { (b.party) }
                                @for row in &b.rows {
                                    div.signature-row {
                                        @for caption in row {
                                            div.signature-line { span { (caption) } }
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

/// "Shipping Manifest 0000000012"; a template has no number yet and is named instead.
fn document_title(t: &Transfer) -> String {
    format!("Shipping Manifest {}", number_caption(t))
}

fn number_caption(t: &Transfer) -> String {
    let n = t.manifest_number.trim();
    if !n.is_empty() {
        return format!("No. {n}");
    }
    match t.name.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(name) => format!("Template: {name}"),
        None => format!("Template {}", t.id),
    }
}

fn footer(t: &Transfer) -> String {
    format!(
        "{} \u{00B7} {} to {}",
        document_title(t),
        required(&t.shipper.license_number),
        required(&t.recipient.license_number)
    )
}

/// Lays the manifest out as pages of drawing operations.
fn layout(fonts: &Fonts, t: &Transfer, lines: &[TransferPackage]) -> Vec<Vec<Op>> {
    let mut flow = Flow::new(running_header(fonts, t));
    flow.block(layout::title(
        fonts,
        "Shipping Manifest",
        &number_caption(t),
    ));
    if is_voided(t) {
        flow.block(vec![voided_band(fonts)]);
    }
    for s in sections(t) {
        flow.space(SECTION_SPACE);
        let fields: Vec<(&str, &str)> = s
            .fields
            .iter()
            .map(|f| (f.label, f.value.as_str()))
            .collect();
        flow.block(layout::section(fonts, s.title, &fields));
    }

    flow.space(SECTION_SPACE + 2.0);
    let rows = rows(lines);
    let packages = heading(fonts, &format!("Packages ({})", rows.len()));
    if rows.is_empty() {
        flow.block(vec![
            packages,
            Band::empty(3.0),
            layout::text_line(fonts, LEFT + PAD, &[regular("No packages.")]),
        ]);
    } else {
        let cols = PackageColumns::new(fonts, &rows);
        for (i, r) in rows.iter().enumerate() {
            let mut bands = Vec::new();
            if i == 0 {
                // The heading stays with the first package rather than ending a page alone.
                bands.push(packages.clone());
                bands.push(Band::empty(2.0));
            }
            bands.extend(package_bands(fonts, &cols, r));
            flow.block(bands);
            if i == 0 {
                flow.set_continued(Some(Band::stack(vec![
                    heading(fonts, &format!("Packages ({}), continued", rows.len())),
                    Band::empty(2.0),
                ])));
            }
        }
        flow.set_continued(None);
    }

    flow.space(SECTION_SPACE + 6.0);
    flow.block(signature_bands(fonts, t));
    flow.finish()
}

/// Atop every page after the first: which manifest the page belongs to and, if it is void,
/// the notice again, so a loose page cannot pass for a valid one.
fn running_header(fonts: &Fonts, t: &Transfer) -> Vec<Band> {
    let right = if is_voided(t) {
        Span {
            text: VOIDED.into(),
            bold: true,
            color: RED,
        }
    } else {
        Span {
            text: format!(
                "Shipper {} \u{2192} Recipient {}",
                required(&t.shipper.license_number),
                required(&t.recipient.license_number)
            ),
            bold: false,
            color: GRAY,
        }
    };
    layout::running_header(fonts, &format!("{} (continued)", document_title(t)), right)
}

fn voided_band(fonts: &Fonts) -> Band {
    const SIZE: f32 = 14.0;
    let mut band = Band::empty(36.0);
    band.ops.push(Op::Rect {
        x: LEFT + 1.0,
        y: 5.0,
        w: WIDTH - 2.0,
        h: 27.0,
        fill: Some(pdf::PALE_RED),
        stroke: Some((RED, 2.0)),
    });
    band.ops.push(Op::Text {
        x: LEFT + (WIDTH - fonts.width(VOIDED, true, SIZE)) / 2.0,
        baseline: 5.0 + fonts.baseline(SIZE, 27.0),
        size: SIZE,
        bold: true,
        color: RED,
        text: VOIDED.into(),
    });
    band
}

/// Between the package list's columns: narrower than between fields, as the columns align.
const COLUMN_GAP: f32 = 12.0;

/// Where the package list's columns sit: the number in a gutter, then UID, item and quantity
/// side by side (the rule 40 essentials, so a reader scans one line per package), sized to the
/// longest UID and quantity on this manifest.
struct PackageColumns {
    /// Right edge of the number gutter and start of the UID column.
    uid_x: f32,
    uid_w: f32,
    item_x: f32,
    item_w: f32,
    qty_x: f32,
    qty_w: f32,
    /// Width from `uid_x` to the right edge, for the lines beneath.
    full_w: f32,
}

impl PackageColumns {
    fn new(fonts: &Fonts, rows: &[Row]) -> Self {
        let gutter = fonts.width(&format!("{}. ", rows.len()), true, BODY);
        let uid_x = LEFT + PAD + gutter;
        let full_w = RIGHT - PAD - uid_x;
        let widest = |label: &str, f: &dyn Fn(&Row) -> &str| {
            rows.iter()
                .map(|r| Self::natural_width(fonts, label, f(r)))
                .fold(0.0_f32, f32::max)
        };
        // The caps leave the item column at least a quarter of the line whatever the data; a
        // UID (24 characters) always fits whole.
        let uid_w = widest("Package UID", &|r| &r.uid)
            .clamp(full_w * 0.25, full_w * 0.48)
            .ceil();
        let qty_w = widest("Quantity", &|r| &r.quantity)
            .clamp(full_w * 0.12, full_w * 0.27)
            .ceil();
        let item_x = uid_x + uid_w + COLUMN_GAP;
        let qty_x = RIGHT - PAD - qty_w;
        PackageColumns {
            uid_x,
            uid_w,
            item_x,
            item_w: qty_x - COLUMN_GAP - item_x,
            qty_x,
            qty_w,
            full_w,
        }
    }

    /// The width of "Label: value" on one line.
    fn natural_width(fonts: &Fonts, label: &str, value: &str) -> f32 {
        fonts.width(&format!("{label}: "), true, BODY) + fonts.width(value, false, BODY)
    }

    fn natural(&self, fonts: &Fonts, label: &str, value: &str) -> f32 {
        Self::natural_width(fonts, label, value)
    }
}

/// One package: number, UID, item and quantity on the first line(s); the other facts in
/// smaller type beneath; the receipt outcome on its own line so accepted and rejected packages
/// stand out; a hairline below.
fn package_bands(fonts: &Fonts, c: &PackageColumns, r: &Row) -> Vec<Band> {
    // An item name too long for its column gets a line of its own across the row rather than
    // wrapping in a narrow column: a name split over lines is hard to read, and a reader
    // searching the text for it would not find it.
    let item_fits = c.natural(fonts, "Item", &r.item) <= c.item_w;
    let mut cells = vec![layout::field_cell(
        fonts,
        "Package UID",
        &r.uid,
        c.uid_x,
        c.uid_w,
    )];
    if item_fits {
        cells.push(layout::field_cell(
            fonts, "Item", &r.item, c.item_x, c.item_w,
        ));
    }
    cells.push(layout::field_cell(
        fonts,
        "Quantity",
        &r.quantity,
        c.qty_x,
        c.qty_w,
    ));
    let mut bands = pdf::columns(fonts, cells, BODY, BODY_LEAD);
    if !item_fits {
        bands.extend(pdf::columns(
            fonts,
            vec![layout::field_cell(
                fonts, "Item", &r.item, c.uid_x, c.full_w,
            )],
            BODY,
            BODY_LEAD,
        ));
    }
    // The number ends exactly where "Package UID" begins, so extracted text reads
    // "12. Package UID: …".
    let number = format!("{}. ", r.n);
    if let Some(first) = bands.first_mut() {
        let x = c.uid_x - fonts.width(&number, true, BODY);
        let mut lead = Band::empty(first.height);
        lead.text(
            fonts,
            x,
            BODY,
            vec![Placed {
                dx: 0.0,
                text: number,
                bold: true,
                color: BLACK,
            }],
        );
        // Drawn first, so that text extraction, which follows drawing order, reads the number
        // before the UID.
        lead.ops.append(&mut first.ops);
        *first = lead;
    }

    let small = |items: Vec<Vec<Span>>| {
        let lines = pdf::pack(fonts, items, SMALL, c.full_w, GAP, HANG);
        pdf::lines_to_bands(fonts, vec![(c.uid_x, lines)], SMALL, SMALL_LEAD)
    };
    let details: Vec<Vec<Span>> = r
        .details()
        .into_iter()
        .map(|(label, value)| labelled(label, &value))
        .collect();
    bands.push(Band::empty(1.0));
    bands.extend(small(details));
    let receipt: Vec<Vec<Span>> = r
        .receipt()
        .into_iter()
        .map(|(label, value)| {
            let mut spans = labelled(label, &value);
            // The decision itself in colour: green accepted, red rejected.
            if label == "Shipment" {
                spans[1].bold = true;
                spans[1].color = match r.state {
                    Some(ShipmentState::Rejected) => RED,
                    Some(ShipmentState::Accepted) => pdf::GREEN,
                    _ => BLACK,
                };
            }
            spans
        })
        .collect();
    bands.extend(small(receipt));
    bands.push(pdf::rule_band(7.0, 0.4, RULE));
    bands
}

/// A signature block: who signs, which party they act for, and rows of lines to sign on, each
/// with its caption beneath. Shared by the PDF and the HTML.
struct SignatureBlock {
    title: &'static str,
    party: String,
    rows: Vec<Vec<&'static str>>,
}

fn signature_blocks(t: &Transfer) -> [SignatureBlock; 2] {
    let who = |role: &str, p: &Party| {
        format!(
            "{role}: {} ({})",
            required(&p.name),
            required(&p.license_number)
        )
    };
    [
        SignatureBlock {
            title: "Driver",
            party: who("For transporter", &t.transporter),
            rows: vec![
                vec!["Signature"],
                vec!["Printed name"],
                vec!["Date and time"],
            ],
        },
        SignatureBlock {
            title: "Received by",
            party: who("For recipient", &t.recipient),
            rows: vec![
                vec!["Signature"],
                vec!["Printed name", "License No."],
                vec!["Date and time"],
            ],
        },
    ]
}

/// The signature blocks side by side, kept together on the last page.
fn signature_bands(fonts: &Fonts, t: &Transfer) -> Vec<Band> {
    // Room above each line for a hand signature (about 0.35 in).
    const LINE_ROW: f32 = 36.0;
    let blocks = signature_blocks(t);
    let x0 = LEFT + PAD;
    let col = (WIDTH - 2.0 * PAD - 2.0 * GAP) / 2.0;
    let xs = [x0, x0 + col + 2.0 * GAP];

    let mut bands = vec![heading(fonts, "Signatures"), Band::empty(4.0)];
    bands.extend(pdf::columns(
        fonts,
        blocks
            .iter()
            .zip(xs)
            .map(|(b, x)| Cell {
                x,
                width: col,
                spans: vec![bold(b.title)],
                hang: 0.0,
            })
            .collect(),
        10.0,
        14.0,
    ));
    bands.extend(pdf::columns(
        fonts,
        blocks
            .iter()
            .zip(xs)
            .map(|(b, x)| Cell {
                x,
                width: col,
                spans: vec![Span {
                    text: b.party.clone(),
                    bold: false,
                    color: GRAY,
                }],
                hang: HANG,
            })
            .collect(),
        SMALL,
        SMALL_LEAD,
    ));
    let rows = blocks.iter().map(|b| b.rows.len()).max().unwrap_or(0);
    for i in 0..rows {
        let mut band = Band::empty(LINE_ROW);
        for (b, x) in blocks.iter().zip(xs) {
            let Some(slots) = b.rows.get(i) else {
                continue;
            };
            // Slots in a row share the column, the first (a name) getting the larger part.
            let n = slots.len() as f32;
            let widths: Vec<f32> = if slots.len() == 2 {
                vec![(col - GAP) * 0.58, (col - GAP) * 0.42]
            } else {
                vec![(col - GAP * (n - 1.0)) / n; slots.len()]
            };
            let mut sx = x;
            for (caption, w) in slots.iter().zip(widths) {
                band.ops.push(Op::Line {
                    x1: sx,
                    y1: LINE_ROW - 11.0,
                    x2: sx + w,
                    y2: LINE_ROW - 11.0,
                    width: 0.7,
                    color: BLACK,
                });
                band.ops.push(Op::Text {
                    x: sx,
                    baseline: LINE_ROW - 3.0,
                    size: CAPTION,
                    bold: false,
                    color: GRAY,
                    text: (*caption).into(),
                });
                sx += w + GAP;
            }
        }
        bands.push(band);
    }
    bands
}

const STYLE: &str = r#"
@page{size:letter;margin:12mm;@bottom-right{content:"Page " counter(page) " of " counter(pages);font:9px Helvetica,Arial,sans-serif;color:#555}}
*{box-sizing:border-box}
body{margin:1.5rem;font:13px/1.4 "DejaVu Sans",Helvetica,Arial,sans-serif;color:#111}
.title{display:flex;justify-content:space-between;align-items:baseline;border-bottom:2px solid #000;margin:0 0 .6rem}
h1{font-size:1.5rem;margin:0}
.title .number{font-size:1.05rem;font-weight:700;margin:0}
h2{font-size:.85rem;margin:1rem 0 .3rem;padding:.15rem .3rem;background:#e6e6e6}
h3{font-size:.95rem;margin:0}
.voided{border:3px solid #a00;background:#fcebeb;color:#a00;font-size:1.4rem;font-weight:700;text-align:center;padding:.4rem;letter-spacing:.1em}
.sections{display:grid;grid-template-columns:repeat(3,1fr);gap:0 1.2rem}
.sections .info{grid-column:span 3}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:0 .3rem}
dt{font-weight:700}dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;font-size:12px}
thead{display:table-header-group}
th,td{border:1px solid #999;padding:.2rem .35rem;text-align:left;vertical-align:top}
th{background:#eee}.num{text-align:right}.mono{font-family:Menlo,Consolas,monospace;white-space:nowrap}
tr{page-break-inside:avoid}tr.rejected td{background:#fbeaea}
.signatures{break-inside:avoid;page-break-inside:avoid}
.signature-grid{display:grid;grid-template-columns:1fr 1fr;gap:0 2.5rem;margin:0 .3rem}
.party-line{color:#555;font-size:11px;margin:.1rem 0 0}
.signature-row{display:flex;gap:1.2rem}
.signature-line{flex:1;border-bottom:1px solid #000;height:2.4rem;position:relative;margin-bottom:1.1rem}
.signature-line span{position:absolute;top:100%;left:0;font-size:10px;color:#555}
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
                lab: p.lab_testing_state.name().to_string(),
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
    use crate::pdf::testing::{flat, lines as text_lines, page_texts};
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

    fn pdf_bytes(t: &Transfer, lines: &[TransferPackage]) -> Vec<u8> {
        let pdf = manifest_pdf(t, lines).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        pdf
    }

    /// The PDF's text as a reader extracts it, page after page.
    fn pdf_text(t: &Transfer, lines: &[TransferPackage]) -> String {
        text_lines(&page_texts(&pdf_bytes(t, lines)).join("\n"))
    }

    fn many(n: i64) -> Vec<TransferPackage> {
        (1..=n)
            .map(|i| line(i, "Gummies", Decimal::from(i), "Each"))
            .collect()
    }

    /// Rule 40: every licensee's name, license and premises address, the trip times, the
    /// driver's license, the vehicle and each package's UID, item and quantity are on the PDF,
    /// each as "Label: value" on one line of the extracted text.
    #[test]
    fn rule_40_pdf_carries_required_manifest_fields() {
        let t = transfer();
        let lines = two_lines();
        let pdf = pdf_text(&t, &lines);
        for needle in [
            "Manifest No.: 0000000012",
            "Transfer Type: Wholesale Manifest",
            "C11-0000001-LIC",
            "C10-0000002-LIC",
            "C11-0000003-LIC",
            "Name: Green Valley Distribution",
            "Name: Sunset Retail",
            "Name: Fast Freight Distribution",
            "License No.: C11-0000001-LIC",
            "Premises Address: 1 Main St, Oakland, CA 94607",
            "Premises Address: 22 Ocean Ave, San Francisco, CA 94112",
            "Premises Address: 300 Harbor Rd, Richmond, CA 94801",
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
            "1. Package UID: 1A4000000000007000000001",
            "2. Package UID: 1A4000000000007000000002",
            "Item: Mango Gummies 10pk",
            "Item: OG Kush Flower",
            "Category: Edible (weight - each)",
            "Quantity: 25 Each",
            "Quantity: 453.6 Grams",
            "Gross Weight: 1.25 Pounds",
            "Wholesale Price: $125.00",
            "Lab Testing: TestPassed",
            "Batch No.: PB-7",
        ] {
            assert!(pdf.contains(needle), "missing {needle:?} in\n{pdf}");
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
            "Received Quantity: 24 Each (shipped 25)",
            "Shipment: Rejected",
            "Rejection Reason: Damaged packaging",
        ] {
            assert!(pdf.contains(needle), "missing {needle:?} in\n{pdf}");
        }
        let html = manifest_html(&t, &lines);
        assert!(html.contains("Damaged packaging"));
        assert!(html.contains("Received Quantity: 24 Each (shipped 25)"));
    }

    /// Rule 47 allows 200 packages on a manifest; the document must still print them all, and
    /// every page says which page of how many it is.
    #[test]
    fn rule_40_200_packages_paginate_with_page_numbers() {
        let t = transfer();
        let lines = many(200);
        let pages: Vec<String> = page_texts(&pdf_bytes(&t, &lines))
            .iter()
            .map(|p| text_lines(p))
            .collect();
        let total = pages.len();
        assert!(total > 1, "200 packages on one page");
        for (i, p) in pages.iter().enumerate() {
            let n = i + 1;
            assert!(
                p.contains(&format!("Page {n} of {total}")),
                "page {n}:\n{p}"
            );
            assert_eq!(p.matches(" of ").count(), 1, "one page number on page {n}");
            if n > 1 {
                // The running header names the manifest, and the list says it continues.
                assert!(p.contains("Shipping Manifest No. 0000000012 (continued)"));
                if n < total {
                    assert!(p.contains("Packages (200), continued"), "page {n}");
                }
            }
        }
        let all = pages.join("\n");
        for i in 1..=200 {
            let uid = format!("{i}. Package UID: 1A40000000000070000{i:05}");
            assert_eq!(all.matches(&uid).count(), 1, "{uid}");
        }
        assert!(all.contains("200. Package UID: 1A4000000000007000000200"));
        assert!(all.contains("Quantity: 200 Each"));
        let html = manifest_html(&t, &lines);
        assert_eq!(html.matches("<tr").count(), 201, "header and 200 rows");
    }

    /// The page count in the footers is the PDF's real page count, counted independently of the
    /// text: one page object per page in the file.
    #[test]
    fn page_count_in_footer_matches_the_file() {
        let t = transfer();
        for n in [0, 2, 30, 200] {
            let pdf = pdf_bytes(&t, &many(n));
            let pages = page_texts(&pdf);
            let total = pages.len();
            assert!(pages[total - 1].contains(&format!("Page {total} of {total}")));
            let doc = lopdf::Document::load_mem(&pdf).unwrap();
            assert_eq!(doc.get_pages().len(), total, "{n} packages");
        }
    }

    #[test]
    fn signature_blocks_end_the_manifest() {
        let t = transfer();
        for n in [2, 200] {
            let pages = page_texts(&pdf_bytes(&t, &many(n)));
            let last = flat(&pages[pages.len() - 1]);
            for needle in [
                "Signatures",
                "Driver",
                "Received by",
                "For transporter: Fast Freight Distribution (C11-0000003-LIC)",
                "For recipient: Sunset Retail (C10-0000002-LIC)",
                "Printed name",
                "License No.",
                "Date and time",
            ] {
                assert!(last.contains(needle), "{n}: missing {needle:?} in\n{last}");
            }
            // Driver and receiver each have a line to sign on.
            assert_eq!(
                last.matches("Signature").count(),
                3,
                "heading and two lines"
            );
            for p in &pages[..pages.len() - 1] {
                assert!(!p.contains("Received by"), "signatures only at the end");
            }
        }
        let html = manifest_html(&t, &two_lines());
        for needle in [
            "Signatures",
            "Driver",
            "Received by",
            "Printed name",
            "Date and time",
        ] {
            assert!(html.contains(needle), "HTML missing {needle:?}");
        }
        assert!(html.contains("For recipient: Sunset Retail (C10-0000002-LIC)"));
    }

    /// Names print as written: the embedded font has the glyphs and the ToUnicode map gives the
    /// characters back, where the old writer printed "Pe?a".
    #[test]
    fn unicode_names_round_trip() {
        let mut t = transfer();
        t.shipper.name = "Peña Farms".into();
        t.recipient.name = "Müller Dispensary".into();
        t.driver_name = "Zoë Ångström".into();
        t.transporter.address = Some("12 Calle Ñandú, San José, CA 95110".into());
        let mut lines = two_lines();
        lines[0].package.item_name = "Crème Brûlée Bites \u{2014} 10 pk".into();
        let pdf = pdf_text(&t, &lines);
        for needle in [
            "Name: Peña Farms",
            "Name: Müller Dispensary",
            "Driver: Zoë Ångström",
            "Premises Address: 12 Calle Ñandú, San José, CA 95110",
            "Item: Crème Brûlée Bites \u{2014} 10 pk",
            "For recipient: Müller Dispensary (C10-0000002-LIC)",
        ] {
            assert!(pdf.contains(needle), "missing {needle:?} in\n{pdf}");
        }
        assert!(!pdf.contains('?'), "no character replaced");
        let html = manifest_html(&t, &lines);
        assert!(html.contains("Peña Farms") && html.contains("Zoë Ångström"));
    }

    /// Long values wrap inside the margins and every word (and every character of a word too
    /// long for a line) is still there.
    #[test]
    fn long_addresses_and_routes_wrap_without_losing_text() {
        let mut t = transfer();
        let address = "Building 7, Suite 1200, 4500 Industrial Parkway East, Unincorporated \
                       Alameda County, near the intersection with Old Quarry Road, Hayward, \
                       California 94545-0000, United States of America";
        t.recipient.address = Some(address.into());
        let route = format!(
            "{} then {}",
            "Highway 101 north to the Golden Gate Bridge, ".repeat(12),
            "X".repeat(300)
        );
        t.planned_route = Some(route.clone());
        let mut lines = two_lines();
        let item = "Extra Long Product Name With Many Words ".repeat(6);
        lines[0].package.item_name = item.clone();
        let fonts = pdf::fonts().unwrap();
        assert_within_margins(fonts, &layout(fonts, &t, &lines));

        let text = pdf_text(&t, &lines);
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        let all = squeeze(&text);
        for v in [address, route.as_str(), item.as_str()] {
            assert!(all.contains(&squeeze(v)), "lost text of {v:?} in\n{text}");
        }
        // The label stays with the start of its value; the rest wraps beneath.
        assert!(text.contains("\nPremises Address: Building 7, Suite 1200, 4500 Industrial"));
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
            "@media print",
        ] {
            assert!(html.contains(needle), "missing {needle:?}");
        }
        assert!(!html.contains("<script>"), "item name must be escaped");
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<b>bad"));
        assert!(!html.contains("VOIDED"));
    }

    #[test]
    fn voided_manifest_is_marked_on_every_page() {
        let mut t = transfer();
        t.voided = true;
        t.state = TransferState::Voided;
        let pages: Vec<String> = page_texts(&pdf_bytes(&t, &many(60)))
            .iter()
            .map(|p| text_lines(p))
            .collect();
        assert!(pages.len() > 1);
        for p in &pages {
            assert!(p.contains("VOIDED \u{2014} NOT VALID FOR TRANSPORT"), "{p}");
        }
        assert!(pages[0].contains("Status: Voided"));
        let html = manifest_html(&t, &two_lines());
        assert!(html.contains("VOIDED"));
    }

    /// Every piece of text lies between the margins, above the footer and below the top edge.
    fn assert_within_margins(fonts: &Fonts, pages: &[Vec<Op>]) {
        for (i, ops) in pages.iter().enumerate() {
            for op in ops {
                if let Op::Text {
                    x,
                    baseline,
                    size,
                    bold,
                    text,
                    ..
                } = op
                {
                    let right = x + fonts.width(text, *bold, *size);
                    assert!(
                        *x >= LEFT - 0.01 && right <= RIGHT + 0.01,
                        "page {}: {text:?} spans {x}..{right}",
                        i + 1
                    );
                    assert!(
                        *baseline > 30.0 && *baseline < pdf::PAGE_HEIGHT - 50.0,
                        "page {}: {text:?} at {baseline}",
                        i + 1
                    );
                }
            }
        }
    }

    #[test]
    fn odd_input_does_not_panic_and_stays_in_margin() {
        let mut t = transfer();
        t.manifest_number = String::new();
        t.state = TransferState::Template;
        // The title is placed directly rather than wrapped: its emoji must still map right.
        t.name = Some("Weekly \u{2603} run \u{1F33F}".into());
        t.shipper.address = None;
        t.driver_name = String::new();
        t.voided = true;
        t.recipient.name = "Back\\slash (and parens) ".repeat(10);
        t.planned_route = Some(format!(
            "{} {}",
            "Highway 101 north then ".repeat(20),
            "X".repeat(300)
        ));
        t.invoice_number = Some("line one\nline two\ttabbed".into());
        let mut lines = two_lines();
        lines[0].package.item_name = "Caf\u{e9} \u{1F33F} ".repeat(40);
        lines[0].shipped_unit = String::new();
        let fonts = pdf::fonts().unwrap();
        assert_within_margins(fonts, &layout(fonts, &t, &lines));
        assert_within_margins(fonts, &layout(fonts, &t, &[]));
        let pdf = pdf_text(&t, &lines);
        for needle in [
            "Premises Address: \u{2014}",
            "Driver: \u{2014}",
            "Shipping Manifest Template: Weekly \u{2603} run \u{FFFD}",
            "Invoice No.: line one line two tabbed",
            // The font has no herb emoji: it prints as a visible replacement, not as nothing.
            "Café \u{FFFD} Café",
        ] {
            assert!(flat(&pdf).contains(needle), "missing {needle:?} in\n{pdf}");
        }
        assert!(manifest_html(&t, &[]).contains("No packages."));
        assert!(pdf_text(&t, &[]).contains("No packages."));
    }

    /// The same manifest gives the same bytes: no timestamps or random ids in the file.
    #[test]
    fn output_is_deterministic() {
        let t = transfer();
        assert_eq!(pdf_bytes(&t, &two_lines()), pdf_bytes(&t, &two_lines()));
    }

    /// Keeps a manifest's file small: fonts are subset to the glyphs used.
    #[test]
    fn sizes_stay_small() {
        let t = transfer();
        assert!(pdf_bytes(&t, &two_lines()).len() < 100_000);
        assert!(pdf_bytes(&t, &many(200)).len() < 400_000);
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

    /// The odd cases together (Unicode names, a voided manifest with an overlong address and
    /// route, long item names, 200 packages) render to files. Set `TAGTRAIL_SAMPLES=/tmp/out` to
    /// keep them for a look (pdftoppm) or an outside parser (pypdf):
    /// `TAGTRAIL_SAMPLES=/tmp/out cargo test -p tagtrail-documents write_samples`.
    #[test]
    fn write_samples() {
        let dir =
            std::path::PathBuf::from(std::env::var("TAGTRAIL_SAMPLES").unwrap_or_else(|_| {
                std::env::temp_dir()
                    .join(format!("tagtrail-samples-{}", std::process::id()))
                    .to_string_lossy()
                    .into_owned()
            }));
        std::fs::create_dir_all(&dir).unwrap();
        let mut t = transfer();
        t.shipper.name = "Peña Farms".into();
        t.driver_name = "Zoë Ångström".into();
        let mut lines = two_lines();
        lines[0].shipment_state = ShipmentState::Accepted;
        lines[0].received_quantity = Some(Decimal::new(24, 0));
        lines[1].shipment_state = ShipmentState::Rejected;
        lines[1].rejection_reason = Some("Damaged packaging".into());
        lines[1].package.is_testing_sample = true;
        std::fs::write(dir.join("manifest-2.pdf"), pdf_bytes(&t, &lines)).unwrap();
        std::fs::write(dir.join("manifest-200.pdf"), pdf_bytes(&t, &many(200))).unwrap();
        let mut v = transfer();
        v.voided = true;
        v.state = TransferState::Voided;
        v.recipient.address = Some(
            "Building 7, Suite 1200, 4500 Industrial Parkway East, Unincorporated Alameda \
             County, near Old Quarry Road, Hayward, California 94545"
                .into(),
        );
        v.planned_route = Some("Highway 101 north to the Golden Gate Bridge, ".repeat(6));
        let mut odd = two_lines();
        odd[0].package.item_name = "Extra Long Product Name With Many Words ".repeat(4);
        std::fs::write(dir.join("manifest-voided.pdf"), pdf_bytes(&v, &odd)).unwrap();
        std::fs::write(dir.join("manifest.html"), manifest_html(&t, &lines)).unwrap();
        std::fs::write(
            dir.join("certificate.pdf"),
            crate::certificate::certificate_pdf(&crate::certificate::tests::sample()).unwrap(),
        )
        .unwrap();
        for f in [
            "manifest-2.pdf",
            "manifest-200.pdf",
            "manifest-voided.pdf",
            "certificate.pdf",
        ] {
            let bytes = std::fs::read(dir.join(f)).unwrap();
            assert!(bytes.starts_with(b"%PDF-"), "{f}");
        }
        if std::env::var("TAGTRAIL_SAMPLES").is_err() {
            let _ = std::fs::remove_dir_all(&dir);
        } else {
            println!("wrote samples to {}", dir.display());
        }
    }
}
