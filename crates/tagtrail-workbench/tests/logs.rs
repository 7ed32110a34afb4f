//! No key or secret reaches a log. A test binary of its own: it sets a TRACE subscriber for
//! its thread, and tracing's global level and callsite interest are shared by the whole
//! process, so tests running beside it in another binary's threads could race its set-up and
//! leave it logging nothing (CI saw exactly that once).

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

#[path = "workbench/kit.rs"]
#[allow(
    dead_code,
    reason = "the kit serves the workbench suite; this test uses a part"
)]
mod kit;

use kit::*;
use tagtrail_testkit::{MANUFACTURER, TestApp};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::preflight::Intent;
use tagtrail_workbench::model::submission::Step;

/// A writer that keeps everything logged, for the test below to search.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Seed 003 §06 ("avoid logging sensitive data"): with every crate logging at TRACE (the
/// workbench, sqlx's statements, reqwest and hyper), setting up keys and people, a sync and a
/// submission sent to Metrc log no key, TOTP secret or password.
#[tokio::test]
async fn no_key_or_secret_reaches_a_log() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    // This test's runtime is single-threaded, so everything it and the ledger it starts do runs
    // under this subscriber.
    let _guard = tracing::subscriber::set_default(subscriber);
    let backend = backends().remove(0);
    let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
    let mut b = Bench::open(&backend, fast()).await;
    b.brand(&app).await;
    let (alice, carol) = (b.caller("alice").await, b.caller("carol").await);
    sync(&b, &alice, MANUFACTURER).await;
    let (la, lc) = (
        b.license(&alice, MANUFACTURER).await,
        b.license(&carol, MANUFACTURER).await,
    );
    let id =
        b.wb.draft(
            &carol,
            Door::Web,
            &lc,
            "Strain",
            "logging",
            Intent::CreateStrains(vec!["Log Check".into()]),
        )
        .await
        .unwrap();
    b.wb.step(&carol, Door::Web, &lc, id, Step::SendToReview, "")
        .await
        .unwrap();
    b.wb.step(&alice, Door::Web, &la, id, Step::Approve, "")
        .await
        .unwrap();
    b.wb.step(&alice, Door::Web, &la, id, Step::Submit, "")
        .await
        .unwrap();
    assert_eq!(
        b.wb.deliver(&la, id).await.unwrap(),
        tagtrail_workbench::outbox::Delivery::Accepted
    );
    let log = String::from_utf8_lossy(&captured.0.lock().unwrap()).to_string();
    assert!(log.len() > 1_000, "something was logged");
    let mut secrets: Vec<String> = vec![app.creds.vendor_key.clone(), PASSWORD.to_string()];
    secrets.extend(app.creds.licenses.iter().map(|l| l.user_key.clone()));
    secrets.extend(b.users.iter().map(|u| u.1.clone()));
    for s in &secrets {
        assert!(
            !log.contains(s.as_str()),
            "a secret ending {} was logged",
            &s[s.len() - 4..]
        );
    }
    b.finish().await;
    app.finish().await;
}
