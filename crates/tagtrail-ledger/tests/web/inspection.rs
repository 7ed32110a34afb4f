//! Finding things and inspecting them (issue 9): search by part of a UID, a package's address by
//! its UID alone, the state inspector's read-only access to the licenses granted to them, and a
//! refused form that comes back as typed with its message kept in the session, not the address.

use crate::browser::{Browser, element};
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

fn field(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// One of the distributor's active packages: (id, label).
async fn a_distributor_package(app: &TestApp) -> (i64, String) {
    let p = app
        .list(DISTRIBUTOR, "/packages/v2/active")
        .await
        .into_iter()
        .next()
        .expect("the demo distributor holds packages");
    (
        p.get("Id").and_then(Value::as_i64).unwrap_or_default(),
        field(&p, "Label"),
    )
}

async fn inspector(app: &TestApp) -> Browser {
    let i = app
        .creds
        .inspector
        .clone()
        .expect("the demo seeds an inspector");
    Browser::sign_in_at(&app.base_url, &i.username, &i.password).await
}

/// The inspector reads every page of a license granted to them and nothing of the one that is
/// not; they are offered no form, and a write posted anyway is refused (403) with nothing
/// journaled.
#[tokio::test]
async fn an_inspector_reads_granted_licenses_and_writes_nothing() {
    for_each_backend(async |app| {
        let b = app.backend;
        let (id, label) = a_distributor_package(app).await;
        let web = inspector(app).await;
        let home = web.get("/ui").await;
        assert!(home.body.contains("Licenses you inspect"), "[{b}]");
        assert!(
            home.body.contains(DISTRIBUTOR) && !home.body.contains(LAB),
            "[{b}]"
        );
        let base = format!("/ui/l/{DISTRIBUTOR}");
        for path in ["/dashboard", "/packages", "/transfers", "/journal", "/tags"] {
            let page = web.get(&format!("{base}{path}")).await;
            assert!(
                page.status == StatusCode::OK || page.status == StatusCode::SEE_OTHER,
                "[{b}] {path}: {}",
                page.status
            );
        }
        let detail = web.get(&format!("{base}/packages/{id}")).await;
        assert_eq!(detail.status, StatusCode::OK, "[{b}]");
        assert!(detail.body.contains(&label), "[{b}]");
        assert!(
            !detail.body.contains("/adjust\""),
            "[{b}] no adjust form for an inspector"
        );
        let lab = web.get(&format!("/ui/l/{LAB}/packages")).await;
        assert_eq!(lab.status, StatusCode::UNAUTHORIZED, "[{b}] not granted");

        let head = app.journal_head(DISTRIBUTOR).await;
        let posted = web
            .post(
                &format!("{base}/packages/{id}/note"),
                &[
                    ("csrf", &web.csrf),
                    ("note", "inspected"),
                    ("confirmed", "yes"),
                ],
            )
            .await;
        assert_eq!(
            posted.status,
            StatusCode::FORBIDDEN,
            "[{b}] {}",
            posted.body
        );
        assert!(posted.body.contains("read-only"), "[{b}] {}", posted.body);
        assert_eq!(
            app.journal_head(DISTRIBUTOR).await,
            head,
            "[{b}] nothing written"
        );

        // The inspection card by the whole UID and by its last digits.
        let card = web.get(&format!("/ui/inspect?uid={label}")).await;
        assert!(
            element(&card.body, "<article", "</article>").contains(&label),
            "[{b}]"
        );
        let tail = &label[label.len() - 5..];
        let partial = web.get(&format!("/ui/inspect?uid={tail}")).await;
        assert!(
            element(&partial.body, "<ul class=\"matches\"", "</ul>").contains(&label),
            "[{b}] {}",
            partial.body
        );
    })
    .await;
}

/// Search finds a package by part of its UID at the license, goes straight to it by its whole
/// UID, and never shows another license's package; `/ui/packages/{UID}` opens the package where
/// the person may see it and says "no such package" to anyone else.
#[tokio::test]
async fn search_finds_by_partial_uid_and_never_across_licenses() {
    for_each_backend(async |app| {
        let b = app.backend;
        let (id, label) = a_distributor_package(app).await;
        let distro = Browser::sign_in(app, DISTRIBUTOR).await;
        let tail = label[label.len() - 6..].to_lowercase();
        let found = distro
            .get(&format!("/ui/l/{DISTRIBUTOR}/search?q={tail}"))
            .await;
        assert_eq!(found.status, StatusCode::OK, "[{b}]");
        assert!(found.body.contains(&label), "[{b}] lower case finds it too");
        let exact = distro
            .get(&format!("/ui/l/{DISTRIBUTOR}/search?q={label}"))
            .await;
        assert_eq!(exact.status, StatusCode::SEE_OTHER, "[{b}]");
        assert_eq!(
            exact.location.as_deref(),
            Some(format!("/ui/l/{DISTRIBUTOR}/packages/{id}").as_str()),
            "[{b}]"
        );
        let by_uid = distro.get(&format!("/ui/packages/{label}")).await;
        assert_eq!(
            by_uid.location.as_deref(),
            Some(format!("/ui/l/{DISTRIBUTOR}/packages/{id}").as_str()),
            "[{b}]"
        );
        let by_uid_at_license = distro
            .get(&format!("/ui/l/{DISTRIBUTOR}/packages/{label}"))
            .await;
        assert_eq!(by_uid_at_license.status, StatusCode::SEE_OTHER, "[{b}]");

        let retailer = Browser::sign_in(app, RETAILER).await;
        let theirs = retailer
            .get(&format!("/ui/l/{RETAILER}/search?q={label}"))
            .await;
        // The page repeats what was searched for; it links to no package of another license.
        let link = format!("/packages/{id}\"");
        assert!(theirs.body.contains("id=\"no-hits\""), "[{b}]");
        assert!(
            !theirs.body.contains(&link),
            "[{b}] another license's package"
        );
        let everywhere = retailer.get(&format!("/ui/search?q={tail}")).await;
        assert!(!everywhere.body.contains(&link), "[{b}]");
        let denied = retailer.get(&format!("/ui/packages/{label}")).await;
        assert_eq!(denied.status, StatusCode::NOT_FOUND, "[{b}]");
        let manifest = retailer.get("/ui/search?q=%25%25").await;
        assert_eq!(manifest.status, StatusCode::OK, "[{b}] wildcards are text");
    })
    .await;
}

/// A refused form comes back with what was typed and why, shown once; the address carries
/// neither, so a link cannot make a page say anything.
#[tokio::test]
async fn a_refused_form_comes_back_as_typed_and_the_message_is_shown_once() {
    for_each_backend(async |app| {
        let b = app.backend;
        let (id, _) = a_distributor_package(app).await;
        let web = Browser::sign_in(app, DISTRIBUTOR).await;
        let page = format!("/ui/l/{DISTRIBUTOR}/packages/{id}");
        let r = web
            .post(
                &format!("{page}/adjust"),
                &[
                    ("csrf", &web.csrf),
                    ("quantity", "-12,5x"),
                    ("reason", "Drying"),
                    ("note", "scale says so"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}] {}", r.body);
        assert_eq!(r.location.as_deref(), Some(page.as_str()), "[{b}]");
        let shown = web.get(&page).await;
        let form = element(&shown.body, "<form id=\"adjust-form\"", "</form>");
        assert!(form.contains("value=\"-12,5x\""), "[{b}] {form}");
        assert!(form.contains("value=\"scale says so\""), "[{b}]");
        assert!(
            form.contains("field-error"),
            "[{b}] the problem is under the field"
        );
        let again = web.get(&page).await;
        assert!(!again.body.contains("-12,5x"), "[{b}] shown once");
        let forged = web
            .get(&format!("{page}?msg=Your+license+is+revoked"))
            .await;
        assert!(!forged.body.contains("revoked"), "[{b}]");
    })
    .await;
}
