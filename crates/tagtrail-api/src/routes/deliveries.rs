//! Retail delivery (`metrc-v2-api.md` §Sales, the delivery endpoints; rule 65): sales
//! deliveries, the hub steps, and retailer (route) deliveries. The return reasons
//! (`GET /sales/v2/deliveries/returnreasons`) are served with the receipts.

use crate::error::ApiError;
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::{Read, Write, created, map, ok};
use axum::extract::Path;
use axum::http::StatusCode;
use tagtrail_app::actions::deliveries as act;
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::commands::sales::deliveries::{
    CompleteSpec, CourierSpec, DeliverySpec, HubStep, RecipientSpec, ReturnSpec,
};
use tagtrail_domain::commands::sales::lines::SaleLineSpec;
use tagtrail_domain::commands::sales::retailer_deliveries::{
    EndLine, EndSpec, LoadSpec, RestockSpec, RouteSaleSpec, RouteSpec, StopSpec,
};
use tagtrail_domain::records::{RetailerDelivery, SaleLine, SaleLineExtras, SalesDelivery};
use tagtrail_metrc::deliveries as wire;
use tagtrail_metrc::{Ids, Paged};

use tagtrail_app::actions::deliveries::{VIEW, VIEW_ROUTES};

/// A stored instant as Metrc shows the facility-local sales times: no offset, milliseconds.
fn local(s: &str) -> String {
    s.get(..23).unwrap_or(s).to_string()
}

fn local_opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(local)
}

fn line(l: &SaleLine) -> wire::DeliveryTransaction {
    let x = &l.extras;
    wire::DeliveryTransaction {
        package_id: Some(l.package_id),
        package_label: Some(l.package_label.clone()),
        product_name: Some(l.item_name.clone()),
        product_category_name: Some(l.item_category.clone()),
        item_strain_name: l.item_strain_name.clone(),
        quantity: Some(l.quantity),
        unit_of_measure: Some(l.unit_of_measure.clone()),
        unit_of_measure_name: Some(l.unit_of_measure.clone()),
        total_amount: Some(l.total_amount),
        unit_thc_percent: x.unit_thc_percent,
        unit_thc_content: x.unit_thc_content,
        unit_thc_content_unit_of_measure: x.unit_thc_content_unit_of_measure.clone(),
        unit_weight: x.unit_weight,
        unit_weight_unit_of_measure: x.unit_weight_unit_of_measure.clone(),
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

pub(super) fn sales_delivery(d: &SalesDelivery) -> wire::SalesDelivery {
    let c = &d.courier;
    let r = &d.recipient;
    wire::SalesDelivery {
        id: Some(d.id),
        delivery_number: Some(d.delivery_number.clone()),
        facility_license_number: Some(d.license_number.clone()),
        facility_name: None,
        shipper_facility_license_number: Some(d.license_number.clone()),
        transporter_facility_id: None,
        transporter_facility_license_number: d.transporter_license_number.clone(),
        transporter_facility_name: None,
        sales_date_time: Some(local(&d.sales_date_time)),
        sales_customer_type: Some(d.sales_customer_type.as_str().into()),
        patient_license_number: d.patient_license_number.clone(),
        consumer_id: d.consumer_id.clone(),
        driver_employee_id: Some(c.driver_employee_id.clone()),
        driver_name: Some(c.driver_name.clone()),
        drivers_license_number: Some(c.drivers_license_number.clone()),
        phone_number_for_questions: c.phone_number_for_questions.clone(),
        vehicle_make: Some(c.vehicle_make.clone()),
        vehicle_model: Some(c.vehicle_model.clone()),
        vehicle_license_plate_number: Some(c.vehicle_license_plate_number.clone()),
        recipient_name: r.name.clone(),
        recipient_address_street1: r.street1.clone(),
        recipient_address_street2: r.street2.clone(),
        recipient_address_city: Some(r.city.clone()),
        recipient_zone_id: r.zone_id.clone(),
        recipient_address_county: Some(r.county.clone()),
        recipient_address_state: r.state.clone(),
        recipient_address_postal_code: Some(r.postal_code.clone()),
        planned_route: d.planned_route.clone(),
        direction: Some("Outbound".into()),
        estimated_departure_date_time: local_opt(&d.estimated_departure),
        actual_departure_date_time: d.actual_departure.clone(),
        estimated_arrival_date_time: local_opt(&d.estimated_arrival),
        actual_arrival_date_time: local_opt(&d.actual_arrival),
        total_packages: Some(d.total_packages() as i64),
        total_price: Some(d.total_price()),
        accepted_date_time: d.accepted_date_time.clone(),
        transactions: d.transactions.iter().map(line).collect(),
        accepted_packages: d.accepted_packages.clone(),
        returned_packages: d
            .returned_packages
            .iter()
            .map(|p| wire::ReturnedPackage {
                label: Some(p.package_label.clone()),
                return_quantity_verified: Some(p.quantity),
                return_unit_of_measure: Some(p.unit_of_measure.clone()),
                return_reason: Some(p.reason.clone()),
                return_reason_note: p.reason_note.clone(),
            })
            .collect(),
        payment_type: d.payment_type.clone(),
        completed_date_time: d.completed_date_time.clone(),
        sales_delivery_state: Some(d.state.as_str().into()),
        voided_date: d.voided_date.clone(),
        retailer_delivery_id: d.retailer_delivery_id,
        recorded_date_time: Some(d.recorded_date_time.clone()),
        recorded_by_user_name: Some(d.recorded_by_user_name.clone()),
        last_modified: Some(d.last_modified.clone()),
    }
}

pub(super) fn route(r: &RetailerDelivery) -> wire::RetailerDelivery {
    let c = &r.courier;
    wire::RetailerDelivery {
        id: Some(r.id),
        retailer_delivery_number: Some(r.retailer_delivery_number.clone()),
        facility_license_number: Some(r.license_number.clone()),
        facility_name: None,
        date_time: Some(local(&r.date_time)),
        driver_employee_id: Some(c.driver_employee_id.clone()),
        driver_name: Some(c.driver_name.clone()),
        drivers_license_number: Some(c.drivers_license_number.clone()),
        phone_number_for_questions: c.phone_number_for_questions.clone(),
        vehicle_make: Some(c.vehicle_make.clone()),
        vehicle_model: Some(c.vehicle_model.clone()),
        vehicle_license_plate_number: Some(c.vehicle_license_plate_number.clone()),
        vehicle_info: Some(format!(
            "{} {} ({})",
            c.vehicle_make, c.vehicle_model, c.vehicle_license_plate_number
        )),
        direction: Some("Outbound".into()),
        estimated_departure_date_time: local_opt(&r.estimated_departure),
        actual_departure_date_time: r.actual_departure.clone(),
        restock_date_time: local_opt(&r.restock_date_time),
        actual_arrival_date_time: local_opt(&r.actual_arrival),
        total_packages: Some(r.total_packages() as i64),
        total_price: Some(r.total_price()),
        total_price_sold: Some(r.total_price_sold),
        accepted_date_time: None,
        destinations: r
            .planned_stops
            .iter()
            .map(|s| wire::RetailerDeliveryDestination {
                sales_customer_type: Some(s.sales_customer_type.as_str().into()),
                patient_license_number: s.patient_license_number.clone(),
                consumer_id: s.consumer_id.clone(),
                recipient_name: s.recipient.name.clone(),
                recipient_address_street1: s.recipient.street1.clone(),
                recipient_address_street2: s.recipient.street2.clone(),
                recipient_address_city: Some(s.recipient.city.clone()),
                recipient_address_county: Some(s.recipient.county.clone()),
                recipient_address_state: s.recipient.state.clone(),
                recipient_address_postal_code: Some(s.recipient.postal_code.clone()),
                recipient_zone_id: s.recipient.zone_id.clone(),
                estimated_arrival_date_time: local_opt(&s.estimated_arrival),
                transactions: s
                    .lines
                    .iter()
                    .map(|l| wire::DeliveryTransaction {
                        package_label: Some(l.package_label.clone()),
                        quantity: Some(l.quantity),
                        unit_of_measure: Some(l.unit_of_measure.clone()),
                        total_amount: l.total_amount,
                        ..Default::default()
                    })
                    .collect(),
            })
            .collect(),
        sales_delivery_ids: r.sales.clone(),
        completed_date_time: r.completed_date_time.clone(),
        retailer_delivery_state: Some(r.state.as_str().into()),
        allow_full_edit: Some(r.state == tagtrail_domain::records::RetailerDeliveryState::Pending),
        leg: Some(i64::from(r.leg)),
        voided_date: r.voided_date.clone(),
        recorded_date_time: Some(r.recorded_date_time.clone()),
        recorded_by_user_name: Some(r.recorded_by_user_name.clone()),
        last_modified: Some(r.last_modified.clone()),
        packages: r
            .packages
            .iter()
            .map(|p| wire::RetailerDeliveryPackage {
                package_id: Some(p.package_id),
                package_label: Some(p.package_label.clone()),
                product_name: Some(p.item_name.clone()),
                product_category_name: Some(p.item_category.clone()),
                quantity: Some(p.loaded),
                unit_of_measure: Some(p.unit_of_measure.clone()),
                sold_quantity: Some(p.sold),
                remaining_quantity: Some(p.remaining()),
                end_quantity: p.end_quantity,
                total_price: p.total_price,
                removed: Some(p.removed),
                date_time: Some(p.loaded_at.clone()),
            })
            .collect(),
    }
}

// ---- request mapping ---------------------------------------------------------------------

fn line_spec(t: &wire::DeliveryTransaction) -> SaleLineSpec {
    SaleLineSpec {
        package_label: t.package_label.clone(),
        quantity: t.quantity,
        unit_of_measure: t.unit_of_measure.clone().or(t.unit_of_measure_name.clone()),
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

/// `RecipientZoneId` arrives as a number or a string.
fn zone(v: &Option<serde_json::Value>) -> Option<String> {
    match v {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn courier_spec(
    id: &Option<String>,
    name: &Option<String>,
    licence: &Option<String>,
    phone: &Option<String>,
    make: &Option<String>,
    model: &Option<String>,
    plate: &Option<String>,
) -> CourierSpec {
    CourierSpec {
        driver_employee_id: id.clone(),
        driver_name: name.clone(),
        drivers_license_number: licence.clone(),
        phone_number_for_questions: phone.clone(),
        vehicle_make: make.clone(),
        vehicle_model: model.clone(),
        vehicle_license_plate_number: plate.clone(),
    }
}

fn delivery_spec(r: &wire::SalesDeliveryRequest) -> DeliverySpec {
    DeliverySpec {
        id: r.id,
        transporter_license_number: r.transporter_facility_license_number.clone(),
        sales_date_time: r.sales_date_time.clone(),
        sales_customer_type: r.sales_customer_type.clone(),
        patient_license_number: r.patient_license_number.clone(),
        consumer_id: r.consumer_id.clone(),
        courier: courier_spec(
            &r.driver_employee_id,
            &r.driver_name,
            &r.drivers_license_number,
            &r.phone_number_for_questions,
            &r.vehicle_make,
            &r.vehicle_model,
            &r.vehicle_license_plate_number,
        ),
        recipient: RecipientSpec {
            name: r.recipient_name.clone(),
            street1: r.recipient_address_street1.clone(),
            street2: r.recipient_address_street2.clone(),
            city: r.recipient_address_city.clone(),
            county: r.recipient_address_county.clone(),
            state: r.recipient_address_state.clone(),
            postal_code: r.recipient_address_postal_code.clone(),
            zone_id: zone(&r.recipient_zone_id),
        },
        planned_route: r.planned_route.clone(),
        estimated_departure: r.estimated_departure_date_time.clone(),
        estimated_arrival: r.estimated_arrival_date_time.clone(),
        transactions: r.transactions.iter().map(line_spec).collect(),
    }
}

fn new_delivery(r: &wire::SalesDeliveryRequest) -> DeliverySpec {
    DeliverySpec {
        id: None,
        ..delivery_spec(r)
    }
}

fn complete_spec(r: &wire::CompleteDeliveryRequest) -> CompleteSpec {
    CompleteSpec {
        id: r.id,
        actual_arrival: r.actual_arrival_date_time.clone(),
        payment_type: r.payment_type.clone(),
        accepted: r.accepted_packages.clone(),
        returned: r
            .returned_packages
            .iter()
            .map(|p| ReturnSpec {
                label: p.label.clone(),
                quantity: p.return_quantity_verified,
                unit_of_measure: p.return_unit_of_measure.clone(),
                reason: p.return_reason.clone(),
                reason_note: p.return_reason_note.clone(),
            })
            .collect(),
    }
}

fn load_spec(p: &wire::RoutePackageRequest) -> LoadSpec {
    LoadSpec {
        package_label: p.package_label.clone(),
        quantity: p.quantity,
        unit_of_measure: p.unit_of_measure.clone(),
        total_price: p.total_price,
        remove_current: p.remove_current_package.unwrap_or(false),
    }
}

fn route_spec(r: &wire::RetailerDeliveryRequest) -> RouteSpec {
    RouteSpec {
        id: r.id,
        date_time: r.date_time.clone(),
        courier: courier_spec(
            &r.driver_employee_id,
            &r.driver_name,
            &r.drivers_license_number,
            &r.phone_number_for_questions,
            &r.vehicle_make,
            &r.vehicle_model,
            &r.vehicle_license_plate_number,
        ),
        estimated_departure: r.estimated_departure_date_time.clone(),
        stops: r
            .destinations
            .iter()
            .map(|d| StopSpec {
                sales_customer_type: d.sales_customer_type.clone(),
                patient_license_number: d.patient_license_number.clone(),
                consumer_id: d.consumer_id.clone(),
                recipient: RecipientSpec {
                    name: d.recipient_name.clone(),
                    street1: d.recipient_address_street1.clone(),
                    street2: d.recipient_address_street2.clone(),
                    city: d.recipient_address_city.clone(),
                    county: d.recipient_address_county.clone(),
                    state: d.recipient_address_state.clone(),
                    postal_code: d.recipient_address_postal_code.clone(),
                    zone_id: zone(&d.recipient_zone_id),
                },
                estimated_arrival: d.estimated_arrival_date_time.clone(),
                lines: d.transactions.iter().map(line_spec).collect(),
            })
            .collect(),
        packages: r.packages.iter().map(load_spec).collect(),
    }
}

fn new_route(r: &wire::RetailerDeliveryRequest) -> RouteSpec {
    RouteSpec {
        id: None,
        ..route_spec(r)
    }
}

fn sale_spec(r: &wire::RouteSaleRequest) -> RouteSaleSpec {
    RouteSaleSpec {
        retailer_delivery_id: r.retailer_delivery_id,
        sales_date_time: r.sales_date_time.clone(),
        sales_customer_type: r.sales_customer_type.clone(),
        patient_license_number: r.patient_license_number.clone(),
        consumer_id: r.consumer_id.clone(),
        phone_number_for_questions: r.phone_number_for_questions.clone(),
        recipient: RecipientSpec {
            name: r.recipient_name.clone(),
            street1: r.recipient_address_street1.clone(),
            street2: r.recipient_address_street2.clone(),
            city: r.recipient_address_city.clone(),
            county: r.recipient_address_county.clone(),
            state: r.recipient_address_state.clone(),
            postal_code: r.recipient_address_postal_code.clone(),
            zone_id: zone(&r.recipient_zone_id),
        },
        planned_route: r.planned_route.clone(),
        lines: r.transactions.iter().map(line_spec).collect(),
    }
}

// ---- reads --------------------------------------------------------------------------------

async fn list_deliveries(
    r: Read,
    active: bool,
) -> Result<Json<Paged<wire::SalesDelivery>>, ApiError> {
    let dates = super::sales::sales_dates(&r)?;
    let refine = |q: ListQuery| match dates.clone() {
        Some((from, to)) => q.between(Column::SalesDate, from, to),
        None => q,
    };
    r.list::<SalesDelivery, _>(VIEW, Some(active), true, refine, sales_delivery)
        .await
}

/// Sales deliveries in transit (`lastModified*` xor `salesDate*`).
#[utoipa::path(get, path = "/sales/v2/deliveries/active", tag = "Sales", params(LicenseParam, PagingParams, WindowParams, ("salesDateStart" = Option<String>, Query), ("salesDateEnd" = Option<String>, Query)), responses((status = 200, body = Paged<wire::SalesDelivery>)))]
pub async fn get_active_deliveries(r: Read) -> Result<Json<Paged<wire::SalesDelivery>>, ApiError> {
    list_deliveries(r, true).await
}

/// Delivered and voided sales deliveries (`lastModified*` xor `salesDate*`).
#[utoipa::path(get, path = "/sales/v2/deliveries/inactive", tag = "Sales", params(LicenseParam, PagingParams, WindowParams, ("salesDateStart" = Option<String>, Query), ("salesDateEnd" = Option<String>, Query)), responses((status = 200, body = Paged<wire::SalesDelivery>)))]
pub async fn get_inactive_deliveries(
    r: Read,
) -> Result<Json<Paged<wire::SalesDelivery>>, ApiError> {
    list_deliveries(r, false).await
}

#[utoipa::path(get, path = "/sales/v2/deliveries/{id}", tag = "Sales", params(("id" = i64, Path), LicenseParam), responses((status = 200, body = wire::SalesDelivery)))]
pub async fn get_delivery(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<wire::SalesDelivery>, ApiError> {
    r.one::<SalesDelivery, _>(&id, VIEW, "Sales delivery", sales_delivery)
        .await
}

/// Records deliveries to customers (rules 49, 63, 65; bulletin III).
#[utoipa::path(post, path = "/sales/v2/deliveries", tag = "Sales", params(LicenseParam), request_body = Vec<wire::SalesDeliveryRequest>, responses((status = 200, body = Ids)))]
pub async fn create_deliveries(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::Create, wire::SalesDeliveryRequest>(map::each(new_delivery))
        .await
        .map(created)
}

#[utoipa::path(put, path = "/sales/v2/deliveries", tag = "Sales", params(LicenseParam), request_body = Vec<wire::SalesDeliveryRequest>, responses((status = 200, description = "empty body")))]
pub async fn update_deliveries(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::Update, wire::SalesDeliveryRequest>(map::each(delivery_spec))
        .await
        .map(ok)
}

/// Voids a delivery in transit; its lines go back to the packages.
#[utoipa::path(delete, path = "/sales/v2/deliveries/{id}", tag = "Sales", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn void_delivery(Path(id): Path<String>, w: Write) -> Result<StatusCode, ApiError> {
    w.run_on::<act::Void>(&id).await
}

/// Completes deliveries: every package accepted or returned; returns go back to the packages.
#[utoipa::path(put, path = "/sales/v2/deliveries/complete", tag = "Sales", params(LicenseParam), request_body = Vec<wire::CompleteDeliveryRequest>, responses((status = 200, description = "empty body")))]
pub async fn complete_deliveries(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::Complete, wire::CompleteDeliveryRequest>(map::each(complete_spec))
        .await
        .map(ok)
}

fn hub_transporter(r: &wire::HubDeliveryRequest) -> (Option<i64>, HubStep) {
    (
        r.id,
        HubStep::Transporter {
            transporter: r.transporter_facility_id.clone(),
            courier: Box::new(courier_spec(
                &r.driver_employee_id,
                &r.driver_name,
                &r.drivers_license_number,
                &r.phone_number_for_questions,
                &r.vehicle_make,
                &r.vehicle_model,
                &r.vehicle_license_plate_number,
            )),
            planned_route: r.planned_route.clone(),
            estimated_departure: r.estimated_departure_date_time.clone(),
            estimated_arrival: r.estimated_arrival_date_time.clone(),
        },
    )
}

/// Hub deliveries only (`IsSalesDeliveryHub`): 401 for every California license.
#[utoipa::path(put, path = "/sales/v2/deliveries/hub", tag = "Sales", params(LicenseParam), request_body = Vec<wire::HubDeliveryRequest>, responses((status = 200, description = "empty body"), (status = 401, description = "not a sales delivery hub")))]
pub async fn hub_update(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::HubUpdate, wire::HubDeliveryRequest>(map::each(hub_transporter))
        .await
        .map(ok)
}

#[utoipa::path(put, path = "/sales/v2/deliveries/hub/accept", tag = "Sales", params(LicenseParam), request_body = Vec<wire::HubDeliveryRequest>, responses((status = 200, description = "empty body"), (status = 401, description = "not a sales delivery hub")))]
pub async fn hub_accept(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::HubAccept, wire::HubDeliveryRequest>(map::each(|r: &wire::HubDeliveryRequest| {
        (r.id, HubStep::Accept)
    }))
    .await
    .map(ok)
}

#[utoipa::path(put, path = "/sales/v2/deliveries/hub/depart", tag = "Sales", params(LicenseParam), request_body = Vec<wire::HubDeliveryRequest>, responses((status = 200, description = "empty body"), (status = 401, description = "not a sales delivery hub")))]
pub async fn hub_depart(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::HubDepart, wire::HubDeliveryRequest>(map::each(|r: &wire::HubDeliveryRequest| {
        (r.id, HubStep::Depart)
    }))
    .await
    .map(ok)
}

#[utoipa::path(put, path = "/sales/v2/deliveries/hub/verifyID", tag = "Sales", params(LicenseParam), request_body = Vec<wire::HubDeliveryRequest>, responses((status = 200, description = "empty body"), (status = 401, description = "not a sales delivery hub")))]
pub async fn hub_verify_id(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::HubVerifyId, wire::HubDeliveryRequest>(map::each(
        |r: &wire::HubDeliveryRequest| {
            (
                r.id,
                HubStep::VerifyId {
                    payment_type: r.payment_type.clone(),
                },
            )
        },
    ))
    .await
    .map(ok)
}

// ---- retailer deliveries -------------------------------------------------------------------

/// Delivery inventory ledgers not yet ended (pending or on the road).
#[utoipa::path(get, path = "/sales/v2/deliveries/retailer/active", tag = "Sales", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::RetailerDelivery>)))]
pub async fn get_active_routes(r: Read) -> Result<Json<Paged<wire::RetailerDelivery>>, ApiError> {
    r.list::<RetailerDelivery, _>(VIEW_ROUTES, Some(true), true, |q| q, route)
        .await
}

/// Ended and voided delivery inventory ledgers.
#[utoipa::path(get, path = "/sales/v2/deliveries/retailer/inactive", tag = "Sales", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::RetailerDelivery>)))]
pub async fn get_inactive_routes(r: Read) -> Result<Json<Paged<wire::RetailerDelivery>>, ApiError> {
    r.list::<RetailerDelivery, _>(VIEW_ROUTES, Some(false), true, |q| q, route)
        .await
}

#[utoipa::path(get, path = "/sales/v2/deliveries/retailer/{id}", tag = "Sales", params(("id" = i64, Path), LicenseParam), responses((status = 200, body = wire::RetailerDelivery)))]
pub async fn get_route(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<wire::RetailerDelivery>, ApiError> {
    r.one::<RetailerDelivery, _>(&id, VIEW_ROUTES, "Retailer delivery", route)
        .await
}

/// Opens delivery inventory ledgers (rule 65); loading takes the quantities out of the packages.
#[utoipa::path(post, path = "/sales/v2/deliveries/retailer", tag = "Sales", params(LicenseParam), request_body = Vec<wire::RetailerDeliveryRequest>, responses((status = 200, body = Ids)))]
pub async fn create_routes(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::CreateRoutes, wire::RetailerDeliveryRequest>(map::each(new_route))
        .await
        .map(created)
}

#[utoipa::path(put, path = "/sales/v2/deliveries/retailer", tag = "Sales", params(LicenseParam), request_body = Vec<wire::RetailerDeliveryRequest>, responses((status = 200, body = Ids)))]
pub async fn update_routes(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::UpdateRoutes, wire::RetailerDeliveryRequest>(map::each(route_spec))
        .await
        .map(created)
}

/// Voids a ledger before departure; the loaded quantities go back.
#[utoipa::path(delete, path = "/sales/v2/deliveries/retailer/{id}", tag = "Sales", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn void_route(Path(id): Path<String>, w: Write) -> Result<StatusCode, ApiError> {
    w.run_on::<act::VoidRoute>(&id).await
}

#[utoipa::path(post, path = "/sales/v2/deliveries/retailer/depart", tag = "Sales", params(LicenseParam), request_body = Vec<wire::RetailerDeliveryIdRequest>, responses((status = 200, description = "empty body")))]
pub async fn depart_routes(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::DepartRoutes, wire::RetailerDeliveryIdRequest>(map::each(
        |r: &wire::RetailerDeliveryIdRequest| r.retailer_delivery_id,
    ))
    .await
    .map(ok)
}

#[utoipa::path(post, path = "/sales/v2/deliveries/retailer/restock", tag = "Sales", params(LicenseParam), request_body = Vec<wire::RestockRequest>, responses((status = 200, body = Ids)))]
pub async fn restock_routes(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::RestockRoutes, wire::RestockRequest>(map::each(|r: &wire::RestockRequest| {
        RestockSpec {
            id: r.retailer_delivery_id,
            date_time: r.date_time.clone(),
            estimated_departure: r.estimated_departure_date_time.clone(),
            packages: r.packages.iter().map(load_spec).collect(),
        }
    }))
    .await
    .map(created)
}

/// Ends routes; each package's `EndQuantity` goes back to it.
#[utoipa::path(post, path = "/sales/v2/deliveries/retailer/end", tag = "Sales", params(LicenseParam), request_body = Vec<wire::EndRetailerDeliveryRequest>, responses((status = 200, body = Ids)))]
pub async fn end_routes(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::EndRoutes, wire::EndRetailerDeliveryRequest>(map::each(
        |r: &wire::EndRetailerDeliveryRequest| EndSpec {
            id: r.retailer_delivery_id,
            actual_arrival: r.actual_arrival_date_time.clone(),
            packages: r
                .packages
                .iter()
                .map(|p| EndLine {
                    label: p.label.clone(),
                    end_quantity: p.end_quantity,
                    end_unit_of_measure: p.end_unit_of_measure.clone(),
                })
                .collect(),
        },
    ))
    .await
    .map(created)
}

/// A sale from a route on the road (rule 65): answered with the new sales deliveries' ids.
#[utoipa::path(post, path = "/sales/v2/deliveries/retailer/sale", tag = "Sales", params(LicenseParam), request_body = Vec<wire::RouteSaleRequest>, responses((status = 200, body = Ids)))]
pub async fn sell_from_routes(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::SellFromRoutes, wire::RouteSaleRequest>(map::each(sale_spec))
        .await
        .map(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_drop_the_offset_and_keep_milliseconds() {
        assert_eq!(
            local("2026-06-01T10:00:00.000000+00:00"),
            "2026-06-01T10:00:00.000"
        );
    }
}
