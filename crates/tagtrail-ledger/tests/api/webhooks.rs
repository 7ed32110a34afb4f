//! Webhooks (Metrc v2 Webhooks group, tagtrail's delivery): the five endpoints and their
//! refusals, signed deliveries received by a real HTTP receiver in the test, at-least-once
//! delivery that de-duplicates to exactly once across a receiver failing five times, disabling
//! after repeated failure with the reason, enable and replay, and scope (a subscription names
//! only licenses its employee may read; an ended employment stops the data, rule 5). The server
//! kill mid-delivery is in `tagtrail-cli/tests/webhooks.rs` (it needs the real binary).

use crate::helpers::*;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tagtrail_app::Config;
use tagtrail_app::webhooks::{WebhookKey, WebhookSettings};

/// The test configuration with webhooks on: a key, loopback receivers allowed, fast retries.
fn hooks(max_failures: u32, allow_private: bool) -> Config {
    Config {
        webhooks: WebhookSettings {
            key: Some(WebhookKey::from_text(&hex::encode([5u8; 32])).expect("a key")),
            allow_private_targets: allow_private,
            max_failures,
            backoff_base: Duration::from_millis(20),
            backoff_cap: Duration::from_millis(200),
            poll: Duration::from_millis(100),
            ..WebhookSettings::default()
        },
        ..test_config()
    }
}

/// One POST the receiver got.
#[derive(Clone, Debug)]
struct Got {
    id: String,
    timestamp: String,
    signature: String,
    body: Bytes,
    answered: u16,
}

#[derive(Default)]
struct Inner {
    got: Vec<Got>,
    /// Answer 500 to this many requests first.
    fail_first: usize,
    always_fail: bool,
}

/// A webhook receiver on loopback that records every request.
#[derive(Clone, Default)]
struct Receiver(Arc<Mutex<Inner>>);

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let mut inner = r.0.lock().expect("the receiver's lock");
    let fail = inner.always_fail || inner.got.len() < inner.fail_first;
    let answered = if fail { 500 } else { 204 };
    inner.got.push(Got {
        id: h("x-tagtrail-webhook-id"),
        timestamp: h("x-tagtrail-timestamp"),
        signature: h("x-tagtrail-signature"),
        body,
        answered,
    });
    StatusCode::from_u16(answered).expect("a status")
}

impl Receiver {
    /// Starts a receiver; its URL.
    async fn start(fail_first: usize, always_fail: bool) -> (Receiver, String) {
        let r = Receiver(Arc::new(Mutex::new(Inner {
            fail_first,
            always_fail,
            ..Inner::default()
        })));
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(r.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let url = format!("http://{}/hook", listener.local_addr().expect("an address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (r, url)
    }

    fn got(&self) -> Vec<Got> {
        self.0.lock().expect("the receiver's lock").got.clone()
    }

    fn set_always_fail(&self, fail: bool) {
        self.0.lock().expect("the receiver's lock").always_fail = fail;
    }

    /// The distinct item cursors of the batches it accepted (answered 2xx): de-duplication.
    fn accepted_cursors(&self) -> BTreeSet<String> {
        self.got()
            .iter()
            .filter(|g| g.answered < 300)
            .flat_map(|g| items(g).into_iter().map(|i| str_field(&i, "Cursor")))
            .collect()
    }
}

fn items(g: &Got) -> Vec<Value> {
    let v: Value = serde_json::from_slice(&g.body).expect("a JSON body");
    v["items"].as_array().cloned().unwrap_or_default()
}

/// The receiver's check, written here independently of the ledger's code: HMAC-SHA256 over
/// `timestamp "." body` with the secret, hex, as `v1=…`; and a timestamp within five minutes.
fn verifies(secret: &str, timestamp: &str, signature: &str, body: &[u8], now: i64) -> bool {
    let Ok(ts) = timestamp.parse::<i64>() else {
        return false;
    };
    if (now - ts).abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    signature == format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Every item cursor of `license`'s change feed as its employee reads it, to the end.
async fn feed(app: &TestApp, license: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut after = String::new();
    loop {
        let mut call = app
            .get(license, "/tagtrail/v1/changes")
            .query("pageSize", "500");
        if !after.is_empty() {
            call = call.query("after", &after);
        }
        let page = call.send().await.ok().json();
        for i in page["Data"].as_array().expect("Data") {
            out.insert(str_field(i, "Cursor"));
        }
        let next = str_field(&page, "Next");
        if next == after {
            return out;
        }
        after = next;
    }
}

/// Waits until `done` holds, polling.
async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Subscribes `license`'s employee to `url` for `license`; the answer.
async fn subscribe(app: &TestApp, license: &str, url: &str) -> Value {
    app.call(Method::PUT, "/webhooks/v2")
        .acting_as(license)
        .json(
            json!({"objectType": "*", "url": url, "verb": "*", "status": "Active",
                     "facilityLicenseNumbers": license}),
        )
        .send()
        .await
        .ok()
        .json()
}

async fn subscription(app: &TestApp, license: &str, id: i64) -> Value {
    let all = app
        .call(Method::GET, "/webhooks/v2")
        .acting_as(license)
        .send()
        .await
        .ok()
        .json();
    all.as_array()
        .expect("an array")
        .iter()
        .find(|w| w["id"].as_i64() == Some(id))
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn webhook_endpoints_answer_and_refuse() {
    for_each_backend_with(hooks(10, true), async |app| {
        let (_r, url) = Receiver::start(0, false).await;
        // 401 without credentials or with a wrong key, on each endpoint.
        for (m, p) in [
            (Method::GET, "/webhooks/v2"),
            (Method::PUT, "/webhooks/v2"),
            (Method::DELETE, "/webhooks/v2/1"),
            (Method::PUT, "/webhooks/v2/disable/1"),
            (Method::PUT, "/webhooks/v2/enable/1"),
        ] {
            app.call(m.clone(), p).send().await.status(401);
            app.call(m, p).keys("nope", "nada").send().await.status(401);
        }
        // Created: an id and the secret, shown once; the body's casing does not matter.
        let created = app
            .call(Method::PUT, "/webhooks/v2")
            .acting_as(CULTIVATOR)
            .json(json!({"ObjectType": "Package,Strain", "Url": url, "Verb": "Created",
                         "FacilityLicenseNumbers": CULTIVATOR, "template": "{}"}))
            .send()
            .await
            .ok()
            .json();
        let id = created["id"].as_i64().expect("an id");
        let secret = created["secret"].as_str().expect("the secret").to_string();
        assert!(secret.starts_with("whsec_") && secret.len() > 40, "{secret}");
        assert_eq!(created["status"], "Active");
        assert_eq!(created["objectType"], "Package,Strain");
        assert_eq!(created["facilityLicenseNumbers"], CULTIVATOR);
        // Listed, never with the secret.
        let listed = app
            .call(Method::GET, "/webhooks/v2")
            .acting_as(CULTIVATOR)
            .send()
            .await
            .ok();
        assert!(!listed.body.contains(&secret), "{}", listed.body);
        assert_eq!(listed.json().as_array().map(Vec::len), Some(1));
        // The same URL again replaces it: same id, no secret.
        let replaced = app
            .call(Method::PUT, "/webhooks/v2")
            .acting_as(CULTIVATOR)
            .json(json!({"objectType": ["Package"], "url": url, "verb": "*",
                         "facilityLicenseNumbers": [CULTIVATOR]}))
            .send()
            .await
            .ok()
            .json();
        assert_eq!(replaced["id"].as_i64(), Some(id));
        assert!(replaced.get("secret").is_none(), "{replaced}");
        assert_eq!(replaced["objectType"], "Package");
        // Disable, with the reason visible; enable.
        let off = app
            .call(Method::PUT, &format!("/webhooks/v2/disable/{id}"))
            .acting_as(CULTIVATOR)
            .send()
            .await
            .ok()
            .json();
        assert_eq!(off["status"], "Inactive");
        assert_eq!(off["disabledReason"], "Disabled by the vendor.");
        let on = app
            .call(Method::PUT, &format!("/webhooks/v2/enable/{id}"))
            .acting_as(CULTIVATOR)
            .send()
            .await
            .ok()
            .json();
        assert_eq!((on["status"].as_str(), on["disabledReason"].as_str()), (Some("Active"), None));
        // The delivery log and replay (tagtrail extensions).
        app.call(Method::GET, &format!("/tagtrail/v1/webhooks/{id}/deliveries"))
            .acting_as(CULTIVATOR)
            .send()
            .await
            .ok();
        app.call(Method::PUT, &format!("/tagtrail/v1/webhooks/{id}/replay"))
            .acting_as(CULTIVATOR)
            .query("after", "not-a-cursor")
            .send()
            .await
            .status(400);
        app.call(Method::PUT, &format!("/tagtrail/v1/webhooks/{id}/replay"))
            .acting_as(CULTIVATOR)
            .query("after", "1")
            .query("licenseNumber", MANUFACTURER)
            .send()
            .await
            .status(400);
        // 400s: bodies and values that cannot be stored are refused, never a 500.
        for bad in [
            json!([{"url": url}]),
            json!({"url": "ftp://example.com/x", "facilityLicenseNumbers": CULTIVATOR}),
            json!({"url": format!("http://example.com/{}", "x".repeat(3000)), "facilityLicenseNumbers": CULTIVATOR}),
            json!({"url": "http://example.com/\u{0}", "facilityLicenseNumbers": CULTIVATOR}),
            json!({"url": url, "facilityLicenseNumbers": ""}),
            json!({"url": url, "facilityLicenseNumbers": "x".repeat(300)}),
            json!({"url": url, "facilityLicenseNumbers": CULTIVATOR, "status": "Sleeping"}),
            json!({"url": url, "facilityLicenseNumbers": CULTIVATOR, "objectType": "Pack age"}),
            json!({"url": url, "facilityLicenseNumbers": CULTIVATOR, "template": "t".repeat(9000)}),
            json!({"url": url, "facilityLicenseNumbers": CULTIVATOR, "userApiKey": "someone-else"}),
        ] {
            app.call(Method::PUT, "/webhooks/v2")
                .acting_as(CULTIVATOR)
                .json(bad.clone())
                .send()
                .await
                .status(400);
        }
        app.call(Method::PUT, "/webhooks/v2")
            .acting_as(CULTIVATOR)
            .raw_body("{not json")
            .send()
            .await
            .status(400);
        // 404s: not a number, another vendor's or a deleted subscription.
        app.call(Method::PUT, "/webhooks/v2/enable/abc")
            .acting_as(CULTIVATOR)
            .send()
            .await
            .status(404);
        app.call(Method::DELETE, &format!("/webhooks/v2/{id}"))
            .acting_as(CULTIVATOR)
            .send()
            .await
            .ok();
        for (m, p) in [
            (Method::DELETE, format!("/webhooks/v2/{id}")),
            (Method::PUT, format!("/webhooks/v2/disable/{id}")),
            (Method::PUT, format!("/webhooks/v2/enable/{id}")),
            (Method::PUT, format!("/tagtrail/v1/webhooks/{id}/replay")),
            (Method::GET, format!("/tagtrail/v1/webhooks/{id}/deliveries")),
        ] {
            app.call(m, &p).acting_as(CULTIVATOR).send().await.status(404);
        }
        let none = app
            .call(Method::GET, "/webhooks/v2")
            .acting_as(CULTIVATOR)
            .send()
            .await
            .ok()
            .json();
        assert_eq!(none, json!([]));
    })
    .await;
}

#[tokio::test]
async fn internal_targets_are_refused_without_the_operators_flag() {
    for_each_backend_with(hooks(10, false), async |app| {
        for url in [
            "http://127.0.0.1:9/hook",
            "http://localhost/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/hook",
            "http://10.0.0.8/hook",
        ] {
            let r = app
                .call(Method::PUT, "/webhooks/v2")
                .acting_as(CULTIVATOR)
                .json(json!({"url": url, "facilityLicenseNumbers": CULTIVATOR}))
                .send()
                .await
                .status(400);
            assert!(r.message().contains("private"), "{}", r.body);
        }
    })
    .await;
}

#[tokio::test]
async fn every_change_arrives_once_after_dedup_across_a_receiver_failing_five_times() {
    for_each_backend_with(hooks(10, true), async |app| {
        let (r, url) = Receiver::start(5, false).await;
        let created = subscribe(app, CULTIVATOR, &url).await;
        let id = created["id"].as_i64().expect("an id");
        let secret = created["secret"].as_str().expect("a secret").to_string();
        // Changes while the receiver is failing, and after.
        app.post(CULTIVATOR, "/strains/v2", json!([{"Name": "Webhook Haze"}]))
            .send()
            .await
            .ok();
        let want = feed(app, CULTIVATOR).await;
        wait_for("every change delivered", async || {
            r.accepted_cursors().is_superset(&want)
        })
        .await;
        app.post(CULTIVATOR, "/strains/v2", json!([{"Name": "Late Lime"}]))
            .send()
            .await
            .ok();
        let want = feed(app, CULTIVATOR).await;
        wait_for("the later change delivered", async || {
            r.accepted_cursors().is_superset(&want)
        })
        .await;
        // Exactly once after de-duplication, and nothing outside the employee's feed.
        assert_eq!(r.accepted_cursors(), want);
        let got = r.got();
        let failed: Vec<&Got> = got.iter().filter(|g| g.answered >= 300).collect();
        assert_eq!(failed.len(), 5);
        // The first batch was retried with the same delivery id (the receiver's de-dup key).
        assert!(got[..6].iter().all(|g| g.id == got[0].id), "{got:?}");
        let now = chrono::Utc::now().timestamp();
        for g in &got {
            assert!(
                verifies(&secret, &g.timestamp, &g.signature, &g.body, now),
                "{g:?}"
            );
            let body: Value = serde_json::from_slice(&g.body).expect("JSON");
            assert_eq!(body["subscriptionId"].as_i64(), Some(id));
            assert_eq!(body["licenseNumber"], CULTIVATOR);
            for i in items(g) {
                assert_eq!(str_field(&i, "LicenseNumber"), CULTIVATOR);
            }
        }
        // A tampered body, a wrong secret or a replayed old timestamp does not verify.
        let g = &got[0];
        let mut tampered = g.body.to_vec();
        tampered.push(b' ');
        assert!(!verifies(
            &secret,
            &g.timestamp,
            &g.signature,
            &tampered,
            now
        ));
        assert!(!verifies(
            "whsec_wrong",
            &g.timestamp,
            &g.signature,
            &g.body,
            now
        ));
        assert!(!verifies(
            &secret,
            &g.timestamp,
            &g.signature,
            &g.body,
            now + 3600
        ));
        // The log shows five failures (attempts 1..5, HTTP 500) then the success (attempt 6).
        let mut log: Vec<Value> = app
            .call(
                Method::GET,
                &format!("/tagtrail/v1/webhooks/{id}/deliveries"),
            )
            .acting_as(CULTIVATOR)
            .query("pageSize", "20")
            .send()
            .await
            .ok()
            .json()
            .as_array()
            .cloned()
            .expect("a log");
        log.reverse();
        let first: Vec<(i64, i64)> = log[..6]
            .iter()
            .map(|a| {
                (
                    a["attempt"].as_i64().unwrap_or(0),
                    a["httpStatus"].as_i64().unwrap_or(0),
                )
            })
            .collect();
        assert_eq!(
            first,
            vec![(1, 500), (2, 500), (3, 500), (4, 500), (5, 500), (6, 204)]
        );
        let w = subscription(app, CULTIVATOR, id).await;
        assert_eq!(w["consecutiveFailures"].as_i64(), Some(0));
        assert_eq!(w["status"], "Active");
        assert_eq!(w["lastResult"], "HTTP 204");
    })
    .await;
}

#[tokio::test]
async fn repeated_failure_disables_with_the_reason_then_enable_resumes_and_replay_redelivers() {
    for_each_backend_with(hooks(3, true), async |app| {
        let (r, url) = Receiver::start(0, true).await;
        let id = subscribe(app, CULTIVATOR, &url).await["id"]
            .as_i64()
            .expect("an id");
        wait_for("the subscription disabled", async || {
            subscription(app, CULTIVATOR, id).await["status"] == "Inactive"
        })
        .await;
        let w = subscription(app, CULTIVATOR, id).await;
        let reason = w["disabledReason"].as_str().unwrap_or_default().to_string();
        assert!(
            reason.contains("3 failed deliveries") && reason.contains("HTTP 500"),
            "{reason}"
        );
        assert!(w["disabledAt"].is_string(), "{w}");
        // Exactly max_failures attempts, and nothing more while disabled.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(r.got().len(), 3);
        let log = app
            .call(
                Method::GET,
                &format!("/tagtrail/v1/webhooks/{id}/deliveries"),
            )
            .acting_as(CULTIVATOR)
            .send()
            .await
            .ok()
            .json();
        assert_eq!(log.as_array().map(Vec::len), Some(3));
        // The receiver recovers; enable resumes from the position, which never moved.
        r.set_always_fail(false);
        app.call(Method::PUT, &format!("/webhooks/v2/enable/{id}"))
            .acting_as(CULTIVATOR)
            .send()
            .await
            .ok();
        let want = feed(app, CULTIVATOR).await;
        wait_for("delivery after enable", async || {
            r.accepted_cursors().is_superset(&want)
        })
        .await;
        assert_eq!(r.accepted_cursors(), want);
        // Replay from a cursor in the middle: exactly what follows it comes again.
        let all: Vec<String> = {
            let mut v: Vec<String> = want.iter().cloned().collect();
            v.sort_by_key(|c| {
                let (s, o) = c.split_once('.').unwrap_or((c, "0"));
                (s.parse::<i64>().unwrap_or(0), o.parse::<i64>().unwrap_or(0))
            });
            v
        };
        let mid = all[all.len() / 2].clone();
        let expected: BTreeSet<String> = all[all.len() / 2 + 1..].iter().cloned().collect();
        let before = r.got().len();
        app.call(Method::PUT, &format!("/tagtrail/v1/webhooks/{id}/replay"))
            .acting_as(CULTIVATOR)
            .query("after", &mid)
            .send()
            .await
            .ok();
        wait_for("the replay", async || {
            let again: BTreeSet<String> = r.got()[before..]
                .iter()
                .flat_map(|g| items(g).into_iter().map(|i| str_field(&i, "Cursor")))
                .collect();
            again == expected
        })
        .await;
    })
    .await;
}

#[tokio::test]
async fn rule_5_a_subscription_reads_only_its_employees_licenses_and_stops_when_employment_ends() {
    for_each_backend_with(hooks(10, true), async |app| {
        let (r, url) = Receiver::start(0, false).await;
        // Another license than the employee's: refused as every read of it is (401).
        app.call(Method::PUT, "/webhooks/v2")
            .acting_as(CULTIVATOR)
            .json(json!({"url": url, "facilityLicenseNumbers": [CULTIVATOR, MANUFACTURER]}))
            .send()
            .await
            .status(401);
        let id = subscribe(app, CULTIVATOR, &url).await["id"]
            .as_i64()
            .expect("an id");
        let want = feed(app, CULTIVATOR).await;
        wait_for("the history delivered", async || {
            r.accepted_cursors().is_superset(&want)
        })
        .await;
        // The employment ends (rule 5): the next change is not delivered; the subscription is
        // disabled with why.
        let who = app
            .ledger
            .subscriber(&app.creds.vendor_key, app.user_key(CULTIVATOR))
            .await
            .expect("the keys");
        let user_id = who.acting.user().expect("an employee").id;
        let operator = tagtrail_app::Acting::operator("test");
        let scope = app
            .ledger
            .authorize(&operator, CULTIVATOR, &[])
            .await
            .expect("the license");
        app.ledger
            .run::<tagtrail_app::actions::people::Deactivate>(
                &scope,
                tagtrail_app::Door::operator("test", json!({"Test": "end employment"})),
                &user_id,
            )
            .await
            .expect("the employment ends");
        let seen = r.got().len();
        wait_for("the subscription disabled", async || {
            subscription_by_ledger(app, &who, id).await == "Inactive"
        })
        .await;
        let w = app
            .ledger
            .own_webhook(&who, id)
            .await
            .expect("the subscription");
        let reason = w.disabled_reason.unwrap_or_default();
        assert!(reason.contains(CULTIVATOR), "{reason}");
        // Nothing after the employment ended reached the receiver.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(r.got().len(), seen);
    })
    .await;
}

/// The subscription's status read in-process (the employee's keys no longer open the API at a
/// license they left, but the vendor still lists it).
async fn subscription_by_ledger(
    app: &TestApp,
    who: &tagtrail_app::webhooks::Subscriber,
    id: i64,
) -> String {
    app.ledger
        .own_webhook(who, id)
        .await
        .map(|w| w.status)
        .unwrap_or_default()
}
