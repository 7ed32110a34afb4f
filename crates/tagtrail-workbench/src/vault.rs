//! Secrets at rest and in memory (seed 003 §06: "encrypt keys at rest ... avoid logging
//! sensitive data").
//!
//! Metrc keys and TOTP secrets are sealed with AES-256-GCM under a key-encryption key (KEK) the
//! operator supplies in a file or the environment — never in the database, so a stolen database
//! (or backup) holds no usable key. Each sealed value is bound to where it belongs (company,
//! license, purpose) as associated data: a ciphertext copied into another row does not open.
//! In memory a key is a [`Secret`]: no `Display`, a `Debug` that shows only the last four
//! characters, zeroed when dropped.

use crate::{Result, WbError};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rand::RngCore;
use zeroize::Zeroizing;

const SEALED_PREFIX: &str = "v1:";

/// The environment variable that may hold the KEK (base64 of 32 bytes).
pub const KEK_ENV: &str = "TAGTRAIL_WORKBENCH_KEK";

pub struct Kek(Aes256Gcm);

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(…)")
    }
}

/// A key in memory. Shown only masked.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(s.into()))
    }

    /// The secret itself, for the one place that needs it (the Authorization header).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The last four characters, the only part a page or a log may show.
    pub fn last4(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    }

    pub fn masked(&self) -> String {
        format!("••••{}", self.last4())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({})", self.masked())
    }
}

impl Kek {
    /// Decodes a KEK from its text form: base64 (or hex) of exactly 32 bytes.
    pub fn from_text(text: &str) -> Result<Kek> {
        let t = text.trim();
        let bytes = Zeroizing::new(
            B64.decode(t)
                .ok()
                .filter(|b| b.len() == 32)
                .or_else(|| hex::decode(t).ok().filter(|b| b.len() == 32))
                .ok_or_else(|| {
                    WbError::Invalid(
                        "the key-encryption key must be 32 bytes, written as base64 or hex".into(),
                    )
                })?,
        );
        let cipher = Aes256Gcm::new_from_slice(&bytes)
            .map_err(|_| WbError::Invalid("bad key-encryption key".into()))?;
        Ok(Kek(cipher))
    }

    /// Reads the KEK from `file` if given, else from the environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<Kek> {
        match file {
            Some(p) => {
                let text = Zeroizing::new(std::fs::read_to_string(p).map_err(|e| {
                    WbError::Invalid(format!(
                        "reading the key-encryption key {}: {e}",
                        p.display()
                    ))
                })?);
                Kek::from_text(&text)
            }
            None => {
                let text = Zeroizing::new(std::env::var(KEK_ENV).map_err(|_| {
                    WbError::Invalid(format!(
                        "no key-encryption key: pass --kek-file or set {KEK_ENV} (base64 of 32 random bytes; `tagtrail workbench kek` makes one)"
                    ))
                })?);
                Kek::from_text(&text)
            }
        }
    }

    /// A new random KEK in its text form.
    pub fn generate() -> String {
        let mut k = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(k.as_mut());
        B64.encode(k.as_ref())
    }

    /// Seals `secret` for the place `bound_to` names.
    pub fn seal(&self, secret: &Secret, bound_to: &str) -> Result<String> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = self
            .0
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.expose().as_bytes(),
                    aad: bound_to.as_bytes(),
                },
            )
            .map_err(|_| WbError::Crypto)?;
        let mut out = nonce.to_vec();
        out.extend(ct);
        Ok(format!("{SEALED_PREFIX}{}", B64.encode(out)))
    }

    /// Opens a value sealed for `bound_to`; a wrong KEK, a tampered value or a value moved from
    /// another row all fail the same way.
    pub fn open(&self, sealed: &str, bound_to: &str) -> Result<Secret> {
        let raw = sealed
            .strip_prefix(SEALED_PREFIX)
            .and_then(|b| B64.decode(b).ok())
            .filter(|b| b.len() > 12)
            .ok_or(WbError::Crypto)?;
        let (nonce, ct) = raw.split_at(12);
        let pt = Zeroizing::new(
            self.0
                .decrypt(
                    Nonce::from_slice(nonce),
                    Payload {
                        msg: ct,
                        aad: bound_to.as_bytes(),
                    },
                )
                .map_err(|_| WbError::Crypto)?,
        );
        let s = std::str::from_utf8(&pt).map_err(|_| WbError::Crypto)?;
        Ok(Secret::new(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_where_they_were_sealed() {
        let kek = Kek::from_text(&Kek::generate()).unwrap();
        let key = Secret::new("user-key-0123456789abcd");
        let sealed = kek.seal(&key, "company 1 license 2 user").unwrap();
        assert!(!sealed.contains("0123456789"));
        assert_eq!(
            kek.open(&sealed, "company 1 license 2 user")
                .unwrap()
                .expose(),
            key.expose()
        );
        assert!(kek.open(&sealed, "company 1 license 3 user").is_err());
        let other = Kek::from_text(&Kek::generate()).unwrap();
        assert!(other.open(&sealed, "company 1 license 2 user").is_err());
    }

    #[test]
    fn secrets_never_print() {
        let key = Secret::new("vendor-key-SECRETVALUE-wxyz");
        let shown = format!("{key:?}");
        assert!(!shown.contains("SECRETVALUE"), "{shown}");
        assert!(shown.contains("wxyz"));
        assert_eq!(key.last4(), "wxyz");
    }

    #[test]
    fn a_kek_must_be_32_bytes() {
        assert!(Kek::from_text("c2hvcnQ=").is_err());
        assert!(Kek::from_text(&hex::encode([7u8; 32])).is_ok());
    }
}
