//! The submission outbox's state machine (seed 003 §03): every write to Metrc moves
//! draft → review → approved → submitted → accepted, or ends rejected (with Metrc's answer) or
//! withdrawn. Who may take each step is decided here, from facts the application loads.

use crate::role::{Duty, Role, allows};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum State {
    Draft,
    Review,
    Approved,
    /// The intent is stored and is being (or has been) sent; the answer is not known yet.
    Submitted,
    Accepted,
    Rejected,
    Withdrawn,
}

impl State {
    pub const ALL: &'static [State] = &[
        State::Draft,
        State::Review,
        State::Approved,
        State::Submitted,
        State::Accepted,
        State::Rejected,
        State::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Review => "review",
            State::Approved => "approved",
            State::Submitted => "submitted",
            State::Accepted => "accepted",
            State::Rejected => "rejected",
            State::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        Self::ALL.iter().copied().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Draft => "Draft",
            State::Review => "Waiting for review",
            State::Approved => "Approved",
            State::Submitted => "Sent to Metrc",
            State::Accepted => "Accepted by Metrc",
            State::Rejected => "Rejected",
            State::Withdrawn => "Withdrawn",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, State::Accepted | State::Rejected | State::Withdrawn)
    }
}

/// A step someone (or the outbox itself) asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    SendToReview,
    Approve,
    SendBack,
    Withdraw,
    Submit,
    /// Metrc answered 200 (or the natural key shows the effect is there).
    Accept,
    /// Metrc answered with a 400 and row messages; nothing was applied.
    Reject,
}

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A licensee's user, with their roles in the submission's license, and whether they
    /// confirmed the second factor for this step.
    Person {
        user_id: i64,
        roles: Vec<Role>,
        second_factor: bool,
    },
    /// An installation administrator: manages users and settings, decides nothing.
    Installation { user_id: i64 },
    /// The outbox and the sync: they carry Metrc's answers, and never approve or submit.
    Automation,
}

/// What the decision needs to know about the submission.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub author_id: i64,
    /// Preflight found nothing that would fail.
    pub preflight_passed: bool,
    /// A manual task (a step done by a person in Metrc's web UI): nothing was sent, so even
    /// once submitted it can still be withdrawn.
    pub manual_task: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("a submission that is {} cannot be {}", .from.label().to_lowercase(), step_words(*.step))]
    NotFrom { from: State, step: Step },
    #[error("the author of a submission cannot approve it; another person must review it")]
    OwnSubmission,
    #[error("approving needs your second factor (the code from your authenticator app)")]
    SecondFactor,
    #[error(
        "installation administrators manage users and settings; only the licensee's own people make compliance decisions"
    )]
    Installation,
    #[error("only Metrc's answer can move a submission to accepted or rejected")]
    OnlyMetrc,
    #[error("automation never approves or submits")]
    Automation,
    #[error("your role in this license does not allow this")]
    Role,
    #[error("preflight found problems; fix the draft before sending it to review")]
    Preflight,
}

fn step_words(s: Step) -> &'static str {
    match s {
        Step::SendToReview => "sent to review",
        Step::Approve => "approved",
        Step::SendBack => "sent back",
        Step::Withdraw => "withdrawn",
        Step::Submit => "submitted",
        Step::Accept => "accepted",
        Step::Reject => "rejected",
    }
}

/// The state after `step`, or why not.
pub fn decide(from: State, step: Step, actor: &Actor, facts: Facts) -> Result<State, Refusal> {
    let to = match (from, step) {
        (State::Draft, Step::SendToReview) => State::Review,
        (State::Review, Step::Approve) => State::Approved,
        (State::Review | State::Approved, Step::SendBack) => State::Draft,
        (State::Draft | State::Review | State::Approved, Step::Withdraw) => State::Withdrawn,
        (State::Submitted, Step::Withdraw) if facts.manual_task => State::Withdrawn,
        (State::Approved, Step::Submit) => State::Submitted,
        (State::Submitted, Step::Accept) => State::Accepted,
        (State::Submitted, Step::Reject) => State::Rejected,
        _ => return Err(Refusal::NotFrom { from, step }),
    };
    match (step, actor) {
        (Step::Accept | Step::Reject, Actor::Automation) => Ok(to),
        (Step::Accept | Step::Reject, _) => Err(Refusal::OnlyMetrc),
        (_, Actor::Automation) => Err(Refusal::Automation),
        (_, Actor::Installation { .. }) => Err(Refusal::Installation),
        (
            _,
            Actor::Person {
                user_id,
                roles,
                second_factor,
            },
        ) => {
            let duty = match step {
                Step::SendToReview => Duty::Draft,
                Step::Withdraw if *user_id == facts.author_id => Duty::Draft,
                Step::Approve | Step::SendBack | Step::Withdraw => Duty::Approve,
                Step::Submit => Duty::Submit,
                Step::Accept | Step::Reject => return Err(Refusal::OnlyMetrc),
            };
            if !allows(roles, duty) {
                return Err(Refusal::Role);
            }
            if step == Step::SendToReview && !facts.preflight_passed {
                return Err(Refusal::Preflight);
            }
            if step == Step::Approve {
                if *user_id == facts.author_id {
                    return Err(Refusal::OwnSubmission);
                }
                if !second_factor {
                    return Err(Refusal::SecondFactor);
                }
            }
            Ok(to)
        }
    }
}

/// What a submission writes, and how the outbox finds out afterwards whether Metrc applied it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// `POST /packages/v2/`; applied when every new tag label reads back as a package.
    CreatePackages,
    /// `POST /packages/v2/testing`: samples for a laboratory, each a new package drawn from its
    /// lot (rule 36); applied when every new tag reads back.
    CreateTestingSamples,
    /// `PUT /packages/v2/location`; applied when every package reads back in its new location.
    MovePackages,
    /// `PUT /packages/v2/finish`; applied when every package reads back finished.
    FinishPackages,
    /// `POST /packages/v2/adjust` down to zero as unusable waste, with the method and witness in
    /// the note; applied when every package reads back empty.
    DestroyPackages,
    /// `POST /strains/v2/`; applied when every name reads back among the active strains.
    CreateStrains,
    /// `POST /locations/v2/`; applied when every name reads back among the active locations.
    CreateLocations,
    /// `POST /transfers/v2/templates/outgoing`; applied when the template's name reads back.
    OutgoingTransferTemplate,
    /// Registering a manifest: Metrc's API has no endpoint for it, so it is a manual task
    /// (confirmed when a sync shows a delivery of exactly these packages to the recipient), or
    /// `POST /tagtrail/v1/transfers/outgoing` on a tagtrail ledger.
    RegisterManifest,
    /// Receiving a delivery: a manual task (confirmed when a sync shows every package accepted
    /// or rejected as decided), or `POST /tagtrail/v1/transfers/deliveries/{id}/receive`.
    ReceiveDelivery,
    /// Taking back packages a recipient rejected (rule 45): a manual task against Metrc
    /// (confirmed when a sync shows them returned), or
    /// `POST /tagtrail/v1/transfers/returns` on a tagtrail ledger.
    TakeBackRejected,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::CreatePackages,
        Kind::CreateTestingSamples,
        Kind::MovePackages,
        Kind::FinishPackages,
        Kind::DestroyPackages,
        Kind::CreateStrains,
        Kind::CreateLocations,
        Kind::OutgoingTransferTemplate,
        Kind::RegisterManifest,
        Kind::ReceiveDelivery,
        Kind::TakeBackRejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CreatePackages => "create_packages",
            Kind::CreateTestingSamples => "create_testing_samples",
            Kind::MovePackages => "move_packages",
            Kind::FinishPackages => "finish_packages",
            Kind::DestroyPackages => "destroy_packages",
            Kind::CreateStrains => "create_strains",
            Kind::CreateLocations => "create_locations",
            Kind::OutgoingTransferTemplate => "outgoing_transfer_template",
            Kind::RegisterManifest => "register_manifest",
            Kind::ReceiveDelivery => "receive_delivery",
            Kind::TakeBackRejected => "take_back_rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::CreatePackages => "Create packages",
            Kind::CreateTestingSamples => "Take testing samples",
            Kind::MovePackages => "Move packages",
            Kind::FinishPackages => "Finish packages",
            Kind::DestroyPackages => "Destroy packages",
            Kind::CreateStrains => "Create strains",
            Kind::CreateLocations => "Create locations",
            Kind::OutgoingTransferTemplate => "Outgoing transfer",
            Kind::RegisterManifest => "Register a manifest",
            Kind::ReceiveDelivery => "Receive a delivery",
            Kind::TakeBackRejected => "Take back rejected packages",
        }
    }

    /// Whether Metrc's API lacks the step, so that against Metrc it is a manual task done in
    /// Metrc's web UI and confirmed by a sync; `endpoint()` is then the tagtrail extension.
    pub fn manual_in_metrc(self) -> bool {
        matches!(
            self,
            Kind::RegisterManifest | Kind::ReceiveDelivery | Kind::TakeBackRejected
        )
    }

    /// The HTTP method and Metrc path.
    pub fn endpoint(self) -> (&'static str, &'static str) {
        match self {
            Kind::CreatePackages => ("POST", "/packages/v2/"),
            Kind::CreateTestingSamples => ("POST", "/packages/v2/testing"),
            Kind::MovePackages => ("PUT", "/packages/v2/location"),
            Kind::FinishPackages => ("PUT", "/packages/v2/finish"),
            Kind::DestroyPackages => ("POST", "/packages/v2/adjust"),
            Kind::CreateStrains => ("POST", "/strains/v2/"),
            Kind::CreateLocations => ("POST", "/locations/v2/"),
            Kind::OutgoingTransferTemplate => ("POST", "/transfers/v2/templates/outgoing"),
            Kind::RegisterManifest => ("POST", "/tagtrail/v1/transfers/outgoing"),
            Kind::ReceiveDelivery => ("POST", "/tagtrail/v1/transfers/deliveries/{id}/receive"),
            Kind::TakeBackRejected => ("POST", "/tagtrail/v1/transfers/returns"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, roles: &[Role], mfa: bool) -> Actor {
        Actor::Person {
            user_id: id,
            roles: roles.to_vec(),
            second_factor: mfa,
        }
    }
    const FACTS: Facts = Facts {
        author_id: 1,
        preflight_passed: true,
        manual_task: false,
    };

    #[test]
    fn the_happy_path_needs_two_people() {
        let author = person(1, &[Role::Operator], false);
        let reviewer = person(2, &[Role::ComplianceManager], true);
        let s = decide(State::Draft, Step::SendToReview, &author, FACTS).unwrap();
        assert_eq!(s, State::Review);
        let s = decide(s, Step::Approve, &reviewer, FACTS).unwrap();
        assert_eq!(s, State::Approved);
        let s = decide(s, Step::Submit, &reviewer, FACTS).unwrap();
        assert_eq!(s, State::Submitted);
        assert_eq!(
            decide(s, Step::Accept, &Actor::Automation, FACTS).unwrap(),
            State::Accepted
        );
    }

    #[test]
    fn the_author_cannot_approve_even_as_admin() {
        let author = person(1, &[Role::Admin], true);
        assert_eq!(
            decide(State::Review, Step::Approve, &author, FACTS),
            Err(Refusal::OwnSubmission)
        );
    }

    #[test]
    fn approval_needs_the_second_factor() {
        let reviewer = person(2, &[Role::ComplianceManager], false);
        assert_eq!(
            decide(State::Review, Step::Approve, &reviewer, FACTS),
            Err(Refusal::SecondFactor)
        );
    }

    #[test]
    fn installation_admins_and_automation_decide_nothing() {
        let op = Actor::Installation { user_id: 9 };
        for step in [Step::Approve, Step::Submit, Step::SendToReview] {
            for from in State::ALL {
                let r = decide(*from, step, &op, FACTS);
                assert!(r.is_err(), "{from:?} {step:?}");
                let r = decide(*from, step, &Actor::Automation, FACTS);
                assert!(r.is_err(), "{from:?} {step:?}");
            }
        }
        assert_eq!(
            decide(State::Review, Step::Approve, &op, FACTS),
            Err(Refusal::Installation)
        );
    }

    #[test]
    fn only_metrc_accepts_and_final_states_stay_final() {
        let admin = person(2, &[Role::Admin], true);
        assert_eq!(
            decide(State::Submitted, Step::Accept, &admin, FACTS),
            Err(Refusal::OnlyMetrc)
        );
        for from in [State::Accepted, State::Rejected, State::Withdrawn] {
            for step in [
                Step::SendToReview,
                Step::Approve,
                Step::SendBack,
                Step::Withdraw,
                Step::Submit,
                Step::Accept,
                Step::Reject,
            ] {
                assert!(decide(from, step, &Actor::Automation, FACTS).is_err());
                assert!(decide(from, step, &admin, FACTS).is_err());
            }
        }
    }

    #[test]
    fn a_failed_preflight_cannot_go_to_review() {
        let author = person(1, &[Role::Operator], false);
        let facts = Facts {
            preflight_passed: false,
            ..FACTS
        };
        assert_eq!(
            decide(State::Draft, Step::SendToReview, &author, facts),
            Err(Refusal::Preflight)
        );
    }

    /// A write sent to Metrc may be in flight, so it cannot be withdrawn once submitted; a
    /// manual task sent nothing and can.
    #[test]
    fn only_a_manual_task_is_withdrawn_after_submission() {
        let manager = person(2, &[Role::ComplianceManager], true);
        assert!(decide(State::Submitted, Step::Withdraw, &manager, FACTS).is_err());
        let task = Facts {
            manual_task: true,
            ..FACTS
        };
        assert_eq!(
            decide(State::Submitted, Step::Withdraw, &manager, task),
            Ok(State::Withdrawn)
        );
        let viewer = person(3, &[Role::Viewer], true);
        assert!(decide(State::Submitted, Step::Withdraw, &viewer, task).is_err());
        assert!(decide(State::Submitted, Step::Withdraw, &Actor::Automation, task).is_err());
    }

    #[test]
    fn viewers_and_operators_cannot_submit() {
        for roles in [&[Role::Viewer][..], &[Role::Operator][..]] {
            assert_eq!(
                decide(
                    State::Approved,
                    Step::Submit,
                    &person(3, roles, true),
                    FACTS
                ),
                Err(Refusal::Role)
            );
        }
    }

    #[test]
    fn names_round_trip() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(*s));
        }
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(*k));
        }
    }
}
