//! Security headers on every web response.

use crate::harness::{Harness, LICENSE};
use axum::http::{StatusCode, header};

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let h = Harness::start().await;
    let (session, _) = h.sign_in().await;
    let pages = [
        ("/ui/login", ""),
        ("/ui", ""),
        ("/ui", session.as_str()),
        (&*format!("/ui/l/{LICENSE}/tags"), session.as_str()),
        (&*format!("/ui/l/{LICENSE}/journal"), session.as_str()),
        // Refusals too: another license, no such package.
        ("/ui/l/C10-0000911-LIC/items", session.as_str()),
        (
            &*format!("/ui/l/{LICENSE}/packages/999999"),
            session.as_str(),
        ),
        ("/ui/style.css", ""),
        ("/ui/no/such/page", session.as_str()),
    ];
    for (path, cookies) in pages {
        let r = h.get(path, cookies).await;
        let get = |n: header::HeaderName| {
            r.headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let csp = get(header::CONTENT_SECURITY_POLICY);
        for part in [
            "default-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(get(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{path}");
        assert_eq!(get(header::X_FRAME_OPTIONS), "DENY", "{path}");
        assert_eq!(get(header::REFERRER_POLICY), "same-origin", "{path}");
        if path != "/ui/style.css" {
            assert_eq!(get(header::CACHE_CONTROL), "no-store", "{path}");
        }
    }
}

#[tokio::test]
async fn pages_load_no_inline_style_or_script() {
    let h = Harness::start().await;
    let (session, _) = h.sign_in().await;
    for path in ["/ui/login".to_string(), format!("/ui/l/{LICENSE}/tags")] {
        let r = h.get(&path, &session).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.body.contains("<style"), "{path}");
        assert!(!r.body.contains("style=\""), "{path}");
        assert!(!r.body.contains("<script"), "{path}");
        assert!(
            r.body
                .contains("<link rel=\"stylesheet\" href=\"/ui/style.css\">")
        );
    }
}

#[tokio::test]
async fn another_licenses_page_is_401_as_the_api_answers() {
    let h = Harness::start().await;
    let (session, _) = h.sign_in().await;
    let r = h.get("/ui/l/C10-0000911-LIC/items", &session).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("not authorized"), "{}", r.body);
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page() {
    let h = Harness::start().await;
    let r = h.get("/ui/no/such/page", "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("There is no such page."), "{}", r.body);
}
