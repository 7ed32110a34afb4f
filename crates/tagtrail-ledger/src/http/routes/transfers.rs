//! Transfers (`metrc-v2-api.md` §12 Transfers): the reference lists so far; manifests build on
//! `tagtrail_domain::commands::transfers`.

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{Caller, Params};
use crate::http::openapi::{LicenseParam, PagingParams};
use axum::Json;
use axum::extract::State;
use tagtrail_domain::commands::transfers::TRANSFER_TYPES;
use tagtrail_metrc::Paged;
use tagtrail_metrc::records as wire;

/// California's transfer types (rule 42): a wholesale manifest (distributor to retailer) needs a
/// price for every package.
#[utoipa::path(get, path = "/transfers/v2/types", tag = "Transfers", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::TransferType>)))]
pub async fn get_transfer_types(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::TransferType>>, ApiError> {
    caller.authorize(&s, q.license()?, &[]).await?;
    let all: Vec<_> = TRANSFER_TYPES
        .iter()
        .map(|name| wire::TransferType {
            name: Some((*name).into()),
            transaction_type: Some(
                if *name == "Wholesale Manifest" {
                    "Wholesale"
                } else {
                    "Standard"
                }
                .into(),
            ),
            for_licensed_shipments: Some(true),
            for_external_incoming_shipments: Some(false),
            for_external_outgoing_shipments: Some(false),
            requires_destination_gross_weight: Some(false),
            requires_packages_gross_weight: Some(false),
            requires_invoice_number: Some(*name == "Wholesale Manifest"),
            requires_pdf_document: Some(false),
            bypass_approval: Some(false),
        })
        .collect();
    let total = all.len() as i64;
    let data = match q.paging(&s.ledger.config)? {
        Some((page, size)) => all
            .into_iter()
            .skip(usize::try_from(u64::from(page - 1) * u64::from(size)).unwrap_or(usize::MAX))
            .take(size as usize)
            .collect(),
        None => all,
    };
    Ok(Json(q.paged(&s.ledger.config, data, total)?))
}

/// The states a package on a manifest goes through (§2.6).
#[utoipa::path(get, path = "/transfers/v2/deliveries/packages/states", tag = "Transfers", responses((status = 200, body = Vec<String>)))]
pub async fn get_delivery_package_states(_: Caller) -> Json<Vec<String>> {
    Json(
        ["Shipped", "Rejected", "Accepted", "Returned"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    )
}
