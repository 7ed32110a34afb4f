//! A license page: authorized as the matching API read is, and framed with the employee's
//! licenses and the license's sections.

use crate::WebState;
use crate::error::WebError;
use crate::layout::{Nav, page};
use crate::session::Signed;
use maud::Markup;
use serde::Deserialize;
use tagtrail_app::Scope;
use tagtrail_domain::permission::Permission;

/// A signed-in employee on a page of one license.
pub struct Frame {
    pub scope: Scope,
    pub signed: Signed,
    /// Every license the employee works at, with the facility's name, for the header.
    pub licenses: Vec<(String, String)>,
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
        })
    }

    pub fn license(&self) -> &str {
        self.scope.license()
    }

    pub fn csrf(&self) -> &str {
        &self.signed.csrf
    }

    /// Whether the employee holds one of `perms` here (to offer an action or not; the action
    /// itself is authorized again when taken).
    pub fn may(&self, perms: &[Permission]) -> bool {
        self.scope.holds_any(perms)
    }

    /// The page, framed, with the section `active` marked.
    pub fn page(&self, title: &str, active: &str, body: Markup) -> Markup {
        let nav = Nav {
            license: Some(self.scope.license()),
            licenses: &self.licenses,
            active,
            username: self.signed.username(),
            csrf: &self.signed.csrf,
        };
        page(title, Some(nav), body)
    }
}

/// The licenses `signed` works at, with their facilities' names.
pub async fn licenses(s: &WebState, signed: &Signed) -> Result<Vec<(String, String)>, WebError> {
    Ok(s.ledger
        .facilities_of(&signed.acting)
        .await?
        .into_iter()
        .map(|(f, _)| (f.license_number, f.name))
        .collect())
}

/// The outcome a redirect-after-post carried, and the pages' small query options.
#[derive(Deserialize, Default)]
pub struct Notice {
    pub msg: Option<String>,
    pub err: Option<String>,
}
