//! The OpenAPI 3.1 document of the routes the ledger implements, generated from the handlers'
//! annotations and the wire types, served at `/openapi.json`.

use super::AppState;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};

use super::routes::*;

/// `licenseNumber` (required on most endpoints).
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct LicenseParam {
    /// The facility's license number, as `GET /facilities/v2` returns it.
    pub license_number: String,
}

/// Paging: off unless `pageSize` (1–20) is given.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct PagingParams {
    pub page_number: Option<u32>,
    pub page_size: Option<u32>,
}

/// `LastModified` window (ISO 8601; at most 24 hours by default).
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct WindowParams {
    pub last_modified_start: Option<String>,
    pub last_modified_end: Option<String>,
}

struct BasicAuth;

impl Modify for BasicAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some("username = vendor key, password = user key"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "tagtrail ledger", description = "Metrc v2-compatible track-and-trace ledger. Errors: 400 `[{\"row\",\"message\"}]` for write validation, otherwise `{\"Message\"}`."),
    modifiers(&BasicAuth),
    security(("basic" = [])),
    paths(
        reference::get_facilities, reference::get_employees, reference::get_employee_permissions,
        reference::get_units_active, reference::get_units_inactive, reference::get_waste_methods,
        items::create_items, items::update_items, items::get_active_items, items::get_inactive_items,
        items::get_item_categories, items::get_item_brands, items::create_item_brands, items::update_item_brands,
        items::delete_item_brand, items::get_item, items::delete_item,
        strains::create_strains, strains::update_strains, strains::get_active_strains, strains::get_inactive_strains,
        strains::get_strain, strains::delete_strain,
        locations::create_locations, locations::update_locations, locations::get_active_locations,
        locations::get_inactive_locations, locations::get_location_types, locations::get_location, locations::delete_location,
        locations::create_sublocations, locations::update_sublocations, locations::get_active_sublocations,
        locations::get_inactive_sublocations, locations::get_sublocation, locations::delete_sublocation,
        tags::get_package_tags_available, tags::get_plant_tags_available, tags::get_staged_tags,
        tags::get_tag_orders, tags::create_tag_orders, tags::receive_tag_orders, tags::void_tags,
        journal::get_journal,
        packages::get_active_packages, packages::get_inactive_packages, packages::get_onhold_packages,
        packages::get_intransit_packages, packages::get_transferred_packages, packages::get_package_types,
        packages::get_package_adjustments, packages::get_adjust_reasons, packages::adjust_packages,
        packages::adjust_packages_to, packages::create_packages, packages::create_testing_packages,
        packages::finish_packages, packages::unfinish_packages, packages::set_package_notes,
        packages::set_package_use_by_dates, packages::set_package_external_ids, packages::remediate_packages,
        packages::decontaminate_packages, packages::flag_donation, packages::unflag_donation,
        packages::flag_trade_sample, packages::unflag_trade_sample, packages::flag_finished_good,
        packages::unflag_finished_good, packages::move_packages, packages::change_package_items,
        packages::get_package, packages::discontinue_package, packages::get_package_source_harvests,
        packages::get_package_lineage,
        labtests::get_lab_test_states, labtests::get_lab_test_types, labtests::get_lab_test_batches,
        labtests::get_lab_test_results, labtests::release_lab_results, labtests::get_lab_test_document,
        labtests::record_lab_results, labtests::replace_lab_document, labtests::get_lab_samples,

        transporters::get_drivers, transporters::get_driver, transporters::create_drivers, transporters::update_drivers,
        transporters::delete_driver, transporters::get_vehicles, transporters::get_vehicle, transporters::create_vehicles,
        transporters::update_vehicles, transporters::delete_vehicle,
        transfers::get_transfer_types, transfers::get_delivery_package_states,
        transfers::get_incoming, transfers::get_outgoing, transfers::get_rejected, transfers::get_templates,
        transfers::create_templates, transfers::update_templates, transfers::delete_template,
        transfers::get_template_deliveries, transfers::get_template_packages, transfers::get_template_transporters,
        transfers::get_template_transporter_details, transfers::get_deliveries, transfers::get_delivery_packages,
        transfers::get_delivery_wholesale, transfers::get_delivery_transporters, transfers::get_delivery_transporter_details,
        transfers::get_required_lab_test_batches, transfers::get_manifest_pdf, transfers::get_manifest_html,
        transfers::register, transfers::edit, transfers::void, transfers::upload_package_list, transfers::depart,
        transfers::arrive, transfers::take_back, transfers::receive, transfers::get_transporting,
    )
)]
pub struct ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
