//! Posted forms as typed: every field in order (a field may repeat), so a refused form can be
//! shown again exactly as it was filled in.

use crate::AppState;
use crate::error::Fail;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;

/// Fields never kept to show again: the form is refilled from what was typed, and these are
/// secrets (a Metrc key, a password, a second-factor code) or the session's token.
const SECRET: &[&str] = &["key", "password", "code", "csrf"];

#[derive(Debug, Clone, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// What to show in a refused form: the fields without the secrets.
    pub fn typed(&self) -> Fields {
        Fields(
            self.0
                .iter()
                .filter(|(k, _)| !SECRET.contains(&k.as_str()))
                .cloned()
                .collect(),
        )
    }
}

impl FromRequest<AppState> for Fields {
    type Rejection = Fail;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Fail> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| Fail::new(StatusCode::BAD_REQUEST, "The form could not be read."))?;
        Ok(Fields(
            form_urlencoded::parse(&bytes).into_owned().collect(),
        ))
    }
}

/// A form shown again after a refusal: which form, what was typed, and why it was refused.
#[derive(Debug, Clone, Default)]
pub struct Refill {
    pub form: &'static str,
    pub fields: Fields,
    pub error: String,
}

impl Refill {
    pub fn new(form: &'static str, fields: &Fields, error: impl Into<String>) -> Refill {
        Refill {
            form,
            fields: fields.typed(),
            error: error.into(),
        }
    }

    /// What was typed into `name` of `form`, if this refill is of that form.
    pub fn value(refill: Option<&Refill>, form: &str, name: &str) -> String {
        refill
            .filter(|r| r.form == form)
            .map(|r| r.fields.get(name).to_string())
            .unwrap_or_default()
    }

    /// The refusal of `form`, if this refill is of that form.
    pub fn error<'a>(refill: Option<&'a Refill>, form: &str) -> Option<&'a str> {
        // A form filled in from a link carries no error.
        refill
            .filter(|r| r.form == form && !r.error.is_empty())
            .map(|r| r.error.as_str())
    }
}
