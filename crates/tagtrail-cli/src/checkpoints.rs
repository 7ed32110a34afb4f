//! Checkpoints from the command line: the signing key (`admin checkpoint-key`), signing beside
//! the server (`serve`/`demo --checkpoint-key`) or once (`admin checkpoint`), the export an
//! inspector keeps (`audit checkpoints`) and the offline proof (`audit verify --checkpoints`).
//! See docs/checkpoints.md.

use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tagtrail_app::Ledger;
use tagtrail_app::checkpoints::{KEY_FILE_HEADER, SigningKey};
use tagtrail_domain::checkpoint::{CheckpointFile, FILE_FORMAT, PublicKey};

/// The flags `serve` and `demo` share for signing checkpoints.
#[derive(Args, Clone)]
pub struct SignerArgs {
    /// Sign the journal head with this ed25519 key file at intervals and publish the signed
    /// checkpoints (GET /tagtrail/v1/checkpoints). Create one with `tagtrail admin checkpoint-key`.
    /// The key is read from the file only; it never enters the database or the logs. `demo`
    /// creates DATA_DIR/checkpoint.key when this is not given.
    #[arg(long, env = "TAGTRAIL_CHECKPOINT_KEY", value_name = "FILE")]
    pub checkpoint_key: Option<PathBuf>,
    /// Seconds between checkpoints. A checkpoint is signed only when the journal has grown since
    /// the last one, and once more at shutdown.
    #[arg(
        long,
        env = "TAGTRAIL_CHECKPOINT_EVERY",
        value_name = "SECONDS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub checkpoint_every: u64,
}

/// The background task that signs checkpoints while the server runs.
pub struct Signer {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

fn load_key(path: &Path) -> Result<SigningKey> {
    Ok(SigningKey::load(path)?)
}

/// For `serve`: a signer when a key is given, else none.
pub fn signer(ledger: &Ledger, args: &SignerArgs) -> Result<Option<Signer>> {
    let Some(path) = &args.checkpoint_key else {
        return Ok(None);
    };
    let key = load_key(path)?;
    println!(
        "  checkpoints: signed every {} s with key {} (public key {})",
        args.checkpoint_every,
        key.public_key().key_id(),
        key.public_key().to_hex()
    );
    Ok(Some(start(ledger, key, args.checkpoint_every)))
}

/// For `demo`: the given key, or DATA_DIR/checkpoint.key (created on first run, with its public
/// key in DATA_DIR/checkpoint.pub), so the demo shows checkpoints without any setup.
pub fn demo_signer(ledger: &Ledger, args: &SignerArgs, data_dir: &Path) -> Result<Signer> {
    if let Some(s) = signer(ledger, args)? {
        return Ok(s);
    }
    let path = data_dir.join("checkpoint.key");
    let key = if path.exists() {
        load_key(&path)?
    } else {
        SigningKey::create(&path)?
    };
    let public = path.with_extension("pub");
    key.write_public(&public)?;
    println!(
        "  checkpoints:  signed every {} s with {} (secret); public key {} (key id {})",
        args.checkpoint_every,
        path.display(),
        public.display(),
        key.public_key().key_id()
    );
    Ok(start(ledger, key, args.checkpoint_every))
}

fn start(ledger: &Ledger, key: SigningKey, every_seconds: u64) -> Signer {
    let ledger = ledger.clone();
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(every_seconds));
        // A slow round (the first checks the whole chain) delays the next, never bunches them.
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => sign_and_log(&ledger, &key).await,
                _ = &mut stopped => break,
            }
        }
        // What was written since the last round is signed before the process exits.
        sign_and_log(&ledger, &key).await;
    });
    Signer { stop, task }
}

impl Signer {
    /// Stops the interval and signs once more (after the server has drained its requests).
    pub async fn finish(self) {
        let _ = self.stop.send(());
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the checkpoint signer stopped abnormally");
        }
    }
}

/// For the two `serve`/`demo` arms: finishes a signer if there is one.
pub async fn finish(signer: Option<Signer>) {
    if let Some(s) = signer {
        s.finish().await;
    }
}

async fn sign_and_log(ledger: &Ledger, key: &SigningKey) {
    match ledger.checkpoint(key).await {
        Ok(Some(cp)) => tracing::info!(
            seq = cp.seq,
            hash = %cp.hash,
            key_id = %cp.key_id,
            "checkpoint signed"
        ),
        Ok(None) => tracing::debug!("no new journal entries to checkpoint"),
        // Never silently: a refusal here means the stored history no longer matches what was
        // signed, which an operator must hear about.
        Err(e) => tracing::error!(error = %e, "checkpoint not signed"),
    }
}

/// `admin checkpoint-key --out FILE`: a new key, its secret in FILE (0600) and its public key
/// in FILE with the extension `.pub`.
pub fn create_key(out: &Path) -> Result<()> {
    let key = SigningKey::create(out)?;
    let public = out.with_extension("pub");
    if public != out {
        key.write_public(&public)?;
    }
    println!(
        "checkpoint signing key written to {} (secret, mode 0600: keep it outside the database and its backups)",
        out.display()
    );
    println!("public key (publish it; inspectors verify with it):");
    println!("{}", key.public_key().to_hex());
    println!(
        "key id {}; public key also written to {}",
        key.public_key().key_id(),
        public.display()
    );
    Ok(())
}

/// `admin checkpoint --checkpoint-key FILE`: signs the head now (for a cron job where no server
/// runs, or before taking a copy).
pub async fn sign_now(ledger: &Ledger, key: &Path) -> Result<()> {
    let key = load_key(key)?;
    match ledger.checkpoint(&key).await? {
        Some(cp) => println!(
            "checkpoint signed: entry {} hash {} (key {})",
            cp.seq, cp.hash, cp.key_id
        ),
        None => println!("nothing to sign: the newest entry is already checkpointed"),
    }
    Ok(())
}

/// `audit checkpoints --out FILE`: every checkpoint and the keys, as the inspector keeps them.
pub async fn export(ledger: &Ledger, out: &Path) -> Result<()> {
    let file = ledger.checkpoint_file().await?;
    let text = serde_json::to_string_pretty(&file)?;
    std::fs::write(out, text + "\n").with_context(|| format!("writing {}", out.display()))?;
    match (file.checkpoints.first(), file.checkpoints.last()) {
        (Some(first), Some(last)) => println!(
            "{} checkpoints (entries {} to {}) and {} public key(s) written to {}",
            file.checkpoints.len(),
            first.seq,
            last.seq,
            file.public_keys.len(),
            out.display()
        ),
        _ => println!(
            "no checkpoints yet (run the server with --checkpoint-key, or `tagtrail admin checkpoint`); wrote an empty list to {}",
            out.display()
        ),
    }
    Ok(())
}

/// The key `--public-key` names: 64 hex digits, or a file holding them (a `.pub` file).
fn given_key(arg: &str) -> Result<PublicKey> {
    let path = Path::new(arg);
    let text = if path.is_file() {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        if text.contains(KEY_FILE_HEADER) {
            bail!(
                "{} is a secret signing key; pass its public key (the .pub file, or the hex)",
                path.display()
            );
        }
        text
    } else {
        arg.to_string()
    };
    PublicKey::parse(&text).map_err(|why| anyhow::anyhow!("--public-key {arg}: {why}"))
}

/// `audit verify --checkpoints FILE [--public-key HEX_OR_FILE]…`: the audit, then every
/// checkpoint of the file against the database. Exit code 0 when both hold, 2 when the audit
/// itself fails (as without checkpoints), 3 when a checkpoint does not hold.
pub async fn verify(ledger: &Ledger, file: &Path, public_keys: &[String]) -> Result<i32> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let cps: CheckpointFile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a checkpoints file", file.display()))?;
    if cps.format != FILE_FORMAT {
        bail!(
            "{} has format {:?}; this tagtrail reads {FILE_FORMAT:?}",
            file.display(),
            cps.format
        );
    }
    let trusted = if !public_keys.is_empty() {
        let mut keys = Vec::new();
        for arg in public_keys {
            let k = given_key(arg)?;
            println!(
                "trusting public key {} (key id {}), given with --public-key",
                k.to_hex(),
                k.key_id()
            );
            keys.push(k);
        }
        keys
    } else {
        let keys = cps
            .public_keys
            .iter()
            .map(|k| PublicKey::parse(&k.public_key))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|why| anyhow::anyhow!("{}: {why}", file.display()))?;
        let ids: Vec<String> = keys.iter().map(PublicKey::key_id).collect();
        println!(
            "trusting the public key(s) in {} (key id {}); confirm them with the operator, or pass --public-key",
            file.display(),
            if ids.is_empty() {
                "none".into()
            } else {
                ids.join(", ")
            }
        );
        keys
    };
    let scratch = std::env::temp_dir().join(format!("tagtrail-verify-{}.db", std::process::id()));
    let audit = ledger
        .verify_checkpoints(&scratch, &cps.checkpoints, &trusted)
        .await?;
    let report = &audit.chain;
    match &report.problem {
        None => println!(
            "ok: {} journal entries, hash chain intact; {} projection rows match the rebuild",
            report.entries, report.rows
        ),
        Some(p) => println!("FAILED after {} good entries: {p}", report.entries),
    }
    match (&audit.failure, audit.last_good) {
        (Some(m), last_good) => {
            let since = match last_good {
                Some(seq) => format!(
                    "; the {} checkpoint(s) before it hold, up to entry {seq}",
                    audit.checked
                ),
                None => "; it is the first checkpoint of the file".into(),
            };
            println!("CHECKPOINT FAILED: {m}{since}");
        }
        (None, Some(seq)) if report.ok() => println!(
            "ok: all {} checkpoints hold, up to entry {seq}: the journal holds exactly what was signed",
            audit.checked
        ),
        // The stored hashes are the signed ones but some entry no longer hashes to its own: the
        // content was edited without recomputing the chain. The audit line above names where.
        (None, Some(_)) => println!(
            "checkpoints: the stored hashes match all {} checkpoints, but entries no longer match their hashes (see FAILED above)",
            audit.checked
        ),
        (None, None) => println!(
            "CHECKPOINT FAILED: {} holds no checkpoints, so it proves nothing",
            file.display()
        ),
    }
    Ok(if !report.ok() {
        2
    } else if audit.ok() {
        0
    } else {
        3
    })
}
