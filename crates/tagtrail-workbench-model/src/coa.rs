//! Certificates of analysis (issue 11): each COA a lab issues for a lot is kept as a version
//! (the document's hash, its potency); a revision is a new version, and every package whose
//! label carried the old potency and is now outside tolerance of the new one is flagged.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Potency as a COA states it and a label prints it, in percent by weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Potency {
    pub thc_percent: Option<Decimal>,
    pub cbd_percent: Option<Decimal>,
}

/// California's label claim tolerance: the label's potency within ±10 % of the COA's.
pub const LABEL_TOLERANCE_PERCENT: Decimal = Decimal::TEN;

fn within(label: Option<Decimal>, coa: Option<Decimal>, tolerance_percent: Decimal) -> bool {
    match (label, coa) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(l), Some(c)) => (l - c).abs() <= (c.abs() * tolerance_percent / Decimal::ONE_HUNDRED),
    }
}

/// Whether a label's potency is within tolerance of the COA's (a cannabinoid the label does not
/// print is not checked; one it prints and the COA lacks is not within).
pub fn label_within(label: &Potency, coa: &Potency, tolerance_percent: Decimal) -> bool {
    within(label.thc_percent, coa.thc_percent, tolerance_percent)
        && within(label.cbd_percent, coa.cbd_percent, tolerance_percent)
}

/// The packages to flag after a revision: those whose label potency is no longer within
/// tolerance of the new COA, with their label's potency.
pub fn flagged_by_revision<'a>(
    new: &Potency,
    labels: &'a [(String, Potency)],
    tolerance_percent: Decimal,
) -> Vec<&'a (String, Potency)> {
    labels
        .iter()
        .filter(|(_, printed)| !label_within(printed, new, tolerance_percent))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(thc: &str) -> Potency {
        Potency {
            thc_percent: Some(thc.parse().unwrap()),
            cbd_percent: None,
        }
    }

    #[test]
    fn ten_percent_either_way() {
        assert!(label_within(&p("22"), &p("20"), LABEL_TOLERANCE_PERCENT));
        assert!(label_within(&p("18"), &p("20"), LABEL_TOLERANCE_PERCENT));
        assert!(!label_within(&p("22.1"), &p("20"), LABEL_TOLERANCE_PERCENT));
        assert!(!label_within(
            &Potency {
                thc_percent: None,
                cbd_percent: Some(Decimal::ONE)
            },
            &p("20"),
            LABEL_TOLERANCE_PERCENT
        ));
    }

    /// Issue 11: a revised COA flags every package that carried the old potency.
    #[test]
    fn a_revision_flags_the_labels_it_contradicts() {
        let labels = vec![("A".to_string(), p("20")), ("B".to_string(), p("16"))];
        let flagged = flagged_by_revision(&p("16.5"), &labels, LABEL_TOLERANCE_PERCENT);
        assert_eq!(flagged.len(), 1);
        assert_eq!(flagged[0].0, "A");
    }
}
