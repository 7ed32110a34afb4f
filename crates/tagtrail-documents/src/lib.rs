//! Documents of the ledger: the shipping manifest (rule 40) and the certificate of analysis,
//! each described once as data and rendered from that one description.
//!
//! PDFs are written with krilla and set in DejaVu Sans (embedded from `fonts/`, subset, with a
//! ToUnicode map), so any name prints as written and the text can be extracted exactly.

pub mod barcode;
pub mod certificate;
pub mod label;
mod layout;
pub mod manifest;
mod pdf;

pub use certificate::{Certificate, CertificateResult, certificate_pdf};
pub use manifest::{file_name, manifest_html, manifest_pdf};
pub use pdf::DocumentError;
