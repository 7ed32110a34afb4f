//! Laboratory testing. Certificate bytes go into the document store in the same transaction as
//! the journal entry that names their hash, after the domain's check that they are a PDF of at
//! most 5 MB.

use crate::{Action, AppResult, Context, Definition, Needs, Outcome};
use std::collections::HashMap;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::lab::{self, RecordSpec, Replacement, StoredDocument};
use tagtrail_domain::error::RowErrors;
use tagtrail_domain::license::Capability;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{LabDocument, LabResult, Package};
use tagtrail_store::WriteTx;

const MANAGE: &[Permission] = &[Permission::ManagePackagesInventory];

/// A certificate as uploaded: its file name and bytes.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

/// One sample's results, with its certificate if one came.
#[derive(Debug, Clone, Default)]
pub struct SampleResults {
    pub spec: RecordSpec,
    pub document: Option<NewDocument>,
}

/// Checks every certificate (each bad one reported on its row), then stores them: row i's
/// stored document is `out[i]`.
async fn store_documents<'a>(
    tx: &mut WriteTx,
    docs: impl Iterator<Item = Option<&'a NewDocument>>,
) -> AppResult<Vec<Option<StoredDocument>>> {
    let docs: Vec<Option<&NewDocument>> = docs.collect();
    let mut errors = RowErrors::default();
    for (row, d) in docs.iter().enumerate() {
        if let Some(d) = d
            && let Err(e) = lab::check_document(d.file_name.as_deref(), &d.bytes)
        {
            errors.push(row, e);
        }
    }
    errors.into_result()?;
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        out.push(match d {
            Some(d) => Some(StoredDocument {
                file_name: d.file_name.clone().unwrap_or_default().trim().to_string(),
                size: d.bytes.len() as i64,
                sha256: tx.put_document(&d.bytes).await?,
            }),
            None => None,
        });
    }
    Ok(out)
}

async fn samples(
    tx: &mut WriteTx,
    labels: impl Iterator<Item = &Option<String>>,
) -> AppResult<HashMap<String, Package>> {
    let keys: Vec<String> = labels
        .flatten()
        .map(|l| l.trim().to_ascii_uppercase())
        .collect();
    Ok(tx
        .find_many::<Package>(None, &keys, None)
        .await?
        .into_iter()
        .map(|p| (p.label.to_string(), p))
        .collect())
}

/// Records results at the laboratory (`POST /labtests/v2/record`).
pub struct Record;

pub struct RecordWorld {
    samples: HashMap<String, Package>,
    documents: Vec<Option<StoredDocument>>,
    next_result: i64,
    next_document: i64,
}

impl Action for Record {
    const DEF: Definition =
        Definition::holders("Record lab test results", MANAGE).needs(Needs::FacilityType(
            Capability::CanTestPackages,
            "Only a testing laboratory records lab test results.",
        ));
    type Request = Vec<SampleResults>;
    type World = RecordWorld;

    async fn load(
        tx: &mut WriteTx,
        _: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<RecordWorld> {
        let documents = store_documents(tx, req.iter().map(|r| r.document.as_ref())).await?;
        Ok(RecordWorld {
            samples: samples(tx, req.iter().map(|r| &r.spec.label)).await?,
            documents,
            next_result: tx.next_id::<LabResult>().await?,
            next_document: tx.next_id::<LabDocument>().await?,
        })
    }

    fn decide(at: &Context<'_>, w: RecordWorld, req: &Self::Request) -> Result<Outcome, Rejection> {
        let specs: Vec<RecordSpec> = req
            .iter()
            .zip(w.documents)
            .map(|(r, document)| RecordSpec {
                document,
                ..r.spec.clone()
            })
            .collect();
        let rec = lab::record_results(&at.ctx, &w.samples, &specs, w.next_result, w.next_document)?;
        Ok(Outcome::of(&rec.results)
            .and(&rec.documents)
            .and(&rec.samples))
    }
}

/// Releases recorded results (`PUT /labtests/v2/results/release`): the sample and its lot take
/// the outcome.
pub struct Release;

pub struct ReleaseWorld {
    samples: HashMap<String, Package>,
    results: HashMap<i64, Vec<LabResult>>,
    sources: HashMap<i64, Package>,
}

impl Action for Release {
    const DEF: Definition =
        Definition::holders("Release lab test results", MANAGE).needs(Needs::FacilityType(
            Capability::CanTestPackages,
            "Only a testing laboratory releases lab test results.",
        ));
    /// The samples' labels, as listed.
    type Request = Vec<Option<String>>;
    type World = ReleaseWorld;

    async fn load(
        tx: &mut WriteTx,
        _: &Context<'_>,
        labels: &Self::Request,
    ) -> AppResult<ReleaseWorld> {
        let samples = samples(tx, labels.iter()).await?;
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
        Ok(ReleaseWorld {
            samples,
            results,
            sources,
        })
    }

    fn decide(
        at: &Context<'_>,
        w: ReleaseWorld,
        labels: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        let released = lab::release(&at.ctx, &w.samples, labels, &w.results, &w.sources)?;
        Ok(Outcome::of(&released.packages).and(&released.results))
    }
}

/// One certificate to replace.
#[derive(Debug, Clone)]
pub struct DocumentReplacement {
    pub result_id: Option<i64>,
    pub document: Option<NewDocument>,
}

/// Replaces the certificate of recorded results (`PUT /labtests/v2/labtestdocument`).
pub struct ReplaceDocument;

impl Action for ReplaceDocument {
    const DEF: Definition = Definition::holders("Replace lab test document", MANAGE);
    type Request = Vec<DocumentReplacement>;
    type World = (HashMap<i64, LabResult>, Vec<Option<StoredDocument>>, i64);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let documents = store_documents(tx, req.iter().map(|r| r.document.as_ref())).await?;
        let lab = at.ctx.facility.license_number.as_str();
        let mut found = HashMap::new();
        for id in req.iter().filter_map(|r| r.result_id) {
            if let Some(r) = tx
                .get::<LabResult>(id)
                .await?
                .filter(|r| r.lab_license == lab)
            {
                found.insert(id, r);
            }
        }
        Ok((found, documents, tx.next_id::<LabDocument>().await?))
    }

    fn decide(
        at: &Context<'_>,
        (found, documents, next): Self::World,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        let specs: Vec<Replacement> = req
            .iter()
            .zip(documents)
            .map(|(r, document)| Replacement {
                result_id: r.result_id,
                document,
            })
            .collect();
        let (results, documents) = lab::replace_documents(&at.ctx, &found, &specs, next)?;
        Ok(Outcome::of(&results).and(&documents))
    }
}
