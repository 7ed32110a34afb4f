//! Domain records to Metrc wire records and wire requests to domain specs.

use tagtrail_domain::commands::{catalog, premises};
use tagtrail_domain::quantity::UnitOfMeasure;
use tagtrail_domain::records::{
    Employment, Facility, Item, ItemBrand, Location, Strain, Sublocation, Tag, TagOrder, User,
};
use tagtrail_domain::reference::{self, ItemCategory};
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests as req;

fn license(f: &Facility, employee_license: Option<&str>) -> wire::License {
    wire::License {
        number: Some(f.license_number.clone()),
        employee_license_number: employee_license.map(str::to_string),
        start_date: Some(f.license_start_date.clone()),
        end_date: Some(f.license_end_date.clone()),
        license_type: Some(f.license_type.metrc_name().to_string()),
    }
}

pub fn facility(f: &Facility, job: &Employment, user: &User) -> wire::Facility {
    wire::Facility {
        facility_id: Some(f.id),
        hire_date: Some(job.hire_date.clone()),
        is_owner: Some(job.is_owner),
        is_manager: Some(job.is_manager),
        is_financial_contact: Some(false),
        email: None,
        occupations: vec![],
        name: Some(f.name.clone()),
        alias: Some(f.name.clone()),
        display_name: Some(f.display_name.clone()),
        credentialed_date: Some(f.credentialed_date.clone()),
        support_activation_date: None,
        support_expiration_date: None,
        facility_type: wire::facility_type(
            &f.license_type
                .capabilities()
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>(),
        ),
        license: license(f, Some(&user.employee_license_number)),
    }
}

pub fn employee(user: &User, job: &Employment) -> wire::Employee {
    wire::Employee {
        full_name: Some(user.full_name.clone()),
        license: wire::License {
            number: Some(user.employee_license_number.clone()),
            employee_license_number: Some(user.employee_license_number.clone()),
            start_date: Some(job.hire_date.clone()),
            end_date: None,
            license_type: Some("Employee".into()),
        },
        is_industry_admin: Some(false),
        is_owner: Some(job.is_owner),
        is_manager: Some(job.is_manager),
    }
}

pub fn unit(u: &UnitOfMeasure) -> wire::UnitOfMeasure {
    wire::UnitOfMeasure {
        quantity_type: Some(u.quantity_type.as_str().into()),
        name: Some(u.name.into()),
        abbreviation: Some(u.abbreviation.into()),
    }
}

pub fn category(c: &ItemCategory) -> wire::ItemCategory {
    wire::ItemCategory {
        name: Some(c.name.into()),
        product_category_type: Some(c.product_category_type.into()),
        quantity_type: Some(c.quantity_type.as_str().into()),
        requires_strain: Some(c.requires_strain),
        requires_item_brand: Some(false),
        requires_administration_method: Some(false),
        requires_unit_cbd_percent: Some(false),
        requires_unit_cbd_content: Some(false),
        requires_unit_thc_percent: Some(false),
        requires_unit_thc_content: Some(c.requires_unit_thc_content),
        requires_unit_volume: Some(c.requires_unit_volume),
        requires_unit_weight: Some(c.requires_unit_weight),
        requires_serving_size: Some(false),
        requires_public_ingredients: Some(false),
        requires_description: Some(false),
        requires_allergens: Some(false),
        requires_product_photos: Some(0),
        requires_label_photos: Some(0),
        requires_packaging_photos: Some(0),
        can_contain_seeds: Some(c.product_category_type == "Plants"),
        can_be_remediated: Some(c.can_be_remediated),
        can_be_decontaminated: Some(c.can_be_remediated),
        can_be_destroyed: Some(true),
        lab_test_batch_names: vec![],
    }
}

pub fn item(i: &Item) -> wire::Item {
    let cat = reference::item_category(&i.category);
    wire::Item {
        id: Some(i.id),
        name: Some(i.name.clone()),
        global_product_name: i.global_product_name.clone(),
        global_product_number: None,
        product_category_name: Some(i.category.clone()),
        product_category_type: cat.map(|c| c.product_category_type.to_string()),
        is_expiration_date_required: Some(false),
        has_expiration_date: Some(false),
        is_sell_by_date_required: Some(false),
        has_sell_by_date: Some(false),
        is_use_by_date_required: Some(false),
        has_use_by_date: Some(false),
        quantity_type: cat.map(|c| c.quantity_type.as_str().to_string()),
        default_lab_testing_state: Some("NotSubmitted".into()),
        unit_of_measure_name: Some(i.unit_of_measure.clone()),
        approval_status: Some("Approved".into()),
        approval_status_date_time: Some(i.approval_status_date_time.clone()),
        strain_id: i.strain_id,
        strain_name: i.strain_name.clone(),
        item_brand_id: i.brand_id,
        item_brand_name: i.brand_name.clone(),
        administration_method: i.administration_method.clone(),
        unit_cbd_percent: i.unit_cbd_percent,
        unit_cbd_content: i.unit_cbd_content,
        unit_cbd_content_unit_of_measure_name: i.unit_cbd_content_unit.clone(),
        unit_cbd_content_dose: i.unit_cbd_content_dose,
        unit_cbd_content_dose_unit_of_measure_name: i.unit_cbd_content_dose_unit.clone(),
        unit_thc_percent: i.unit_thc_percent,
        unit_thc_content: i.unit_thc_content,
        unit_thc_content_unit_of_measure_name: i.unit_thc_content_unit.clone(),
        unit_thc_content_dose: i.unit_thc_content_dose,
        unit_thc_content_dose_unit_of_measure_name: i.unit_thc_content_dose_unit.clone(),
        unit_volume: i.unit_volume,
        unit_volume_unit_of_measure_name: i.unit_volume_unit.clone(),
        unit_weight: i.unit_weight,
        unit_weight_unit_of_measure_name: i.unit_weight_unit.clone(),
        serving_size: i.serving_size.clone(),
        supply_duration_days: i.supply_duration_days,
        number_of_doses: i.number_of_doses,
        unit_quantity: None,
        unit_quantity_unit_of_measure_name: None,
        public_ingredients: i.public_ingredients.clone(),
        description: i.description.clone(),
        allergens: i.allergens.clone(),
        product_images: vec![],
        product_photo_description: i.product_photo_description.clone(),
        label_images: vec![],
        label_photo_description: i.label_photo_description.clone(),
        packaging_images: vec![],
        packaging_photo_description: i.packaging_photo_description.clone(),
        product_pdf_documents: vec![],
        is_used: Some(false),
        lab_test_batch_names: vec![],
        processing_job_category_name: None,
        processing_job_type_name: i.processing_job_type_name.clone(),
        product_brand_name: i.brand_name.clone(),
        is_archived: Some(!i.active),
        last_modified: Some(i.last_modified.clone()),
    }
}

pub fn item_spec(r: &req::ItemRequest) -> catalog::ItemSpec {
    catalog::ItemSpec {
        id: r.id,
        name: r.name.clone(),
        category: r.item_category.clone(),
        unit_of_measure: r.unit_of_measure.clone(),
        strain: r.strain.clone(),
        brand: r.item_brand.clone(),
        global_product_name: r.global_product_name.clone(),
        administration_method: r.administration_method.clone(),
        unit_cbd_percent: r.unit_cbd_percent,
        unit_cbd_content: r.unit_cbd_content,
        unit_cbd_content_unit: r.unit_cbd_content_unit_of_measure.clone(),
        unit_cbd_content_dose: r.unit_cbd_content_dose,
        unit_cbd_content_dose_unit: r.unit_cbd_content_dose_unit_of_measure.clone(),
        unit_thc_percent: r.unit_thc_percent,
        unit_thc_content: r.unit_thc_content,
        unit_thc_content_unit: r.unit_thc_content_unit_of_measure.clone(),
        unit_thc_content_dose: r.unit_thc_content_dose,
        unit_thc_content_dose_unit: r.unit_thc_content_dose_unit_of_measure.clone(),
        unit_volume: r.unit_volume,
        unit_volume_unit: r.unit_volume_unit_of_measure.clone(),
        unit_weight: r.unit_weight,
        unit_weight_unit: r.unit_weight_unit_of_measure.clone(),
        serving_size: r.serving_size.clone(),
        supply_duration_days: r.supply_duration_days,
        number_of_doses: r.number_of_doses,
        public_ingredients: r.public_ingredients.clone(),
        description: r.description.clone(),
        allergens: r.allergens.clone(),
        product_photo_description: r.product_photo_description.clone(),
        label_photo_description: r.label_photo_description.clone(),
        packaging_photo_description: r.packaging_photo_description.clone(),
        processing_job_type_name: r.processing_job_type_name.clone(),
    }
}

pub fn brand(b: &ItemBrand) -> wire::ItemBrand {
    wire::ItemBrand {
        id: Some(b.id),
        name: Some(b.name.clone()),
        status: Some(if b.active { "Active" } else { "Inactive" }.into()),
    }
}

pub fn strain(s: &Strain) -> wire::Strain {
    wire::Strain {
        id: Some(s.id),
        name: Some(s.name.clone()),
        testing_status: Some(s.testing_status.clone()),
        thc_level: s.thc_level,
        cbd_level: s.cbd_level,
        indica_percentage: s.indica_percentage,
        sativa_percentage: s.sativa_percentage,
        is_used: Some(false),
        genetics: s.genetics.clone(),
        last_modified: Some(s.last_modified.clone()),
    }
}

pub fn strain_spec(r: &req::StrainRequest) -> catalog::StrainSpec {
    catalog::StrainSpec {
        id: r.id,
        name: r.name.clone(),
        testing_status: r.testing_status.clone(),
        thc_level: r.thc_level,
        cbd_level: r.cbd_level,
        indica_percentage: r.indica_percentage,
        sativa_percentage: r.sativa_percentage,
        genetics: r.genetics.clone(),
    }
}

pub fn location(l: &Location) -> wire::Location {
    let t = reference::LOCATION_TYPES
        .iter()
        .find(|t| t.id == l.location_type_id);
    wire::Location {
        id: Some(l.id),
        name: Some(l.name.clone()),
        location_type_id: Some(l.location_type_id),
        location_type_name: Some(l.location_type_name.clone()),
        for_plant_batches: t.map(|t| t.for_plant_batches),
        for_plants: t.map(|t| t.for_plants),
        for_harvests: t.map(|t| t.for_harvests),
        for_packages: t.map(|t| t.for_packages),
        last_modified: Some(l.last_modified.clone()),
    }
}

pub fn location_type(t: &reference::LocationType) -> wire::LocationType {
    wire::LocationType {
        id: Some(t.id),
        name: Some(t.name.into()),
        for_plant_batches: Some(t.for_plant_batches),
        for_plants: Some(t.for_plants),
        for_harvests: Some(t.for_harvests),
        for_packages: Some(t.for_packages),
    }
}

pub fn location_spec(r: &req::LocationRequest) -> premises::LocationSpec {
    premises::LocationSpec {
        id: r.id,
        name: r.name.clone(),
        location_type_name: r.location_type_name.clone(),
    }
}

pub fn sublocation(s: &Sublocation) -> wire::IdName {
    wire::IdName {
        id: Some(s.id),
        name: Some(s.name.clone()),
        last_modified: Some(s.last_modified.clone()),
    }
}

pub fn tag(t: &Tag, facility_id: i64) -> wire::Tag {
    let (type_id, type_name, inventory) = match t.kind {
        tagtrail_domain::tag::TagKind::Plant => (1, "CannabisPlant", "Plant"),
        tagtrail_domain::tag::TagKind::Package => (2, "CannabisPackage", "Package"),
    };
    wire::Tag {
        id: Some(t.id),
        group_tag_type_name: None,
        tag_type_name: Some(type_name.into()),
        group_tag_type_id: None,
        tag_type_id: Some(type_id),
        tag_inventory_type_name: Some(inventory.into()),
        max_group_size: Some(0),
        facility_id: Some(facility_id),
        label: Some(t.label.to_string()),
    }
}

pub fn tag_order(o: &TagOrder) -> wire::TagOrder {
    wire::TagOrder {
        id: Some(o.id),
        license_number: Some(o.license_number.clone()),
        plant_tags: Some(i64::from(o.plant_tags)),
        package_tags: Some(i64::from(o.package_tags)),
        status: Some(o.order_status.as_str().into()),
        ordered_date_time: Some(o.ordered_at.clone()),
        shipped_date_time: o.shipped_at.clone(),
        received_date_time: o.received_at.clone(),
        last_modified: Some(o.last_modified.clone()),
    }
}

fn abbreviation(unit: &str) -> Option<String> {
    tagtrail_domain::quantity::unit(unit).map(|u| u.abbreviation.to_string())
}

pub fn package(p: &tagtrail_domain::records::Package) -> wire::Package {
    use tagtrail_domain::records::PackageState;
    let cat = reference::item_category(&p.item_category);
    wire::Package {
        id: Some(p.id),
        label: Some(p.label.to_string()),
        external_id: p.external_id.clone(),
        package_type: Some(p.package_type.clone()),
        source_harvest_count: Some(p.source_harvests.len() as i64),
        source_package_count: Some(p.source_package_ids.len() as i64),
        source_processing_job_count: Some(0),
        source_harvest_names: Some(
            p.source_harvests
                .iter()
                .map(|h| h.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        source_package_labels: Some(p.source_package_labels.join(", ")),
        location_id: p.location_id,
        location_name: p.location_name.clone(),
        sublocation_id: p.sublocation_id,
        sublocation_name: p.sublocation_name.clone(),
        location_type_name: None,
        quantity: Some(p.quantity),
        original_package_quantity: Some(p.original_quantity),
        unit_of_measure_name: Some(p.unit_of_measure.clone()),
        unit_of_measure_abbreviation: abbreviation(&p.unit_of_measure),
        patient_license_number: None,
        item_from_facility_license_number: Some(p.packaged_by_license.clone()),
        item_from_facility_name: Some(p.packaged_by_name.clone()),
        packaged_by_facility_license_number: Some(p.packaged_by_license.clone()),
        packaged_by_facility_name: Some(p.packaged_by_name.clone()),
        note: p.note.clone(),
        packaged_date: Some(p.packaged_date.clone()),
        expiration_date: p.expiration_date.clone(),
        sell_by_date: p.sell_by_date.clone(),
        use_by_date: p.use_by_date.clone(),
        initial_lab_testing_state: Some(p.initial_lab_testing_state.name().to_string()),
        lab_testing_state: Some(p.lab_testing_state.name().to_string()),
        lab_testing_state_date: Some(p.lab_testing_state_date.clone()),
        is_production_batch: Some(p.is_production_batch),
        production_batch_number: p.production_batch_number.clone(),
        source_production_batch_numbers: None,
        is_trade_sample: Some(p.is_trade_sample),
        is_donation: Some(p.is_donation),
        is_testing_sample: Some(p.is_testing_sample),
        product_requires_remediation: Some(p.product_requires_remediation),
        contains_remediated_product: Some(p.remediation_count > 0),
        remediation_date: p.remediation_date.clone(),
        product_requires_decontamination: Some(false),
        contains_decontaminated_product: Some(p.decontamination_date.is_some()),
        decontamination_date: p.decontamination_date.clone(),
        received_date_time: p.received.as_ref().map(|r| r.at.clone()),
        received_from_manifest_number: p.received.as_ref().map(|r| r.manifest_number.clone()),
        received_from_facility_license_number: p
            .received
            .as_ref()
            .map(|r| r.license_number.clone()),
        received_from_facility_name: p.received.as_ref().map(|r| r.name.clone()),
        is_on_hold: Some(p.on_hold),
        is_on_hold_combined: Some(p.on_hold),
        is_on_investigation: Some(false),
        is_on_recall_combined: Some(false),
        archived_date: p.archived_date.clone(),
        is_finished: Some(p.state == PackageState::Finished),
        finished_date: p.finished_date.clone(),
        is_finished_good: Some(p.is_finished_good),
        is_on_retailer_delivery: Some(false),
        last_modified: Some(p.last_modified.clone()),
        item: wire::Item {
            id: Some(p.item_id),
            name: Some(p.item_name.clone()),
            product_category_name: Some(p.item_category.clone()),
            product_category_type: cat.map(|c| c.product_category_type.to_string()),
            quantity_type: cat.map(|c| c.quantity_type.as_str().to_string()),
            strain_name: p.item_strain_name.clone(),
            unit_of_measure_name: Some(p.unit_of_measure.clone()),
            ..Default::default()
        },
    }
}

pub fn adjustment(a: &tagtrail_domain::records::PackageAdjustment) -> wire::PackageAdjustment {
    wire::PackageAdjustment {
        package_id: Some(a.package_id),
        package_label: Some(a.package_label.clone()),
        item_name: Some(a.item_name.clone()),
        item_category_name: Some(a.item_category.clone()),
        adjustment_quantity: Some(a.quantity),
        adjustment_unit_of_measure_name: Some(a.unit_of_measure.clone()),
        adjustment_unit_of_measure_abbreviation: abbreviation(&a.unit_of_measure),
        adjustment_reason_name: Some(a.reason.clone()),
        adjustment_note: a.note.clone(),
        adjustment_date: Some(a.adjustment_date.clone()),
        packaged_date: Some(a.packaged_date.clone()),
        adjusted_by_user_name: Some(a.adjusted_by.clone()),
    }
}

pub fn reason(r: &reference::AdjustReason) -> wire::ReasonDefinition {
    wire::ReasonDefinition {
        name: Some(r.name.into()),
        requires_note: Some(r.requires_note),
        requires_waste_weight: Some(false),
        requires_immature_waste_weight: Some(false),
        requires_mature_waste_weight: Some(false),
    }
}

pub fn new_package(r: &req::PackageRequest) -> tagtrail_domain::commands::packages::NewPackage {
    use tagtrail_domain::commands::packages::{Ingredient, NewPackage};
    NewPackage {
        tag: r.tag.clone(),
        location: r.location.clone(),
        sublocation: r.sublocation.clone(),
        item: r.item.clone(),
        quantity: r.quantity,
        unit_of_measure: r.unit_of_measure.clone(),
        note: r.note.clone(),
        is_production_batch: r.is_production_batch.unwrap_or(false),
        production_batch_number: r.production_batch_number.clone(),
        is_donation: r.is_donation.unwrap_or(false),
        is_trade_sample: r.is_trade_sample.unwrap_or(false),
        is_finished_good: r.is_finished_good.unwrap_or(false),
        product_requires_remediation: r.product_requires_remediation.unwrap_or(false),
        use_same_item: r.use_same_item.unwrap_or(false),
        actual_date: r.actual_date.clone(),
        expiration_date: r.expiration_date.clone(),
        sell_by_date: r.sell_by_date.clone(),
        use_by_date: r.use_by_date.clone(),
        ingredients: r
            .ingredients
            .iter()
            .map(|i| Ingredient {
                package: i.package.clone(),
                quantity: i.quantity,
                unit_of_measure: i.unit_of_measure.clone(),
            })
            .collect(),
    }
}

/// Maps every element of a write body with `f`.
pub fn each<T, S>(f: impl Fn(&T) -> S) -> impl FnOnce(Vec<T>) -> Vec<S> {
    move |items| items.iter().map(f).collect()
}

/// Another license's package as lineage shows it: which one and what it is, nothing live.
pub fn other_package(label: &str, item: &str) -> wire::Package {
    wire::Package {
        label: Some(label.to_string()),
        item: wire::Item {
            name: Some(item.to_string()),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Another license's harvest as lineage shows it: its name and how many plants went into it;
/// no id, no plants, no location, weights or dates.
pub fn other_harvest(name: &str, plant_count: usize) -> tagtrail_metrc::harvests::Harvest {
    tagtrail_metrc::harvests::Harvest {
        name: Some(name.to_string()),
        plant_count: Some(i64::try_from(plant_count).unwrap_or(i64::MAX)),
        ..Default::default()
    }
}
