//! The page frame (header, search, license navigation, sign-out) and small shared pieces.
//!
//! The stylesheet is served from `/ui/style.css` rather than inlined, so that the Content
//! Security Policy can allow styles from this site only: no inline style or script runs, even
//! if text from the ledger ever escaped its HTML escaping. It is one file per concern, joined
//! at compile time.

use axum::http::header;
use axum::response::IntoResponse;
use maud::{DOCTYPE, Markup, html};
use tagtrail_domain::permission::Permission;

const STYLE: &str = concat!(
    include_str!("css/base.css"),
    include_str!("css/grid.css"),
    include_str!("css/forms.css"),
    include_str!("css/dashboard.css"),
    include_str!("css/inspect.css"),
    include_str!("css/labels.css"),
    include_str!("css/lab.css"),
    include_str!("css/transfers.css"),
    include_str!("css/catalog.css"),
    include_str!("css/people.css"),
    include_str!("cultivation/cultivation.css"),
    include_str!("imports/imports.css"),
    include_str!("sales/sales.css"),
);

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

/// What the frame shows for a signed-in employee or inspector.
pub struct Nav<'a> {
    /// The license the page is about, if any: its sections are linked.
    pub license: Option<&'a str>,
    /// Every license the person may open, with the facility's name.
    pub licenses: &'a [(String, String)],
    /// The section shown (`packages`, `transfers`…).
    pub active: &'a str,
    pub username: &'a str,
    /// The session's CSRF token, for the sign-out form.
    pub csrf: &'a str,
    /// Sections the person may open at this license (an inspector sees no employee list).
    pub sections: &'a [(&'static str, &'static str)],
}

/// A license's sections: the address under `/ui/l/{license}/` and the name.
pub const SECTIONS: &[(&str, &str)] = &[
    ("dashboard", "Dashboard"),
    ("packages", "Packages"),
    ("transfers", "Transfers"),
    ("plantbatches", "Plant batches"),
    ("plants", "Plants"),
    ("harvests", "Harvests"),
    ("sales", "Sales"),
    ("deliveries", "Deliveries"),
    ("labsamples", "Lab samples"),
    ("items", "Items"),
    ("strains", "Strains"),
    ("locations", "Locations"),
    ("transporters", "Drivers & vehicles"),
    ("tags", "Tags"),
    ("imports", "Data import"),
    ("employees", "Employees"),
    ("webhooks", "Webhooks"),
    ("journal", "Journal"),
];

/// What a section's pages ask of the person (any one of these; empty: any employee), so the
/// navigation offers only sections that open.
pub fn section_needs(slug: &str) -> &'static [Permission] {
    use Permission::*;
    match slug {
        "packages" | "labsamples" => &[ViewPackages],
        "transfers" => &[
            ViewTransfers,
            ManageTransfers,
            ViewTransferTemplates,
            ManageTransferTemplates,
        ],
        "items" => &[ManageItems],
        "strains" => &[ManageStrains],
        "locations" => &[ManageLocations],
        "transporters" => &[ManageTransporters, Transporters],
        "tags" => &[ManageTags],
        "employees" => &[ViewEmployees, ManageEmployees],
        // Who receives the facility's data is for whoever decides who works there.
        "webhooks" => &[ManageEmployees],
        "journal" => &[ViewJournal],
        "imports" => tagtrail_app::imports::PAGE_PERMISSIONS,
        "plantbatches" => &[ViewImmaturePlants],
        "plants" => &[ViewVegFlowerPlants],
        "harvests" => &[ViewHarvests],
        "sales" => &[ViewSales, ManageSales],
        "deliveries" => &[
            ViewRetailerDelivery,
            ManageRetailerDelivery,
            ViewSalesDelivery,
            ManageSalesDelivery,
        ],
        _ => &[],
    }
}

/// The search box: a license's records on its pages, every license's elsewhere.
fn search(license: Option<&str>) -> Markup {
    let action = match license {
        Some(l) => format!("/ui/l/{}/search", crate::urls::segment(l)),
        None => "/ui/search".to_string(),
    };
    html! {
        form.search method="get" action=(action) role="search" {
            input type="search" name="q" placeholder="Tag UID, manifest or item" aria-label="Search by tag UID, manifest number or item name" autocomplete="off";
            button type="submit" { "Search" }
        }
    }
}

pub fn page(title: &str, nav: Option<Nav<'_>>, body: Markup) -> Markup {
    page_with(title, nav, body, &[])
}

/// [`page`] with this site's `scripts` (the CSP allows scripts from this site only).
pub fn page_with(title: &str, nav: Option<Nav<'_>>, body: Markup, scripts: &[&str]) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · tagtrail" }
                link rel="stylesheet" href="/ui/style.css";
                @for s in scripts { script src=(s) defer {} }
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header {
                    a.brand href="/ui" { "tagtrail" }
                    @if let Some(n) = &nav {
                        @if let Some(lic) = n.license {
                            @let name = n.licenses.iter().find(|(l, _)| l == lic).map(|(_, f)| f.as_str()).unwrap_or("");
                            a.current href={ "/ui/l/" (crate::urls::segment(lic)) "/dashboard" } title=(name) { strong { (lic) } }
                        }
                        @if n.licenses.len() > 1 || n.license.is_none() && !n.licenses.is_empty() {
                            details.menu {
                                summary { "Licenses" }
                                ul { @for (lic, name) in n.licenses {
                                    li { a href={ "/ui/l/" (crate::urls::segment(lic)) "/dashboard" } { span.mono { (lic) } " " (name) } }
                                } }
                            }
                        }
                        (search(n.license))
                        a href="/ui/inspect" { "Inspect a tag" }
                        a href="/ui/help" { "Help" }
                        form.signout method="post" action="/ui/logout" {
                            (csrf_field(n.csrf))
                            span.muted { (n.username) " " }
                            button type="submit" { "Sign out" }
                        }
                    } @else {
                        a href="/ui" { "Your facilities" }
                        a href="/ui/help" { "Help" }
                    }
                }
                @if let Some(n) = &nav {
                    @if let Some(lic) = n.license {
                        nav.sub aria-label="License sections" {
                            @for (slug, label) in n.sections {
                                a class=@if n.active == *slug { "on" } aria-current=[(n.active == *slug).then_some("page")] href={ "/ui/l/" (crate::urls::segment(lic)) "/" (slug) } { (label) }
                            }
                        }
                    }
                }
                main #main { (body) }
            }
        }
    }
}

/// The hidden field that proves a form was served by this site to this session. It comes first
/// in every form, so the check finds it without reading past it.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// The flash area: a success message, and every problem of a refusal on its own line.
pub fn notices(msg: Option<&str>, errors: &[String]) -> Markup {
    html! {
        @if let Some(m) = msg.filter(|m| !m.is_empty()) {
            div.flash role="status" { (m) }
        }
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

/// A wide table, scrolled sideways on a narrow screen rather than squeezing its columns. The
/// box takes keyboard focus, so it can be scrolled without a pointer.
pub fn wide(table: Markup) -> Markup {
    html! { div.scroll tabindex="0" role="region" aria-label="Table (scrolls sideways on a narrow screen)" { (table) } }
}
