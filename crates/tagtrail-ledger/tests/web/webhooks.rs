//! The Webhooks pages: a facility's manager sees every subscription reading the license (the
//! integrator, whose key, where it posts, status, position) and its delivery log; an employee
//! without Manage Employees sees only the subscription reading with their own key; another
//! facility's people see nothing of them. Disabling asks first and needs the CSRF token; the
//! signing secret (shown once, over the API) appears on no page.

use crate::browser::Browser;
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tagtrail_app::Config;
use tagtrail_app::webhooks::{WebhookKey, WebhookSettings};

/// Webhooks on, loopback receivers allowed (the receiver runs in the test), fast retries.
fn hooks() -> Config {
    Config {
        webhooks: WebhookSettings {
            key: Some(WebhookKey::from_text(&hex::encode([6u8; 32])).expect("a key")),
            allow_private_targets: true,
            backoff_base: Duration::from_millis(20),
            backoff_cap: Duration::from_millis(200),
            poll: Duration::from_millis(100),
            ..WebhookSettings::default()
        },
        ..test_config()
    }
}

/// A receiver on loopback that accepts everything; its URL.
async fn receiver() -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(|| async { StatusCode::NO_CONTENT }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let url = format!("http://{}/hook", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// Creates a subscription over the API; its id and secret.
async fn subscribe(app: &TestApp, clerk: bool, url: &str) -> (i64, String) {
    let call = app.call(Method::PUT, "/webhooks/v2");
    let call = if clerk {
        call.acting_as_clerk()
    } else {
        call.acting_as(DISTRIBUTOR)
    };
    let created = call
        .json(
            json!({"objectType": "*", "url": url, "verb": "*", "status": "Active",
                     "facilityLicenseNumbers": DISTRIBUTOR}),
        )
        .send()
        .await
        .ok()
        .json();
    let id = created["id"].as_i64().expect("an id");
    let secret = created["secret"].as_str().expect("the secret").to_string();
    (id, secret)
}

/// The subscription's status as the vendor reads it over the API.
async fn api_status(app: &TestApp, id: i64) -> String {
    let all: Value = app
        .call(Method::GET, "/webhooks/v2")
        .acting_as(DISTRIBUTOR)
        .send()
        .await
        .ok()
        .json();
    all.as_array()
        .and_then(|a| a.iter().find(|w| w["id"].as_i64() == Some(id)))
        .map(|w| str_field(w, "status"))
        .unwrap_or_default()
}

fn page(rest: &str) -> String {
    format!("/ui/l/{DISTRIBUTOR}/webhooks{rest}")
}

#[tokio::test]
async fn a_facility_sees_who_receives_its_data_and_may_disable_it() {
    for_each_backend_with(hooks(), async |app| {
        let b = app.backend;
        let url = receiver().await;
        let (mine, secret_a) = subscribe(app, false, &url).await;
        let (clerks, secret_b) = subscribe(app, true, &format!("{url}?token=sekrit")).await;
        let manager = Browser::sign_in(app, DISTRIBUTOR).await;
        let clerk_creds = app.creds.restricted.first().expect("the demo's clerk");
        let clerk =
            Browser::sign_in_at(&app.base_url, &clerk_creds.username, &clerk_creds.password).await;
        let other = Browser::sign_in(app, CULTIVATOR).await;
        let mut seen: Vec<String> = Vec::new();

        // The manager: both subscriptions, the vendor key's name, the receiver without its query.
        let list = manager.get(&page("")).await;
        assert_eq!(list.status, StatusCode::OK, "[{b}]");
        assert!(
            list.body.contains(&format!("subscription {mine}<")),
            "[{b}] {}",
            list.body
        );
        assert!(
            list.body.contains(&format!("subscription {clerks}<")),
            "[{b}]"
        );
        assert!(list.body.contains("Sam Rivera"), "[{b}] the clerk's name");
        assert!(list.body.contains("/hook"), "[{b}] the receiver's path");
        assert!(
            !list.body.contains("sekrit"),
            "[{b}] the receiver's query is not shown"
        );
        assert!(
            list.body.contains(">Webhooks</a>"),
            "[{b}] the nav links the page"
        );
        seen.push(list.body);

        // Deliveries arrive and are logged, newest first.
        let deadline = Instant::now() + Duration::from_secs(60);
        let detail = loop {
            let d = manager.get(&page(&format!("/{mine}"))).await;
            assert_eq!(d.status, StatusCode::OK, "[{b}]");
            if d.body.contains("Delivered") {
                break d;
            }
            assert!(Instant::now() < deadline, "[{b}] no delivery logged");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert!(
            detail.body.contains("Sent up to journal entry"),
            "[{b}] the position"
        );
        assert!(
            detail.body.contains("id=\"disable\""),
            "[{b}] the manager may disable"
        );
        seen.push(detail.body);

        // The clerk (no Manage Employees): only their own subscription, no nav entry.
        let theirs = clerk.get(&page("")).await;
        assert_eq!(theirs.status, StatusCode::OK, "[{b}]");
        assert!(
            theirs.body.contains(&format!("subscription {clerks}<")),
            "[{b}]"
        );
        assert!(
            !theirs.body.contains(&format!("subscription {mine}<")),
            "[{b}]"
        );
        assert!(
            !theirs.body.contains(">Webhooks</a>"),
            "[{b}] not offered in the nav"
        );
        assert_eq!(
            clerk.get(&page(&format!("/{mine}"))).await.status,
            StatusCode::NOT_FOUND,
            "[{b}]"
        );
        seen.push(theirs.body);

        // A state inspector of the license: every subscription, read-only.
        let insp = app.creds.inspector.as_ref().expect("the demo's inspector");
        if insp.licenses.iter().any(|l| l == DISTRIBUTOR) {
            let inspector =
                Browser::sign_in_at(&app.base_url, &insp.username, &insp.password).await;
            let read = inspector.get(&page(&format!("/{mine}"))).await;
            assert_eq!(read.status, StatusCode::OK, "[{b}]");
            assert!(!read.body.contains("id=\"disable\""), "[{b}] read-only");
            let tried = inspector
                .post(
                    &page(&format!("/{mine}/disable")),
                    &[("csrf", inspector.csrf.as_str()), ("confirmed", "yes")],
                )
                .await;
            assert_eq!(tried.status, StatusCode::FORBIDDEN, "[{b}]");
            seen.push(read.body);
        }

        // Another facility's employee: not employed here; at home, nothing of these.
        assert_eq!(
            other.get(&page("")).await.status,
            StatusCode::UNAUTHORIZED,
            "[{b}]"
        );
        assert_eq!(
            other.get(&page(&format!("/{mine}"))).await.status,
            StatusCode::UNAUTHORIZED,
            "[{b}]"
        );
        let home = other.get(&format!("/ui/l/{CULTIVATOR}/webhooks")).await;
        assert_eq!(home.status, StatusCode::OK, "[{b}]");
        assert!(home.body.contains("id=\"no-webhooks\""), "[{b}]");
        let there = other
            .get(&format!("/ui/l/{CULTIVATOR}/webhooks/{mine}"))
            .await;
        assert_eq!(there.status, StatusCode::NOT_FOUND, "[{b}]");
        let sneak = other
            .post(
                &format!("/ui/l/{CULTIVATOR}/webhooks/{mine}/disable"),
                &[("csrf", other.csrf.as_str()), ("confirmed", "yes")],
            )
            .await;
        assert_eq!(sneak.status, StatusCode::NOT_FOUND, "[{b}]");

        // Disabling: refused without the token, asks without confirmation, then done.
        let to = page(&format!("/{mine}/disable"));
        let forged = manager.post(&to, &[("confirmed", "yes")]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "[{b}]");
        let ask = manager.post(&to, &[("csrf", manager.csrf.as_str())]).await;
        assert_eq!(ask.status, StatusCode::OK, "[{b}]");
        assert!(ask.body.contains("Yes, disable"), "[{b}] asks first");
        assert_eq!(
            api_status(app, mine).await,
            "Active",
            "[{b}] nothing changed yet"
        );
        seen.push(ask.body);
        let done = manager
            .post(
                &to,
                &[("csrf", manager.csrf.as_str()), ("confirmed", "yes")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "[{b}]");
        assert_eq!(
            done.location.as_deref(),
            Some(page(&format!("/{mine}")).as_str()),
            "[{b}]"
        );
        assert_eq!(api_status(app, mine).await, "Inactive", "[{b}]");
        let off = manager.get(&page(&format!("/{mine}"))).await;
        assert!(off.body.contains("disabled: "), "[{b}] the flash says so");
        assert!(
            off.body.contains("Disabled by "),
            "[{b}] the reason names who"
        );
        assert!(off.body.contains("id=\"enable\""), "[{b}]");
        seen.push(off.body);

        // The clerk may not change the manager's, but may their own; the manager re-enables.
        let theirs_off = clerk
            .post(
                &page(&format!("/{clerks}/disable")),
                &[("csrf", clerk.csrf.as_str()), ("confirmed", "yes")],
            )
            .await;
        assert_eq!(theirs_off.status, StatusCode::SEE_OTHER, "[{b}]");
        assert_eq!(api_status(app, clerks).await, "Inactive", "[{b}]");
        let not_theirs = clerk
            .post(
                &page(&format!("/{mine}/enable")),
                &[("csrf", clerk.csrf.as_str())],
            )
            .await;
        assert_eq!(not_theirs.status, StatusCode::NOT_FOUND, "[{b}]");
        let on = manager
            .post(
                &page(&format!("/{mine}/enable")),
                &[("csrf", manager.csrf.as_str())],
            )
            .await;
        assert_eq!(on.status, StatusCode::SEE_OTHER, "[{b}]");
        assert_eq!(api_status(app, mine).await, "Active", "[{b}]");
        seen.push(manager.get(&page(&format!("/{mine}"))).await.body);
        seen.push(clerk.get(&page(&format!("/{clerks}"))).await.body);

        // The signing secret is on no page.
        for body in &seen {
            for secret in [&secret_a, &secret_b] {
                assert!(!body.contains(secret.as_str()), "[{b}] a secret on a page");
            }
            assert!(!body.contains("whsec_"), "[{b}]");
        }
    })
    .await;
}
