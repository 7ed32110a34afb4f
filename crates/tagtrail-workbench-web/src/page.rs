//! The page frame: the ledger UI's header, the license's colour band with its name and number,
//! the license's sections, and small shared pieces.
//!
//! The stylesheet is served from `/style.css` (the ledger UI's base styles and this UI's own),
//! so the Content Security Policy allows styles from this site only. A license's colour comes
//! from the database, so it cannot be in that file: each page that shows one carries a small
//! `<style>` of colour classes, allowed by its SHA-256 in that page's policy and nothing else
//! inline.

use crate::session::Signed;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;
use tagtrail_domain::time::Timestamp;
use tagtrail_web::Zone;
use tagtrail_web::shared::{BASE_CSS, POLICY};
use tagtrail_workbench::people::LicenseCtx;

/// The ledger UI's base styles, then this UI's own.
static STYLE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{BASE_CSS}\n/* the workbench */\n{}",
        include_str!("style.css")
    )
});

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            // Public and the same for everyone; a short life keeps a new release's styles close.
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        STYLE.as_str(),
    )
        .into_response()
}

/// Where a page is.
pub enum Place<'a> {
    /// The person's licenses, or the installation's admin home.
    Home,
    /// An admin page (`companies`, `people`).
    Admin(&'static str),
    /// A license's section.
    License(&'a LicenseCtx, &'static str),
}

/// What the frame shows around a signed-in person's page.
pub struct Frame<'a> {
    pub signed: &'a Signed,
    pub licenses: &'a [LicenseCtx],
    pub place: Place<'a>,
    /// Licenses the page shows in their colours besides the person's own (the installation's
    /// administrators see every company's, and hold a role in none).
    pub also: &'a [LicenseCtx],
}

/// A license's sections: the address under `/l/{license}` and the name.
pub const SECTIONS: &[(&str, &str)] = &[
    ("", "Dashboard"),
    ("/outbox", "Outbox"),
    ("/reconciliation", "Reconciliation"),
    ("/exceptions", "Exceptions"),
    ("/sync", "Sync runs"),
    ("/packages", "Packages"),
    ("/manifests", "Manifests"),
    ("/batches", "Batches"),
    ("/qa", "QA release"),
    ("/recall", "Recall"),
    ("/audit", "Audit log"),
    ("/settings", "Settings"),
];

/// A path segment (a license number) encoded so the path stays the same path whatever it holds.
pub fn segment(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// The address of a license's page: `/l/{license}` and `rest`.
pub fn lic_url(l: &LicenseCtx, rest: &str) -> String {
    format!("/l/{}{rest}", segment(&l.number))
}

/// A colour as stored (`#rrggbb`), checked again before it is written into a style.
fn colour(c: &str) -> Option<(u8, u8, u8)> {
    let hex = c.strip_prefix('#')?;
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let p = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some((p(0)?, p(2)?, p(4)?))
}

/// White or near-black text on `c`, whichever reads better (WCAG contrast).
fn ink(c: (u8, u8, u8)) -> &'static str {
    let lin = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.03928 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2);
    let on_white = 1.05 / (l + 0.05);
    let on_black = (l + 0.05) / 0.05;
    if on_white >= on_black { "#fff" } else { "#111" }
}

/// The colour classes (`.c{id}`) of these licenses: `--lic` is the colour, `--lic-ink` the text
/// on it.
pub fn colour_css(licenses: &[&LicenseCtx]) -> String {
    let mut out = String::new();
    for l in licenses {
        if let Some(c) = colour(&l.colour) {
            out.push_str(&format!(
                ".c{}{{--lic:#{:02x}{:02x}{:02x};--lic-ink:{}}}",
                l.license_id,
                c.0,
                c.1,
                c.2,
                ink(c)
            ));
        }
    }
    out
}

/// The class that colours an element in the license's colour.
pub fn cls(l: &LicenseCtx) -> String {
    format!("c{}", l.license_id)
}

/// A small square in the license's colour, beside its name.
pub fn swatch(l: &LicenseCtx) -> Markup {
    html! { span class={ "swatch " (cls(l)) } aria-hidden="true" {} }
}

/// "for Golden Hour Kitchen (CDPH-10003301)": beside an action's button, so every action says
/// which license it acts for.
pub fn acting_for(l: &LicenseCtx) -> Markup {
    html! {
        span.for { (swatch(l)) "for " strong { (l.name) } " " span.mono { "(" (l.number) ")" } }
    }
}

/// "You act for Golden Hour Kitchen (CDPH-10003301)": above a group of actions.
pub fn acting_line(l: &LicenseCtx) -> Markup {
    html! {
        p.acting { "You act for " (swatch(l)) strong { (l.name) } " " span.mono { "(" (l.number) ")" } }
    }
}

fn respond(status: StatusCode, doc: Markup, css: &str) -> Response {
    let mut resp = (status, doc).into_response();
    if !css.is_empty() {
        let digest = Sha256::digest(css.as_bytes());
        let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
        let policy = POLICY.replace(
            "style-src 'self'",
            &format!("style-src 'self' 'sha256-{b64}'"),
        );
        if let Ok(v) = HeaderValue::from_str(&policy) {
            resp.headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    resp
}

fn head(title: &str, css: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · tagtrail workbench" }
            link rel="stylesheet" href="/style.css";
            @if !css.is_empty() { style { (PreEscaped(css)) } }
        }
    }
}

/// A page without a signed-in frame (sign-in, errors).
pub fn plain(status: StatusCode, title: &str, body: Markup) -> Response {
    let doc = html! {
        (DOCTYPE)
        html lang="en" {
            (head(title, ""))
            body {
                a.skip href="#main" { "Skip to content" }
                header { a.brand href="/" { "tagtrail workbench" } }
                main #main { (body) }
            }
        }
    };
    respond(status, doc, "")
}

/// A signed-in person's page in its frame.
pub fn framed(status: StatusCode, f: Frame<'_>, title: &str, body: Markup) -> Response {
    let mut coloured: Vec<&LicenseCtx> = f.licenses.iter().chain(f.also).collect();
    if let Place::License(l, _) = f.place
        && !coloured.iter().any(|x| x.license_id == l.license_id)
    {
        coloured.push(l);
    }
    let css = colour_css(&coloured);
    let caller = &f.signed.caller;
    // People pages: the installation's administrators, and a licensee's administrators (for
    // their own company's people).
    let manages_people = caller.installation_admin
        || f.licenses
            .iter()
            .any(|l| l.allows(tagtrail_workbench::model::role::Duty::ManageLicense));
    let admin_on = |s: &str| matches!(f.place, Place::Admin(a) if a == s);
    let doc = html! {
        (DOCTYPE)
        html lang="en" {
            (head(title, &css))
            body {
                a.skip href="#main" { "Skip to content" }
                header {
                    a.brand href="/" { "tagtrail workbench" }
                    @if !f.licenses.is_empty() {
                        details.menu {
                            summary { "Licenses" }
                            ul { @for l in f.licenses {
                                li { a href=(lic_url(l, "")) { (swatch(l)) (l.name) " " span.mono { (l.number) } } }
                            } }
                        }
                    }
                    @if caller.installation_admin {
                        a href="/admin/companies" aria-current=[admin_on("companies").then_some("page")] { "Companies" }
                    }
                    @if manages_people {
                        a href="/admin/people" aria-current=[admin_on("people").then_some("page")] { "People" }
                    }
                    form.signout method="post" action="/logout" {
                        (csrf_field(&f.signed.csrf))
                        span.muted { (caller.username) " " }
                        button type="submit" { "Sign out" }
                    }
                }
                @if let Place::License(l, active) = f.place {
                    div class={ "band " (cls(l)) } {
                        span.band-name { (l.name) }
                        span.band-num.mono { (l.number) }
                        span.band-kind { (l.kind) " · " (l.company) }
                    }
                    nav.sub aria-label={ "Sections of " (l.name) } {
                        @for (slug, label) in SECTIONS {
                            a class=@if active == *slug { "on" } aria-current=[(active == *slug).then_some("page")] href=(lic_url(l, slug)) { (label) }
                        }
                    }
                }
                main #main {
                    @if let Some(m) = f.signed.flash.as_deref().filter(|m| !m.is_empty()) {
                        div.flash role="status" { (m) }
                    }
                    (body)
                }
            }
        }
    };
    respond(status, doc, &css)
}

/// The hidden field that proves a form was served by this site to this session. It comes first
/// in every form, so the guard finds it without reading past it.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// A message as a sentence: the workbench's messages start in lower case, to be quoted inside
/// others ("…: the author cannot approve it").
pub fn sentence(m: &str) -> String {
    let mut c = m.chars();
    match c.next() {
        Some(first) => format!("{}{}", first.to_uppercase(), c.as_str()),
        None => String::new(),
    }
}

/// A refusal shown above the form it refused.
pub fn refusal(error: Option<&str>) -> Markup {
    html! {
        @if let Some(e) = error {
            div.flash.error role="alert" { (sentence(e)) }
        }
    }
}

/// A time in the facility's zone, to the minute, with the UTC instant on hover.
pub fn when(zone: &Zone, t: Timestamp) -> Markup {
    zone.when(&tagtrail_domain::time::format(t))
}

/// A time stored as text.
pub fn when_text(zone: &Zone, t: &str) -> Markup {
    zone.when(t)
}

/// A SHA-256 shortened for a table, whole on hover.
pub fn short_hash(h: &str) -> Markup {
    let short: String = h.chars().take(12).collect();
    html! { span.mono title=(h) { (short) "…" } }
}

/// A wide table, scrolled sideways on a narrow screen rather than squeezing its columns. The
/// box takes keyboard focus, so it can be scrolled without a pointer.
pub fn wide(label: &str, table: Markup) -> Markup {
    html! { div.scroll tabindex="0" role="region" aria-label=(label) { (table) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_checked_and_inked() {
        assert_eq!(colour("#7c3aed"), Some((0x7c, 0x3a, 0xed)));
        assert_eq!(colour("#7c3aed;}body{x"), None);
        assert_eq!(colour("red"), None);
        assert_eq!(ink((0x7c, 0x3a, 0xed)), "#fff");
        assert_eq!(ink((0xfd, 0xe0, 0x47)), "#111");
    }

    #[test]
    fn the_stylesheet_holds_both_parts() {
        let s = STYLE.as_str();
        assert!(s.contains(".band"));
        assert!(s.contains("header{"));
    }
}
