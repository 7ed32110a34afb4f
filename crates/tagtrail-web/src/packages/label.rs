//! A package's printable label, 4 × 2 inches: the UID as a Code 128 barcode (what handheld
//! scanners read) and as a QR code holding the package's address on this site (a phone camera
//! opens the package), the item, the quantity, who packaged it (bulletin I: Packaged By) and
//! when, and the lab testing state.
//!
//! The page prints from the browser with no script: the print stylesheet hides everything but
//! the label and gives it a page of its own size (`@page label`). The same label is also served
//! as a PDF for label printers that take one.

use crate::WebState;
use crate::error::WebError;
use crate::frame::Frame;
use crate::session::Signed;
use crate::status::{self, Tone};
use crate::urls::segment;
use crate::when::date;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, PreEscaped, html};
use tagtrail_documents::barcode::{code128_svg, qr_svg};
use tagtrail_documents::label::{Label, label_pdf};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::Package;

/// This site's address as the browser reached it, for the QR code: the `Host` the request was
/// sent to, over HTTPS when a proxy says so or cookies are marked secure (the UI is then served
/// over TLS). A host with anything but the characters of a host name and port is not used.
pub fn origin(headers: &HeaderMap, secure: bool) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::trim)
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .map(|p| p.trim().to_ascii_lowercase());
    let scheme = match forwarded.as_deref() {
        Some("https") => "https",
        Some("http") => "http",
        _ if secure => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

/// The address a label's QR code holds: the package by its UID, which opens it at whichever
/// license the person scanning may see it.
pub fn address(origin: &str, p: &Package) -> String {
    format!("{origin}/ui/packages/{}", segment(p.label.as_str()))
}

/// What the label says, for the page and the PDF alike.
pub fn label_of(p: &Package, address: String) -> Label {
    Label {
        uid: p.label.to_string(),
        item: p.item_name.clone(),
        quantity: format!("{} {}", p.quantity.normalize(), p.unit_of_measure),
        packaged_by_license: p.packaged_by_license.clone(),
        packaged_by_name: p.packaged_by_name.clone(),
        packaged_date: date(&p.packaged_date),
        lab_state: status::words(p.lab_testing_state).to_string(),
        failed: status::tone(p.lab_testing_state) == Tone::Failed,
        address,
    }
}

/// An SVG drawn by the barcode crates, made to scale to its box: without the XML prolog (this
/// is HTML), bars stretched to the box (`preserveAspectRatio="none"` keeps every bar the same
/// width relative to the others) and edges kept crisp for print.
fn inline_svg(svg: &str, stretch: bool) -> String {
    let svg = match svg.find("<svg") {
        Some(at) => &svg[at..],
        None => svg,
    };
    let attrs = if stretch {
        "<svg preserveAspectRatio=\"none\" shape-rendering=\"crispEdges\" aria-hidden=\"true\" focusable=\"false\" "
    } else {
        "<svg aria-hidden=\"true\" focusable=\"false\" "
    };
    svg.replacen("<svg ", attrs, 1)
}

/// The label itself: 4 × 2 inches on paper, a preview on screen.
pub fn label_markup(l: &Label) -> Result<Markup, WebError> {
    let failure = |e: String| {
        tracing::error!(error = %e, "a label's barcode could not be drawn");
        WebError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The label's barcode could not be drawn.",
        )
    };
    let bars = code128_svg(&l.uid, 60).map_err(failure)?;
    let qr = qr_svg(&l.address, 120).map_err(failure)?;
    Ok(html! {
        article.label #label aria-label={ "Label of package " (l.uid) } {
            div.bars role="img" aria-label={ "Code 128 barcode of " (l.uid) } data-encodes=(l.uid) {
                (PreEscaped(inline_svg(&bars, true)))
            }
            p.uid { (l.uid) }
            div.label-main {
                div.label-facts {
                    p.item { (l.item) }
                    p.qty { (l.quantity) }
                    p.by { "Packaged by " (l.packaged_by_license) " " (l.packaged_by_name) }
                    p.when { "Packaged " (l.packaged_date) }
                    p.lab.failed[l.failed] {
                        "Lab: " @if l.failed { "✕ " } (l.lab_state) @if l.failed { " · not for sale" }
                    }
                }
                div.qr role="img" aria-label={ "QR code of " (l.address) } data-encodes=(l.address) {
                    (PreEscaped(inline_svg(&qr, false)))
                }
            }
        }
    })
}

async fn labelled(
    s: &WebState,
    signed: Signed,
    license: &str,
    id: &str,
    headers: &HeaderMap,
) -> Result<(Frame, Package, Label), WebError> {
    let f = Frame::of(s, signed, license, &[Permission::ViewPackages]).await?;
    let id: i64 = id
        .trim()
        .parse()
        .map_err(|_| WebError::not_found(format!("No package {id} here.")))?;
    let p = s.ledger.package_seen(&f.scope, id).await?;
    let at = address(&origin(headers, s.options.secure_cookies), &p);
    let l = label_of(&p, at);
    Ok((f, p, l))
}

/// `/ui/l/{license}/packages/{id}/label`: the label, ready to print.
pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let (f, p, l) = labelled(&s, signed, &license, &id, &headers).await?;
    let package = f.url(&format!("packages/{}", p.id));
    let body = html! {
        div.screen-only {
            h1 { "Label · " span.mono { (p.label) } }
            p {
                "Print this page on 4 × 2 in label stock (in the print dialog: the label printer, scale 100 %, no margins, no headers and footers). "
                "Only the label prints. "
                a href=(format!("{package}/label.pdf")) { "The label as a PDF" } " · "
                a href=(package) { "Back to the package" }
            }
            (status::banner(&p))
        }
        div.label-sheet { (label_markup(&l)?) }
    };
    Ok(f.page(&format!("Label {}", p.label), "packages", body)
        .into_response())
}

/// `/ui/l/{license}/packages/{id}/label.pdf`: the same label as a 4 × 2 in PDF.
pub async fn pdf(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let (_, p, l) = labelled(&s, signed, &license, &id, &headers).await?;
    let bytes = label_pdf(&l).map_err(|e| {
        tracing::error!(error = %e, "a label PDF could not be written");
        WebError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The label could not be written as a PDF.",
        )
    })?;
    let disposition = format!("inline; filename=\"label-{}.pdf\"", p.label);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            if let Ok(v) = HeaderValue::from_str(v) {
                h.insert(*k, v);
            }
        }
        h
    }

    /// The QR code holds the package's address on the site the label was printed from, so a
    /// phone camera opens it; a forged host cannot put anything else in it.
    #[test]
    fn the_qr_code_holds_the_packages_address_on_this_site() {
        assert_eq!(
            origin(&headers(&[("host", "127.0.0.1:8080")]), false),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            origin(&headers(&[("host", "ledger.example")]), true),
            "https://ledger.example"
        );
        assert_eq!(
            origin(
                &headers(&[("host", "ledger.example"), ("x-forwarded-proto", "https")]),
                false
            ),
            "https://ledger.example"
        );
        assert_eq!(
            origin(&headers(&[("host", "evil.example/phish?x=")]), false),
            "http://localhost"
        );
        let l = Label {
            uid: "1A4AE90C51F9E21000000001".into(),
            item: "Mango <Gummies>".into(),
            quantity: "10 Each".into(),
            packaged_by_license: "C11-0000701-LIC".into(),
            packaged_by_name: "Golden State Distribution".into(),
            packaged_date: "May 1, 2026".into(),
            lab_state: "Test failed".into(),
            failed: true,
            address: "http://127.0.0.1:8080/ui/packages/1A4AE90C51F9E21000000001".into(),
        };
        let html = label_markup(&l).expect("a label").into_string();
        assert!(
            html.contains(
                "data-encodes=\"http://127.0.0.1:8080/ui/packages/1A4AE90C51F9E21000000001\""
            ),
            "{html}"
        );
        assert_eq!(html.matches("<svg").count(), 2, "both barcodes");
        assert!(!html.contains("<?xml"), "no XML prolog inside HTML");
        assert!(html.contains("Mango &lt;Gummies&gt;"), "text is escaped");
        assert!(html.contains("not for sale"), "a failed lot says so");
    }
}
