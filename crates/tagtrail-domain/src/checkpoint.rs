//! Signed checkpoints of the journal's head.
//!
//! The hash chain proves that the journal is consistent with itself, not that it is the journal
//! that was written: anyone who can write to the database can edit an old entry and recompute
//! every hash after it. A checkpoint closes that gap. At intervals the ledger signs the head
//! `(seq, hash)` with an ed25519 key held outside the database and publishes the signature; a
//! database that still holds exactly that hash at that `seq` (and whose chain verifies) still
//! holds every entry up to it unchanged, and nobody without the key can sign a new history.
//!
//! This module is pure: it builds the signed message, signs and verifies. The key file, the
//! clock and the database are the application's.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The first line of every signed message: the format and its version, so a signature made for
/// one purpose (or one version of this format) can never be read as another.
pub const MESSAGE_DOMAIN: &str = "tagtrail-checkpoint-v1";

/// The `Format` of a checkpoints export file.
pub const FILE_FORMAT: &str = "tagtrail-checkpoints-v1";

/// The only signature algorithm; named in published keys so a reader need not guess.
pub const ALGORITHM: &str = "ed25519";

/// A signed statement: "entry `seq` of the journal has hash `hash` and was recorded at
/// `recorded_at`", made at `signed_at` with the key `key_id`. Field names are PascalCase like the
/// rest of the `/tagtrail/v1` API; the export file and the endpoint carry the same objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Checkpoint {
    pub seq: i64,
    /// The entry's hash (64 lowercase hex digits).
    pub hash: String,
    /// The entry's own time, as the journal holds it.
    pub recorded_at: String,
    /// When the ledger signed (its clock; informative, and covered by the signature).
    pub signed_at: String,
    /// Which key signed: see [`key_id`].
    pub key_id: String,
    /// The ed25519 signature of [`Checkpoint::message`], 128 lowercase hex digits.
    pub signature: String,
}

/// Why a checkpoint could not be made or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("checkpoint {seq}: {field} is malformed ({why})")]
    Malformed {
        seq: i64,
        field: &'static str,
        why: String,
    },
    #[error("checkpoint {seq} was signed by key {found}, not by the trusted key {expected}")]
    OtherKey {
        seq: i64,
        found: String,
        expected: String,
    },
    #[error("checkpoint {seq}: the signature does not verify")]
    BadSignature { seq: i64 },
}

/// A public key with the id checkpoints name it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    pub fn new(key: VerifyingKey) -> PublicKey {
        PublicKey(key)
    }

    /// The key's 32 bytes as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.as_bytes())
    }

    /// Reads a public key written as 64 hex digits, ignoring surrounding white space and any
    /// line that starts with `#` (so a `.pub` file with a comment reads as well as the bare key).
    pub fn parse(text: &str) -> Result<PublicKey, String> {
        let bytes = hex_32(text).map_err(|why| format!("not an ed25519 public key: {why}"))?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| "not an ed25519 public key: not a point on the curve".to_string())
    }

    pub fn key_id(&self) -> String {
        key_id(&self.0)
    }

    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.0
    }
}

/// Reads 32 bytes written as hex, skipping `#` comment lines and white space.
pub fn hex_32(text: &str) -> Result<[u8; 32], String> {
    let digits: String = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .concat();
    let bytes = hex::decode(digits.trim()).map_err(|e| format!("not hex ({e})"))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| format!("{} bytes where 32 were expected", bytes.len()))
}

/// A key's id: the first 8 bytes of the SHA-256 of its 32 bytes, in hex. Short enough to read
/// out, long enough that no two keys an operator ever holds share one.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

/// The head a checkpoint is made of: an entry's `seq`, hash and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
    pub recorded_at: String,
}

/// The bytes signed: five lines, each field on its own line and none allowed to hold a line
/// break, so no two different checkpoints share a message.
fn message(
    seq: i64,
    hash: &str,
    recorded_at: &str,
    signed_at: &str,
) -> Result<String, CheckpointError> {
    let malformed = |field, why: &str| CheckpointError::Malformed {
        seq,
        field,
        why: why.to_string(),
    };
    if seq < 1 {
        return Err(malformed("Seq", "sequence numbers start at 1"));
    }
    if hash.len() != 64
        || !hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(malformed("Hash", "expected 64 lowercase hex digits"));
    }
    for (field, v) in [("RecordedAt", recorded_at), ("SignedAt", signed_at)] {
        if v.is_empty() || v.contains(['\n', '\r']) {
            return Err(malformed(field, "empty or holds a line break"));
        }
    }
    Ok(format!(
        "{MESSAGE_DOMAIN}\n{seq}\n{hash}\n{recorded_at}\n{signed_at}\n"
    ))
}

impl Checkpoint {
    /// Signs `head` at `signed_at` (the caller's clock reading, formatted) with `key`.
    pub fn sign(
        head: &Head,
        signed_at: &str,
        key: &SigningKey,
    ) -> Result<Checkpoint, CheckpointError> {
        let msg = message(head.seq, &head.hash, &head.recorded_at, signed_at)?;
        let signature = key.sign(msg.as_bytes());
        Ok(Checkpoint {
            seq: head.seq,
            hash: head.hash.clone(),
            recorded_at: head.recorded_at.clone(),
            signed_at: signed_at.to_string(),
            key_id: key_id(&key.verifying_key()),
            signature: hex::encode(signature.to_bytes()),
        })
    }

    /// The exact text this checkpoint's signature covers.
    pub fn message(&self) -> Result<String, CheckpointError> {
        message(self.seq, &self.hash, &self.recorded_at, &self.signed_at)
    }

    /// Checks that `key` signed exactly this checkpoint. Strict verification: a signature that
    /// only a lax verifier accepts (malleable or small-order) is refused.
    pub fn verify(&self, key: &PublicKey) -> Result<(), CheckpointError> {
        let expected = key.key_id();
        if self.key_id != expected {
            return Err(CheckpointError::OtherKey {
                seq: self.seq,
                found: self.key_id.clone(),
                expected,
            });
        }
        let msg = self.message()?;
        let bytes = hex::decode(&self.signature)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
            .ok_or_else(|| CheckpointError::Malformed {
                seq: self.seq,
                field: "Signature",
                why: "expected 128 hex digits".into(),
            })?;
        key.0
            .verify_strict(msg.as_bytes(), &Signature::from_bytes(&bytes))
            .map_err(|_| CheckpointError::BadSignature { seq: self.seq })
    }
}

/// A published key, as the endpoint and the export file name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishedKey {
    pub key_id: String,
    pub public_key: String,
    pub algorithm: String,
}

impl From<&PublicKey> for PublishedKey {
    fn from(k: &PublicKey) -> Self {
        PublishedKey {
            key_id: k.key_id(),
            public_key: k.to_hex(),
            algorithm: ALGORITHM.to_string(),
        }
    }
}

/// The file an inspector keeps: every checkpoint (ascending `seq`) and the keys that signed
/// them. The keys in the file are a convenience; an inspector who obtained the public key
/// elsewhere passes it to `audit verify --public-key` and trusts that instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CheckpointFile {
    pub format: String,
    pub public_keys: Vec<PublishedKey>,
    pub checkpoints: Vec<Checkpoint>,
}

/// Why a database does not hold what a checkpoint says, found by [`check_against_journal`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    #[error("{0}")]
    Signature(CheckpointError),
    #[error("checkpoint {seq} is signed by key {key_id}, which is not trusted")]
    UntrustedKey { seq: i64, key_id: String },
    #[error(
        "checkpoint {seq} names an entry beyond the journal, which ends at entry {head}: entries were removed, or this copy is older than the checkpoint"
    )]
    BeyondJournal { seq: i64, head: i64 },
    #[error(
        "checkpoint {seq}: the journal holds hash {found} where {expected} was signed: the journal was rewritten at or before entry {seq}"
    )]
    Rewritten {
        seq: i64,
        expected: String,
        found: String,
    },
    #[error(
        "checkpoint {seq}: the entry was recorded at {found} but the checkpoint says {expected}"
    )]
    OtherTime {
        seq: i64,
        expected: String,
        found: String,
    },
}

impl Mismatch {
    pub fn seq(&self) -> i64 {
        match self {
            Mismatch::Signature(
                CheckpointError::Malformed { seq, .. }
                | CheckpointError::OtherKey { seq, .. }
                | CheckpointError::BadSignature { seq },
            )
            | Mismatch::UntrustedKey { seq, .. }
            | Mismatch::BeyondJournal { seq, .. }
            | Mismatch::Rewritten { seq, .. }
            | Mismatch::OtherTime { seq, .. } => *seq,
        }
    }
}

/// Checks one checkpoint: signed by one of `trusted` (by key id), and the journal, whose verified
/// head is `head_seq`, holds `entry` = (hash, recorded_at) at its `seq` (`None`: no such entry).
pub fn check_against_journal(
    cp: &Checkpoint,
    trusted: &[PublicKey],
    head_seq: i64,
    entry: Option<(&str, &str)>,
) -> Result<(), Mismatch> {
    let Some(key) = trusted.iter().find(|k| k.key_id() == cp.key_id) else {
        return Err(Mismatch::UntrustedKey {
            seq: cp.seq,
            key_id: cp.key_id.clone(),
        });
    };
    cp.verify(key).map_err(Mismatch::Signature)?;
    let Some((hash, recorded_at)) = entry.filter(|_| cp.seq <= head_seq) else {
        return Err(Mismatch::BeyondJournal {
            seq: cp.seq,
            head: head_seq,
        });
    };
    if hash != cp.hash {
        return Err(Mismatch::Rewritten {
            seq: cp.seq,
            expected: cp.hash.clone(),
            found: hash.to_string(),
        });
    }
    if recorded_at != cp.recorded_at {
        return Err(Mismatch::OtherTime {
            seq: cp.seq,
            expected: cp.recorded_at.clone(),
            found: recorded_at.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails loudly")]
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn public(k: &SigningKey) -> PublicKey {
        PublicKey::new(k.verifying_key())
    }

    fn head() -> Head {
        Head {
            seq: 42,
            hash: "ab".repeat(32),
            recorded_at: "2026-01-01T00:00:00.000000+00:00".into(),
        }
    }

    const SIGNED_AT: &str = "2026-01-01T00:01:00.000000+00:00";

    #[test]
    fn signs_and_verifies() {
        let k = key(7);
        let cp = Checkpoint::sign(&head(), SIGNED_AT, &k).unwrap();
        assert_eq!(cp.key_id, public(&k).key_id());
        assert_eq!(cp.key_id.len(), 16);
        assert_eq!(cp.signature.len(), 128);
        assert!(cp.verify(&public(&k)).is_ok());
        // The message is the documented five lines, fixed for all time (format v1).
        assert_eq!(
            cp.message().unwrap(),
            format!(
                "tagtrail-checkpoint-v1\n42\n{}\n2026-01-01T00:00:00.000000+00:00\n{SIGNED_AT}\n",
                "ab".repeat(32)
            )
        );
    }

    #[test]
    fn any_changed_field_fails() {
        let k = key(7);
        let cp = Checkpoint::sign(&head(), SIGNED_AT, &k).unwrap();
        let mut changed = Vec::new();
        let mut c = cp.clone();
        c.seq = 41;
        changed.push(c);
        let mut c = cp.clone();
        c.hash = "cd".repeat(32);
        changed.push(c);
        let mut c = cp.clone();
        c.recorded_at = "2026-01-01T00:00:00.000001+00:00".into();
        changed.push(c);
        let mut c = cp.clone();
        c.signed_at = "2026-01-01T00:01:00.000001+00:00".into();
        changed.push(c);
        for c in changed {
            assert_eq!(
                c.verify(&public(&k)),
                Err(CheckpointError::BadSignature { seq: c.seq })
            );
        }
        let mut c = cp.clone();
        c.signature = "00".repeat(64);
        assert!(matches!(
            c.verify(&public(&k)),
            Err(CheckpointError::BadSignature { .. })
        ));
        let mut c = cp;
        c.signature = "zz".into();
        assert!(matches!(
            c.verify(&public(&k)),
            Err(CheckpointError::Malformed { .. })
        ));
    }

    #[test]
    fn another_key_fails() {
        let cp = Checkpoint::sign(&head(), SIGNED_AT, &key(7)).unwrap();
        assert!(matches!(
            cp.verify(&public(&key(8))),
            Err(CheckpointError::OtherKey { .. })
        ));
        // Claiming the other key's id does not help: the signature is still the first key's.
        let mut forged = cp;
        forged.key_id = public(&key(8)).key_id();
        assert_eq!(
            forged.verify(&public(&key(8))),
            Err(CheckpointError::BadSignature { seq: 42 })
        );
    }

    #[test]
    fn fields_that_could_shift_lines_are_refused() {
        let mut h = head();
        h.recorded_at = "2026-01-01\n2026-01-02".into();
        assert!(Checkpoint::sign(&h, SIGNED_AT, &key(1)).is_err());
        let mut h = head();
        h.hash = "AB".repeat(32);
        assert!(Checkpoint::sign(&h, SIGNED_AT, &key(1)).is_err());
        assert!(Checkpoint::sign(&head(), "", &key(1)).is_err());
    }

    #[test]
    fn public_keys_read_back() {
        let p = public(&key(3));
        assert_eq!(PublicKey::parse(&p.to_hex()).unwrap(), p);
        let file = format!("# tagtrail checkpoint public key\n{}\n", p.to_hex());
        assert_eq!(PublicKey::parse(&file).unwrap(), p);
        assert!(PublicKey::parse("abcd").is_err());
    }

    #[test]
    fn journal_checks_name_what_differs() {
        let k = key(5);
        let trusted = [public(&k)];
        let cp = Checkpoint::sign(&head(), SIGNED_AT, &k).unwrap();
        let h = head();
        let ok = Some((h.hash.as_str(), h.recorded_at.as_str()));
        assert_eq!(check_against_journal(&cp, &trusted, 42, ok), Ok(()));
        assert!(matches!(
            check_against_journal(&cp, &trusted, 41, None),
            Err(Mismatch::BeyondJournal { seq: 42, head: 41 })
        ));
        let other = "ef".repeat(32);
        let e = check_against_journal(&cp, &trusted, 50, Some((&other, &h.recorded_at)));
        assert!(matches!(e, Err(Mismatch::Rewritten { seq: 42, .. })));
        assert!(
            e.unwrap_err()
                .to_string()
                .contains("rewritten at or before entry 42")
        );
        assert!(matches!(
            check_against_journal(&cp, &[public(&key(6))], 42, ok),
            Err(Mismatch::UntrustedKey { .. })
        ));
    }

    #[test]
    fn file_round_trips() {
        let k = key(9);
        let f = CheckpointFile {
            format: FILE_FORMAT.into(),
            public_keys: vec![PublishedKey::from(&public(&k))],
            checkpoints: vec![Checkpoint::sign(&head(), SIGNED_AT, &k).unwrap()],
        };
        let text = serde_json::to_string(&f).unwrap();
        assert!(text.contains("\"PublicKeys\"") && text.contains("\"KeyId\""));
        assert_eq!(serde_json::from_str::<CheckpointFile>(&text).unwrap(), f);
    }
}
