//! Help: where the state's bulletins are (bulletin VIII), how this UI's CSV files are laid out
//! (bulletin VII's formatting guide, for the files tagtrail reads and writes), and what the
//! words on the pages mean. Readable signed in or not.

use crate::WebState;
use crate::layout::page;
use crate::session;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use maud::{Markup, html};

/// The California Industry Bulletin Archive (bulletin VIII): Metrc's California page, where
/// CCTT-Metrc bulletins are published.
pub const BULLETIN_ARCHIVE: &str = "https://www.metrc.com/partner/california/";
/// The Department of Cannabis Control's track-and-trace page.
pub const DCC_TRACK_AND_TRACE: &str = "https://cannabis.ca.gov/licensees/track-and-trace/";

/// Whether someone is signed in (the page reads the same either way; only the way back differs).
pub struct Anyone(bool);

impl FromRequestParts<WebState> for Anyone {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, s: &WebState) -> Result<Self, Self::Rejection> {
        Ok(Anyone(matches!(
            session::signed(parts, s).await,
            Ok(Some(_))
        )))
    }
}

fn back(signed_in: bool) -> Markup {
    html! { p { @if signed_in { a href="/ui" { "← Your facilities" } } @else { a href="/ui/login" { "← Sign in" } } } }
}

pub async fn page_of(State(_): State<WebState>, Anyone(signed_in): Anyone) -> maud::Markup {
    page(
        "Help",
        None,
        html! {
            h1 { "Help" }
            (back(signed_in))
            h2 { "Bulletins and rules" }
            ul #help-links {
                li { a href=(BULLETIN_ARCHIVE) rel="noopener" { "Industry Bulletin Archive" } " — every CCTT-Metrc industry bulletin (Metrc, California)." }
                li { a href=(DCC_TRACK_AND_TRACE) rel="noopener" { "Track and trace at the Department of Cannabis Control" } " — the regulations these pages follow." }
                li { a href="/ui/help/csv" { "CSV formatting guide" } " — the files tagtrail reads and writes." }
            }
            h2 { "Words on these pages" }
            dl.glossary {
                dt { "Tag UID" } dd { "The 24-character unique identifier printed on a plant or package tag (for example 1A4AE90C51F9E21000000001). Search takes all of it or its last few characters." }
                dt { "Manifest" } dd { "A transfer of packages from one license to another, registered before it leaves; its number is the one printed on the shipping manifest. Called a transfer in lists, a manifest on paper." }
                dt { "Lab testing" } dd { "Where a package stands with the laboratory: not submitted, in testing, test passed, test failed, remediated. A lot that failed may not be sold." }
                dt { "On hold" } dd { "A package the state has held: nothing may be done with it until the hold is lifted." }
                dt { "Journal" } dd { "The license's record of every regulated action, who took it, through which door (web, API, the operator's console or a bulk import) and why. Each entry is chained to the one before by its SHA-256 hash, so none can be changed unnoticed." }
                dt { "Inspector" } dd { "A state inspector's account: it reads every record of the licenses it may inspect and can change nothing." }
            }
            h2 { "Times" }
            p { "Times are shown in California's time zone (Pacific), to the minute. Hold the pointer over a time (or press it) to see the exact moment in UTC, as the ledger keeps it." }
        },
    )
}

pub async fn csv_guide(State(_): State<WebState>, Anyone(signed_in): Anyone) -> maud::Markup {
    page(
        "CSV formatting guide",
        None,
        html! {
            h1 { "CSV formatting guide" }
            (back(signed_in))
            p { "Every CSV file tagtrail reads or writes is UTF-8 text, one record per line, fields separated by commas. A field containing a comma, a quote or a line break is wrapped in double quotes, and a quote inside it is doubled (" code { "\"10\"\" tray\"" } "). Spreadsheet programs write this when saving as “CSV UTF-8”." }
            h2 { "Package list for a manifest (upload)" }
            p { "On a manifest or template that has not left, " strong { "Replace the packages from a list" } " takes a .csv or .txt file (or pasted text) with one column of package tag UIDs, one per line, at most 200 (bulletin IV). A header line is allowed. Every line must name one of your active packages, or nothing changes and each bad line is listed." }
            pre { "Package Tag\n1A4AE90C51F9E21000000001\n1A4AE90C51F9E21000000002" }
            h2 { "Downloads" }
            p { "Every list with a " strong { "Download CSV" } " link exports what it shows — the same filters and order, every page — with the headings as its first line, up to 10,000 rows (the file says so when there are more). Quantities are exact decimals; times are in UTC (ISO 8601), so they sort and compare alike in every zone." }
        },
    )
}
