//! `Store::get_many`: records of one type by many ids at once (the lineage walk reads a
//! harvest's plants with it), in the order asked, each once, missing ids left out, across more
//! ids than one statement binds. On SQLite, and on PostgreSQL when `TAGTRAIL_TEST_POSTGRES_URL`
//! names a server.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use tagtrail_domain::records::{Facility, Record, Strain};

mod common;
use common::{LIC, NOW, backends, facility, write};
use tagtrail_store::verify;

fn strain(id: i64) -> Strain {
    Strain {
        id,
        license_number: LIC.into(),
        name: format!("Strain {id}"),
        testing_status: "None".into(),
        thc_level: None,
        cbd_level: None,
        indica_percentage: None,
        sativa_percentage: None,
        genetics: None,
        active: true,
        last_modified: NOW.into(),
    }
}

#[tokio::test]
async fn get_many_answers_in_the_order_asked_each_once() {
    for db in backends("tagtrail_many").await {
        let s = &db.store;
        let mut changes = vec![facility().to_change()];
        changes.extend((1..=450).map(|i| strain(i).to_change()));
        write(s, changes).await.unwrap();

        let got: Vec<Strain> = s.get_many(&[300, 2, 999, 2, 450]).await.unwrap();
        let ids: Vec<i64> = got.iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![300, 2, 450], "{:?}", s.backend());
        assert_eq!(got[0].name, "Strain 300");

        // More ids than one statement binds (200 a chunk), newest first.
        let all: Vec<i64> = (1..=460).rev().collect();
        let got: Vec<Strain> = s.get_many(&all).await.unwrap();
        assert_eq!(got.len(), 450);
        assert_eq!(got.first().map(|r| r.id), Some(450));
        assert_eq!(got.last().map(|r| r.id), Some(1));

        // Another table's ids are not this table's records; none asked, none answered.
        let none: Vec<Facility> = s.get_many(&[300]).await.unwrap();
        assert!(none.is_empty());
        let none: Vec<Strain> = s.get_many(&[]).await.unwrap();
        assert!(none.is_empty());
        // A read writes nothing: the journal still verifies.
        let report = verify(s, &db.dir.path().join("v.db")).await.unwrap();
        assert!(report.ok(), "{report:?}");
    }
}
