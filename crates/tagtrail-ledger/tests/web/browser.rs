//! A signed-in employee's browser, as far as these tests need one: cookies, the session's CSRF
//! token, forms posted from the site's own origin, no redirects followed.

use crate::helpers::TestApp;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, ORIGIN, SET_COOKIE};

pub struct Browser {
    pub base: String,
    http: reqwest::Client,
    /// The `Cookie` header the browser sends.
    pub cookies: String,
    /// The session's CSRF token, as the pages' forms carry it.
    pub csrf: String,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
    pub bytes: Vec<u8>,
}

fn cookie_of(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers().get_all(SET_COOKIE).iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let (k, rest) = v.split_once('=')?;
        (k == name).then(|| rest.split(';').next().unwrap_or("").to_string())
    })
}

/// The value of the first hidden input named `name` in `html`.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at..];
    let start = rest.find("value=\"")? + "value=\"".len();
    let end = rest[start..].find('"')?;
    Some(rest[start..start + end].to_string())
}

/// The element of `html` that starts with `open` (e.g. `<table id="lineage"`), to its `close`.
pub fn element<'a>(html: &'a str, open: &str, close: &str) -> &'a str {
    let Some(start) = html.find(open) else {
        return "";
    };
    let rest = &html[start..];
    let end = rest
        .find(close)
        .map(|e| e + close.len())
        .unwrap_or(rest.len());
    &rest[..end]
}

impl Browser {
    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client")
    }

    /// Signs in through the sign-in form as `username` on the server at `base`.
    pub async fn sign_in_at(base: &str, username: &str, password: &str) -> Browser {
        let http = Browser::client();
        let form = http
            .get(format!("{base}/ui/login"))
            .send()
            .await
            .expect("the sign-in form");
        let token_cookie = cookie_of(&form, "tagtrail_signin").expect("the form's token cookie");
        let token =
            hidden(&form.text().await.unwrap_or_default(), "csrf").expect("the form's token");
        let resp = http
            .post(format!("{base}/ui/login"))
            .header(COOKIE, format!("tagtrail_signin={token_cookie}"))
            .header(ORIGIN, base)
            .form(&[
                ("csrf", token.as_str()),
                ("username", username),
                ("password", password),
            ])
            .send()
            .await
            .expect("signing in");
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{username} signs in");
        let session = cookie_of(&resp, "tagtrail_session").expect("a session cookie");
        let mut b = Browser {
            base: base.to_string(),
            http,
            cookies: format!("tagtrail_session={session}"),
            csrf: String::new(),
        };
        let home = b.get("/ui").await;
        assert_eq!(home.status, StatusCode::OK);
        b.csrf = hidden(&home.body, "csrf").expect("the session's token on the page");
        b
    }

    /// Signs in as the demo employee of `license`.
    pub async fn sign_in(app: &TestApp, license: &str) -> Browser {
        let l = app
            .creds
            .licenses
            .iter()
            .find(|l| l.license_number == license)
            .expect("a demo license");
        Browser::sign_in_at(&app.base_url, &l.username, &l.password).await
    }

    /// The same browser, talking to another server.
    pub fn at(&self, base: &str) -> Browser {
        Browser {
            base: base.to_string(),
            http: Browser::client(),
            cookies: self.cookies.clone(),
            csrf: self.csrf.clone(),
        }
    }

    async fn read(resp: reqwest::Response) -> Page {
        let status = resp.status();
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        Page {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookies)
            .send()
            .await
            .expect("a GET");
        Browser::read(resp).await
    }

    /// Posts `form` as the site's own page would; the caller adds the token (or leaves it out).
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookies)
            .header(ORIGIN, &self.base)
            .form(form)
            .send()
            .await
            .expect("a POST");
        Browser::read(resp).await
    }
}
