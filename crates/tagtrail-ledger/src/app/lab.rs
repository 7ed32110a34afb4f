//! Laboratory testing through the write path. Certificate bytes go into the document store in
//! the same transaction as the journal entry that names their hash.

use super::{Acting, Action, AppResult, Ledger, Outcome, Scope, Written};
use std::collections::HashMap;
use tagtrail_domain::commands::lab::{self, RecordSpec, StoredDocument};
use tagtrail_domain::records::{LabDocument, LabResult, LabSample, Package, Record, fold};

/// A certificate as uploaded: its file name and bytes (already checked to be a PDF).
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl Ledger {
    /// Records results at the laboratory (`POST /labtests/v2/record`). `documents[i]` is row i's
    /// certificate, if it has one.
    pub async fn record_lab_results(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[RecordSpec],
        documents: &[Option<NewDocument>],
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let mut tx = self.store.begin().await?;
        let mut specs = specs.to_vec();
        for (spec, doc) in specs.iter_mut().zip(documents) {
            if let Some(d) = doc {
                let sha256 = tx.put_document(&d.bytes).await?;
                spec.document = Some(StoredDocument {
                    file_name: d.file_name.clone(),
                    size: d.bytes.len() as i64,
                    sha256,
                });
            }
        }
        let labels: Vec<String> = specs
            .iter()
            .filter_map(|s| s.label.as_deref().map(|l| l.trim().to_ascii_uppercase()))
            .collect();
        let samples = tx
            .find_many::<Package>(None, &labels, None)
            .await?
            .into_iter()
            .map(|p| (p.label.to_string(), p))
            .collect();
        let recorded = lab::record_results(
            &ctx,
            &samples,
            &specs,
            tx.next_id::<LabResult>().await?,
            tx.next_id::<LabDocument>().await?,
        )?;
        self.commit(
            tx,
            who,
            Some(scope.license()),
            action,
            &now,
            Outcome::of(&recorded.results)
                .and(&recorded.documents)
                .and(&recorded.samples),
        )
        .await
    }

    /// Releases recorded results (`PUT /labtests/v2/results/release`).
    pub async fn release_lab_results(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        labels: &[Option<String>],
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let mut tx = self.store.begin().await?;
        let keys: Vec<String> = labels
            .iter()
            .flatten()
            .map(|l| l.trim().to_ascii_uppercase())
            .collect();
        let samples: HashMap<String, Package> = tx
            .find_many::<Package>(None, &keys, None)
            .await?
            .into_iter()
            .map(|p| (p.label.to_string(), p))
            .collect();
        let ids: Vec<String> = samples.values().map(|p| p.id.to_string()).collect();
        let mut results: HashMap<i64, Vec<LabResult>> = HashMap::new();
        for r in tx.find_many::<LabResult>(None, &ids, Some(true)).await? {
            results.entry(r.package_id).or_default().push(r);
        }
        let mut sources = HashMap::new();
        for p in samples.values() {
            for id in &p.source_package_ids {
                if let Some(src) = tx.get::<Package>(*id).await? {
                    sources.insert(*id, src);
                }
            }
        }
        let released = lab::release(&ctx, &samples, labels, &results, &sources)?;
        self.commit(
            tx,
            who,
            Some(scope.license()),
            action,
            &now,
            Outcome::of(&released.packages).and(&released.results),
        )
        .await
    }

    /// Replaces the certificate of recorded results (`PUT /labtests/v2/labtestdocument`).
    pub async fn replace_lab_document(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        result_ids: &[Option<i64>],
        documents: &[NewDocument],
    ) -> AppResult<Written> {
        use tagtrail_domain::Rejection;
        use tagtrail_domain::error::RowErrors;
        let now = Self::now_string();
        let mut tx = self.store.begin().await?;
        let mut next_doc = tx.next_id::<LabDocument>().await?;
        let mut errors = RowErrors::default();
        let mut changes = Vec::new();
        let mut ids = Vec::new();
        for (row, (id, doc)) in result_ids.iter().zip(documents).enumerate() {
            let Some(id) = id else {
                errors.push(row, "LabTestResultId was not specified.");
                continue;
            };
            let found: Option<LabResult> = tx.get(*id).await?;
            let Some(mut result) = found.filter(|r| r.lab_license == scope.license()) else {
                errors.push(
                    row,
                    format!("Lab test result {id} does not exist at this laboratory."),
                );
                continue;
            };
            let sha256 = tx.put_document(&doc.bytes).await?;
            let d = LabDocument {
                id: next_doc,
                lab_license: scope.license().to_string(),
                package_id: result.package_id,
                file_name: doc.file_name.clone(),
                content_type: "application/pdf".into(),
                size: doc.bytes.len() as i64,
                sha256,
                active: true,
                last_modified: now.clone(),
            };
            next_doc += 1;
            result.document_id = Some(d.id);
            result.last_modified = now.clone();
            changes.push(d.to_change());
            changes.push(result.to_change());
            ids.push(result.id);
        }
        if !errors.is_empty() {
            errors.into_result()?;
        }
        if changes.is_empty() {
            return Err(Rejection::Invalid("Nothing to replace.".into()).into());
        }
        self.commit(
            tx,
            who,
            Some(scope.license()),
            action,
            &now,
            Outcome {
                changes,
                ids,
                warnings: vec![],
            },
        )
        .await
    }

    /// Sample records for a facility: the ones it received (a laboratory) or sent (anyone else).
    pub async fn lab_samples(
        &self,
        scope: &Scope,
        query: &tagtrail_store::ListQuery,
    ) -> AppResult<tagtrail_store::Page<LabSample>> {
        let mut q = query.clone();
        if !scope.facility.license_type.can("CanTestPackages") {
            q.license = None;
            q.lookup_prefix = None;
            // Owner's view: rows whose lookup is the owner's folded license.
            let rows = self
                .store
                .find_many::<LabSample>(None, &[fold(scope.license())], Some(true))
                .await?;
            let total = rows.len() as i64;
            let rows = match q.page {
                Some((page, size)) => rows
                    .into_iter()
                    .skip(((page.max(1) - 1) as usize).saturating_mul(size as usize))
                    .take(size as usize)
                    .collect(),
                None => rows,
            };
            return Ok(tagtrail_store::Page { total, rows });
        }
        Ok(self.store.list::<LabSample>(&q).await?)
    }
}
