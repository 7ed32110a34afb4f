//! Every web form posts the session's CSRF token; without it, or with another, the post is
//! refused (403) before any handler runs, and nothing is journaled.

use crate::browser::{Browser, hidden};
use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn web_posts_without_the_sessions_token_are_refused_and_write_nothing() {
    for_each_backend(async |app| {
        let b = app.backend;
        let web = Browser::sign_in(app, DISTRIBUTOR).await;
        let tags = format!("/ui/l/{DISTRIBUTOR}/tags");
        let page = web.get(&tags).await;
        let order =
            hidden(&page.body, "order_id").expect("the demo distributor has a shipped tag order");
        let head = app.journal_head(DISTRIBUTOR).await;
        let receive = format!("{tags}/receive");
        let other = Browser::sign_in(app, DISTRIBUTOR).await;
        for token in [None, Some(""), Some("forged"), Some(other.csrf.as_str())] {
            let mut form = vec![("order_id", order.as_str())];
            if let Some(t) = token {
                form.push(("csrf", t));
            }
            let r = web.post(&receive, &form).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "[{b}] token {token:?}");
        }
        assert_eq!(
            app.journal_head(DISTRIBUTOR).await,
            head,
            "[{b}] nothing was written"
        );
        // Receipt is irreversible, so it is confirmed (issue 9).
        let r = web
            .post(
                &receive,
                &[
                    ("csrf", &web.csrf),
                    ("order_id", &order),
                    ("confirmed", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{b}]");
        let entry = app.journal_head(DISTRIBUTOR).await;
        assert_eq!(
            str_field(&entry, "Endpoint"),
            format!("POST {receive}"),
            "[{b}] {entry}"
        );
        assert!(
            !entry.to_string().contains(&web.csrf),
            "[{b}] the token is not journaled"
        );
    })
    .await;
}
