//! Checkpoints anchored outside the database: the signing key (a file the operator keeps, never
//! stored in the database or logged), signing the journal head, publishing the checkpoints, and
//! the inspector's offline proof that a copy of the database still holds what was signed.
//!
//! See `docs/checkpoints.md` for the operator's and the inspector's view.

use crate::audit::VerifyReport;
use crate::{AppResult, Ledger};
use chrono::Utc;
use std::path::{Path, PathBuf};
use tagtrail_domain::checkpoint::{
    Checkpoint, CheckpointFile, FILE_FORMAT, Head, Mismatch, PublicKey, PublishedKey,
    check_against_journal, hex_32,
};
use tagtrail_domain::journal::verify_link;
use tagtrail_domain::time;
use tagtrail_store::{Page, StoreError};

/// The first line of a key file. Also how a secret key file is recognised when someone passes
/// it where a public key belongs.
pub const KEY_FILE_HEADER: &str = "# tagtrail checkpoint signing key (ed25519)";

/// Entries read per query while checking that the journal still extends the last checkpoint.
const LINK_BATCH: u32 = 50;

/// The ledger's checkpoint signing key. It is read from a file and kept in memory only; its
/// `Debug` shows the key id, never the secret.
pub struct SigningKey {
    key: ed25519_dalek::SigningKey,
    public: PublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public.key_id())
    }
}

/// Why a key file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} already exists; a signing key is never overwritten")]
    Exists { path: PathBuf },
    #[error("{path} is not a tagtrail checkpoint key: {why}")]
    Invalid { path: PathBuf, why: String },
}

impl SigningKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> SigningKey {
        use rand::RngCore;
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        SigningKey::from_seed(&seed)
    }

    fn from_seed(seed: &[u8; 32]) -> SigningKey {
        let key = ed25519_dalek::SigningKey::from_bytes(seed);
        let public = PublicKey::new(key.verifying_key());
        SigningKey { key, public }
    }

    /// Reads a key file: comment lines (`#`) and the 32-byte secret seed as 64 hex digits.
    pub fn load(path: &Path) -> Result<SigningKey, KeyFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyFileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        warn_if_shared(path);
        // The parser's own message may quote a character of the file; of a secret, say less.
        let seed = hex_32(&text).map_err(|_| KeyFileError::Invalid {
            path: path.to_path_buf(),
            why: "expected comment lines and one line of 64 hex digits".into(),
        })?;
        Ok(SigningKey::from_seed(&seed))
    }

    /// Writes a new random key to `path`, readable by its owner only (0600), refusing to
    /// replace an existing file: overwriting a key loses the ability to sign for it, and
    /// checkpoints already published would then name a key nobody holds.
    pub fn create(path: &Path) -> Result<SigningKey, KeyFileError> {
        let key = SigningKey::generate();
        let io = |source| KeyFileError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                KeyFileError::Exists {
                    path: path.to_path_buf(),
                }
            } else {
                io(e)
            }
        })?;
        let text = format!(
            "{KEY_FILE_HEADER}. Secret: keep it outside the database and its backups.\n# public key {}\n# key id {}\n{}\n",
            key.public.to_hex(),
            key.public.key_id(),
            hex::encode(key.key.to_bytes()),
        );
        use std::io::Write;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(io)?;
        Ok(key)
    }

    /// Writes the public key to `path` (any existing file is replaced: it holds nothing secret).
    pub fn write_public(&self, path: &Path) -> Result<(), KeyFileError> {
        let text = format!(
            "# tagtrail checkpoint public key (ed25519), key id {}\n{}\n",
            self.public.key_id(),
            self.public.to_hex()
        );
        std::fs::write(path, text).map_err(|source| KeyFileError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }
}

/// A key file others can read is not secret any more; say so, but still start: some secret
/// stores (Kubernetes volumes among them) mount files 0644 by default.
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                path = %path.display(),
                mode = format!("{:o}", meta.permissions().mode() & 0o777),
                "the checkpoint signing key can be read by other users; chmod 600 it"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The result of checking a database against a checkpoints file.
#[derive(Debug, Clone)]
pub struct CheckpointAudit {
    /// `audit verify`'s own result: the chain and the projections.
    pub chain: VerifyReport,
    /// How many checkpoints held before the first failure (or in all).
    pub checked: usize,
    /// The highest `seq` among those that held.
    pub last_good: Option<i64>,
    /// The first checkpoint (by `seq`) the database does not hold, and why.
    pub failure: Option<Mismatch>,
}

impl CheckpointAudit {
    /// The chain verifies, at least one checkpoint was checked, and every one held.
    pub fn ok(&self) -> bool {
        self.chain.ok() && self.failure.is_none() && self.checked > 0
    }
}

fn corrupt(why: String) -> crate::AppError {
    StoreError::Corrupt(why).into()
}

impl Ledger {
    /// Signs the journal head with `key` when it is newer than the latest checkpoint, and
    /// publishes the checkpoint; `None` when there is nothing new to sign (or another signer
    /// signed the same head first).
    ///
    /// Before signing it checks that the journal still extends the latest checkpoint (that
    /// checkpoint's signature, then every link from it to the head), so a rewritten history is
    /// refused here rather than blessed with a fresh signature.
    pub async fn checkpoint(&self, key: &SigningKey) -> AppResult<Option<Checkpoint>> {
        let Some(head) = self.store.head().await? else {
            return Ok(None);
        };
        let latest = self.store.checkpoint_latest().await?;
        if latest.as_ref().is_some_and(|cp| cp.seq >= head.seq) {
            return Ok(None);
        }
        if let Some(cp) = &latest {
            self.check_stored(cp, key).await?;
        }
        self.check_links(
            latest.as_ref().map(|cp| (cp.seq, cp.hash.clone())),
            head.seq,
        )
        .await?;
        let signed_at = time::format(Utc::now());
        let cp = Checkpoint::sign(
            &Head {
                seq: head.seq,
                hash: head.hash,
                recorded_at: head.body.recorded_at,
            },
            &signed_at,
            &key.key,
        )
        .map_err(|e| corrupt(e.to_string()))?;
        self.store
            .checkpoint_key_put(&key.public.key_id(), &key.public.to_hex(), &signed_at)
            .await?;
        Ok(self.store.checkpoint_append(&cp).await?.then_some(cp))
    }

    /// The stored checkpoint a new one will follow must verify: under `key` if it signed it,
    /// else under the key recorded for its id (a key used before this one).
    async fn check_stored(&self, cp: &Checkpoint, key: &SigningKey) -> AppResult<()> {
        let public = if cp.key_id == key.public.key_id() {
            key.public
        } else {
            let keys = self.store.checkpoint_keys().await?;
            let Some((_, hex)) = keys.iter().find(|(id, _)| *id == cp.key_id) else {
                return Err(corrupt(format!(
                    "checkpoint {} names key {}, which is not recorded; refusing to sign after it",
                    cp.seq, cp.key_id
                )));
            };
            PublicKey::parse(hex)
                .map_err(|why| corrupt(format!("recorded checkpoint key {}: {why}", cp.key_id)))?
        };
        cp.verify(&public).map_err(|e| {
            corrupt(format!(
                "{e}; the stored checkpoints were altered, refusing to sign after them"
            ))
        })
    }

    /// Every entry after `from` (a checkpoint's seq and hash; `None`: the genesis) up to `to`
    /// links onto the one before it and hashes to its stored hash.
    async fn check_links(&self, from: Option<(i64, String)>, to: i64) -> AppResult<()> {
        let mut prev = from;
        let mut after = prev.as_ref().map_or(0, |(s, _)| *s);
        while after < to {
            let entries = self.store.journal_after(after, LINK_BATCH).await?;
            if entries.is_empty() {
                return Err(corrupt(format!(
                    "the journal ends at entry {after} but its head was entry {to}"
                )));
            }
            for e in entries.into_iter().take_while(|e| e.seq <= to) {
                verify_link(prev.as_ref().map(|(s, h)| (*s, h.as_str())), &e).map_err(|err| {
                    corrupt(format!(
                        "the journal no longer extends the last checkpoint ({err}); refusing to sign. Run `tagtrail audit verify --checkpoints`"
                    ))
                })?;
                after = e.seq;
                prev = Some((e.seq, e.hash));
            }
        }
        Ok(())
    }

    /// Published checkpoints by `seq`, newest first or oldest first, paged or all.
    pub async fn checkpoints(
        &self,
        page: Option<(u32, u32)>,
        newest_first: bool,
    ) -> AppResult<Page<Checkpoint>> {
        Ok(self.store.checkpoints(page, newest_first).await?)
    }

    /// The public keys that signed checkpoints, oldest first, as recorded.
    pub async fn checkpoint_keys(&self) -> AppResult<Vec<PublishedKey>> {
        Ok(self
            .store
            .checkpoint_keys()
            .await?
            .into_iter()
            .map(|(key_id, public_key)| PublishedKey {
                key_id,
                public_key,
                algorithm: tagtrail_domain::checkpoint::ALGORITHM.to_string(),
            })
            .collect())
    }

    /// The export an inspector keeps: every checkpoint, oldest first, and the keys.
    pub async fn checkpoint_file(&self) -> AppResult<CheckpointFile> {
        Ok(CheckpointFile {
            format: FILE_FORMAT.to_string(),
            public_keys: self.checkpoint_keys().await?,
            checkpoints: self.checkpoints(None, false).await?.rows,
        })
    }

    /// Runs `audit verify` (rebuilding into `scratch`), then checks every checkpoint of
    /// `checkpoints` in `seq` order: signed by one of `trusted`, and the journal holds exactly
    /// the signed hash (and time) at its `seq`. Stops at the first that fails.
    pub async fn verify_checkpoints(
        &self,
        scratch: &Path,
        checkpoints: &[Checkpoint],
        trusted: &[PublicKey],
    ) -> AppResult<CheckpointAudit> {
        let chain = self.verify(scratch).await?;
        // With a sound chain, entries beyond the verified snapshot's head are not part of what
        // was proved; with a broken one, every stored entry is compared as it stands.
        let head_seq = match (&chain.head, chain.ok()) {
            (Some((seq, _)), true) => *seq,
            (None, true) => 0,
            (_, false) => i64::MAX,
        };
        let mut sorted: Vec<&Checkpoint> = checkpoints.iter().collect();
        sorted.sort_by_key(|cp| cp.seq);
        let seqs: Vec<i64> = sorted.iter().map(|cp| cp.seq).collect();
        let stored: std::collections::HashMap<i64, (String, String)> = self
            .store
            .journal_hashes_at(&seqs)
            .await?
            .into_iter()
            .map(|(seq, hash, at)| (seq, (hash, at)))
            .collect();
        let mut audit = CheckpointAudit {
            chain,
            checked: 0,
            last_good: None,
            failure: None,
        };
        for cp in sorted {
            let entry = stored.get(&cp.seq).map(|(h, at)| (h.as_str(), at.as_str()));
            if let Err(m) = check_against_journal(cp, trusted, head_seq, entry) {
                audit.failure = Some(m);
                break;
            }
            audit.checked += 1;
            audit.last_good = Some(cp.seq);
        }
        Ok(audit)
    }
}
