//! The laboratory's pages: its samples as a grid, a page per sample (what it is, who sent it,
//! the manifest it came on, the results so far, result entry with the certificate, and release),
//! and the certificates it serves. A facility that sent samples sees the same grid and pages,
//! with only the results the laboratory has released.
//!
//! What a facility sees of results and certificates is decided by the application's reads
//! (`lab_samples`, `samples_seen`, `lab_document`): the laboratory sees what it recorded, the
//! owner only what has been released.

mod entry;
mod sample;
mod samples;

use crate::error::WebError;
use crate::frame::Frame;
use crate::session::Signed;
use crate::{LARGEST_FORM, WebState, lic};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tagtrail_app::reads::ListQuery;
use tagtrail_domain::license::Capability;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{LabResult, LabSample, Package};
use tagtrail_domain::reference::{self, LabTestType};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route(&lic("/documents/{id}"), get(document))
        .route(&lic("/labsamples"), get(samples::page))
        .route(&lic("/labsamples/{id}"), get(sample::page))
        .route(
            &lic("/labsamples/{id}/record"),
            post(entry::record).layer(DefaultBodyLimit::max(LARGEST_FORM)),
        )
        .route(&lic("/labsamples/{id}/release"), post(entry::release))
}

/// A sample as its pages show it: the sample record, its package, and the results the viewer
/// may see.
pub(crate) struct Seen {
    pub sample: LabSample,
    pub package: Package,
    pub results: Vec<LabResult>,
}

impl Seen {
    /// Results recorded and not yet released (only the laboratory sees any).
    pub fn pending(&self) -> impl Iterator<Item = &LabResult> {
        self.results.iter().filter(|r| !r.released)
    }

    /// Where the sample's testing stands, in words.
    pub fn progress(&self) -> Progress {
        let pending = self.pending().count();
        if pending > 0 {
            Progress::ToRelease(pending)
        } else if self.results.is_empty() {
            Progress::Awaiting
        } else {
            Progress::Released(self.results.len())
        }
    }

    /// The compliance results that failed among those not yet released: what release would
    /// fail the sample for (informational and research results never fail it).
    pub fn failing(&self) -> Vec<&str> {
        self.pending()
            .filter(|r| !r.passed && !r.informational && !r.research)
            .map(|r| r.test_type.as_str())
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    Awaiting,
    ToRelease(usize),
    Released(usize),
}

impl Progress {
    pub fn words(self) -> String {
        match self {
            Progress::Awaiting => "Awaiting results".into(),
            Progress::ToRelease(n) => format!("{n} result(s) to release"),
            Progress::Released(n) => format!("{n} result(s) released"),
        }
    }
}

/// Whether the page's facility is a laboratory (it records and releases results).
pub(crate) fn is_lab(f: &Frame) -> bool {
    f.scope
        .facility()
        .license_type
        .can(Capability::CanTestPackages)
}

/// The sample `id` as the viewer may see it: a laboratory's own sample record, or a sample the
/// viewer's facility sent.
pub(crate) async fn seen(s: &WebState, f: &Frame, id: i64) -> Result<Seen, WebError> {
    let sample = if is_lab(f) {
        s.ledger.get::<LabSample>(&f.scope, id, "Sample").await?
    } else {
        // The owner's samples are listed by owner; the one asked for is among them or is not
        // this facility's to see.
        s.ledger
            .lab_samples(&f.scope, ListQuery::default())
            .await?
            .rows
            .into_iter()
            .find(|x| x.id == id)
            .ok_or_else(|| {
                WebError::not_found(format!("Sample {id} is not one this facility sent."))
            })?
    };
    s.ledger
        .samples_seen(&f.scope, vec![sample])
        .await?
        .into_iter()
        .next()
        .map(|(sample, package, results)| Seen {
            sample,
            package,
            results,
        })
        .ok_or_else(|| WebError::not_found(format!("Sample {id} does not exist.")))
}

/// The test type a result was recorded under.
pub(crate) fn test_type(name: &str) -> Option<&'static LabTestType> {
    reference::lab_test_type(name)
}

/// A result's value with its unit: `0.02 µg/g`.
pub(crate) fn value(r: &LabResult) -> String {
    match (r.quantity, test_type(&r.test_type)) {
        (Some(q), Some(t)) => format!("{q} {}", t.unit),
        (Some(q), None) => q.to_string(),
        (None, _) => String::new(),
    }
}

/// A certificate of analysis, to the laboratory that stored it or, once released, the owner.
pub async fn document(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let f = Frame::of(&s, signed, &license, &[Permission::ViewPackages]).await?;
    let (doc, bytes) = s.ledger.lab_document(&f.scope, id).await?;
    let disposition = format!(
        "inline; filename=\"{}\"",
        doc.file_name.replace(['"', '\\', '\r', '\n'], "")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
