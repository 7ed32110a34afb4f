//! Backups of the ledger as one portable, logical file, and restores from one.
//!
//! A backup is what cannot be derived from anything else: the journal (every column exactly as
//! stored), the certificate bytes its entries name (`document_blobs`), and the signed checkpoints
//! with their public keys. Projections and the touch index are a fold over the journal and are
//! rebuilt by a restore, never copied. Web sessions are left out on purpose: they are bearer
//! credentials, not records, and a restore that revived them would let a browser signed out since
//! the backup back in; after a restore everyone signs in again.
//!
//! The file is the same whichever backend wrote it, so a SQLite ledger restores into PostgreSQL
//! and back. It is gzip'd JSON lines:
//!
//! ```text
//! {"format":"tagtrail-backup","version":1,"tagtrail":"0.1.0","backend":"sqlite","created_at":…,
//!  "entries":115,"head":{"seq":115,"hash":…,"recorded_at":…},"documents":2,"checkpoint_keys":1,"checkpoints":3}
//! {"journal":{"seq":1,"recorded_at":…,"actor":"{…}","request":"{…}","changes":"[…]",…,"hash":…}}
//! …every entry in seq order…
//! {"document":{"sha256":…,"size":…,"content":"<base64>"}}
//! {"checkpoint_key":{"key_id":…,"public_key":…,"added_at":…}}
//! {"checkpoint":{"seq":…,"hash":…,"recorded_at":…,"signed_at":…,"key_id":…,"signature":…}}
//! ```
//!
//! The JSON columns of an entry travel as their stored text (strings), so an entry is restored
//! byte for byte, whatever release wrote it. Sections come in that order: the checkpoints refer
//! to journal entries and keys, which must exist first.
//!
//! A backup reads everything inside one read transaction (the snapshot `audit verify` uses), so
//! it is consistent while a server writes. A restore runs in one write transaction: it refuses a
//! database that holds anything, writes the entries, projects them, then runs the whole of
//! `audit verify` inside that transaction and commits only if it passes. A refused restore
//! rolls back and leaves the target as empty as it found it.

use crate::projection::tables;
use crate::read::{ENTRY_COLUMNS, StoredEntry};
use crate::verify::{snapshot, verify_on};
use crate::write::{touch, upsert_all};
use crate::{Result, Store, StoreError};
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};
use std::io::{BufRead, BufReader, Read, Write};
use tagtrail_domain::journal::{Entry, verify_link};

/// The `format` of a backup file's header.
pub const FORMAT: &str = "tagtrail-backup";
/// The newest version of the format this release writes and reads.
pub const VERSION: u32 = 1;

/// Journal entries read per statement: an entry of a bulk import carries thousands of
/// after-images, so a few at a time keeps memory flat (as `audit verify` does).
const ENTRY_BATCH: i64 = 20;
/// Certificates read per statement: each may be up to 5 MB.
const DOCUMENT_BATCH: i64 = 4;

/// The first line of a backup: what it holds, so that a restore can tell a complete file from a
/// truncated one and the restored chain from the one that was copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    /// The tagtrail release that wrote it.
    pub tagtrail: String,
    /// The backend it was taken from (`sqlite` or `postgres`); informative.
    pub backend: String,
    /// When the snapshot was taken (UTC, the ledger's timestamp format).
    pub created_at: String,
    pub entries: i64,
    /// The newest entry in the snapshot; none for an empty ledger.
    pub head: Option<Head>,
    pub documents: i64,
    pub checkpoint_keys: i64,
    pub checkpoints: i64,
}

/// A chain head: the newest entry's number, hash and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    sha256: String,
    size: i64,
    /// The bytes, base64 (standard alphabet, padded).
    content: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckpointKey {
    key_id: String,
    public_key: String,
    added_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckpointRow {
    seq: i64,
    hash: String,
    recorded_at: String,
    signed_at: String,
    key_id: String,
    signature: String,
}

/// One line after the header, named by its section.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Item {
    Journal(StoredEntry),
    Document(Document),
    CheckpointKey(CheckpointKey),
    Checkpoint(CheckpointRow),
}

impl Item {
    /// The section's place in the file.
    fn rank(&self) -> u8 {
        match self {
            Item::Journal(_) => 0,
            Item::Document(_) => 1,
            Item::CheckpointKey(_) => 2,
            Item::Checkpoint(_) => 3,
        }
    }
}

/// How far a restore has come, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Entries written and projected so far, of the header's count.
    Entries { done: i64, total: i64 },
    /// Everything is written; `audit verify` is running inside the transaction.
    Verifying,
}

/// What a restore did, or why it wrote nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreOutcome {
    /// Committed: the restored ledger verifies and its head is the file's.
    Restored {
        header: Header,
        /// Projection rows the audit compared with the rebuild.
        rows: i64,
    },
    /// Nothing was written: the target database already holds data (what, in words).
    TargetNotEmpty(String),
    /// Nothing was kept: the file is not a backup this release reads, is incomplete, or what it
    /// holds does not verify. `problem` names the first bad entry or line.
    Refused {
        /// Entries that had been checked and written before the problem (all rolled back).
        entries: i64,
        problem: String,
    },
}

fn write_line<W: Write>(out: &mut W, value: &impl Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

fn count(row: &sqlx::any::AnyRow) -> Result<i64> {
    Ok(row.try_get("n")?)
}

async fn count_rows(conn: &mut AnyConnection, table: &str) -> Result<i64> {
    count(
        &sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(&mut *conn)
            .await?,
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Store {
    /// Writes a backup of everything to `out` (gzip'd JSON lines, see the module doc), read
    /// from one snapshot, and returns its header. Servers may write meanwhile: they are not
    /// blocked, and their later entries are simply not in this backup.
    ///
    /// Refuses (writing an incomplete file the caller must discard) when the journal does not
    /// link or a certificate no longer matches its hash: such a copy would never restore, and an
    /// operator must hear of it now rather than on the day of the restore.
    ///
    /// `out` is written with blocking calls between the snapshot's reads: a backup is an
    /// operator's command with nothing else on its runtime, and the snapshot's rows are already
    /// in memory a batch at a time.
    pub async fn backup_to<W: Write>(&self, out: W) -> Result<Header> {
        let mut snap = snapshot(self).await?;
        let conn: &mut AnyConnection = &mut snap;
        let head =
            sqlx::query("SELECT seq, hash, recorded_at FROM journal ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| -> Result<Head> {
                    Ok(Head {
                        seq: r.try_get("seq")?,
                        hash: r.try_get("hash")?,
                        recorded_at: r.try_get("recorded_at")?,
                    })
                })
                .transpose()?;
        let header = Header {
            format: FORMAT.into(),
            version: VERSION,
            tagtrail: env!("CARGO_PKG_VERSION").into(),
            backend: match self.backend {
                crate::Backend::Sqlite => "sqlite".into(),
                crate::Backend::Postgres => "postgres".into(),
            },
            created_at: tagtrail_domain::time::format(crate::clock::system_now()),
            entries: count_rows(conn, "journal").await?,
            head,
            documents: count_rows(conn, "document_blobs").await?,
            checkpoint_keys: count_rows(conn, "checkpoint_keys").await?,
            checkpoints: count_rows(conn, "checkpoints").await?,
        };
        let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
        write_line(&mut gz, &header)?;

        let mut prev: Option<(i64, String)> = None;
        loop {
            let after = prev.as_ref().map_or(0, |(s, _)| *s);
            let rows = sqlx::query(&format!(
                "SELECT {ENTRY_COLUMNS} FROM journal WHERE seq > $1 ORDER BY seq LIMIT {ENTRY_BATCH}"
            ))
            .bind(after)
            .fetch_all(&mut *conn)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let stored = StoredEntry::from_row(row)?;
                let entry = stored.entry().map_err(|e| {
                    StoreError::Corrupt(format!(
                        "journal entry {} cannot be read: {e}; not backed up",
                        stored.seq
                    ))
                })?;
                verify_link(prev.as_ref().map(|(s, h)| (*s, h.as_str())), &entry).map_err(
                    |e| {
                        StoreError::Corrupt(format!(
                            "the hash chain is broken at {e}; not backed up (run `tagtrail audit verify`, and copy the database with its own tools for the investigation)"
                        ))
                    },
                )?;
                write_line(&mut gz, &Item::Journal(stored))?;
                prev = Some((entry.seq, entry.hash));
            }
        }

        let mut after = String::new();
        loop {
            let rows = sqlx::query(&format!(
                "SELECT sha256, size, content FROM document_blobs WHERE sha256 > $1 ORDER BY sha256 LIMIT {DOCUMENT_BATCH}"
            ))
            .bind(after.clone())
            .fetch_all(&mut *conn)
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let sha256: String = r.try_get("sha256")?;
                let content: Vec<u8> = r.try_get("content")?;
                if sha256_hex(&content) != sha256 {
                    return Err(StoreError::Corrupt(format!(
                        "document {sha256} no longer matches its hash; not backed up"
                    )));
                }
                write_line(
                    &mut gz,
                    &Item::Document(Document {
                        sha256: sha256.clone(),
                        size: r.try_get("size")?,
                        content: base64::engine::general_purpose::STANDARD.encode(&content),
                    }),
                )?;
                after = sha256;
            }
        }

        for r in sqlx::query(
            "SELECT key_id, public_key, added_at FROM checkpoint_keys ORDER BY added_at, key_id",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            write_line(
                &mut gz,
                &Item::CheckpointKey(CheckpointKey {
                    key_id: r.try_get("key_id")?,
                    public_key: r.try_get("public_key")?,
                    added_at: r.try_get("added_at")?,
                }),
            )?;
        }
        for r in sqlx::query(
            "SELECT seq, hash, recorded_at, signed_at, key_id, signature FROM checkpoints ORDER BY seq",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            write_line(
                &mut gz,
                &Item::Checkpoint(CheckpointRow {
                    seq: r.try_get("seq")?,
                    hash: r.try_get("hash")?,
                    recorded_at: r.try_get("recorded_at")?,
                    signed_at: r.try_get("signed_at")?,
                    key_id: r.try_get("key_id")?,
                    signature: r.try_get("signature")?,
                }),
            )?;
        }
        gz.finish()?.flush()?;
        snap.rollback().await?;
        Ok(header)
    }

    /// Restores the backup read from `input` into this store, which must hold nothing. Runs in
    /// one write transaction: the entries are checked link by link as they are written and
    /// projected, the certificates against their hashes, the checkpoints against the entries
    /// they sign, the counts and the head against the header; then the whole `audit verify`
    /// (rebuilding into a scratch SQLite file at `scratch`) runs inside the transaction. Only if
    /// everything holds does it commit; otherwise it rolls back and says why.
    ///
    /// `input` is read with blocking calls, like [`Store::backup_to`]'s writes: an operator's
    /// command with the database to itself for the duration.
    pub async fn restore_from<R: Read>(
        &self,
        input: R,
        scratch: &std::path::Path,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<RestoreOutcome> {
        let mut lines = BufReader::new(flate2::read::GzDecoder::new(input)).lines();
        let header: Header = match lines.next() {
            None => return refused(0, "the file is empty".into()),
            Some(Err(e)) => {
                return refused(0, format!("the file is not a tagtrail backup ({e})"));
            }
            Some(Ok(line)) => match serde_json::from_str(&line) {
                Ok(h) => h,
                Err(e) => {
                    return refused(0, format!("the file is not a tagtrail backup ({e})"));
                }
            },
        };
        if header.format != FORMAT {
            return refused(
                0,
                format!("the file's format is {:?}, not {FORMAT:?}", header.format),
            );
        }
        if header.version > VERSION {
            return refused(
                0,
                format!(
                    "the file is version {} of the backup format, written by tagtrail {}; this release reads up to version {VERSION}",
                    header.version, header.tagtrail
                ),
            );
        }

        // The write turn: no other writer on this database until the restore commits or rolls
        // back, so the emptiness checked here still holds at the commit.
        let mut tx = self.begin().await?;
        if tx.head_seq() > 0 {
            return Ok(RestoreOutcome::TargetNotEmpty(format!(
                "its journal holds {} entries",
                tx.head_seq()
            )));
        }
        let backend = tx.backend();
        let conn = tx.conn();
        let mut others: Vec<&str> = vec![
            "journal",
            "document_blobs",
            "checkpoint_keys",
            "checkpoints",
            "web_sessions",
        ];
        for t in tables() {
            others.extend(crate::projection::tiers(t));
            others.extend(crate::projection::tier(t).map(|h| h.keys));
        }
        for t in others {
            let n = count_rows(conn, t).await?;
            if n > 0 {
                return Ok(RestoreOutcome::TargetNotEmpty(format!(
                    "its table {t} holds {n} rows"
                )));
            }
        }

        let (mut entries, mut documents, mut keys, mut checkpoints) = (0i64, 0i64, 0i64, 0i64);
        let mut prev: Option<(i64, String)> = None;
        let mut rank = 0u8;
        progress(Progress::Entries {
            done: 0,
            total: header.entries,
        });
        for (n, line) in lines.enumerate() {
            // Line 1 is the header.
            let number = n + 2;
            let line = match line {
                Ok(l) => l,
                Err(e) => {
                    return refused(
                        entries,
                        format!("line {number}: the file cannot be read ({e}); is it complete?"),
                    );
                }
            };
            let item: Item = match serde_json::from_str(&line) {
                Ok(i) => i,
                Err(e) => return refused(entries, format!("line {number} cannot be read: {e}")),
            };
            if item.rank() < rank {
                return refused(entries, format!("line {number} is out of order"));
            }
            rank = item.rank();
            match item {
                Item::Journal(stored) => {
                    let entry: Entry = match stored.entry() {
                        Ok(e) => e,
                        Err(e) => {
                            return refused(
                                entries,
                                format!("journal entry {} cannot be read: {e}", stored.seq),
                            );
                        }
                    };
                    if let Err(e) =
                        verify_link(prev.as_ref().map(|(s, h)| (*s, h.as_str())), &entry)
                    {
                        return refused(entries, format!("hash chain broken at {e}"));
                    }
                    insert_entry(conn, &stored).await?;
                    if let Err(e) = upsert_all(conn, backend, &entry.body.changes).await {
                        return refused(
                            entries,
                            format!("journal entry {} cannot be projected: {e}", entry.seq),
                        );
                    }
                    touch(conn, &entry).await?;
                    crate::feed::record(conn, &entry).await?;
                    entries += 1;
                    prev = Some((entry.seq, entry.hash));
                    progress(Progress::Entries {
                        done: entries,
                        total: header.entries,
                    });
                }
                Item::Document(d) => {
                    let bytes = match base64::engine::general_purpose::STANDARD.decode(&d.content) {
                        Ok(b) => b,
                        Err(e) => {
                            return refused(
                                entries,
                                format!("document {} cannot be read: {e}", d.sha256),
                            );
                        }
                    };
                    if sha256_hex(&bytes) != d.sha256 || bytes.len() as i64 != d.size {
                        return refused(
                            entries,
                            format!("document {} does not match its hash or size", d.sha256),
                        );
                    }
                    sqlx::query(
                        "INSERT INTO document_blobs (sha256, size, content) VALUES ($1, $2, $3)",
                    )
                    .bind(d.sha256)
                    .bind(d.size)
                    .bind(bytes)
                    .execute(&mut *conn)
                    .await?;
                    documents += 1;
                }
                Item::CheckpointKey(k) => {
                    sqlx::query(
                        "INSERT INTO checkpoint_keys (key_id, public_key, added_at) VALUES ($1, $2, $3)",
                    )
                    .bind(k.key_id)
                    .bind(k.public_key)
                    .bind(k.added_at)
                    .execute(&mut *conn)
                    .await?;
                    keys += 1;
                }
                Item::Checkpoint(c) => {
                    // A checkpoint must sign an entry this chain holds, exactly as it holds it;
                    // its signature is for an inspector to check against a key kept elsewhere
                    // (`audit verify --checkpoints`), since the file's own keys prove nothing.
                    let held = sqlx::query("SELECT hash, recorded_at FROM journal WHERE seq = $1")
                        .bind(c.seq)
                        .fetch_optional(&mut *conn)
                        .await?;
                    let agrees = match &held {
                        Some(r) => {
                            r.try_get::<String, _>("hash")? == c.hash
                                && r.try_get::<String, _>("recorded_at")? == c.recorded_at
                        }
                        None => false,
                    };
                    if !agrees {
                        return refused(
                            entries,
                            format!(
                                "checkpoint {} signs hash {}, which is not the restored journal's entry {}",
                                c.seq, c.hash, c.seq
                            ),
                        );
                    }
                    sqlx::query(
                        "INSERT INTO checkpoints (seq, hash, recorded_at, signed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(c.seq)
                    .bind(c.hash)
                    .bind(c.recorded_at)
                    .bind(c.signed_at)
                    .bind(c.key_id)
                    .bind(c.signature)
                    .execute(&mut *conn)
                    .await?;
                    checkpoints += 1;
                }
            }
        }

        let found = (entries, documents, keys, checkpoints);
        let promised = (
            header.entries,
            header.documents,
            header.checkpoint_keys,
            header.checkpoints,
        );
        if found != promised {
            return refused(
                entries,
                format!(
                    "the file is incomplete: its header promises {} entries, {} documents, {} checkpoint keys and {} checkpoints; it holds {}, {}, {} and {}",
                    promised.0,
                    promised.1,
                    promised.2,
                    promised.3,
                    found.0,
                    found.1,
                    found.2,
                    found.3
                ),
            );
        }
        let restored_head = prev.as_ref().map(|(s, h)| (*s, h.as_str()));
        let promised_head = header.head.as_ref().map(|h| (h.seq, h.hash.as_str()));
        if restored_head != promised_head {
            return refused(
                entries,
                format!(
                    "the restored chain ends at {}, but the header says the backup's head is {}",
                    describe(restored_head),
                    describe(promised_head)
                ),
            );
        }

        progress(Progress::Verifying);
        let report = verify_on(conn, scratch).await?;
        if let Some(problem) = report.problem {
            return refused(report.entries, problem);
        }
        tx.commit().await?;
        Ok(RestoreOutcome::Restored {
            header,
            rows: report.rows,
        })
    }
}

fn refused(entries: i64, problem: String) -> Result<RestoreOutcome> {
    Ok(RestoreOutcome::Refused { entries, problem })
}

fn describe(head: Option<(i64, &str)>) -> String {
    match head {
        Some((seq, hash)) => format!("entry {seq} with hash {hash}"),
        None => "no entry (an empty ledger)".into(),
    }
}

/// Writes a journal row back exactly as it was stored (packed again as the ledger packs it).
async fn insert_entry(conn: &mut AnyConnection, e: &StoredEntry) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO journal ({ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    ))
    .bind(e.seq)
    .bind(e.recorded_at.clone())
    .bind(e.license_number.clone())
    .bind(e.employee_id)
    .bind(e.vendor_key_id)
    .bind(e.actor.clone())
    .bind(e.endpoint.clone())
    .bind(e.reason.clone())
    .bind(crate::packing::pack(&e.request)?.into_owned())
    .bind(e.result_ids.clone())
    .bind(crate::packing::pack(&e.changes)?.into_owned())
    .bind(e.prev_hash.clone())
    .bind(e.hash.clone())
    .bind(e.door.clone())
    .bind(e.action.clone())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The SQLite file a database URL names, if it names one (a restore that created it removes it
/// again when it refuses).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    match crate::open::classify(url) {
        Ok((crate::Backend::Sqlite, path)) => Some(path.into()),
        _ => None,
    }
}
