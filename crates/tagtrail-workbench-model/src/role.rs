//! Who may do what in one license's context.
//!
//! Roles are granted per license (seed 003 §01: two licenses, two legal worlds), so a person who
//! approves for the manufacturer may only view the distributor. The installation's own
//! administrators are not licensees (§06: "do not become the legal operator"): they manage
//! users and settings and hold no role that decides anything.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// The licensee's administrator: its people, its Metrc keys, and every duty below.
    Admin,
    /// Reviews and approves submissions, resolves discrepancies.
    ComplianceManager,
    /// Quality assurance: approves submissions, records counts.
    Qa,
    /// Prepares drafts and records physical counts.
    Operator,
    /// Reads.
    Viewer,
}

/// A thing a person does in a license's context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    View,
    /// Write a draft submission and send it to review.
    Draft,
    /// Record a physical count.
    Count,
    /// Approve or send back someone else's submission.
    Approve,
    /// Send an approved submission to Metrc.
    Submit,
    /// Start a sync now.
    Sync,
    /// Close a discrepancy with a decision (accept Metrc's state, or record a correction).
    Resolve,
    /// Grant roles and store the license's Metrc user key.
    ManageLicense,
    /// Release a lot to sellable inventory (the QA release gate): the QA role only, so an
    /// administrator who must release holds the QA role too.
    Release,
    /// Place or lift a hold on a lot, or reject it to remediation or destruction.
    Hold,
    /// Plan and run production batches: inputs, steps, outputs, waste.
    Produce,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::Admin,
        Role::ComplianceManager,
        Role::Qa,
        Role::Operator,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ComplianceManager => "compliance_manager",
            Role::Qa => "qa",
            Role::Operator => "operator",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.iter().copied().find(|r| r.as_str() == s.trim())
    }

    /// The role in words, for pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::ComplianceManager => "Compliance manager",
            Role::Qa => "Quality assurance",
            Role::Operator => "Operator",
            Role::Viewer => "Viewer",
        }
    }

    /// Whether admin sign-in needs the second factor: administrators always do.
    pub fn needs_second_factor(self) -> bool {
        matches!(self, Role::Admin)
    }

    pub fn allows(self, duty: Duty) -> bool {
        use Duty::*;
        match self {
            Role::Admin => !matches!(duty, Release),
            Role::ComplianceManager => !matches!(duty, ManageLicense | Release),
            Role::Qa => matches!(
                duty,
                View | Draft | Count | Approve | Submit | Release | Hold
            ),
            Role::Operator => matches!(duty, View | Draft | Count | Produce),
            Role::Viewer => matches!(duty, View),
        }
    }
}

/// Whether any of `roles` allows `duty`.
pub fn allows(roles: &[Role], duty: Duty) -> bool {
    roles.iter().any(|r| r.allows(duty))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn viewers_only_view_and_operators_cannot_approve() {
        assert!(allows(&[Role::Viewer], Duty::View));
        assert!(!allows(&[Role::Viewer], Duty::Draft));
        assert!(!allows(&[Role::Operator], Duty::Approve));
        assert!(!allows(&[Role::Operator], Duty::Submit));
        assert!(allows(&[Role::Operator, Role::Qa], Duty::Approve));
        assert!(!allows(&[Role::ComplianceManager], Duty::ManageLicense));
        assert!(!allows(&[], Duty::View));
    }

    /// Issue 11: only the QA role releases; an operator produces but neither holds nor
    /// releases.
    #[test]
    fn only_qa_releases() {
        for r in Role::ALL {
            assert_eq!(r.allows(Duty::Release), *r == Role::Qa, "{r:?}");
        }
        assert!(allows(&[Role::Operator], Duty::Produce));
        assert!(!allows(&[Role::Operator], Duty::Hold));
        assert!(!allows(&[Role::Qa], Duty::Produce));
    }
}
