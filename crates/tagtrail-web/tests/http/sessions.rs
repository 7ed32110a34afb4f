//! Sessions live in the database: a restart keeps employees signed in; signing out ends the
//! session there; cookies are HttpOnly, SameSite=Lax, and Secure when asked.

use crate::harness::{Harness, LICENSE, PASSWORD, USER};
use axum::http::StatusCode;
use tagtrail_web::WebOptions;

#[tokio::test]
async fn a_session_survives_a_restart_of_the_server() {
    let mut h = Harness::start().await;
    let (session, csrf) = h.sign_in().await;
    h.restart().await;
    let page = h.get(&format!("/ui/l/{LICENSE}/journal"), &session).await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "still signed in after a restart"
    );
    assert!(page.body.contains(USER));
    // The session's CSRF token survives with it: a form served before the restart still posts.
    let order = h.order.to_string();
    let r = h
        .post(
            &format!("/ui/l/{LICENSE}/tags/receive"),
            &session,
            &[("csrf", &csrf), ("confirmed", "yes"), ("order_id", &order)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let shown = h.get(r.location().unwrap_or(""), &session).await;
    assert!(shown.body.contains("received"), "{}", shown.body);
}

#[tokio::test]
async fn signing_out_ends_the_session_everywhere() {
    let h = Harness::start().await;
    let (session, csrf) = h.sign_in().await;
    let r = h.post("/ui/logout", &session, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.set_cookies()
            .iter()
            .any(|c| c.starts_with("tagtrail_session=;") && c.contains("Max-Age=0"))
    );
    // A copy of the cookie kept elsewhere is no good either.
    let page = h.get("/ui", &session).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some("/ui/login"));
}

#[tokio::test]
async fn cookies_are_http_only_lax_and_secure_when_asked() {
    for secure in [false, true] {
        let h = Harness::start_with(WebOptions {
            secure_cookies: secure,
            ..WebOptions::default()
        })
        .await;
        let form = h.get("/ui/login", "").await;
        let (cookie, token) = h.sign_in_form().await;
        let r = h
            .post(
                "/ui/login",
                &cookie,
                &[("csrf", &token), ("username", USER), ("password", PASSWORD)],
            )
            .await;
        let mut all = form.set_cookies();
        all.extend(r.set_cookies());
        assert!(all.iter().any(|c| c.starts_with("tagtrail_session=")));
        for c in &all {
            assert!(c.contains("; HttpOnly"), "{c}");
            assert!(c.contains("; SameSite=Lax"), "{c}");
            assert_eq!(c.contains("; Secure"), secure, "{c}");
        }
        let session = all
            .iter()
            .find(|c| c.starts_with("tagtrail_session="))
            .unwrap();
        assert!(session.contains("; Path=/;"), "{session}");
    }
}

#[tokio::test]
async fn the_page_asked_for_is_shown_after_signing_in() {
    let h = Harness::start().await;
    let wanted = format!("/ui/l/{LICENSE}/journal?before=99");
    let r = h.get(&wanted, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.location(),
        Some("/ui/login"),
        "the sign-in address stays plain"
    );
    let next = r
        .cookie("tagtrail_next")
        .expect("the page asked for is remembered");
    let (cookie, token) = h.sign_in_form().await;
    let cookies = format!("{cookie}; tagtrail_next={next}");
    let form = [
        ("csrf", token.as_str()),
        ("username", USER),
        ("password", PASSWORD),
    ];
    let r = h.post("/ui/login", &cookies, &form).await;
    assert_eq!(r.location(), Some(wanted.as_str()));

    // Only this UI's own pages: never another site.
    for evil in [
        "%2F%2Fevil.test%2Fui%2F",
        "https%3A%2F%2Fevil.test%2F",
        "%2Fui%2F%5Cevil.test",
    ] {
        let cookies = format!("{cookie}; tagtrail_next={evil}");
        let r = h.post("/ui/login", &cookies, &form).await;
        assert_eq!(r.location(), Some("/ui"), "{evil}");
    }
}

#[tokio::test]
async fn signing_in_again_replaces_the_browsers_session() {
    let h = Harness::start().await;
    let (old, _) = h.sign_in().await;
    let (cookie, token) = h.sign_in_form().await;
    let r = h
        .post(
            "/ui/login",
            &format!("{cookie}; {old}"),
            &[("csrf", &token), ("username", USER), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let new = format!("tagtrail_session={}", r.cookie("tagtrail_session").unwrap());
    assert_ne!(new, old);
    assert_eq!(
        h.get("/ui", &old).await.status,
        StatusCode::SEE_OTHER,
        "the old one is over"
    );
    assert_eq!(h.get("/ui", &new).await.status, StatusCode::OK);
}
