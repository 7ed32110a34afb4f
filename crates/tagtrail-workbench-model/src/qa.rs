//! The QA release gate (issue 11, seed 003 §02: "QA review (release gate) → sellable
//! inventory"): a lot becomes sellable only when a person with the QA role — not the one who
//! prepared the review — releases it with their second factor, every checklist item checked,
//! no open discrepancy, no hold, the current COA attached and Metrc's lab state passing.
//! Automation (the sync included) never releases, and never lifts a hold a person placed.

use crate::role::{Duty, allows};
use crate::submission::Actor;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What a QA reviewer checks on a lot before release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CheckItem {
    /// The COA is for this lot (its batch and source packages).
    CoaMatchesBatch,
    /// The potency printed on the label is within tolerance of the COA's.
    LabelPotency,
    Packaging,
    /// Label data: item name, UID, net weight, warnings, dates.
    LabelData,
    /// The weight or count on hand matches the package.
    WeightCount,
    /// The package's event history (from Metrc's snapshots) shows nothing unexplained.
    EventHistory,
}

impl CheckItem {
    pub const ALL: &'static [CheckItem] = &[
        CheckItem::CoaMatchesBatch,
        CheckItem::LabelPotency,
        CheckItem::Packaging,
        CheckItem::LabelData,
        CheckItem::WeightCount,
        CheckItem::EventHistory,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckItem::CoaMatchesBatch => "coa_matches_batch",
            CheckItem::LabelPotency => "label_potency",
            CheckItem::Packaging => "packaging",
            CheckItem::LabelData => "label_data",
            CheckItem::WeightCount => "weight_count",
            CheckItem::EventHistory => "event_history",
        }
    }

    pub fn parse(s: &str) -> Option<CheckItem> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            CheckItem::CoaMatchesBatch => "The COA is for this lot (batch and sources)",
            CheckItem::LabelPotency => "Label potency is within tolerance of the COA",
            CheckItem::Packaging => "Packaging is intact and as specified",
            CheckItem::LabelData => "Label data is complete and right",
            CheckItem::WeightCount => "Weight or count matches the package",
            CheckItem::EventHistory => "The package's history shows nothing unexplained",
        }
    }
}

/// Who placed a hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HoldOwner {
    /// A person in the workbench: only a person lifts it.
    Person { user_id: i64, name: String },
    /// Metrc's own hold, seen by sync: lifted when Metrc lifts it.
    Metrc,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub owner: HoldOwner,
    pub reason: String,
}

/// What the release decision needs to know about a lot.
#[derive(Debug, Clone, Default)]
pub struct ReleaseFacts {
    /// Who prepared the review (filled the checklist).
    pub prepared_by: Option<i64>,
    pub checked: BTreeSet<CheckItem>,
    pub open_discrepancy: Option<String>,
    pub holds: Vec<Hold>,
    /// A COA is attached, and the review was of its current version.
    pub coa_current: bool,
    /// Metrc's lab testing state for the package is a passing one.
    pub metrc_lab_passing: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("automation never releases a lot; a person with the QA role does")]
    Automation,
    #[error(
        "installation administrators manage users and settings; only the licensee's QA releases"
    )]
    Installation,
    #[error("releasing needs the QA role in this license")]
    Role,
    #[error("releasing needs your second factor (the code from your authenticator app)")]
    SecondFactor,
    #[error("the person who prepared the review cannot release the lot; a second person must")]
    SamePerson,
    #[error("no one has prepared the QA review of this lot yet")]
    NotPrepared,
    #[error("not yet checked: {}", .0.iter().map(|c| c.label().to_lowercase()).collect::<Vec<_>>().join("; "))]
    Unchecked(Vec<CheckItem>),
    #[error("the lot has an open discrepancy ({0}); resolve it first")]
    Discrepancy(String),
    #[error("the lot is on hold: {0}")]
    Held(String),
    #[error("the lot has no current COA attached; attach the latest and review it again")]
    NoCoa,
    #[error("Metrc does not show a passing lab testing state for the lot")]
    LabState,
    #[error("only a person lifts a hold a person placed; a sync never does")]
    PersonsHold,
    #[error("your role in this license does not allow placing or lifting holds")]
    HoldRole,
}

/// Every reason `actor` may not release the lot now; empty when they may.
pub fn release_refusals(actor: &Actor, f: &ReleaseFacts) -> Vec<Refusal> {
    let mut out = vec![];
    match actor {
        Actor::Automation => return vec![Refusal::Automation],
        Actor::Installation { .. } => return vec![Refusal::Installation],
        Actor::Person {
            user_id,
            roles,
            second_factor,
        } => {
            if !allows(roles, Duty::Release) {
                out.push(Refusal::Role);
            }
            if !second_factor {
                out.push(Refusal::SecondFactor);
            }
            match f.prepared_by {
                None => out.push(Refusal::NotPrepared),
                Some(p) if p == *user_id => out.push(Refusal::SamePerson),
                Some(_) => {}
            }
        }
    }
    let unchecked: Vec<CheckItem> = CheckItem::ALL
        .iter()
        .copied()
        .filter(|c| !f.checked.contains(c))
        .collect();
    if !unchecked.is_empty() {
        out.push(Refusal::Unchecked(unchecked));
    }
    if let Some(why) = &f.open_discrepancy {
        out.push(Refusal::Discrepancy(why.clone()));
    }
    for h in &f.holds {
        let by = match &h.owner {
            HoldOwner::Person { name, .. } => format!("placed by {name}"),
            HoldOwner::Metrc => "placed in Metrc".to_string(),
        };
        out.push(Refusal::Held(format!("{} ({by})", h.reason)));
    }
    if !f.coa_current {
        out.push(Refusal::NoCoa);
    }
    if !f.metrc_lab_passing {
        out.push(Refusal::LabState);
    }
    out
}

/// Whether `actor` may lift `hold`: a person's hold only by a person who may hold; Metrc's
/// hold only by Metrc (the sync that sees it gone).
pub fn may_lift(actor: &Actor, hold: &Hold) -> Result<(), Refusal> {
    match (actor, &hold.owner) {
        (Actor::Automation, HoldOwner::Metrc) => Ok(()),
        (Actor::Automation, HoldOwner::Person { .. }) => Err(Refusal::PersonsHold),
        (Actor::Installation { .. }, _) => Err(Refusal::Installation),
        (Actor::Person { .. }, HoldOwner::Metrc) => Err(Refusal::HoldRole),
        (Actor::Person { roles, .. }, HoldOwner::Person { .. }) => {
            if allows(roles, Duty::Hold) {
                Ok(())
            } else {
                Err(Refusal::HoldRole)
            }
        }
    }
}

/// What a rejected lot goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Disposition {
    Remediation,
    Destruction,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Remediation => "remediation",
            Disposition::Destruction => "destruction",
        }
    }

    pub fn parse(s: &str) -> Option<Disposition> {
        match s.trim() {
            "remediation" => Some(Disposition::Remediation),
            "destruction" => Some(Disposition::Destruction),
            _ => None,
        }
    }
}

/// Sellable inventory: released by QA, and what Metrc says agrees with what the workbench
/// expects (no open discrepancy) — "only when local records and METRC package state agree".
pub fn sellable(released: bool, open_discrepancy: bool, on_hold: bool) -> bool {
    released && !open_discrepancy && !on_hold
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::Role;

    fn qa(id: i64, mfa: bool) -> Actor {
        Actor::Person {
            user_id: id,
            roles: vec![Role::Qa],
            second_factor: mfa,
        }
    }

    fn ready() -> ReleaseFacts {
        ReleaseFacts {
            prepared_by: Some(1),
            checked: CheckItem::ALL.iter().copied().collect(),
            open_discrepancy: None,
            holds: vec![],
            coa_current: true,
            metrc_lab_passing: true,
        }
    }

    /// Issue 11: release needs a second person with the QA role and the second factor.
    #[test]
    fn one_person_cannot_release() {
        assert_eq!(release_refusals(&qa(2, true), &ready()), vec![]);
        assert_eq!(
            release_refusals(&qa(1, true), &ready()),
            vec![Refusal::SamePerson]
        );
        assert_eq!(
            release_refusals(&qa(2, false), &ready()),
            vec![Refusal::SecondFactor]
        );
        let manager = Actor::Person {
            user_id: 3,
            roles: vec![Role::ComplianceManager, Role::Admin],
            second_factor: true,
        };
        assert_eq!(release_refusals(&manager, &ready()), vec![Refusal::Role]);
    }

    #[test]
    fn automation_never_releases() {
        assert_eq!(
            release_refusals(&Actor::Automation, &ready()),
            vec![Refusal::Automation]
        );
        assert_eq!(
            release_refusals(&Actor::Installation { user_id: 9 }, &ready()),
            vec![Refusal::Installation]
        );
    }

    #[test]
    fn every_gate_is_named() {
        let mut f = ready();
        f.checked.remove(&CheckItem::Packaging);
        f.open_discrepancy = Some("Quantity differs".into());
        f.holds.push(Hold {
            owner: HoldOwner::Person {
                user_id: 1,
                name: "June Park".into(),
            },
            reason: "torn label".into(),
        });
        f.coa_current = false;
        f.metrc_lab_passing = false;
        let r = release_refusals(&qa(2, true), &f);
        assert_eq!(r.len(), 5, "{r:?}");
        assert!(r.contains(&Refusal::Unchecked(vec![CheckItem::Packaging])));
        assert!(r.contains(&Refusal::Held("torn label (placed by June Park)".into())));
    }

    /// Issue 11: a sync can never lift a hold a person placed.
    #[test]
    fn a_sync_cannot_lift_a_persons_hold() {
        let persons = Hold {
            owner: HoldOwner::Person {
                user_id: 1,
                name: "June Park".into(),
            },
            reason: "torn label".into(),
        };
        assert_eq!(
            may_lift(&Actor::Automation, &persons),
            Err(Refusal::PersonsHold)
        );
        assert_eq!(may_lift(&qa(2, false), &persons), Ok(()));
        let viewer = Actor::Person {
            user_id: 4,
            roles: vec![Role::Viewer],
            second_factor: true,
        };
        assert_eq!(may_lift(&viewer, &persons), Err(Refusal::HoldRole));
        let metrcs = Hold {
            owner: HoldOwner::Metrc,
            reason: "administrative hold".into(),
        };
        assert_eq!(may_lift(&Actor::Automation, &metrcs), Ok(()));
        assert_eq!(may_lift(&qa(2, true), &metrcs), Err(Refusal::HoldRole));
    }

    #[test]
    fn sellable_is_released_and_agreed() {
        assert!(sellable(true, false, false));
        assert!(!sellable(true, true, false));
        assert!(!sellable(false, false, false));
        assert!(!sellable(true, false, true));
    }
}
