//! The Data Import page (rule 73; bulletin V–VII) in the web UI: every import type's format
//! guide and example file come from the parser's own column definitions; a file uploaded through the
//! page's form (multipart, with the session's CSRF token) is checked row by row by the plantings
//! action, a bad line is named and nothing is applied; a good file is previewed, applied only
//! after confirmation, and the grid says where each upload stands.

use crate::browser::{Browser, Page};
use crate::helpers::*;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN};
use rust_decimal::Decimal;
use std::time::{Duration, Instant};
use tagtrail_domain::commands::imports::ImportKind;
use tagtrail_domain::commands::packages::NewPackage;

fn lic(rest: &str) -> String {
    format!("/ui/l/{CULTIVATOR}{rest}")
}

/// Posts a file through the page's upload form, as a browser sends it (multipart).
async fn upload(b: &Browser, kind: &str, name: &str, csv: &str) -> Page {
    let boundary = "tagtrailtestboundary7";
    let mut body = String::new();
    for (field, value) in [("csrf", b.csrf.as_str()), ("type", kind)] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    ));
    let resp = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
        .post(format!("{}{}", b.base, lic("/imports")))
        .header(COOKIE, &b.cookies)
        .header(ORIGIN, &b.base)
        .header(
            CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("the upload");
    let status = resp.status();
    let location = resp
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = resp.text().await.unwrap_or_default();
    Page {
        status,
        location,
        bytes: text.as_bytes().to_vec(),
        body: text,
    }
}

/// The upload's page once its check or apply has ended.
async fn settled(b: &Browser, path: &str) -> String {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        let running = page.body.contains("http-equiv=\"refresh\"");
        if !running {
            return page.body;
        }
        assert!(Instant::now() < until, "{path} still running");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn rule_73_the_format_guide_is_made_from_the_parsers_columns() {
    for_each_backend(async |app| {
        let b = Browser::sign_in(app, CULTIVATOR).await;
        let page = b.get(&lic("/imports")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains(">Data import<"), "the section");
        assert!(page.body.contains("enctype=\"multipart/form-data\""));
        for kind in ImportKind::ALL {
            assert!(
                page.body.contains(&format!("imports?type={}", kind.slug())),
                "a tab for {kind:?}"
            );
            let guide = b
                .get(&lic(&format!("/imports/guide/{}", kind.slug())))
                .await;
            assert_eq!(guide.status, StatusCode::OK);
            let mut at = 0;
            for c in kind.columns() {
                let found = guide.body[at..]
                    .find(&format!(">{}<", c.name))
                    .unwrap_or_else(|| panic!("{kind:?}: column {} in order", c.name));
                at += found;
            }
            assert!(guide.body.contains("YYYY-MM-DD") && guide.body.contains("header row"));
            let example = b
                .get(&lic(&format!("/imports/guide/{}/example.csv", kind.slug())))
                .await;
            assert_eq!(example.status, StatusCode::OK);
            assert_eq!(example.body, kind.example_csv());
        }
        assert_eq!(
            b.get(&lic("/imports/guide/sales")).await.status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn rule_73_upload_names_the_bad_line_then_preview_confirm_and_apply() {
    for_each_backend(async |app| {
        let tags = app.list(CULTIVATOR, "/tags/v2/package/available").await;
        let source = str_field(tags.first().expect("a package tag"), "Label");
        let spec = NewPackage {
            tag: Some(source.clone()),
            item: Some("Sour Diesel Clones".into()),
            quantity: Some(Decimal::from(20)),
            unit_of_measure: Some("Each".into()),
            location: Some("Vault".into()),
            ..Default::default()
        };
        app.opening_balance(CULTIVATOR, spec, "NotSubmitted").await;
        let b = Browser::sign_in(app, CULTIVATOR).await;
        let header = "Name,Type,Count,Strain,Location,SourcePackage,ActualDate";
        let row = |name: &str, n: i64| {
            format!("{name},Clone,{n},Sour Diesel,Greenhouse A,{source},2026-01-05")
        };
        let before = app.journal(CULTIVATOR).await.len();

        // No file chosen: back to the tab, with the problem.
        let none = upload(&b, "plantings", "", "").await;
        assert_eq!(none.status, StatusCode::SEE_OTHER);
        let back = none.location.expect("back to the page");
        assert!(back.ends_with("/imports?type=plantings"), "{back}");
        assert!(b.get(&back).await.body.contains("Choose a CSV file"));

        let bad = format!("{header}\n{}\n{}\n", row("Web A", 5), row("Web B", 500));
        let up = upload(&b, "plantings", "bad.csv", &bad).await;
        assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
        let detail = up.location.expect("the upload's page");
        let body = settled(&b, &detail).await;
        assert!(body.contains("Failed: 1 error"), "{body}");
        assert!(
            body.contains(
                "Line 3</strong>: A plant batch (immature lot) cannot exceed 100 plants."
            ),
            "{body}"
        );
        assert!(!body.contains("id=\"apply\""), "nothing to apply");
        assert_eq!(
            app.journal(CULTIVATOR).await.len(),
            before,
            "nothing applied"
        );

        let good = format!("{header}\n{}\n{}\n", row("Web A", 5), row("Web B", 7));
        let up = upload(&b, "plantings", "good.csv", &good).await;
        let detail = up.location.expect("the upload's page");
        let body = settled(&b, &detail).await;
        assert!(body.contains("Ready to apply"), "{body}");
        assert!(
            body.contains("New plant batch Web B"),
            "the preview: {body}"
        );
        assert!(body.contains(&format!(
            "12 plant(s) in 2 new batch(es) from package {source}"
        )));
        assert_eq!(
            app.journal(CULTIVATOR).await.len(),
            before,
            "a preview writes nothing"
        );

        // Apply asks first.
        let apply = format!("{detail}/apply");
        let ask = b.post(&apply, &[("csrf", b.csrf.as_str())]).await;
        assert_eq!(ask.status, StatusCode::OK);
        assert!(ask.body.contains("Apply?"), "{}", ask.body);
        assert_eq!(app.journal(CULTIVATOR).await.len(), before);
        let done = b
            .post(&apply, &[("csrf", b.csrf.as_str()), ("confirmed", "yes")])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let body = settled(&b, &detail).await;
        assert!(body.contains(">Applied<"), "{body}");
        assert_eq!(
            app.journal(CULTIVATOR).await.len(),
            before + 1,
            "two rows: one entry"
        );
        let head = app.journal_head(CULTIVATOR).await;
        assert_eq!(str_field(&head, "Door"), "import");

        let grid = b.get(&lic("/imports")).await.body;
        for words in [
            "good.csv",
            "bad.csv",
            "Applied",
            "Failed: 1 error",
            "Plantings",
        ] {
            assert!(grid.contains(words), "the grid shows {words}");
        }
    })
    .await;
}
