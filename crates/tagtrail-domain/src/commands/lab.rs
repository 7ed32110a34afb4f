//! Laboratory testing: samples sent to a laboratory, results recorded per test type with a
//! certificate of analysis, and their release, which sets the lab testing state of the sample
//! and of the lot it was taken from (cctt-rules §1.G, §2.5).

use super::{Ctx, optional};
use crate::error::{Rejection, RowErrors};
use crate::lab_state::LabState;
use crate::records::{LabDocument, LabResult, Package};
use crate::reference;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

use super::packages::Found;

#[derive(Debug, Clone, Default)]
pub struct ResultSpec {
    pub test_type: Option<String>,
    pub quantity: Option<Decimal>,
    pub passed: Option<bool>,
    pub notes: Option<String>,
}

/// A COA already stored in the document store: its name, size and SHA-256.
#[derive(Debug, Clone)]
pub struct StoredDocument {
    pub file_name: String,
    pub size: i64,
    pub sha256: String,
}

/// Metrc accepts PDF certificates of at most 5 MB.
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

/// A certificate of analysis must be a named PDF of at most 5 MB.
pub fn check_document(file_name: Option<&str>, bytes: &[u8]) -> Result<(), String> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "The document is {} bytes; at most 5 MB is allowed.",
            bytes.len()
        ));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err("The document must be a PDF.".into());
    }
    match file_name.map(str::trim) {
        Some(n) if !n.is_empty() => Ok(()),
        _ => Err("DocumentFileName was not specified.".into()),
    }
}

/// One certificate replacement: the result it belongs to and the stored new certificate.
#[derive(Debug, Clone, Default)]
pub struct Replacement {
    pub result_id: Option<i64>,
    pub document: Option<StoredDocument>,
}

/// Replaces the certificates of recorded results (`PUT /labtests/v2/labtestdocument`). `found`
/// holds the addressed results that belong to this laboratory.
pub fn replace_documents(
    ctx: &Ctx,
    found: &HashMap<i64, LabResult>,
    specs: &[Replacement],
    mut next_doc: i64,
) -> Result<(Vec<LabResult>, Vec<LabDocument>), Rejection> {
    if specs.is_empty() {
        return Err(Rejection::Invalid("Nothing to replace.".into()));
    }
    let mut errors = RowErrors::default();
    let (mut results, mut documents) = (Vec::new(), Vec::new());
    for (row, spec) in specs.iter().enumerate() {
        let Some(id) = spec.result_id else {
            errors.push(row, "LabTestResultId was not specified.");
            continue;
        };
        let Some(result) = found.get(&id) else {
            errors.push(
                row,
                format!("Lab test result {id} does not exist at this laboratory."),
            );
            continue;
        };
        let Some(doc) = &spec.document else {
            errors.push(row, "DocumentFileBase64 was not specified.");
            continue;
        };
        let d = LabDocument {
            id: next_doc,
            lab_license: ctx.facility.license_number.clone(),
            package_id: result.package_id,
            file_name: doc.file_name.clone(),
            content_type: "application/pdf".into(),
            size: doc.size,
            sha256: doc.sha256.clone(),
            active: true,
            last_modified: ctx.now.clone(),
        };
        next_doc += 1;
        let mut result = result.clone();
        result.document_id = Some(d.id);
        result.last_modified = ctx.now.clone();
        documents.push(d);
        results.push(result);
    }
    errors.into_result()?;
    Ok((results, documents))
}

#[derive(Debug, Clone, Default)]
pub struct RecordSpec {
    pub label: Option<String>,
    pub result_date: Option<String>,
    pub document: Option<StoredDocument>,
    pub results: Vec<ResultSpec>,
}

#[derive(Debug, Default)]
pub struct Recorded {
    pub results: Vec<LabResult>,
    pub documents: Vec<LabDocument>,
    pub samples: Vec<Package>,
}

/// Records results at the laboratory (`ctx` is the lab). `samples` maps labels to sample
/// packages wherever they are; each must have been sent to this lab.
pub fn record_results(
    ctx: &Ctx,
    samples: &Found,
    specs: &[RecordSpec],
    mut next_result: i64,
    mut next_doc: i64,
) -> Result<Recorded, Rejection> {
    let mut errors = RowErrors::default();
    let mut out = Recorded::default();
    let mut seen = HashSet::new();
    for (row, spec) in specs.iter().enumerate() {
        let outcome = (|| -> Result<(Package, Vec<LabResult>, Option<LabDocument>), String> {
            let label = optional(&spec.label)
                .ok_or("Label was not specified.")?
                .to_ascii_uppercase();
            let sample = samples
                .get(&label)
                .ok_or_else(|| format!("Package {label} does not exist."))?;
            if sample.lab_license.as_deref() != Some(ctx.facility.license_number.as_str()) {
                return Err(format!(
                    "Package {label} has not been sent to this laboratory."
                ));
            }
            if !seen.insert(label.clone()) {
                return Err(format!("Package {label} appears more than once."));
            }
            if spec.results.is_empty() {
                return Err("Results were not specified.".into());
            }
            let date = match optional(&spec.result_date) {
                Some(d) => crate::time::parse_instant(&d)
                    .map(crate::time::format)
                    .ok_or_else(|| format!("ResultDate {d} is not a date-time."))?,
                None => ctx.now.clone(),
            };
            if date > ctx.now {
                return Err("ResultDate is in the future.".into());
            }
            let doc = spec.document.as_ref().map(|d| LabDocument {
                id: next_doc,
                lab_license: ctx.facility.license_number.clone(),
                package_id: sample.id,
                file_name: d.file_name.clone(),
                content_type: "application/pdf".into(),
                size: d.size,
                sha256: d.sha256.clone(),
                active: true,
                last_modified: ctx.now.clone(),
            });
            let mut types = HashSet::new();
            let mut results = Vec::new();
            for (i, r) in spec.results.iter().enumerate() {
                let name = optional(&r.test_type)
                    .ok_or_else(|| format!("Results[{i}]: LabTestTypeName was not specified."))?;
                let t = reference::lab_test_type(&name)
                    .ok_or_else(|| format!("Lab test type {name} does not exist."))?;
                if !types.insert(t.id) {
                    return Err(format!(
                        "Lab test type {} is reported more than once.",
                        t.name
                    ));
                }
                let passed = r
                    .passed
                    .ok_or_else(|| format!("Results[{i}]: Passed was not specified."))?;
                if t.requires_test_result && r.quantity.is_none() {
                    return Err(format!("Lab test type {} requires a Quantity.", t.name));
                }
                results.push(LabResult {
                    id: 0,
                    lab_license: ctx.facility.license_number.clone(),
                    lab_name: ctx.facility.name.clone(),
                    package_id: sample.id,
                    package_label: sample.label.to_string(),
                    owner_license: sample.license_number.clone(),
                    item_name: sample.item_name.clone(),
                    item_category: sample.item_category.clone(),
                    test_type: t.name.to_string(),
                    quantity: r.quantity,
                    passed: passed || t.informational_only,
                    notes: optional(&r.notes),
                    informational: t.informational_only,
                    research: t.research_and_development,
                    result_date: date.clone(),
                    document_id: doc.as_ref().map(|d| d.id),
                    released: false,
                    released_at: None,
                    active: true,
                    last_modified: ctx.now.clone(),
                });
            }
            let mut s = sample.clone();
            // Rule 56: research results never move the compliance lab state.
            if results.iter().any(|r| !r.research) {
                s.lab_testing_state = LabState::TestingInProgress;
                s.lab_testing_state_date = ctx.now.get(..10).unwrap_or_default().to_string();
            }
            s.last_modified = ctx.now.clone();
            Ok((s, results, doc))
        })();
        match outcome {
            Ok((s, results, doc)) => {
                for mut r in results {
                    r.id = next_result;
                    next_result += 1;
                    out.results.push(r);
                }
                if let Some(d) = doc {
                    next_doc += 1;
                    out.documents.push(d);
                }
                out.samples.push(s);
            }
            Err(e) => errors.push(row, e),
        }
    }
    errors.into_result()?;
    Ok(out)
}

#[derive(Debug, Default)]
pub struct Released {
    pub results: Vec<LabResult>,
    pub packages: Vec<Package>,
}

/// Releases recorded results (the lab's act that makes them official). The sample and the lot
/// it was taken from take the outcome: TestPassed or TestFailed, or RetestPassed/RetestFailed
/// after a remediation. Informational tests never fail a sample; research results never change
/// a compliance state (rule 56).
pub fn release(
    ctx: &Ctx,
    samples: &Found,
    labels: &[Option<String>],
    results: &HashMap<i64, Vec<LabResult>>,
    sources: &HashMap<i64, Package>,
) -> Result<Released, Rejection> {
    let mut errors = RowErrors::default();
    let mut out = Released::default();
    let mut touched: HashMap<i64, Package> = HashMap::new();
    let day = ctx.now.get(..10).unwrap_or_default().to_string();
    for (row, label) in labels.iter().enumerate() {
        let Some(label) = label
            .as_deref()
            .map(|l| l.trim().to_ascii_uppercase())
            .filter(|l| !l.is_empty())
        else {
            errors.push(row, "PackageLabel was not specified.");
            continue;
        };
        let Some(sample) = samples
            .get(&label)
            .filter(|s| s.lab_license.as_deref() == Some(ctx.facility.license_number.as_str()))
        else {
            errors.push(
                row,
                format!("Package {label} has not been sent to this laboratory."),
            );
            continue;
        };
        let pending: Vec<&LabResult> = results
            .get(&sample.id)
            .into_iter()
            .flatten()
            .filter(|r| !r.released && r.lab_license == ctx.facility.license_number)
            .collect();
        if pending.is_empty() {
            errors.push(row, format!("Package {label} has no unreleased results."));
            continue;
        }
        for r in &pending {
            let mut r = (*r).clone();
            r.released = true;
            r.released_at = Some(ctx.now.clone());
            r.last_modified = ctx.now.clone();
            out.results.push(r);
        }
        let compliance: Vec<&&LabResult> = pending.iter().filter(|r| !r.research).collect();
        let mut lot: Vec<Package> = vec![
            touched
                .get(&sample.id)
                .cloned()
                .unwrap_or_else(|| sample.clone()),
        ];
        for id in &sample.source_package_ids {
            if let Some(p) = touched.get(id).or_else(|| sources.get(id)) {
                lot.push(p.clone());
            }
        }
        let retest = lot
            .iter()
            .any(|p| p.remediation_count > 0 || p.lab_testing_state == LabState::Remediated);
        let passed = compliance.iter().all(|r| r.passed || r.informational);
        let state = match (compliance.is_empty(), passed, retest) {
            (true, _, _) => None,
            (false, true, false) => Some(LabState::TestPassed),
            (false, false, false) => Some(LabState::TestFailed),
            (false, true, true) => Some(LabState::RetestPassed),
            (false, false, true) => Some(LabState::RetestFailed),
        };
        for mut p in lot {
            match state {
                Some(s) => {
                    p.lab_testing_state = s;
                    p.lab_testing_state_date = day.clone();
                }
                // An R&D-only sample is complete; the lot it came from keeps its state.
                None if p.id == sample.id => {
                    p.lab_testing_state = LabState::RandDCompleted;
                    p.lab_testing_state_date = day.clone();
                }
                None => continue,
            }
            p.last_modified = ctx.now.clone();
            touched.insert(p.id, p);
        }
    }
    errors.into_result()?;
    let mut packages: Vec<Package> = touched.into_values().collect();
    packages.sort_by_key(|p| p.id);
    out.packages = packages;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::LicenseType;
    use crate::records::{Facility, PackageState};
    use crate::tag::TagLabel;

    const NOW: &str = "2026-06-01T12:00:00.000000+00:00";

    fn facility(kind: LicenseType, lic: &str) -> Facility {
        Facility {
            id: 1,
            license_number: lic.into(),
            license_type: kind,
            name: lic.into(),
            display_name: lic.into(),
            license_start_date: "2026-01-01".into(),
            license_end_date: "2026-12-31".into(),
            address: None,
            credentialed_date: "2026-01-01".into(),
            onboarding: Default::default(),
            active: true,
            last_modified: NOW.into(),
        }
    }

    fn pkg(id: i64, state: &str, sample: bool, sources: Vec<i64>) -> Package {
        Package {
            id,
            license_number: "DIST".into(),
            label: TagLabel::issue(3, id as u32),
            package_type: "Product".into(),
            item_id: 1,
            item_name: "Gummies".into(),
            item_category: "Edible (Each)".into(),
            item_strain_name: None,
            quantity: Decimal::TEN,
            unit_of_measure: "Each".into(),
            original_quantity: Decimal::TEN,
            location_id: None,
            location_name: None,
            sublocation_id: None,
            sublocation_name: None,
            note: None,
            packaged_date: "2026-05-01".into(),
            packaged_by_license: "DIST".into(),
            packaged_by_name: "Distro".into(),
            source_package_ids: sources,
            source_package_labels: vec![],
            production_batch_number: None,
            is_production_batch: false,
            is_testing_sample: sample,
            is_trade_sample: false,
            is_donation: false,
            is_finished_good: false,
            product_requires_remediation: false,
            initial_lab_testing_state: LabState::parse(state).unwrap(),
            lab_testing_state: LabState::parse(state).unwrap(),
            lab_testing_state_date: "2026-05-01".into(),
            remediation_count: 0,
            remediation_date: None,
            decontamination_date: None,
            on_hold: false,
            hold_reason: None,
            state: PackageState::Active,
            finished_date: None,
            expiration_date: None,
            sell_by_date: None,
            use_by_date: None,
            external_id: None,
            archived_date: None,
            lab_license: Some("LAB".into()),
            received: None,
            source_harvests: vec![],
            active: true,
            last_modified: NOW.into(),
        }
    }

    fn record(lab: &Facility, sample: &Package, results: &[(&str, bool)]) -> Recorded {
        let ctx = Ctx {
            facility: lab,
            now: NOW.into(),
        };
        let found: Found = [(sample.label.to_string(), sample.clone())].into();
        let spec = RecordSpec {
            label: Some(sample.label.to_string()),
            results: results
                .iter()
                .map(|(t, p)| ResultSpec {
                    test_type: Some((*t).into()),
                    quantity: Some(Decimal::ONE),
                    passed: Some(*p),
                    notes: None,
                })
                .collect(),
            ..Default::default()
        };
        record_results(&ctx, &found, &[spec], 1, 1).unwrap()
    }

    fn release_all(
        lab: &Facility,
        sample: &Package,
        recorded: &Recorded,
        lot: &Package,
    ) -> Released {
        let ctx = Ctx {
            facility: lab,
            now: NOW.into(),
        };
        let mut s = sample.clone();
        s.lab_testing_state = recorded.samples[0].lab_testing_state;
        let found: Found = [(s.label.to_string(), s.clone())].into();
        let results = HashMap::from([(s.id, recorded.results.clone())]);
        let sources = HashMap::from([(lot.id, lot.clone())]);
        release(
            &ctx,
            &found,
            &[Some(s.label.to_string())],
            &results,
            &sources,
        )
        .unwrap()
    }

    fn state_of(r: &Released, id: i64) -> Option<&str> {
        r.packages
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.lab_testing_state.name())
    }

    #[test]
    fn release_passes_or_fails_the_sample_and_its_lot() {
        let lab = facility(LicenseType::TestingLab, "LAB");
        let lot = pkg(1, "SubmittedForTesting", false, vec![]);
        let sample = pkg(2, "SubmittedForTesting", true, vec![1]);
        let rec = record(
            &lab,
            &sample,
            &[("Pesticides", true), ("Cannabinoids", false)],
        );
        assert_eq!(
            rec.samples[0].lab_testing_state,
            LabState::TestingInProgress
        );
        // Cannabinoids are informational: they never fail a sample.
        let rel = release_all(&lab, &sample, &rec, &lot);
        assert_eq!(
            (state_of(&rel, 1), state_of(&rel, 2)),
            (Some("TestPassed"), Some("TestPassed"))
        );
        let rec = record(&lab, &sample, &[("Pesticides", false)]);
        let rel = release_all(&lab, &sample, &rec, &lot);
        assert_eq!(state_of(&rel, 1), Some("TestFailed"));
    }

    /// §2.5: after a remediation the outcome is a retest.
    #[test]
    fn retest_after_remediation() {
        let lab = facility(LicenseType::TestingLab, "LAB");
        let mut lot = pkg(1, "Remediated", false, vec![]);
        lot.remediation_count = 1;
        let sample = pkg(2, "SubmittedForTesting", true, vec![1]);
        let rec = record(&lab, &sample, &[("Pesticides", true)]);
        assert_eq!(
            state_of(&release_all(&lab, &sample, &rec, &lot), 1),
            Some("RetestPassed")
        );
        let rec = record(&lab, &sample, &[("Pesticides", false)]);
        assert_eq!(
            state_of(&release_all(&lab, &sample, &rec, &lot), 1),
            Some("RetestFailed")
        );
    }

    /// Rule 56: R&D results never change the compliance lab state of the lot.
    #[test]
    fn rule_56_research_never_changes_compliance_state() {
        let lab = facility(LicenseType::TestingLab, "LAB");
        let lot = pkg(1, "NotSubmitted", false, vec![]);
        let sample = pkg(2, "SubmittedForTesting", true, vec![1]);
        let rec = record(&lab, &sample, &[("R&D Potency Screen", false)]);
        assert_eq!(
            rec.samples[0].lab_testing_state,
            LabState::SubmittedForTesting
        );
        let rel = release_all(&lab, &sample, &rec, &lot);
        assert_eq!(state_of(&rel, 1), None, "the lot is untouched");
        assert_eq!(state_of(&rel, 2), Some("RandDCompleted"));
    }

    #[test]
    fn only_the_lab_a_sample_was_sent_to_records_it() {
        let other = facility(LicenseType::TestingLab, "OTHER-LAB");
        let sample = pkg(2, "SubmittedForTesting", true, vec![1]);
        let ctx = Ctx {
            facility: &other,
            now: NOW.into(),
        };
        let found: Found = [(sample.label.to_string(), sample.clone())].into();
        let spec = RecordSpec {
            label: Some(sample.label.to_string()),
            results: vec![ResultSpec {
                test_type: Some("Pesticides".into()),
                quantity: Some(Decimal::ZERO),
                passed: Some(true),
                notes: None,
            }],
            ..Default::default()
        };
        assert!(matches!(
            record_results(&ctx, &found, std::slice::from_ref(&spec), 1, 1),
            Err(Rejection::Rows(_))
        ));
        // That only a laboratory records results at all is the action's definition
        // (`tagtrail_app::actions::lab::Record`, `CanTestPackages`), tested there.
    }
}
