//! Rule 69: GETs are rate-limited per facility (and vendor key) with concurrency caps; writes
//! never are. Over a limit: 429 `{"Message"}` with `Retry-After`.

use crate::helpers::*;
use reqwest::Method;
use serde_json::json;
use tagtrail_app::{Config, RateLimits};
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
        for _ in 0..20 {
            statuses.push(app.get(RETAILER, "/items/v2/active").send().await.status);
        }
        assert!(
            statuses.iter().all(|s| *s == 200 || *s == 429),
            "{statuses:?}"
        );
        assert!(
            statuses.contains(&429),
            "20 GETs in well under 3 s exceed 5/s: {statuses:?}"
        );
        assert_eq!(statuses[0], 200);
    })
    .await;
}

fn one_per_second() -> Config {
    Config {
        rate: RateLimits {
            per_facility_per_second: 1,
            per_vendor_key_per_second: 1000,
            concurrent_per_facility: 10,
            concurrent_per_vendor_key: 30,
        },
        ..Config::default()
    }
}

/// Rule 69 + 66: requests that fail authentication are answered 401 and spend nobody's quota,
/// so a stranger cannot lock a facility's integrations out.
#[tokio::test]
async fn rule_69_unauthenticated_requests_spend_no_quota() {
    for_each_backend_with(one_per_second(), async |app| {
        for _ in 0..5 {
            app.get(CULTIVATOR, "/strains/v2/active")
                .no_auth()
                .send()
                .await
                .status(401);
            app.get(CULTIVATOR, "/strains/v2/active")
                .keys(&app.creds.vendor_key, "not-a-user-key")
                .send()
                .await
                .status(401);
        }
        // A user employed elsewhere naming this facility gets 401 and spends nothing either.
        for _ in 0..3 {
            app.get(CULTIVATOR, "/strains/v2/active")
                .acting_as(RETAILER)
                .send()
                .await
                .status(401);
        }
        app.get(CULTIVATOR, "/strains/v2/active").send().await.ok();
    })
    .await;
}

/// Rule 69: once a facility's quota is spent, no spelling of its license number and no HEAD
/// request gets past it (the limiter reads the query exactly as the handlers do).
#[tokio::test]
async fn rule_69_no_spelling_of_a_license_escapes_its_quota() {
    for_each_backend_with(one_per_second(), async |app| {
        let mut spent = false;
        for _ in 0..5 {
            if app
                .get(CULTIVATOR, "/strains/v2/active")
                .send()
                .await
                .status
                == 429
            {
                spent = true;
                break;
            }
        }
        assert!(spent, "five GETs in well under a second exceed 1/s");
        let encoded = app
            .call(
                Method::GET,
                "/strains/v2/active?licenseNumber=%43CL21-0001001",
            )
            .acting_as(CULTIVATOR)
            .send()
            .await;
        assert_eq!(
            encoded.status, 429,
            "percent-encoded license: {}",
            encoded.body
        );
        let repeated = app
            .call(
                Method::GET,
                &format!("/strains/v2/active?licenseNumber={RETAILER}&licenseNumber={CULTIVATOR}"),
            )
            .acting_as(CULTIVATOR)
            .send()
            .await;
        assert_eq!(
            repeated.status, 429,
            "repeated licenseNumber: {}",
            repeated.body
        );
        let head = app
            .call(Method::HEAD, "/strains/v2/active")
            .acting_as(CULTIVATOR)
            .license(CULTIVATOR)
            .send()
            .await;
        assert_eq!(head.status, 429, "HEAD is a read too");
    })
    .await;
}

/// Rule 69: a request one limit refuses spends nothing of another. One facility's flood, refused
/// by its facility's rate, leaves its integrator's vendor-key budget to the integrator's other
/// facilities (it used to drain it, and they got 429s at well under the key's rate).
#[tokio::test]
async fn rule_69_a_facilitys_refused_flood_spends_none_of_its_vendor_keys_budget() {
    let config = Config {
        rate: RateLimits {
            per_facility_per_second: 5,
            per_vendor_key_per_second: 10,
            concurrent_per_facility: 10,
            concurrent_per_vendor_key: 30,
        },
        ..Config::default()
    };
    for_each_backend_with(config, async |app| {
        let b = app.backend;
        let mut flood = Vec::new();
        for _ in 0..80 {
            flood.push(
                app.get(CULTIVATOR, "/strains/v2/active")
                    .send()
                    .await
                    .status,
            );
        }
        let refused = flood.iter().filter(|s| **s == 429).count();
        assert!(refused >= 60, "[{b}] the flood was refused: {flood:?}");
        // At once, the same vendor key at another facility: the key has spent only what the
        // flood was admitted, and the other facility's own rate allows these five.
        for i in 0..5 {
            let r = app.get(MANUFACTURER, "/items/v2/active").send().await;
            assert_eq!(
                r.status, 200,
                "[{b}] GET {i} of the other facility: {}",
                r.body
            );
        }
    })
    .await;
}
