//! Route table of the Metrc v2 endpoints and the `/tagtrail/v1` extensions.

pub(super) mod items;
pub(super) mod journal;
pub(super) mod labtests;
pub(super) mod locations;
pub(super) mod packages;
pub(super) mod reference;
pub(super) mod strains;
pub(super) mod tags;
pub(super) mod transfers;
pub(super) mod transporters;

use super::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};

/// Bodies that may carry certificates: ten 5 MB PDFs in base64, with room for the JSON around them.
const DOCUMENT_BODY_LIMIT: usize = 72 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/facilities/v2", get(reference::get_facilities))
        .route("/employees/v2", get(reference::get_employees))
        .route(
            "/employees/v2/permissions",
            get(reference::get_employee_permissions),
        )
        .route(
            "/unitsofmeasure/v2/active",
            get(reference::get_units_active),
        )
        .route(
            "/unitsofmeasure/v2/inactive",
            get(reference::get_units_inactive),
        )
        .route("/wastemethods/v2", get(reference::get_waste_methods))
        .route(
            "/items/v2",
            post(items::create_items).put(items::update_items),
        )
        .route("/items/v2/active", get(items::get_active_items))
        .route("/items/v2/inactive", get(items::get_inactive_items))
        .route("/items/v2/categories", get(items::get_item_categories))
        .route("/items/v2/brands", get(items::get_item_brands))
        .route(
            "/items/v2/brand",
            post(items::create_item_brands).put(items::update_item_brands),
        )
        .route("/items/v2/brand/{id}", delete(items::delete_item_brand))
        .route(
            "/items/v2/{id}",
            get(items::get_item).delete(items::delete_item),
        )
        .route(
            "/strains/v2",
            post(strains::create_strains).put(strains::update_strains),
        )
        .route("/strains/v2/active", get(strains::get_active_strains))
        .route("/strains/v2/inactive", get(strains::get_inactive_strains))
        .route(
            "/strains/v2/{id}",
            get(strains::get_strain).delete(strains::delete_strain),
        )
        .route(
            "/locations/v2",
            post(locations::create_locations).put(locations::update_locations),
        )
        .route("/locations/v2/active", get(locations::get_active_locations))
        .route(
            "/locations/v2/inactive",
            get(locations::get_inactive_locations),
        )
        .route("/locations/v2/types", get(locations::get_location_types))
        .route(
            "/locations/v2/{id}",
            get(locations::get_location).delete(locations::delete_location),
        )
        .route(
            "/sublocations/v2",
            post(locations::create_sublocations).put(locations::update_sublocations),
        )
        .route(
            "/sublocations/v2/active",
            get(locations::get_active_sublocations),
        )
        .route(
            "/sublocations/v2/inactive",
            get(locations::get_inactive_sublocations),
        )
        .route(
            "/sublocations/v2/{id}",
            get(locations::get_sublocation).delete(locations::delete_sublocation),
        )
        .route(
            "/tags/v2/package/available",
            get(tags::get_package_tags_available),
        )
        .route(
            "/tags/v2/plant/available",
            get(tags::get_plant_tags_available),
        )
        .route("/tags/v2/staged", get(tags::get_staged_tags))
        .route(
            "/tagtrail/v1/tags/orders",
            get(tags::get_tag_orders).post(tags::create_tag_orders),
        )
        .route(
            "/tagtrail/v1/tags/orders/receive",
            axum::routing::put(tags::receive_tag_orders),
        )
        .route(
            "/tagtrail/v1/tags/void",
            axum::routing::put(tags::void_tags),
        )
        .route("/tagtrail/v1/journal", get(journal::get_journal))
        .route(
            "/transporters/v2/drivers",
            get(transporters::get_drivers)
                .post(transporters::create_drivers)
                .put(transporters::update_drivers),
        )
        .route(
            "/transporters/v2/drivers/{id}",
            get(transporters::get_driver).delete(transporters::delete_driver),
        )
        .route(
            "/transporters/v2/vehicles",
            get(transporters::get_vehicles)
                .post(transporters::create_vehicles)
                .put(transporters::update_vehicles),
        )
        .route(
            "/transporters/v2/vehicles/{id}",
            get(transporters::get_vehicle).delete(transporters::delete_vehicle),
        )
        .route("/transfers/v2/types", get(transfers::get_transfer_types))
        .route(
            "/transfers/v2/deliveries/packages/states",
            get(transfers::get_delivery_package_states),
        )
        .route("/transfers/v2/incoming", get(transfers::get_incoming))
        .route("/transfers/v2/outgoing", get(transfers::get_outgoing))
        .route("/transfers/v2/rejected", get(transfers::get_rejected))
        .route(
            "/transfers/v2/templates/outgoing",
            get(transfers::get_templates)
                .post(transfers::create_templates)
                .put(transfers::update_templates),
        )
        .route(
            "/transfers/v2/templates/outgoing/{id}",
            delete(transfers::delete_template),
        )
        .route(
            "/transfers/v2/templates/outgoing/{id}/deliveries",
            get(transfers::get_template_deliveries),
        )
        .route(
            "/transfers/v2/templates/outgoing/deliveries/{id}/packages",
            get(transfers::get_template_packages),
        )
        .route(
            "/transfers/v2/templates/outgoing/deliveries/{id}/transporters",
            get(transfers::get_template_transporters),
        )
        .route(
            "/transfers/v2/templates/outgoing/deliveries/{id}/transporters/details",
            get(transfers::get_template_transporter_details),
        )
        .route(
            "/transfers/v2/{id}/deliveries",
            get(transfers::get_deliveries),
        )
        .route(
            "/transfers/v2/deliveries/{id}/packages",
            get(transfers::get_delivery_packages),
        )
        .route(
            "/transfers/v2/deliveries/{id}/packages/wholesale",
            get(transfers::get_delivery_wholesale),
        )
        .route(
            "/transfers/v2/deliveries/{id}/transporters",
            get(transfers::get_delivery_transporters),
        )
        .route(
            "/transfers/v2/deliveries/{id}/transporters/details",
            get(transfers::get_delivery_transporter_details),
        )
        .route(
            "/transfers/v2/deliveries/package/{id}/requiredlabtestbatches",
            get(transfers::get_required_lab_test_batches),
        )
        .route(
            "/transfers/v2/manifest/{id}/pdf",
            get(transfers::get_manifest_pdf),
        )
        .route(
            "/transfers/v2/manifest/{id}/html",
            get(transfers::get_manifest_html),
        )
        .route(
            "/tagtrail/v1/transfers/outgoing",
            post(transfers::register).put(transfers::edit),
        )
        .route(
            "/tagtrail/v1/transfers/outgoing/{id}",
            delete(transfers::void),
        )
        .route(
            "/tagtrail/v1/transfers/{id}/packagelist",
            put(transfers::upload_package_list),
        )
        .route("/tagtrail/v1/transfers/depart", post(transfers::depart))
        .route("/tagtrail/v1/transfers/arrive", post(transfers::arrive))
        .route("/tagtrail/v1/transfers/returns", post(transfers::take_back))
        .route(
            "/tagtrail/v1/transfers/deliveries/{id}/receive",
            post(transfers::receive),
        )
        .route(
            "/tagtrail/v1/transfers/transporting",
            get(transfers::get_transporting),
        )
        .route("/labtests/v2/states", get(labtests::get_lab_test_states))
        .route("/labtests/v2/types", get(labtests::get_lab_test_types))
        .route("/labtests/v2/batches", get(labtests::get_lab_test_batches))
        .route("/labtests/v2/results", get(labtests::get_lab_test_results))
        .route(
            "/labtests/v2/results/release",
            put(labtests::release_lab_results),
        )
        .route(
            "/labtests/v2/labtestdocument/{id}",
            get(labtests::get_lab_test_document),
        )
        .route(
            "/labtests/v2/record",
            post(labtests::record_lab_results).layer(DefaultBodyLimit::max(DOCUMENT_BODY_LIMIT)),
        )
        .route(
            "/labtests/v2/labtestdocument",
            put(labtests::replace_lab_document).layer(DefaultBodyLimit::max(DOCUMENT_BODY_LIMIT)),
        )
        .route("/packages/v2/labsamples", get(labtests::get_lab_samples))
        .route("/packages/v2", post(packages::create_packages))
        .route(
            "/packages/v2/testing",
            post(packages::create_testing_packages),
        )
        .route("/packages/v2/active", get(packages::get_active_packages))
        .route(
            "/packages/v2/inactive",
            get(packages::get_inactive_packages),
        )
        .route("/packages/v2/onhold", get(packages::get_onhold_packages))
        .route(
            "/packages/v2/intransit",
            get(packages::get_intransit_packages),
        )
        .route(
            "/packages/v2/transferred",
            get(packages::get_transferred_packages),
        )
        .route("/packages/v2/types", get(packages::get_package_types))
        .route(
            "/packages/v2/adjustments",
            get(packages::get_package_adjustments),
        )
        .route(
            "/packages/v2/adjust/reasons",
            get(packages::get_adjust_reasons),
        )
        .route(
            "/packages/v2/adjust",
            post(packages::adjust_packages).put(packages::adjust_packages_to),
        )
        .route("/packages/v2/finish", put(packages::finish_packages))
        .route("/packages/v2/unfinish", put(packages::unfinish_packages))
        .route("/packages/v2/note", put(packages::set_package_notes))
        .route(
            "/packages/v2/usebydate",
            put(packages::set_package_use_by_dates),
        )
        .route(
            "/packages/v2/externalid",
            put(packages::set_package_external_ids),
        )
        .route("/packages/v2/remediate", put(packages::remediate_packages))
        .route(
            "/packages/v2/decontaminate",
            put(packages::decontaminate_packages),
        )
        .route("/packages/v2/donation/flag", put(packages::flag_donation))
        .route(
            "/packages/v2/donation/unflag",
            put(packages::unflag_donation),
        )
        .route(
            "/packages/v2/tradesample/flag",
            put(packages::flag_trade_sample),
        )
        .route(
            "/packages/v2/tradesample/unflag",
            put(packages::unflag_trade_sample),
        )
        .route(
            "/packages/v2/finishedgood/flag",
            put(packages::flag_finished_good),
        )
        .route(
            "/packages/v2/finishedgood/unflag",
            put(packages::unflag_finished_good),
        )
        .route("/packages/v2/location", put(packages::move_packages))
        .route("/packages/v2/item", put(packages::change_package_items))
        .route(
            "/packages/v2/{id}",
            get(packages::get_package).delete(packages::discontinue_package),
        )
        .route(
            "/packages/v2/{id}/source/harvests",
            get(packages::get_package_source_harvests),
        )
        .route(
            "/tagtrail/v1/packages/{id}/lineage",
            get(packages::get_package_lineage),
        )
}
