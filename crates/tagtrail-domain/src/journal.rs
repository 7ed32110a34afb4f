//! The journal's entries, their canonical encoding and the SHA-256 hash chain.
//!
//! An entry records who acted (employee and vendor key, or an operator), for which license,
//! through which endpoint, why, the request as received, the ids it produced, and the
//! after-image of every projection row it changed. The after-images make the projections a pure
//! fold over the journal, so `audit verify` can rebuild them from nothing and compare.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The after-image of one projection row. Its columns are explicit (not re-derived from
/// `data` at replay time) so that a rebuild never depends on how a later release of tagtrail
/// would derive them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub table: String,
    pub id: i64,
    pub license_number: Option<String>,
    pub active: bool,
    pub last_modified: String,
    pub lookup: Option<String>,
    pub status: Option<String>,
    pub data: Value,
}

/// Who performed a journaled action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Actor {
    /// The user (employee) acting, when an employee acts.
    pub employee_id: Option<i64>,
    /// The vendor (integrator) key the request came through, for API calls.
    pub vendor_key_id: Option<i64>,
    /// A human-readable name: the username, `operator:<name>` for the admin CLI, or `web:<username>`.
    pub name: String,
}

/// An entry before it is sealed into the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub recorded_at: String,
    pub license_number: Option<String>,
    pub actor: Actor,
    pub endpoint: String,
    pub reason: String,
    pub request: Value,
    pub result_ids: Vec<i64>,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
    #[serde(flatten)]
    pub body: Draft,
}

impl Entry {
    /// Seals `draft` as entry number `seq` after the entry whose hash is `prev_hash`.
    pub fn seal(draft: Draft, seq: i64, prev_hash: &str) -> Entry {
        let hash = compute_hash(seq, prev_hash, &draft);
        Entry {
            seq,
            prev_hash: prev_hash.to_string(),
            hash,
            body: draft,
        }
    }

    /// Recomputes this entry's hash from its content.
    pub fn recompute_hash(&self) -> String {
        compute_hash(self.seq, &self.prev_hash, &self.body)
    }
}

/// SHA-256 over the canonical JSON of everything in the entry but the hash itself.
pub fn compute_hash(seq: i64, prev_hash: &str, draft: &Draft) -> String {
    let body = serde_json::json!({
        "seq": seq,
        "prev_hash": prev_hash,
        "recorded_at": draft.recorded_at,
        "license_number": draft.license_number,
        "actor": draft.actor,
        "endpoint": draft.endpoint,
        "reason": draft.reason,
        "request": draft.request,
        "result_ids": draft.result_ids,
        "changes": draft.changes,
    });
    let mut h = Sha256::new();
    h.update(canonical_json(&body).as_bytes());
    hex::encode(h.finalize())
}

/// JSON with object keys sorted at every depth and no insignificant white space. Numbers keep
/// the exact text they were written with (serde_json's arbitrary-precision mode), so decimal
/// quantities hash the same after a round trip through either database.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                if let Some(val) = map.get(*k) {
                    write_canonical(val, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A break in the chain found by [`verify_link`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("entry {seq}: expected sequence number {expected}")]
    Gap { seq: i64, expected: i64 },
    #[error("entry {seq}: prev_hash {found} does not match the previous entry's hash {expected}")]
    BrokenLink {
        seq: i64,
        found: String,
        expected: String,
    },
    #[error("entry {seq}: stored hash {stored} but its content hashes to {computed}")]
    Altered {
        seq: i64,
        stored: String,
        computed: String,
    },
}

/// Checks one entry against the previous one (`None` for the first entry).
pub fn verify_link(prev: Option<(i64, &str)>, entry: &Entry) -> Result<(), ChainError> {
    let (expected_seq, expected_prev) = match prev {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH),
    };
    if entry.seq != expected_seq {
        return Err(ChainError::Gap {
            seq: entry.seq,
            expected: expected_seq,
        });
    }
    if entry.prev_hash != expected_prev {
        return Err(ChainError::BrokenLink {
            seq: entry.seq,
            found: entry.prev_hash.clone(),
            expected: expected_prev.to_string(),
        });
    }
    let computed = entry.recompute_hash();
    if computed != entry.hash {
        return Err(ChainError::Altered {
            seq: entry.seq,
            stored: entry.hash.clone(),
            computed,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn draft(reason: &str) -> Draft {
        Draft {
            recorded_at: "2026-01-01T00:00:00.000000+00:00".into(),
            license_number: Some("CCL-1".into()),
            actor: Actor {
                employee_id: Some(1),
                vendor_key_id: Some(1),
                name: "ana".into(),
            },
            endpoint: "POST /items/v2".into(),
            reason: reason.into(),
            request: json!([{"Name": "Buds", "UnitWeight": 1.50}]),
            result_ids: vec![1],
            changes: vec![],
        }
    }

    #[test]
    fn canonical_json_sorts_keys_and_keeps_number_text() {
        let v: Value = serde_json::from_str(r#"{"b":1.50,"a":{"d":[1,2],"c":null}}"#).unwrap();
        assert_eq!(canonical_json(&v), r#"{"a":{"c":null,"d":[1,2]},"b":1.50}"#);
    }

    #[test]
    fn chain_links_and_detects_alteration() {
        let e1 = Entry::seal(draft("first"), 1, GENESIS_HASH);
        let e2 = Entry::seal(draft("second"), 2, &e1.hash);
        assert!(verify_link(None, &e1).is_ok());
        assert!(verify_link(Some((1, &e1.hash)), &e2).is_ok());

        let mut altered = e2.clone();
        altered.body.reason = "edited".into();
        assert!(matches!(
            verify_link(Some((1, &e1.hash)), &altered),
            Err(ChainError::Altered { .. })
        ));

        let relinked = Entry::seal(draft("second"), 2, GENESIS_HASH);
        assert!(matches!(
            verify_link(Some((1, &e1.hash)), &relinked),
            Err(ChainError::BrokenLink { .. })
        ));
        assert!(matches!(
            verify_link(Some((1, &e1.hash)), &e1),
            Err(ChainError::Gap { .. })
        ));
    }

    #[test]
    fn hash_survives_a_text_round_trip() {
        let e = Entry::seal(draft("x"), 1, GENESIS_HASH);
        let text = serde_json::to_string(&e).unwrap();
        let back: Entry = serde_json::from_str(&text).unwrap();
        assert_eq!(back.recompute_hash(), e.hash);
    }
}
