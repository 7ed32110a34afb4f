//! The Data Import page's uploads (rule 73; bulletin V–VII): a CSV file is read against its
//! type's columns (`tagtrail_domain::commands::imports`), validated by running every row through
//! the same action the API runs for it, previewed, and applied all or nothing.
//!
//! **Rows run in groups of the API's object limit** (`Config::max_objects`, 10), each group one
//! `load` + `decide` of the action, exactly an API call of those rows: a row is valid in a file
//! exactly when it would be valid in a request. Validating is that run inside a write
//! transaction that is rolled back (so later groups see earlier groups' effects: a source
//! package drawn down, a batch name taken), and applying is the same run, committed.
//!
//! **One journal entry per group, all in one transaction.** An entry is an ordinary-sized
//! request (at most 10 rows, their file lines named in the door), so the journal, its pages and
//! `/tagtrail/v1/journal` never meet an entry of 50,000 rows and 100,000 after-images; one
//! transaction still makes the import all or nothing (a refused group, a failed write or a crash
//! leaves nothing). The entries share one time, the transaction's. The cost: the write turn is
//! held for the whole file (seconds for 50,000 rows), during which other writes wait.
//!
//! Files run in the background (a tokio task); the stored row says where an upload stands, and
//! while a run holds the write turn its row-by-row progress is kept in this process's memory
//! ([`RUNNING`]), because on SQLite the row cannot be written beside the open transaction.

use crate::action::{Action, Context};
use crate::actions::additives::{ApplyByLocation, ApplyToBatches, ApplyToPlants};
use crate::actions::plants::CreatePlantings;
use crate::actions::sales::RecordReceipts;
use crate::door::Door;
use crate::identity::Scope;
use crate::{AppError, AppResult, Definition, Ledger};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::Ctx;
use tagtrail_domain::commands::imports::PlantAdditiveRow;
use tagtrail_domain::commands::imports::{self, Change, ImportKind, LineError, Requests};
use tagtrail_domain::journal::Draft;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::time;
use tagtrail_store::{ImportRow, ImportState, NewImport, WriteTx};

mod sales;

/// The most uploads a license's grid lists.
pub const GRID_ROWS: i64 = 200;

/// The longest file name kept (the rest is cut).
const MAX_FILE_NAME: usize = 200;

/// Progress of runs in this process: (done, total) by run key.
static RUNNING: LazyLock<Mutex<HashMap<String, (usize, usize)>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn run_key(row: &ImportRow) -> String {
    format!("{}:{}:{}", row.id, row.created_at, row.sha256)
}

fn progress_of(key: &str) -> Option<(usize, usize)> {
    RUNNING
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(key)
        .copied()
}

fn set_progress(key: &str, p: Option<(usize, usize)>) {
    let mut map = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
    match p {
        Some(p) => map.insert(key.to_string(), p),
        None => map.remove(key),
    };
}

/// Where an upload stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportStatus {
    Validating { done: usize, total: usize },
    Failed { errors: usize },
    Ready,
    Applying { done: usize, total: usize },
    Applied { first: i64, last: i64 },
}

impl ImportStatus {
    /// The status in words, as the grid shows it ("Applying 4,000 of 50,000").
    pub fn words(&self) -> String {
        match self {
            ImportStatus::Validating { done, total } if *done > 0 => {
                format!("Validating {} of {}", thousands(*done), thousands(*total))
            }
            ImportStatus::Validating { .. } => "Validating".into(),
            ImportStatus::Failed { errors: 1 } => "Failed: 1 error".into(),
            ImportStatus::Failed { errors } => format!("Failed: {} errors", thousands(*errors)),
            ImportStatus::Ready => "Ready to apply".into(),
            ImportStatus::Applying { done, total } => {
                format!("Applying {} of {}", thousands(*done), thousands(*total))
            }
            ImportStatus::Applied { .. } => "Applied".into(),
        }
    }

    /// The stored name (`validating`, `failed`, `ready`, `applying`, `applied`).
    pub fn name(&self) -> &'static str {
        match self {
            ImportStatus::Validating { .. } => "validating",
            ImportStatus::Failed { .. } => "failed",
            ImportStatus::Ready => "ready",
            ImportStatus::Applying { .. } => "applying",
            ImportStatus::Applied { .. } => "applied",
        }
    }

    pub fn running(&self) -> bool {
        matches!(
            self,
            ImportStatus::Validating { .. } | ImportStatus::Applying { .. }
        )
    }
}

/// 50000 → "50,000".
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An upload as the grid and its page show it.
#[derive(Debug, Clone)]
pub struct Import {
    pub id: i64,
    pub license_number: String,
    pub kind: ImportKind,
    pub file_name: String,
    pub sha256: String,
    pub rows: usize,
    pub status: ImportStatus,
    /// The first problems, each with its line.
    pub errors: Vec<LineError>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
}

/// What applying an upload will change: totals and a page of its rows.
#[derive(Debug, Clone)]
pub struct Preview {
    pub rows: usize,
    pub totals: Vec<String>,
    pub changes: Vec<Change>,
}

fn view(row: ImportRow) -> AppResult<Import> {
    let kind = ImportKind::parse(&row.kind)
        .ok_or_else(|| AppError::NotFound(format!("Import {} has an unknown type.", row.id)))?;
    let live = progress_of(&run_key(&row));
    let total = usize::try_from(row.row_count).unwrap_or(0);
    let stored = usize::try_from(row.progress).unwrap_or(0);
    let (done, total) = live.unwrap_or((stored, total));
    let errors: Vec<LineError> = row
        .errors
        .as_deref()
        .and_then(|e| serde_json::from_str(e).ok())
        .unwrap_or_default();
    let status = match (row.status.as_str(), row.journal) {
        ("validating", _) => ImportStatus::Validating { done, total },
        ("applying", _) => ImportStatus::Applying { done, total },
        ("ready", _) => ImportStatus::Ready,
        ("applied", Some((first, last))) => ImportStatus::Applied { first, last },
        _ => ImportStatus::Failed {
            errors: usize::try_from(row.error_count).unwrap_or(0),
        },
    };
    Ok(Import {
        id: row.id,
        license_number: row.license_number,
        kind,
        file_name: row.file_name,
        sha256: row.sha256,
        rows: total,
        status,
        errors,
        created_by: row.created_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The action each kind's rows are requests of: who may upload, read and apply them. (A Plant
/// Additives row by location runs `ApplyByLocation`, which has the same permissions and
/// capability as `ApplyToPlants`.)
pub fn definition(kind: ImportKind) -> &'static Definition {
    match kind {
        ImportKind::Plantings => &CreatePlantings::DEF,
        ImportKind::PlantAdditives => &ApplyToPlants::DEF,
        ImportKind::ImmaturePlantAdditives => &ApplyToBatches::DEF,
        ImportKind::SalesReceipts => &RecordReceipts::DEF,
    }
}

/// Whoever holds one of these may open the Data Import page: every import type's permissions
/// (a test holds this list to [`definition`]).
pub const PAGE_PERMISSIONS: &[Permission] = &[
    Permission::ManagePlantsAdditives,
    Permission::ManageImmaturePlantsInventory,
    Permission::ManageSales,
];

fn errors_json(errors: &[LineError]) -> String {
    let first = &errors[..errors.len().min(imports::MAX_ERRORS)];
    serde_json::to_string(first).unwrap_or_else(|_| "[]".into())
}

/// What a run does at its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Roll back: a preview.
    Validate,
    /// Commit, and mark the upload applied in the same transaction.
    Apply,
}

impl Ledger {
    /// Stores an uploaded file of `kind` and starts validating it in the background; its id.
    /// A file whose shape is wrong (header, formats) is stored as failed at once.
    pub async fn import_upload(
        &self,
        scope: &Scope,
        kind: ImportKind,
        file_name: &str,
        bytes: &[u8],
    ) -> AppResult<i64> {
        scope.allows(definition(kind))?;
        if bytes.len() > imports::MAX_FILE_BYTES {
            return Err(Rejection::Invalid(format!(
                "The file is larger than {} MB; split it.",
                imports::MAX_FILE_BYTES / 1024 / 1024
            ))
            .into());
        }
        let name: String = file_name
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_FILE_NAME)
            .collect();
        let name = if name.is_empty() {
            "upload.csv".to_string()
        } else {
            name
        };
        let sha = hex::encode(Sha256::digest(bytes));
        let now = time::format(self.store.now());
        let parsed = imports::read(kind, bytes);
        let by = scope.acting().name();
        let id = self
            .store
            .import_insert(&NewImport {
                license_number: scope.license(),
                kind: kind.slug(),
                file_name: &name,
                sha256: &sha,
                content: bytes,
                row_count: parsed.as_ref().map_or(0, |r| r.len() as i64),
                created_by: by.chars().take(250).collect::<String>().as_str(),
                created_at: &now,
            })
            .await?;
        match parsed {
            Err(errors) => {
                self.import_failed(id, &["validating"], 0, &errors).await?;
            }
            Ok(requests) => {
                let ledger = self.clone();
                let scope = scope.clone();
                let row = self.import_row(id).await?;
                tokio::spawn(async move {
                    ledger
                        .background(&scope, &row, requests, Mode::Validate)
                        .await;
                });
            }
        }
        Ok(id)
    }

    /// Starts applying a validated upload in the background. Refused unless it is ready.
    pub async fn import_apply(&self, scope: &Scope, id: i64) -> AppResult<Import> {
        let imp = self.import(scope, id).await?;
        scope.allows(definition(imp.kind))?;
        if imp.status != ImportStatus::Ready {
            return Err(Rejection::Conflict(format!(
                "Import {id} is {}; only an import that is ready to apply can be applied.",
                imp.status.words().to_lowercase()
            ))
            .into());
        }
        let row = self.import_row(id).await?;
        let content = self
            .store
            .import_content(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Import {id} does not exist.")))?;
        let requests = imports::read(imp.kind, &content)
            .map_err(|_| Rejection::Conflict(format!("Import {id} can no longer be read.")))?;
        let now = time::format(self.store.now());
        let state = ImportState {
            status: "applying",
            row_count: row.row_count,
            error_count: 0,
            errors: None,
            progress: 0,
            at: &now,
        };
        if !self.import_set(id, &["ready"], &state).await? {
            return Err(
                Rejection::Conflict(format!("Import {id} is already being applied.")).into(),
            );
        }
        let ledger = self.clone();
        let task_scope = scope.clone();
        tokio::spawn(async move {
            ledger
                .background(&task_scope, &row, requests, Mode::Apply)
                .await;
        });
        self.import(scope, id).await
    }

    /// An upload of the scope's license; the caller must hold its action's permissions.
    pub async fn import(&self, scope: &Scope, id: i64) -> AppResult<Import> {
        let row = self.import_row(id).await?;
        if !row.license_number.eq_ignore_ascii_case(scope.license()) {
            return Err(AppError::NotFound(format!("Import {id} does not exist.")));
        }
        let imp = view(row)?;
        scope.require(allowed(definition(imp.kind)))?;
        Ok(imp)
    }

    /// The license's uploads of the kinds the scope may read, newest first.
    pub async fn imports(&self, scope: &Scope) -> AppResult<Vec<Import>> {
        let rows = self.store.imports_of(scope.license(), GRID_ROWS).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| view(r).ok())
            .filter(|i| scope.holds_any(allowed(definition(i.kind))))
            .collect())
    }

    /// What applying the upload will change: its totals and rows `offset..offset + limit`.
    pub async fn import_preview(
        &self,
        scope: &Scope,
        id: i64,
        offset: usize,
        limit: usize,
    ) -> AppResult<Preview> {
        let imp = self.import(scope, id).await?;
        let content = self.store.import_content(id).await?.unwrap_or_default();
        let requests = imports::read(imp.kind, &content).map_err(|e| {
            Rejection::Conflict(format!(
                "Import {id} cannot be previewed: {}",
                e.first().map(LineError::text).unwrap_or_default()
            ))
        })?;
        Ok(Preview {
            rows: requests.len(),
            totals: requests.totals(),
            changes: requests.changes(offset, limit),
        })
    }

    /// Waits up to `max` for the upload's run to end; the upload as it then stands.
    pub async fn import_wait(&self, scope: &Scope, id: i64, max: Duration) -> AppResult<Import> {
        let until = std::time::Instant::now() + max;
        loop {
            let imp = self.import(scope, id).await?;
            if !imp.status.running() || std::time::Instant::now() >= until {
                return Ok(imp);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Uploads a file and, once every row passed, applies it: the Data Import page's two steps
    /// as one call, for doors that act without a person watching (the demo seeder). Each step
    /// waits up to `max`. The upload as it ends: `Applied`, or `Failed` with its line errors (a
    /// failed file is kept, and nothing of it applied).
    pub async fn import_and_apply(
        &self,
        scope: &Scope,
        kind: ImportKind,
        file_name: &str,
        bytes: &[u8],
        max: Duration,
    ) -> AppResult<Import> {
        let id = self.import_upload(scope, kind, file_name, bytes).await?;
        let checked = self.import_wait(scope, id, max).await?;
        if checked.status != ImportStatus::Ready {
            return Ok(checked);
        }
        self.import_apply(scope, id).await?;
        self.import_wait(scope, id, max).await
    }

    /// Moves an upload from one of `from` to `state` (the store takes SQLite's write lock
    /// before reading the row, so a web session's write in between cannot refuse it).
    async fn import_set(&self, id: i64, from: &[&str], state: &ImportState<'_>) -> AppResult<bool> {
        Ok(self.store.import_set(id, from, state).await?)
    }

    async fn import_row(&self, id: i64) -> AppResult<ImportRow> {
        self.store
            .import_get(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Import {id} does not exist.")))
    }

    async fn import_failed(
        &self,
        id: i64,
        from: &[&str],
        rows: i64,
        errors: &[LineError],
    ) -> AppResult<()> {
        let now = time::format(self.store.now());
        let json = errors_json(errors);
        let state = ImportState {
            status: "failed",
            row_count: rows,
            error_count: errors.len() as i64,
            errors: Some(&json),
            progress: 0,
            at: &now,
        };
        self.import_set(id, from, &state).await?;
        Ok(())
    }

    /// A run in the background: its outcome is stored on the upload's row; a failure of the
    /// store itself is stored as one problem (the details are logged).
    async fn background(&self, scope: &Scope, row: &ImportRow, requests: Requests, mode: Mode) {
        let key = run_key(row);
        set_progress(&key, Some((0, requests.len())));
        let rows = requests.len() as i64;
        let from: &[&str] = match mode {
            Mode::Validate => &["validating"],
            Mode::Apply => &["applying"],
        };
        let outcome = self.run_file(scope, row, requests, mode, &key).await;
        set_progress(&key, None);
        let stored = match outcome {
            Ok(errors) if errors.is_empty() => {
                // An apply marked its row in its own transaction.
                if mode == Mode::Validate {
                    let now = time::format(self.store.now());
                    let state = ImportState {
                        status: "ready",
                        row_count: rows,
                        error_count: 0,
                        errors: None,
                        progress: rows,
                        at: &now,
                    };
                    self.import_set(row.id, from, &state)
                        .await
                        .map(drop)
                        .map_err(|e| match e {
                            AppError::Store(s) => s,
                            other => tagtrail_store::StoreError::Corrupt(other.to_string()),
                        })
                } else {
                    Ok(())
                }
            }
            Ok(errors) => self
                .import_failed(row.id, from, rows, &errors)
                .await
                .map_err(|e| match e {
                    AppError::Store(s) => s,
                    other => tagtrail_store::StoreError::Corrupt(other.to_string()),
                }),
            Err(e) => {
                tracing::error!(error = %e, import = row.id, "import run failed");
                let msg = "An internal error stopped the import; nothing was applied.";
                self.import_failed(row.id, from, rows, &[LineError::new(1, msg)])
                    .await
                    .map_err(|e| tagtrail_store::StoreError::Corrupt(e.to_string()))
            }
        };
        if let Err(e) = stored {
            tracing::error!(error = %e, import = row.id, "import status not stored");
        }
    }

    /// Runs every row of a file through its action in groups of the API's object limit, in one
    /// write transaction: rolled back (validate) or committed with the upload marked applied
    /// (apply, only when every row passed). The problems, each with its line; none means every
    /// row passed.
    async fn run_file(
        &self,
        scope: &Scope,
        row: &ImportRow,
        requests: Requests,
        mode: Mode,
        key: &str,
    ) -> AppResult<Vec<LineError>> {
        let mut tx = self.store.begin().await?;
        if mode == Mode::Apply && tx.import_status(row.id).await?.as_deref() != Some("applying") {
            return Err(
                Rejection::Conflict(format!("Import {} is not being applied.", row.id)).into(),
            );
        }
        let now = time::format(tx.now());
        let at = Context {
            ctx: Ctx {
                facility: scope.facility(),
                now: now.clone(),
            },
            by: scope.acting().name(),
            acting: scope.acting(),
            config: &self.config,
        };
        let mut run = Run {
            scope,
            row,
            at,
            key,
            group: self.config.max_objects.max(1),
            total: requests.len(),
            done: 0,
            errors: Vec::new(),
            entries: Vec::new(),
        };
        let finished = match requests {
            Requests::Plantings(v) => run.rows::<CreatePlantings, _>(&mut tx, &v).await?,
            Requests::BatchAdditives(v) => run.rows::<ApplyToBatches, _>(&mut tx, &v).await?,
            Requests::SalesReceipts(v) => run.receipts(&mut tx, &v).await?,
            Requests::PlantAdditives(v) => {
                // Rows by tag and rows by location are two requests of the API: each stretch of
                // rows of one shape runs through its action, in file order.
                let mut rest = v.as_slice();
                let mut finished = true;
                while finished && let Some((_, first)) = rest.first() {
                    let by_tag = matches!(first, PlantAdditiveRow::Plants(_));
                    let n = rest
                        .iter()
                        .position(|(_, r)| matches!(r, PlantAdditiveRow::Plants(_)) != by_tag)
                        .unwrap_or(rest.len());
                    let (stretch, after) = rest.split_at(n);
                    rest = after;
                    finished = if by_tag {
                        let specs: Vec<_> = stretch
                            .iter()
                            .filter_map(|(l, r)| match r {
                                PlantAdditiveRow::Plants(s) => Some((*l, s.clone())),
                                PlantAdditiveRow::Location(_) => None,
                            })
                            .collect();
                        run.rows::<ApplyToPlants, _>(&mut tx, &specs).await?
                    } else {
                        let specs: Vec<_> = stretch
                            .iter()
                            .filter_map(|(l, r)| match r {
                                PlantAdditiveRow::Location(s) => Some((*l, s.clone())),
                                PlantAdditiveRow::Plants(_) => None,
                            })
                            .collect();
                        run.rows::<ApplyByLocation, _>(&mut tx, &specs).await?
                    };
                }
                finished
            }
        };
        if !finished || mode == Mode::Validate || !run.errors.is_empty() {
            // Dropping the transaction rolls every group back.
            return Ok(run.errors);
        }
        if let (Some(first), Some(last)) = (run.entries.first(), run.entries.last()) {
            tx.import_applied(row.id, run.total as i64, *first, *last, &now)
                .await?;
            tx.commit().await?;
        }
        Ok(run.errors)
    }
}

/// A file's run inside its transaction: where it is, and what it found and wrote so far.
struct Run<'a> {
    scope: &'a Scope,
    row: &'a ImportRow,
    at: Context<'a>,
    key: &'a str,
    /// Rows per group: the API's object limit.
    group: usize,
    total: usize,
    done: usize,
    errors: Vec<LineError>,
    entries: Vec<i64>,
}

impl Run<'_> {
    /// Runs `rows` through `A` in groups, each one `load` + `decide` of the action (exactly an
    /// API call of those rows) and one journal entry. False when a refusal of the whole request
    /// (permission, capability) ended the run: every line would be refused alike.
    async fn rows<A, S>(&mut self, tx: &mut WriteTx, rows: &[(usize, S)]) -> AppResult<bool>
    where
        A: Action<Request = Vec<S>>,
        S: Clone,
    {
        self.scope.allows(&A::DEF)?;
        for chunk in rows.chunks(self.group) {
            let mut bad: BTreeSet<usize> = BTreeSet::new();
            // A refused row is left out and the rest of its group tried again, so that the good
            // rows' effects are there for the groups after (as they would be once fixed).
            loop {
                let index: Vec<usize> = (0..chunk.len()).filter(|i| !bad.contains(i)).collect();
                if index.is_empty() {
                    break;
                }
                let req: Vec<S> = index.iter().map(|i| chunk[*i].1.clone()).collect();
                let lines: Vec<usize> = index.iter().map(|i| chunk[*i].0).collect();
                let world = A::load(tx, &self.at, &req).await?;
                match A::decide(&self.at, world, &req) {
                    Ok(outcome) => {
                        let row = self.row;
                        let door = Door::import(
                            format!("import {} ({})", row.id, row.kind),
                            json!({
                                "Import": row.id,
                                "Type": row.kind,
                                "FileName": row.file_name,
                                "Sha256": row.sha256,
                                "Lines": lines,
                            }),
                        );
                        let entry = tx
                            .append(Draft {
                                recorded_at: self.at.ctx.now.clone(),
                                license_number: Some(self.scope.license().to_string()),
                                actor: self.scope.acting().actor(),
                                endpoint: door.endpoint,
                                reason: A::DEF.reason.to_string(),
                                request: door.request,
                                result_ids: outcome.ids,
                                changes: outcome.changes,
                                door: Some(door.kind.as_str().to_string()),
                                action: Some(A::DEF.name.to_string()),
                            })
                            .await?;
                        self.entries.push(entry.seq);
                        break;
                    }
                    Err(Rejection::Rows(found)) => {
                        let before = bad.len();
                        for r in found {
                            if let (Some(line), Some(i)) = (lines.get(r.row), index.get(r.row)) {
                                self.errors.push(LineError::new(*line, r.message));
                                bad.insert(*i);
                            }
                        }
                        if bad.len() == before {
                            // A row error naming no row of the request: the group as a whole.
                            bad.extend(index);
                        }
                    }
                    Err(other) => {
                        // Refused as a whole (permission, capability): every line of the file
                        // would be; say it once, at the group's first line.
                        self.errors
                            .push(LineError::new(lines[0], other.to_string()));
                        return Ok(false);
                    }
                }
            }
            self.done += chunk.len();
            set_progress(self.key, Some((self.done, self.total)));
        }
        Ok(true)
    }
}

/// The permissions an action's definition lets act (for reading what its rows became).
fn allowed(def: &Definition) -> &'static [tagtrail_domain::permission::Permission] {
    match def.allowed {
        crate::Allowed::Holders(p) => p,
        crate::Allowed::Operator => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_permissions_cover_every_import_type() {
        for kind in ImportKind::ALL {
            for p in allowed(definition(*kind)) {
                assert!(PAGE_PERMISSIONS.contains(p), "{kind:?}: {p:?}");
            }
        }
    }
}
