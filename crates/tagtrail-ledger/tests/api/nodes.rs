//! Scale-out (issue 14): two `tagtrail serve` nodes on one PostgreSQL database serve one ledger.
//! Writes through both form one hash chain; GET rate limits are one limit, not one per node;
//! only one node delivers webhooks. (The whole HTTP suite also runs with every request
//! alternating between two nodes: `TAGTRAIL_TEST_TWO_NODES=1`, in `.ci/run`.)

use crate::helpers::*;
use serde_json::json;
use tagtrail_app::{Config, RateLimits};

fn strict() -> Config {
    Config {
        rate: RateLimits {
            per_facility_per_second: 5,
            per_vendor_key_per_second: 1000,
            concurrent_per_facility: 10,
            concurrent_per_vendor_key: 30,
        },
        shared_rate_limits: true,
        ..Config::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_keep_one_chain_one_rate_limit_and_one_webhook_deliverer() {
    for_each_backend_with(strict(), async |app| {
        let b = app.backend;
        if !app.database_url().starts_with("postgres") {
            // SQLite serves one node: it always leads, and its limits are its own.
            assert!(
                app.ledger
                    .lead_webhook_delivery()
                    .await
                    .expect("asks")
                    .is_some()
            );
            return;
        }
        // A second node of our own (whatever TAGTRAIL_TEST_TWO_NODES says), on its own port.
        let node2 = Node::start(app.database_url(), strict()).await;
        let (other, other_url) = (node2.ledger.clone(), node2.base_url.clone());
        let lic = CULTIVATOR;
        let key = app.user_key(lic).to_string();
        let vendor = app.creds.vendor_key.clone();
        let node = |i: usize| {
            if i.is_multiple_of(2) {
                app.base_url.clone()
            } else {
                other_url.clone()
            }
        };

        // Writes through both nodes at once: one chain, which verifies.
        let mut writes = tokio::task::JoinSet::new();
        for i in 0..24 {
            let req = app
                .http
                .post(format!("{}/strains/v2?licenseNumber={lic}", node(i)))
                .basic_auth(&vendor, Some(&key))
                .json(&json!([{"Name": format!("Two Node {i}")}]));
            writes.spawn(async move { req.send().await.map(|r| r.status().as_u16()) });
        }
        for w in writes.join_all().await {
            assert_eq!(w.expect("answered"), 200, "[{b}]");
        }
        let names = app.names(lic, "/strains/v2/active").await;
        assert_eq!(
            names.iter().filter(|n| n.starts_with("Two Node")).count(),
            24,
            "[{b}]"
        );
        let report = app.verify().await;
        assert!(report.ok(), "[{b}] one chain: {report:?}");

        // One rate limit: 5/s for the facility across both nodes, not 5/s on each.
        let mut ok = 0;
        for i in 0..20 {
            let r = app
                .http
                .get(format!("{}/strains/v2/active?licenseNumber={lic}", node(i)))
                .basic_auth(&vendor, Some(&key))
                .send()
                .await
                .expect("answered");
            if r.status().as_u16() == 200 {
                ok += 1;
            }
        }
        assert!(
            (5..10).contains(&ok),
            "[{b}] {ok} of 20 quick GETs admitted: one limit of 5/s shared by both nodes"
        );

        // One webhook deliverer: the first node's worker leads, so nobody else may.
        assert!(
            other.lead_webhook_delivery().await.expect("asks").is_none(),
            "[{b}] another node already delivers"
        );
        node2.stop().await;
    })
    .await;
}
