//! The page frame (header, license navigation, sign-out) and small shared pieces.
//!
//! The stylesheet is served from `/ui/style.css` rather than inlined, so that the Content
//! Security Policy can allow styles from this site only: no inline style or script runs, even
//! if text from the ledger ever escaped its HTML escaping.

use axum::http::header;
use axum::response::IntoResponse;
use maud::{DOCTYPE, Markup, html};

const STYLE: &str = include_str!("style.css");

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            // Public and the same for everyone; a short life keeps a new release's styles close.
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        STYLE,
    )
}

/// What the frame shows for a signed-in employee.
pub struct Nav<'a> {
    /// The license the page is about, if any: its sections are linked.
    pub license: Option<&'a str>,
    /// Every license the employee works at, with the facility's name.
    pub licenses: &'a [(String, String)],
    /// The section shown (`packages`, `transfers`…).
    pub active: &'a str,
    pub username: &'a str,
    /// The session's CSRF token, for the sign-out form.
    pub csrf: &'a str,
}

const SECTIONS: &[(&str, &str)] = &[
    ("packages", "Packages"),
    ("transfers", "Transfers"),
    ("labsamples", "Lab samples"),
    ("items", "Items"),
    ("strains", "Strains"),
    ("locations", "Locations"),
    ("tags", "Tags"),
    ("employees", "Employees"),
    ("journal", "Journal"),
];

pub fn page(title: &str, nav: Option<Nav<'_>>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · tagtrail" }
                link rel="stylesheet" href="/ui/style.css";
            }
            body {
                header {
                    a.brand href="/ui" { "tagtrail" }
                    @if let Some(n) = &nav {
                        @for (lic, name) in n.licenses {
                            a href={ "/ui/l/" (lic) "/packages" } title=(name) {
                                @if Some(lic.as_str()) == n.license { strong { (lic) } } @else { (lic) }
                            }
                        }
                        form method="post" action="/ui/logout" {
                            (csrf_field(n.csrf))
                            span.muted { (n.username) " " }
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                @if let Some(n) = &nav {
                    @if let Some(lic) = n.license {
                        nav.sub {
                            @for (slug, label) in SECTIONS {
                                a class=@if n.active == *slug { "on" } href={ "/ui/l/" (lic) "/" (slug) } { (label) }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// The hidden field that proves a form was served by this site to this session. It comes first
/// in every form, so the check finds it without reading past it.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

pub fn flash(msg: Option<&str>, error: bool) -> Markup {
    html! {
        @if let Some(m) = msg.filter(|m| !m.is_empty()) {
            div class=@if error { "flash error" } @else { "flash" } role="status" { (m) }
        }
    }
}

/// The flash area: a success message, and every problem of a refusal on its own line.
pub fn notices(msg: Option<&str>, errors: &[String]) -> Markup {
    html! {
        (flash(msg, false))
        @if let [one] = errors {
            div.flash.error role="alert" { (one) }
        } @else if !errors.is_empty() {
            div.flash.error role="alert" {
                (errors.len()) " problems; nothing was changed:"
                ul { @for e in errors { li { (e) } } }
            }
        }
    }
}

pub fn yes_no(b: bool) -> Markup {
    html! { @if b { span.pill { "yes" } } @else { span.pill.off { "no" } } }
}

/// A wide table, scrolled sideways on a narrow screen rather than squeezing its columns.
pub fn wide(table: Markup) -> Markup {
    html! { div.scroll { (table) } }
}
