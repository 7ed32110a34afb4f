use super::*;
use crate::commands::sales::fixtures::*;
use crate::records::PackageState;

fn spec(seq: u32, qty: i64) -> ReceiptSpec {
    ReceiptSpec {
        sales_date_time: Some("2026-06-01T10:00:00".into()),
        sales_customer_type: Some("Consumer".into()),
        transactions: vec![SaleLineSpec {
            package_label: Some(label(seq)),
            quantity: Some(dec(qty)),
            unit_of_measure: Some("Each".into()),
            total_amount: Some(dec(25)),
            extras: Default::default(),
        }],
        ..Default::default()
    }
}

fn world(ps: &[Package]) -> ReceiptWorld {
    ReceiptWorld {
        packages: found(ps),
        next_id: 100,
        ..Default::default()
    }
}

/// The world after `r` was written: its receipts addressable, its packages updated.
fn after(mut w: ReceiptWorld, r: &Receipted) -> ReceiptWorld {
    for p in &r.packages {
        w.packages.insert(p.label.to_string(), p.clone());
    }
    for rc in &r.receipts {
        w.receipts.insert(rc.id, rc.clone());
    }
    w
}

#[test]
fn rule_63_only_a_retailer_records_a_sale() {
    for t in LicenseType::ALL {
        let f = facility(t);
        let r = record(
            &ctx(&f),
            &world(&[package(1, 10, "Each")]),
            &[spec(1, 1)],
            "u",
        );
        match t {
            LicenseType::Retailer => assert!(r.is_ok()),
            _ => assert!(matches!(r, Err(Rejection::Forbidden(_))), "{t:?}"),
        }
    }
}

#[test]
fn rule_63_a_sale_deducts_and_the_receipt_is_active() {
    let f = facility(LicenseType::Retailer);
    let r = record(
        &ctx(&f),
        &world(&[package(1, 10, "Each")]),
        &[spec(1, 3)],
        "ana",
    )
    .unwrap();
    assert_eq!(r.receipts[0].id, 100);
    assert_eq!(r.receipts[0].receipt_number, "0000000100");
    assert!(r.receipts[0].active && !r.receipts[0].is_final);
    assert_eq!(r.packages[0].quantity, dec(7));
    assert!(r.warnings.is_empty());
}

#[test]
fn rule_63_every_bad_row_is_reported_and_nothing_is_written() {
    let f = facility(LicenseType::Retailer);
    let mut no_type = spec(1, 1);
    no_type.sales_customer_type = None;
    let mut future = spec(1, 1);
    future.sales_date_time = Some("2026-06-02T10:00:00".into());
    let mut unknown = spec(1, 1);
    unknown.sales_customer_type = Some("Tourist".into());
    let specs = [spec(1, 1), no_type, future, unknown, spec(1, 11)];
    let Err(Rejection::Rows(rows)) =
        record(&ctx(&f), &world(&[package(1, 10, "Each")]), &specs, "u")
    else {
        panic!("refused by row");
    };
    let bad: HashSet<usize> = rows.iter().map(|r| r.row).collect();
    assert_eq!(bad, HashSet::from([1, 2, 3, 4]), "{rows:?}");
}

#[test]
fn rule_63_a_late_sale_is_accepted_with_a_warning() {
    let f = facility(LicenseType::Retailer);
    let mut late = spec(1, 1);
    late.sales_date_time = Some("2026-05-30T10:00:00Z".into());
    let r = record(&ctx(&f), &world(&[package(1, 10, "Each")]), &[late], "u").unwrap();
    assert_eq!(r.warnings.len(), 1);
    assert!(r.warnings[0].contains("rule 63"));
}

#[test]
fn external_receipt_numbers_are_unique_among_receipts_not_voided() {
    let f = facility(LicenseType::Retailer);
    let mut a = spec(1, 1);
    a.external_receipt_number = Some("POS-1".into());
    let mut w = world(&[package(1, 10, "Each")]);
    assert!(matches!(
        record(&ctx(&f), &w, &[a.clone(), a.clone()], "u"),
        Err(Rejection::Rows(_))
    ));
    w.external_numbers.insert("POS-1".into(), 7);
    assert!(record(&ctx(&f), &w, &[a.clone()], "u").is_err());
    let mut long = spec(1, 1);
    long.external_receipt_number = Some("9".repeat(MAX_NAME_CHARS + 1));
    assert!(record(&ctx(&f), &world(&[package(1, 10, "Each")]), &[long], "u").is_err());
}

#[test]
fn rule_64_a_finalized_receipt_is_not_updated_or_voided_until_unfinalized() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let w = world(&[package(1, 10, "Each")]);
    let r = record(&c, &w, &[spec(1, 4)], "u").unwrap();
    let w = after(w, &r);
    let fin = set_final(&c, &w, &[Some(100)], true).unwrap();
    assert!(!fin[0].active);
    let w = after(
        w,
        &Receipted {
            receipts: fin,
            ..Default::default()
        },
    );
    let mut edit = spec(1, 2);
    edit.id = Some(100);
    assert_eq!(
        update(&c, &w, std::slice::from_ref(&edit)).unwrap_err(),
        Rejection::Conflict(FINALIZED.into())
    );
    assert_eq!(
        void(&c, &w, 100).unwrap_err(),
        Rejection::Conflict(FINALIZED.into())
    );
    // Finalizing twice is a row error.
    assert!(matches!(
        set_final(&c, &w, &[Some(100)], true),
        Err(Rejection::Rows(_))
    ));
    let unfin = set_final(&c, &w, &[Some(100)], false).unwrap();
    let w = after(
        w,
        &Receipted {
            receipts: unfin,
            ..Default::default()
        },
    );
    // The update gives back 4 and takes 2: the package holds 8.
    let up = update(&c, &w, &[edit]).unwrap();
    assert_eq!(up.packages[0].quantity, dec(8));
    let w = after(w, &up);
    let voided = void(&c, &w, 100).unwrap();
    assert!(voided.receipts[0].voided && !voided.receipts[0].active);
    assert_eq!(voided.packages[0].quantity, dec(10));
    let w = after(w, &voided);
    assert!(matches!(
        set_final(&c, &w, &[Some(100)], true),
        Err(Rejection::Rows(_))
    ));
}

#[test]
fn bulletin_iii_voiding_a_sale_from_a_finished_package_needs_it_unfinished() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let w = world(&[package(1, 10, "Each")]);
    let r = record(&c, &w, &[spec(1, 10)], "u").unwrap();
    assert!(r.packages[0].quantity.is_zero() && r.packages[0].active);
    let mut w = after(w, &r);
    let p = w.packages.get_mut(&label(1)).unwrap();
    p.state = PackageState::Finished;
    p.active = false;
    let Err(Rejection::Invalid(m)) = void(&c, &w, 100) else {
        panic!("refused");
    };
    assert!(m.contains("must be unfinished"), "{m}");
}

#[test]
fn another_license_s_receipt_does_not_exist_here() {
    let f = facility(LicenseType::Retailer);
    let c = ctx(&f);
    let w = world(&[package(1, 10, "Each")]);
    let r = record(&c, &w, &[spec(1, 1)], "u").unwrap();
    let mut w = after(w, &r);
    w.receipts.get_mut(&100).unwrap().license_number = "OTHER".into();
    assert!(matches!(void(&c, &w, 100), Err(Rejection::NotFound(_))));
}
