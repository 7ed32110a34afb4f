//! A license page: authorized as the matching API read is, and framed with the employee's
//! licenses and the license's sections.

use crate::WebState;
use crate::error::WebError;
use crate::flash::{Flash, Prefill};
use crate::layout::{Nav, SECTIONS, page_with, section_needs};
use crate::session::Signed;
use crate::when::Zone;
use maud::Markup;
use tagtrail_app::Scope;
use tagtrail_domain::license::{Capability, LicenseType};
use tagtrail_domain::permission::Permission;

/// A signed-in employee on a page of one license.
pub struct Frame {
    pub scope: Scope,
    pub signed: Signed,
    /// Every license the person may open, with the facility's name, for the header.
    pub licenses: Vec<(String, String)>,
    /// The zone times are shown in.
    pub zone: Zone,
}

impl Frame {
    /// Authorizes `license` for the employee holding one of `perms` (401 if they do not work
    /// there, 403 without the permission) and gathers the header's licenses.
    pub async fn of(
        s: &WebState,
        signed: Signed,
        license: &str,
        perms: &[Permission],
    ) -> Result<Frame, WebError> {
        let scope = s.ledger.authorize(&signed.acting, license, perms).await?;
        let licenses = licenses(s, &signed).await?;
        Ok(Frame {
            scope,
            signed,
            licenses,
            zone: s.options.zone,
        })
    }

    pub fn license(&self) -> &str {
        self.scope.license()
    }

    pub fn csrf(&self) -> &str {
        &self.signed.csrf
    }

    /// Whether the person may take an action needing one of `perms` here (to offer it or not;
    /// the action is authorized again when taken). An inspector never may.
    pub fn may(&self, perms: &[Permission]) -> bool {
        self.scope.may_act(perms)
    }

    /// Whether the person may take the action `def` describes here (its permissions and the
    /// facility capability it needs): to offer it or not.
    pub fn can(&self, def: &tagtrail_app::Definition) -> bool {
        self.scope.allows(def).is_ok()
    }

    /// Whether the person is a state inspector here (read-only).
    pub fn inspector(&self) -> bool {
        self.scope.is_inspector()
    }

    /// The flash the last form left, shown on this page.
    pub fn flash(&self) -> Option<&Flash> {
        self.signed.flash.as_ref()
    }

    /// The values of the form posting to `action`: as typed if it was refused.
    pub fn prefill(&self, action: &str) -> Prefill<'_> {
        Prefill::of(self.flash(), action)
    }

    /// A time in the facility's zone.
    pub fn when(&self, stamp: &str) -> Markup {
        self.zone.when(stamp)
    }

    /// The address of this license's page `rest` (`packages/12`).
    pub fn url(&self, rest: &str) -> String {
        format!("/ui/l/{}/{rest}", crate::urls::segment(self.license()))
    }

    /// The page, framed, with the section `active` marked.
    pub fn page(&self, title: &str, active: &str, body: Markup) -> Markup {
        self.page_with(title, active, body, &[])
    }

    /// [`Frame::page`] with this site's `scripts`.
    pub fn page_with(&self, title: &str, active: &str, body: Markup, scripts: &[&str]) -> Markup {
        // Only the sections that open for this person: a clerk who may manage tags is not sent
        // to a page of packages they may not see; the laboratory's samples only at a
        // laboratory; drivers and vehicles only where the license may transport; no employee
        // list for an inspector.
        let kind = self.scope.facility().license_type;
        let sections: Vec<(&str, &str)> = SECTIONS
            .iter()
            .copied()
            .filter(|(slug, _)| self.scope.holds_any(section_needs(slug)))
            .filter(|(slug, _)| *slug != "labsamples" || kind.can(Capability::CanTestPackages))
            // Only a distributor transports (rule 39), so only it keeps drivers and vehicles.
            .filter(|(slug, _)| *slug != "transporters" || kind == LicenseType::Distributor)
            .filter(|(slug, _)| !(self.inspector() && *slug == "employees"))
            .filter(|(slug, _)| {
                !matches!(*slug, "plantbatches" | "plants" | "harvests")
                    || kind.can(Capability::CanGrowPlants)
            })
            .filter(|(slug, _)| {
                !matches!(*slug, "sales" | "deliveries") || kind.can(Capability::CanSellToConsumers)
            })
            .collect();
        let nav = Nav {
            license: Some(self.scope.license()),
            licenses: &self.licenses,
            active,
            username: self.signed.username(),
            csrf: &self.signed.csrf,
            sections: &sections,
        };
        page_with(title, Some(nav), body, scripts)
    }
}

/// The licenses `signed` may open (where they work, then where they inspect), with the
/// facilities' names.
pub async fn licenses(s: &WebState, signed: &Signed) -> Result<Vec<(String, String)>, WebError> {
    let mut out: Vec<(String, String)> = s
        .ledger
        .facilities_of(&signed.acting)
        .await?
        .into_iter()
        .map(|(f, _)| (f.license_number, f.name))
        .collect();
    for f in s.ledger.inspected_by(&signed.acting).await? {
        if !out.iter().any(|(l, _)| *l == f.license_number) {
            out.push((f.license_number, f.name));
        }
    }
    Ok(out)
}
