//! A real ledger on loopback, a workbench connected to it over HTTP, and the workbench's web UI
//! served on loopback too; and a small browser (cookies, CSRF token, no redirects followed) to
//! drive the UI as a person would.

#![allow(dead_code)]

use std::collections::BTreeMap;
use tagtrail_testkit::{Backend, DISTRIBUTOR, EmptyDatabase, MANUFACTURER, RETAILER, TestApp};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::role::Role;
use tagtrail_workbench::people::{Caller, totp_code};
use tagtrail_workbench::vault::{Kek, Secret};
use tagtrail_workbench::{Config, Workbench};
use tagtrail_workbench_web::WebOptions;

pub const PASSWORD: &str = "correct horse battery";

/// Who is who: the brand's people (company A, two licenses), the corner store's (company B),
/// and the installation's administrator.
/// A person: user name, company (`A`, `B`, or none for the installation) and roles.
type Person = (
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, Role)],
);

pub const PEOPLE: &[Person] = &[
    (
        "alice",
        Some("A"),
        &[(MANUFACTURER, Role::Admin), (DISTRIBUTOR, Role::Admin)],
    ),
    ("bob", Some("A"), &[(MANUFACTURER, Role::Operator)]),
    (
        "carol",
        Some("A"),
        &[
            (MANUFACTURER, Role::ComplianceManager),
            (DISTRIBUTOR, Role::ComplianceManager),
        ],
    ),
    ("dave", Some("A"), &[(DISTRIBUTOR, Role::Viewer)]),
    ("eve", Some("B"), &[(RETAILER, Role::Admin)]),
    ("root", None, &[]),
];

pub struct World {
    pub app: TestApp,
    pub wb: Workbench,
    /// The web UI's address.
    pub base: String,
    /// Each user's TOTP secret.
    pub totp: BTreeMap<String, String>,
    pub company_a: i64,
    pub company_b: i64,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    db: Option<EmptyDatabase>,
}

impl World {
    /// A ledger and a workbench on `backend`, both companies set up, the UI served with
    /// `options`.
    pub async fn start(backend: &Backend, options: WebOptions) -> World {
        World::start_on(backend, options, "127.0.0.1:0").await
    }

    /// [`World::start`] with the UI listening on `listen`.
    pub async fn start_on(backend: &Backend, options: WebOptions, listen: &str) -> World {
        let app = TestApp::start(backend, tagtrail_testkit::test_config()).await;
        let db = EmptyDatabase::create(backend, "wbweb").await;
        let url = db.url.clone();
        let kek = Kek::from_text(&hex::encode([9u8; 32])).unwrap();
        let config = Config {
            rate_limit_per_second: 2_000,
            first_sync_since: chrono::TimeDelta::days(2),
            ..Config::default()
        };
        let wb = Workbench::open(&url, kek, config).await.unwrap();
        let op = Caller::operator();
        let a = wb
            .create_company(&op, Door::Cli, "Golden Hour Brands", &app.base_url)
            .await
            .unwrap();
        wb.add_license(
            &op,
            Door::Cli,
            a,
            MANUFACTURER,
            "Golden Hour Kitchen",
            "Manufacturer",
            "#7c3aed",
        )
        .await
        .unwrap();
        wb.add_license(
            &op,
            Door::Cli,
            a,
            DISTRIBUTOR,
            "Golden Hour Distribution",
            "Distributor",
            "#0e7490",
        )
        .await
        .unwrap();
        let b = wb
            .create_company(&op, Door::Cli, "Corner Store Inc", &app.base_url)
            .await
            .unwrap();
        wb.add_license(
            &op,
            Door::Cli,
            b,
            RETAILER,
            "Corner Store",
            "Retailer",
            "#fde047",
        )
        .await
        .unwrap();
        for company in [a, b] {
            wb.store_vendor_key(
                &op,
                Door::Cli,
                company,
                Secret::new(app.creds.vendor_key.clone()),
                None,
            )
            .await
            .unwrap();
        }
        for number in [MANUFACTURER, DISTRIBUTOR, RETAILER] {
            let l = app
                .creds
                .licenses
                .iter()
                .find(|l| l.license_number == number)
                .unwrap();
            // The manufacturer's key expires soon, so its pages remind.
            let expires = (number == MANUFACTURER)
                .then(|| (chrono::Utc::now() + chrono::TimeDelta::days(10)).date_naive());
            wb.store_user_key_as_operator(
                number,
                Secret::new(l.user_key.clone()),
                &l.employee_license_number,
                expires,
            )
            .await
            .unwrap();
        }
        let mut totp = BTreeMap::new();
        for (name, company, roles) in PEOPLE {
            let company = company.map(|c| if c == "A" { a } else { b });
            let u = wb
                .create_user(
                    &op,
                    Door::Cli,
                    company,
                    name,
                    &format!("{name} Example"),
                    PASSWORD,
                )
                .await
                .unwrap();
            for (l, r) in *roles {
                wb.grant(&op, Door::Cli, name, l, *r).await.unwrap();
            }
            totp.insert(name.to_string(), u.totp_secret);
        }
        let listener = tokio::net::TcpListener::bind(listen).await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(tagtrail_workbench_web::serve(
            wb.clone(),
            options,
            listener,
            async move {
                let _ = rx.await;
            },
        ));
        World {
            app,
            wb,
            base,
            totp,
            company_a: a,
            company_b: b,
            stop: Some(tx),
            server: Some(server),
            db: Some(db),
        }
    }

    /// Every license's first sync (adopting Metrc's packages as expected), as the scheduler does.
    pub async fn sync(&self) {
        for (number, r) in self.wb.sync_all(&|_| {}).await {
            let r = r.unwrap_or_else(|e| panic!("{number}: {e}"));
            assert!(r.errors.is_empty(), "{number}: {:?}", r.errors);
        }
    }

    pub fn code(&self, user: &str) -> String {
        totp_code(&self.totp[user]).unwrap()
    }

    /// A browser signed in as `user` (with the code: everyone may give it).
    pub async fn browser(&self, user: &str) -> Browser {
        let mut b = Browser::new(&self.base);
        let p = b.sign_in(user, PASSWORD, &self.code(user)).await;
        assert_eq!(p.status, 303, "{user} signs in: {}", p.body);
        b
    }

    /// Every secret the workbench holds: the Metrc keys and the TOTP secrets.
    pub fn secrets(&self) -> Vec<String> {
        let mut out = vec![self.app.creds.vendor_key.clone()];
        out.extend(self.app.creds.licenses.iter().map(|l| l.user_key.clone()));
        out.extend(self.totp.values().cloned());
        out
    }

    pub async fn finish(mut self) {
        let verified = self.wb.verify_audit().await.unwrap();
        assert!(verified.problem.is_none(), "{:?}", verified.problem);
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(s) = self.server.take() {
            let _ = s.await;
        }
        self.wb.close().await;
        if let Some(db) = self.db.take() {
            db.drop_now().await;
        }
        self.app.finish().await;
    }
}

/// An answer as a browser got it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
}

/// A browser: keeps cookies, knows its session's CSRF token, follows no redirect by itself.
pub struct Browser {
    http: reqwest::Client,
    base: String,
    pub cookies: BTreeMap<String, String>,
    pub csrf: String,
    /// An `Origin` header to send with posts (a browser sends its page's).
    pub origin: Option<String>,
}

/// The value of the first `name="csrf"` field of a page.
pub fn csrf_of(body: &str) -> Option<String> {
    let at = body.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(body[at..].split('"').next()?.to_string())
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_string(),
            cookies: BTreeMap::new(),
            csrf: String::new(),
            origin: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn answer(&mut self, resp: reqwest::Response) -> Answer {
        for v in resp.headers().get_all(reqwest::header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let location = headers
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        let body = resp.text().await.unwrap();
        Answer {
            status,
            body,
            location,
            headers,
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.answer(resp).await
    }

    /// Posts `fields` as a form, the session's CSRF token first (as every page's forms do).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let csrf = self.csrf.clone();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly `fields`.
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut req = self.http.post(format!("{}{path}", self.base));
        if let Some(o) = &self.origin {
            req = req.header("origin", o);
        }
        let resp = req
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.answer(resp).await
    }

    /// Posts a multipart form with one file, the CSRF token first.
    pub async fn post_file(
        &mut self,
        path: &str,
        field: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Answer {
        let boundary = "XXwbtestXX";
        let mut body = Vec::new();
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
                self.csrf
            )
            .as_bytes(),
        );
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n")
                .as_bytes(),
        );
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        self.answer(resp).await
    }

    /// Signs in through the form; on success learns the session's CSRF token from the home page.
    pub async fn sign_in(&mut self, user: &str, password: &str, code: &str) -> Answer {
        let form = self.get("/login").await;
        let token = csrf_of(&form.body).unwrap();
        let p = self
            .post_raw(
                "/login",
                &[
                    ("csrf", &token),
                    ("username", user),
                    ("password", password),
                    ("code", code),
                ],
            )
            .await;
        if p.status == 303 {
            let home = self.get("/").await;
            self.csrf = csrf_of(&home.body).unwrap_or_default();
        }
        p
    }

    /// Follows a redirect answer (a GET of its location).
    pub async fn follow(&mut self, a: &Answer) -> Answer {
        let to = a
            .location
            .clone()
            .unwrap_or_else(|| panic!("no redirect: {} {}", a.status, a.body));
        self.get(&to).await
    }
}
