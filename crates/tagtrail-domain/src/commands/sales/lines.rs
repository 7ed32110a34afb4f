//! Sale lines against packages: the one place that decides whether a package may be sold from
//! and by how much, and gives quantity back when a sale is edited, voided or returned.
//!
//! **Shared by sales receipts and sales deliveries.** Both keep one [`Stock`] per request: every
//! line of every element takes from the same working copy of each package, so two lines on one
//! package (in one receipt or in two receipts of one body) are summed against what it holds
//! (rule 63). The signatures here are stable; change them only with both users in mind.
//!
//! Rules: 63 (label, quantity no more than available, unit matching the package's, a total
//! amount; the package active and not on hold), 49 (a passing lab state), bulletin III (a
//! finished package must be unfinished before a sale is recorded or edited from it).

use crate::commands::packages::Found;
use crate::commands::{Ctx, MAX_NAME_CHARS, optional};
use crate::records::{Package, PackageState, SaleLine, SaleLineExtras};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// One line of a sale as a request carries it (`Transactions[]` of a receipt or a delivery).
#[derive(Debug, Clone, Default)]
pub struct SaleLineSpec {
    pub package_label: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_of_measure: Option<String>,
    pub total_amount: Option<Decimal>,
    /// Kept as sent; only their text lengths are checked.
    pub extras: SaleLineExtras,
}

/// A problem with one line (`line`: its 0-based index in the element's `Transactions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: usize,
    pub message: String,
}

impl LineProblem {
    /// As a row error of body element `row`, pointing at the line.
    pub fn at_row(self, row: usize) -> crate::RowError {
        crate::RowError {
            row,
            message: self.message,
            line: Some(self.line),
        }
    }
}

/// The bulletin III refusal, in its words.
pub fn finished_message(label: &str) -> String {
    format!(
        "Package {label} is finished; it must be unfinished prior to editing or recording a sale \
         from it."
    )
}

/// The packages a request sells from, as this request has changed them so far.
#[derive(Debug, Clone)]
pub struct Stock {
    license: String,
    /// By upper-case label: the loaded package, then this request's after-image.
    packages: BTreeMap<String, Package>,
    /// The labels whose package this request changed.
    touched: std::collections::BTreeSet<String>,
}

impl Stock {
    /// A stock over `found` (the packages the request's lines and the edited sales name, by
    /// upper-case label) for the acting facility.
    pub fn new(ctx: &Ctx, found: &Found) -> Stock {
        Stock {
            license: ctx.facility.license_number.clone(),
            packages: found
                .iter()
                .filter(|(_, p)| p.license_number == ctx.facility.license_number)
                .map(|(k, p)| (k.to_ascii_uppercase(), p.clone()))
                .collect(),
            touched: Default::default(),
        }
    }

    /// Checks one element's lines and takes their quantities from the packages. Every problem
    /// is reported; when there is any, nothing is taken for this element (the stock is as
    /// before), so the caller can go on checking later elements and then refuse the request.
    pub fn take(
        &mut self,
        ctx: &Ctx,
        lines: &[SaleLineSpec],
    ) -> Result<Vec<SaleLine>, Vec<LineProblem>> {
        let mut problems = Vec::new();
        if lines.is_empty() {
            problems.push(LineProblem {
                line: 0,
                message: "Transactions were not specified.".into(),
            });
            return Err(problems);
        }
        let mut work = self.packages.clone();
        let mut out = Vec::with_capacity(lines.len());
        // What earlier lines of this request took from each package, for the message when
        // lines together ask for more than a package holds.
        let mut earlier: BTreeMap<String, Decimal> = BTreeMap::new();
        for (i, spec) in lines.iter().enumerate() {
            match take_one(&mut work, &self.license, spec, &earlier) {
                Ok(line) => {
                    *earlier
                        .entry(line.package_label.to_ascii_uppercase())
                        .or_default() += line.quantity;
                    out.push(line)
                }
                Err(message) => problems.push(LineProblem { line: i, message }),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        for line in &out {
            let key = line.package_label.to_ascii_uppercase();
            if let Some(p) = work.get_mut(&key) {
                p.last_modified = ctx.now.clone();
            }
            self.touched.insert(key);
        }
        self.packages = work;
        Ok(out)
    }

    /// Gives the quantities of recorded lines back to their packages (a receipt edited or
    /// voided, a delivery returned). Bulletin III: a finished package must be unfinished first,
    /// so a line on a finished package is refused rather than silently unfinishing it; so is a
    /// discontinued package or one in transit. A held package takes its quantity back (the hold
    /// stops sales from it, not returns to it). All or nothing, as [`Stock::take`].
    pub fn give_back(&mut self, ctx: &Ctx, lines: &[SaleLine]) -> Result<(), Vec<LineProblem>> {
        let mut work = self.packages.clone();
        let mut problems = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let key = line.package_label.to_ascii_uppercase();
            let message = match work.get_mut(&key) {
                None => Some(format!(
                    "Package {} does not exist in the current Facility.",
                    line.package_label
                )),
                Some(p) => match p.state {
                    PackageState::Finished => Some(finished_message(&line.package_label)),
                    PackageState::Discontinued => {
                        Some(format!("Package {} is discontinued.", line.package_label))
                    }
                    PackageState::InTransit => Some(format!(
                        "Package {} is in transit and cannot be changed.",
                        line.package_label
                    )),
                    PackageState::Active => match p.quantity.checked_add(line.quantity) {
                        Some(q) => {
                            p.quantity = q;
                            p.last_modified = ctx.now.clone();
                            None
                        }
                        None => Some("Quantity is too large.".into()),
                    },
                },
            };
            if let Some(message) = message {
                problems.push(LineProblem { line: i, message });
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        for line in lines {
            self.touched.insert(line.package_label.to_ascii_uppercase());
        }
        self.packages = work;
        Ok(())
    }

    /// The after-images of every package this request changed, by label.
    pub fn changed(&self) -> Vec<Package> {
        self.touched
            .iter()
            .filter_map(|k| self.packages.get(k))
            .cloned()
            .collect()
    }
}

fn too_long(value: &Option<String>, field: &str) -> Result<(), String> {
    match value {
        Some(v) if v.chars().count() > MAX_NAME_CHARS => Err(format!(
            "{field} is longer than {MAX_NAME_CHARS} characters."
        )),
        _ => Ok(()),
    }
}

/// Checks one line against the working packages and takes its quantity.
fn take_one(
    work: &mut BTreeMap<String, Package>,
    license: &str,
    spec: &SaleLineSpec,
    earlier: &BTreeMap<String, Decimal>,
) -> Result<SaleLine, String> {
    let label = optional(&spec.package_label).ok_or("PackageLabel was not specified.")?;
    if label.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "PackageLabel is longer than {MAX_NAME_CHARS} characters."
        ));
    }
    too_long(&spec.unit_of_measure, "UnitOfMeasure")?;
    too_long(
        &spec.extras.unit_thc_content_unit_of_measure,
        "UnitThcContentUnitOfMeasure",
    )?;
    too_long(
        &spec.extras.unit_weight_unit_of_measure,
        "UnitWeightUnitOfMeasure",
    )?;
    too_long(&spec.extras.invoice_number, "InvoiceNumber")?;
    let p = work
        .get_mut(&label.to_ascii_uppercase())
        .filter(|p| p.license_number == license)
        .ok_or_else(|| format!("Package {label} does not exist in the current Facility."))?;
    match p.state {
        // Bulletin III.
        PackageState::Finished => return Err(finished_message(&p.label.to_string())),
        PackageState::Discontinued => return Err(format!("Package {} is discontinued.", p.label)),
        PackageState::InTransit => return Err(format!("Package {} is in transit.", p.label)),
        PackageState::Active => {}
    }
    if p.on_hold {
        // Rules 34 and 63: a held package cannot be sold until released.
        return Err(format!(
            "Package {} is on hold and cannot be sold.",
            p.label
        ));
    }
    if !p.lab_testing_state.passing() {
        // Rule 49: only product that passed testing reaches a customer.
        return Err(format!(
            "Package {} is {}; only a package that passed testing can be sold.",
            p.label, p.lab_testing_state
        ));
    }
    let unit_name = optional(&spec.unit_of_measure).ok_or("UnitOfMeasure was not specified.")?;
    let unit = crate::quantity::unit(&unit_name)
        .ok_or_else(|| format!("Unit of Measure {unit_name} does not exist."))?;
    if !unit.name.eq_ignore_ascii_case(p.unit_of_measure.trim()) {
        // Rule 63: the unit of measure matches the package's.
        return Err(format!(
            "UnitOfMeasure {} does not match package {}'s {}.",
            unit.name, p.label, p.unit_of_measure
        ));
    }
    let qty = spec.quantity.ok_or("Quantity was not specified.")?;
    if qty <= Decimal::ZERO {
        return Err("Quantity must be greater than zero.".into());
    }
    let total = spec.total_amount.ok_or("TotalAmount was not specified.")?;
    if total.is_sign_negative() && !total.is_zero() {
        return Err("TotalAmount cannot be negative.".into());
    }
    let before = earlier
        .get(&label.to_ascii_uppercase())
        .copied()
        .unwrap_or_default();
    if qty > p.quantity && !before.is_zero() {
        // Rule 63, counting earlier lines of this request: say so, or "0 available" puzzles.
        let unit = &p.unit_of_measure;
        return Err(format!(
            "Package {} has {} {unit} available; this line's {qty} {unit} and {before} {unit} on \
             earlier lines for the same package together are more than that.",
            p.label,
            p.quantity + before,
        ));
    }
    if qty > p.quantity {
        // Rule 63: no more than available.
        return Err(format!(
            "Package {} has {} {} available; {} {} cannot be sold from it.",
            p.label, p.quantity, p.unit_of_measure, qty, p.unit_of_measure
        ));
    }
    p.quantity -= qty;
    Ok(SaleLine {
        package_id: p.id,
        package_label: p.label.to_string(),
        item_name: p.item_name.clone(),
        item_category: p.item_category.clone(),
        item_strain_name: p.item_strain_name.clone(),
        quantity: qty,
        unit_of_measure: p.unit_of_measure.clone(),
        total_amount: total,
        extras: spec.extras.clone(),
    })
}

#[cfg(test)]
#[path = "lines_tests.rs"]
mod tests;
