//! The workbench's audit log is a hash chain: each entry's hash covers the previous entry's
//! hash and the entry's own fields, so an entry changed, removed or inserted afterwards breaks
//! every hash after it (seed 003 §07: "an audit event that cannot be quietly rewritten").

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What one audit entry records. Every field is hashed, in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub company_id: Option<i64>,
    pub license_number: Option<String>,
    pub user_id: Option<i64>,
    /// `web`, `cli`, `sync` or `outbox`: how the action reached the workbench.
    pub door: String,
    pub action: String,
    /// The human reason the person gave (or the default reason of an automatic action).
    pub reason: String,
    /// The Metrc endpoint, when the action spoke to Metrc (`POST /packages/v2/`).
    pub endpoint: Option<String>,
    /// The request body as sent, or the action's own fields.
    pub request: Option<String>,
    pub response_status: Option<i64>,
    /// SHA-256 of Metrc's response body.
    pub response_sha256: Option<String>,
}

/// The entry's hash: SHA-256 over the previous hash and the entry's canonical JSON.
pub fn hash(prev: &str, entry: &Entry) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    // A struct of strings and integers serializes the same way every time; the field order is
    // the struct's.
    h.update(serde_json::to_vec(entry).unwrap_or_default());
    hex::encode(h.finalize())
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    pub problem: String,
}

/// Checks entries (in `seq` order, with their stored `prev_hash` and `hash`) from genesis.
pub fn verify<'a>(
    entries: impl IntoIterator<Item = (&'a Entry, &'a str, &'a str)>,
) -> Result<(i64, String), Break> {
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1;
    for (e, stored_prev, stored_hash) in entries {
        if e.seq != expected_seq {
            return Err(Break {
                seq: e.seq,
                problem: format!(
                    "entry {} follows {} (an entry is missing or inserted)",
                    e.seq,
                    expected_seq - 1
                ),
            });
        }
        if stored_prev != prev {
            return Err(Break {
                seq: e.seq,
                problem: "its previous hash is not the hash of the entry before it".into(),
            });
        }
        let h = hash(&prev, e);
        if h != stored_hash {
            return Err(Break {
                seq: e.seq,
                problem: "its contents do not match its hash (the entry was changed)".into(),
            });
        }
        prev = h;
        expected_seq += 1;
    }
    Ok((expected_seq - 1, prev))
}

/// SHA-256 of a body, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, reason: &str) -> Entry {
        Entry {
            seq,
            at: "2026-11-30T12:00:00.000000+00:00".into(),
            company_id: Some(1),
            license_number: Some("CDPH-10003301".into()),
            user_id: Some(2),
            door: "web".into(),
            action: "approve".into(),
            reason: reason.into(),
            endpoint: None,
            request: None,
            response_status: None,
            response_sha256: None,
        }
    }

    fn chain(reasons: &[&str]) -> Vec<(Entry, String, String)> {
        let mut prev = GENESIS.to_string();
        let mut out = vec![];
        for (i, r) in reasons.iter().enumerate() {
            let e = entry(i as i64 + 1, r);
            let h = hash(&prev, &e);
            out.push((e, prev.clone(), h.clone()));
            prev = h;
        }
        out
    }

    fn check(c: &[(Entry, String, String)]) -> Result<(i64, String), Break> {
        verify(c.iter().map(|(e, p, h)| (e, p.as_str(), h.as_str())))
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(&["a", "b", "c"]);
        assert_eq!(check(&c).unwrap().0, 3);
    }

    #[test]
    fn a_changed_reason_breaks_the_chain_at_that_entry() {
        let mut c = chain(&["a", "b", "c"]);
        c[1].0.reason = "quietly rewritten".into();
        assert_eq!(check(&c).unwrap_err().seq, 2);
    }

    #[test]
    fn a_removed_entry_breaks_the_chain() {
        let mut c = chain(&["a", "b", "c"]);
        c.remove(1);
        assert_eq!(check(&c).unwrap_err().seq, 3);
    }

    #[test]
    fn a_rehashed_entry_still_breaks_the_next_link() {
        let mut c = chain(&["a", "b", "c"]);
        c[1].0.reason = "x".into();
        c[1].2 = hash(&c[1].1, &c[1].0);
        assert_eq!(check(&c).unwrap_err().seq, 3);
    }
}
