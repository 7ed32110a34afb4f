//! The Data Import page's CSV files (rule 73; the July 2020 bulletin's V–VII): one set of column
//! definitions per import type, from which both the parser here and the format guide (the web
//! UI's guide page and its example file) are made, so the guide cannot describe a file the
//! parser would refuse.
//!
//! Parsing is pure and checks only the file's shape: UTF-8, the header row, each cell's format
//! (text, whole number, decimal, date). What a row means (does the strain exist, is the lot within
//! 100 plants) is decided by the same decision function the API runs for the same request, by
//! the application layer; this module turns each row into that request and remembers its line.

use crate::commands::additives::{Application, BatchAdditiveSpec, Product};
use crate::commands::plants::batches::Planting;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

mod additives;
mod sales;
#[cfg(test)]
mod tests;

pub use additives::PlantAdditiveRow;
pub use sales::ImportedReceipt;

/// The largest file accepted: a 100,000-row file of long names fits.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 100_000;

/// The longest cell: longer than any name or note a record keeps, so the decision's own bound
/// is the one a user meets, but a bound the parser holds before anything is stored.
pub const MAX_CELL_CHARS: usize = 1000;

/// How a cell is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    /// A whole number: `25`.
    Integer,
    /// A decimal with a point and no thousands separator: `2.5`.
    Decimal,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// Active ingredients: `Name=Percent` pairs separated by semicolons.
    Ingredients,
}

impl Format {
    pub fn words(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Integer => "whole number",
            Format::Decimal => "decimal number (point, no thousands separator)",
            Format::Date => "date, YYYY-MM-DD",
            Format::Ingredients => "list of Name=Percent pairs, separated by semicolons",
        }
    }
}

/// One column of an import file.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The header cell, as Metrc's request field is named.
    pub name: &'static str,
    pub required: bool,
    pub format: Format,
    /// The unit a number is in, if any.
    pub unit: Option<&'static str>,
    pub example: &'static str,
    pub description: &'static str,
}

const fn col(
    name: &'static str,
    required: bool,
    format: Format,
    example: &'static str,
    description: &'static str,
) -> Column {
    Column {
        name,
        required,
        format,
        unit: None,
        example,
        description,
    }
}

/// The plantings file: each row is one element of `POST /plantbatches/v2/plantings`.
const PLANTINGS: &[Column] = &[
    col(
        "Name",
        true,
        Format::Text,
        "SD Clones 2026-11-30 A",
        "The new plant batch's name, unused among the facility's active batches.",
    ),
    col(
        "Type",
        true,
        Format::Text,
        "Clone",
        "Seed or Clone, as the source holds.",
    ),
    Column {
        unit: Some("plants"),
        ..col(
            "Count",
            true,
            Format::Integer,
            "25",
            "Plants in the batch: 1 to 100 (rule 19).",
        )
    },
    col(
        "Strain",
        true,
        Format::Text,
        "Sour Diesel",
        "An active strain of the facility, by name.",
    ),
    col(
        "Location",
        true,
        Format::Text,
        "Greenhouse A",
        "An active location of the facility, by name.",
    ),
    col(
        "Sublocation",
        false,
        Format::Text,
        "",
        "An active sublocation, by name, or empty.",
    ),
    col(
        "SourcePackage",
        false,
        Format::Text,
        "1A4FF0100000022000000105",
        "The tag of the package of seeds or clones the plants come out of (its count goes \
         down). A planting needs a source package or a source plant (rule 22).",
    ),
    col(
        "SourcePlant",
        false,
        Format::Text,
        "",
        "The tag of the mother plant the clones were taken from, when there is no source package.",
    ),
    col(
        "ActualDate",
        true,
        Format::Date,
        "2026-11-30",
        "The day the batch was planted; not in the future.",
    ),
];

/// What a file imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportKind {
    /// New plant batches (`POST /plantbatches/v2/plantings`).
    Plantings,
    /// Additives applied to tagged plants, by tag or by location (bulletin V;
    /// `POST /plants/v2/additives`, `…/bylocation`, and their `usingtemplate` twins).
    PlantAdditives,
    /// Additives applied to plant batches (immature lots) by name (bulletin VI;
    /// `POST /plantbatches/v2/additives` and `…/usingtemplate`).
    ImmaturePlantAdditives,
    /// Sales from a point-of-sale export, one row per receipt line, grouped into receipts by
    /// their number (rule 63; `POST /sales/v2/receipts`).
    SalesReceipts,
}

impl ImportKind {
    pub const ALL: &'static [ImportKind] = &[
        ImportKind::PlantAdditives,
        ImportKind::ImmaturePlantAdditives,
        ImportKind::Plantings,
        ImportKind::SalesReceipts,
    ];

    /// The name in addresses and in storage.
    pub fn slug(self) -> &'static str {
        match self {
            ImportKind::Plantings => "plantings",
            ImportKind::PlantAdditives => "plant-additives",
            ImportKind::ImmaturePlantAdditives => "immature-plant-additives",
            ImportKind::SalesReceipts => "sales-receipts",
        }
    }

    /// The name on the page's tab.
    pub fn title(self) -> &'static str {
        match self {
            ImportKind::Plantings => "Plantings",
            ImportKind::PlantAdditives => "Plant Additives",
            ImportKind::ImmaturePlantAdditives => "Immature Plant Additives",
            ImportKind::SalesReceipts => "Sales Receipts",
        }
    }

    /// What a row does, for the guide.
    pub fn purpose(self) -> &'static str {
        match self {
            ImportKind::Plantings => {
                "Each row creates one plant batch (immature lot) from a source package of seeds \
                 or clones or from a mother plant, exactly as POST /plantbatches/v2/plantings does."
            }
            ImportKind::PlantAdditives => {
                "Each row records one additive (fertilizer, pesticide, other) applied to tagged \
                 plants, named by their tags or as every plant growing in a location, exactly as \
                 POST /plants/v2/additives (or …/bylocation, or with a template …/usingtemplate) \
                 does."
            }
            ImportKind::ImmaturePlantAdditives => {
                "Each row records one additive (fertilizer, pesticide, other) applied to a plant \
                 batch (immature lot), by the batch's name, exactly as \
                 POST /plantbatches/v2/additives (or with a template …/usingtemplate) does."
            }
            ImportKind::SalesReceipts => {
                "Each row is one line of a sale; the rows with the same ExternalReceiptNumber \
                 make one receipt, recorded exactly as POST /sales/v2/receipts records it: each \
                 line takes its quantity from its package."
            }
        }
    }

    /// The API endpoint whose request each row is.
    pub fn endpoint(self) -> &'static str {
        match self {
            ImportKind::Plantings => "POST /plantbatches/v2/plantings",
            ImportKind::PlantAdditives => "POST /plants/v2/additives",
            ImportKind::ImmaturePlantAdditives => "POST /plantbatches/v2/additives",
            ImportKind::SalesReceipts => "POST /sales/v2/receipts",
        }
    }

    pub fn parse(slug: &str) -> Option<ImportKind> {
        let s = slug
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_', ' '], "");
        ImportKind::ALL
            .iter()
            .copied()
            .find(|k| k.slug().replace('-', "") == s)
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            ImportKind::Plantings => PLANTINGS,
            ImportKind::PlantAdditives => &additives::PLANT_ADDITIVES,
            ImportKind::ImmaturePlantAdditives => &additives::BATCH_ADDITIVES,
            ImportKind::SalesReceipts => &sales::SALES_RECEIPTS,
        }
    }

    /// The example file the guide offers: the header row and one row of example values.
    pub fn example_csv(self) -> String {
        let cols = self.columns();
        let line = |f: &dyn Fn(&Column) -> &str| {
            cols.iter()
                .map(|c| quote(f(c)))
                .collect::<Vec<_>>()
                .join(",")
        };
        format!("{}\r\n{}\r\n", line(&|c| c.name), line(&|c| c.example))
    }
}

/// A cell quoted when CSV needs it.
fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A problem with one line of a file (1-based, as an editor numbers them; the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

impl LineError {
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        LineError {
            line,
            message: message.into(),
        }
    }

    /// The message with its line, as the API and the page show it.
    pub fn text(&self) -> String {
        format!("Line {}: {}", self.line, self.message)
    }
}

/// A cell, checked against its column's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Integer(i64),
    Decimal(Decimal),
    /// `YYYY-MM-DD`, as written.
    Date(String),
}

/// One data row: its line in the file and its non-empty cells by column name.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    cells: HashMap<&'static str, Cell>,
}

impl Row {
    pub fn text(&self, name: &str) -> Option<String> {
        match self.cells.get(name)? {
            Cell::Text(s) | Cell::Date(s) => Some(s.clone()),
            Cell::Integer(n) => Some(n.to_string()),
            Cell::Decimal(d) => Some(d.to_string()),
        }
    }

    pub fn integer(&self, name: &str) -> Option<i64> {
        match self.cells.get(name)? {
            Cell::Integer(n) => Some(*n),
            _ => None,
        }
    }

    pub fn decimal(&self, name: &str) -> Option<Decimal> {
        match self.cells.get(name)? {
            Cell::Decimal(d) => Some(*d),
            Cell::Integer(n) => Some(Decimal::from(*n)),
            _ => None,
        }
    }
}

/// A file's rows as the requests they are, each with its line.
#[derive(Debug, Clone)]
pub enum Requests {
    Plantings(Vec<(usize, Planting)>),
    PlantAdditives(Vec<(usize, PlantAdditiveRow)>),
    BatchAdditives(Vec<(usize, BatchAdditiveSpec)>),
    /// Receipts, each at its first line.
    SalesReceipts(Vec<(usize, ImportedReceipt)>),
}

impl Requests {
    /// The file's rows (a receipt counts its lines).
    pub fn len(&self) -> usize {
        match self {
            Requests::Plantings(v) => v.len(),
            Requests::PlantAdditives(v) => v.len(),
            Requests::BatchAdditives(v) => v.len(),
            Requests::SalesReceipts(v) => v.iter().map(|(_, r)| r.lines.len()).sum(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads a file of `kind`: every problem of shape, each with its line, or every row as the
/// request it is.
pub fn read(kind: ImportKind, bytes: &[u8]) -> Result<Requests, Vec<LineError>> {
    let (rows, mut errors) = checked_rows(kind, bytes)?;
    let requests = match kind {
        ImportKind::Plantings => {
            Requests::Plantings(rows.iter().map(|r| (r.line, planting(r))).collect())
        }
        ImportKind::PlantAdditives => {
            Requests::PlantAdditives(each(&rows, &mut errors, additives::plant_row))
        }
        ImportKind::ImmaturePlantAdditives => {
            Requests::BatchAdditives(each(&rows, &mut errors, additives::batch_row))
        }
        ImportKind::SalesReceipts => Requests::SalesReceipts(sales::receipts(&rows, &mut errors)),
    };
    if errors.is_empty() {
        return Ok(requests);
    }
    // In file order, whichever check found them.
    errors.sort_by_key(|e| e.line);
    errors.truncate(MAX_ERRORS);
    Err(errors)
}

/// Every row as its request; the rows that are no request of the kind add their problem.
fn each<S>(
    rows: &[Row],
    errors: &mut Vec<LineError>,
    f: impl Fn(&Row) -> Result<S, LineError>,
) -> Vec<(usize, S)> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        match f(r) {
            Ok(s) => out.push((r.line, s)),
            Err(e) => errors.push(e),
        }
    }
    out
}

fn planting(r: &Row) -> Planting {
    Planting {
        name: r.text("Name"),
        batch_type: r.text("Type"),
        count: r.integer("Count"),
        strain: r.text("Strain"),
        location: r.text("Location"),
        sublocation: r.text("Sublocation"),
        patient_license_number: None,
        actual_date: r.text("ActualDate"),
        source_package: r.text("SourcePackage"),
        source_plant_batches: vec![],
        source_plant: r.text("SourcePlant"),
    }
}

/// The most line errors one read reports: enough to fix a file by, without a page of a
/// 100,000-line file's every line.
pub const MAX_ERRORS: usize = 100;

/// Reads the header row and every data row of a file of `kind`, checking each cell's format.
pub fn rows(kind: ImportKind, bytes: &[u8]) -> Result<Vec<Row>, Vec<LineError>> {
    let (rows, mut errors) = checked_rows(kind, bytes)?;
    if errors.is_empty() {
        Ok(rows)
    } else {
        errors.truncate(MAX_ERRORS);
        Err(errors)
    }
}

/// The rows whose cells are well formed, and the problems of the others; an error for a file
/// that cannot be read at all (not text, no header, no rows).
fn checked_rows(
    kind: ImportKind,
    bytes: &[u8],
) -> Result<(Vec<Row>, Vec<LineError>), Vec<LineError>> {
    let one = |line, msg: &str| Err(vec![LineError::new(line, msg)]);
    if bytes.len() > MAX_FILE_BYTES {
        return one(
            1,
            &format!(
                "The file is larger than {} MB; split it.",
                MAX_FILE_BYTES / 1024 / 1024
            ),
        );
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return one(1, "The file is not UTF-8 text; save it as CSV UTF-8.");
    };
    // Spreadsheets often begin a UTF-8 file with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // One line ending, so that a line is counted the same way whatever saved the file.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.as_str();
    if let Some(at) = text.find('\0') {
        let line = text[..at].matches('\n').count() + 1;
        return one(line, "The file contains a NUL character.");
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut lines = Lines::new(text);
    let cols = kind.columns();
    let header = match records.next() {
        None => {
            return one(
                1,
                "The file is empty; it needs the header row and data rows.",
            );
        }
        Some(Err(e)) => {
            return one(
                line_of(&mut lines, &e),
                &format!("The header row is not CSV: {e}."),
            );
        }
        Some(Ok(h)) => h,
    };
    let order = header_order(cols, &header)?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(LineError::new(
                    line_of(&mut lines, &e),
                    format!("not CSV: {e}."),
                ));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| lines.of(p.byte()));
        if rec.iter().all(str::is_empty) {
            continue; // a blank line (or only commas): spreadsheets leave them
        }
        if out.len() + errors.len() >= MAX_ROWS {
            return one(
                line,
                &format!("The file has more than {MAX_ROWS} rows; split it."),
            );
        }
        match row(cols, &order, line, &rec) {
            Ok(r) => out.push(r),
            Err(e) => errors.push(e),
        }
    }
    if out.is_empty() && errors.is_empty() {
        return one(2, "The file has a header row but no data rows.");
    }
    Ok((out, errors))
}

/// Counts lines as the reader moves forward, so a 100,000-row file is scanned once.
struct Lines<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The 1-based line of the byte at `at` (not before the last asked).
    fn of(&mut self, at: u64) -> usize {
        let at = usize::try_from(at)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        // After a skipped blank line the reader may place a record at that line's LF.
        let upto = if self.text.get(at) == Some(&b'\n') {
            at + 1
        } else {
            at
        };
        if upto > self.at {
            self.line += self.text[self.at..upto]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.at = upto;
        }
        self.line
    }
}

fn line_of(lines: &mut Lines, e: &csv::Error) -> usize {
    e.position().map_or(1, |p| lines.of(p.byte()))
}

/// Which column each header cell names: every cell a known column, once, and every required
/// column present. The columns may come in any order; the guide gives the usual one.
fn header_order(
    cols: &'static [Column],
    header: &csv::StringRecord,
) -> Result<Vec<&'static Column>, Vec<LineError>> {
    let mut order = Vec::new();
    let mut errors = Vec::new();
    for cell in header.iter() {
        let key = cell.replace([' ', '_'], "");
        match cols.iter().find(|c| c.name.eq_ignore_ascii_case(&key)) {
            Some(c) if order.iter().any(|o: &&Column| o.name == c.name) => {
                errors.push(format!("the column {} is named twice", c.name));
            }
            Some(c) => order.push(c),
            None if cell.is_empty() => errors.push("a header cell is empty".to_string()),
            None => errors.push(format!("{} is not a column of this file", clip(cell))),
        }
    }
    for c in cols.iter().filter(|c| c.required) {
        if !order.iter().any(|o| o.name == c.name) {
            errors.push(format!("the required column {} is missing", c.name));
        }
    }
    if errors.is_empty() {
        return Ok(order);
    }
    let names: Vec<&str> = cols.iter().map(|c| c.name).collect();
    Err(vec![LineError::new(
        1,
        format!(
            "The header row must name the columns ({}): {}.",
            names.join(","),
            errors.join("; ")
        ),
    )])
}

/// At most 40 characters of a user's text, for a message.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

fn row(
    cols: &[Column],
    order: &[&'static Column],
    line: usize,
    rec: &csv::StringRecord,
) -> Result<Row, LineError> {
    let err = |m: String| LineError::new(line, m);
    if rec.len() > order.len() {
        return Err(err(format!(
            "{} cells, but the header names {} columns.",
            rec.len(),
            order.len()
        )));
    }
    let mut cells = HashMap::new();
    let mut problems = Vec::new();
    for (col, value) in order.iter().zip(rec.iter()) {
        if value.is_empty() {
            continue;
        }
        if value.chars().count() > MAX_CELL_CHARS {
            problems.push(format!(
                "{} is longer than {MAX_CELL_CHARS} characters",
                col.name
            ));
            continue;
        }
        match cell(col.format, value) {
            Some(c) => {
                cells.insert(col.name, c);
            }
            None => problems.push(format!(
                "{} \"{}\" is not a {}",
                col.name,
                clip(value),
                col.format.words()
            )),
        }
    }
    for c in cols.iter().filter(|c| c.required) {
        if !cells.contains_key(c.name) && !problems.iter().any(|p| p.starts_with(c.name)) {
            problems.push(format!("{} is required", c.name));
        }
    }
    if problems.is_empty() {
        Ok(Row { line, cells })
    } else {
        Err(err(format!("{}.", problems.join("; "))))
    }
}

fn cell(format: Format, v: &str) -> Option<Cell> {
    match format {
        Format::Text => Some(Cell::Text(v.to_string())),
        Format::Integer => v.parse().ok().map(Cell::Integer),
        Format::Decimal => {
            // A plain decimal only: no exponent, no thousands separator, no sign but minus.
            let plain = v
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '-');
            plain
                .then(|| Decimal::from_str(v).ok())
                .flatten()
                .map(Cell::Decimal)
        }
        Format::Date => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .ok()
            .filter(|_| v.len() == 10)
            .map(|_| Cell::Date(v.to_string())),
        Format::Ingredients => additives::ingredients(v).map(|_| Cell::Text(v.to_string())),
    }
}

/// What one row will change, in words, for the preview shown before anything is applied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Change {
    pub line: usize,
    /// The record the row creates or changes ("Plant batch SD Clones A").
    pub target: String,
    /// What happens to it ("25 Clone plants of Sour Diesel at Greenhouse A").
    pub change: String,
    /// Where it comes from ("from package 1A4…105"), if anywhere.
    pub source: Option<String>,
}

impl Requests {
    /// The rows `offset..offset + limit` as changes, in file order.
    pub fn changes(&self, offset: usize, limit: usize) -> Vec<Change> {
        let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
        match self {
            Requests::Plantings(rows) => rows
                .iter()
                .skip(offset)
                .take(limit)
                .map(|(line, p)| Change {
                    line: *line,
                    target: format!("New plant batch {}", text(&p.name)),
                    change: format!(
                        "{} {} plant(s) of {} at {}{}, planted {}",
                        p.count.unwrap_or(0),
                        text(&p.batch_type),
                        text(&p.strain),
                        text(&p.location),
                        p.sublocation
                            .as_deref()
                            .map(|s| format!(" / {s}"))
                            .unwrap_or_default(),
                        text(&p.actual_date)
                    ),
                    source: match (&p.source_package, &p.source_plant) {
                        (Some(pk), _) => Some(format!("package {pk}")),
                        (None, Some(pl)) => Some(format!("mother plant {pl}")),
                        (None, None) => None,
                    },
                })
                .collect(),
            Requests::PlantAdditives(rows) => rows
                .iter()
                .skip(offset)
                .take(limit)
                .map(|(line, r)| additive_change(*line, plant_target(r), r.application()))
                .collect(),
            Requests::BatchAdditives(rows) => rows
                .iter()
                .skip(offset)
                .take(limit)
                .map(|(line, b)| {
                    let target = format!("Plant batch {}", text(&b.plant_batch_name));
                    additive_change(*line, target, &b.application)
                })
                .collect(),
            Requests::SalesReceipts(receipts) => sales::changes(receipts, offset, limit),
        }
    }

    /// Totals per source: how much the file draws from each package or plant, in words.
    pub fn totals(&self) -> Vec<String> {
        match self {
            Requests::Plantings(rows) => {
                let mut by: std::collections::BTreeMap<String, (i64, usize)> = Default::default();
                for (_, p) in rows {
                    let key = match (&p.source_package, &p.source_plant) {
                        (Some(pk), _) => format!("package {pk}"),
                        (None, Some(pl)) => format!("mother plant {pl}"),
                        (None, None) => "no source".to_string(),
                    };
                    let e = by.entry(key).or_default();
                    e.0 += p.count.unwrap_or(0);
                    e.1 += 1;
                }
                by.into_iter()
                    .map(|(k, (plants, batches))| {
                        format!("{plants} plant(s) in {batches} new batch(es) from {k}")
                    })
                    .collect()
            }
            Requests::PlantAdditives(rows) => additive_totals(
                rows.iter().map(|(_, r)| (plant_target(r), r.application())),
                "plant target(s)",
            ),
            Requests::BatchAdditives(rows) => additive_totals(
                rows.iter().map(|(_, b)| {
                    let name = b.plant_batch_name.as_deref().unwrap_or("").trim();
                    (name.to_lowercase(), &b.application)
                }),
                "plant batch(es)",
            ),
            Requests::SalesReceipts(receipts) => sales::totals(receipts),
        }
    }
}

/// What a Plant Additives row treats, in words.
fn plant_target(r: &PlantAdditiveRow) -> String {
    match r {
        PlantAdditiveRow::Plants(p) => {
            let labels: Vec<String> = p
                .plant_labels
                .iter()
                .map(|l| l.trim().to_uppercase())
                .collect();
            match labels.as_slice() {
                [one] => format!("Plant {one}"),
                many => format!("Plants {}", many.join(", ")),
            }
        }
        PlantAdditiveRow::Location(l) => format!(
            "Every growing plant at {}{}",
            l.location_name.as_deref().unwrap_or(""),
            l.sublocation_name
                .as_deref()
                .map(|s| format!(" / {s}"))
                .unwrap_or_default()
        ),
    }
}

/// The product an application names: its trade name, or its template's name.
fn product_name(a: &Application) -> String {
    match &a.product {
        Product::Direct(p) => p.product_trade_name.clone().unwrap_or_default(),
        Product::Template(t) => format!(
            "template {}",
            t.template_name.as_deref().unwrap_or_default()
        ),
    }
}

fn additive_change(line: usize, target: String, a: &Application) -> Change {
    let amount = a
        .total_amount_applied
        .map(|d| d.normalize().to_string())
        .unwrap_or_default();
    let unit = a.total_amount_unit_of_measure.as_deref().unwrap_or("");
    let date = a.actual_date.as_deref().unwrap_or("");
    let (what, source) = match &a.product {
        Product::Direct(p) => {
            let kind = p.additive_type.as_deref().unwrap_or("");
            let ingredients: Vec<String> = p
                .active_ingredients
                .iter()
                .map(|i| {
                    format!(
                        "{} {}%",
                        i.name.as_deref().unwrap_or(""),
                        i.percentage
                            .map(|d| d.normalize().to_string())
                            .unwrap_or_default()
                    )
                })
                .collect();
            let with = if ingredients.is_empty() {
                String::new()
            } else {
                format!(", {}", ingredients.join(", "))
            };
            (
                format!("{} ({kind}{with})", product_name(a)),
                p.product_supplier.clone(),
            )
        }
        Product::Template(t) => {
            let how: Vec<&str> = [t.rate.as_deref(), t.volume.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            let how = if how.is_empty() {
                String::new()
            } else {
                format!(" ({})", how.join(", "))
            };
            (format!("{}{how}", product_name(a)), None)
        }
    };
    Change {
        line,
        target,
        change: format!("{amount} {unit} of {what}, applied {date}"),
        source,
    }
}

/// Per product and unit: how many applications, how much in all, on how many targets.
fn additive_totals<'a>(
    rows: impl Iterator<Item = (String, &'a Application)>,
    targets: &str,
) -> Vec<String> {
    let mut by: BTreeMap<(String, String), (usize, Decimal, std::collections::HashSet<String>)> =
        BTreeMap::new();
    for (target, a) in rows {
        let key = (
            product_name(a),
            a.total_amount_unit_of_measure.clone().unwrap_or_default(),
        );
        let e = by.entry(key).or_default();
        e.0 += 1;
        e.1 += a.total_amount_applied.unwrap_or_default();
        e.2.insert(target);
    }
    by.into_iter()
        .map(|((product, unit), (n, sum, on))| {
            format!(
                "{n} application(s) of {product}: {} {unit} in all, on {} {targets}",
                sum.normalize(),
                on.len()
            )
        })
        .collect()
}
