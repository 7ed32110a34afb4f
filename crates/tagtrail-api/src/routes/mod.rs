//! The route list of the Metrc v2 endpoints and the `/tagtrail/v1` extensions: one entry per
//! path, naming its handlers; it makes both the router and the OpenAPI document (each handler's
//! `#[utoipa::path]` describes it), so neither can list a route the other lacks.

pub(super) mod additives;
pub(super) mod changes;
pub(super) mod checkpoints;
pub(super) mod deliveries;
pub(super) mod harvests;
pub(super) mod imports;
pub(super) mod items;
pub(super) mod journal;
pub(super) mod labtests;
pub(super) mod locations;
pub(super) mod packages;
pub(super) mod plantbatches;
pub(super) mod plants;
pub(super) mod reference;
pub(super) mod sales;
pub(super) mod strains;
pub(super) mod tags;
pub(super) mod transfers;
pub(super) mod transporters;
pub(super) mod webhooks;

use super::AppState;
use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Bodies that may carry certificates: ten 5 MB PDFs in base64, with room for the JSON around them.
const DOCUMENT_BODY_LIMIT: usize = 72 * 1024 * 1024;

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::base())
        .routes(routes!(reference::get_facilities))
        .routes(routes!(changes::get_changes))
        .routes(routes!(reference::get_employees))
        .routes(routes!(reference::get_employee_permissions))
        .routes(routes!(reference::get_units_active))
        .routes(routes!(reference::get_units_inactive))
        .routes(routes!(reference::get_waste_methods))
        .routes(routes!(items::create_items, items::update_items))
        .routes(routes!(items::get_active_items))
        .routes(routes!(items::get_inactive_items))
        .routes(routes!(items::get_item_categories))
        .routes(routes!(items::get_item_brands))
        .routes(routes!(
            items::create_item_brands,
            items::update_item_brands
        ))
        .routes(routes!(items::delete_item_brand))
        .routes(routes!(items::get_item, items::delete_item))
        .routes(routes!(strains::create_strains, strains::update_strains))
        .routes(routes!(strains::get_active_strains))
        .routes(routes!(strains::get_inactive_strains))
        .routes(routes!(strains::get_strain, strains::delete_strain))
        .routes(routes!(
            locations::create_locations,
            locations::update_locations
        ))
        .routes(routes!(locations::get_active_locations))
        .routes(routes!(locations::get_inactive_locations))
        .routes(routes!(locations::get_location_types))
        .routes(routes!(locations::get_location, locations::delete_location))
        .routes(routes!(
            locations::create_sublocations,
            locations::update_sublocations
        ))
        .routes(routes!(locations::get_active_sublocations))
        .routes(routes!(locations::get_inactive_sublocations))
        .routes(routes!(
            locations::get_sublocation,
            locations::delete_sublocation
        ))
        .routes(routes!(tags::get_package_tags_available))
        .routes(routes!(tags::get_plant_tags_available))
        .routes(routes!(tags::get_staged_tags))
        .routes(routes!(tags::get_tag_orders, tags::create_tag_orders))
        .routes(routes!(tags::receive_tag_orders))
        .routes(routes!(tags::void_tags))
        .routes(routes!(journal::get_journal))
        .routes(routes!(webhooks::get_webhooks, webhooks::put_webhook))
        .routes(routes!(webhooks::delete_webhook))
        .routes(routes!(webhooks::disable_webhook))
        .routes(routes!(webhooks::enable_webhook))
        .routes(routes!(webhooks::replay_webhook))
        .routes(routes!(webhooks::get_webhook_deliveries))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(imports::upload, imports::list))
                .layer(DefaultBodyLimit::max(
                    tagtrail_domain::commands::imports::MAX_FILE_BYTES + 64 * 1024,
                )),
        )
        .routes(routes!(imports::get_one))
        .routes(routes!(imports::apply))
        .routes(routes!(checkpoints::get_checkpoints))
        .routes(routes!(checkpoints::get_checkpoint_public_key))
        .routes(routes!(
            transporters::get_drivers,
            transporters::create_drivers,
            transporters::update_drivers
        ))
        .routes(routes!(
            transporters::get_driver,
            transporters::delete_driver
        ))
        .routes(routes!(
            transporters::get_vehicles,
            transporters::create_vehicles,
            transporters::update_vehicles
        ))
        .routes(routes!(
            transporters::get_vehicle,
            transporters::delete_vehicle
        ))
        .routes(routes!(transfers::get_transfer_types))
        .routes(routes!(transfers::get_delivery_package_states))
        .routes(routes!(transfers::get_incoming))
        .routes(routes!(transfers::get_outgoing))
        .routes(routes!(transfers::get_rejected))
        .routes(routes!(
            transfers::get_templates,
            transfers::create_templates,
            transfers::update_templates
        ))
        .routes(routes!(transfers::delete_template))
        .routes(routes!(transfers::get_template_deliveries))
        .routes(routes!(transfers::get_template_packages))
        .routes(routes!(transfers::get_template_transporters))
        .routes(routes!(transfers::get_template_transporter_details))
        .routes(routes!(transfers::get_deliveries))
        .routes(routes!(transfers::get_delivery_packages))
        .routes(routes!(transfers::get_delivery_wholesale))
        .routes(routes!(transfers::get_delivery_transporters))
        .routes(routes!(transfers::get_delivery_transporter_details))
        .routes(routes!(transfers::get_required_lab_test_batches))
        .routes(routes!(transfers::get_manifest_pdf))
        .routes(routes!(transfers::get_manifest_html))
        .routes(routes!(transfers::register, transfers::edit))
        .routes(routes!(transfers::void))
        .routes(routes!(transfers::upload_package_list))
        .routes(routes!(transfers::depart))
        .routes(routes!(transfers::arrive))
        .routes(routes!(transfers::take_back))
        .routes(routes!(transfers::receive))
        .routes(routes!(transfers::get_transporting))
        .routes(routes!(labtests::get_lab_test_states))
        .routes(routes!(labtests::get_lab_test_types))
        .routes(routes!(labtests::get_lab_test_batches))
        .routes(routes!(labtests::get_lab_test_results))
        .routes(routes!(labtests::release_lab_results))
        .routes(routes!(labtests::get_lab_test_document))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(labtests::record_lab_results))
                .layer(DefaultBodyLimit::max(DOCUMENT_BODY_LIMIT)),
        )
        .merge(
            OpenApiRouter::new()
                .routes(routes!(labtests::replace_lab_document))
                .layer(DefaultBodyLimit::max(DOCUMENT_BODY_LIMIT)),
        )
        .routes(routes!(labtests::get_lab_samples))
        .routes(routes!(packages::create_packages))
        .routes(routes!(packages::create_testing_packages))
        .routes(routes!(packages::get_active_packages))
        .routes(routes!(packages::get_inactive_packages))
        .routes(routes!(packages::get_onhold_packages))
        .routes(routes!(packages::get_intransit_packages))
        .routes(routes!(packages::get_transferred_packages))
        .routes(routes!(packages::get_package_types))
        .routes(routes!(packages::get_package_adjustments))
        .routes(routes!(packages::get_adjust_reasons))
        .routes(routes!(
            packages::adjust_packages,
            packages::adjust_packages_to
        ))
        .routes(routes!(packages::finish_packages))
        .routes(routes!(packages::unfinish_packages))
        .routes(routes!(packages::set_package_notes))
        .routes(routes!(packages::set_package_use_by_dates))
        .routes(routes!(packages::set_package_external_ids))
        .routes(routes!(packages::remediate_packages))
        .routes(routes!(packages::decontaminate_packages))
        .routes(routes!(packages::flag_donation))
        .routes(routes!(packages::unflag_donation))
        .routes(routes!(packages::flag_trade_sample))
        .routes(routes!(packages::unflag_trade_sample))
        .routes(routes!(packages::flag_finished_good))
        .routes(routes!(packages::unflag_finished_good))
        .routes(routes!(packages::move_packages))
        .routes(routes!(packages::change_package_items))
        .routes(routes!(
            packages::get_package,
            packages::discontinue_package
        ))
        .routes(routes!(packages::get_package_source_harvests))
        .routes(routes!(packages::get_package_lineage))
        .routes(routes!(plantbatches::destroy))
        .routes(routes!(plantbatches::create_plantings))
        .routes(routes!(plantbatches::create_package_plantings))
        .routes(routes!(plantbatches::change_growth_phase))
        .routes(routes!(plantbatches::adjust))
        .routes(routes!(plantbatches::split))
        .routes(routes!(plantbatches::move_batches))
        .routes(routes!(plantbatches::rename))
        .routes(routes!(plantbatches::change_strain))
        .routes(routes!(plantbatches::retag))
        .routes(routes!(plantbatches::create_packages))
        .routes(routes!(plantbatches::create_packages_from_mother_plant))
        .routes(routes!(plantbatches::get_waste, plantbatches::record_waste))
        .routes(routes!(plantbatches::get_waste_reasons))
        .routes(routes!(plantbatches::get_active))
        .routes(routes!(plantbatches::get_inactive))
        .routes(routes!(plantbatches::get_types))
        .routes(routes!(plantbatches::get_batch))
        .routes(routes!(plants::destroy))
        .routes(routes!(plants::get_vegetative))
        .routes(routes!(plants::get_flowering))
        .routes(routes!(plants::get_onhold))
        .routes(routes!(plants::get_inactive))
        .routes(routes!(plants::get_mothers))
        .routes(routes!(plants::get_inactive_mothers))
        .routes(routes!(plants::get_onhold_mothers))
        .routes(routes!(plants::get_plant))
        .routes(routes!(plants::get_growth_phases))
        .routes(routes!(plants::change_growth_phase))
        .routes(routes!(plants::move_plants))
        .routes(routes!(plants::change_strain))
        .routes(routes!(plants::retag))
        .routes(routes!(plants::get_waste, plants::record_waste))
        .routes(routes!(plants::get_waste_reasons))
        .routes(routes!(plants::get_waste_methods))
        .routes(routes!(plants::get_waste_plants))
        .routes(routes!(plants::get_waste_packages))
        .routes(routes!(plants::split))
        .routes(routes!(plants::merge))
        .routes(routes!(plants::adjust))
        .routes(routes!(plants::create_plantings))
        .routes(routes!(plants::create_plant_batch_packages))
        .routes(routes!(harvests::get_active_harvests))
        .routes(routes!(harvests::get_inactive_harvests))
        .routes(routes!(harvests::get_onhold_harvests))
        .routes(routes!(harvests::get_harvest))
        .routes(routes!(
            harvests::get_harvest_waste,
            harvests::record_harvest_waste
        ))
        .routes(routes!(harvests::get_harvest_waste_types))
        .routes(routes!(harvests::discontinue_harvest_waste))
        .routes(routes!(harvests::finish_harvests))
        .routes(routes!(harvests::unfinish_harvests))
        .routes(routes!(harvests::rename_harvests))
        .routes(routes!(harvests::move_harvests))
        .routes(routes!(harvests::restore_harvested_plants))
        .routes(routes!(harvests::create_harvest_packages))
        .routes(routes!(harvests::create_harvest_testing_packages))
        .routes(routes!(harvests::harvest_plants))
        .routes(routes!(harvests::manicure_plants))
        .routes(routes!(sales::record_receipts, sales::update_receipts))
        .routes(routes!(sales::get_receipt, sales::void_receipt))
        .routes(routes!(sales::get_active_receipts))
        .routes(routes!(sales::get_inactive_receipts))
        .routes(routes!(sales::get_receipt_by_external))
        .routes(routes!(sales::finalize_receipts))
        .routes(routes!(sales::unfinalize_receipts))
        .routes(routes!(sales::get_counties))
        .routes(routes!(sales::get_customer_types))
        .routes(routes!(sales::get_payment_types))
        .routes(routes!(sales::get_patient_registration_locations))
        .routes(routes!(sales::get_return_reasons))
        .routes(routes!(
            additives::create_templates,
            additives::update_templates
        ))
        .routes(routes!(additives::get_template))
        .routes(routes!(additives::get_active_templates))
        .routes(routes!(additives::get_inactive_templates))
        .routes(routes!(
            additives::get_additives,
            additives::apply_to_plants
        ))
        .routes(routes!(additives::get_additive_types))
        .routes(routes!(additives::apply_template_to_plants))
        .routes(routes!(additives::apply_by_location))
        .routes(routes!(additives::apply_template_by_location))
        .routes(routes!(additives::apply_to_batches))
        .routes(routes!(additives::apply_template_to_batches))
        .routes(routes!(
            deliveries::create_deliveries,
            deliveries::update_deliveries
        ))
        .routes(routes!(deliveries::get_active_deliveries))
        .routes(routes!(deliveries::get_inactive_deliveries))
        .routes(routes!(deliveries::get_delivery, deliveries::void_delivery))
        .routes(routes!(deliveries::complete_deliveries))
        .routes(routes!(deliveries::hub_update))
        .routes(routes!(deliveries::hub_accept))
        .routes(routes!(deliveries::hub_depart))
        .routes(routes!(deliveries::hub_verify_id))
        .routes(routes!(
            deliveries::create_routes,
            deliveries::update_routes
        ))
        .routes(routes!(deliveries::get_active_routes))
        .routes(routes!(deliveries::get_inactive_routes))
        .routes(routes!(deliveries::get_route, deliveries::void_route))
        .routes(routes!(deliveries::depart_routes))
        .routes(routes!(deliveries::restock_routes))
        .routes(routes!(deliveries::end_routes))
        .routes(routes!(deliveries::sell_from_routes))
}
