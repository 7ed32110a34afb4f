use super::*;
use crate::commands::sales::fixtures::*;
use crate::license::LicenseType;
use crate::records::PackageState;

fn line(seq: u32, qty: i64) -> SaleLineSpec {
    SaleLineSpec {
        package_label: Some(label(seq)),
        quantity: Some(dec(qty)),
        unit_of_measure: Some("Each".into()),
        total_amount: Some(dec(30)),
        extras: Default::default(),
    }
}

pub(crate) fn a_courier() -> CourierSpec {
    CourierSpec {
        driver_employee_id: Some("EMP-1".into()),
        driver_name: Some("Dana Ruiz".into()),
        drivers_license_number: Some("D1234567".into()),
        phone_number_for_questions: None,
        vehicle_make: Some("Toyota".into()),
        vehicle_model: Some("Prius".into()),
        vehicle_license_plate_number: Some("8ABC123".into()),
    }
}

pub(crate) fn a_recipient() -> RecipientSpec {
    RecipientSpec {
        city: Some("Sacramento".into()),
        county: Some("Sacramento".into()),
        postal_code: Some("95814".into()),
        ..Default::default()
    }
}

fn spec(lines: Vec<SaleLineSpec>) -> DeliverySpec {
    DeliverySpec {
        sales_date_time: Some("2026-06-01T10:00:00".into()),
        sales_customer_type: Some("Consumer".into()),
        courier: a_courier(),
        recipient: a_recipient(),
        transactions: lines,
        ..Default::default()
    }
}

fn world(ps: &[crate::records::Package]) -> DeliveryWorld {
    DeliveryWorld {
        packages: found(ps),
        deliveries: HashMap::new(),
        next_id: 100,
    }
}

fn messages(r: Result<Written, Rejection>) -> Vec<String> {
    match r {
        Err(Rejection::Rows(rows)) => rows.into_iter().map(|r| r.message).collect(),
        other => panic!("expected row errors, got {other:?}"),
    }
}

#[test]
fn rule_63_65_a_delivery_takes_its_lines_from_the_packages() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let w = world(&[package(1, 10, "Each")]);
    let out = record(&c, "ana", &w, &[spec(vec![line(1, 4)])]).unwrap();
    assert_eq!(out.deliveries[0].id, 100);
    assert_eq!(out.deliveries[0].state, SalesDeliveryState::InTransit);
    assert_eq!(out.deliveries[0].recipient.postal_code, "95814");
    assert_eq!(out.packages[0].quantity, dec(6));
}

#[test]
fn rule_65_a_delivery_names_driver_vehicle_customer_type_city_county_and_zip() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let w = world(&[package(1, 10, "Each")]);
    let mut s = spec(vec![line(1, 1)]);
    s.courier = CourierSpec::default();
    s.recipient = RecipientSpec::default();
    s.sales_customer_type = None;
    let m = messages(record(&c, "ana", &w, &[s])).join("\n");
    for field in [
        "DriverName",
        "DriverEmployeeId",
        "DriversLicenseNumber",
        "VehicleMake",
        "VehicleModel",
        "VehicleLicensePlateNumber",
        "RecipientAddressCity",
        "RecipientAddressCounty",
        "RecipientAddressPostalCode",
        "SalesCustomerType",
    ] {
        assert!(m.contains(field), "{field} missing from {m}");
    }
}

#[test]
fn rule_49_and_bulletin_iii_apply_to_delivery_lines() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let mut finished = package(1, 0, "Each");
    finished.state = PackageState::Finished;
    let mut failed = package(2, 5, "Each");
    failed.lab_testing_state = crate::lab_state::LabState::TestFailed;
    let w = world(&[finished, failed]);
    let m = messages(record(
        &c,
        "ana",
        &w,
        &[spec(vec![line(1, 1)]), spec(vec![line(2, 1)])],
    ));
    assert!(m[0].contains("unfinished"), "{m:?}");
    assert!(m[1].contains("passed testing"), "{m:?}");
}

fn recorded(qty: i64) -> (DeliveryWorld, SalesDelivery) {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let mut w = world(&[package(1, 10, "Each")]);
    let out = record(&c, "ana", &w, &[spec(vec![line(1, qty)])]).unwrap();
    let d = out.deliveries[0].clone();
    w.packages = found(&out.packages);
    w.deliveries.insert(d.id, d.clone());
    (w, d)
}

#[test]
fn void_gives_every_line_back_and_only_in_transit() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let (mut w, d) = recorded(4);
    let out = void(&c, &w, d.id).unwrap();
    assert_eq!(out.packages[0].quantity, dec(10));
    assert_eq!(out.deliveries[0].state, SalesDeliveryState::Voided);
    assert!(!out.deliveries[0].active);
    w.deliveries.insert(d.id, out.deliveries[0].clone());
    assert!(matches!(void(&c, &w, d.id), Err(Rejection::Conflict(_))));
    assert!(matches!(void(&c, &w, 9999), Err(Rejection::NotFound(_))));
}

#[test]
fn update_replaces_lines_against_what_the_package_had_before() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let (w, d) = recorded(4);
    let mut s = spec(vec![line(1, 10)]);
    s.id = Some(d.id);
    let out = update(&c, &w, &[s.clone()]).unwrap();
    assert!(out.packages[0].quantity.is_zero());
    s.transactions = vec![line(1, 11)];
    assert!(
        messages(update(&c, &w, &[s]))
            .join("")
            .contains("available")
    );
}

fn completion_spec(id: i64) -> CompleteSpec {
    CompleteSpec {
        id: Some(id),
        actual_arrival: Some("2026-06-01T11:00:00".into()),
        payment_type: Some("Cash".into()),
        ..Default::default()
    }
}

#[test]
fn rule_65_completion_records_the_time_and_returns_go_back_to_the_package() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let (w, d) = recorded(4);
    let mut s = completion_spec(d.id);
    s.returned = vec![ReturnSpec {
        label: Some(label(1)),
        quantity: Some(dec(1)),
        unit_of_measure: Some("Each".into()),
        reason: Some("Damaged".into()),
        reason_note: None,
    }];
    let out = complete(&c, &w, &[s]).unwrap();
    let done = &out.deliveries[0];
    assert_eq!(done.state, SalesDeliveryState::Delivered);
    assert!(done.actual_arrival.is_some() && done.completed_date_time.is_some());
    assert_eq!(done.returned_packages[0].quantity, dec(1));
    assert_eq!(out.packages[0].quantity, dec(7));
}

#[test]
fn rule_65_completion_needs_the_time_and_every_package_accounted_for() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let (w, d) = recorded(4);
    let mut s = completion_spec(d.id);
    s.actual_arrival = None;
    let m = messages(complete(&c, &w, &[s])).join("\n");
    assert!(m.contains("ActualArrivalDateTime"), "{m}");
    assert!(m.contains("neither accepted nor returned"), "{m}");
    let mut s = completion_spec(d.id);
    s.returned = vec![ReturnSpec {
        label: Some(label(1)),
        quantity: Some(dec(5)),
        reason: Some("Refused".into()),
        ..Default::default()
    }];
    assert!(
        messages(complete(&c, &w, &[s]))
            .join("")
            .contains("more than")
    );
}

#[test]
fn hub_steps_change_only_deliveries_in_transit() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let (mut w, d) = recorded(1);
    let out = hub(&c, &w, &[(Some(d.id), HubStep::Accept)]).unwrap();
    assert!(out[0].accepted_date_time.is_some());
    let mut done = d.clone();
    done.state = SalesDeliveryState::Delivered;
    w.deliveries.insert(d.id, done);
    assert!(matches!(
        hub(&c, &w, &[(Some(d.id), HubStep::Depart)]),
        Err(Rejection::Conflict(_))
    ));
}
