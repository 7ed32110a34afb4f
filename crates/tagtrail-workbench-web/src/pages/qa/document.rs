//! COA documents: the upload (a multipart form: the file, the lab, THC % and CBD %) and the
//! download of a stored version, only ever of the license's own.

use super::decide::potency_of;
use super::{Lic, answer, label_of, refuse};
use crate::AppState;
use crate::error::{Fail, Result};
use crate::form::Fields;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::release::MAX_COA_BYTES;

/// The text fields of the upload kept to show again; the file cannot be (a browser never
/// refills a file input).
const TEXT_FIELDS: &[&str] = &["lab", "thc", "cbd"];

/// The file's name as the browser sent it, without any folder (some send a whole path).
fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

/// A file name safe in a `Content-Disposition` header and on any disk: letters, digits, dot,
/// dash and underscore; never hidden, never empty.
fn safe_file_name(name: &str, id: i64) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.chars().all(|c| c == '_' || c == '.') {
        format!("coa-{id}")
    } else {
        cleaned
    }
}

/// The type a stored document is sent with: as uploaded when it is a plain `type/subtype`, and
/// none a browser would run (markup or script) even if it ignored the attachment.
fn content_type(stored: &str) -> HeaderValue {
    let t = stored.trim().to_ascii_lowercase();
    let plain = t.split_once('/').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '+' | '-'))
    });
    let runs = ["html", "xml", "javascript", "ecmascript", "svg"]
        .iter()
        .any(|w| t.contains(w));
    if plain && !runs {
        HeaderValue::from_str(&t)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    } else {
        HeaderValue::from_static("application/octet-stream")
    }
}

pub async fn document(State(s): State<AppState>, l: Lic) -> Result<Response> {
    let id = l.id()?;
    let (stored_type, file_name, bytes) = s.wb.coa_document(&l.lic, id).await?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        safe_file_name(&file_name, id)
    );
    let mut resp = Body::from(bytes).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type(&stored_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition)
            .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(resp)
}

/// The upload as read: the text fields, and the file (its name, type and bytes) if one came.
struct Upload {
    fields: Fields,
    file: Option<(String, String, Vec<u8>)>,
}

async fn read(s: &AppState, req: Request) -> std::result::Result<Upload, &'static str> {
    let mut form = Multipart::from_request(req, s)
        .await
        .map_err(|_| "The upload could not be read.")?;
    let mut up = Upload {
        fields: Fields::default(),
        file: None,
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err("The upload could not be read."),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = base_name(field.file_name().unwrap_or(""));
            let kind = field.content_type().unwrap_or("").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| "The file could not be read.")?;
            // A browser sends an empty part when no file was chosen.
            if !bytes.is_empty() || !file_name.is_empty() {
                up.file = Some((file_name, kind, bytes.to_vec()));
            }
        } else if TEXT_FIELDS.contains(&name.as_str()) {
            let text = field
                .text()
                .await
                .map_err(|_| "The form could not be read.")?;
            up.fields.0.push((name, text));
        }
    }
    Ok(up)
}

pub async fn attach_coa(State(s): State<AppState>, l: Lic, req: Request) -> Result<Response> {
    let label = label_of(&l);
    let bad = |m: String| Fail::new(StatusCode::BAD_REQUEST, m);
    let up = match read(&s, req).await {
        Ok(up) => up,
        Err(m) => {
            return refuse(&s, &l, &label, "coa", &Fields::default(), bad(m.into())).await;
        }
    };
    let fields = &up.fields;
    let Some((file_name, kind, bytes)) = up.file.as_ref().filter(|f| !f.2.is_empty()) else {
        let m = "Choose the COA's file (a PDF or an image).".to_string();
        return refuse(&s, &l, &label, "coa", fields, bad(m)).await;
    };
    if bytes.len() > MAX_COA_BYTES {
        let m = format!(
            "The file is {:.1} MB; a COA is at most {} MB.",
            bytes.len() as f64 / (1024.0 * 1024.0),
            MAX_COA_BYTES / (1024 * 1024)
        );
        return refuse(&s, &l, &label, "coa", fields, bad(m)).await;
    }
    let claimed = match potency_of(fields) {
        Ok(p) => p,
        Err(m) => return refuse(&s, &l, &label, "coa", fields, bad(m)).await,
    };
    let file_name = if file_name.is_empty() {
        "coa.pdf"
    } else {
        file_name
    };
    let outcome = s
        .wb
        .attach_coa(
            &l.signed.caller,
            Door::Web,
            &l.lic,
            &label,
            fields.get("lab"),
            file_name,
            kind,
            bytes,
            claimed,
        )
        .await
        .map(|(_, version, flags)| {
            let mut m = format!("COA version {version} of {label} attached ({file_name}).");
            if !flags.is_empty() {
                let labels: Vec<&str> = flags.iter().map(|f| f.label.as_str()).collect();
                m.push_str(&format!(
                    " It contradicts the potency on {} label{}: {}. They are flagged in the QA queue.",
                    labels.len(),
                    if labels.len() == 1 { "" } else { "s" },
                    labels.join(", ")
                ));
            }
            m
        });
    answer(&s, &l, &label, "coa", fields, outcome).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_file_name("coa v2.pdf", 3), "coa_v2.pdf");
        assert_eq!(safe_file_name("\"; x=y\r\n.pdf", 3), "___x_y__.pdf");
        assert_eq!(safe_file_name("..", 3), "coa-3");
        assert_eq!(safe_file_name(".hidden", 3), "hidden");
        assert_eq!(base_name("C:\\Users\\me\\coa.pdf"), "coa.pdf");
    }

    #[test]
    fn documents_never_go_out_as_markup() {
        assert_eq!(content_type("application/pdf"), "application/pdf");
        assert_eq!(content_type("text/html"), "application/octet-stream");
        assert_eq!(content_type("image/svg+xml"), "application/octet-stream");
        assert_eq!(content_type("a\r\nb"), "application/octet-stream");
    }
}
