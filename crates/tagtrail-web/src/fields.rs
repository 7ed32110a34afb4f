//! A posted form, as the browser sent it: url-encoded or multipart, read the same way, and what
//! of it the journal keeps as the web door's request.

use crate::WebState;
use crate::error::WebError;
use axum::extract::{FromRequest, Multipart, OriginalUri, Request};
use axum::http::header;
use serde_json::{Map, Value};
use tagtrail_app::Door;

/// Fields the journal never keeps: a password is a secret, and the CSRF token is a secret of the
/// session that says nothing about the request.
const SECRET: &[&str] = &["csrf", "password"];

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The fields of a form, in the order sent.
#[derive(Debug, Default, Clone)]
pub struct Fields {
    pairs: Vec<(String, String)>,
    files: Vec<(String, Upload)>,
}

impl Fields {
    pub fn urlencoded(body: &[u8]) -> Fields {
        Fields {
            pairs: form_urlencoded::parse(body).into_owned().collect(),
            files: vec![],
        }
    }

    pub async fn multipart(mut form: Multipart) -> Result<Fields, WebError> {
        let unreadable = || WebError::bad("The form could not be read.");
        let mut out = Fields::default();
        while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
            let name = field.name().unwrap_or_default().to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) => {
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|_| WebError::bad("The file could not be read."))?;
                    // A file input left empty still sends a part with no name and no bytes.
                    if !bytes.is_empty() {
                        let upload = Upload {
                            file_name,
                            bytes: bytes.to_vec(),
                        };
                        out.files.push((name, upload));
                    }
                }
                None => {
                    let value = field.text().await.map_err(|_| unreadable())?;
                    out.pairs.push((name, value));
                }
            }
        }
        Ok(out)
    }

    /// The first value of `name`, as sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, trimmed; `None` when absent or blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    /// Every value of `name`, in order (ticked checkboxes).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every text field, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The file uploaded under `name`, if one was chosen.
    pub fn file(&self, name: &str) -> Option<&Upload> {
        self.files.iter().find(|(k, _)| k == name).map(|(_, f)| f)
    }

    /// The form as the journal keeps it: each field by name (a repeated one as a list), a file
    /// as its name and size (its bytes, when they matter, are recorded by the action itself: a
    /// certificate by its hash), and never a secret.
    pub fn journal(&self) -> Value {
        let mut out = Map::new();
        let mut put = |name: &str, v: Value| match out.get_mut(name) {
            Some(Value::Array(list)) => list.push(v),
            Some(first) => {
                let first = first.take();
                out.insert(name.to_string(), Value::Array(vec![first, v]));
            }
            None => {
                out.insert(name.to_string(), v);
            }
        };
        for (k, v) in &self.pairs {
            if !SECRET.contains(&k.as_str()) {
                put(k, Value::String(v.clone()));
            }
        }
        for (k, f) in &self.files {
            let file = serde_json::json!({ "file_name": f.file_name, "size": f.bytes.len() });
            put(k, file);
        }
        Value::Object(out)
    }
}

/// A posted form and the path it was posted to: what the journal records as the web door.
pub struct Posted {
    pub path: String,
    pub fields: Fields,
}

impl Posted {
    /// The door this form came through, with the reason given (blank: the action's default).
    pub fn door(&self, reason: Option<&str>) -> Door {
        Door::web(format!("POST {}", self.path), self.fields.journal()).because(reason)
    }

    /// [`Posted::door`] with the journal's copy of the form replaced by `request` (a package list
    /// whose text, not just its size, is what was asked).
    pub fn door_with(&self, request: Value, reason: Option<&str>) -> Door {
        Door::web(format!("POST {}", self.path), request).because(reason)
    }
}

impl FromRequest<WebState> for Posted {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        // The path as the browser posted it (not rewritten by any nesting), without the query.
        let path = match req.extensions().get::<OriginalUri>() {
            Some(OriginalUri(uri)) => uri.path().to_string(),
            None => req.uri().path().to_string(),
        };
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        let fields = if multipart {
            let form = Multipart::from_request(req, state)
                .await
                .map_err(|e| WebError::new(e.status(), e.body_text()))?;
            Fields::multipart(form).await?
        } else {
            let body = axum::body::Bytes::from_request(req, state)
                .await
                .map_err(|e| WebError::new(e.status(), e.body_text()))?;
            Fields::urlencoded(&body)
        };
        Ok(Posted { path, fields })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_keeps_fields_but_never_a_secret() {
        let f = Fields::urlencoded(
            b"csrf=abc&username=ana&password=hunter22&pick=A&pick=B&pick=C&note=caf%C3%A9+ol%C3%A9",
        );
        assert_eq!(f.get("username"), Some("ana"));
        assert_eq!(f.all("pick").collect::<Vec<_>>(), ["A", "B", "C"]);
        let j = f.journal();
        assert_eq!(
            j,
            serde_json::json!({"username": "ana", "pick": ["A", "B", "C"], "note": "café olé"})
        );
    }

    #[test]
    fn blank_text_is_none() {
        let f = Fields::urlencoded(b"reason=++&note=+kept+");
        assert_eq!(f.text("reason"), None);
        assert_eq!(f.text("note").as_deref(), Some("kept"));
        assert_eq!(f.text("absent"), None);
    }
}
