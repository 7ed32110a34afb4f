//! Response envelopes shared by every endpoint.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Metrc's paging envelope; the pairs are redundant aliases and both are emitted (§5).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Paged<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub total: i64,
    #[serde(default)]
    pub total_records: i64,
    #[serde(default)]
    pub page_size: i64,
    #[serde(default)]
    pub records_on_page: i64,
    #[serde(default)]
    pub page: i64,
    #[serde(default)]
    pub current_page: i64,
    #[serde(default)]
    pub total_pages: i64,
}

impl<T> Paged<T> {
    /// `page_size` is the size in effect (the total when paging is off).
    pub fn new(data: Vec<T>, total: i64, page: i64, page_size: i64) -> Self {
        let total_pages = if page_size > 0 {
            (total + page_size - 1) / page_size
        } else {
            0
        };
        Paged {
            records_on_page: data.len() as i64,
            data,
            total,
            total_records: total,
            page_size,
            page,
            current_page: page,
            total_pages,
        }
    }
}

/// The answer to a create: the new records' ids in request order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Ids {
    pub ids: Vec<i64>,
    pub warnings: Option<Vec<String>>,
}

/// One element of a 400 body for a write: lower-case keys, as Metrc sends them (§8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RowError {
    pub row: usize,
    pub message: String,
}

/// Every other error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorMessage {
    pub message: String,
}
