//! The workbench's web UI over real HTTP on loopback, against a workbench connected to a real
//! tagtrail ledger: signing in (the code for administrators, throttling, cookies, headers), the
//! CSRF guard, isolation between companies walked page by page, no secret on any page, and the
//! review rules as a person meets them in the browser.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

mod batches;
#[path = "../common/mod.rs"]
mod common;
mod qa;

use common::{Browser, PASSWORD, World, csrf_of};
use std::time::Duration;
use tagtrail_testkit::{Backend, DISTRIBUTOR, MANUFACTURER, RETAILER, backends};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::batch::BatchType;
use tagtrail_workbench::model::coa::Potency;
use tagtrail_workbench::model::role::Role;
use tagtrail_workbench::model::submission::State;
use tagtrail_workbench::people::{Caller, LicenseCtx};
use tagtrail_workbench_web::{Budget, LICENSE_ROUTES, SignInLimits, WebOptions};

fn lic(path: &str, number: &str) -> String {
    format!("/l/{number}{path}")
}

async fn license(w: &World, user: &str, number: &str) -> LicenseCtx {
    let b =
        w.wb.sign_in(user, PASSWORD, Some(&w.code(user)))
            .await
            .unwrap();
    w.wb.license(&b.caller, number).await.unwrap()
}

/// Administrators need the code; others do not. Wrong attempts are throttled per account. The
/// session cookie is HttpOnly and SameSite=Strict (and Secure when asked), and every answer
/// carries the security headers.
#[tokio::test]
async fn signing_in_needs_the_code_for_administrators() {
    let options = WebOptions {
        sign_in: SignInLimits {
            per_account: Budget {
                burst: 3,
                every: Duration::from_secs(3600),
            },
            per_client: Budget {
                burst: 100,
                every: Duration::from_secs(1),
            },
        },
        ..WebOptions::default()
    };
    let w = World::start(&Backend::Sqlite, options).await;
    let mut b = Browser::new(&w.base);
    let form = b.get("/login").await;
    assert_eq!(form.status, 200);
    let h = &form.headers;
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.contains_key("referrer-policy"));
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && !cookie.contains("Secure"),
        "{cookie}"
    );
    assert!(
        form.body.contains("name=\"code\""),
        "the form asks for the code"
    );

    // alice administers both licenses: her password alone is not enough.
    let no_code = b.sign_in("alice", PASSWORD, "").await;
    assert_eq!(no_code.status, 401, "{}", no_code.body);
    assert!(no_code.body.contains("not right"));
    assert!(!b.cookies.contains_key("wb_session"));
    let ok = b.sign_in("alice", PASSWORD, &w.code("alice")).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let session = ok
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("wb_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    let home = b.get("/").await;
    assert!(
        home.body.contains("Golden Hour Kitchen") && home.body.contains("Golden Hour Distribution"),
        "{}",
        home.body
    );
    assert!(!home.body.contains("Corner Store"));

    // bob is an operator: no code needed.
    let mut bob = Browser::new(&w.base);
    assert_eq!(bob.sign_in("bob", PASSWORD, "").await.status, 303);
    // The installation's administrator needs it too, and sees the admin home.
    let mut root = Browser::new(&w.base);
    assert_eq!(root.sign_in("root", PASSWORD, "").await.status, 401);
    assert_eq!(
        root.sign_in("root", PASSWORD, &w.code("root")).await.status,
        303
    );
    let admin_home = root.get("/").await;
    assert!(
        admin_home.body.contains("Installation") && admin_home.body.contains("Corner Store Inc"),
        "{}",
        admin_home.body
    );

    // Three wrong passwords for one account, then even the right one waits.
    let mut m = Browser::new(&w.base);
    for _ in 0..3 {
        assert_eq!(m.sign_in("dave", "wrong password!", "").await.status, 401);
    }
    assert_eq!(m.sign_in("dave", PASSWORD, "").await.status, 429);
    assert_eq!(
        m.sign_in("carol", PASSWORD, "").await.status,
        303,
        "other accounts are not affected"
    );

    // Signing out ends the session.
    let out = b.post("/logout", &[]).await;
    assert_eq!((out.status, out.location.as_deref()), (303, Some("/login")));
    assert_eq!(b.get("/").await.location.as_deref(), Some("/login"));

    // A page asked for without a session (a link from a colleague, an expired session) is
    // where signing in leads; an address elsewhere never is.
    let wanted = format!("/l/{MANUFACTURER}/outbox?state=review");
    let asked = b.get(&wanted).await;
    assert_eq!(
        (asked.status, asked.location.as_deref()),
        (303, Some("/login"))
    );
    let back = b.sign_in("carol", PASSWORD, &w.code("carol")).await;
    assert_eq!(
        (back.status, back.location.as_deref()),
        (303, Some(wanted.as_str()))
    );
    assert_eq!(b.get(&wanted).await.status, 200);
    let out = b.post("/logout", &[]).await;
    assert_eq!(out.status, 303);
    b.cookies
        .insert("wb_next".into(), "%2F%2Fevil.example%2F".into());
    let home = b.sign_in("carol", PASSWORD, &w.code("carol")).await;
    assert_eq!(home.location.as_deref(), Some("/"));

    // Served for TLS, cookies are Secure.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let secure_base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(tagtrail_workbench_web::serve(
        w.wb.clone(),
        WebOptions {
            secure_cookies: true,
            ..WebOptions::default()
        },
        listener,
        async move {
            let _ = rx.await;
        },
    ));
    let mut s = Browser::new(&secure_base);
    let f = s.get("/login").await;
    assert!(f.headers["set-cookie"].to_str().unwrap().contains("Secure"));
    let ok = s.sign_in("bob", PASSWORD, "").await;
    assert!(
        ok.headers
            .get_all("set-cookie")
            .iter()
            .all(|c| c.to_str().unwrap().contains("Secure"))
    );
    let _ = tx.send(());
    let _ = server.await;
    w.finish().await;
}

/// A POST without the session's CSRF token (or from another site) is refused before anything
/// runs, and writes nothing.
#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused() {
    let w = World::start(&Backend::Sqlite, WebOptions::default()).await;
    let mut carol = w.browser("carol").await;
    let run = lic("/reconciliation/run", MANUFACTURER);
    assert_eq!(carol.post_raw(&run, &[]).await.status, 403);
    assert_eq!(
        carol
            .post_raw(&run, &[("csrf", "not-the-token")])
            .await
            .status,
        403
    );
    let other = w.browser("alice").await;
    assert_ne!(other.csrf, carol.csrf);
    assert_eq!(
        carol.post_raw(&run, &[("csrf", &other.csrf)]).await.status,
        403,
        "another session's token"
    );
    carol.origin = Some("http://evil.example".into());
    assert_eq!(
        carol.post(&run, &[]).await.status,
        403,
        "another site's page"
    );
    carol.origin = None;
    let l = license(&w, "carol", MANUFACTURER).await;
    assert!(
        w.wb.reconciliation_reports(&l, 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing was written"
    );
    let ok = carol.post(&run, &[]).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(w.wb.reconciliation_reports(&l, 10).await.unwrap().len(), 1);
    // The sign-in form's token must match its cookie.
    let mut fresh = Browser::new(&w.base);
    let refused = fresh
        .post_raw(
            "/login",
            &[("csrf", "x"), ("username", "bob"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, 403);
    // Without a session, a post goes to the sign-in form.
    let mut anon = Browser::new(&w.base);
    let a = anon.post_raw(&run, &[("csrf", &carol.csrf)]).await;
    assert_eq!(a.location.as_deref(), Some("/login"));
    w.finish().await;
}

/// The license pages and forms of `number`, with its own ids put in: every row of the router's
/// table, so a page added later is walked too.
async fn addresses(w: &World, owner: &str, number: &str) -> Vec<(&'static str, String)> {
    let l = license(w, owner, number).await;
    let sub =
        w.wb.submissions(&l, None, 1)
            .await
            .unwrap()
            .first()
            .map(|s| s.id)
            .expect("a submission");
    let ex =
        w.wb.exceptions(&l, true)
            .await
            .unwrap()
            .first()
            .map(|e| e.id)
            .expect("an exception");
    let label =
        w.wb.records(&l, "package")
            .await
            .unwrap()
            .first()
            .map(|p| p.0.clone())
            .expect("a package");
    // The batch pages need a batch of the license's own: planned here when it has none.
    let batch = match w.wb.batches(&l, None).await.unwrap().first() {
        Some(b) => b.id,
        None => {
            let by =
                w.wb.sign_in(owner, PASSWORD, Some(&w.code(owner)))
                    .await
                    .unwrap()
                    .caller;
            w.wb.create_batch(&by, Door::Web, &l, "Walk", BatchType::Blending, "", None)
                .await
                .unwrap()
        }
    };
    // The COA download needs a COA of the license's own (one that does not exist is no page).
    let coa = match w.wb.coas(&l, &label).await.unwrap().first() {
        Some(c) => c.id,
        None => {
            let by =
                w.wb.sign_in(owner, PASSWORD, Some(&w.code(owner)))
                    .await
                    .unwrap()
                    .caller;
            w.wb.attach_coa(
                &by,
                Door::Web,
                &l,
                &label,
                "Walk Labs",
                "walk.pdf",
                "application/pdf",
                b"%PDF-1.4 walk",
                Potency::default(),
            )
            .await
            .unwrap()
            .0
        }
    };
    let mut out = vec![];
    for (pattern, methods) in LICENSE_ROUTES {
        let id = if pattern.starts_with("/exceptions") {
            ex
        } else if pattern.starts_with("/batches/") {
            batch
        } else if pattern.starts_with("/coa/") {
            coa
        } else {
            sub
        };
        let path = lic(pattern, number)
            .replace("{id}", &id.to_string())
            .replace("{line}", "1")
            .replace("{label}", &label);
        for m in *methods {
            out.push((*m, path.clone()));
        }
    }
    // And the pages' queries.
    for q in [
        "/outbox?state=review",
        "/outbox/new?kind=strains",
        "/outbox/new?kind=transfer",
        "/outbox/new?kind=manifest",
        "/outbox/new?kind=receive",
        "/outbox/new?kind=create",
        "/outbox/new?kind=sample",
        "/outbox/new?kind=destroy",
        "/outbox/new?kind=takeback",
        "/packages?q=1A",
    ] {
        out.push(("GET", lic(q, number)));
    }
    out
}

/// What a form of each address posts (enough to act, were it allowed).
fn fields_for(path: &str) -> Vec<(&'static str, &'static str)> {
    if path.ends_with("/outbox/new") {
        vec![
            ("kind", "strains"),
            ("title", "t"),
            ("reason", "r"),
            ("names", "Cross Company Kush"),
        ]
    } else if path.ends_with("/step") {
        vec![("step", "withdraw"), ("confirmed", "yes")]
    } else if path.ends_with("/tick") {
        vec![("step", "0"), ("done", "yes")]
    } else if path.ends_with("/count") {
        vec![
            ("label", "1A4000000000000000000001"),
            ("quantity", "1"),
            ("unit", "Grams"),
        ]
    } else if path.ends_with("/resolve") {
        vec![
            ("decision", "explained"),
            ("reason", "r"),
            ("confirmed", "yes"),
        ]
    } else if path.ends_with("/settings/key") {
        vec![("key", "cross-company-key-123"), ("holder", "X")]
    } else {
        vec![]
    }
}

/// Walks `paths` as `b`: every page and form answers 404, saying nothing of what is there.
async fn walk_refused(
    b: &mut Browser,
    who: &str,
    paths: &[(&'static str, String)],
    foreign: &[&str],
) {
    for (method, path) in paths {
        let a = if *method == "GET" {
            b.get(path).await
        } else {
            b.post(path, &fields_for(path)).await
        };
        assert_eq!(a.status, 404, "{who} {method} {path}: {}", a.body);
        for f in foreign {
            assert!(!a.body.contains(f), "{who} {method} {path} shows {f}");
        }
    }
}

/// Seed 003 §06 and the issue: "a test walks every page and query as each company against the
/// others". Every license page and form of one company answers 404 to the other company's
/// people (the same as a license that does not exist), to a person of the same company without
/// a role in that license, and to the installation's administrators; and nothing is written.
#[tokio::test]
async fn each_company_walks_into_nothing_of_the_other() {
    for backend in backends() {
        let w = World::start(&backend, WebOptions::default()).await;
        w.sync().await;
        // Something of everything in each license: a submission, a count that differs, a
        // reconciliation (and so an exception).
        let mut alice = w.browser("alice").await;
        let mut eve = w.browser("eve").await;
        for number in [MANUFACTURER, DISTRIBUTOR, RETAILER] {
            let owner = if number == RETAILER { "eve" } else { "alice" };
            let b = if number == RETAILER {
                &mut eve
            } else {
                &mut alice
            };
            let l = license(&w, owner, number).await;
            let d = b
                .post(
                    &lic("/outbox/new", number),
                    &[
                        ("kind", "strains"),
                        ("title", "New strain"),
                        ("reason", "catalog"),
                        ("names", &format!("Walk {number}")),
                    ],
                )
                .await;
            assert_eq!(d.status, 303, "{number}: {}", d.body);
            let (label, v) =
                w.wb.records(&l, "package")
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|(_, v)| v["IsFinished"] != true)
                    .expect("a package");
            let unit = v["UnitOfMeasureName"].as_str().unwrap().to_string();
            let c = b
                .post(
                    &lic("/reconciliation/count", number),
                    &[("label", &label), ("quantity", "0.25"), ("unit", &unit)],
                )
                .await;
            assert_eq!(c.status, 303, "{number}: {}", c.body);
            assert_eq!(
                b.post(&lic("/reconciliation/run", number), &[])
                    .await
                    .status,
                303
            );
            assert!(
                !w.wb.exceptions(&l, false).await.unwrap().is_empty(),
                "{number}"
            );
        }
        let a_paths = [
            addresses(&w, "alice", MANUFACTURER).await,
            addresses(&w, "alice", DISTRIBUTOR).await,
        ]
        .concat();
        let b_paths = addresses(&w, "eve", RETAILER).await;

        // Each sees their own pages (so the walk's addresses are real pages).
        for (b, who, paths) in [(&mut alice, "alice", &a_paths), (&mut eve, "eve", &b_paths)] {
            for (m, p) in paths.iter().filter(|(m, _)| *m == "GET") {
                let a = b.get(p).await;
                assert_eq!(a.status, 200, "{who} {m} {p}: {}", a.body);
            }
        }
        let before_b =
            w.wb.audit_log(
                &w.wb
                    .sign_in("eve", PASSWORD, Some(&w.code("eve")))
                    .await
                    .unwrap()
                    .caller,
                Some(&license(&w, "eve", RETAILER).await),
                10_000,
            )
            .await
            .unwrap()
            .len();
        let before_a = w.wb.verify_audit().await.unwrap().entries;

        walk_refused(&mut alice, "alice", &b_paths, &["Corner Store", RETAILER]).await;
        walk_refused(
            &mut eve,
            "eve",
            &a_paths,
            &["Golden Hour", MANUFACTURER, DISTRIBUTOR],
        )
        .await;
        // Same company, no role in the license: dave views the distributor only.
        let mut dave = w.browser("dave").await;
        let m_paths: Vec<_> = a_paths
            .iter()
            .filter(|(_, p)| p.starts_with(&format!("/l/{MANUFACTURER}")))
            .cloned()
            .collect();
        walk_refused(&mut dave, "dave", &m_paths, &["Golden Hour Kitchen"]).await;
        // The installation's administrators decide nothing for a licensee.
        let mut root = w.browser("root").await;
        walk_refused(&mut root, "root", &a_paths, &[]).await;
        walk_refused(&mut root, "root", &b_paths, &[]).await;
        // A license's pages with another license's ids: its submission, exception, package.
        let crossed: Vec<_> = b_paths
            .iter()
            .filter(|(_, p)| {
                p.contains("/outbox/") && !p.contains("/new")
                    || p.contains("/exceptions/")
                    || p.contains("/packages/")
            })
            .map(|(m, p)| {
                (
                    *m,
                    p.replacen(&format!("/l/{RETAILER}"), &format!("/l/{MANUFACTURER}"), 1),
                )
            })
            .collect();
        assert!(crossed.len() >= 4, "{crossed:?}");
        walk_refused(&mut alice, "alice (B's ids)", &crossed, &["Corner Store"]).await;

        // Nothing was written by any of it.
        assert_eq!(
            w.wb.verify_audit().await.unwrap().entries,
            before_a,
            "no audit entry was added"
        );
        let eve_caller =
            w.wb.sign_in("eve", PASSWORD, Some(&w.code("eve")))
                .await
                .unwrap()
                .caller;
        let l_b = license(&w, "eve", RETAILER).await;
        assert_eq!(
            w.wb.audit_log(&eve_caller, Some(&l_b), 10_000)
                .await
                .unwrap()
                .len(),
            before_b
        );
        assert!(
            w.wb.submissions(&l_b, Some(State::Withdrawn), 10)
                .await
                .unwrap()
                .is_empty()
        );

        // The admin pages: another company's people are not listed; companies are the
        // installation's business only.
        let people = eve.get("/admin/people").await;
        assert_eq!(people.status, 200, "{}", people.body);
        assert!(
            people.body.contains("eve") && !people.body.contains("alice"),
            "{}",
            people.body
        );
        assert_eq!(eve.get("/admin/companies").await.status, 403);
        assert_eq!(alice.get("/admin/companies").await.status, 403);
        let granted = alice
            .post(
                "/admin/grants",
                &[
                    ("username", "alice"),
                    ("license", RETAILER),
                    ("role", "viewer"),
                ],
            )
            .await;
        assert_ne!(
            granted.status, 303,
            "alice cannot grant herself a role in B"
        );
        assert!(
            w.wb.licenses_of(
                &w.wb
                    .sign_in("alice", PASSWORD, Some(&w.code("alice")))
                    .await
                    .unwrap()
                    .caller
            )
            .await
            .unwrap()
            .iter()
            .all(|l| l.number != RETAILER)
        );
        assert_eq!(root.get("/admin/companies").await.status, 200);
        w.finish().await;
    }
}

/// Every page, as every kind of person, before and after a key is rotated through the settings
/// form (and once refused): no Metrc key and no TOTP secret appears in any of them. The one
/// exception is the answer that creates a user, which shows that user's new secret once.
#[tokio::test]
async fn no_page_shows_a_key_or_a_secret() {
    let w = World::start(&Backend::Sqlite, WebOptions::default()).await;
    w.sync().await;
    let mut alice = w.browser("alice").await;
    let mut eve = w.browser("eve").await;
    let mut root = w.browser("root").await;
    let mut secrets = w.secrets();
    // Data on every page: a submission, an exception.
    for (b, number) in [(&mut alice, MANUFACTURER), (&mut eve, RETAILER)] {
        let owner = if number == RETAILER { "eve" } else { "alice" };
        let l = license(&w, owner, number).await;
        b.post(
            &lic("/outbox/new", number),
            &[
                ("kind", "strains"),
                ("title", "t"),
                ("reason", "r"),
                ("names", "Secretless"),
            ],
        )
        .await;
        let (label, v) =
            w.wb.records(&l, "package")
                .await
                .unwrap()
                .into_iter()
                .find(|(_, v)| v["IsFinished"] != true)
                .unwrap();
        b.post(
            &lic("/reconciliation/count", number),
            &[
                ("label", &label),
                ("quantity", "0.5"),
                ("unit", v["UnitOfMeasureName"].as_str().unwrap()),
            ],
        )
        .await;
        b.post(&lic("/reconciliation/run", number), &[]).await;
    }
    // A refused rotation does not echo the key typed.
    let typed = "typed-key-that-must-not-come-back-7781";
    secrets.push(typed.to_string());
    let refused = alice
        .post(
            &lic("/settings/key", MANUFACTURER),
            &[("key", typed), ("holder", ""), ("expires_on", "")],
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(!refused.body.contains(typed));
    // A rotation (to the same key, so Metrc keeps answering) shows only its last four.
    let user_key = w
        .app
        .creds
        .licenses
        .iter()
        .find(|l| l.license_number == MANUFACTURER)
        .unwrap()
        .user_key
        .clone();
    let holder = w
        .app
        .creds
        .licenses
        .iter()
        .find(|l| l.license_number == MANUFACTURER)
        .unwrap()
        .employee_license_number
        .clone();
    let rotated = alice
        .post(
            &lic("/settings/key", MANUFACTURER),
            &[
                ("key", &user_key),
                ("holder", &holder),
                ("expires_on", "2030-01-31"),
            ],
        )
        .await;
    assert_eq!(rotated.status, 303, "{}", rotated.body);
    let settings = alice.follow(&rotated).await;
    assert!(
        settings
            .body
            .contains(&format!("••••{}", &user_key[user_key.len() - 4..])),
        "{}",
        settings.body
    );
    // A user created through the form: the secret is shown in that answer only.
    let made = root
        .post(
            "/admin/people",
            &[
                ("company_id", &w.company_a.to_string()),
                ("username", "frank"),
                ("full_name", "Frank Example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let at = made
        .body
        .find("<p class=\"secret\">")
        .expect("the secret is shown")
        + "<p class=\"secret\">".len();
    let frank_secret = made.body[at..].split('<').next().unwrap().to_string();
    assert!(frank_secret.len() >= 16, "{frank_secret}");
    secrets.push(frank_secret);

    let mut pages = vec![];
    for (b, who, numbers) in [
        (&mut alice, "alice", vec![MANUFACTURER, DISTRIBUTOR]),
        (&mut eve, "eve", vec![RETAILER]),
    ] {
        let mut paths = vec!["/".to_string(), "/admin/people".to_string()];
        for n in numbers {
            let owner = if n == RETAILER { "eve" } else { "alice" };
            if n != DISTRIBUTOR {
                paths.extend(
                    addresses(&w, owner, n)
                        .await
                        .into_iter()
                        .filter(|(m, _)| *m == "GET")
                        .map(|(_, p)| p),
                );
            } else {
                paths.push(lic("", n));
                paths.push(lic("/settings", n));
            }
            for kind in ["locations", "move", "finish"] {
                paths.push(lic(&format!("/outbox/new?kind={kind}"), n));
            }
        }
        for p in paths {
            let a = b.get(&p).await;
            assert_eq!(a.status, 200, "{who} {p}");
            pages.push((format!("{who} {p}"), a.body));
        }
    }
    for p in ["/", "/admin/companies", "/admin/people"] {
        let a = root.get(p).await;
        assert_eq!(a.status, 200, "root {p}");
        pages.push((format!("root {p}"), a.body));
    }
    pages.push((
        "sign-in".into(),
        Browser::new(&w.base).get("/login").await.body,
    ));
    assert!(pages.len() > 30, "{}", pages.len());
    for (name, body) in &pages {
        for s in &secrets {
            assert!(
                !body.contains(s.as_str()),
                "{name} shows a secret ending {}",
                &s[s.len() - 4..]
            );
        }
    }
    w.finish().await;
}

/// The review rules as a person meets them: the author cannot approve their own; approving
/// asks for the code and fails without it (or with a wrong one); submitting asks first, then
/// sends once and shows Metrc's answer. Drafts, counts and resolutions keep what was typed when
/// refused, and irreversible steps confirm.
#[tokio::test]
async fn approving_needs_another_person_and_the_code() {
    let w = World::start(&Backend::Sqlite, WebOptions::default()).await;
    w.sync().await;
    let mut carol = w.browser("carol").await;
    let mut alice = w.browser("alice").await;
    let mut bob = w.browser("bob").await;
    let l = license(&w, "alice", MANUFACTURER).await;
    let state = |id: i64| {
        let (wb, l) = (w.wb.clone(), l.clone());
        async move { wb.submission(&l, id).await.unwrap().state }
    };

    let new = lic("/outbox/new", MANUFACTURER);
    assert_eq!(carol.get(&format!("{new}?kind=strains")).await.status, 200);
    let refused = carol
        .post(
            &new,
            &[
                ("kind", "strains"),
                ("title", "Launch"),
                ("reason", ""),
                ("names", "Typed Haze\nTyped Kush"),
            ],
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("Typed Haze\nTyped Kush"),
        "the names typed are kept"
    );
    let made = carol
        .post(
            &new,
            &[
                ("kind", "strains"),
                ("title", "Launch"),
                ("reason", "new menu"),
                ("names", "Web Sunset\nWeb Sunrise"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let page = carol.follow(&made).await;
    assert!(
        page.body
            .contains("Preflight found nothing that would fail"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Web Sunrise") && page.body.contains("Golden Hour Kitchen"));
    let id: i64 = made
        .location
        .as_deref()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let step = lic(&format!("/outbox/{id}/step"), MANUFACTURER);
    assert_eq!(
        carol
            .post(&step, &[("step", "send_to_review")])
            .await
            .status,
        303
    );
    assert_eq!(state(id).await, State::Review);

    // The author, even with her code, cannot approve.
    let own = carol
        .post(&step, &[("step", "approve"), ("code", &w.code("carol"))])
        .await;
    assert_eq!(own.status, 403, "{}", own.body);
    assert!(own.body.contains("author"), "{}", own.body);
    // An operator is not offered the step.
    let seen = bob.get(&lic(&format!("/outbox/{id}"), MANUFACTURER)).await;
    assert!(!seen.body.contains("value=\"approve\""));
    // Without the code, or with a wrong one, nothing moves.
    let no_code = alice
        .post(&step, &[("step", "approve"), ("note", "looks right")])
        .await;
    assert_eq!(no_code.status, 400);
    assert!(
        no_code.body.contains("6-digit code") && no_code.body.contains("looks right"),
        "{}",
        no_code.body
    );
    let wrong = if w.code("alice") == "000000" {
        "111111"
    } else {
        "000000"
    };
    let bad = alice
        .post(&step, &[("step", "approve"), ("code", wrong)])
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(
        !bad.body.contains(wrong),
        "the code typed is not shown back"
    );
    assert_eq!(state(id).await, State::Review);
    let ok = alice
        .post(&step, &[("step", "approve"), ("code", &w.code("alice"))])
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(state(id).await, State::Approved);

    // Submitting asks first; then it is sent once and Metrc's answer shown.
    let ask = alice.post(&step, &[("step", "submit")]).await;
    assert_eq!(ask.status, 200);
    assert!(
        ask.body.contains("Yes, submit to Metrc") && ask.body.contains("Golden Hour Kitchen"),
        "{}",
        ask.body
    );
    assert_eq!(state(id).await, State::Approved);
    let sent = alice
        .post(&step, &[("step", "submit"), ("confirmed", "yes")])
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let answer = alice.follow(&sent).await;
    assert!(answer.body.contains("Metrc accepted"), "{}", answer.body);
    assert!(answer.body.contains("SHA-256 of the answer"));
    assert_eq!(state(id).await, State::Accepted);

    // A count that is refused keeps the label typed; a good one and a reconciliation open an
    // exception, which is resolved only when confirmed.
    let (label, v) =
        w.wb.records(&l, "package")
            .await
            .unwrap()
            .into_iter()
            .find(|(_, v)| v["IsFinished"] != true)
            .unwrap();
    let unit = v["UnitOfMeasureName"].as_str().unwrap().to_string();
    let count = lic("/reconciliation/count", MANUFACTURER);
    let no = bob
        .post(
            &count,
            &[("label", &label), ("quantity", "lots"), ("unit", &unit)],
        )
        .await;
    assert_eq!(no.status, 400);
    assert!(
        no.body.contains("is not a quantity") && no.body.contains(&format!("value=\"{label}\"")),
        "{}",
        no.body
    );
    assert_eq!(
        bob.post(
            &count,
            &[("label", &label), ("quantity", "0.5"), ("unit", &unit)]
        )
        .await
        .status,
        303
    );
    let sheet = lic("/reconciliation/sheet", MANUFACTURER);
    let bad_sheet = bob
        .post_file(
            &sheet,
            "sheet",
            "count.csv",
            b"Label,Quantity,UnitOfMeasure\nX,minus,Grams\n".to_vec(),
        )
        .await;
    assert_eq!(bad_sheet.status, 400);
    assert!(bad_sheet.body.contains("line 2"), "{}", bad_sheet.body);
    let good_sheet = bob
        .post_file(
            &sheet,
            "sheet",
            "count.csv",
            format!("Label,Quantity,UnitOfMeasure\n{label},0.5,{unit}\n").into_bytes(),
        )
        .await;
    assert_eq!(good_sheet.status, 303, "{}", good_sheet.body);
    let recon = alice.get(&lic("/reconciliation", MANUFACTURER)).await;
    assert!(recon.body.contains("Quantity differs"), "{}", recon.body);
    assert_eq!(
        alice
            .post(&lic("/reconciliation/run", MANUFACTURER), &[])
            .await
            .status,
        303
    );
    let recon = alice.get(&lic("/reconciliation", MANUFACTURER)).await;
    assert!(
        recon.body.contains("open exception"),
        "the report's exception stays on the table: {}",
        recon.body
    );
    let ex =
        w.wb.exceptions(&l, false)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.label == label)
            .unwrap();
    let resolve = lic(&format!("/exceptions/{}/resolve", ex.id), MANUFACTURER);
    let unconfirmed = alice
        .post(
            &resolve,
            &[
                ("decision", "explained"),
                ("reason", "recounted, 0.5 was a typo"),
            ],
        )
        .await;
    assert_eq!(unconfirmed.status, 200);
    assert!(
        unconfirmed.body.contains("Yes, resolve")
            && unconfirmed.body.contains("recounted, 0.5 was a typo")
    );
    assert!(
        w.wb.exceptions(&l, false)
            .await
            .unwrap()
            .iter()
            .any(|e| e.id == ex.id),
        "still open"
    );
    let no_reason = alice
        .post(
            &resolve,
            &[
                ("decision", "explained"),
                ("reason", " "),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(no_reason.status, 400);
    let resolved = alice
        .post(
            &resolve,
            &[
                ("decision", "explained"),
                ("reason", "recounted, 0.5 was a typo"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(resolved.status, 303, "{}", resolved.body);
    assert!(
        !w.wb
            .exceptions(&l, false)
            .await
            .unwrap()
            .iter()
            .any(|e| e.id == ex.id)
    );

    // Syncing is for roles that may: the operator is told why not; the administrator syncs.
    let refused_sync = bob.post(&lic("/sync", MANUFACTURER), &[]).await;
    assert_eq!(refused_sync.status, 403, "{}", refused_sync.body);
    assert!(refused_sync.body.contains("does not allow"));
    let synced = alice.post(&lic("/sync", MANUFACTURER), &[]).await;
    assert_eq!(synced.status, 303);
    assert!(alice.follow(&synced).await.body.contains("Sync finished"));
    // The accepted submission's history and the requests page tell the story.
    let detail = alice
        .get(&lic(&format!("/outbox/{id}"), MANUFACTURER))
        .await;
    for words in [
        "Approve submission",
        "Submit to Metrc",
        "Metrc answer",
        "Accepted by Metrc",
    ] {
        assert!(detail.body.contains(words), "{words}: {}", detail.body);
    }
    let requests = alice.get(&lic("/requests", MANUFACTURER)).await;
    assert!(
        requests.body.contains("POST /strains/v2/"),
        "{}",
        requests.body
    );
    let _ = csrf_of;
    w.finish().await;
}

/// The router serves exactly the methods the table of license routes lists (so the isolation
/// walk, which walks the table, walks every page and form there is).
#[tokio::test]
async fn the_license_routes_are_the_table() {
    let w = World::start(&Backend::Sqlite, WebOptions::default()).await;
    let mut carol = w.browser("carol").await;
    for (pattern, methods) in LICENSE_ROUTES {
        let path = lic(pattern, "NO-SUCH-LICENSE")
            .replace("{id}", "1")
            .replace("{label}", "X");
        for method in ["GET", "POST"] {
            let a = if method == "GET" {
                carol.get(&path).await
            } else {
                carol.post(&path, &[]).await
            };
            let expected = if methods.contains(&method) { 404 } else { 405 };
            assert_eq!(a.status, expected, "{method} {path}");
        }
    }
    w.finish().await;
}

/// The id a draft's answer leads to.
fn id_of(a: &common::Answer) -> i64 {
    a.location
        .as_deref()
        .and_then(|l| l.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no submission: {} {}", a.status, a.body))
}

/// Registering a manifest (no Metrc API for it): the form says so; a form refused keeps what
/// was typed; a draft missing rule 40's transport fields is saved with preflight's problem on
/// its row and shows what was typed; once approved and submitted it is a task to do in Metrc's
/// web UI, whose checklist a compliance manager ticks (shown with who and when, and in the
/// audit log) and a viewer may not. Ticking accepts nothing.
#[tokio::test]
async fn a_manifest_becomes_a_task_done_by_hand_in_metrc() {
    let w = World::start(&Backend::Sqlite, WebOptions::default()).await;
    w.sync().await;
    let mut carol = w.browser("carol").await;
    let mut alice = w.browser("alice").await;
    let l = license(&w, "alice", MANUFACTURER).await;
    let new = lic("/outbox/new", MANUFACTURER);

    let form = carol.get(&format!("{new}?kind=manifest")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    for words in [
        "type=\"datetime-local\"",
        "Metrc's API has no way of registering a manifest",
        "checklist",
    ] {
        assert!(form.body.contains(words), "{words}: {}", form.body);
    }
    let label =
        w.wb.records(&l, "package")
            .await
            .unwrap()
            .into_iter()
            .find(|(_, v)| v["IsFinished"] != true && v["IsOnHold"] != true)
            .map(|(k, _)| k)
            .expect("a package");
    let mut fields = vec![
        ("kind", "manifest"),
        ("title", "Tuesday run"),
        ("reason", "weekly order"),
        ("template", "Distribution, Tuesday"),
        ("recipient", DISTRIBUTOR),
        ("transfer_type", "Transfer"),
        ("labels", label.as_str()),
        ("transporter", DISTRIBUTOR),
        ("driver_name", "Dana Driver"),
        ("departure", "2030-01-02T09:30"),
        ("arrival", "2030-01-02T11:00"),
    ];

    // A new package needs an ingredient; refused, it keeps what was typed.
    let no_ingredient = carol
        .post(
            &new,
            &[
                ("kind", "create"),
                ("title", "Gummies"),
                ("reason", "new run"),
                ("tag", "1A4NEWTAG"),
                ("item", "Typed Gummies"),
                ("quantity", "10"),
                ("unit", "Each"),
            ],
        )
        .await;
    assert_eq!(no_ingredient.status, 400, "{}", no_ingredient.body);
    assert!(
        no_ingredient.body.contains("at least one ingredient")
            && no_ingredient.body.contains("value=\"Typed Gummies\""),
        "{}",
        no_ingredient.body
    );

    // Refused by the form (no recipient): what was typed comes back.
    let no_recipient: Vec<_> = fields
        .iter()
        .map(|&(k, v)| (k, if k == "recipient" { "" } else { v }))
        .collect();
    let refused = carol.post(&new, &no_recipient).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Say which license receives the manifest")
            && refused.body.contains("value=\"Dana Driver\"")
            && refused.body.contains("value=\"2030-01-02T09:30\""),
        "{}",
        refused.body
    );

    // Saved with the transport half missing: preflight names rule 40 on row 1.
    let made = carol.post(&new, &fields).await;
    assert_eq!(made.status, 303, "{}", made.body);
    let page = carol.follow(&made).await;
    for words in [
        "Row 1: ",
        "(rule 40)",
        "vehicle plate",
        "Dana Driver",
        "2030-01-02 09:30:00",
        "class=\"card manifest bad\"",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }

    // Whole (with one of the transporter's own drivers), it passes preflight and goes through
    // review.
    fields.extend([
        ("driver_occupational", "EMP-300310"),
        ("driver_license", "D4481237"),
        ("vehicle_make", "Ford"),
        ("vehicle_model", "Transit"),
        ("vehicle_plate", "8ABC123"),
        ("phone", "555-0100"),
    ]);
    let made = carol.post(&new, &fields).await;
    assert_eq!(made.status, 303, "{}", made.body);
    let id = id_of(&made);
    let page = carol.follow(&made).await;
    assert!(
        page.body
            .contains("Preflight found nothing that would fail"),
        "{}",
        page.body
    );
    let step = lic(&format!("/outbox/{id}/step"), MANUFACTURER);
    let sent = carol.post(&step, &[("step", "send_to_review")]).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let ok = alice
        .post(&step, &[("step", "approve"), ("code", &w.code("alice"))])
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let approved = alice.follow(&ok).await;
    assert!(
        approved.body.contains("becomes a task to do in Metrc")
            && !approved.body.contains("is sent to Metrc for"),
        "{}",
        approved.body
    );
    let submitted = alice
        .post(&step, &[("step", "submit"), ("confirmed", "yes")])
        .await;
    assert_eq!(submitted.status, 303, "{}", submitted.body);
    let task = alice.follow(&submitted).await;
    for words in [
        "is now a task: work through the checklist",
        "A task to do in Metrc",
        "Tick step 1 as done",
        "accepts nothing",
    ] {
        assert!(task.body.contains(words), "{words}: {}", task.body);
    }
    assert!(!task.body.contains("It is with Metrc."));

    // The compliance manager ticks step 1: shown with who, and in the audit log.
    let tick = lic(&format!("/outbox/{id}/tick"), MANUFACTURER);
    let ticked = carol.post(&tick, &[("step", "0"), ("done", "yes")]).await;
    assert_eq!(ticked.status, 303, "{}", ticked.body);
    let page = carol.follow(&ticked).await;
    assert!(
        page.body.contains("ticked by carol") && page.body.contains("Untick step 1"),
        "{}",
        page.body
    );
    let audit = alice.get(&lic("/audit", MANUFACTURER)).await;
    assert!(audit.body.contains("Checklist step done"), "{}", audit.body);
    // A step that is not there is refused on the page.
    let nowhere = carol.post(&tick, &[("step", "99"), ("done", "yes")]).await;
    assert_eq!(nowhere.status, 400, "{}", nowhere.body);

    // A viewer sees the task but may not tick it.
    w.wb.grant(
        &Caller::operator(),
        Door::Cli,
        "dave",
        MANUFACTURER,
        Role::Viewer,
    )
    .await
    .unwrap();
    let mut dave = w.browser("dave").await;
    let seen = dave.get(&lic(&format!("/outbox/{id}"), MANUFACTURER)).await;
    assert_eq!(seen.status, 200);
    assert!(
        seen.body.contains("A task to do in Metrc") && !seen.body.contains("Tick step"),
        "{}",
        seen.body
    );
    let refused = dave.post(&tick, &[("step", "1"), ("done", "yes")]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let sub = w.wb.submission(&l, id).await.unwrap();
    assert_eq!(sub.ticks.len(), 1, "{:?}", sub.ticks);
    assert_eq!(sub.state, State::Submitted, "ticking accepts nothing");
    w.finish().await;
}

/// The installation's administrator says whether a company's Metrc is a tagtrail ledger; the
/// companies page shows it in words, the manifest form follows it, and nobody else may set it.
#[tokio::test]
async fn the_admin_says_whether_a_company_s_metrc_is_a_ledger() {
    let w = World::start(&Backend::Sqlite, WebOptions::default()).await;
    let mut root = w.browser("root").await;
    let page = root.get("/admin/companies").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Tasks done by hand in Metrc"),
        "{}",
        page.body
    );
    let a = w.company_a.to_string();
    let set = "/admin/ledger-extensions";
    let on = root.post(set, &[("company_id", &a), ("on", "yes")]).await;
    assert_eq!(on.status, 303, "{}", on.body);
    let page = root.follow(&on).await;
    assert!(
        page.body.contains("Sent by the workbench: this company"),
        "{}",
        page.body
    );
    assert!(w.wb.ledger_extensions(w.company_a).await.unwrap());
    assert!(!w.wb.ledger_extensions(w.company_b).await.unwrap());
    let mut carol = w.browser("carol").await;
    let form = carol
        .get(&lic("/outbox/new?kind=manifest", MANUFACTURER))
        .await;
    assert!(
        form.body.contains("the workbench sends it itself"),
        "{}",
        form.body
    );
    // Nobody else: a licensee's administrator is refused.
    let mut alice = w.browser("alice").await;
    let refused = alice.post(set, &[("company_id", &a)]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(w.wb.ledger_extensions(w.company_a).await.unwrap());
    // Off again (the box unticked), and the audit log keeps both.
    let off = root.post(set, &[("company_id", &a)]).await;
    assert_eq!(off.status, 303, "{}", off.body);
    assert!(!w.wb.ledger_extensions(w.company_a).await.unwrap());
    w.finish().await;
}

/// Issue 11 (delivery confirmation, returns to destruction): every synced manifest is listed
/// either way with each package's state on its delivery, whoever registered it, and a
/// destruction can start from elsewhere with its packages and reason filled in (the person
/// still says how and who witnessed it).
#[tokio::test]
async fn manifests_are_listed_with_their_packages_and_a_destruction_starts_filled_in() {
    let w = World::start(&Backend::Sqlite, WebOptions::default()).await;
    w.sync().await;
    let mut carol = w.browser("carol").await;
    let l = license(&w, "carol", DISTRIBUTOR).await;
    let seen = w.wb.manifests_seen(&l).await.unwrap();
    assert!(!seen.is_empty(), "the seeded ledger has manifests");
    let page = carol.get(&lic("/manifests", DISTRIBUTOR)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for m in &seen {
        assert!(page.body.contains(&m.manifest_number), "{}", page.body);
        let words = if m.outgoing {
            "Sent to"
        } else {
            "Received from"
        };
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    assert!(page.body.contains("href=\"/l/") && page.body.contains(">Manifests<"));

    let label = "1A4000000000000000009999";
    let url = format!(
        "{}?kind=destroy&labels={label}&why=Rejected+by+QA",
        lic("/outbox/new", DISTRIBUTOR)
    );
    let form = carol.get(&url).await;
    assert_eq!(form.status, 200, "{}", form.body);
    for words in [
        format!(">{label}</textarea>"),
        "value=\"Rejected by QA\"".to_string(),
        format!("value=\"Destroy {label}\""),
    ] {
        assert!(form.body.contains(&words), "{words}: {}", form.body);
    }
    assert!(
        !form.body.contains("role=\"alert\""),
        "a filled-in form is no refusal"
    );
    // Any other kind ignores the filling.
    let other = carol
        .get(&format!(
            "{}?kind=finish&labels={label}",
            lic("/outbox/new", DISTRIBUTOR)
        ))
        .await;
    assert!(!other.body.contains(label), "{}", other.body);
    w.finish().await;
}
