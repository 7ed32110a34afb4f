//! `tagtrail backup` and `tagtrail restore`: the ledger to one portable file while it serves, and
//! that file into a new, empty database of either backend, kept only if it verifies. See the
//! README's "Backup, restore and incidents" and `tagtrail_store::backup` for the format.

use anyhow::{Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::time::Duration;
use tagtrail_app::Config;
use tagtrail_app::backup::{self, Header, Progress, RestoreOutcome};

/// Exit code of a restore refused because the file does not verify (as `audit verify` fails).
const REFUSED: i32 = 2;

fn head_words(h: &Header) -> String {
    match &h.head {
        Some(head) => format!("head entry {} hash {}", head.seq, head.hash),
        None => "no entries".into(),
    }
}

/// `tagtrail backup --database-url URL --out FILE`.
pub async fn backup(url: &str, out: &Path) -> Result<i32> {
    // Opening a SQLite path creates the file: a mistyped path in a nightly job would otherwise
    // back up a new, empty ledger every night without a word.
    if let Some(path) = backup::sqlite_file(url)
        && !path.exists()
    {
        bail!(
            "there is no database at {}: check --database-url (a backup never creates one)",
            path.display()
        );
    }
    let ledger = crate::open(url, Config::default()).await?;
    let started = std::time::Instant::now();
    let header = ledger.backup(out).await?;
    ledger.close().await;
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or_default();
    println!(
        "backup of {} written to {} ({} bytes, {:.1} s): {} journal entries, {}; {} certificates, {} checkpoints",
        crate::redact(url),
        out.display(),
        size,
        started.elapsed().as_secs_f64(),
        header.entries,
        head_words(&header),
        header.documents,
        header.checkpoints
    );
    if header.entries == 0 {
        println!("warning: the ledger is empty; this backup holds no entries");
    }
    Ok(0)
}

/// `tagtrail restore --from FILE --database-url URL`.
pub async fn restore(from: &Path, url: &str) -> Result<i32> {
    let scratch = std::env::temp_dir().join(format!("tagtrail-restore-{}.db", std::process::id()));
    // Drawn on standard error, and only when it is a terminal (indicatif hides it otherwise),
    // so scripts and logs get the summary lines alone.
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} entries ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("restoring");
    let mut show = |p: Progress| match p {
        Progress::Entries { done, total } => {
            bar.set_length(u64::try_from(total).unwrap_or_default());
            bar.set_position(u64::try_from(done).unwrap_or_default());
        }
        Progress::Verifying => {
            bar.set_style(ProgressStyle::default_spinner());
            bar.set_message("verifying the restored ledger (audit verify)");
            bar.enable_steady_tick(Duration::from_millis(200));
        }
    };
    let started = std::time::Instant::now();
    let outcome = backup::restore(url, Config::default(), from, &scratch, &mut show).await;
    bar.finish_and_clear();
    let target = crate::redact(url);
    match outcome? {
        RestoreOutcome::Restored { header, rows } => {
            println!(
                "restored {} into {target} in {:.1} s: {} journal entries, {} certificates, {} checkpoints (backup taken {} from {})",
                from.display(),
                started.elapsed().as_secs_f64(),
                header.entries,
                header.documents,
                header.checkpoints,
                header.created_at,
                header.backend
            );
            println!(
                "ok: {}, as the backup names it; hash chain intact; {rows} projection rows match the rebuild",
                head_words(&header)
            );
            println!(
                "web sessions are not restored: everyone signs in again. Entries written after the backup was taken are not in it."
            );
            Ok(0)
        }
        RestoreOutcome::TargetNotEmpty(what) => bail!(
            "refusing to restore into {target}: {what}. Restore into a new, empty database (move the old one aside first)"
        ),
        RestoreOutcome::Refused { entries, problem } => {
            println!("REFUSED after {entries} good entries: {problem}");
            println!(
                "nothing was kept: {target} holds no ledger data (the restore rolled back, and removed a SQLite file it had created)"
            );
            Ok(REFUSED)
        }
    }
}
