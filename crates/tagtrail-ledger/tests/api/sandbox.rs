//! Sandbox mode: fault injection on the Metrc API (429, 500, latency, dropped connections, writes
//! committed whose answer is lost) and the settable clock, over real HTTP.

use crate::helpers::*;
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use reqwest::Method;
use serde_json::{Value, json};

const FAULTS: &str = "/tagtrail/v1/sandbox/faults";
const CLOCK: &str = "/tagtrail/v1/sandbox/clock";

/// `PUT /tagtrail/v1/sandbox/faults` as the cultivator's employee; the answer's JSON.
async fn set_faults(app: &TestApp, faults: Value) -> Value {
    app.call(Method::PUT, FAULTS)
        .acting_as(CULTIVATOR)
        .json(faults)
        .send()
        .await
        .ok()
        .json()
}

async fn get_report(app: &TestApp) -> Value {
    app.call(Method::GET, FAULTS)
        .acting_as(CULTIVATOR)
        .send()
        .await
        .ok()
        .json()
}

async fn set_clock(app: &TestApp, offset_seconds: i64) -> Value {
    app.call(Method::PUT, CLOCK)
        .acting_as(CULTIVATOR)
        .json(json!({"OffsetSeconds": offset_seconds}))
        .send()
        .await
        .ok()
        .json()
}

/// Sends `call` and reads the whole answer, giving back the transport error rather than
/// panicking on it (the testkit's `send` panics on one).
async fn attempt(call: Call<'_>) -> Result<(u16, String), reqwest::Error> {
    let (_, req) = call.build();
    let resp = req.send().await?;
    let status = resp.status().as_u16();
    Ok((status, resp.text().await?))
}

fn parse_time(v: &Value, key: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&str_field(v, key))
        .unwrap_or_else(|e| panic!("{key} is not RFC 3339 ({e}) in {v}"))
        .with_timezone(&Utc)
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Creates the strain `name` at the cultivator (no faults in force) and reads it back.
async fn new_strain(app: &TestApp, name: &str) -> Value {
    let id = ids(&app
        .post(CULTIVATOR, "/strains/v2", json!([{"Name": name}]))
        .send()
        .await
        .ok())[0];
    app.get(CULTIVATOR, &format!("/strains/v2/{id}"))
        .send()
        .await
        .ok()
        .json()
}

#[tokio::test]
async fn sandbox_controls_do_not_exist_out_of_sandbox_mode() {
    for_each_backend(async |app| {
        let b = app.backend;
        for path in [FAULTS, CLOCK] {
            let r = app
                .call(Method::GET, path)
                .acting_as(CULTIVATOR)
                .send()
                .await
                .status(404);
            assert!(
                r.message().contains("No such endpoint"),
                "[{b}] {path}: {}",
                r.body
            );
            let r = app
                .call(Method::PUT, path)
                .acting_as(CULTIVATOR)
                .json(json!({"Rate429": 1.0, "OffsetSeconds": -3600}))
                .send()
                .await
                .status(404);
            r.message();
        }
        // Nothing was set: the API answers as always.
        app.get(CULTIVATOR, "/strains/v2/active").send().await.ok();
    })
    .await;
}

#[tokio::test]
async fn sandbox_controls_take_any_api_key_pair_and_refuse_bad_settings() {
    for_each_backend_sandbox(Faults::default(), async |app| {
        let b = app.backend;
        for path in [FAULTS, CLOCK] {
            app.call(Method::GET, path)
                .send()
                .await
                .status(401)
                .message();
            app.call(Method::GET, path)
                .keys(&app.creds.vendor_key, "not-a-user-key")
                .send()
                .await
                .status(401)
                .message();
            app.call(Method::PUT, path)
                .json(json!({"Rate429": 1.0, "OffsetSeconds": 60}))
                .send()
                .await
                .status(401);
        }
        // Zero to start with, as --sandbox alone leaves it.
        let report = app
            .call(Method::GET, FAULTS)
            .acting_as_clerk()
            .send()
            .await
            .ok()
            .json();
        assert_eq!(report["Rate429"], json!(0.0), "[{b}] {report}");
        assert_eq!(report["Injected429"], json!(0), "[{b}] {report}");
        assert_pascal_case(&report, "faults");
        let clock = app
            .call(Method::GET, CLOCK)
            .acting_as(RETAILER)
            .send()
            .await
            .ok()
            .json();
        assert_eq!(clock, json!({"OffsetSeconds": 0}), "[{b}]");

        for bad in [
            json!({"Rate429": 1.5}),
            json!({"RateDrop": -0.1}),
            json!({"Rate_429": 1.0}),
            json!({"LatencyMs": 600_000}),
            json!([1]),
        ] {
            let r = app
                .call(Method::PUT, FAULTS)
                .acting_as(CULTIVATOR)
                .json(bad.clone())
                .send()
                .await
                .status(400);
            assert!(!r.message().is_empty(), "[{b}] {bad}");
        }
        app.call(Method::PUT, FAULTS)
            .acting_as(CULTIVATOR)
            .raw_body("{")
            .send()
            .await
            .status(400)
            .message();
        for bad in [
            json!({"OffsetSeconds": "soon"}),
            json!({"Offset": 5}),
            json!({"OffsetSeconds": 400_000_000}),
        ] {
            app.call(Method::PUT, CLOCK)
                .acting_as(CULTIVATOR)
                .json(bad)
                .send()
                .await
                .status(400)
                .message();
        }
        assert_eq!(
            app.sandbox().faults(),
            Faults::default(),
            "[{b}] refused settings change nothing"
        );

        // A report read back may be sent as it is (the counters are ignored), and a field left
        // out is zero.
        let mut report = set_faults(app, json!({"Rate500": 0.25, "LatencyMs": 5, "Seed": 9})).await;
        assert_eq!(report["Rate500"], json!(0.25), "[{b}] {report}");
        report["Rate500"] = json!(0.0);
        report["RateDrop"] = json!(0.125);
        let back = set_faults(app, report).await;
        assert_eq!(
            (
                back["Rate500"].clone(),
                back["RateDrop"].clone(),
                back["LatencyMs"].clone()
            ),
            (json!(0.0), json!(0.125), json!(5)),
            "[{b}] {back}"
        );
        assert_eq!(
            app.sandbox().faults().rate_drop,
            0.125,
            "[{b}] the server's sandbox is the one set"
        );
        assert_eq!(get_report(app).await, back, "[{b}]");
        set_faults(app, json!({})).await;
    })
    .await;
}

#[tokio::test]
async fn an_injected_429_comes_before_the_handler_with_retry_after() {
    for_each_backend_sandbox(Faults::default(), async |app| {
        let b = app.backend;
        set_faults(app, json!({"Rate429": 1.0})).await;
        let r = app
            .get(CULTIVATOR, "/strains/v2/active")
            .send()
            .await
            .status(429);
        assert_eq!(r.header("retry-after").as_deref(), Some("1"), "[{b}]");
        assert!(
            r.message().contains("Rate limit exceeded"),
            "[{b}] {}",
            r.body
        );
        // Before the handler: even a request that would fail authentication gets it.
        app.call(Method::GET, "/strains/v2/active")
            .send()
            .await
            .status(429);
        // A write is not done.
        app.post(CULTIVATOR, "/strains/v2", json!([{"Name": "Never Made"}]))
            .send()
            .await
            .status(429);
        let report = get_report(app).await;
        assert_eq!(report["Injected429"], json!(3), "[{b}] {report}");
        assert_eq!(app.sandbox().injected().too_many_requests, 3, "[{b}]");

        set_faults(app, json!({})).await;
        let names = app.names(CULTIVATOR, "/strains/v2/active").await;
        assert!(
            !names.contains(&"Never Made".to_string()),
            "[{b}] {names:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_injected_500_comes_before_the_handler() {
    for_each_backend_sandbox(Faults::default(), async |app| {
        let b = app.backend;
        set_faults(app, json!({"Rate500": 1.0})).await;
        let r = app
            .get(CULTIVATOR, "/strains/v2/active")
            .send()
            .await
            .status(500);
        assert!(r.message().contains("internal error"), "[{b}] {}", r.body);
        app.post(CULTIVATOR, "/strains/v2", json!([{"Name": "Never Made"}]))
            .send()
            .await
            .status(500)
            .message();
        assert_eq!(app.sandbox().injected().internal_error, 2, "[{b}]");

        set_faults(app, json!({})).await;
        let names = app.names(CULTIVATOR, "/strains/v2/active").await;
        assert!(
            !names.contains(&"Never Made".to_string()),
            "[{b}] {names:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error_and_nothing_is_done() {
    for_each_backend_sandbox(Faults::default(), async |app| {
        let b = app.backend;
        set_faults(app, json!({"RateDrop": 1.0})).await;
        // The client gets no answer at all: not a 200 with a broken body, an error on sending.
        let (_, req) = app.get(CULTIVATOR, "/strains/v2/active").build();
        match req.send().await {
            Ok(resp) => panic!("[{b}] a dropped connection answered {}", resp.status()),
            Err(e) => assert!(!e.is_timeout() && e.status().is_none(), "[{b}] {e:?}"),
        }
        let write =
            attempt(app.post(CULTIVATOR, "/strains/v2", json!([{"Name": "Never Made"}]))).await;
        assert!(write.is_err(), "[{b}] the write was answered: {write:?}");
        assert_eq!(app.sandbox().injected().drop, 2, "[{b}]");

        set_faults(app, json!({})).await;
        let names = app.names(CULTIVATOR, "/strains/v2/active").await;
        assert!(
            !names.contains(&"Never Made".to_string()),
            "[{b}] {names:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn commit_then_drop_commits_the_write_and_loses_its_answer() {
    for_each_backend_sandbox(Faults::default(), async |app| {
        let b = app.backend;
        let before = app.journal(CULTIVATOR).await.len();
        set_faults(app, json!({"RateCommitThenDrop": 1.0})).await;
        // Reads are answered.
        app.get(CULTIVATOR, "/strains/v2/active").send().await.ok();
        // The write's answer never comes (the path as Metrc's docs write it, trailing slash)…
        let answer =
            attempt(app.post(CULTIVATOR, "/strains/v2/", json!([{"Name": "Lost Answer"}]))).await;
        assert!(answer.is_err(), "[{b}] the write was answered: {answer:?}");
        assert_eq!(app.sandbox().injected().commit_then_drop, 1, "[{b}]");

        // …but it was done, once.
        set_faults(app, json!({})).await;
        let strains = app.list(CULTIVATOR, "/strains/v2/active").await;
        let made: Vec<&Value> = strains
            .iter()
            .filter(|s| s["Name"] == "Lost Answer")
            .collect();
        assert_eq!(made.len(), 1, "[{b}] {strains:?}");
        let journal = app.journal(CULTIVATOR).await;
        assert_eq!(journal.len(), before + 1, "[{b}] one entry, no retry");
        assert_eq!(str_field(&journal[0], "Action"), "Create strains", "[{b}]");
        // Sent again, as an outbox that does not know would: the ledger refuses the duplicate.
        let again = app
            .post(CULTIVATOR, "/strains/v2", json!([{"Name": "Lost Answer"}]))
            .send()
            .await;
        assert_eq!(again.status, 400, "[{b}] {}", again.body);
    })
    .await;
}

#[tokio::test]
async fn faults_never_touch_the_web_ui_or_the_tagtrail_extensions() {
    let all = Faults {
        rate_429: 1.0,
        rate_500: 1.0,
        rate_drop: 1.0,
        rate_commit_then_drop: 1.0,
        latency_ms: 50,
        ..Faults::default()
    };
    for_each_backend_sandbox(all, async |app| {
        let b = app.backend;
        app.get(CULTIVATOR, "/strains/v2/active")
            .send()
            .await
            .status(429);
        let seen = app.sandbox().injected();
        assert_eq!(
            (seen.too_many_requests, seen.latency),
            (1, 1),
            "[{b}] {seen:?}"
        );

        for path in [
            "/",
            "/ui/login",
            "/ui/style.css",
            "/ui/help",
            "/openapi.json",
        ] {
            let r = app.call(Method::GET, path).send().await;
            assert!(
                r.status == 200 || r.status == 303,
                "[{b}] {path}: {} {}",
                r.status,
                r.body
            );
        }
        // A sign-in form posts and is answered (a wrong password: the form again, not a fault).
        let r = app
            .http
            .post(format!("{}/ui/login", app.base_url))
            .form(&[("username", "nobody"), ("password", "wrong")])
            .send()
            .await
            .expect("the web UI answers");
        assert!(r.status().as_u16() < 500, "[{b}] {}", r.status());
        app.get(CULTIVATOR, "/tagtrail/v1/journal")
            .send()
            .await
            .ok();
        app.call(Method::GET, "/tagtrail/v1/checkpoints")
            .acting_as(CULTIVATOR)
            .send()
            .await
            .ok();
        get_report(app).await;
        assert_eq!(
            app.sandbox().injected(),
            seen,
            "[{b}] nothing more was injected"
        );
    })
    .await;
}

#[tokio::test]
async fn latency_delays_metrc_requests() {
    for_each_backend_sandbox(Faults::default(), async |app| {
        let b = app.backend;
        set_faults(app, json!({"LatencyMs": 400})).await;
        let started = std::time::Instant::now();
        app.get(CULTIVATOR, "/strains/v2/active").send().await.ok();
        let took = started.elapsed();
        assert!(
            took >= std::time::Duration::from_millis(400),
            "[{b}] {took:?}"
        );
        assert_eq!(app.sandbox().injected().latency, 1, "[{b}]");
        set_faults(app, json!({})).await;
    })
    .await;
}

#[tokio::test]
async fn the_same_seed_meets_the_same_faults() {
    for_each_backend_sandbox(Faults::default(), async |app| {
        let b = app.backend;
        let settings = json!({"Rate429": 0.3, "Rate500": 0.3, "Seed": 20261130});
        let mut runs = Vec::new();
        for _ in 0..2 {
            set_faults(app, settings.clone()).await;
            let mut statuses = Vec::new();
            for _ in 0..24 {
                statuses.push(
                    app.get(CULTIVATOR, "/strains/v2/active")
                        .send()
                        .await
                        .status,
                );
            }
            runs.push(statuses);
        }
        set_faults(app, json!({})).await;
        assert_eq!(
            runs[0], runs[1],
            "[{b}] re-seeded, the same requests meet the same faults"
        );
        for status in [200, 429, 500] {
            assert!(
                runs[0].contains(&status),
                "[{b}] {status} occurs: {:?}",
                runs[0]
            );
        }
    })
    .await;
}

/// A ledger whose clock ran two hours behind from the start is set to one hour behind: a new
/// strain's `LastModified` (and its journal entry) is an hour behind real time.
#[tokio::test]
async fn a_clock_set_back_stamps_new_records_behind_real_time() {
    let options = StartOptions {
        sandbox: Some(Faults::default()),
        clock_offset_seconds: -7200,
        ..StartOptions::default()
    };
    for_each_backend_started(options, async |app| {
        let b = app.backend;
        let clock = app
            .call(Method::GET, CLOCK)
            .acting_as(CULTIVATOR)
            .send()
            .await
            .ok()
            .json();
        assert_eq!(clock, json!({"OffsetSeconds": -7200}), "[{b}]");
        assert_eq!(
            set_clock(app, -3600).await,
            json!({"OffsetSeconds": -3600}),
            "[{b}]"
        );
        assert_eq!(app.ledger.clock_offset(), -3600, "[{b}]");

        let strain = new_strain(app, "Slow Clock").await;
        let behind = Utc::now() - parse_time(&strain, "LastModified");
        assert!(
            (TimeDelta::seconds(3600 - 120)..=TimeDelta::seconds(3600 + 120)).contains(&behind),
            "[{b}] LastModified is {behind} behind real time: {strain}"
        );
        let head = app.journal_head(CULTIVATOR).await;
        assert_eq!(
            parse_time(&head, "RecordedAt"),
            parse_time(&strain, "LastModified"),
            "[{b}]"
        );
    })
    .await;
}

/// Set ahead, the clock stamps ahead; set back with recent entries in the journal, it never stamps
/// at or before the newest entry (the store's guarantee holds whatever the offset).
#[tokio::test]
async fn a_clock_set_ahead_stamps_ahead_and_set_back_never_stamps_before_the_head() {
    for_each_backend_sandbox(Faults::default(), async |app| {
        let b = app.backend;
        set_clock(app, 3600).await;
        let ahead = new_strain(app, "Fast Clock").await;
        let lead = parse_time(&ahead, "LastModified") - Utc::now();
        assert!(
            (TimeDelta::seconds(3600 - 120)..=TimeDelta::seconds(3600 + 120)).contains(&lead),
            "[{b}] LastModified is {lead} ahead of real time: {ahead}"
        );
        // An open window (a start, no end) runs to the ledger's clock, so one starting half an
        // hour from now (by real time) holds the strain.
        let start = iso(Utc::now() + TimeDelta::minutes(30));
        let window = app
            .get(CULTIVATOR, "/strains/v2/active")
            .query("lastModifiedStart", &start)
            .send()
            .await
            .ok()
            .json();
        let names: Vec<&str> = window["Data"]
            .as_array()
            .expect("Data")
            .iter()
            .filter_map(|s| s["Name"].as_str())
            .collect();
        assert_eq!(names, ["Fast Clock"], "[{b}] {window}");

        set_clock(app, -3600).await;
        let after = new_strain(app, "Held Clock").await;
        let (t1, t2) = (
            parse_time(&ahead, "LastModified"),
            parse_time(&after, "LastModified"),
        );
        assert!(t2 > t1, "[{b}] stamped {t2}, at or before the head {t1}");
        assert!(
            t2 - t1 < TimeDelta::seconds(1),
            "[{b}] held just after the head: {t1} → {t2}"
        );
    })
    .await;
}

/// The horizon of windowed reads moves with the clock: set an hour back, a window ending now ends
/// an hour ago, and a record written at real time is not in it until the clock is set right.
#[tokio::test]
async fn windowed_reads_end_at_the_shifted_clock() {
    for_each_backend_sandbox(Faults::default(), async |app| {
        let b = app.backend;
        // From just before the write: the demo's records are older.
        let start = iso(Utc::now());
        new_strain(app, "Window Strain").await;
        let end = iso(Utc::now() + TimeDelta::seconds(1));
        let window = async || -> Vec<String> {
            let page = app
                .get(CULTIVATOR, "/strains/v2/active")
                .query("lastModifiedStart", &start)
                .query("lastModifiedEnd", &end)
                .send()
                .await
                .ok()
                .json();
            page["Data"]
                .as_array()
                .expect("Data")
                .iter()
                .map(|s| str_field(s, "Name"))
                .collect()
        };
        set_clock(app, -3600).await;
        assert!(
            window().await.is_empty(),
            "[{b}] the window ends at the ledger's clock, an hour back"
        );
        set_clock(app, 0).await;
        assert_eq!(window().await, ["Window Strain"], "[{b}]");
    })
    .await;
}
