//! Rule 69: GETs are rate-limited per facility (and vendor key) with concurrency caps; writes
//! never are. Over a limit: 429 `{"Message"}` with `Retry-After`.

use crate::helpers::*;
use serde_json::json;
use tagtrail_ledger::Config;
use tagtrail_ledger::config::RateLimits;
use tokio::task::JoinSet;

fn strict() -> Config {
    Config {
        rate: RateLimits {
            per_facility_per_second: 5,
            per_vendor_key_per_second: 150,
            concurrent_per_facility: 2,
            concurrent_per_vendor_key: 30,
        },
        ..Config::default()
    }
}

/// 30 concurrent GETs against 5/s and 2 concurrent per facility: some are 429 with
/// `Retry-After`, the rest 200; 30 concurrent POSTs are never 429.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_69_get_bursts_are_limited_writes_are_not() {
    for_each_backend_with(strict(), async |app| {
        let mut gets = JoinSet::new();
        for _ in 0..30 {
            let (what, req) = app.get(CULTIVATOR, "/strains/v2/active").build();
            gets.spawn(Resp::read(what, req));
        }
        let (mut ok, mut limited) = (0, 0);
        for r in gets.join_all().await {
            match r.status {
                200 => ok += 1,
                429 => {
                    limited += 1;
                    let retry = r
                        .header("retry-after")
                        .unwrap_or_else(|| panic!("429 without Retry-After: {r:?}"));
                    assert!(
                        retry.parse::<u64>().is_ok_and(|s| s >= 1),
                        "Retry-After {retry:?}"
                    );
                    assert!(!r.message().is_empty());
                }
                other => panic!("a burst GET answered {other}: {}", r.body),
            }
        }
        assert!(limited >= 1, "no GET of the burst was limited ({ok} ok)");
        assert!(ok >= 1, "every GET of the burst was limited");
        assert_eq!(ok + limited, 30);

        // Writes are never limited, however many at once.
        let mut posts = JoinSet::new();
        for i in 0..30 {
            let (what, req) = app
                .post(
                    CULTIVATOR,
                    "/strains/v2",
                    json!([{"Name": format!("Burst {i}")}]),
                )
                .build();
            posts.spawn(Resp::read(what, req));
        }
        for r in posts.join_all().await {
            assert_eq!(r.status, 200, "{}: {}", r.what, r.body);
        }

        // The limit is per facility: another facility is not throttled by this one's burst.
        app.get(MANUFACTURER, "/strains/v2/active")
            .send()
            .await
            .ok();
        // And it recovers: after a second, reads succeed again and see all 30 writes.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let names = app.names(CULTIVATOR, "/strains/v2/active").await;
        assert_eq!(names.iter().filter(|n| n.starts_with("Burst ")).count(), 30);
    })
    .await;
}

/// Sequential GETs over the per-second quota are limited too, not only concurrent ones.
#[tokio::test]
async fn rule_69_per_second_quota() {
    for_each_backend_with(strict(), async |app| {
        let mut statuses = Vec::new();
        for _ in 0..12 {
            statuses.push(app.get(RETAILER, "/items/v2/active").send().await.status);
        }
        assert!(
            statuses.iter().all(|s| *s == 200 || *s == 429),
            "{statuses:?}"
        );
        assert!(
            statuses.contains(&429),
            "12 GETs in well under 2 s exceed 5/s: {statuses:?}"
        );
        assert_eq!(statuses[0], 200);
    })
    .await;
}
