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

/// The after-image of one record: which table (record kind) and id, the version of the
/// record's shape, and the record. The projection row is derived from it (see the store), so an
/// entry says what a record became, not how one release of tagtrail indexed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub table: String,
    pub id: i64,
    /// The record's shape version ([`crate::records::Record::SCHEMA`]).
    pub schema: u32,
    pub data: Value,
    /// Entries written before shape versions existed also carried the row's scoping columns;
    /// they are kept, unread, so that those entries hash as they did when written.
    legacy: Option<LegacyColumns>,
}

impl Change {
    pub fn new(table: &str, id: i64, schema: u32, data: Value) -> Change {
        Change {
            table: table.to_string(),
            id,
            schema,
            data,
            legacy: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct LegacyColumns {
    license_number: Option<String>,
    active: bool,
    last_modified: String,
    lookup: Option<String>,
    status: Option<String>,
}

/// A change as the journal stores it: the current shape, or the first format's.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum StoredChange {
    Current {
        table: String,
        id: i64,
        schema: u32,
        data: Value,
    },
    Legacy {
        table: String,
        id: i64,
        license_number: Option<String>,
        active: bool,
        last_modified: String,
        lookup: Option<String>,
        status: Option<String>,
        data: Value,
    },
}

impl Serialize for Change {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let stored = match &self.legacy {
            None => StoredChange::Current {
                table: self.table.clone(),
                id: self.id,
                schema: self.schema,
                data: self.data.clone(),
            },
            Some(l) => StoredChange::Legacy {
                table: self.table.clone(),
                id: self.id,
                license_number: l.license_number.clone(),
                active: l.active,
                last_modified: l.last_modified.clone(),
                lookup: l.lookup.clone(),
                status: l.status.clone(),
                data: self.data.clone(),
            },
        };
        stored.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match StoredChange::deserialize(d)? {
            StoredChange::Current {
                table,
                id,
                schema,
                data,
            } => Change {
                table,
                id,
                schema,
                data,
                legacy: None,
            },
            StoredChange::Legacy {
                table,
                id,
                license_number,
                active,
                last_modified,
                lookup,
                status,
                data,
            } => Change {
                table,
                id,
                // The first format predates shape versions; its records are version 1.
                schema: 1,
                data,
                legacy: Some(LegacyColumns {
                    license_number,
                    active,
                    last_modified,
                    lookup,
                    status,
                }),
            },
        })
    }
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
    /// The kind of door the request came through (`api`, `web`, `operator`, `import`). Entries
    /// written before doors were recorded have none; their hash covers what they had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub door: Option<String>,
    /// The regulated action taken, in words ("Create strains"), as its definition names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
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

/// SHA-256 over the canonical JSON of everything in the entry but the hash itself. The door and
/// action are covered when the entry has them; an entry from before they were recorded hashes
/// exactly as it did when it was written.
pub fn compute_hash(seq: i64, prev_hash: &str, draft: &Draft) -> String {
    let mut body = serde_json::json!({
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
    if let Some(map) = body.as_object_mut() {
        if let Some(door) = &draft.door {
            map.insert("door".into(), Value::String(door.clone()));
        }
        if let Some(action) = &draft.action {
            map.insert("action".into(), Value::String(action.clone()));
        }
    }
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
            door: Some("api".into()),
            action: Some("Create items".into()),
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

    /// An entry written before doors were recorded keeps its hash: the door and action are
    /// hashed only when present, so `audit verify` still proves old chains.
    #[test]
    fn entries_without_door_hash_as_before() {
        let mut old = draft("x");
        old.door = None;
        old.action = None;
        let e = Entry::seal(old.clone(), 1, GENESIS_HASH);
        let legacy = serde_json::json!({
            "seq": 1, "prev_hash": GENESIS_HASH, "recorded_at": old.recorded_at,
            "license_number": old.license_number, "actor": old.actor, "endpoint": old.endpoint,
            "reason": old.reason, "request": old.request, "result_ids": old.result_ids,
            "changes": old.changes,
        });
        assert_eq!(
            e.hash,
            hex::encode(Sha256::digest(canonical_json(&legacy).as_bytes()))
        );
        let mut with_door = old;
        with_door.door = Some("web".into());
        assert_ne!(Entry::seal(with_door, 1, GENESIS_HASH).hash, e.hash);
    }

    /// A change in the first format (with its scoping columns) reads back and re-serializes to
    /// exactly the same JSON, so its entry's hash still verifies.
    #[test]
    fn legacy_changes_keep_their_bytes() {
        let text = r#"{"table":"strains","id":3,"license_number":"L-1","active":true,"last_modified":"t","lookup":"x","status":null,"data":{"id":3,"name":"X"}}"#;
        let c: Change = serde_json::from_str(text).unwrap();
        assert_eq!(c.schema, 1);
        assert_eq!(serde_json::to_string(&c).unwrap(), text);
        let current = Change::new("strains", 3, 1, serde_json::json!({"id": 3}));
        let back: Change = serde_json::from_str(&serde_json::to_string(&current).unwrap()).unwrap();
        assert_eq!(back, current);
    }

    #[test]
    fn hash_survives_a_text_round_trip() {
        let e = Entry::seal(draft("x"), 1, GENESIS_HASH);
        let text = serde_json::to_string(&e).unwrap();
        let back: Entry = serde_json::from_str(&text).unwrap();
        assert_eq!(back.recompute_hash(), e.hash);
    }
}
