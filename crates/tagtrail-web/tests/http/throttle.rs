//! Wrong passwords are throttled per account and per client address; over the limit the answer
//! is 429 before any password is checked (so not even the right one gets in).

use crate::harness::{Harness, PASSWORD, USER};
use axum::http::StatusCode;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tagtrail_web::{Budget, SignInLimits, WebOptions};

/// The default budgets, except that nothing is given back during the test: twenty checked
/// attempts (argon2 each, in a debug build, on a loaded machine) can take longer than the
/// fifteen seconds in which an address earns one more attempt.
async fn harness() -> Harness {
    let hour = Duration::from_secs(3600);
    let d = SignInLimits::default();
    let sign_in = SignInLimits {
        per_account: Budget {
            every: hour,
            ..d.per_account
        },
        per_client: Budget {
            every: hour,
            ..d.per_client
        },
    };
    Harness::start_with(WebOptions {
        sign_in,
        ..WebOptions::default()
    })
    .await
}

const TOO_MANY: &str = "Too many sign-in attempts; try again in a few minutes.";

async fn attempt(
    h: &Harness,
    user: &str,
    password: &str,
    from: Option<SocketAddr>,
) -> (StatusCode, Duration, String) {
    let (cookie, token) = h.sign_in_form().await;
    let started = Instant::now();
    let r = h
        .post_from(
            "/ui/login",
            &cookie,
            &[("csrf", &token), ("username", user), ("password", password)],
            Some("http://ledger.test"),
            from,
        )
        .await;
    (r.status, started.elapsed(), r.body)
}

#[tokio::test]
async fn repeated_wrong_passwords_for_an_account_get_429_before_argon2() {
    let h = harness().await;
    let from: SocketAddr = "203.0.113.7:50000".parse().unwrap();
    let mut checked = Duration::ZERO;
    for _ in 0..5 {
        let (status, took, body) = attempt(&h, USER, "wrong password", Some(from)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.contains("Unknown username or wrong password"));
        checked = checked.max(took);
    }
    let (status, took, body) = attempt(&h, USER, "wrong password", Some(from)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains(TOO_MANY), "{body}");
    // Even the right password is not checked now, from anywhere: the account is locked.
    let elsewhere: SocketAddr = "198.51.100.1:40000".parse().unwrap();
    let (status, _, _) = attempt(&h, USER, PASSWORD, Some(elsewhere)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // A refusal costs no argon2 verification: it answers in a fraction of a checked attempt.
    assert!(
        took < checked / 2,
        "refused in {took:?}, a checked attempt took {checked:?}"
    );
}

#[tokio::test]
async fn one_address_guessing_across_accounts_is_throttled() {
    let h = harness().await;
    let guesser: SocketAddr = "203.0.113.9:1".parse().unwrap();
    for i in 0..20 {
        let (status, _, _) = attempt(&h, &format!("user{i}"), "guess", Some(guesser)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let (status, _, _) = attempt(&h, USER, PASSWORD, Some(guesser)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Another address is not affected.
    let other: SocketAddr = "198.51.100.2:2".parse().unwrap();
    let (status, _, _) = attempt(&h, USER, PASSWORD, Some(other)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn without_connection_info_every_client_shares_one_budget() {
    let h = harness().await;
    for i in 0..20 {
        let (status, _, _) = attempt(&h, &format!("user{i}"), "guess", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, _) = attempt(&h, "someone", "guess", None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn successful_sign_ins_are_not_counted() {
    let h = Harness::start().await;
    for _ in 0..8 {
        let (status, _, _) = attempt(&h, USER, PASSWORD, None).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
}

/// A sign-in flood from many addresses, each guessing a different account (so no throttle
/// budget is spent out): password checks run a few at a time, a bounded number wait, and the
/// rest are refused at once with the form again (429), never an error page; afterwards the right
/// password signs in. Without the bound, every guess took a core for argon2 and the API starved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flood_is_bounded_not_queued_without_limit() {
    let h = harness().await;
    let flood = tagtrail_app::Config::default().password_checks + tagtrail_app::SIGN_IN_QUEUE + 64;
    let mut forms = Vec::new();
    for _ in 0..flood {
        forms.push(h.sign_in_form().await);
    }
    let posts = forms.iter().enumerate().map(|(i, (cookie, token))| {
        let from: SocketAddr = format!("10.1.{}.{}:1000", i / 200, i % 200 + 1)
            .parse()
            .unwrap();
        let user = format!("guess{i}");
        let h = &h;
        async move {
            h.post_from(
                "/ui/login",
                cookie,
                &[("csrf", token), ("username", &user), ("password", "guess")],
                Some("http://ledger.test"),
                Some(from),
            )
            .await
        }
    });
    let replies = futures_util::future::join_all(posts).await;
    let busy = replies
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    for r in &replies {
        assert!(
            matches!(
                r.status,
                StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS
            ),
            "{}: {}",
            r.status,
            r.body
        );
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.body.contains("Too many sign-ins at once"), "{}", r.body);
            assert!(
                r.body.contains("name=\"username\""),
                "the form again: {}",
                r.body
            );
        }
    }
    assert!(
        busy >= 1 && busy < flood,
        "{busy} of {flood} refused at once"
    );
    let from: SocketAddr = "198.51.100.3:3".parse().unwrap();
    let (status, _, _) = attempt(&h, USER, PASSWORD, Some(from)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}
