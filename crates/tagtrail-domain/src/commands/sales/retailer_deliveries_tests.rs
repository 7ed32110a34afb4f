use super::*;
use crate::commands::sales::deliveries::tests::{a_courier, a_recipient};
use crate::commands::sales::fixtures::*;
use crate::license::LicenseType;

fn load_of(seq: u32, qty: i64) -> LoadSpec {
    LoadSpec {
        package_label: Some(label(seq)),
        quantity: Some(dec(qty)),
        unit_of_measure: Some("Each".into()),
        total_price: Some(dec(100)),
        remove_current: false,
    }
}

fn route_spec(loads: Vec<LoadSpec>) -> RouteSpec {
    RouteSpec {
        date_time: Some("2026-06-01T08:00:00".into()),
        courier: a_courier(),
        estimated_departure: Some("2026-06-01T08:30:00".into()),
        packages: loads,
        ..Default::default()
    }
}

fn sale(route: i64, seq: u32, qty: i64) -> RouteSaleSpec {
    RouteSaleSpec {
        retailer_delivery_id: Some(route),
        sales_date_time: Some("2026-06-01T10:00:00".into()),
        sales_customer_type: Some("Consumer".into()),
        recipient: a_recipient(),
        lines: vec![SaleLineSpec {
            package_label: Some(label(seq)),
            quantity: Some(dec(qty)),
            unit_of_measure: Some("Each".into()),
            total_amount: Some(dec(25)),
            extras: Default::default(),
        }],
        ..Default::default()
    }
}

fn messages(r: Result<RouteWritten, Rejection>) -> String {
    match r {
        Err(Rejection::Rows(rows)) => rows
            .into_iter()
            .map(|r| r.message)
            .collect::<Vec<_>>()
            .join("\n"),
        other => panic!("expected row errors, got {other:?}"),
    }
}

/// A route of 6 of package 1 (of 10) created and, when `depart`, departed.
fn opened(depart_it: bool) -> (RouteWorld, RetailerDelivery) {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let mut w = RouteWorld {
        packages: found(&[package(1, 10, "Each"), package(2, 3, "Each")]),
        routes: HashMap::new(),
        next_id: 7,
    };
    let out = create(&c, "ana", &w, &[route_spec(vec![load_of(1, 6)])]).unwrap();
    let mut r = out.routes[0].clone();
    for p in out.packages {
        w.packages.insert(p.label.to_string(), p);
    }
    if depart_it {
        w.routes.insert(r.id, r.clone());
        r = depart(&c, &w, &[Some(r.id)]).unwrap().routes[0].clone();
    }
    w.routes.insert(r.id, r.clone());
    (w, r)
}

#[test]
fn rule_65_the_ledger_needs_driver_vehicle_uids_quantities_and_start_time() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let w = RouteWorld {
        packages: found(&[package(1, 10, "Each")]),
        ..Default::default()
    };
    let mut s = route_spec(vec![]);
    s.courier = Default::default();
    s.date_time = None;
    let m = messages(create(&c, "ana", &w, &[s]));
    for field in [
        "DriverName",
        "DriverEmployeeId",
        "DriversLicenseNumber",
        "VehicleMake",
        "VehicleLicensePlateNumber",
        "DateTime",
        "Packages",
    ] {
        assert!(m.contains(field), "{field} missing from {m}");
    }
    let mut no_qty = load_of(1, 1);
    no_qty.quantity = None;
    assert!(messages(create(&c, "ana", &w, &[route_spec(vec![no_qty])])).contains("Quantity"));
}

#[test]
fn rule_65_loading_takes_quantity_out_of_the_package() {
    let (w, r) = opened(false);
    assert_eq!(r.state, RetailerDeliveryState::Pending);
    assert_eq!(r.packages[0].loaded, dec(6));
    assert_eq!(w.packages[&label(1)].quantity, dec(4));
}

#[test]
fn rule_65_a_sale_needs_an_active_delivery_inventory_ledger() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    // Not departed yet.
    let (w, r) = opened(false);
    assert!(messages(sell(&c, "ana", &w, 50, &[sale(r.id, 1, 1)])).contains(NO_ACTIVE_LEDGER));
    // No such route.
    assert!(messages(sell(&c, "ana", &w, 50, &[sale(999, 1, 1)])).contains(NO_ACTIVE_LEDGER));
    // Ended.
    let (w, r) = opened(true);
    let ended = end(
        &c,
        &w,
        &[EndSpec {
            id: Some(r.id),
            actual_arrival: Some("2026-06-01T17:00:00".into()),
            packages: vec![EndLine {
                label: Some(label(1)),
                end_quantity: Some(dec(6)),
                end_unit_of_measure: None,
            }],
        }],
    )
    .unwrap();
    let mut w2 = w.clone();
    w2.routes.insert(r.id, ended.routes[0].clone());
    assert!(messages(sell(&c, "ana", &w2, 50, &[sale(r.id, 1, 1)])).contains(NO_ACTIVE_LEDGER));
}

#[test]
fn rule_65_only_packages_on_the_route_up_to_what_is_on_it() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let (w, r) = opened(true);
    assert!(messages(sell(&c, "ana", &w, 50, &[sale(r.id, 2, 1)])).contains("not on the delivery"));
    assert!(
        messages(sell(&c, "ana", &w, 50, &[sale(r.id, 1, 7)])).contains("left on the delivery")
    );
    // Summed across the elements of one request.
    assert!(
        messages(sell(
            &c,
            "ana",
            &w,
            50,
            &[sale(r.id, 1, 4), sale(r.id, 1, 3)]
        ))
        .contains("left on the delivery")
    );
    let out = sell(&c, "ana", &w, 50, &[sale(r.id, 1, 4), sale(r.id, 1, 2)]).unwrap();
    assert_eq!(out.sales.len(), 2);
    assert_eq!(out.sales[0].state, SalesDeliveryState::Delivered);
    assert_eq!(out.sales[0].recipient.county, "Sacramento");
    assert_eq!(out.routes[0].packages[0].sold, dec(6));
    assert!(
        out.packages.is_empty(),
        "a route sale takes from the van, not the package"
    );
}

#[test]
fn rule_65_ending_returns_end_quantity_and_warns_of_the_rest() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let (mut w, r) = opened(true);
    let sold = sell(&c, "ana", &w, 50, &[sale(r.id, 1, 2)]).unwrap();
    w.routes.insert(r.id, sold.routes[0].clone());
    let spec = |q: i64| EndSpec {
        id: Some(r.id),
        actual_arrival: Some("2026-06-01T17:00:00".into()),
        packages: vec![EndLine {
            label: Some(label(1)),
            end_quantity: Some(dec(q)),
            end_unit_of_measure: Some("Each".into()),
        }],
    };
    assert!(messages(end(&c, &w, &[spec(5)])).contains("more than"));
    let out = end(&c, &w, &[spec(3)]).unwrap();
    assert_eq!(out.routes[0].state, RetailerDeliveryState::Ended);
    assert!(!out.routes[0].active);
    assert_eq!(out.packages[0].quantity, dec(7), "4 on the shelf + 3 back");
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
}

#[test]
fn void_and_update_only_before_departure_and_give_the_load_back() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let (w, r) = opened(false);
    let out = void(&c, &w, r.id).unwrap();
    assert_eq!(out.packages[0].quantity, dec(10));
    let mut s = route_spec(vec![load_of(1, 10)]);
    s.id = Some(r.id);
    let up = update(&c, &w, &[s.clone()]).unwrap();
    assert!(up.packages[0].quantity.is_zero());
    let (w, r) = opened(true);
    assert!(matches!(void(&c, &w, r.id), Err(Rejection::Conflict(_))));
    s.id = Some(r.id);
    assert!(matches!(update(&c, &w, &[s]), Err(Rejection::Conflict(_))));
    assert!(matches!(
        depart(&c, &w, &[Some(r.id)]),
        Err(Rejection::Conflict(_))
    ));
}

#[test]
fn restock_loads_more_and_removes_what_is_left() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let (w, r) = opened(true);
    let mut remove = load_of(1, 0);
    remove.remove_current = true;
    let out = restock(
        &c,
        &w,
        &[RestockSpec {
            id: Some(r.id),
            date_time: Some("2026-06-01T12:00:00".into()),
            estimated_departure: None,
            packages: vec![remove, load_of(2, 3)],
        }],
    )
    .unwrap();
    let route = &out.routes[0];
    assert_eq!(route.leg, 2);
    assert!(route.packages[0].removed);
    assert_eq!(route.packages[1].loaded, dec(3));
    let qty = |seq: u32| {
        out.packages
            .iter()
            .find(|p| p.label.to_string() == label(seq))
            .map(|p| p.quantity)
    };
    assert_eq!(qty(1), Some(dec(10)));
    assert_eq!(qty(2), Some(dec(0)));
}

#[test]
fn a_restock_may_only_take_a_package_off() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let (w, r) = opened(true);
    let mut remove = load_of(1, 0);
    remove.remove_current = true;
    let out = restock(
        &c,
        &w,
        &[RestockSpec {
            id: Some(r.id),
            date_time: Some("2026-06-01T12:00:00".into()),
            estimated_departure: None,
            packages: vec![remove],
        }],
    )
    .unwrap();
    assert_eq!(out.routes[0].total_packages(), 0);
    assert_eq!(out.packages[0].quantity, dec(10), "all 6 went back");
}
