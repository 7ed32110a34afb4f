use super::*;
use crate::commands::sales::fixtures::*;
use crate::lab_state::LabState;
use crate::license::LicenseType;

fn line(seq: u32, qty: i64, unit: &str) -> SaleLineSpec {
    SaleLineSpec {
        package_label: Some(label(seq)),
        quantity: Some(dec(qty)),
        unit_of_measure: Some(unit.into()),
        total_amount: Some(dec(20)),
        extras: Default::default(),
    }
}

fn first_message(r: Result<Vec<SaleLine>, Vec<LineProblem>>) -> String {
    r.expect_err("refused").remove(0).message
}

#[test]
fn rule_63_takes_quantity_and_an_emptied_package_stays_active_at_zero() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let mut s = Stock::new(&c, &found(&[package(1, 10, "Each")]));
    let lines = s
        .take(&c, &[line(1, 4, "Each"), line(1, 6, "each")])
        .unwrap();
    assert_eq!(lines.len(), 2);
    let after = s.changed();
    assert_eq!(after.len(), 1);
    assert!(after[0].quantity.is_zero());
    assert_eq!(after[0].state, PackageState::Active);
    assert!(after[0].active);
}

#[test]
fn rule_63_two_lines_on_one_package_are_summed_against_what_it_holds() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let mut s = Stock::new(&c, &found(&[package(1, 10, "Each")]));
    let problems = s
        .take(&c, &[line(1, 6, "Each"), line(1, 5, "Each")])
        .unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 1);
    // The message names what the package holds and what the lines together ask, not the
    // "0 available" left after the first line.
    assert!(
        problems[0].message.contains("has 10 Each available")
            && problems[0]
                .message
                .contains("this line's 5 Each and 6 Each on earlier lines"),
        "{problems:?}"
    );
    // Nothing was taken for the refused element; a later element still sees all 10.
    assert!(s.changed().is_empty());
    s.take(&c, &[line(1, 10, "Each")]).unwrap();
    // And across elements of one request the stock is shared.
    assert!(s.take(&c, &[line(1, 1, "Each")]).is_err());
}

#[test]
fn rule_63_unit_must_match_and_quantity_and_amount_are_checked() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let mut s = Stock::new(&c, &found(&[package(1, 10, "Grams")]));
    assert!(first_message(s.take(&c, &[line(1, 1, "Ounces")])).contains("does not match"));
    assert!(first_message(s.take(&c, &[line(1, 0, "Grams")])).contains("greater than zero"));
    let mut neg = line(1, 1, "Grams");
    neg.total_amount = Some(dec(-1));
    assert!(first_message(s.take(&c, &[neg])).contains("negative"));
    let mut none = line(1, 1, "Grams");
    none.total_amount = None;
    assert!(first_message(s.take(&c, &[none])).contains("TotalAmount"));
    assert!(first_message(s.take(&c, &[line(2, 1, "Grams")])).contains("does not exist"));
    assert!(first_message(s.take(&c, &[])).contains("Transactions"));
    let mut long = line(1, 1, "Grams");
    long.extras.invoice_number = Some("x".repeat(MAX_NAME_CHARS + 1));
    assert!(first_message(s.take(&c, &[long])).contains("longer than"));
}

#[test]
fn bulletin_iii_a_finished_package_cannot_be_sold_from_or_take_quantity_back() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let mut p = package(1, 0, "Each");
    p.state = PackageState::Finished;
    p.active = false;
    let mut s = Stock::new(&c, &found(&[p]));
    assert!(first_message(s.take(&c, &[line(1, 1, "Each")])).contains("must be unfinished"));
    let sold = SaleLine {
        package_id: 1,
        package_label: label(1),
        quantity: dec(2),
        unit_of_measure: "Each".into(),
        ..Default::default()
    };
    let problems = s.give_back(&c, &[sold]).unwrap_err();
    assert!(problems[0].message.contains("must be unfinished"));
}

#[test]
fn rules_34_63_a_held_package_is_not_sold() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let mut p = package(1, 10, "Each");
    p.on_hold = true;
    let mut s = Stock::new(&c, &found(&[p]));
    assert!(first_message(s.take(&c, &[line(1, 1, "Each")])).contains("on hold"));
}

#[test]
fn rule_49_only_a_passing_lab_state_is_sold() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    for state in LabState::ALL {
        let mut p = package(1, 10, "Each");
        p.lab_testing_state = *state;
        let mut s = Stock::new(&c, &found(&[p]));
        let r = s.take(&c, &[line(1, 1, "Each")]);
        assert_eq!(r.is_ok(), state.passing(), "{state}");
    }
}

#[test]
fn give_back_returns_quantity_to_an_active_package() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let mut s = Stock::new(&c, &found(&[package(1, 10, "Each")]));
    let lines = s.take(&c, &[line(1, 10, "Each")]).unwrap();
    s.give_back(&c, &lines).unwrap();
    assert_eq!(s.changed()[0].quantity, dec(10));
}
