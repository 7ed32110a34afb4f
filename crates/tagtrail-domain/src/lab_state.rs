//! A package's lab testing state (`LabTestingState` on the wire, cctt-rules §2.5).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! lab_states {
    ($($state:ident,)*) => {
        /// Where a package stands in compliance testing. Serialized by Metrc's name, the same
        /// text packages carried before this type existed.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum LabState {
            $($state,)*
        }

        impl LabState {
            /// Every state, in the order `GET /labtests/v2/states` lists them.
            pub const ALL: &'static [LabState] = &[$(LabState::$state,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(LabState::$state => stringify!($state),)*
                }
            }
        }
    };
}

lab_states! {
    NotSubmitted,
    SubmittedForTesting,
    TestFailed,
    TestPassed,
    TestingInProgress,
    AwaitingConfirmation,
    RetestFailed,
    RetestPassed,
    Remediated,
    SelectedForRandomTesting,
    NotRequired,
    ProcessValidated,
    Decontaminated,
    RandDCompleted,
}

impl LabState {
    /// Exact name, as Metrc spells it.
    pub fn parse(name: &str) -> Option<LabState> {
        Self::ALL.iter().copied().find(|s| s.name() == name.trim())
    }

    /// Passed compliance testing: what a retailer may receive (rule 46) and sell (rule 49).
    pub fn passing(self) -> bool {
        matches!(self, LabState::TestPassed | LabState::RetestPassed)
    }

    /// Failed compliance testing: remediation or decontamination may follow (rule 53).
    pub fn failed(self) -> bool {
        matches!(self, LabState::TestFailed | LabState::RetestFailed)
    }
}

impl std::fmt::Display for LabState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for LabState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for LabState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        LabState::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown lab testing state {name:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in LabState::ALL {
            assert_eq!(LabState::parse(s.name()), Some(*s));
        }
        assert_eq!(LabState::parse("Passed"), None);
        assert!(LabState::RetestPassed.passing() && !LabState::Remediated.passing());
    }
}
