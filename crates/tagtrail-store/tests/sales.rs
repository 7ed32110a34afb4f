//! Sales receipt projections (migration 0019): the database itself refuses what rules 63 and 64
//! forbid even if application code were wrong. On SQLite, and on PostgreSQL when
//! `TAGTRAIL_TEST_POSTGRES_URL` names a server.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use rust_decimal::Decimal;
use tagtrail_domain::records::{CustomerType, Record, SaleLine, SalesReceipt};
use tagtrail_store::{Column, ListQuery, verify};

mod common;
use common::{LIC, NOW, backends, facility, write};

fn receipt(id: i64, external: Option<&str>, amount: i64) -> SalesReceipt {
    SalesReceipt {
        id,
        license_number: LIC.into(),
        receipt_number: format!("{id:010}"),
        external_receipt_number: external.map(str::to_string),
        sales_date_time: "2026-05-31T10:00:00.000000+00:00".into(),
        sales_customer_type: CustomerType::Consumer,
        patient_license_number: None,
        caregiver_license_number: None,
        identification_method: None,
        patient_registration_location_id: None,
        transactions: vec![SaleLine {
            package_id: 1,
            package_label: "1A4000000000000000000001".into(),
            quantity: Decimal::ONE,
            unit_of_measure: "Each".into(),
            total_amount: Decimal::new(amount, 0),
            ..Default::default()
        }],
        is_final: false,
        voided: false,
        archived_date: None,
        recorded_date_time: NOW.into(),
        recorded_by_user_name: "budtender".into(),
        active: true,
        last_modified: NOW.into(),
    }
}

/// Rules 63 and 64: an external receipt number is unique per license among receipts not voided;
/// a total price is never negative; `active` agrees with the status (active = neither finalized
/// nor voided).
#[tokio::test]
async fn the_database_refuses_what_the_receipt_rules_forbid() {
    for db in backends("tagtrail_sales").await {
        let s = &db.store;
        write(s, vec![facility().to_change()]).await.unwrap();
        write(s, vec![receipt(1, Some("POS-1"), 20).to_change()])
            .await
            .unwrap();
        let len = s.journal_len().await.unwrap();
        assert!(
            write(s, vec![receipt(2, Some("POS-1"), 5).to_change()])
                .await
                .is_err(),
            "a second receipt with the number"
        );
        assert!(
            write(s, vec![receipt(3, None, -1).to_change()])
                .await
                .is_err(),
            "a negative total"
        );
        let mut finalized_but_active = receipt(4, None, 1);
        finalized_but_active.is_final = true;
        assert!(
            write(s, vec![finalized_but_active.to_change()])
                .await
                .is_err(),
            "finalized yet active"
        );
        assert_eq!(
            s.journal_len().await.unwrap(),
            len,
            "refused entries leave nothing"
        );

        // Voided, a receipt frees its number.
        let mut voided = receipt(1, Some("POS-1"), 20);
        voided.voided = true;
        voided.active = false;
        write(
            s,
            vec![voided.to_change(), receipt(5, Some("POS-1"), 7).to_change()],
        )
        .await
        .unwrap();
        let q = ListQuery {
            license: Some(LIC.into()),
            ..Default::default()
        }
        .with(Column::ExternalNumber, ["POS-1"]);
        assert_eq!(s.list::<SalesReceipt>(&q).await.unwrap().rows.len(), 2);
        let q = ListQuery {
            license: Some(LIC.into()),
            ..Default::default()
        }
        .between(
            Column::SalesDate,
            Some("2026-05-31T00:00:00.000000+00:00".into()),
            None,
        );
        assert_eq!(s.list::<SalesReceipt>(&q).await.unwrap().rows.len(), 2);
        let report = verify(s, &db.dir.path().join("v.db")).await.unwrap();
        assert!(report.ok(), "{report:?}");
        s.close().await;
    }
}
