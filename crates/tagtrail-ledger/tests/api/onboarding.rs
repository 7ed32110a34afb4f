//! Onboarding (seeds 000 and 001, steps 1 and 2; rules 1 and 3): a license issued to an account
//! manager is closed to its people, at the Metrc API and at the web UI's sign-in alike, until the
//! operator records the account manager's training; a temporary license never opens; and the
//! account manager's key reaches their own license only.

use crate::helpers::*;
use reqwest::Method;
use reqwest::header::{COOKIE, ORIGIN, SET_COOKIE};
use serde_json::json;
use tagtrail_app::actions::people::{
    CreateEmployee, Employ, IssueLicense, IssueUserKey, LicenseApplication, NewEmployee,
    PasswordHash, RecordTraining, SetPermissions, TrainingRecord,
};
use tagtrail_app::{Acting, Door};
use tagtrail_domain::commands::people::{FacilitySpec, Grant};
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::records::LicenseKind;

const PASSWORD: &str = "onboarding-pass-1";

fn operator() -> Acting {
    Acting::operator("test")
}

fn door(what: &str) -> Door {
    Door::operator("test harness", json!({ "Test": what }))
}

/// A new user with a password and a user API key (the operator's), returning the key.
async fn person(app: &TestApp, username: &str) -> String {
    let req = NewEmployee {
        username: username.into(),
        full_name: format!("{username} Onboarded"),
        employee_license_number: format!("EMP-{username}"),
        password: Some(PasswordHash::of(PASSWORD).await.expect("a good password")),
    };
    app.ledger
        .run_system::<CreateEmployee>(&operator(), door("user"), &req)
        .await
        .expect("the user is created");
    app.ledger
        .run_system::<IssueUserKey>(&operator(), door("key"), &username.to_string())
        .await
        .expect("a key")
        .1
        .key
}

async fn issue(app: &TestApp, license: &str, kind: LicenseKind, manager: &str) {
    let a = LicenseApplication {
        facility: FacilitySpec {
            license_number: license.into(),
            license_type: LicenseType::Retailer,
            name: "Onboarding Dispensary".into(),
            address: None,
            license_start_date: "2026-01-01".into(),
            license_end_date: "2026-12-31".into(),
        },
        kind,
        account_manager: Some(manager.into()),
    };
    app.ledger
        .run_system::<IssueLicense>(&operator(), door("license"), &a)
        .await
        .expect("the license is issued");
}

async fn train(app: &TestApp, license: &str) {
    let t = TrainingRecord {
        license_number: license.into(),
        completed: None,
    };
    app.ledger
        .run_system::<RecordTraining>(&operator(), door("training"), &t)
        .await
        .expect("the training is recorded");
}

/// The status and page of signing in to the web UI through its form.
async fn web_sign_in(app: &TestApp, username: &str) -> (u16, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let base = &app.base_url;
    let form = http
        .get(format!("{base}/ui/login"))
        .send()
        .await
        .expect("the sign-in form");
    let token_cookie = form
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("tagtrail_signin="))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
        .expect("the form's token cookie");
    let html = form.text().await.unwrap_or_default();
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("the form's token")
        + 19;
    let token = &html[at..at + html[at..].find('"').unwrap_or(0)];
    let resp = http
        .post(format!("{base}/ui/login"))
        .header(COOKIE, format!("tagtrail_signin={token_cookie}"))
        .header(ORIGIN, base.as_str())
        .form(&[
            ("csrf", token),
            ("username", username),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("signing in");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

/// Rule 3: until the account manager's training is recorded, the license's people get 403 with
/// the reason at the API, the API lists no facility for them, and the web UI's sign-in says
/// why; afterwards all of it works, and the key still reaches no other license.
#[tokio::test]
async fn an_untrained_account_managers_license_is_closed_at_every_door() {
    for_each_backend(async |app| {
        let b = app.backend;
        const LIC: &str = "C10-0000951-LIC";
        let key = person(app, "amelia").await;
        issue(app, LIC, LicenseKind::Annual, "amelia").await;
        let vendor = app.creds.vendor_key.clone();
        let items = || {
            app.call(Method::GET, "/items/v2/active")
                .keys(&vendor, &key)
                .license(LIC)
        };
        let refused = items().send().await.status(403);
        assert!(
            refused.message().contains("training is not yet recorded"),
            "[{b}] {}",
            refused.body
        );
        let listed = app
            .call(Method::GET, "/facilities/v2")
            .keys(&vendor, &key)
            .send()
            .await
            .ok()
            .json();
        assert_eq!(listed, json!([]), "[{b}] no facility is listed yet");
        let (status, page) = web_sign_in(app, "amelia").await;
        assert_eq!(status, 403, "[{b}] {page}");
        assert!(
            page.contains("account-manager training") && page.contains("not yet recorded"),
            "[{b}] the sign-in page says why: {page}"
        );
        // An employee the operator put there is told to ask the account manager.
        let _ = person(app, "eddie").await;
        let hire = Employ {
            username: "eddie".into(),
            license_number: LIC.into(),
            grant: Grant {
                permissions: vec!["Manage Items".into()],
                ..Grant::default()
            },
        };
        app.ledger
            .run_system::<SetPermissions>(&operator(), door("employ"), &hire)
            .await
            .expect("employed");
        let (status, page) = web_sign_in(app, "eddie").await;
        assert_eq!(status, 403, "[{b}]");
        assert!(
            page.contains("amelia Onboarded"),
            "[{b}] names whom to ask: {page}"
        );

        train(app, LIC).await;
        items().send().await.ok();
        let listed = app
            .call(Method::GET, "/facilities/v2")
            .keys(&vendor, &key)
            .send()
            .await
            .ok()
            .json();
        assert_eq!(listed[0]["License"]["Number"], LIC, "[{b}] {listed}");
        assert_eq!(web_sign_in(app, "amelia").await.0, 303, "[{b}]");
        // The account manager's key reaches their own license only.
        app.call(Method::GET, "/items/v2/active")
            .keys(&vendor, &key)
            .license(CULTIVATOR)
            .send()
            .await
            .status(401);
    })
    .await;
}

/// Rule 1 (seed 001): a temporary licensee is not provided access, trained or not.
#[tokio::test]
async fn a_temporary_license_is_closed_for_good() {
    for_each_backend(async |app| {
        let b = app.backend;
        const LIC: &str = "C10-0000952-LIC";
        let key = person(app, "tomas").await;
        issue(app, LIC, LicenseKind::Temporary, "tomas").await;
        train(app, LIC).await;
        let refused = app
            .call(Method::GET, "/packages/v2/active")
            .keys(&app.creds.vendor_key, &key)
            .license(LIC)
            .send()
            .await
            .status(403);
        assert!(refused.message().contains("temporary license"), "[{b}]");
        let (status, page) = web_sign_in(app, "tomas").await;
        assert_eq!(status, 403, "[{b}]");
        assert!(page.contains("temporary license"), "[{b}] {page}");
        // The demo's licenses, issued and trained the same way, are open.
        app.get(CULTIVATOR, "/items/v2/active").send().await.ok();
    })
    .await;
}
