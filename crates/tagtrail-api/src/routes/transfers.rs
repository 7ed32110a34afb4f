//! Transfers (`metrc-v2-api.md` §12 Transfers): templates, manifests, deliveries and their
//! packages and transporters, the manifest document, and tagtrail's `/tagtrail/v1/transfers`
//! lifecycle steps (register, edit, void, package-list upload, depart, arrive, receive, take
//! back), which Metrc offers only in its web UI.

use crate::error::ApiError;
use crate::extract::{Caller, parse_id};
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::{Read, Write, created, map, ok};
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use tagtrail_app::actions::transfers::{
    self as act, Loaded, ManifestRequest, PackageList, Receipt,
};
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::commands::transfers::{
    ManifestLine, ManifestSpec, ReceiptLine, TRANSFER_TYPES,
};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{
    Transfer, TransferDelivery, TransferPackage, TransferState, TransferTransport,
};
use tagtrail_metrc::records as wire;
use tagtrail_metrc::transfers as tw;
use tagtrail_metrc::{Ids, Paged};

const VIEW: &[Permission] = &[Permission::ViewTransfers, Permission::ManageTransfers];
const VIEW_TEMPLATES: &[Permission] = &[
    Permission::ViewTransferTemplates,
    Permission::ManageTransferTemplates,
];

/// California's transfer types (rule 42): a wholesale manifest (distributor to retailer) needs a
/// price for every package.
#[utoipa::path(get, path = "/transfers/v2/types", tag = "Transfers", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::TransferType>)))]
pub async fn get_transfer_types(r: Read) -> Result<Json<Paged<wire::TransferType>>, ApiError> {
    r.scope(&[]).await?;
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
    r.page_of(all)
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

pub(super) fn transfer(t: &Transfer) -> tw::Transfer {
    let template = t.state == TransferState::Template;
    let received = t.accepted_count + t.rejected_count;
    tw::Transfer {
        id: Some(t.id),
        manifest_number: (!template).then(|| t.manifest_number.clone()),
        invoice_number: t.invoice_number.clone(),
        shipper_facility_license_number: Some(t.shipper.license_number.clone()),
        shipper_facility_name: Some(t.shipper.name.clone()),
        name: t.name.clone(),
        transporter_facility_license_number: Some(t.transporter.license_number.clone()),
        transporter_facility_name: Some(t.transporter.name.clone()),
        driver_name: Some(t.driver_name.clone()),
        driver_occupational_license_number: t.driver_employee_id.clone(),
        driver_vehicle_license_number: Some(t.driver_license_number.clone()),
        vehicle_make: Some(t.vehicle_make.clone()),
        vehicle_model: Some(t.vehicle_model.clone()),
        vehicle_license_plate_number: Some(t.vehicle_plate.clone()),
        delivery_count: Some(1),
        received_delivery_count: Some(i64::from(t.state == TransferState::Received)),
        package_count: Some(t.lines.len() as i64),
        received_package_count: Some(i64::from(received)),
        contains_plant_package: Some(false),
        contains_product_package: Some(true),
        contains_trade_sample: Some(t.contains_trade_sample),
        contains_donation: Some(t.contains_donation),
        contains_testing_sample: Some(t.contains_testing_sample),
        contains_product_requires_remediation: Some(false),
        contains_remediated_product_package: Some(t.contains_remediation),
        is_voided: Some(t.voided),
        created_date_time: Some(t.created_at.clone()),
        created_by_user_name: Some(t.created_by.clone()),
        last_modified: Some(t.last_modified.clone()),
        delivery_id: Some(t.id),
        recipient_facility_license_number: Some(t.recipient.license_number.clone()),
        recipient_facility_name: Some(t.recipient.name.clone()),
        shipment_type_name: Some(t.transfer_type.clone()),
        shipment_transaction_type: Some(transaction_type(&t.transfer_type).into()),
        estimated_departure_date_time: Some(t.estimated_departure.clone()),
        actual_departure_date_time: t.actual_departure.clone(),
        estimated_arrival_date_time: Some(t.estimated_arrival.clone()),
        actual_arrival_date_time: t.actual_arrival.clone(),
        delivery_package_count: Some(t.lines.len() as i64),
        delivery_received_package_count: Some(i64::from(t.accepted_count)),
        received_date_time: t.received_at.clone(),
        estimated_return_departure_date_time: None,
        actual_return_departure_date_time: None,
        estimated_return_arrival_date_time: None,
        actual_return_arrival_date_time: t.rejected_returned_at.clone(),
        originating_template_id: t.template_id,
        tagtrail_state: Some(t.list_status()),
    }
}

fn transaction_type(name: &str) -> &'static str {
    if name == "Wholesale Manifest" {
        "Wholesale"
    } else {
        "Standard"
    }
}

fn delivery(t: &Transfer, lines: &[TransferPackage]) -> tw::TransferDelivery {
    let gross: Option<rust_decimal::Decimal> = lines
        .iter()
        .map(|l| l.gross_weight)
        .try_fold(rust_decimal::Decimal::ZERO, |a, w| Some(a + w?));
    tw::TransferDelivery {
        id: Some(t.id),
        manifest_number: (t.state != TransferState::Template).then(|| t.manifest_number.clone()),
        delivery_number: Some(1),
        recipient_facility_license_number: Some(t.recipient.license_number.clone()),
        recipient_facility_name: Some(t.recipient.name.clone()),
        shipment_type_name: Some(t.transfer_type.clone()),
        shipment_transaction_type: Some(transaction_type(&t.transfer_type).into()),
        invoice_number: t.invoice_number.clone(),
        estimated_departure_date_time: Some(t.estimated_departure.clone()),
        actual_departure_date_time: t.actual_departure.clone(),
        estimated_arrival_date_time: Some(t.estimated_arrival.clone()),
        actual_arrival_date_time: t.actual_arrival.clone(),
        gross_weight: gross.filter(|_| !lines.is_empty()),
        gross_unit_of_weight_name: lines.iter().find_map(|l| l.gross_unit.clone()),
        planned_route: t.planned_route.clone(),
        delivery_package_count: Some(lines.len() as i64),
        delivery_received_package_count: Some(i64::from(t.accepted_count)),
        received_date_time: t.received_at.clone(),
        actual_return_arrival_date_time: t.rejected_returned_at.clone(),
        rejected_packages_returned: Some(t.rejected_returned_at.is_some()),
    }
}

fn delivery_package(l: &TransferPackage) -> tw::TransferDeliveryPackage {
    let p = &l.package;
    let received = matches!(
        l.shipment_state,
        tagtrail_domain::records::ShipmentState::Accepted
    );
    tw::TransferDeliveryPackage {
        package_id: Some(p.id),
        package_label: Some(p.label.to_string()),
        package_type: Some(p.package_type.clone()),
        source_package_labels: Some(p.source_package_labels.join(", ")),
        item_id: Some(p.item_id),
        item_name: Some(p.item_name.clone()),
        item_category_name: Some(p.item_category.clone()),
        item_strain_name: p.item_strain_name.clone(),
        lab_testing_state: Some(p.lab_testing_state.name().to_string()),
        production_batch_number: p.production_batch_number.clone(),
        is_trade_sample: Some(p.is_trade_sample),
        is_donation: Some(p.is_donation),
        is_testing_sample: Some(p.is_testing_sample),
        product_requires_remediation: Some(p.product_requires_remediation),
        contains_remediated_product: Some(p.remediation_count > 0),
        remediation_date: p.remediation_date.clone(),
        shipment_package_state: Some(l.shipment_state.as_str().into()),
        shipped_quantity: Some(l.shipped_quantity),
        shipped_unit_of_measure_name: Some(l.shipped_unit.clone()),
        gross_weight: l.gross_weight,
        gross_unit_of_weight_name: l.gross_unit.clone(),
        packaged_date: Some(p.packaged_date.clone()),
        expiration_date: p.expiration_date.clone(),
        sell_by_date: p.sell_by_date.clone(),
        use_by_date: p.use_by_date.clone(),
        received_quantity: l.received_quantity,
        received_unit_of_measure_name: received.then(|| l.shipped_unit.clone()),
        external_id: p.external_id.clone(),
        is_finished_good: Some(p.is_finished_good),
        rejection_reason: l.rejection_reason.clone(),
    }
}

fn transporter(t: &Transfer) -> tw::TransferTransporter {
    tw::TransferTransporter {
        shipment_delivery_id: Some(t.id),
        transporter_facility_license_number: Some(t.transporter.license_number.clone()),
        transporter_facility_name: Some(t.transporter.name.clone()),
        transporter_direction: Some("Outbound".into()),
    }
}

fn transporter_detail(t: &Transfer) -> tw::TransferTransporterDetail {
    tw::TransferTransporterDetail {
        shipment_delivery_id: Some(t.id),
        driver_name: Some(t.driver_name.clone()),
        driver_occupational_license_number: t.driver_employee_id.clone(),
        driver_vehicle_license_number: Some(t.driver_license_number.clone()),
        driver_layover_leg: None,
        vehicle_make: Some(t.vehicle_make.clone()),
        vehicle_model: Some(t.vehicle_model.clone()),
        vehicle_license_plate_number: Some(t.vehicle_plate.clone()),
        actual_driver_start_date_time: t.actual_departure.clone(),
    }
}

/// A manifest (or template) the caller may see: with `licenseNumber`, that license must be one
/// of its parties (shipper, recipient, transporter; templates: the shipper only); without it, any
/// party license the caller may act for will do.
async fn visible(r: &Read, id: &str, template: bool) -> Result<Loaded, ApiError> {
    let id = parse_id(id)?;
    let perms = if template { VIEW_TEMPLATES } else { VIEW };
    let (l, _) = r
        .ledger()
        .manifest_for(
            &r.caller().0,
            r.params().get("licenseNumber"),
            id,
            template,
            perms,
        )
        .await?;
    Ok(l)
}

/// Lists the manifests a license is a party to through one of the index tables (recipient's or
/// transporter's), whose rows carry the manifest's id and follow its changes.
async fn list_manifests<R: tagtrail_domain::records::Record>(
    r: &Read,
) -> Result<Json<Paged<tw::Transfer>>, ApiError> {
    let scope = r.scope(VIEW).await?;
    let lq = r.params().list_query(r.ledger(), None, true)?;
    let page = r.ledger().manifests_via::<R>(&scope, lq).await?;
    r.paged(page.rows.iter().map(transfer).collect(), page.total)
}

fn statuses(v: &'static [&'static str]) -> impl FnOnce(ListQuery) -> ListQuery {
    move |q| q.with(Column::Status, v.iter().copied())
}

#[utoipa::path(get, path = "/transfers/v2/incoming", tag = "Transfers", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<tw::Transfer>)))]
pub async fn get_incoming(r: Read) -> Result<Json<Paged<tw::Transfer>>, ApiError> {
    list_manifests::<TransferDelivery>(&r).await
}

#[utoipa::path(get, path = "/transfers/v2/outgoing", tag = "Transfers", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<tw::Transfer>)))]
pub async fn get_outgoing(r: Read) -> Result<Json<Paged<tw::Transfer>>, ApiError> {
    r.list::<Transfer, _>(
        VIEW,
        None,
        true,
        statuses(Transfer::REGISTERED_LISTS),
        transfer,
    )
    .await
}

/// Manifests with rejected packages: `Rejected` until the shipper takes them back (rule 45),
/// `Returned` after.
#[utoipa::path(get, path = "/transfers/v2/rejected", tag = "Transfers", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<tw::Transfer>)))]
pub async fn get_rejected(r: Read) -> Result<Json<Paged<tw::Transfer>>, ApiError> {
    r.list::<Transfer, _>(
        VIEW,
        None,
        true,
        statuses(&["Rejected", "Returned"]),
        transfer,
    )
    .await
}

/// tagtrail: manifests this license transports for others or itself (rule 43: the transporter
/// departs them).
#[utoipa::path(get, path = "/tagtrail/v1/transfers/transporting", tag = "tagtrail", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<tw::Transfer>)))]
pub async fn get_transporting(r: Read) -> Result<Json<Paged<tw::Transfer>>, ApiError> {
    list_manifests::<TransferTransport>(&r).await
}

#[utoipa::path(get, path = "/transfers/v2/templates/outgoing", tag = "Transfers", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<tw::Transfer>)))]
pub async fn get_templates(r: Read) -> Result<Json<Paged<tw::Transfer>>, ApiError> {
    r.list::<Transfer, _>(
        VIEW_TEMPLATES,
        Some(true),
        true,
        statuses(&["Template"]),
        transfer,
    )
    .await
}

#[utoipa::path(get, path = "/transfers/v2/{id}/deliveries", tag = "Transfers", params(("id" = i64, Path), PagingParams), responses((status = 200, body = Paged<tw::TransferDelivery>)))]
pub async fn get_deliveries(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<Paged<tw::TransferDelivery>>, ApiError> {
    let l = visible(&r, &id, false).await?;
    r.page_of(vec![delivery(&l.transfer, &l.lines)])
}

#[utoipa::path(get, path = "/transfers/v2/templates/outgoing/{id}/deliveries", tag = "Transfers", params(("id" = i64, Path), PagingParams), responses((status = 200, body = Paged<tw::TransferDelivery>)))]
pub async fn get_template_deliveries(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<Paged<tw::TransferDelivery>>, ApiError> {
    let l = visible(&r, &id, true).await?;
    r.page_of(vec![delivery(&l.transfer, &l.lines)])
}

async fn packages_of(
    r: &Read,
    id: &str,
    template: bool,
) -> Result<Json<Paged<tw::TransferDeliveryPackage>>, ApiError> {
    let l = visible(r, id, template).await?;
    r.page_of(l.lines.iter().map(delivery_package).collect())
}

#[utoipa::path(get, path = "/transfers/v2/deliveries/{id}/packages", tag = "Transfers", params(("id" = i64, Path), PagingParams), responses((status = 200, body = Paged<tw::TransferDeliveryPackage>)))]
pub async fn get_delivery_packages(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<Paged<tw::TransferDeliveryPackage>>, ApiError> {
    packages_of(&r, &id, false).await
}

#[utoipa::path(get, path = "/transfers/v2/templates/outgoing/deliveries/{id}/packages", tag = "Transfers", params(("id" = i64, Path), PagingParams), responses((status = 200, body = Paged<tw::TransferDeliveryPackage>)))]
pub async fn get_template_packages(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<Paged<tw::TransferDeliveryPackage>>, ApiError> {
    packages_of(&r, &id, true).await
}

/// Wholesale prices: the shipper's, and the receiver's once it received.
#[utoipa::path(get, path = "/transfers/v2/deliveries/{id}/packages/wholesale", tag = "Transfers", params(("id" = i64, Path), PagingParams), responses((status = 200, body = Paged<tw::TransferDeliveryPackageWholesale>)))]
pub async fn get_delivery_wholesale(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<Paged<tw::TransferDeliveryPackageWholesale>>, ApiError> {
    let l = visible(&r, &id, false).await?;
    let rows = l
        .lines
        .iter()
        .map(|l| tw::TransferDeliveryPackageWholesale {
            package_id: Some(l.package.id),
            package_label: Some(l.package.label.to_string()),
            shipper_wholesale_price: l.wholesale_price,
            receiver_wholesale_price: l.receiver_wholesale_price,
        })
        .collect();
    r.page_of(rows)
}

#[utoipa::path(get, path = "/transfers/v2/deliveries/{id}/transporters", tag = "Transfers", params(("id" = i64, Path), PagingParams), responses((status = 200, body = Paged<tw::TransferTransporter>)))]
pub async fn get_delivery_transporters(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<Paged<tw::TransferTransporter>>, ApiError> {
    let l = visible(&r, &id, false).await?;
    r.page_of(vec![transporter(&l.transfer)])
}

#[utoipa::path(get, path = "/transfers/v2/templates/outgoing/deliveries/{id}/transporters", tag = "Transfers", params(("id" = i64, Path), PagingParams), responses((status = 200, body = Paged<tw::TransferTransporter>)))]
pub async fn get_template_transporters(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<Paged<tw::TransferTransporter>>, ApiError> {
    let l = visible(&r, &id, true).await?;
    r.page_of(vec![transporter(&l.transfer)])
}

#[utoipa::path(get, path = "/transfers/v2/deliveries/{id}/transporters/details", tag = "Transfers", params(("id" = i64, Path), PagingParams), responses((status = 200, body = Paged<tw::TransferTransporterDetail>)))]
pub async fn get_delivery_transporter_details(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<Paged<tw::TransferTransporterDetail>>, ApiError> {
    let l = visible(&r, &id, false).await?;
    r.page_of(vec![transporter_detail(&l.transfer)])
}

/// Metrc documents this one as a plain array, not a paged envelope.
#[utoipa::path(get, path = "/transfers/v2/templates/outgoing/deliveries/{id}/transporters/details", tag = "Transfers", params(("id" = i64, Path)), responses((status = 200, body = Vec<tw::TransferTransporterDetail>)))]
pub async fn get_template_transporter_details(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<Vec<tw::TransferTransporterDetail>>, ApiError> {
    let l = visible(&r, &id, true).await?;
    Ok(Json(vec![transporter_detail(&l.transfer)]))
}

/// California requires no lab-test batches on transfer packages; the list is empty for any
/// package of a manifest the caller can see.
#[utoipa::path(get, path = "/transfers/v2/deliveries/package/{id}/requiredlabtestbatches", tag = "Transfers", params(("id" = i64, Path), PagingParams), responses((status = 200, body = Paged<tw::RequiredLabTestBatch>)))]
pub async fn get_required_lab_test_batches(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<Paged<tw::RequiredLabTestBatch>>, ApiError> {
    let line_id = parse_id(&id)?;
    r.ledger()
        .manifest_line(
            &r.caller().0,
            r.params().get("licenseNumber"),
            line_id,
            VIEW,
        )
        .await?;
    r.page_of(Vec::new())
}

/// The manifest as a PDF, base64 in Metrc's file envelope, with the fields rule 40 requires.
#[utoipa::path(get, path = "/transfers/v2/manifest/{id}/pdf", tag = "Transfers", params(("id" = i64, Path), LicenseParam), responses((status = 200, body = tw::ManifestPdf)))]
pub async fn get_manifest_pdf(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<tw::ManifestPdf>, ApiError> {
    r.params().license()?;
    let l = visible(&r, &id, false).await?;
    let bytes = tagtrail_documents::manifest_pdf(&l.transfer, &l.lines).map_err(|e| {
        tracing::error!(error = %e, "manifest PDF");
        ApiError::Status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The manifest could not be rendered.".into(),
        )
    })?;
    Ok(Json(tw::ManifestPdf {
        file_contents: Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
        content_type: Some("application/pdf".into()),
        file_download_name: Some(tagtrail_documents::file_name(&l.transfer)),
        http_status_code: Some("OK".into()),
    }))
}

/// The same manifest as a printable HTML page.
#[utoipa::path(get, path = "/transfers/v2/manifest/{id}/html", tag = "Transfers", params(("id" = i64, Path), LicenseParam), responses((status = 200, content_type = "text/html", body = String)))]
pub async fn get_manifest_html(r: Read, Path(id): Path<String>) -> Result<Response, ApiError> {
    r.params().license()?;
    let l = visible(&r, &id, false).await?;
    let html = tagtrail_documents::manifest_html(&l.transfer, &l.lines);
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

/// Maps a Metrc template body to a manifest plan. The transporter, driver and vehicle may be
/// given at the top level (as Metrc's template bodies do) or on the destination's transporter;
/// the driver is named by driver's license number and the vehicle by plate.
fn manifest_request(r: &tw::TransferTemplateRequest, id: Option<i64>) -> ManifestRequest {
    let dest = r.destinations.first();
    let tr = dest.and_then(|d| d.transporters.first());
    let detail = tr.and_then(|t| t.transporter_details.first());
    let first = |vals: [Option<&String>; 3]| {
        vals.into_iter()
            .flatten()
            .find(|v| !v.trim().is_empty())
            .cloned()
    };
    let spec = ManifestSpec {
        name: r.name.clone(),
        invoice_number: dest.and_then(|d| d.invoice_number.clone()),
        phone_for_questions: first([
            tr.and_then(|t| t.phone_number_for_questions.as_ref()),
            r.phone_number_for_questions.as_ref(),
            None,
        ]),
        driver_employee_id: first([
            detail.and_then(|d| d.driver_occupational_license_number.as_ref()),
            tr.and_then(|t| t.driver_occupational_license_number.as_ref()),
            r.driver_occupational_license_number.as_ref(),
        ]),
        recipient_license: dest.and_then(|d| d.recipient_license_number.clone()),
        transfer_type: dest.and_then(|d| d.transfer_type_name.clone()),
        transporter_license: first([
            tr.and_then(|t| t.transporter_facility_license_number.as_ref()),
            r.transporter_facility_license_number.as_ref(),
            None,
        ]),
        driver_license_number: first([
            detail.and_then(|d| d.driver_license_number.as_ref()),
            tr.and_then(|t| t.driver_license_number.as_ref()),
            r.driver_license_number.as_ref(),
        ]),
        vehicle_plate: first([
            detail.and_then(|d| d.vehicle_license_plate_number.as_ref()),
            tr.and_then(|t| t.vehicle_license_plate_number.as_ref()),
            r.vehicle_license_plate_number.as_ref(),
        ]),
        planned_route: dest.and_then(|d| d.planned_route.clone()),
        estimated_departure: first([
            dest.and_then(|d| d.estimated_departure_date_time.as_ref()),
            tr.and_then(|t| t.estimated_departure_date_time.as_ref()),
            None,
        ]),
        estimated_arrival: first([
            dest.and_then(|d| d.estimated_arrival_date_time.as_ref()),
            tr.and_then(|t| t.estimated_arrival_date_time.as_ref()),
            None,
        ]),
        packages: dest
            .map(|d| {
                d.packages
                    .iter()
                    .map(|p| ManifestLine {
                        package_label: p.package_label.clone(),
                        wholesale_price: p.wholesale_price,
                        gross_weight: p.gross_weight,
                        gross_unit: p.gross_unit_of_weight_name.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        destination_count: r.destinations.len(),
        transporter_count: dest.map(|d| d.transporters.len()).unwrap_or(0),
    };
    ManifestRequest {
        id,
        template_id: r.transfer_template_id,
        spec,
        keep_line_details: false,
    }
}

/// An edit may leave `Destinations` out to keep the stored destination and packages.
fn edit_request(r: &tw::TransferTemplateRequest, id: Option<i64>) -> ManifestRequest {
    let mut m = manifest_request(r, id);
    m.template_id = None;
    if r.destinations.is_empty() {
        m.spec.destination_count = 1;
    }
    m
}

fn template_request(r: &tw::TransferTemplateRequest) -> ManifestRequest {
    ManifestRequest {
        template_id: None,
        ..manifest_request(r, None)
    }
}

/// Plans outgoing templates (rules 39–42, 47). A template reserves no packages; a manifest is
/// registered from it with `POST /tagtrail/v1/transfers/outgoing` and `TransferTemplateId`.
#[utoipa::path(post, path = "/transfers/v2/templates/outgoing", tag = "Transfers", params(LicenseParam), request_body = Vec<tw::TransferTemplateRequest>, responses((status = 200, body = Ids)))]
pub async fn create_templates(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::CreateTemplates, tw::TransferTemplateRequest>(map::each(template_request))
        .await
        .map(created)
}

#[utoipa::path(put, path = "/transfers/v2/templates/outgoing", tag = "Transfers", params(LicenseParam), request_body = Vec<tw::TransferTemplateRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_templates(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::UpdateTemplates, tw::TransferTemplateRequest>(map::each(
        |r: &tw::TransferTemplateRequest| edit_request(r, r.transfer_template_id),
    ))
    .await
    .map(ok)
}

#[utoipa::path(delete, path = "/transfers/v2/templates/outgoing/{id}", tag = "Transfers", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn delete_template(Path(id): Path<String>, w: Write) -> Result<StatusCode, ApiError> {
    w.run_on::<act::ArchiveTemplate>(&id).await
}

/// tagtrail: registers manifests (a manifest number is issued), from a full body like the
/// template's or from `TransferTemplateId` (fields given replace the template's).
#[utoipa::path(post, path = "/tagtrail/v1/transfers/outgoing", tag = "tagtrail", params(LicenseParam), request_body = Vec<tw::TransferTemplateRequest>, responses((status = 200, body = Ids)))]
pub async fn register(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::Register, tw::TransferTemplateRequest>(map::each(
        |r: &tw::TransferTemplateRequest| manifest_request(r, None),
    ))
    .await
    .map(created)
}

/// tagtrail: edits registered manifests (`TransferId`) before they depart (rule 39: 409 after).
#[utoipa::path(put, path = "/tagtrail/v1/transfers/outgoing", tag = "tagtrail", params(LicenseParam), request_body = Vec<tw::TransferTemplateRequest>, responses((status = 200, description = "empty body")))]
pub async fn edit(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::Edit, tw::TransferTemplateRequest>(map::each(|r: &tw::TransferTemplateRequest| {
        edit_request(r, r.transfer_id)
    }))
    .await
    .map(ok)
}

/// tagtrail: voids a manifest before departure (rule 48).
#[utoipa::path(delete, path = "/tagtrail/v1/transfers/outgoing/{id}", tag = "tagtrail", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn void(Path(id): Path<String>, w: Write) -> Result<StatusCode, ApiError> {
    w.run_on::<act::Void>(&id).await
}

/// The list's text, as sent.
fn package_list(id: i64, bytes: &[u8]) -> Result<(serde_json::Value, PackageList), ApiError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::bad_request("The package list must be UTF-8 text."))?;
    if text.contains('\0') {
        return Err(ApiError::bad_request(
            "The package list may not contain NUL characters.",
        ));
    }
    let list = PackageList {
        transfer_id: id,
        text: text.to_string(),
    };
    Ok((serde_json::Value::String(list.text.clone()), list))
}

/// tagtrail: fills a manifest's (or template's) package section from a CSV or TXT list with
/// one column of package UIDs (bulletin IV). A bad line is answered as a row error whose `row`
/// is the 0-based line index, naming the line; nothing changes unless every line is good.
#[utoipa::path(put, path = "/tagtrail/v1/transfers/{id}/packagelist", tag = "tagtrail", params(("id" = i64, Path), LicenseParam), request_body(content = String, content_type = "text/csv"), responses((status = 200, description = "empty body")))]
pub async fn upload_package_list(Path(id): Path<String>, w: Write) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id)?;
    // A template's list is the template manager's; a manifest's, the transfer manager's.
    let build = move |_: &crate::AppState, bytes: &[u8]| package_list(id, bytes);
    match w.state().ledger.transfer_is_template(id).await? {
        Some(true) => w.run_built::<act::UploadTemplatePackageList>(build).await,
        Some(false) => w.run_built::<act::UploadManifestPackageList>(build).await,
        None => Err(ApiError::Status(
            StatusCode::NOT_FOUND,
            format!("Transfer {id} does not exist."),
        )),
    }
    .map(ok)
}

fn transfer_id(r: &tw::TransferIdRequest) -> Option<i64> {
    r.transfer_id
}

/// tagtrail: the transporter confirms the load and departs (rule 43); the packages leave the
/// shipper's active inventory and are in transit.
#[utoipa::path(post, path = "/tagtrail/v1/transfers/depart", tag = "tagtrail", params(LicenseParam), request_body = Vec<tw::TransferIdRequest>, responses((status = 200, description = "empty body")))]
pub async fn depart(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::Depart, tw::TransferIdRequest>(map::each(transfer_id))
        .await
        .map(ok)
}

/// tagtrail: the manifest arrived at its destination (transporter or recipient).
#[utoipa::path(post, path = "/tagtrail/v1/transfers/arrive", tag = "tagtrail", params(LicenseParam), request_body = Vec<tw::TransferIdRequest>, responses((status = 200, description = "empty body")))]
pub async fn arrive(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::Arrive, tw::TransferIdRequest>(map::each(transfer_id))
        .await
        .map(ok)
}

/// tagtrail: the shipper takes its rejected packages back into active inventory (rule 45).
#[utoipa::path(post, path = "/tagtrail/v1/transfers/returns", tag = "tagtrail", params(LicenseParam), request_body = Vec<tw::TransferIdRequest>, responses((status = 200, description = "empty body")))]
pub async fn take_back(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::TakeBack, tw::TransferIdRequest>(map::each(transfer_id))
        .await
        .map(ok)
}

/// tagtrail: the recipient accepts or rejects every package of a delivery, each whole (rule
/// 44), rejections with a reason. Received-quantity variances and late receipts come back as
/// warnings.
#[utoipa::path(post, path = "/tagtrail/v1/transfers/deliveries/{id}/receive", tag = "tagtrail", params(("id" = i64, Path), LicenseParam), request_body = Vec<tw::ReceiptRequest>, responses((status = 200, body = Ids)))]
pub async fn receive(Path(id): Path<String>, w: Write) -> Result<Json<Ids>, ApiError> {
    let delivery_id = parse_id(&id)?;
    // A receipt decides every package of a manifest at once; up to 200 of them (rule 47).
    let max = w.state().ledger.config.max_packages_per_transfer.max(1);
    w.run_limited::<act::Receive, tw::ReceiptRequest>(max, move |items| Receipt {
        delivery_id,
        lines: items
            .iter()
            .map(|r| ReceiptLine {
                package_label: r.package_label.clone(),
                accept: r.accepted,
                reason: r.rejection_reason.clone(),
                received_quantity: r.received_quantity,
                receiver_wholesale_price: r.receiver_wholesale_price,
                // The Metrc-shaped receipt names no location: the packages arrive unshelved.
                location: None,
            })
            .collect(),
    })
    .await
    .map(created)
}

/// Packages that left the facility on a manifest (`GET /packages/v2/transferred`).
pub(crate) fn transferred(l: &TransferPackage, t: Option<&Transfer>) -> tw::TransferredPackage {
    let p = &l.package;
    tw::TransferredPackage {
        id: Some(l.id),
        package_id: Some(p.id),
        recipient_facility_license_number: Some(l.recipient_license.clone()),
        recipient_facility_name: t.map(|t| t.recipient.name.clone()),
        manifest_number: t.map(|t| t.manifest_number.clone()),
        package_label: Some(p.label.to_string()),
        external_id: p.external_id.clone(),
        source_package_labels: Some(p.source_package_labels.join(", ")),
        product_name: Some(p.item_name.clone()),
        product_category_name: Some(p.item_category.clone()),
        item_strain_name: p.item_strain_name.clone(),
        lab_testing_state_name: Some(p.lab_testing_state.name().to_string()),
        shipped_quantity: Some(l.shipped_quantity),
        shipped_unit_of_measure_abbreviation: Some(l.shipped_unit.clone()),
        gross_weight: l.gross_weight,
        gross_unit_of_weight_abbreviation: l.gross_unit.clone(),
        shipper_wholesale_price: l.wholesale_price,
        received_quantity: l.received_quantity,
        received_unit_of_measure_abbreviation: l.received_quantity.map(|_| l.shipped_unit.clone()),
        receiver_wholesale_price: l.receiver_wholesale_price,
        shipment_package_state_name: Some(l.shipment_state.as_str().into()),
        actual_departure_date_time: l.departed_at.clone(),
        received_date_time: l.received_at.clone(),
    }
}
