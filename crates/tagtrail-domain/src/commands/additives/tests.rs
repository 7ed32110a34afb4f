//! The additive decisions, named for the rules they hold.

use super::*;
use crate::license::LicenseType;
use crate::records::{Facility, GrowthPhase, PlantBatchType};
use crate::tag::TagLabel;

const NOW: &str = "2026-06-01T12:00:00.000000+00:00";
const LIC: &str = "CCL-1";

fn facility() -> Facility {
    Facility {
        id: 1,
        license_number: LIC.into(),
        license_type: LicenseType::Cultivator,
        name: "Farm".into(),
        display_name: "Farm".into(),
        license_start_date: "2026-01-01".into(),
        license_end_date: "2026-12-31".into(),
        address: None,
        credentialed_date: "2026-01-01".into(),
        onboarding: Default::default(),
        active: true,
        last_modified: NOW.into(),
    }
}

fn ctx(f: &Facility) -> Ctx<'_> {
    Ctx {
        facility: f,
        now: NOW.into(),
    }
}

fn plant(id: i64, seq: u32, location_id: i64, state: PlantState) -> Plant {
    Plant {
        id,
        license_number: LIC.into(),
        label: TagLabel::issue(7, seq),
        state,
        growth_phase: GrowthPhase::Vegetative,
        is_mother: false,
        plant_batch_id: 10,
        plant_batch_name: "Lot".into(),
        plant_batch_type: PlantBatchType::Clone,
        strain_id: 1,
        strain_name: "Sour Diesel".into(),
        location_id,
        location_name: "Greenhouse".into(),
        location_type_name: "Planting".into(),
        sublocation_id: (location_id == 1 && seq.is_multiple_of(2)).then_some(5),
        sublocation_name: None,
        patient_license_number: None,
        harvest_id: None,
        harvested_unit_of_weight_name: None,
        harvested_wet_weight: None,
        harvest_count: 0,
        on_hold: false,
        planted_date: "2026-05-01".into(),
        vegetative_date: Some("2026-05-01".into()),
        flowering_date: None,
        harvested_date: None,
        destroyed_date: None,
        destroyed_note: None,
        destroyed_by_user_name: None,
        mother_plant_date: None,
        cloned_count: 0,
        active: state == PlantState::Growing,
        last_modified: NOW.into(),
    }
}

fn batch(count: i64) -> PlantBatch {
    PlantBatch {
        id: 10,
        license_number: LIC.into(),
        name: "Lot".into(),
        plant_batch_type: PlantBatchType::Clone,
        tag: None,
        strain_id: 1,
        strain_name: "Sour Diesel".into(),
        location_id: 1,
        location_name: "Greenhouse".into(),
        location_type_name: "Planting".into(),
        sublocation_id: None,
        sublocation_name: None,
        patient_license_number: None,
        untracked_count: count,
        tracked_count: 0,
        packaged_count: 0,
        destroyed_count: 0,
        source_package_id: None,
        source_package_label: None,
        source_plant_id: None,
        source_plant_label: None,
        source_plant_batch_ids: vec![],
        source_plant_batch_names: vec![],
        planted_date: "2026-05-01".into(),
        on_hold: false,
        finished_date: None,
        active: true,
        last_modified: NOW.into(),
    }
}

fn location(id: i64, name: &str) -> Location {
    Location {
        id,
        license_number: LIC.into(),
        name: name.into(),
        location_type_id: 1,
        location_type_name: "Planting".into(),
        active: true,
        last_modified: NOW.into(),
    }
}

fn template_spec(name: &str) -> TemplateSpec {
    TemplateSpec {
        name: Some(name.into()),
        additive_type: Some("pesticide".into()),
        product_trade_name: Some("Neem Gold".into()),
        product_supplier: Some("Acme".into()),
        epa_registration_number: Some("1234-5".into()),
        active_ingredients: vec![IngredientSpec {
            name: Some("Azadirachtin".into()),
            percentage: Some(Decimal::new(125, 1)),
        }],
        ..TemplateSpec::default()
    }
}

/// Plants 1 (growing, Greenhouse), 2 (growing, Greenhouse, sublocation Bench), 3 (harvested),
/// 4 (destroyed), 5 (growing, Vault); batch Lot of 12; template "Neem" (active) and "Old"
/// (archived); locations Greenhouse, Vault and Empty; sublocation Bench.
fn world() -> World {
    let f = facility();
    let c = ctx(&f);
    let mut w = World::default();
    let plants = [
        plant(1, 1, 1, PlantState::Growing),
        plant(2, 2, 1, PlantState::Growing),
        plant(3, 3, 1, PlantState::Harvested),
        plant(4, 4, 1, PlantState::Destroyed),
        plant(5, 5, 2, PlantState::Growing),
    ];
    for p in &plants {
        w.plants.insert(p.label.to_string(), p.clone());
    }
    w.location_plants = plants.to_vec();
    w.batches.insert("lot".into(), batch(12));
    for l in [
        location(1, "Greenhouse"),
        location(2, "Vault"),
        location(3, "Empty"),
    ] {
        w.locations.insert(fold(&l.name), l);
    }
    w.sublocations.insert(
        "bench".into(),
        Sublocation {
            id: 5,
            license_number: LIC.into(),
            name: "Bench".into(),
            active: true,
            last_modified: NOW.into(),
        },
    );
    let neem = template_row(&c, "ann", 20, &template_spec("Neem")).unwrap();
    let mut old = template_row(&c, "ann", 21, &template_spec("Old")).unwrap();
    old.active = false;
    for t in [neem, old] {
        w.templates.insert(fold(&t.name), t.clone());
        w.template_ids.insert(t.id, t);
    }
    w
}

fn label(seq: u32) -> String {
    TagLabel::issue(7, seq).to_string()
}

fn direct() -> Application {
    Application {
        product: Product::Direct(ProductSpec {
            additive_type: Some("Fertilizer".into()),
            product_trade_name: Some("Grow Big".into()),
            product_supplier: Some("FoxFarm".into()),
            active_ingredients: vec![IngredientSpec {
                name: Some("Nitrogen".into()),
                percentage: Some(Decimal::new(6, 0)),
            }],
            ..ProductSpec::default()
        }),
        total_amount_applied: Some(Decimal::new(25, 1)),
        total_amount_unit_of_measure: Some("gallons".into()),
        actual_date: Some("2026-05-31".into()),
    }
}

fn using(name: &str) -> Application {
    Application {
        product: Product::Template(TemplateUse {
            template_name: Some(name.into()),
            rate: Some("2 ml/gal".into()),
            volume: Some("5 gal".into()),
        }),
        ..direct()
    }
}

fn to_plants(a: Application, labels: &[String]) -> PlantAdditiveSpec {
    PlantAdditiveSpec {
        application: a,
        plant_labels: labels.to_vec(),
    }
}

fn messages(r: Result<Vec<PlantAdditive>, Rejection>) -> Vec<String> {
    match r {
        Err(Rejection::Rows(rows)) => rows.into_iter().map(|e| e.message).collect(),
        other => panic!("expected row errors, got {other:?}"),
    }
}

#[test]
fn rule_17_an_application_to_plants_records_what_how_much_when_to_what_and_who() {
    let f = facility();
    let w = world();
    let made = apply_to_plants(
        &ctx(&f),
        &w,
        "ann",
        100,
        &[to_plants(direct(), &[label(1), label(2)])],
    )
    .unwrap();
    let a = &made[0];
    assert_eq!(a.id, 100);
    assert_eq!(a.additive_type, AdditiveType::Fertilizer);
    assert_eq!(a.product_trade_name, "Grow Big");
    assert_eq!(a.total_amount_applied, Decimal::new(25, 1));
    assert_eq!(a.amount_unit_of_measure, "Gallons");
    assert_eq!(a.actual_date, "2026-05-31");
    assert_eq!(a.plant_labels, vec![label(1), label(2)]);
    assert_eq!(a.plant_count, 2);
    // Both plants are of batch Lot, so the application names it as Metrc's record does.
    assert_eq!(a.plant_batch_name.as_deref(), Some("Lot"));
    assert_eq!(a.recorded_by, "ann");
    assert_eq!(a.kind(), "Plant");
}

#[test]
fn rule_17_product_amount_unit_and_date_are_required() {
    let f = facility();
    let w = world();
    let mut a = direct();
    a.total_amount_applied = None;
    let mut b = direct();
    b.total_amount_unit_of_measure = None;
    let mut c = direct();
    c.actual_date = None;
    let mut d = direct();
    if let Product::Direct(p) = &mut d.product {
        p.product_trade_name = Some("  ".into());
    }
    let mut e = direct();
    if let Product::Direct(p) = &mut e.product {
        p.additive_type = Some("Compost".into());
    }
    let specs: Vec<_> = [a, b, c, d, e]
        .into_iter()
        .map(|a| to_plants(a, &[label(1)]))
        .collect();
    let m = messages(apply_to_plants(&ctx(&f), &w, "ann", 1, &specs));
    assert_eq!(
        m,
        vec![
            "TotalAmountApplied was not specified.",
            "TotalAmountUnitOfMeasure was not specified.",
            "ActualDate was not specified.",
            "ProductTradeName was not specified.",
            "AdditiveType Compost is not one of Fertilizer, Pesticide, Other.",
        ]
    );
}

#[test]
fn amounts_above_zero_units_known_and_percentages_within_0_to_100() {
    let f = facility();
    let w = world();
    let mut zero = direct();
    zero.total_amount_applied = Some(Decimal::ZERO);
    let mut negative = direct();
    negative.total_amount_applied = Some(Decimal::new(-1, 0));
    let mut unit = direct();
    unit.total_amount_unit_of_measure = Some("Buckets".into());
    let mut pct = direct();
    if let Product::Direct(p) = &mut pct.product {
        p.active_ingredients[0].percentage = Some(Decimal::new(1001, 1));
    }
    let mut sum = direct();
    if let Product::Direct(p) = &mut sum.product {
        p.active_ingredients = vec![
            IngredientSpec {
                name: Some("A".into()),
                percentage: Some(Decimal::new(60, 0)),
            },
            IngredientSpec {
                name: Some("B".into()),
                percentage: Some(Decimal::new(41, 0)),
            },
        ];
    }
    let specs: Vec<_> = [zero, negative, unit, pct, sum]
        .into_iter()
        .map(|a| to_plants(a, &[label(1)]))
        .collect();
    let m = messages(apply_to_plants(&ctx(&f), &w, "ann", 1, &specs));
    assert_eq!(m.len(), 5, "{m:?}");
    assert!(m[0].contains("greater than zero"));
    assert!(m[1].contains("greater than zero"));
    assert_eq!(m[2], "Unit of measure Buckets does not exist.");
    assert!(m[3].contains("not between 0 and 100"));
    assert!(m[4].contains("more than 100"));
}

#[test]
fn rule_16_an_application_date_is_never_in_the_future() {
    let f = facility();
    let w = world();
    let mut a = direct();
    a.actual_date = Some("2026-06-02".into());
    let mut b = direct();
    b.actual_date = Some("yesterday".into());
    let m = messages(apply_to_plants(
        &ctx(&f),
        &w,
        "ann",
        1,
        &[to_plants(a, &[label(1)]), to_plants(b, &[label(1)])],
    ));
    assert_eq!(m[0], "ActualDate 2026-06-02 is in the future.");
    assert!(m[1].contains("is not a date"));
}

#[test]
fn harvested_destroyed_unknown_or_repeated_plants_are_refused_per_row() {
    let f = facility();
    let w = world();
    let specs = [
        to_plants(direct(), &[label(3)]),
        to_plants(direct(), &[label(4)]),
        to_plants(direct(), &[label(99)]),
        to_plants(direct(), &[label(1), label(1).to_lowercase()]),
        to_plants(direct(), &[]),
        to_plants(direct(), &[label(1)]),
    ];
    let m = messages(apply_to_plants(&ctx(&f), &w, "ann", 1, &specs));
    assert_eq!(
        m,
        vec![
            format!("Plant {} has been harvested.", label(3)),
            format!("Plant {} has been destroyed.", label(4)),
            format!(
                "Plant {} does not exist in the current Facility.",
                label(99)
            ),
            format!("Plant {} appears more than once.", label(1)),
            "PlantLabels was not specified.".to_string(),
        ]
    );
}

#[test]
fn a_template_fills_the_product_and_the_row_gives_rate_volume_and_amount() {
    let f = facility();
    let w = world();
    let made = apply_to_plants(
        &ctx(&f),
        &w,
        "bob",
        7,
        &[to_plants(using("NEEM"), &[label(5)])],
    )
    .unwrap();
    let a = &made[0];
    assert_eq!(a.additive_type, AdditiveType::Pesticide);
    assert_eq!(a.product_trade_name, "Neem Gold");
    assert_eq!(a.epa_registration_number.as_deref(), Some("1234-5"));
    assert_eq!(a.template_id, Some(20));
    assert_eq!(a.template_name.as_deref(), Some("Neem"));
    assert_eq!(a.rate.as_deref(), Some("2 ml/gal"));
    assert_eq!(a.volume.as_deref(), Some("5 gal"));
    assert_eq!(a.active_ingredients[0].percentage, Decimal::new(125, 1));
}

#[test]
fn an_archived_or_unknown_template_is_refused() {
    let f = facility();
    let w = world();
    let m = messages(apply_to_plants(
        &ctx(&f),
        &w,
        "bob",
        7,
        &[
            to_plants(using("Old"), &[label(1)]),
            to_plants(using("Nope"), &[label(1)]),
        ],
    ));
    assert_eq!(
        m,
        vec![
            "Additives Template Old does not exist or is archived.",
            "Additives Template Nope does not exist or is archived.",
        ]
    );
}

#[test]
fn by_location_treats_every_growing_plant_there_and_refuses_an_empty_place() {
    let f = facility();
    let w = world();
    let spec = |loc: &str, sub: Option<&str>| LocationAdditiveSpec {
        application: direct(),
        location_name: Some(loc.into()),
        sublocation_name: sub.map(Into::into),
    };
    let made = apply_by_location(
        &ctx(&f),
        &w,
        "ann",
        1,
        &[spec("greenhouse", None), spec("Greenhouse", Some("bench"))],
    )
    .unwrap();
    // Harvested and destroyed plants stay untreated.
    assert_eq!(made[0].plant_labels, vec![label(1), label(2)]);
    assert_eq!(made[0].location_name.as_deref(), Some("Greenhouse"));
    assert_eq!(made[1].plant_labels, vec![label(2)]);
    assert_eq!(made[1].sublocation_name.as_deref(), Some("Bench"));
    assert_eq!((made[0].id, made[1].id), (1, 2));
    let m = messages(apply_by_location(
        &ctx(&f),
        &w,
        "ann",
        1,
        &[
            spec("Empty", None),
            spec("Vault", Some("Bench")),
            spec("Attic", None),
            spec("Vault", Some("Shelf")),
        ],
    ));
    assert_eq!(
        m,
        vec![
            "Location Empty has no growing plants.",
            "Location Vault has no growing plants in Sublocation Bench.",
            "Location Attic does not exist in the current Facility.",
            "Sublocation Shelf does not exist in the current Facility.",
        ]
    );
}

#[test]
fn a_batch_application_counts_the_batch_plants() {
    let f = facility();
    let mut w = world();
    let made = apply_to_batches(
        &ctx(&f),
        &w,
        "ann",
        1,
        &[BatchAdditiveSpec {
            application: using("neem"),
            plant_batch_name: Some(" lot ".into()),
        }],
    )
    .unwrap();
    assert_eq!(made[0].plant_batch_id, Some(10));
    assert_eq!(made[0].plant_count, 12);
    assert_eq!(made[0].kind(), "PlantBatch");
    if let Some(b) = w.batches.get_mut("lot") {
        b.active = false;
    }
    let m = messages(apply_to_batches(
        &ctx(&f),
        &w,
        "ann",
        1,
        &[BatchAdditiveSpec {
            application: direct(),
            plant_batch_name: Some("Lot".into()),
        }],
    ));
    assert_eq!(
        m,
        vec!["Plant Batch Lot does not exist in the current Facility."]
    );
}

#[test]
fn every_text_is_bounded() {
    let f = facility();
    let w = world();
    let long = "x".repeat(MAX_NAME_CHARS + 1);
    let mut a = direct();
    if let Product::Direct(p) = &mut a.product {
        p.application_device = Some(long.clone());
    }
    let mut b = using("Neem");
    if let Product::Template(u) = &mut b.product {
        u.rate = Some(long.clone());
    }
    let m = messages(apply_to_plants(
        &ctx(&f),
        &w,
        "ann",
        1,
        &[
            to_plants(a, &[label(1)]),
            to_plants(b, &[label(1)]),
            to_plants(direct(), &[long]),
        ],
    ));
    assert!(m[0].starts_with("ApplicationDevice is longer than"));
    assert!(m[1].starts_with("Rate is longer than"));
    assert!(m[2].starts_with("PlantLabel is longer than"));
}

#[test]
fn template_names_are_unique_among_active_templates() {
    let f = facility();
    let w = world();
    let c = ctx(&f);
    // "Old" is archived, so its name is free again.
    let made = create_templates(&c, &w, "ann", 30, &[template_spec("Old")]).unwrap();
    assert_eq!((made[0].id, made[0].facility_id), (30, 1));
    assert_eq!(made[0].additive_type, AdditiveType::Pesticide);
    let err = create_templates(
        &c,
        &w,
        "ann",
        30,
        &[
            template_spec("neem"),
            template_spec("New"),
            template_spec("NEW"),
        ],
    )
    .unwrap_err();
    let Rejection::Rows(rows) = err else {
        panic!("expected rows")
    };
    assert_eq!(
        rows.iter()
            .map(|r| (r.row, r.message.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (0, "Additives Template neem already exists."),
            (2, "Additives Template NEW already exists."),
        ]
    );
}

#[test]
fn updates_address_active_templates_by_id() {
    let f = facility();
    let w = world();
    let c = ctx(&f);
    let mut s = template_spec("Neem Oil");
    s.id = Some(20);
    s.additive_type = Some("Other".into());
    let changed = update_templates(&c, &w, "bob", &[s]).unwrap();
    assert_eq!(changed[0].name, "Neem Oil");
    assert_eq!(changed[0].recorded_by, "bob");
    let mut archived = template_spec("X");
    archived.id = Some(21);
    let mut missing = template_spec("Y");
    missing.id = Some(99);
    let err = update_templates(&c, &w, "bob", &[archived, missing]).unwrap_err();
    let Rejection::Rows(rows) = err else {
        panic!("expected rows")
    };
    assert_eq!(rows[0].message, "Additives Template 21 is archived.");
    assert_eq!(
        rows[1].message,
        "Additives Template 99 does not exist in the current Facility."
    );
    assert!(matches!(
        update_templates(&c, &w, "bob", &[template_spec("Z")]),
        Err(Rejection::Rows(_))
    ));
}

#[test]
fn archiving_a_template_takes_it_off_the_active_list_once() {
    let f = facility();
    let w = world();
    let c = ctx(&f);
    let t = archive_template(&c, &w, 20).unwrap();
    assert!(!t.active);
    assert!(matches!(
        archive_template(&c, &w, 21),
        Err(Rejection::Invalid(_))
    ));
    assert!(matches!(
        archive_template(&c, &w, 99),
        Err(Rejection::NotFound(_))
    ));
}

#[test]
fn an_empty_request_is_refused() {
    let f = facility();
    let w = world();
    assert!(matches!(
        apply_to_plants(&ctx(&f), &w, "ann", 1, &[]),
        Err(Rejection::Invalid(_))
    ));
}
