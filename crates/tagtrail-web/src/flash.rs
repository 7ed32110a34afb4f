//! What a form leaves for the page it leads to: a message, the problems, and what was typed.
//!
//! Kept in the session (the database), not in the address: a link cannot make a page say
//! anything, a message is shown once, and a refused form comes back with every field as the
//! user typed it and each problem beside the field it is about.

use crate::WebState;
use crate::error::WebError;
use crate::fields::Fields;
use crate::session::Signed;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

/// Fields the flash never keeps (secrets), beside the ones [`Fields::journal`] drops.
const NOT_KEPT: &[&str] = &["csrf", "password", "confirmed"];

/// The most of one field kept to type again (a pasted package list stays whole up to this).
const FIELD_CHARS: usize = 8_000;

/// The outcome of a session's last form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Flash {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// The refused form: where it posted and its fields as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<Typed>,
}

/// A refused form's fields as typed, and the address it posted to (a page with several forms
/// fills only the one that was sent).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Typed {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl Flash {
    pub fn parse(text: &str) -> Option<Flash> {
        serde_json::from_str(text).ok()
    }

    /// The flash as stored, trimmed to fit [`tagtrail_app::MAX_FLASH`]: fields are dropped
    /// before the message and the problems.
    fn encode(mut self) -> String {
        let mut text = serde_json::to_string(&self).unwrap_or_default();
        while text.len() > tagtrail_app::MAX_FLASH {
            match &mut self.form {
                Some(f) if !f.fields.is_empty() => {
                    f.fields.pop();
                }
                Some(_) => self.form = None,
                None if self.errors.len() > 1 => {
                    self.errors.truncate(self.errors.len() / 2);
                }
                None => return String::new(),
            }
            text = serde_json::to_string(&self).unwrap_or_default();
        }
        text
    }
}

impl Typed {
    pub fn of(action: &str, fields: &Fields) -> Typed {
        Typed {
            action: action.to_string(),
            fields: fields
                .pairs()
                .iter()
                .filter(|(k, _)| !NOT_KEPT.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.chars().take(FIELD_CHARS).collect()))
                .collect(),
        }
    }
}

/// The message and problems at the top of a page.
pub fn notices(flash: Option<&Flash>) -> Markup {
    let Some(f) = flash else {
        return html! {};
    };
    html! {
        @if let Some(m) = f.msg.as_deref().filter(|m| !m.is_empty()) {
            div.flash role="status" { (m) }
        }
        @if let [one] = f.errors.as_slice() {
            div.flash.error role="alert" { (one) }
        } @else if !f.errors.is_empty() {
            div.flash.error role="alert" {
                (f.errors.len()) " problems; nothing was changed:"
                ul { @for e in &f.errors { li { (e) } } }
            }
        }
    }
}

/// The values a form shows: what the user typed, if this form was refused, else the defaults.
pub struct Prefill<'a> {
    typed: Option<&'a Typed>,
    errors: &'a [String],
}

impl<'a> Prefill<'a> {
    /// The prefill for the form posting to `action`.
    pub fn of(flash: Option<&'a Flash>, action: &str) -> Prefill<'a> {
        match flash.and_then(|f| f.form.as_ref().map(|t| (t, f))) {
            Some((t, f)) if t.action == action => Prefill {
                typed: Some(t),
                errors: &f.errors,
            },
            _ => Prefill {
                typed: None,
                errors: &[],
            },
        }
    }

    /// The field `name` as typed, or `default`.
    pub fn value(&self, name: &str, default: &str) -> String {
        match self.typed {
            Some(t) => t
                .fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            None => default.to_string(),
        }
    }

    /// Whether `value` was chosen for `name` (a select's option, a ticked box); `default`
    /// when the form was not refused.
    pub fn chosen(&self, name: &str, value: &str, default: bool) -> bool {
        match self.typed {
            Some(t) => t.fields.iter().any(|(k, v)| k == name && v == value),
            None => default,
        }
    }

    /// The problems about a field, found by the words the ledger uses for it (its Metrc name,
    /// `Quantity`, or the words of its label): shown under the field.
    pub fn problem(&self, words: &[&str]) -> Markup {
        let found: Vec<&String> = self
            .errors
            .iter()
            .filter(|e| {
                let e = e.to_lowercase();
                words.iter().any(|w| e.contains(&w.to_lowercase()))
            })
            .collect();
        html! { @for e in found { span.field-error role="alert" { (e) } } }
    }
}

/// Leaves `flash` for the session's next page. A failure to keep it is logged and the redirect
/// goes ahead: the write it reports is already done (or refused) either way.
async fn leave(s: &WebState, signed: &Signed, flash: Flash) {
    let text = flash.encode();
    if text.is_empty() {
        return;
    }
    if let Err(e) = s.ledger.leave_flash(signed.token(), &text).await {
        tracing::warn!(error = %e, "a form's outcome could not be kept for the next page");
    }
}

/// Redirect-after-post to `to`. Success leaves its message; a refusal the user can act on
/// leaves the problems and, when `typed` is given, the form as typed, for `to` to show; any
/// other refusal is an error page.
pub async fn reply(
    s: &WebState,
    signed: &Signed,
    to: &str,
    result: Result<String, WebError>,
    typed: Option<Typed>,
) -> Response {
    match result {
        Ok(msg) => {
            let flash = Flash {
                msg: Some(msg),
                ..Flash::default()
            };
            leave(s, signed, flash).await;
            Redirect::to(to).into_response()
        }
        Err(e) if e.shown() => {
            let flash = Flash {
                msg: None,
                errors: e.messages,
                form: typed,
            };
            leave(s, signed, flash).await;
            Redirect::to(to).into_response()
        }
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(action: &str, fields: &[(&str, &str)], errors: &[&str]) -> Flash {
        Flash {
            msg: None,
            errors: errors.iter().map(|e| e.to_string()).collect(),
            form: Some(Typed {
                action: action.into(),
                fields: fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            }),
        }
    }

    #[test]
    fn only_the_refused_form_is_filled_again() {
        let f = refused(
            "/a/adjust",
            &[("quantity", "-99x")],
            &["Quantity is not a number"],
        );
        let adjust = Prefill::of(Some(&f), "/a/adjust");
        assert_eq!(adjust.value("quantity", ""), "-99x");
        assert_eq!(adjust.value("note", "kept"), "");
        let other = Prefill::of(Some(&f), "/a/move");
        assert_eq!(other.value("note", "kept"), "kept");
        assert!(
            adjust
                .problem(&["quantity"])
                .into_string()
                .contains("not a number")
        );
        assert!(adjust.problem(&["location"]).into_string().is_empty());
    }

    #[test]
    fn secrets_are_not_kept_and_a_huge_form_is_trimmed() {
        let fields = Fields::urlencoded(b"csrf=t&password=p&confirmed=yes&note=hi");
        let t = Typed::of("/x", &fields);
        assert_eq!(t.fields, [("note".to_string(), "hi".to_string())]);
        let big = "x".repeat(FIELD_CHARS);
        let many: Vec<(&str, &str)> = (0..20).map(|_| ("list", big.as_str())).collect();
        let f = refused("/x", &many, &["bad"]);
        let text = f.encode();
        assert!(text.len() <= tagtrail_app::MAX_FLASH);
        let back = Flash::parse(&text).expect("the trimmed flash parses");
        assert_eq!(back.errors, ["bad"]);
    }
}
