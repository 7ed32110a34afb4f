//! A ledger on a fresh SQLite file with one distributor and one employee, and the web router
//! over it, spoken to in-process. Seeded through the application layer as the operator would.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, Response, StatusCode, header};
use serde_json::json;
use std::net::SocketAddr;
use tagtrail_app::actions::people::{
    CreateEmployee, CreateLicense, Employ, NewEmployee, PasswordHash, SetPermissions,
};
use tagtrail_app::actions::tags;
use tagtrail_app::{Acting, Config, Door, Ledger};
use tagtrail_domain::commands::people::{FacilitySpec, Grant};
use tagtrail_domain::commands::tags::OrderSpec;
use tagtrail_domain::license::LicenseType;
use tagtrail_web::{WebOptions, router};
use tower::ServiceExt;

pub const LICENSE: &str = "C11-0000701-LIC";
pub const OTHER: &str = "C10-0000911-LIC";
pub const USER: &str = "dana";
pub const PASSWORD: &str = "correct horse battery";

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub ledger: Ledger,
    pub app: Router,
    /// The shipped tag order awaiting receipt.
    pub order: i64,
}

fn db(dir: &tempfile::TempDir) -> String {
    dir.path()
        .join("tagtrail.db")
        .to_string_lossy()
        .into_owned()
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::start_with(WebOptions::default()).await
    }

    pub async fn start_with(options: WebOptions) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&db(&dir), Config::default()).await.unwrap();
        let op = Acting::operator("test");
        let door = || Door::operator("test seed", json!({}));
        for (lic, kind, name) in [
            (LICENSE, LicenseType::Distributor, "Delta Distribution"),
            (OTHER, LicenseType::Retailer, "Sunset Dispensary"),
        ] {
            let spec = FacilitySpec {
                license_number: lic.into(),
                license_type: kind,
                name: name.into(),
                address: None,
                license_start_date: "2025-01-01".into(),
                license_end_date: "2027-01-01".into(),
            };
            ledger
                .run_system::<CreateLicense>(&op, door(), &spec)
                .await
                .unwrap();
        }
        let employee = NewEmployee {
            username: USER.into(),
            full_name: "Dana Ortiz".into(),
            employee_license_number: "E-1".into(),
            password: Some(PasswordHash::of(PASSWORD).await.unwrap()),
        };
        ledger
            .run_system::<CreateEmployee>(&op, door(), &employee)
            .await
            .unwrap();
        let grant = Grant {
            permissions: vec![
                "Manage Tags".into(),
                "View Journal".into(),
                "View Packages".into(),
            ],
            is_owner: false,
            is_manager: false,
        };
        let employ = Employ {
            username: USER.into(),
            license_number: LICENSE.into(),
            grant,
        };
        ledger
            .run_system::<SetPermissions>(&op, door(), &employ)
            .await
            .unwrap();
        let scope = ledger.authorize(&op, LICENSE, &[]).await.unwrap();
        let spec = OrderSpec {
            plant_tags: None,
            package_tags: Some(10),
        };
        let ordered = ledger
            .run::<tags::Order>(&scope, door(), &vec![spec])
            .await
            .unwrap();
        let order = ordered.ids[0];
        ledger
            .run_system::<tags::Ship>(&op, door(), &order)
            .await
            .unwrap();
        let app = router(ledger.clone(), options);
        Harness {
            dir,
            ledger,
            app,
            order,
        }
    }

    /// The same database opened by a new process: a new ledger and a new router.
    pub async fn restart(&mut self) {
        self.ledger.close().await;
        self.ledger = Ledger::open(&db(&self.dir), Config::default())
            .await
            .unwrap();
        self.app = router(self.ledger.clone(), WebOptions::default());
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        Reply::of(resp).await
    }

    pub async fn get(&self, path: &str, cookies: &str) -> Reply {
        let req = Request::get(path)
            .header(header::HOST, "ledger.test")
            .header(header::COOKIE, cookies)
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    /// Posts `form` (url-encoded) to `path` as a browser on this site would.
    pub async fn post(&self, path: &str, cookies: &str, form: &[(&str, &str)]) -> Reply {
        self.post_from(path, cookies, form, Some("http://ledger.test"), None)
            .await
    }

    pub async fn post_from(
        &self,
        path: &str,
        cookies: &str,
        form: &[(&str, &str)],
        origin: Option<&str>,
        client: Option<SocketAddr>,
    ) -> Reply {
        let mut body = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form {
            body.append_pair(k, v);
        }
        let mut req = Request::post(path)
            .header(header::HOST, "ledger.test")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookies);
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        let mut req = req.body(Body::from(body.finish())).unwrap();
        if let Some(addr) = client {
            req.extensions_mut().insert(ConnectInfo(addr));
        }
        self.send(req).await
    }

    /// Opens the sign-in form: its double-submit cookie and token.
    pub async fn sign_in_form(&self) -> (String, String) {
        let form = self.get("/ui/login", "").await;
        assert_eq!(form.status, StatusCode::OK);
        let cookie = form
            .cookie("tagtrail_signin")
            .expect("the form sets its token cookie");
        let token = form.hidden("csrf").expect("the form carries its token");
        (format!("tagtrail_signin={cookie}"), token)
    }

    /// Signs in as the employee: the session cookie and the session's CSRF token.
    pub async fn sign_in(&self) -> (String, String) {
        let (cookie, token) = self.sign_in_form().await;
        let r = self
            .post(
                "/ui/login",
                &cookie,
                &[("csrf", &token), ("username", USER), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let session = format!("tagtrail_session={}", r.cookie("tagtrail_session").unwrap());
        let page = self.get("/ui", &session).await;
        assert_eq!(page.status, StatusCode::OK);
        let csrf = page
            .hidden("csrf")
            .expect("pages carry the session's token");
        (session, csrf)
    }

    pub async fn journal_len(&self) -> i64 {
        self.ledger.journal_len().await.unwrap()
    }
}

/// A response, read.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    async fn of(resp: Response<Body>) -> Reply {
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub fn location(&self) -> Option<&str> {
        self.headers.get(header::LOCATION)?.to_str().ok()
    }

    /// Every `Set-Cookie` line.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }

    /// The value the response sets for cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().into_iter().find_map(|c| {
            let (k, rest) = c.split_once('=')?;
            (k == name).then(|| rest.split(';').next().unwrap_or("").to_string())
        })
    }

    /// The value of the first hidden input named `name`.
    pub fn hidden(&self, name: &str) -> Option<String> {
        let at = self.body.find(&format!("name=\"{name}\" value=\""))?;
        let rest = &self.body[at..];
        let start = rest.find("value=\"")? + "value=\"".len();
        let end = rest[start..].find('"')?;
        Some(rest[start..start + end].to_string())
    }
}
