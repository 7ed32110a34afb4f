//! Web sessions are kept in the database: a second server on the same database knows them, and
//! signing out on one ends the session on both.

use crate::browser::Browser;
use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn web_sessions_live_in_the_database_and_are_shared_by_servers() {
    for_each_backend(async |app| {
        let b = app.backend;
        // A second server over the same store, with its own web state (no shared memory).
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let second = format!("http://{}", listener.local_addr().expect("a bound address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(tagtrail_ledger::serve(
            app.ledger.clone(),
            Default::default(),
            None,
            listener,
            async move {
                let _ = stopped.await;
            },
        ));

        let one = Browser::sign_in(app, RETAILER).await;
        let two = one.at(&second);
        let items = format!("/ui/l/{RETAILER}/items");
        let page = two.get(&items).await;
        assert_eq!(
            page.status,
            StatusCode::OK,
            "[{b}] the other server knows the session"
        );
        // Its forms take the session's token too: sign out there…
        let out = two.post("/ui/logout", &[("csrf", &one.csrf)]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER, "[{b}]");
        // …and the session is over here as well.
        let page = one.get(&items).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "[{b}]");
        assert_eq!(page.location.as_deref(), Some("/ui/login"), "[{b}]");

        let _ = stop.send(());
        let _ = server.await;
    })
    .await;
}
