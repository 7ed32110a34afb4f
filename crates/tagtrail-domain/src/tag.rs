//! UID tags: their labels, kinds and lifecycle (cctt-rules §2.1).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A Metrc-style UID: 24 characters, `1A4` then 21 upper-case hexadecimal digits.
///
/// A label is generated from randomness drawn at issuance and a sequence number within the
/// shipment, never from anything mutable such as a license number or a facility name, so a
/// label stays valid for life whatever happens to the license it was issued to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TagLabel(String);

pub const LABEL_LEN: usize = 24;
const PREFIX: &str = "1A4";

impl TagLabel {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.len() != LABEL_LEN {
            return Err(format!(
                "Tag {s} is not a valid tag: a UID has {LABEL_LEN} characters."
            ));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_alphabetic())
        {
            return Err(format!(
                "Tag {s} is not a valid tag: only letters and digits are allowed."
            ));
        }
        Ok(TagLabel(s.to_ascii_uppercase()))
    }

    /// Issues the `seq`-th label of a shipment whose random prefix is `batch` (12 hex digits of
    /// it are used). Sequence numbers run to 999,999,999 per shipment.
    pub fn issue(batch: u64, seq: u32) -> Self {
        TagLabel(format!(
            "{PREFIX}{:012X}{:09}",
            batch & 0xFFFF_FFFF_FFFF,
            seq % 1_000_000_000
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TagLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TagKind {
    Plant,
    Package,
}

impl TagKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TagKind::Plant => "Plant",
            TagKind::Package => "Package",
        }
    }
}

/// Where a tag is in its life. Tags come into being when an order ships; they are usable only
/// once the licensee records their receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TagStatus {
    Shipped,
    Received,
    Used,
    Voided,
}

impl TagStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TagStatus::Shipped => "Shipped",
            TagStatus::Received => "Received",
            TagStatus::Used => "Used",
            TagStatus::Voided => "Voided",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            TagStatus::Shipped,
            TagStatus::Received,
            TagStatus::Used,
            TagStatus::Voided,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// Where a tag order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderStatus {
    Ordered,
    Shipped,
    Received,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Ordered => "Ordered",
            OrderStatus::Shipped => "Shipped",
            OrderStatus::Received => "Received",
        }
    }
}

/// Checks that a tag may be assigned to a new plant or package of `kind` at `facility`.
/// Every later issue that uses tags (plantings, packages, samples) goes through here.
pub fn check_usable(
    label: &TagLabel,
    status: TagStatus,
    tag_kind: TagKind,
    tag_facility: &str,
    wanted: TagKind,
    facility: &str,
) -> Result<(), String> {
    if tag_facility != facility {
        // Rule 13: tags are issued to one facility and never reassigned.
        return Err(format!(
            "Tag {label} is not assigned to facility {facility}."
        ));
    }
    match status {
        // Rule 11: a tag must be recorded as received before use.
        TagStatus::Shipped => {
            return Err(format!(
                "Tag {label} is not available: its receipt has not been recorded."
            ));
        }
        // Rule 13: used once, never reused.
        TagStatus::Used => return Err(format!("Tag {label} has already been used.")),
        TagStatus::Voided => {
            return Err(format!("Tag {label} is not available: it has been voided."));
        }
        TagStatus::Received => {}
    }
    if tag_kind != wanted {
        let (have, need) = (
            tag_kind.as_str().to_lowercase(),
            wanted.as_str().to_lowercase(),
        );
        return Err(format!(
            "Tag {label} is a {have} tag; a {need} tag is required."
        ));
    }
    Ok(())
}

/// Rule 14: a tag can be voided only while it is unused; voided is terminal.
pub fn check_voidable(label: &TagLabel, status: TagStatus) -> Result<(), String> {
    match status {
        TagStatus::Shipped | TagStatus::Received => Ok(()),
        TagStatus::Used => Err(format!("Tag {label} is used and cannot be voided.")),
        TagStatus::Voided => Err(format!("Tag {label} is already voided.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label() -> TagLabel {
        TagLabel::issue(0xABCDEF012345, 7)
    }

    #[test]
    fn issued_labels_are_valid_and_distinct() {
        let a = TagLabel::issue(0xABCDEF012345, 1);
        let b = TagLabel::issue(0xABCDEF012345, 2);
        assert_eq!(a.as_str().len(), LABEL_LEN);
        assert_ne!(a, b);
        assert_eq!(TagLabel::parse(a.as_str()).unwrap(), a);
        assert_eq!(a.as_str(), "1A4ABCDEF012345000000001");
    }

    #[test]
    fn bad_labels_are_refused() {
        assert!(TagLabel::parse("1A4").is_err());
        assert!(TagLabel::parse("1A4ABCDEF01234500000000!").is_err());
    }

    /// Rule 11: a tag that has shipped but whose receipt is not recorded is not available.
    #[test]
    fn rule_11_unreceived_tag_is_not_available() {
        let e = check_usable(
            &label(),
            TagStatus::Shipped,
            TagKind::Package,
            "L1",
            TagKind::Package,
            "L1",
        )
        .unwrap_err();
        assert!(e.contains("is not available"), "{e}");
        assert!(
            check_usable(
                &label(),
                TagStatus::Received,
                TagKind::Package,
                "L1",
                TagKind::Package,
                "L1"
            )
            .is_ok()
        );
    }

    /// Rule 13: one facility, one use, the right kind.
    #[test]
    fn rule_13_one_facility_one_use_right_kind() {
        let l = label();
        assert!(
            check_usable(
                &l,
                TagStatus::Received,
                TagKind::Package,
                "L1",
                TagKind::Package,
                "L2"
            )
            .unwrap_err()
            .contains("not assigned")
        );
        assert!(
            check_usable(
                &l,
                TagStatus::Used,
                TagKind::Package,
                "L1",
                TagKind::Package,
                "L1"
            )
            .unwrap_err()
            .contains("already been used")
        );
        assert!(
            check_usable(
                &l,
                TagStatus::Received,
                TagKind::Package,
                "L1",
                TagKind::Plant,
                "L1"
            )
            .unwrap_err()
            .contains("plant tag is required")
        );
    }

    /// Rule 14: void only while unused; voided is terminal.
    #[test]
    fn rule_14_void_only_unused() {
        assert!(check_voidable(&label(), TagStatus::Received).is_ok());
        assert!(check_voidable(&label(), TagStatus::Used).is_err());
        assert!(check_voidable(&label(), TagStatus::Voided).is_err());
        assert!(
            check_usable(
                &label(),
                TagStatus::Voided,
                TagKind::Package,
                "L1",
                TagKind::Package,
                "L1"
            )
            .is_err()
        );
    }
}
