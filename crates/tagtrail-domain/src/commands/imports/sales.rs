//! The Sales receipts file (rule 73 for rule 63's sales): a point-of-sale system's export, one
//! row per receipt line. Rows with the same `ExternalReceiptNumber` are one receipt (one element
//! of `POST /sales/v2/receipts`), wherever they stand in the file, so a receipt is never split
//! across the application layer's groups of requests: its lines are checked against the
//! packages together, as the API checks them.
//!
//! The receipt's own columns (the time, the customer type, the patient's or caregiver's number)
//! are repeated on each of its rows, as exports write them; rows of one receipt that disagree
//! are refused here, naming the line, because which of them is meant cannot be guessed. Whether
//! a package may be sold from (finished, on hold, not lab-tested, too little left) is the
//! decision's, with the file line of the sale line it names.

use super::{Column, Format, LineError, Row, col};
use crate::commands::sales::lines::SaleLineSpec;
use crate::commands::sales::receipts::ReceiptSpec;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// The Sales receipts columns: the receipt's, then the line's.
pub(super) const SALES_RECEIPTS: [Column; 11] = [
    col(
        "ExternalReceiptNumber",
        true,
        Format::Text,
        "POS-2026-000123",
        "The point-of-sale system's receipt number. Rows with the same number are the lines of \
         one receipt and must agree on every receipt column (ExternalReceiptNumber to \
         PatientRegistrationLocationId). Unused by the facility's receipts that are not voided.",
    ),
    col(
        "SalesDateTime",
        true,
        Format::Text,
        "2026-11-30T14:05:00-08:00",
        "When the sale happened: a date and time, YYYY-MM-DDTHH:MM:SS with an offset (or UTC \
         without one); not in the future. A sale recorded more than 24 hours later is accepted \
         with a warning (rule 63).",
    ),
    col(
        "SalesCustomerType",
        true,
        Format::Text,
        "Consumer",
        "Consumer, Patient, Caregiver, ExternalPatient or NonResidentConsumer.",
    ),
    col(
        "PatientLicenseNumber",
        false,
        Format::Text,
        "",
        "Required for a Patient or ExternalPatient sale.",
    ),
    col(
        "CaregiverLicenseNumber",
        false,
        Format::Text,
        "",
        "Required for a Caregiver sale.",
    ),
    col(
        "IdentificationMethod",
        false,
        Format::Text,
        "",
        "How the customer was identified (free text), or empty.",
    ),
    col(
        "PatientRegistrationLocationId",
        false,
        Format::Integer,
        "",
        "The id of the state that registered the patient (GET \
         /sales/v2/patientregistration/locations), or empty.",
    ),
    col(
        "PackageLabel",
        true,
        Format::Text,
        "1A4FF0300000029000000201",
        "The tag of the package sold from: active, not on hold, not finished (bulletin III: \
         unfinish it first) and with a passing lab result (rule 49).",
    ),
    Column {
        unit: Some("the package's unit"),
        ..col(
            "Quantity",
            true,
            Format::Decimal,
            "2",
            "How much of the package this line sells. All lines of the file on one package \
             together may not exceed what it holds (rule 63).",
        )
    },
    col(
        "UnitOfMeasure",
        true,
        Format::Text,
        "Each",
        "The quantity's unit: the package's own.",
    ),
    Column {
        unit: Some("dollars"),
        ..col(
            "TotalAmount",
            true,
            Format::Decimal,
            "45.00",
            "What the customer paid for the line.",
        )
    },
];

/// The receipt columns every row of one receipt repeats.
const RECEIPT_COLUMNS: [&str; 6] = [
    "SalesDateTime",
    "SalesCustomerType",
    "PatientLicenseNumber",
    "CaregiverLicenseNumber",
    "IdentificationMethod",
    "PatientRegistrationLocationId",
];

/// One receipt of a file: the request element, and the file line of each of its lines.
#[derive(Debug, Clone)]
pub struct ImportedReceipt {
    pub spec: ReceiptSpec,
    /// `lines[i]` is the file line of `spec.transactions[i]`.
    pub lines: Vec<usize>,
}

impl ImportedReceipt {
    /// The file line a problem points at: its sale line's, else the receipt's first.
    pub fn line_of(&self, transaction: Option<usize>) -> usize {
        transaction
            .and_then(|i| self.lines.get(i))
            .or(self.lines.first())
            .copied()
            .unwrap_or(0)
    }

    /// The receipt's number, as the file wrote it.
    pub fn number(&self) -> &str {
        self.spec.external_receipt_number.as_deref().unwrap_or("")
    }
}

/// The file's rows grouped into receipts, in the order each receipt first appears; the rows
/// that disagree with their receipt's first row add their problem.
pub(super) fn receipts(rows: &[Row], errors: &mut Vec<LineError>) -> Vec<(usize, ImportedReceipt)> {
    let mut order: Vec<ImportedReceipt> = Vec::new();
    // Receipt number → its index in `order`, and the receipt columns of its first row.
    let mut by_number: HashMap<String, (usize, Vec<Option<String>>, usize)> = HashMap::new();
    for r in rows {
        let number = r.text("ExternalReceiptNumber").unwrap_or_default();
        let header: Vec<Option<String>> = RECEIPT_COLUMNS.iter().map(|c| r.text(c)).collect();
        let line = SaleLineSpec {
            package_label: r.text("PackageLabel"),
            quantity: r.decimal("Quantity"),
            unit_of_measure: r.text("UnitOfMeasure"),
            total_amount: r.decimal("TotalAmount"),
            extras: Default::default(),
        };
        match by_number.get(&number) {
            Some((at, first, first_line)) => {
                let differs: Vec<&str> = RECEIPT_COLUMNS
                    .iter()
                    .zip(first.iter().zip(&header))
                    .filter(|(_, (a, b))| a != b)
                    .map(|(c, _)| *c)
                    .collect();
                if !differs.is_empty() {
                    errors.push(LineError::new(
                        r.line,
                        format!(
                            "receipt {number}'s {} differ(s) from its first row, line {first_line}; \
                             the rows of one receipt must agree.",
                            differs.join(", ")
                        ),
                    ));
                    continue;
                }
                let receipt = &mut order[*at];
                receipt.spec.transactions.push(line);
                receipt.lines.push(r.line);
            }
            None => {
                by_number.insert(number.clone(), (order.len(), header, r.line));
                order.push(ImportedReceipt {
                    spec: ReceiptSpec {
                        id: None,
                        sales_date_time: r.text("SalesDateTime"),
                        external_receipt_number: Some(number),
                        sales_customer_type: r.text("SalesCustomerType"),
                        patient_license_number: r.text("PatientLicenseNumber"),
                        caregiver_license_number: r.text("CaregiverLicenseNumber"),
                        identification_method: r.text("IdentificationMethod"),
                        patient_registration_location_id: r
                            .integer("PatientRegistrationLocationId"),
                        transactions: vec![line],
                    },
                    lines: vec![r.line],
                });
            }
        }
    }
    order.into_iter().map(|r| (r.line_of(None), r)).collect()
}

/// A decimal as people read it: `2.50` → `2.5`.
fn plain(d: Option<Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

/// Each sale line of `receipts` as a change, in file order of receipts then lines, lines
/// `offset..offset + limit` of that order.
pub(super) fn changes(
    receipts: &[(usize, ImportedReceipt)],
    offset: usize,
    limit: usize,
) -> Vec<super::Change> {
    receipts
        .iter()
        .flat_map(|(_, r)| {
            r.spec
                .transactions
                .iter()
                .zip(&r.lines)
                .map(move |(t, line)| (r, t, *line))
        })
        .skip(offset)
        .take(limit)
        .map(|(r, t, line)| super::Change {
            line,
            target: format!("Receipt {}", r.number()),
            change: format!(
                "{} {} from package {}, {} paid",
                plain(t.quantity),
                t.unit_of_measure.as_deref().unwrap_or(""),
                t.package_label
                    .as_deref()
                    .unwrap_or("")
                    .trim()
                    .to_uppercase(),
                plain(t.total_amount)
            ),
            source: Some(format!(
                "{} at {}",
                r.spec.sales_customer_type.as_deref().unwrap_or(""),
                r.spec.sales_date_time.as_deref().unwrap_or("")
            )),
        })
        .collect()
}

/// The file in figures: receipts and lines, then what leaves each package and what each
/// customer type bought.
pub(super) fn totals(receipts: &[(usize, ImportedReceipt)]) -> Vec<String> {
    let lines: usize = receipts.iter().map(|(_, r)| r.lines.len()).sum();
    let mut out = vec![format!("{} receipt(s) of {lines} line(s)", receipts.len())];
    // Package → (unit → quantity, lines, receipts).
    let mut packages: BTreeMap<String, (BTreeMap<String, Decimal>, usize, usize)> = BTreeMap::new();
    // Customer type → (receipts, lines, amount).
    let mut customers: BTreeMap<String, (usize, usize, Decimal)> = BTreeMap::new();
    for (_, r) in receipts {
        let mut seen = std::collections::HashSet::new();
        for t in &r.spec.transactions {
            let label = t
                .package_label
                .as_deref()
                .unwrap_or("")
                .trim()
                .to_uppercase();
            let e = packages.entry(label.clone()).or_default();
            *e.0.entry(t.unit_of_measure.clone().unwrap_or_default())
                .or_default() += t.quantity.unwrap_or_default();
            e.1 += 1;
            if seen.insert(label) {
                e.2 += 1;
            }
        }
        let c = customers
            .entry(r.spec.sales_customer_type.clone().unwrap_or_default())
            .or_default();
        c.0 += 1;
        c.1 += r.spec.transactions.len();
        c.2 += r
            .spec
            .transactions
            .iter()
            .map(|t| t.total_amount.unwrap_or_default())
            .sum::<Decimal>();
    }
    for (label, (units, lines, receipts)) in packages {
        let qty: Vec<String> = units
            .iter()
            .map(|(u, q)| format!("{} {u}", q.normalize()))
            .collect();
        out.push(format!(
            "Package {label}: {} sold in {lines} line(s) of {receipts} receipt(s)",
            qty.join(" + ")
        ));
    }
    for (customer, (receipts, lines, amount)) in customers {
        out.push(format!(
            "{customer}: {receipts} receipt(s), {lines} line(s), {} in all",
            amount.normalize()
        ));
    }
    out
}
