//! States that cannot be misread: each kind of lab testing state and package state has its own
//! colour *and* its own words (a colour alone fails the colour-blind and a glance), and a lot
//! that failed its tests or is on hold carries a banner on its page.

use maud::{Markup, html};
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::records::{Package, PackageState};

/// How a lab testing state reads at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Passed,
    Failed,
    Treated,
    Testing,
    Untested,
}

pub fn tone(s: LabState) -> Tone {
    use LabState::*;
    match s {
        TestPassed | RetestPassed | ProcessValidated | NotRequired | RandDCompleted => Tone::Passed,
        TestFailed | RetestFailed => Tone::Failed,
        Remediated | Decontaminated => Tone::Treated,
        SubmittedForTesting
        | TestingInProgress
        | AwaitingConfirmation
        | SelectedForRandomTesting => Tone::Testing,
        NotSubmitted => Tone::Untested,
    }
}

/// A lab testing state in words: `Test failed`, `Retest passed`…
pub fn words(s: LabState) -> &'static str {
    use LabState::*;
    match s {
        NotSubmitted => "Not submitted",
        SubmittedForTesting => "Submitted for testing",
        TestFailed => "Test failed",
        TestPassed => "Test passed",
        TestingInProgress => "Testing in progress",
        AwaitingConfirmation => "Awaiting confirmation",
        RetestFailed => "Retest failed",
        RetestPassed => "Retest passed",
        Remediated => "Remediated",
        SelectedForRandomTesting => "Selected for random testing",
        NotRequired => "Testing not required",
        ProcessValidated => "Process validated",
        Decontaminated => "Decontaminated",
        RandDCompleted => "R&D testing completed",
    }
}

/// A badge for a lab testing state: its tone's colour and mark, and its words.
pub fn lab(s: LabState) -> Markup {
    let (class, mark) = match tone(s) {
        Tone::Passed => ("badge passed", "✓"),
        Tone::Failed => ("badge failed", "✕"),
        Tone::Treated => ("badge treated", "↻"),
        Tone::Testing => ("badge testing", "…"),
        Tone::Untested => ("badge untested", "○"),
    };
    html! { span class=(class) data-lab=(s.name()) { span aria-hidden="true" { (mark) " " } (words(s)) } }
}

/// A package's own state in words, with holds and transit marked.
pub fn package(p: &Package) -> Markup {
    html! {
        @match p.state {
            PackageState::Active => span.badge.neutral { "Active" },
            PackageState::InTransit => span.badge.transit { "→ In transit" },
            PackageState::Finished => span.badge.closed { "Finished" },
            PackageState::Discontinued => span.badge.closed { "Discontinued" },
        }
        @if p.on_hold { " " span.badge.hold { "‖ On hold" } }
    }
}

/// The banner at the top of a package that must not be sold or moved as if nothing happened.
pub fn banner(p: &Package) -> Markup {
    html! {
        @if tone(p.lab_testing_state) == Tone::Failed {
            div.banner.failed role="alert" {
                strong { "This lot failed its lab tests. " }
                (p.quantity) " " (p.unit_of_measure) " may not be sold or transferred for sale; remediate or destroy it."
            }
        }
        @if p.on_hold {
            div.banner.hold role="alert" {
                strong { "On hold. " }
                @if let Some(r) = &p.hold_reason { (r) } @else { "No change may be made until the hold is lifted." }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_words_and_failed_ones_read_as_failed() {
        for s in LabState::ALL {
            assert!(!words(*s).is_empty());
        }
        for s in [LabState::TestFailed, LabState::RetestFailed] {
            let html = lab(s).into_string();
            assert!(html.contains("badge failed"), "{html}");
            assert!(html.contains("failed"), "{html}");
        }
        // Failed and remediated and untested are three different looks.
        let looks: Vec<String> = [
            LabState::TestFailed,
            LabState::Remediated,
            LabState::NotSubmitted,
        ]
        .iter()
        .map(|s| lab(*s).into_string())
        .collect();
        assert_ne!(looks[0], looks[1]);
        assert_ne!(looks[1], looks[2]);
        assert!(tone(LabState::TestPassed) == Tone::Passed);
    }
}
