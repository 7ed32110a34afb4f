//! The one write path. A regulated action is defined once ([`Action`]): its name, who may take
//! it, the facility capability it needs, its default reason, what it loads and the pure decision
//! that owns its rules. Every door runs it the same way, through [`Ledger::run`]:
//! authorize → take the write turn → read the clock → load → decide → append → project →
//! commit, in one transaction. Dropping the transaction at any step before the commit leaves
//! nothing written.

use crate::config::Config;
use crate::door::Door;
use crate::identity::{Acting, Scope};
use crate::{AppResult, Ledger};
use std::future::Future;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::Ctx;
use tagtrail_domain::journal::{Change, Draft};
use tagtrail_domain::license::Capability;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::Record;
use tagtrail_domain::time;
use tagtrail_store::WriteTx;

/// Who may take an action.
#[derive(Debug, Clone, Copy)]
pub enum Allowed {
    /// Employees holding any one of these permissions at the facility (and the operator).
    Holders(&'static [Permission]),
    /// The operator alone: a regulator's act (holds, opening balances, imports), never a
    /// licensee's.
    Operator,
}

/// What a facility's license type must allow for the action.
#[derive(Debug, Clone, Copy)]
pub enum Needs {
    Nothing,
    /// Refused with 403 otherwise.
    Capability(Capability),
    /// Refused with 401 and this message otherwise: Metrc answers so when a facility type lacks
    /// the capability an endpoint belongs to (the laboratory's endpoints).
    FacilityType(Capability, &'static str),
}

/// What an action is: shown in the journal, in the web UI, and in refusals.
#[derive(Debug, Clone, Copy)]
pub struct Definition {
    /// What the action does, in words: "Create strains".
    pub name: &'static str,
    pub allowed: Allowed,
    pub needs: Needs,
    /// Recorded when the caller gives no reason.
    pub reason: &'static str,
}

impl Definition {
    /// An action employees holding one of `perms` may take, needing no capability, whose default
    /// reason is its name.
    pub const fn holders(name: &'static str, perms: &'static [Permission]) -> Definition {
        Definition {
            name,
            allowed: Allowed::Holders(perms),
            needs: Needs::Nothing,
            reason: name,
        }
    }

    /// The operator's action.
    pub const fn operator(name: &'static str) -> Definition {
        Definition {
            name,
            allowed: Allowed::Operator,
            needs: Needs::Nothing,
            reason: name,
        }
    }

    pub const fn needs(mut self, needs: Needs) -> Definition {
        self.needs = needs;
        self
    }

    pub const fn reason(mut self, reason: &'static str) -> Definition {
        self.reason = reason;
        self
    }
}

/// Everything a load and a decision may know besides what was loaded: the facility acted for
/// and the clock reading (as the domain's [`Ctx`]), who acts (as the journal names them) and the
/// ledger's configured limits.
pub struct Context<'a> {
    pub ctx: Ctx<'a>,
    pub by: String,
    pub acting: &'a Acting,
    pub config: &'a Config,
}

/// A regulated action taken for one facility.
pub trait Action {
    const DEF: Definition;
    /// What the action asks for, typed: every door maps its input to this.
    type Request: Sync;
    /// What the decision needs, loaded inside the write turn.
    type World: Send;

    /// Loads exactly the rows the decision needs (by key, by id, by label).
    fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> impl Future<Output = AppResult<Self::World>> + Send;

    /// The decision: the domain's pure function, and the rows it writes.
    fn decide(
        at: &Context<'_>,
        world: Self::World,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection>;
}

/// An operator's action that belongs to no one facility until it decides (licenses, people,
/// keys, tag shipments).
pub trait SystemAction {
    const DEF: Definition;
    type Request: Sync;
    type World: Send;
    /// What the caller gets besides the ids (the new record, a key shown once).
    type Output: Send;

    fn load(
        tx: &mut WriteTx,
        req: &Self::Request,
    ) -> impl Future<Output = AppResult<Self::World>> + Send;

    /// The decision, with the license the entry is journaled for (if any).
    fn decide(
        now: &str,
        world: Self::World,
        req: &Self::Request,
    ) -> Result<(Option<String>, Outcome, Self::Output), Rejection>;
}

/// What a committed write produced.
#[derive(Debug, Clone)]
pub struct Written {
    pub seq: i64,
    pub ids: Vec<i64>,
    pub warnings: Vec<String>,
}

/// What a decision produced: the rows to write, the ids to answer with, late-entry warnings.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub changes: Vec<Change>,
    pub ids: Vec<i64>,
    pub warnings: Vec<String>,
}

impl Outcome {
    /// Writes `records` and answers with their ids.
    pub fn of<R: Record>(records: &[R]) -> Self {
        Outcome {
            changes: records.iter().map(Record::to_change).collect(),
            ids: records.iter().map(Record::id).collect(),
            warnings: vec![],
        }
    }

    /// Also writes `records` (sources drawn on, tags used, lineage edges…) without answering
    /// with their ids.
    pub fn and<R: Record>(mut self, records: &[R]) -> Self {
        self.changes.extend(records.iter().map(Record::to_change));
        self
    }

    pub fn warn(mut self, warnings: Vec<String>) -> Self {
        self.warnings = warnings;
        self
    }
}

impl Ledger {
    /// Takes the action `A` for the scope's facility: checks the scope allows it, then in one
    /// transaction takes the write turn, reads the clock, loads, decides, appends the journal
    /// entry with its projections, and commits.
    pub async fn run<A: Action>(
        &self,
        scope: &Scope,
        door: Door,
        req: &A::Request,
    ) -> AppResult<Written> {
        scope.allows(&A::DEF)?;
        let mut tx = self.store.begin().await?;
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
        let world = A::load(&mut tx, &at, req).await?;
        let outcome = with_door_refusals(A::decide(&at, world, req), &door)?;
        let license = Some(scope.license().to_string());
        let written = commit(tx, scope.acting(), license, door, &A::DEF, now, outcome).await?;
        self.webhook_wake.after_write();
        Ok(written)
    }

    /// Takes the action `A` as `who` at `license`: the scope first (the caller must work
    /// there), then [`Ledger::run`], which checks the scope allows `A`. For doors that carry an
    /// identity rather than a scope: the web UI's forms.
    pub async fn run_as<A: Action>(
        &self,
        who: &Acting,
        license: &str,
        door: Door,
        req: &A::Request,
    ) -> AppResult<Written> {
        let scope = self.scope(who, license).await?;
        self.run::<A>(&scope, door, req).await
    }

    /// Takes the operator's action `A`, which no facility scope covers.
    pub async fn run_system<A: SystemAction>(
        &self,
        who: &Acting,
        door: Door,
        req: &A::Request,
    ) -> AppResult<(Written, A::Output)> {
        if !who.is_operator() {
            return Err(crate::AppError::Forbidden(format!(
                "{} is the operator's action; no employee may take it.",
                A::DEF.name
            )));
        }
        let mut tx = self.store.begin().await?;
        let now = time::format(tx.now());
        let world = A::load(&mut tx, req).await?;
        let (license, outcome, output) = A::decide(&now, world, req)?;
        let written = commit(tx, who, license, door, &A::DEF, now, outcome).await?;
        self.webhook_wake.after_write();
        Ok((written, output))
    }
}

/// The last step of every write: seal the journal entry, project its changes, commit.
async fn commit(
    mut tx: WriteTx,
    who: &Acting,
    license: Option<String>,
    door: Door,
    def: &Definition,
    now: String,
    outcome: Outcome,
) -> AppResult<Written> {
    let Outcome {
        changes,
        ids,
        warnings,
    } = outcome;
    let entry = tx
        .append(Draft {
            recorded_at: now,
            license_number: license,
            actor: who.actor(),
            endpoint: door.endpoint,
            reason: door.reason.unwrap_or_else(|| def.reason.to_string()),
            request: door.request,
            result_ids: ids.clone(),
            changes,
            door: Some(door.kind.as_str().to_string()),
            action: Some(def.name.to_string()),
        })
        .await?;
    tx.commit().await?;
    Ok(Written {
        seq: entry.seq,
        ids,
        warnings,
    })
}

/// A decision, with the rows the door refused added: refused if either refused, every bad row
/// reported once, in row order (the decision's message first where both name a row).
fn with_door_refusals<T>(decided: Result<T, Rejection>, door: &Door) -> Result<T, Rejection> {
    if door.refused.is_empty() {
        return decided;
    }
    let mut rows = match decided {
        Ok(_) => Vec::new(),
        Err(Rejection::Rows(rows)) => rows,
        // A refusal of the whole request says more than any row's.
        Err(other) => return Err(other),
    };
    for r in &door.refused {
        if !rows.iter().any(|d| d.row == r.row) {
            rows.push(r.clone());
        }
    }
    rows.sort_by_key(|r| r.row);
    Err(Rejection::Rows(rows))
}
