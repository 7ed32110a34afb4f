//! Sales receipts and the Sales group's reference lists (`metrc-v2-api.md` §Sales; rules 63
//! and 64, bulletin III). Deliveries have their own module, except the return reasons, which
//! are reference data listed here.

use crate::error::ApiError;
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::{Read, Write, created, ok};
use axum::extract::Path;
use axum::http::StatusCode;
use tagtrail_app::actions::sales::{self as act, VIEW};
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::commands::sales::lines::SaleLineSpec;
use tagtrail_domain::commands::sales::receipts::ReceiptSpec;
use tagtrail_domain::commands::sales::reference;
use tagtrail_domain::records::{CustomerType, SaleLine, SaleLineExtras, SalesReceipt};
use tagtrail_domain::time;
use tagtrail_metrc::records::{IdName, ReasonDefinition};
use tagtrail_metrc::sales::{self as wire, *};
use tagtrail_metrc::{Ids, Paged};
use utoipa::IntoParams;

/// `salesDateStart`/`salesDateEnd` (ISO 8601; not with `lastModifiedStart`/`End`).
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
// Documents the parameters only; `sales_dates` reads them from the query as the window does.
#[allow(dead_code)]
pub struct SalesDateParams {
    pub sales_date_start: Option<String>,
    pub sales_date_end: Option<String>,
}

fn line(l: &SaleLine) -> SaleTransaction {
    let x = &l.extras;
    SaleTransaction {
        package_id: Some(l.package_id),
        package_label: Some(l.package_label.clone()),
        product_name: Some(l.item_name.clone()),
        product_category_name: Some(l.item_category.clone()),
        item_strain_name: l.item_strain_name.clone(),
        quantity_sold: Some(l.quantity),
        unit_of_measure_name: Some(l.unit_of_measure.clone()),
        total_price: Some(l.total_amount),
        invoice_number: x.invoice_number.clone(),
        price: x.price,
        excise_tax: x.excise_tax,
        city_tax: x.city_tax,
        county_tax: x.county_tax,
        municipal_tax: x.municipal_tax,
        discount_amount: x.discount_amount,
        sub_total: x.sub_total,
        sales_tax: x.sales_tax,
    }
}

/// A receipt as Metrc shows it.
pub(super) fn receipt(r: &SalesReceipt) -> wire::SalesReceipt {
    wire::SalesReceipt {
        id: Some(r.id),
        receipt_number: Some(r.receipt_number.clone()),
        external_receipt_number: r.external_receipt_number.clone(),
        sales_date_time: Some(r.sales_date_time.clone()),
        sales_customer_type: Some(r.sales_customer_type.as_str().to_string()),
        patient_license_number: r.patient_license_number.clone(),
        caregiver_license_number: r.caregiver_license_number.clone(),
        identification_method: r.identification_method.clone(),
        patient_registration_location_id: r.patient_registration_location_id,
        total_packages: Some(r.total_packages() as i64),
        total_price: Some(r.total_price()),
        transactions: r.transactions.iter().map(line).collect(),
        is_final: Some(r.is_final),
        archived_date: r.archived_date.clone(),
        recorded_date_time: Some(r.recorded_date_time.clone()),
        recorded_by_user_name: Some(r.recorded_by_user_name.clone()),
        last_modified: Some(r.last_modified.clone()),
    }
}

/// A wire transaction line as the shared line check takes it (also the deliveries' mapping).
pub(super) fn line_spec(t: &SaleTransactionRequest) -> SaleLineSpec {
    SaleLineSpec {
        package_label: t.package_label.clone(),
        quantity: t.quantity,
        unit_of_measure: t.unit_of_measure.clone(),
        total_amount: t.total_amount,
        extras: SaleLineExtras {
            unit_thc_percent: t.unit_thc_percent,
            unit_thc_content: t.unit_thc_content,
            unit_thc_content_unit_of_measure: t.unit_thc_content_unit_of_measure.clone(),
            unit_weight: t.unit_weight,
            unit_weight_unit_of_measure: t.unit_weight_unit_of_measure.clone(),
            invoice_number: t.invoice_number.clone(),
            price: t.price,
            excise_tax: t.excise_tax,
            city_tax: t.city_tax,
            county_tax: t.county_tax,
            municipal_tax: t.municipal_tax,
            discount_amount: t.discount_amount,
            sub_total: t.sub_total,
            sales_tax: t.sales_tax,
        },
    }
}

fn receipt_spec(r: &SalesReceiptRequest) -> ReceiptSpec {
    ReceiptSpec {
        id: r.id,
        sales_date_time: r.sales_date_time.clone(),
        external_receipt_number: r.external_receipt_number.clone(),
        sales_customer_type: r.sales_customer_type.clone(),
        patient_license_number: r.patient_license_number.clone(),
        caregiver_license_number: r.caregiver_license_number.clone(),
        identification_method: r.identification_method.clone(),
        patient_registration_location_id: r.patient_registration_location_id,
        transactions: r.transactions.iter().map(line_spec).collect(),
    }
}

fn each_receipt(items: Vec<SalesReceiptRequest>) -> Vec<ReceiptSpec> {
    items.iter().map(receipt_spec).collect()
}

fn each_id(items: Vec<ReceiptIdRequest>) -> Vec<Option<i64>> {
    items.iter().map(|r| r.id).collect()
}

/// Records sales receipts (rule 63): a retailer's, from packages that are active, not finished
/// (bulletin III), not on hold, passed testing (rule 49), in the package's unit and no more than
/// it holds. A sale recorded more than 24 h after it happened is accepted with a warning.
#[utoipa::path(post, path = "/sales/v2/receipts", tag = "Sales", params(LicenseParam), request_body = Vec<SalesReceiptRequest>, responses((status = 200, body = Ids)))]
pub async fn record_receipts(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::RecordReceipts, SalesReceiptRequest>(each_receipt)
        .await
        .map(created)
}

/// Edits unfinalized receipts: the old lines' quantities go back, the new lines are taken with
/// the same checks. A finalized receipt: 409 "Receipt is finalized" (rule 64).
#[utoipa::path(put, path = "/sales/v2/receipts", tag = "Sales", params(LicenseParam), request_body = Vec<SalesReceiptRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_receipts(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::UpdateReceipts, SalesReceiptRequest>(each_receipt)
        .await
        .map(ok)
}

#[utoipa::path(get, path = "/sales/v2/receipts/{id}", tag = "Sales", params(("id" = i64, Path), ("licenseNumber" = Option<String>, Query)), responses((status = 200, body = wire::SalesReceipt)))]
pub async fn get_receipt(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<wire::SalesReceipt>, ApiError> {
    r.one::<SalesReceipt, _>(&id, VIEW, "Sales receipt", receipt)
        .await
}

/// Voids a receipt: inactive for good, its quantities back to the packages. Finalized: 409; a
/// package since finished must be unfinished first (bulletin III).
#[utoipa::path(delete, path = "/sales/v2/receipts/{id}", tag = "Sales", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn void_receipt(Path(id): Path<String>, w: Write) -> Result<StatusCode, ApiError> {
    w.run_on::<act::VoidReceipt>(&id).await
}

/// A sales-date window's inclusive ends, as stored instants; either may be open.
pub(super) type SalesWindow = (Option<String>, Option<String>);

/// Shared by receipts and deliveries. `salesDateStart..salesDateEnd` as inclusive instants; a bare date as an end covers its day.
/// Both this and a `lastModified` window is a 400, as Metrc documents ("not with lastModified").
pub(super) fn sales_dates(r: &Read) -> Result<Option<SalesWindow>, ApiError> {
    let p = r.params();
    let start = p.get("salesDateStart");
    let end = p.get("salesDateEnd");
    if start.is_none() && end.is_none() {
        return Ok(None);
    }
    if p.get("lastModifiedStart").is_some() || p.get("lastModifiedEnd").is_some() {
        return Err(ApiError::bad_request(
            "salesDateStart and salesDateEnd cannot be combined with lastModifiedStart or lastModifiedEnd.",
        ));
    }
    let parse = |name: &str, v: &str, end: bool| -> Result<time::Timestamp, ApiError> {
        let t = time::parse_instant(v).ok_or_else(|| {
            ApiError::bad_request(format!("{name} is not an ISO 8601 date or date-time."))
        })?;
        // A day as an end means through the end of that day.
        Ok(if end && v.trim().len() == 10 {
            t + chrono::Duration::days(1) - chrono::Duration::microseconds(1)
        } else {
            t
        })
    };
    let from = start
        .map(|v| parse("salesDateStart", v, false))
        .transpose()?;
    let to = end.map(|v| parse("salesDateEnd", v, true)).transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        return Err(ApiError::bad_request(
            "salesDateEnd is before salesDateStart.",
        ));
    }
    Ok(Some((from.map(time::format), to.map(time::format))))
}

async fn receipts(r: Read, active: bool) -> Result<Json<Paged<wire::SalesReceipt>>, ApiError> {
    let dates = sales_dates(&r)?;
    let refine = move |q: ListQuery| match dates {
        Some((from, to)) => q.between(Column::SalesDate, from, to),
        None => q,
    };
    r.list::<SalesReceipt, _>(VIEW, Some(active), true, refine, receipt)
        .await
}

/// Receipts neither finalized nor voided (rule 64), by `lastModified` window or by sales date.
#[utoipa::path(get, path = "/sales/v2/receipts/active", tag = "Sales", params(LicenseParam, PagingParams, WindowParams, SalesDateParams), responses((status = 200, body = Paged<wire::SalesReceipt>)))]
pub async fn get_active_receipts(r: Read) -> Result<Json<Paged<wire::SalesReceipt>>, ApiError> {
    receipts(r, true).await
}

/// Finalized and voided receipts (rule 64), by `lastModified` window or by sales date.
#[utoipa::path(get, path = "/sales/v2/receipts/inactive", tag = "Sales", params(LicenseParam, PagingParams, WindowParams, SalesDateParams), responses((status = 200, body = Paged<wire::SalesReceipt>)))]
pub async fn get_inactive_receipts(r: Read) -> Result<Json<Paged<wire::SalesReceipt>>, ApiError> {
    receipts(r, false).await
}

/// A receipt by the point-of-sale system's number: the license's receipt holding it (one not
/// voided before a voided one); 404 when none, 401 when only another license's has it.
/// `licenseNumber` is required here: external numbers are unique per license only.
#[utoipa::path(get, path = "/sales/v2/receipts/external/{externalNumber}", tag = "Sales", params(("externalNumber" = String, Path), LicenseParam), responses((status = 200, body = wire::SalesReceipt)))]
pub async fn get_receipt_by_external(
    r: Read,
    Path(number): Path<String>,
) -> Result<Json<wire::SalesReceipt>, ApiError> {
    let scope = r.scope(VIEW).await?;
    let number = number.trim().to_string();
    let q = ListQuery::default().with(Column::ExternalNumber, [number.clone()]);
    let page = r.ledger().list::<SalesReceipt>(&scope, q).await?;
    let best = page
        .rows
        .iter()
        .filter(|x| !x.voided)
        .max_by_key(|x| x.id)
        .or_else(|| page.rows.iter().max_by_key(|x| x.id));
    match best {
        Some(x) => Ok(Json(receipt(x))),
        // Nothing here: 401 if another license holds the number, else 404.
        None => {
            let found = r
                .ledger()
                .by_key::<SalesReceipt>(&scope, &number, "Sales receipt")
                .await?;
            Ok(Json(receipt(&found)))
        }
    }
}

/// Finalizes receipts (rule 64): they leave the active list and cannot be edited or voided
/// until unfinalized.
#[utoipa::path(put, path = "/sales/v2/receipts/finalize", tag = "Sales", params(LicenseParam), request_body = Vec<ReceiptIdRequest>, responses((status = 200, description = "empty body")))]
pub async fn finalize_receipts(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::FinalizeReceipts, ReceiptIdRequest>(each_id)
        .await
        .map(ok)
}

#[utoipa::path(put, path = "/sales/v2/receipts/unfinalize", tag = "Sales", params(LicenseParam), request_body = Vec<ReceiptIdRequest>, responses((status = 200, description = "empty body")))]
pub async fn unfinalize_receipts(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::UnfinalizeReceipts, ReceiptIdRequest>(each_id)
        .await
        .map(ok)
}

fn id_names<'a>(names: impl Iterator<Item = (i64, &'a str)>) -> Vec<IdName> {
    names
        .map(|(id, name)| IdName {
            id: Some(id),
            name: Some(name.to_string()),
            ..Default::default()
        })
        .collect()
}

/// California's 58 counties.
#[utoipa::path(get, path = "/sales/v2/counties", tag = "Sales", params(PagingParams), responses((status = 200, body = Paged<IdName>)))]
pub async fn get_counties(r: Read) -> Result<Json<Paged<IdName>>, ApiError> {
    r.page_of(id_names(
        reference::COUNTIES
            .iter()
            .enumerate()
            .map(|(i, n)| (i as i64 + 1, *n)),
    ))
}

#[utoipa::path(get, path = "/sales/v2/customertypes", tag = "Sales", responses((status = 200, body = Vec<String>)))]
pub async fn get_customer_types(_: crate::extract::Caller) -> Json<Vec<String>> {
    Json(
        CustomerType::ALL
            .iter()
            .map(|t| t.as_str().to_string())
            .collect(),
    )
}

/// The tenders a sale may be paid with (Metrc publishes no example; `{Id, Name}` here).
#[utoipa::path(get, path = "/sales/v2/paymenttypes", tag = "Sales", params(LicenseParam), responses((status = 200, body = Vec<IdName>)))]
pub async fn get_payment_types(r: Read) -> Result<Json<Vec<IdName>>, ApiError> {
    r.scope(&[]).await?;
    Ok(Json(id_names(
        reference::PAYMENT_TYPES
            .iter()
            .enumerate()
            .map(|(i, n)| (i as i64 + 1, *n)),
    )))
}

#[utoipa::path(get, path = "/sales/v2/patientregistration/locations", tag = "Sales", responses((status = 200, body = Vec<IdName>)))]
pub async fn get_patient_registration_locations(_: crate::extract::Caller) -> Json<Vec<IdName>> {
    Json(id_names(
        reference::PATIENT_REGISTRATION_LOCATIONS
            .iter()
            .map(|(i, n)| (*i, *n)),
    ))
}

#[utoipa::path(get, path = "/sales/v2/deliveries/returnreasons", tag = "Sales", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<ReasonDefinition>)))]
pub async fn get_return_reasons(r: Read) -> Result<Json<Paged<ReasonDefinition>>, ApiError> {
    r.scope(&[]).await?;
    r.page_of(
        reference::RETURN_REASONS
            .iter()
            .map(|x| ReasonDefinition {
                name: Some(x.name.to_string()),
                requires_note: Some(x.requires_note),
                requires_waste_weight: Some(x.requires_waste_weight),
                requires_immature_waste_weight: Some(false),
                requires_mature_waste_weight: Some(false),
            })
            .collect(),
    )
}
