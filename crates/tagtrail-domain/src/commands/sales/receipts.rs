//! Sales receipts: record, update, void, finalize, unfinalize (rules 63 and 64, state machine
//! 2.8, bulletin III). The package checks and quantities are [`super::lines`]'s.
//!
//! Choices where the sources leave room:
//! - **Late sales** (rule 63, "recorded within 24 h") are accepted with a warning, as late
//!   waste is under rule 16: refusing would leave a sale that happened out of the ledger, and
//!   the 24-hour duty is the licensee's to explain.
//! - **Voiding or editing a sale from a package since finished** is refused with bulletin III's
//!   message (unfinish it first) rather than unfinishing it silently: the bulletin asks the
//!   licensee to unfinish, and the journal then shows who did.

use super::lines::{LineProblem, SaleLineSpec, Stock};
use super::reference;
use crate::commands::packages::Found;
use crate::commands::{Ctx, MAX_NAME_CHARS, optional};
use crate::error::{Rejection, RowError};
use crate::license::LicenseType;
use crate::records::{CustomerType, Package, SalesReceipt};
use std::collections::{HashMap, HashSet};

/// Rule 64's refusal, in the words Metrc-compatible clients look for.
pub const FINALIZED: &str = "Receipt is finalized";

/// One element of `POST` or `PUT /sales/v2/receipts`.
#[derive(Debug, Clone, Default)]
pub struct ReceiptSpec {
    /// Required on update, ignored on record.
    pub id: Option<i64>,
    pub sales_date_time: Option<String>,
    pub external_receipt_number: Option<String>,
    pub sales_customer_type: Option<String>,
    pub patient_license_number: Option<String>,
    pub caregiver_license_number: Option<String>,
    pub identification_method: Option<String>,
    pub patient_registration_location_id: Option<i64>,
    pub transactions: Vec<SaleLineSpec>,
}

/// What the receipt decisions need.
#[derive(Debug, Clone, Default)]
pub struct ReceiptWorld {
    /// The packages the request's lines and the addressed receipts' lines name, by upper-case
    /// label.
    pub packages: Found,
    /// The receipts the request addresses by id (any license: the decision checks).
    pub receipts: HashMap<i64, SalesReceipt>,
    /// External receipt numbers the request names, held by this license's receipts that are not
    /// voided: number → receipt id.
    pub external_numbers: HashMap<String, i64>,
    /// The next free receipt id.
    pub next_id: i64,
}

/// What a receipt decision writes.
#[derive(Debug, Clone, Default)]
pub struct Receipted {
    /// In request order; their ids answer the request.
    pub receipts: Vec<SalesReceipt>,
    pub packages: Vec<Package>,
    /// Late sales (rule 63), in request order.
    pub warnings: Vec<String>,
}

/// Rule 63: only a retailer records sales (microbusinesses are not modelled yet).
fn check_retailer(ctx: &Ctx) -> Result<(), Rejection> {
    if ctx.facility.license_type == LicenseType::Retailer {
        Ok(())
    } else {
        Err(Rejection::Forbidden(
            "Only a retailer license records sales (rule 63).".into(),
        ))
    }
}

fn bounded(value: &Option<String>, field: &str) -> Result<Option<String>, String> {
    match optional(value) {
        Some(v) if v.chars().count() > MAX_NAME_CHARS => Err(format!(
            "{field} is longer than {MAX_NAME_CHARS} characters."
        )),
        v => Ok(v),
    }
}

/// The receipt's fields other than its lines, checked.
struct Header {
    sales_date_time: String,
    external: Option<String>,
    customer: CustomerType,
    patient: Option<String>,
    caregiver: Option<String>,
    identification: Option<String>,
    location: Option<i64>,
    late: Option<String>,
}

fn header(ctx: &Ctx, s: &ReceiptSpec) -> Result<Header, Vec<String>> {
    let mut errs = Vec::new();
    let mut field = |r: Result<Option<String>, String>| match r {
        Ok(v) => v,
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let external = field(bounded(&s.external_receipt_number, "ExternalReceiptNumber"));
    let patient = field(bounded(&s.patient_license_number, "PatientLicenseNumber"));
    let caregiver = field(bounded(
        &s.caregiver_license_number,
        "CaregiverLicenseNumber",
    ));
    let identification = field(bounded(&s.identification_method, "IdentificationMethod"));
    let raw_type = field(bounded(&s.sales_customer_type, "SalesCustomerType"));
    let raw_date = field(bounded(&s.sales_date_time, "SalesDateTime"));
    let customer = match raw_type {
        None => {
            errs.push("SalesCustomerType was not specified.".into());
            None
        }
        Some(t) => match CustomerType::parse(&t) {
            Some(c) => Some(c),
            None => {
                errs.push(format!("SalesCustomerType {t} does not exist."));
                None
            }
        },
    };
    match customer {
        Some(CustomerType::Patient | CustomerType::ExternalPatient) if patient.is_none() => {
            errs.push("PatientLicenseNumber is required for a patient sale.".into())
        }
        Some(CustomerType::Caregiver) if caregiver.is_none() => {
            errs.push("CaregiverLicenseNumber is required for a caregiver sale.".into())
        }
        _ => {}
    }
    if let Some(id) = s.patient_registration_location_id
        && reference::patient_registration_location(id).is_none()
    {
        errs.push(format!(
            "PatientRegistrationLocationId {id} does not exist."
        ));
    }
    let now = crate::time::parse_instant(&ctx.now);
    let mut late = None;
    let sales_date_time = match raw_date {
        None => {
            errs.push("SalesDateTime was not specified.".into());
            None
        }
        Some(d) => match (crate::time::parse_instant(&d), now) {
            (None, _) | (_, None) => {
                errs.push(format!("SalesDateTime {d} is not a date and time."));
                None
            }
            (Some(t), Some(now)) if t > now => {
                // Rule 16: a sale is recorded after it happens.
                errs.push(format!("SalesDateTime {d} is in the future."));
                None
            }
            (Some(t), Some(now)) => {
                let hours = (now - t).num_hours();
                if hours >= 24 {
                    late = Some(format!(
                        "Sale of {d} recorded {hours} h after it happened; 4 CCR §15049(b) \
                         requires 24 h (rule 63)."
                    ));
                }
                Some(crate::time::format(t))
            }
        },
    };
    match (customer, sales_date_time) {
        (Some(customer), Some(sales_date_time)) if errs.is_empty() => Ok(Header {
            sales_date_time,
            external,
            customer,
            patient,
            caregiver,
            identification,
            location: s.patient_registration_location_id,
            late,
        }),
        _ => Err(errs),
    }
}

/// Collects a request's problems, row by row.
#[derive(Default)]
struct Problems(Vec<RowError>);

impl Problems {
    fn rows(&mut self, row: usize, msgs: Vec<String>) {
        self.0
            .extend(msgs.into_iter().map(|m| RowError::new(row, m)));
    }
    fn lines(&mut self, row: usize, ps: Vec<LineProblem>) {
        self.0.extend(ps.into_iter().map(|p| p.at_row(row)));
    }
    fn one(&mut self, row: usize, msg: impl Into<String>) {
        self.0.push(RowError::new(row, msg));
    }
    fn finish(self) -> Result<(), Rejection> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Rejection::Rows(self.0))
        }
    }
}

/// External receipt numbers: unique per license among receipts not voided, in this request too.
struct Externals<'a> {
    held: &'a HashMap<String, i64>,
    seen: HashSet<String>,
}

impl Externals<'_> {
    fn claim(&mut self, number: &Option<String>, receipt: Option<i64>) -> Result<(), String> {
        let Some(n) = number else { return Ok(()) };
        if let Some(holder) = self.held.get(n)
            && Some(*holder) != receipt
        {
            return Err(format!(
                "ExternalReceiptNumber {n} is already used by receipt {holder}."
            ));
        }
        if !self.seen.insert(n.clone()) {
            return Err(format!("ExternalReceiptNumber {n} appears more than once."));
        }
        Ok(())
    }
}

/// `POST /sales/v2/receipts` (rule 63).
pub fn record(
    ctx: &Ctx,
    world: &ReceiptWorld,
    specs: &[ReceiptSpec],
    by: &str,
) -> Result<Receipted, Rejection> {
    check_retailer(ctx)?;
    let mut stock = Stock::new(ctx, &world.packages);
    let mut problems = Problems::default();
    let mut externals = Externals {
        held: &world.external_numbers,
        seen: HashSet::new(),
    };
    let mut out = Receipted::default();
    let mut next = world.next_id;
    for (row, s) in specs.iter().enumerate() {
        let h = header(ctx, s);
        let lines = stock.take(ctx, &s.transactions);
        let (h, lines) = match (h, lines) {
            (Ok(h), Ok(lines)) => (h, lines),
            (h, lines) => {
                problems.rows(row, h.err().unwrap_or_default());
                problems.lines(row, lines.err().unwrap_or_default());
                continue;
            }
        };
        if let Err(e) = externals.claim(&h.external, None) {
            problems.one(row, e);
            continue;
        }
        out.warnings.extend(h.late.clone());
        out.receipts.push(SalesReceipt {
            id: next,
            license_number: ctx.facility.license_number.clone(),
            receipt_number: format!("{next:010}"),
            external_receipt_number: h.external,
            sales_date_time: h.sales_date_time,
            sales_customer_type: h.customer,
            patient_license_number: h.patient,
            caregiver_license_number: h.caregiver,
            identification_method: h.identification,
            patient_registration_location_id: h.location,
            transactions: lines,
            is_final: false,
            voided: false,
            archived_date: None,
            recorded_date_time: ctx.now.clone(),
            recorded_by_user_name: by.to_string(),
            active: true,
            last_modified: ctx.now.clone(),
        });
        next += 1;
    }
    problems.finish()?;
    out.packages = stock.changed();
    Ok(out)
}

/// The receipt `id` of this facility, or why not.
fn own<'a>(ctx: &Ctx, world: &'a ReceiptWorld, id: i64) -> Result<&'a SalesReceipt, String> {
    world
        .receipts
        .get(&id)
        .filter(|r| r.license_number == ctx.facility.license_number)
        .ok_or_else(|| format!("Sales receipt {id} does not exist in the current Facility."))
}

/// `PUT /sales/v2/receipts`: the old lines' quantities go back, then the new lines are taken
/// with the same checks as a new sale (rule 63, bulletin III). A finalized receipt is refused
/// whole with 409 (rule 64).
pub fn update(
    ctx: &Ctx,
    world: &ReceiptWorld,
    specs: &[ReceiptSpec],
) -> Result<Receipted, Rejection> {
    check_retailer(ctx)?;
    crate::commands::require_ids(specs.iter().map(|s| s.id))?;
    let mut stock = Stock::new(ctx, &world.packages);
    let mut problems = Problems::default();
    let mut externals = Externals {
        held: &world.external_numbers,
        seen: HashSet::new(),
    };
    let mut out = Receipted::default();
    for (row, s) in specs.iter().enumerate() {
        let id = s.id.unwrap_or_default();
        let old = match own(ctx, world, id) {
            Ok(r) => r,
            Err(e) => {
                problems.one(row, e);
                continue;
            }
        };
        if old.voided {
            problems.one(row, format!("Sales receipt {id} is voided."));
            continue;
        }
        if old.is_final {
            // Rule 64: the whole request is refused, as Metrc does.
            return Err(Rejection::Conflict(FINALIZED.into()));
        }
        if let Err(ps) = stock.give_back(ctx, &old.transactions) {
            problems.lines(row, ps);
            continue;
        }
        let h = header(ctx, s);
        let lines = stock.take(ctx, &s.transactions);
        let (h, lines) = match (h, lines) {
            (Ok(h), Ok(lines)) => (h, lines),
            (h, lines) => {
                problems.rows(row, h.err().unwrap_or_default());
                problems.lines(row, lines.err().unwrap_or_default());
                continue;
            }
        };
        if let Err(e) = externals.claim(&h.external, Some(id)) {
            problems.one(row, e);
            continue;
        }
        out.warnings.extend(h.late.clone());
        let mut r = old.clone();
        r.external_receipt_number = h.external;
        r.sales_date_time = h.sales_date_time;
        r.sales_customer_type = h.customer;
        r.patient_license_number = h.patient;
        r.caregiver_license_number = h.caregiver;
        r.identification_method = h.identification;
        r.patient_registration_location_id = h.location;
        r.transactions = lines;
        r.last_modified = ctx.now.clone();
        out.receipts.push(r);
    }
    problems.finish()?;
    out.packages = stock.changed();
    Ok(out)
}

/// `DELETE /sales/v2/receipts/{id}`: the receipt is voided and its quantities go back to the
/// packages (state machine 2.8). Finalized: 409 (rule 64).
pub fn void(ctx: &Ctx, world: &ReceiptWorld, id: i64) -> Result<Receipted, Rejection> {
    check_retailer(ctx)?;
    let old = own(ctx, world, id).map_err(Rejection::NotFound)?;
    if old.voided {
        return Err(Rejection::Invalid(format!(
            "Sales receipt {id} is already voided."
        )));
    }
    if old.is_final {
        return Err(Rejection::Conflict(FINALIZED.into()));
    }
    let mut stock = Stock::new(ctx, &world.packages);
    stock.give_back(ctx, &old.transactions).map_err(|ps| {
        Rejection::Invalid(
            ps.into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join(" "),
        )
    })?;
    let mut r = old.clone();
    r.voided = true;
    r.active = false;
    r.archived_date = Some(ctx.now.clone());
    r.last_modified = ctx.now.clone();
    Ok(Receipted {
        receipts: vec![r],
        packages: stock.changed(),
        warnings: vec![],
    })
}

/// `PUT /sales/v2/receipts/finalize` (`finalize` true) and `/unfinalize` (false), body
/// `[{Id}]`. Finalizing one already final, or a voided one, is a row error; so is unfinalizing
/// one not final (rule 64).
pub fn set_final(
    ctx: &Ctx,
    world: &ReceiptWorld,
    ids: &[Option<i64>],
    finalize: bool,
) -> Result<Vec<SalesReceipt>, Rejection> {
    check_retailer(ctx)?;
    crate::commands::require_ids(ids.iter().copied())?;
    let mut problems = Problems::default();
    let mut out = Vec::new();
    for (row, id) in ids.iter().enumerate() {
        let id = id.unwrap_or_default();
        let r = match own(ctx, world, id) {
            Ok(r) => r,
            Err(e) => {
                problems.one(row, e);
                continue;
            }
        };
        if r.voided {
            problems.one(row, format!("Sales receipt {id} is voided."));
        } else if r.is_final == finalize {
            problems.one(
                row,
                if finalize {
                    format!("Sales receipt {id} is already finalized.")
                } else {
                    format!("Sales receipt {id} is not finalized.")
                },
            );
        } else {
            let mut r = r.clone();
            r.is_final = finalize;
            r.active = !finalize;
            r.last_modified = ctx.now.clone();
            out.push(r);
        }
    }
    problems.finish()?;
    Ok(out)
}

#[cfg(test)]
#[path = "receipts_tests.rs"]
mod tests;
