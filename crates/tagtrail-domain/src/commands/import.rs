//! The operator's bulk import of package history: a state migrating a licensee's records from
//! another system, or a sandbox (or the scale benchmark) given years of history at once. The
//! imported packages are checked like any other record the ledger keeps, and the import is one
//! journal entry per batch, named as an import.

use super::Ctx;
use crate::error::{Rejection, RowErrors};
use crate::lab_state::LabState;
use crate::records::{
    Item, LabResult, Package, PackageAdjustment, PackageLink, PackageState, fold,
};
use crate::reference;
use crate::tag::TagLabel;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// One package of an import file, as another system recorded it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportedPackage {
    pub label: String,
    /// The item's name at the importing facility.
    pub item: String,
    pub quantity: Decimal,
    pub original_quantity: Decimal,
    /// Finished packages (rule 33) are imported empty and inactive.
    pub finished: bool,
    pub lab_testing_state: LabState,
    pub packaged_date: String,
    /// The label of the package it was made from: one already in the ledger, or an earlier one
    /// of the same import.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub adjustment: Option<ImportedAdjustment>,
    #[serde(default)]
    pub lab_result: Option<ImportedResult>,
}

/// An adjustment the other system recorded (signed; its reason from the state's list).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportedAdjustment {
    pub quantity: Decimal,
    pub reason: String,
}

/// A released lab result the other system recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportedResult {
    pub lab_license: String,
    pub lab_name: String,
    pub test_type: String,
    pub passed: bool,
}

/// What the ledger loaded: the facility's items by folded name, and the packages the import
/// names (its own labels, to refuse duplicates, and its sources) by label.
#[derive(Debug, Default)]
pub struct ImportWorld {
    pub items: HashMap<String, Item>,
    pub packages: HashMap<String, Package>,
}

/// The next free ids of the tables an import writes to.
#[derive(Debug, Clone, Copy)]
pub struct ImportIds {
    pub package: i64,
    pub link: i64,
    pub adjustment: i64,
    pub result: i64,
}

#[derive(Debug, Default)]
pub struct Imported {
    pub packages: Vec<Package>,
    pub links: Vec<PackageLink>,
    pub adjustments: Vec<PackageAdjustment>,
    pub results: Vec<LabResult>,
}

/// Imports packages. Every row is checked and every problem reported: the label is a valid,
/// unused UID; the item exists at the facility; quantities are not negative and a finished
/// package is empty (rules 28, 33); a source is a known package; a lab result names a known test
/// type.
pub fn import_packages(
    ctx: &Ctx,
    world: &ImportWorld,
    specs: &[ImportedPackage],
    mut next: ImportIds,
) -> Result<Imported, Rejection> {
    let mut errors = RowErrors::default();
    let mut out = Imported::default();
    let mut by_label: HashMap<String, (i64, String)> = HashMap::new();
    let mut seen = HashSet::new();
    let lic = &ctx.facility.license_number;
    for (row, spec) in specs.iter().enumerate() {
        let checked = (|| -> Result<(TagLabel, &Item), String> {
            let label = TagLabel::parse(&spec.label)?;
            if world.packages.contains_key(label.as_str()) || !seen.insert(label.to_string()) {
                return Err(format!("Package {label} already exists."));
            }
            let item = world.items.get(&fold(&spec.item)).ok_or_else(|| {
                format!("Item {} does not exist in the current Facility.", spec.item)
            })?;
            if spec.quantity.is_sign_negative() || spec.original_quantity.is_sign_negative() {
                return Err("Quantities cannot be negative.".into());
            }
            if spec.finished && !spec.quantity.is_zero() {
                return Err(format!("Package {label} is finished but not empty."));
            }
            if let Some(a) = &spec.adjustment {
                reference::adjust_reason(&a.reason)
                    .ok_or_else(|| format!("Adjustment reason {} does not exist.", a.reason))?;
            }
            if let Some(r) = &spec.lab_result {
                reference::lab_test_type(&r.test_type)
                    .ok_or_else(|| format!("Lab test type {} does not exist.", r.test_type))?;
            }
            Ok((label, item))
        })();
        let (label, item) = match checked {
            Ok(x) => x,
            Err(e) => {
                errors.push(row, e);
                continue;
            }
        };
        let source = match spec
            .source
            .as_deref()
            .map(|s| s.trim().to_ascii_uppercase())
        {
            None => None,
            Some(s) => match by_label.get(&s).cloned().or_else(|| {
                world
                    .packages
                    .get(&s)
                    .filter(|p| &p.license_number == lic)
                    .map(|p| (p.id, p.label.to_string()))
            }) {
                Some(src) => Some(src),
                None => {
                    errors.push(row, format!("Source package {s} does not exist."));
                    continue;
                }
            },
        };
        let id = next.package;
        next.package += 1;
        let now = ctx.now.clone();
        let p = Package {
            id,
            license_number: lic.clone(),
            label: label.clone(),
            package_type: "Product".into(),
            item_id: item.id,
            item_name: item.name.clone(),
            item_category: item.category.clone(),
            item_strain_name: item.strain_name.clone(),
            quantity: spec.quantity,
            unit_of_measure: item.unit_of_measure.clone(),
            original_quantity: spec.original_quantity,
            location_id: None,
            location_name: spec.location.clone(),
            sublocation_id: None,
            sublocation_name: None,
            note: None,
            packaged_date: spec.packaged_date.clone(),
            packaged_by_license: lic.clone(),
            packaged_by_name: ctx.facility.name.clone(),
            source_package_ids: source.iter().map(|s| s.0).collect(),
            source_package_labels: source.iter().map(|s| s.1.clone()).collect(),
            production_batch_number: None,
            is_production_batch: false,
            is_testing_sample: false,
            is_trade_sample: false,
            is_donation: false,
            is_finished_good: false,
            product_requires_remediation: false,
            initial_lab_testing_state: spec.lab_testing_state,
            lab_testing_state: spec.lab_testing_state,
            lab_testing_state_date: spec.packaged_date.clone(),
            remediation_count: 0,
            remediation_date: None,
            decontamination_date: None,
            on_hold: false,
            hold_reason: None,
            state: if spec.finished {
                PackageState::Finished
            } else {
                PackageState::Active
            },
            finished_date: spec.finished.then(|| spec.packaged_date.clone()),
            expiration_date: None,
            sell_by_date: None,
            use_by_date: None,
            external_id: None,
            archived_date: None,
            lab_license: None,
            received: None,
            source_harvests: vec![],
            active: !spec.finished,
            last_modified: now.clone(),
        };
        if let Some((parent_id, parent_label)) = &source {
            out.links.push(PackageLink {
                id: next.link,
                license_number: lic.clone(),
                parent_id: *parent_id,
                parent_label: parent_label.clone(),
                child_id: id,
                child_label: label.to_string(),
                quantity: spec.original_quantity,
                unit_of_measure: p.unit_of_measure.clone(),
                active: true,
                last_modified: now.clone(),
            });
            next.link += 1;
        }
        if let Some(a) = &spec.adjustment {
            out.adjustments.push(PackageAdjustment {
                id: next.adjustment,
                license_number: lic.clone(),
                package_id: id,
                package_label: label.to_string(),
                item_name: item.name.clone(),
                item_category: item.category.clone(),
                quantity: a.quantity,
                unit_of_measure: p.unit_of_measure.clone(),
                reason: a.reason.clone(),
                note: None,
                adjustment_date: spec.packaged_date.clone(),
                packaged_date: spec.packaged_date.clone(),
                adjusted_by: "import".into(),
                active: true,
                last_modified: now.clone(),
            });
            next.adjustment += 1;
        }
        if let Some(r) = &spec.lab_result {
            out.results.push(LabResult {
                id: next.result,
                lab_license: r.lab_license.clone(),
                lab_name: r.lab_name.clone(),
                package_id: id,
                package_label: label.to_string(),
                owner_license: lic.clone(),
                item_name: item.name.clone(),
                item_category: item.category.clone(),
                test_type: r.test_type.clone(),
                quantity: None,
                passed: r.passed,
                notes: None,
                informational: false,
                research: false,
                result_date: spec.packaged_date.clone(),
                document_id: None,
                released: true,
                released_at: Some(now.clone()),
                active: true,
                last_modified: now.clone(),
            });
            next.result += 1;
        }
        by_label.insert(label.to_string(), (id, label.to_string()));
        out.packages.push(p);
    }
    errors.into_result()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::LicenseType;
    use crate::records::Facility;

    const NOW: &str = "2026-06-01T12:00:00.000000+00:00";

    fn facility() -> Facility {
        Facility {
            id: 1,
            license_number: "L-1".into(),
            license_type: LicenseType::Manufacturer,
            name: "Kitchen".into(),
            display_name: "Kitchen".into(),
            license_start_date: "2026-01-01".into(),
            license_end_date: "2026-12-31".into(),
            address: None,
            credentialed_date: "2026-01-01".into(),
            onboarding: Default::default(),
            active: true,
            last_modified: NOW.into(),
        }
    }

    fn world() -> ImportWorld {
        let item = Item {
            id: 4,
            license_number: "L-1".into(),
            name: "Oil".into(),
            category: "Concentrate".into(),
            unit_of_measure: "Grams".into(),
            active: true,
            ..Default::default()
        };
        ImportWorld {
            items: [("oil".to_string(), item)].into(),
            packages: HashMap::new(),
        }
    }

    fn spec(seq: u32, finished: bool, source: Option<u32>) -> ImportedPackage {
        ImportedPackage {
            label: TagLabel::issue(9, seq).to_string(),
            item: "Oil".into(),
            quantity: if finished {
                Decimal::ZERO
            } else {
                Decimal::ONE
            },
            original_quantity: Decimal::TEN,
            finished,
            lab_testing_state: LabState::TestPassed,
            packaged_date: "2026-05-01".into(),
            source: source.map(|s| TagLabel::issue(9, s).to_string()),
            location: None,
            adjustment: Some(ImportedAdjustment {
                quantity: Decimal::new(-9, 0),
                reason: "Scale Variance".into(),
            }),
            lab_result: Some(ImportedResult {
                lab_license: "LAB-1".into(),
                lab_name: "Lab".into(),
                test_type: "Pesticides".into(),
                passed: true,
            }),
        }
    }

    const IDS: ImportIds = ImportIds {
        package: 10,
        link: 20,
        adjustment: 30,
        result: 40,
    };

    #[test]
    fn history_imports_with_lineage_adjustments_and_results() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: NOW.into(),
        };
        let out = import_packages(
            &ctx,
            &world(),
            &[spec(1, true, None), spec(2, false, Some(1))],
            IDS,
        )
        .unwrap();
        assert_eq!(out.packages.len(), 2);
        assert_eq!(out.packages[0].state, PackageState::Finished);
        assert!(!out.packages[0].active && out.packages[1].active);
        assert_eq!(out.packages[1].source_package_ids, vec![10]);
        assert_eq!((out.links[0].parent_id, out.links[0].child_id), (10, 11));
        assert_eq!((out.adjustments.len(), out.results.len()), (2, 2));
    }

    /// Rules 13, 28 and 33 hold for imported history too; every bad row is reported.
    #[test]
    fn rules_13_28_33_every_bad_row_is_reported() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: NOW.into(),
        };
        let mut negative = spec(3, false, None);
        negative.quantity = Decimal::NEGATIVE_ONE;
        let mut unknown_item = spec(4, false, None);
        unknown_item.item = "Gummies".into();
        let mut full_but_finished = spec(5, true, None);
        full_but_finished.quantity = Decimal::ONE;
        let specs = [
            spec(1, false, None),
            spec(1, false, None),
            negative,
            unknown_item,
            full_but_finished,
            spec(6, false, Some(77)),
        ];
        let Err(Rejection::Rows(rows)) = import_packages(&ctx, &world(), &specs, IDS) else {
            panic!("refused");
        };
        let bad: Vec<usize> = rows.iter().map(|r| r.row).collect();
        assert_eq!(bad, vec![1, 2, 3, 4, 5], "{rows:?}");
    }
}
