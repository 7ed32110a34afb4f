//! Backup and restore of the ledger: the operator's, like `audit verify`.
//!
//! A backup is one portable file (the format is the store's, `tagtrail_store::backup`): the
//! journal exactly as stored, the certificate bytes and the signed checkpoints, read from one
//! snapshot while the server keeps serving. A restore writes it into an empty database of either
//! backend, rebuilds the projections from the journal, and commits only if the restored ledger
//! passes `audit verify` and ends at the head the file names; otherwise nothing is kept.

use crate::{AppResult, Config, Ledger};
use std::path::{Path, PathBuf};
use tagtrail_store::StoreError;
pub use tagtrail_store::backup::{
    FORMAT, Head, Header, Progress, RestoreOutcome, VERSION, sqlite_file,
};

fn io(e: std::io::Error) -> StoreError {
    StoreError::Io(e)
}

/// `path` with `suffix` added to its file name (`x.db` → `x.db-wal`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

impl Ledger {
    /// Writes a backup of the whole ledger to `out` and returns its header.
    ///
    /// The file is written beside `out` under a temporary name, flushed to disk and only then
    /// renamed, so a backup interrupted by a crash or a full disk never sits under the name of
    /// a good one. An existing `out` is never overwritten: it may be the only good copy.
    pub async fn backup(&self, out: &Path) -> AppResult<Header> {
        if out.exists() {
            return Err(io(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!(
                    "{} exists; a backup never overwrites a file (it may be the only good copy)",
                    out.display()
                ),
            ))
            .into());
        }
        let dir = match out.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "backup".into());
        let partial = dir.join(format!(".{name}.{}.partial", std::process::id()));
        let written = async {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&partial)
                .map_err(io)?;
            let mut file = std::io::BufWriter::new(file);
            let header = self.store.backup_to(&mut file).await?;
            let file = file.into_inner().map_err(|e| io(e.into_error()))?;
            file.sync_all().map_err(io)?;
            AppResult::Ok(header)
        }
        .await;
        let header = match written {
            Ok(h) => h,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        if let Err(e) = std::fs::rename(&partial, out) {
            let _ = std::fs::remove_file(&partial);
            return Err(io(e).into());
        }
        // The rename itself is durable only once the directory is synced (POSIX); where a
        // directory cannot be opened as a file this is skipped, the data is on disk regardless.
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(header)
    }
}

/// Restores the backup file `from` into the database at `url`, which must hold nothing (a
/// SQLite file that does not exist yet is created). The restore rebuilds every projection into
/// a scratch SQLite file at `scratch` to verify it.
///
/// When it does not commit (the file does not verify, or the target is not empty), the target is
/// left as it was found: an existing empty database stays empty, and a SQLite file this call
/// created is removed again, so a second attempt starts from the same place.
pub async fn restore(
    url: &str,
    config: Config,
    from: &Path,
    scratch: &Path,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> AppResult<RestoreOutcome> {
    // Opened before the target is touched: a wrong path creates nothing.
    let file = std::fs::File::open(from).map_err(|e| {
        io(std::io::Error::new(
            e.kind(),
            format!("reading {}: {e}", from.display()),
        ))
    })?;
    let created = tagtrail_store::backup::sqlite_file(url).filter(|p| !p.exists());
    let outcome = async {
        let ledger = Ledger::open(url, config).await?;
        let outcome = ledger.store.restore_from(file, scratch, progress).await;
        ledger.close().await;
        Ok(outcome?)
    }
    .await;
    if !matches!(outcome, Ok(RestoreOutcome::Restored { .. }))
        && let Some(path) = created
    {
        for p in [
            path.clone(),
            with_suffix(&path, "-wal"),
            with_suffix(&path, "-shm"),
        ] {
            let _ = std::fs::remove_file(p);
        }
    }
    outcome
}
