//! A lot's page: the COA on the left, the review on the right (stacked on a phone), so the
//! reviewer reads one while ticking the other. Here the page's frame, the COA with its versions
//! and upload form, the label's potency against it, and Metrc's state; the review, decision and
//! holds are in `review`.

use super::review::{decision, holds, review};
use super::{Lic, SECTION, lab_badge, label_of, lot_url, potency, standing};
use crate::AppState;
use crate::Zone;
use crate::error::{Fail, Result};
use crate::form::Refill;
use crate::page::{acting_for, csrf_field, refusal, segment, short_hash, when};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use tagtrail_workbench::WbError;
use tagtrail_workbench::model::coa::{LABEL_TOLERANCE_PERCENT, label_within};
use tagtrail_workbench::model::discrepancy::Status;
use tagtrail_workbench::model::role::Duty;
use tagtrail_workbench::release::{Flag, Lot, MAX_COA_BYTES};

/// What every part of a lot's page reads.
pub(super) struct View<'a> {
    pub l: &'a Lic,
    pub lot: &'a Lot,
    pub refill: Option<&'a Refill>,
    pub zone: &'a Zone,
    /// The person may attach COAs, prepare and reject reviews, place and lift holds.
    pub may_hold: bool,
}

impl View<'_> {
    /// What was typed into `name` of `form`, if the page shows that form refused.
    pub fn typed(&self, form: &str, name: &str) -> String {
        Refill::value(self.refill, form, name)
    }

    pub fn error(&self, form: &str) -> Markup {
        refusal(Refill::error(self.refill, form))
    }

    /// The address of one of the lot's forms, with the section it is in: a refusal answers
    /// with the page again, and the browser shows it at that section, where the refusal is.
    pub fn action(&self, rest: &str, section: &str) -> String {
        format!("{}{rest}#{section}", lot_url(self.l, &self.lot.label))
    }
}

pub async fn lot(State(s): State<AppState>, l: Lic) -> Result<Response> {
    let label = label_of(&l);
    render(&s, &l, &label, StatusCode::OK, None).await
}

/// The lot's page, with `refill` shown at its form.
pub(super) async fn render(
    s: &AppState,
    l: &Lic,
    label: &str,
    status: StatusCode,
    refill: Option<&Refill>,
) -> Result<Response> {
    let lot = match s.wb.lot(&l.lic, label).await {
        Ok(lot) => lot,
        // A label the workbench would not keep is no lot's page.
        Err(WbError::Invalid(_)) => return Err(Fail::not_found()),
        Err(e) => return Err(e.into()),
    };
    // A label this license never synced nor worked on is no page either.
    if lot.metrc.is_none()
        && lot.coas.is_empty()
        && lot.review.is_none()
        && lot.holds.is_empty()
        && lot.claim.is_none()
    {
        return Err(Fail::not_found());
    }
    let flag =
        s.wb.flagged_labels(&l.lic)
            .await?
            .into_iter()
            .find(|f| f.label == lot.label);
    let v = View {
        l,
        lot: &lot,
        refill,
        zone: &s.options.zone,
        may_hold: l.lic.allows(Duty::Hold) && !l.signed.caller.installation_admin,
    };
    let body = html! {
        h1 { "QA review of " span.mono { (lot.label) } }
        p.qa-standing {
            (standing(&lot)) " "
            a href=(l.url(&format!("/packages/{}", segment(&lot.label)))) { "Package history" } " · "
            a href=(l.url(SECTION)) { "QA queue" }
        }
        @if let Some(class) = &lot.open_discrepancy {
            div.banner.failed role="alert" {
                strong { "Open discrepancy: " (class) ". " }
                @if lot.released() { "It is not sellable until the exception is resolved. " }
                @else { "It cannot be released until the exception is resolved. " }
                a href=(l.url("/exceptions")) { "Go to the exceptions" }
            }
        }
        div.qa-split {
            div.qa-left {
                (coa(&v))
            }
            div.qa-right {
                (metrc(&v))
                (review(&v))
                (decision(&v))
                (holds(&v))
                (claim(&v, flag.as_ref()))
            }
        }
    };
    Ok(l.page(
        status,
        SECTION,
        &format!("QA {} · {}", lot.label, l.lic.name),
        body,
    ))
}

/// The COA: the current version in full, the older ones listed, and the upload form.
fn coa(v: &View<'_>) -> Markup {
    let (l, lot) = (v.l, v.lot);
    let current = lot.current_coa();
    let download = |id: i64| l.url(&format!("/coa/{id}"));
    html! {
        section.card.qa-coa #coa aria-labelledby="coa-h" {
            h2 #coa-h { "Certificate of analysis" }
            @if let Some(c) = current {
                p { span.badge.neutral { "Version " (c.version) } @if lot.coas.len() > 1 { " the newest of " (lot.coas.len()) } }
                dl.facts {
                    dt { "Lab" } dd { (c.lab) }
                    dt { "Potency" } dd.qa-potency { (potency(&c.potency)) }
                    dt { "File" } dd { (c.file_name) }
                    dt { "SHA-256" } dd { (short_hash(&c.sha256)) }
                    dt { "Uploaded" } dd { (c.uploaded_by) ", " (when(v.zone, c.uploaded_at)) }
                }
                div.buttons { a.act href=(download(c.id)) download { "Download the COA" } }
            } @else {
                p { "No COA is attached to this lot yet. The lab's certificate comes first: the review checks the lot against it." }
            }
            @if lot.coas.len() > 1 {
                h3 { "Earlier versions" }
                ul.coa-versions {
                    @for c in lot.coas.iter().skip(1) {
                        li {
                            strong { "Version " (c.version) } ": " (c.lab) ", " (potency(&c.potency)) br;
                            span.muted { (c.uploaded_by) ", " (when(v.zone, c.uploaded_at)) " · " }
                            a href=(download(c.id)) download { (c.file_name) }
                        }
                    }
                }
            }
            @if v.may_hold {
                form.stack.qa-upload method="post" action=(v.action("/coa", "coa")) enctype="multipart/form-data" {
                    (csrf_field(&l.signed.csrf))
                    h3 { @if current.is_some() { "Attach a revised COA" } @else { "Attach the COA" } }
                    (v.error("coa"))
                    label for="coa-file" { "The lab's document" }
                    input type="file" id="coa-file" name="file" required accept=".pdf,application/pdf,image/png,image/jpeg" aria-describedby="coa-file-hint";
                    p.hint #coa-file-hint { "A PDF or an image, at most " (MAX_COA_BYTES / (1024 * 1024)) " MB. A revision is a new version; earlier versions stay." }
                    label for="coa-lab" { "Lab" }
                    input type="text" id="coa-lab" name="lab" required maxlength="1000" value=(v.typed("coa", "lab"));
                    div.row {
                        div {
                            label for="coa-thc" { "THC %" }
                            input type="text" id="coa-thc" name="thc" inputmode="decimal" value=(v.typed("coa", "thc"));
                        }
                        div {
                            label for="coa-cbd" { "CBD %" }
                            input type="text" id="coa-cbd" name="cbd" inputmode="decimal" value=(v.typed("coa", "cbd"));
                        }
                    }
                    div.buttons {
                        button.act type="submit" { "Attach" }
                        (acting_for(&l.lic))
                    }
                }
            }
        }
    }
}

/// Metrc's state of the package at the last sync.
fn metrc(v: &View<'_>) -> Markup {
    html! {
        section.card #metrc aria-labelledby="metrc-h" {
            h2 #metrc-h { "Metrc at the last sync" }
            @if let Some(p) = &v.lot.metrc {
                dl.facts {
                    dt { "Lab testing state" } dd { (lab_badge(p.lab_state.as_deref())) }
                    dt { "On hold in Metrc" } dd { @if p.on_hold { span.badge.hold { "‖ On hold" } } @else { "No" } }
                    dt { "Quantity" } dd { (p.quantity.normalize()) " " (p.unit) }
                    dt { "Location" } dd { (p.location.as_deref().unwrap_or("—")) }
                    @if p.status != Status::Active { dt { "Package" } dd { span.state { (p.status.as_str()) } } }
                }
            } @else {
                p { "This package was not in the license's last sync." }
            }
            p.hint { a href=(v.l.url("/sync")) { "Sync runs" } " shows when Metrc was last read." }
        }
    }
}

/// The potency the package's label prints, whether it is within tolerance of the COA, and the
/// form recording it.
fn claim(v: &View<'_>, flag: Option<&Flag>) -> Markup {
    let (l, lot) = (v.l, v.lot);
    let may = l.lic.allows(Duty::Draft) && !l.signed.caller.installation_admin;
    let typed_or = |name: &str, value: Option<rust_decimal::Decimal>| {
        if Refill::error(v.refill, "claim").is_some() {
            v.typed("claim", name)
        } else {
            value.map(|d| d.normalize().to_string()).unwrap_or_default()
        }
    };
    html! {
        section.card #claim aria-labelledby="claim-h" {
            h2 #claim-h { "Label potency" }
            @match (&lot.claim, flag, lot.current_coa()) {
                (None, _, _) => p.muted { "No label potency is recorded for this package." },
                // The workbench's own verdict, against the newest COA of the lot the label came from.
                (Some(c), Some(f), _) => div.banner.failed role="status" {
                    strong { "Outside ±" (LABEL_TOLERANCE_PERCENT) " % of the COA." }
                    " The label prints " (potency(c)) "; COA version " (f.coa_version) " of lot "
                    span.mono { (f.lot) } " says " (potency(&f.coa)) ". Relabel it."
                },
                (Some(c), None, Some(coa)) if label_within(c, &coa.potency, LABEL_TOLERANCE_PERCENT) => p {
                    span.badge.passed { span aria-hidden="true" { "✓ " } "Within ±" (LABEL_TOLERANCE_PERCENT) " %" }
                    " The label prints " (potency(c)) "; COA version " (coa.version) " says " (potency(&coa.potency)) "."
                },
                (Some(c), None, Some(coa)) => p {
                    span.badge.hold { "Not within ±" (LABEL_TOLERANCE_PERCENT) " % of this lot's COA" }
                    " The label prints " (potency(c)) "; COA version " (coa.version) " of this lot says " (potency(&coa.potency)) ". The label's potency was recorded from another lot."
                },
                (Some(c), None, None) => p { "The label prints " (potency(c)) ". There is no COA to compare it with yet." },
            }
            @if may {
                form.stack method="post" action=(v.action("/claim", "claim")) {
                    (csrf_field(&l.signed.csrf))
                    h3 { "Record what the label prints" }
                    (v.error("claim"))
                    div.row {
                        div {
                            label for="claim-thc" { "THC %" }
                            input type="text" id="claim-thc" name="thc" inputmode="decimal" value=(typed_or("thc", lot.claim.and_then(|c| c.thc_percent)));
                        }
                        div {
                            label for="claim-cbd" { "CBD %" }
                            input type="text" id="claim-cbd" name="cbd" inputmode="decimal" value=(typed_or("cbd", lot.claim.and_then(|c| c.cbd_percent)));
                        }
                    }
                    label for="claim-lot" { "From the COA of lot" }
                    @let lot_typed = v.typed("claim", "lot");
                    input type="text" id="claim-lot" name="lot" autocapitalize="characters" aria-describedby="claim-lot-hint"
                        value=(if lot_typed.is_empty() { flag.map_or_else(|| lot.label.clone(), |f| f.lot.clone()) } else { lot_typed });
                    p.hint #claim-lot-hint { "The lot whose COA the printed potency came from; usually this one." }
                    div.buttons {
                        button.act type="submit" { "Record label potency" }
                        (acting_for(&l.lic))
                    }
                }
            }
        }
    }
}
