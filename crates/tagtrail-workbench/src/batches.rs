//! Production batches (issue 11, seed 003 §02; the rules are `model::batch`'s): a manufacturing
//! license's batches, their lines, their mass balance, and what completing one sends to Metrc.
//!
//! A batch is planned, started, worked (inputs drawn, steps, outputs, waste, all recorded with
//! who and when), and completed only in balance or with an explanation a second person
//! reviewed. Submitting it drafts one outbox submission — the outputs as new packages, each
//! drawing from every input in proportion to its weight — which then passes preflight and review
//! like any other; when Metrc accepts it the batch is accepted and its lineage recorded (each
//! output's parents are the batch's inputs), so a recall walks through it.

use crate::audit::{self, Door, Event};
use crate::people::{Caller, LicenseCtx};
use crate::{Result, WbError, Workbench, now, parse_ts, ts};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use tagtrail_domain::quantity::unit;
use tagtrail_domain::time::Timestamp;
use tagtrail_workbench_model::batch::{
    self, Amount, Balance, BatchType, Facts, Input, Output, Status, Step, Unweighable, Waste,
    split_draw,
};
use tagtrail_workbench_model::preflight::{Ingredient, Intent, NewPackage};
use tagtrail_workbench_model::role::Duty;
use tagtrail_workbench_model::submission::State;

/// A process step as recorded: what was done, by whom (the operator), when, and notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessStep {
    pub what: String,
    pub operator: String,
    pub notes: String,
    /// When it was done, where that is not when it was recorded (a run written up from the
    /// floor's paper record after the shift). Never in the future.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<Timestamp>,
}

impl ProcessStep {
    /// When the step was done: its own time, else when it was recorded.
    pub fn done(&self, recorded_at: Timestamp) -> Timestamp {
        self.done_at.unwrap_or(recorded_at)
    }
}

/// One line of a batch, as the forms and the CLI give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Line {
    Input(Input),
    Output(Output),
    Waste(Waste),
    Step(ProcessStep),
}

impl Line {
    fn kind(&self) -> &'static str {
        match self {
            Line::Input(_) => "input",
            Line::Output(_) => "output",
            Line::Waste(_) => "waste",
            Line::Step(_) => "step",
        }
    }
}

/// A recorded line with who recorded it and when.
#[derive(Debug, Clone)]
pub struct Recorded<T> {
    pub id: i64,
    pub line: T,
    pub by: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct Explanation {
    pub text: String,
    pub written_by: String,
    pub written_by_id: i64,
    pub reviewed_by: Option<String>,
}

/// A batch as its page shows it.
#[derive(Debug, Clone)]
pub struct Batch {
    pub id: i64,
    pub license_id: i64,
    pub name: String,
    pub batch_type: BatchType,
    pub plan: String,
    pub status: Status,
    pub tolerance_percent: Decimal,
    pub process_loss: Option<Amount>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub inputs: Vec<Recorded<Input>>,
    pub outputs: Vec<Recorded<Output>>,
    pub waste: Vec<Recorded<Waste>>,
    pub steps: Vec<Recorded<ProcessStep>>,
    pub explanation: Option<Explanation>,
    /// The outbox submissions it made: (id, state).
    pub submissions: Vec<(i64, State)>,
}

impl Batch {
    pub fn balance(&self) -> std::result::Result<Balance, Vec<Unweighable>> {
        batch::balance(
            &self
                .inputs
                .iter()
                .map(|r| r.line.clone())
                .collect::<Vec<_>>(),
            &self
                .outputs
                .iter()
                .map(|r| r.line.clone())
                .collect::<Vec<_>>(),
            &self
                .waste
                .iter()
                .map(|r| r.line.clone())
                .collect::<Vec<_>>(),
            self.process_loss.as_ref(),
            self.tolerance_percent,
        )
    }

    /// What `model::batch::decide` needs to know of this batch.
    pub fn facts(&self) -> Facts {
        Facts {
            balance: Some(self.balance()),
            inputs: self.inputs.len(),
            outputs: self.outputs.len(),
            reviewed_explanation: self
                .explanation
                .as_ref()
                .is_some_and(|e| e.reviewed_by.is_some()),
            live_submissions: self
                .submissions
                .iter()
                .filter(|(_, s)| !matches!(s, State::Rejected | State::Withdrawn))
                .count(),
        }
    }

    /// The submission completing it drafts: every output a new package drawing from every
    /// input in proportion to the outputs' weights (in each input's own unit).
    pub fn intent(&self) -> std::result::Result<Intent, String> {
        let grams: Vec<Decimal> = self
            .outputs
            .iter()
            .map(|o| o.line.amount.grams())
            .collect::<std::result::Result<_, _>>()?;
        let mut packages: Vec<NewPackage> = self
            .outputs
            .iter()
            .map(|o| NewPackage {
                tag: o.line.tag.clone(),
                item: o.line.item.clone(),
                quantity: o.line.amount.quantity,
                unit: o.line.amount.unit.clone(),
                location: o.line.location.clone(),
                note: Some(format!("Batch {}", self.name)),
                ingredients: vec![],
            })
            .collect();
        // Only Metrc packages are drawn from; an untracked ingredient is weighed, not sent.
        for i in self.inputs.iter().filter(|i| !i.line.untracked) {
            for (p, q) in packages
                .iter_mut()
                .zip(split_draw(i.line.amount.quantity, &grams, 4))
            {
                if q > Decimal::ZERO {
                    p.ingredients.push(Ingredient {
                        package: i.line.package.clone(),
                        quantity: q,
                        unit: i.line.amount.unit.clone(),
                    });
                }
            }
        }
        Ok(Intent::CreatePackages(packages))
    }
}

/// One completed batch's yield, for the chart of yields over time.
#[derive(Debug, Clone)]
pub struct YieldPoint {
    pub batch_id: i64,
    pub name: String,
    pub batch_type: BatchType,
    /// The item of its (first) output: the product whose yield this is.
    pub product: String,
    /// When the batch ran: its latest process step's time, else when it completed.
    pub ran_at: Timestamp,
    pub yield_percent: Decimal,
    pub within_tolerance: bool,
}

/// A batch in a list.
#[derive(Debug, Clone)]
pub struct BatchRow {
    pub id: i64,
    pub name: String,
    pub batch_type: BatchType,
    pub status: Status,
    pub updated_at: Timestamp,
}

fn text(what: &str, s: &str, max: usize) -> Result<String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > max {
        return Err(WbError::Invalid(format!("{what} is 1 to {max} characters")));
    }
    Ok(s.to_string())
}

fn check_amount(what: &str, a: &Amount) -> Result<()> {
    if a.quantity <= Decimal::ZERO {
        return Err(WbError::Invalid(format!(
            "{what}: the quantity must be more than zero"
        )));
    }
    if unit(&a.unit).is_none() {
        return Err(WbError::Invalid(format!(
            "{what}: {} is not a unit of measure",
            a.unit
        )));
    }
    if a.grams_each.is_some_and(|g| g <= Decimal::ZERO) {
        return Err(WbError::Invalid(format!(
            "{what}: the weight of one unit must be more than zero"
        )));
    }
    Ok(())
}

/// A line's own checks (what it is, not what the license holds: preflight checks that when
/// the batch's submission goes to review).
fn check_line(line: &Line) -> Result<()> {
    match line {
        Line::Input(i) => {
            text(
                if i.untracked {
                    "an ingredient's name"
                } else {
                    "an input's package tag"
                },
                &i.package,
                200,
            )?;
            check_amount("an input", &i.amount)
        }
        Line::Output(o) => {
            text("an output's new tag", &o.tag, 200)?;
            text("an output's item", &o.item, 200)?;
            check_amount("an output", &o.amount)
        }
        Line::Waste(w) => {
            text("a waste method", &w.method, 200)?;
            text("a waste reason", &w.reason, 1000)?;
            text("a waste witness", &w.witness, 200)?;
            check_amount("waste", &w.amount)?;
            // Waste is weighed (California's waste log records weight).
            match unit(&w.amount.unit).map(|u| u.quantity_type) {
                Some(tagtrail_domain::quantity::QuantityType::WeightBased) => Ok(()),
                _ => Err(WbError::Invalid("waste is recorded by weight".into())),
            }
        }
        Line::Step(s) => {
            text("a step", &s.what, 200)?;
            text("the step's operator", &s.operator, 200)?;
            if s.notes.chars().count() > 4000 {
                return Err(WbError::Invalid("notes are at most 4000 characters".into()));
            }
            // A little slack for a clock a minute off; a step an hour ahead is a typo.
            if s.done_at
                .is_some_and(|t| t > now() + chrono::TimeDelta::minutes(5))
            {
                return Err(WbError::Invalid(
                    "a step's time is in the future; record it when it has been done".into(),
                ));
            }
            Ok(())
        }
    }
}

fn status_of(r: &sqlx::any::AnyRow) -> Result<Status> {
    Status::parse(&r.try_get::<String, _>("status")?)
        .ok_or_else(|| WbError::Invalid("stored batch: status".into()))
}

impl Workbench {
    /// Plans a batch in the license's context (the production duty).
    #[allow(clippy::too_many_arguments)]
    pub async fn create_batch(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        name: &str,
        batch_type: BatchType,
        plan: &str,
        tolerance_percent: Option<Decimal>,
    ) -> Result<i64> {
        if caller.installation_admin {
            return Err(WbError::Forbidden(
                "installation administrators do not act in a license's context".into(),
            ));
        }
        license.require(Duty::Produce)?;
        let name = text("a batch name", name, 200)?;
        let plan = plan.trim();
        if plan.chars().count() > 4000 {
            return Err(WbError::Invalid("a plan is at most 4000 characters".into()));
        }
        let tolerance = tolerance_percent.unwrap_or_else(|| batch_type.default_tolerance_percent());
        if tolerance < Decimal::ZERO || tolerance > Decimal::ONE_HUNDRED {
            return Err(WbError::Invalid(
                "a tolerance is a percentage from 0 to 100".into(),
            ));
        }
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        let taken = sqlx::query("SELECT id FROM batches WHERE license_id = $1 AND name = $2")
            .bind(license.license_id)
            .bind(&name)
            .fetch_optional(&mut *tx.tx)
            .await?;
        if taken.is_some() {
            return Err(WbError::Conflict(format!(
                "{} already has a batch named {name}",
                license.name
            )));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO batches (company_id, license_id, name, batch_type, plan, status, tolerance_percent, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'planned', $6, $7, $8, $8) RETURNING id",
        )
        .bind(license.company_id)
        .bind(license.license_id)
        .bind(&name)
        .bind(batch_type.as_str())
        .bind(plan)
        .bind(tolerance.normalize().to_string())
        .bind(caller.user_id)
        .bind(&at)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        audit::append(
            &mut tx,
            door,
            Event::new(
                "Plan batch",
                format!(
                    "batch {id} {name}: {} batch planned, tolerance {}%",
                    batch_type.label().to_lowercase(),
                    tolerance.normalize()
                ),
            )
            .by(caller)
            .in_license(license),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The license's batches, newest first, optionally in one status.
    pub async fn batches(
        &self,
        license: &LicenseCtx,
        status: Option<Status>,
    ) -> Result<Vec<BatchRow>> {
        let rows = sqlx::query(
            "SELECT id, name, batch_type, status, updated_at FROM batches WHERE license_id = $1 AND ($2 = '' OR status = $2) ORDER BY id DESC LIMIT 1000",
        )
        .bind(license.license_id)
        .bind(status.map(Status::as_str).unwrap_or(""))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BatchRow {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    batch_type: BatchType::parse(&r.try_get::<String, _>("batch_type")?)
                        .ok_or_else(|| WbError::Invalid("stored batch: type".into()))?,
                    status: status_of(r)?,
                    updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)
                        .unwrap_or_else(now),
                })
            })
            .collect()
    }

    /// The yield of every completed (or later) batch of the license, by when it ran (oldest
    /// first): per batch, and by its output's item per product over time.
    pub async fn yield_history(&self, license: &LicenseCtx) -> Result<Vec<YieldPoint>> {
        let rows = sqlx::query(
            "SELECT id, completed_at FROM batches WHERE license_id = $1 AND completed_at IS NOT NULL ORDER BY completed_at DESC, id DESC LIMIT 2000",
        )
        .bind(license.license_id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut out = vec![];
        for r in &rows {
            let b = self.batch(license, r.try_get("id")?).await?;
            let Ok(balance) = b.balance() else {
                continue;
            };
            let completed_at: Option<String> = r.try_get("completed_at")?;
            out.push(YieldPoint {
                batch_id: b.id,
                name: b.name.clone(),
                batch_type: b.batch_type,
                product: b
                    .outputs
                    .first()
                    .map(|o| o.line.item.clone())
                    .unwrap_or_default(),
                ran_at: b
                    .steps
                    .iter()
                    .map(|s| s.line.done(s.at))
                    .max()
                    .or_else(|| completed_at.as_deref().and_then(parse_ts))
                    .unwrap_or(b.updated_at),
                yield_percent: balance.yield_percent,
                within_tolerance: balance.within(),
            });
        }
        out.sort_by_key(|p| (p.ran_at, p.batch_id));
        Ok(out)
    }

    /// One batch of the license, with its lines.
    pub async fn batch(&self, license: &LicenseCtx, id: i64) -> Result<Batch> {
        let r = sqlx::query(
            "SELECT b.*, u.username FROM batches b JOIN users u ON u.id = b.created_by WHERE b.id = $1 AND b.license_id = $2",
        )
        .bind(id)
        .bind(license.license_id)
        .fetch_optional(&self.db.pool)
        .await?
        .ok_or_else(|| WbError::NotFound(format!("batch {id}")))?;
        let bad = |w: &str| WbError::Invalid(format!("stored batch: {w}"));
        let mut b = Batch {
            id,
            license_id: license.license_id,
            name: r.try_get("name")?,
            batch_type: BatchType::parse(&r.try_get::<String, _>("batch_type")?)
                .ok_or_else(|| bad("type"))?,
            plan: r.try_get("plan")?,
            status: status_of(&r)?,
            tolerance_percent: r
                .try_get::<String, _>("tolerance_percent")?
                .parse()
                .map_err(|_| bad("tolerance"))?,
            process_loss: r
                .try_get::<Option<String>, _>("process_loss")?
                .map(|j| serde_json::from_str(&j).map_err(|_| bad("process loss")))
                .transpose()?,
            created_by: r.try_get("username")?,
            created_at: parse_ts(&r.try_get::<String, _>("created_at")?).unwrap_or_else(now),
            updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?).unwrap_or_else(now),
            inputs: vec![],
            outputs: vec![],
            waste: vec![],
            steps: vec![],
            explanation: None,
            submissions: vec![],
        };
        let lines = sqlx::query(
            "SELECT l.id, l.kind, l.data, l.recorded_at, u.username FROM batch_lines l JOIN users u ON u.id = l.recorded_by WHERE l.batch_id = $1 ORDER BY l.id",
        )
        .bind(id)
        .fetch_all(&self.db.pool)
        .await?;
        for l in &lines {
            let line: Line =
                serde_json::from_str(&l.try_get::<String, _>("data")?).map_err(|_| bad("line"))?;
            let (lid, by, at) = (
                l.try_get::<i64, _>("id")?,
                l.try_get::<String, _>("username")?,
                parse_ts(&l.try_get::<String, _>("recorded_at")?).unwrap_or_else(now),
            );
            match line {
                Line::Input(x) => b.inputs.push(Recorded {
                    id: lid,
                    line: x,
                    by,
                    at,
                }),
                Line::Output(x) => b.outputs.push(Recorded {
                    id: lid,
                    line: x,
                    by,
                    at,
                }),
                Line::Waste(x) => b.waste.push(Recorded {
                    id: lid,
                    line: x,
                    by,
                    at,
                }),
                Line::Step(x) => b.steps.push(Recorded {
                    id: lid,
                    line: x,
                    by,
                    at,
                }),
            }
        }
        if let Some(e) = sqlx::query(
            "SELECT e.text, e.written_by, w.username AS writer, r.username AS reviewer FROM batch_explanations e JOIN users w ON w.id = e.written_by LEFT JOIN users r ON r.id = e.reviewed_by WHERE e.batch_id = $1",
        )
        .bind(id)
        .fetch_optional(&self.db.pool)
        .await?
        {
            b.explanation = Some(Explanation {
                text: e.try_get("text")?,
                written_by: e.try_get("writer")?,
                written_by_id: e.try_get("written_by")?,
                reviewed_by: e.try_get("reviewer")?,
            });
        }
        let subs = sqlx::query(
            "SELECT s.id, s.state FROM batch_submissions bs JOIN submissions s ON s.id = bs.submission_id WHERE bs.batch_id = $1 ORDER BY s.id",
        )
        .bind(id)
        .fetch_all(&self.db.pool)
        .await?;
        for s in &subs {
            b.submissions.push((
                s.try_get("id")?,
                State::parse(&s.try_get::<String, _>("state")?).ok_or_else(|| bad("submission"))?,
            ));
        }
        Ok(b)
    }

    /// Records a line on an open batch.
    pub async fn add_batch_line(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        id: i64,
        line: Line,
    ) -> Result<i64> {
        self.require_producer(caller, license)?;
        check_line(&line)?;
        let b = self.batch(license, id).await?;
        if !b.status.open() {
            return Err(WbError::Conflict(format!(
                "batch {} is {}; its lines no longer change",
                b.name,
                b.status.label().to_lowercase()
            )));
        }
        let data = serde_json::to_string(&line).map_err(|e| WbError::Invalid(e.to_string()))?;
        let words = match &line {
            Line::Input(i) if i.untracked => format!(
                "untracked ingredient {} {} of {}",
                i.amount.quantity.normalize(),
                i.amount.unit,
                i.package
            ),
            Line::Input(i) => format!(
                "input {} {} drawn from {}",
                i.amount.quantity.normalize(),
                i.amount.unit,
                i.package
            ),
            Line::Output(o) => format!(
                "output {} ({}) {} {}",
                o.tag,
                o.item,
                o.amount.quantity.normalize(),
                o.amount.unit
            ),
            Line::Waste(w) => format!(
                "waste {} {} by {} ({}), witnessed by {}",
                w.amount.quantity.normalize(),
                w.amount.unit,
                w.method,
                w.reason,
                w.witness
            ),
            Line::Step(s) => match s.done_at {
                Some(t) => format!("step {} by {}, done at {}", s.what, s.operator, ts(t)),
                None => format!("step {} by {}", s.what, s.operator),
            },
        };
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        let lid: i64 = sqlx::query(
            "INSERT INTO batch_lines (batch_id, kind, data, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(id)
        .bind(line.kind())
        .bind(&data)
        .bind(caller.user_id)
        .bind(&at)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        self.touch_batch(&mut tx, id, &at).await?;
        audit::append(
            &mut tx,
            door,
            Event::new(
                "Record batch line",
                format!("batch {id} {}: {words}", b.name),
            )
            .by(caller)
            .in_license(license)
            .request(data),
        )
        .await?;
        tx.commit().await?;
        Ok(lid)
    }

    /// Removes a line recorded in error from an open batch (the audit log keeps both).
    pub async fn remove_batch_line(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        id: i64,
        line_id: i64,
    ) -> Result<()> {
        self.require_producer(caller, license)?;
        let b = self.batch(license, id).await?;
        if !b.status.open() {
            return Err(WbError::Conflict(format!(
                "batch {} is {}; its lines no longer change",
                b.name,
                b.status.label().to_lowercase()
            )));
        }
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        let n = sqlx::query("DELETE FROM batch_lines WHERE id = $1 AND batch_id = $2")
            .bind(line_id)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(WbError::NotFound(format!(
                "line {line_id} of batch {}",
                b.name
            )));
        }
        self.touch_batch(&mut tx, id, &at).await?;
        audit::append(
            &mut tx,
            door,
            Event::new(
                "Remove batch line",
                format!("batch {id} {}: line {line_id} removed", b.name),
            )
            .by(caller)
            .in_license(license),
        )
        .await?;
        tx.commit().await
    }

    /// Declares (or clears) the batch's process loss: what the process consumes that is neither
    /// output nor weighed waste (evaporation, residue).
    pub async fn set_process_loss(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        id: i64,
        loss: Option<Amount>,
    ) -> Result<()> {
        self.require_producer(caller, license)?;
        if let Some(a) = &loss {
            if a.quantity < Decimal::ZERO || unit(&a.unit).is_none() {
                return Err(WbError::Invalid(
                    "a process loss is a quantity of zero or more in a unit of measure".into(),
                ));
            }
            a.grams().map_err(WbError::Invalid)?;
        }
        let b = self.batch(license, id).await?;
        if !b.status.open() {
            return Err(WbError::Conflict(format!(
                "batch {} is {}; its balance no longer changes",
                b.name,
                b.status.label().to_lowercase()
            )));
        }
        let json = loss
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| WbError::Invalid(e.to_string()))?;
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE batches SET process_loss = $1, updated_at = $2 WHERE id = $3")
            .bind(&json)
            .bind(&at)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        audit::append(
            &mut tx,
            door,
            Event::new(
                "Declare process loss",
                format!(
                    "batch {id} {}: process loss {}",
                    b.name,
                    loss.map(|a| format!("{} {}", a.quantity.normalize(), a.unit))
                        .unwrap_or_else(|| "cleared".into())
                ),
            )
            .by(caller)
            .in_license(license),
        )
        .await?;
        tx.commit().await
    }

    /// Writes why the batch is out of balance (a new text clears an earlier review).
    pub async fn explain_batch(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        id: i64,
        why: &str,
    ) -> Result<()> {
        self.require_producer(caller, license)?;
        let why = text("an explanation", why, 4000)?;
        let b = self.batch(license, id).await?;
        if !b.status.open() {
            return Err(WbError::Conflict(format!(
                "batch {} is {}",
                b.name,
                b.status.label().to_lowercase()
            )));
        }
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        sqlx::query("DELETE FROM batch_explanations WHERE batch_id = $1")
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query(
            "INSERT INTO batch_explanations (batch_id, text, written_by, written_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(&why)
        .bind(caller.user_id)
        .bind(&at)
        .execute(&mut *tx.tx)
        .await?;
        audit::append(
            &mut tx,
            door,
            Event::new("Explain imbalance", format!("batch {id} {}: {why}", b.name))
                .by(caller)
                .in_license(license),
        )
        .await?;
        tx.commit().await
    }

    /// A second person — who may approve submissions, and did not write it — reviews the
    /// explanation of an imbalance.
    pub async fn review_explanation(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        id: i64,
    ) -> Result<()> {
        if caller.installation_admin {
            return Err(WbError::Forbidden(
                "installation administrators make no compliance decisions".into(),
            ));
        }
        license.require(Duty::Approve)?;
        let b = self.batch(license, id).await?;
        let Some(e) = &b.explanation else {
            return Err(WbError::Conflict(format!(
                "batch {} has no explanation to review",
                b.name
            )));
        };
        if e.written_by_id == caller.user_id {
            return Err(WbError::Forbidden(
                "you wrote this explanation; another person must review it".into(),
            ));
        }
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE batch_explanations SET reviewed_by = $1, reviewed_at = $2 WHERE batch_id = $3",
        )
        .bind(caller.user_id)
        .bind(&at)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        audit::append(
            &mut tx,
            door,
            Event::new(
                "Review explanation",
                format!(
                    "batch {id} {}: explanation by {} reviewed",
                    b.name, e.written_by
                ),
            )
            .by(caller)
            .in_license(license),
        )
        .await?;
        tx.commit().await
    }

    /// Moves a batch one step (start, complete, submit, reopen) as a person. Submitting drafts
    /// the batch's submission in the outbox, authored by the caller, and links it.
    pub async fn batch_step(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        id: i64,
        step: Step,
    ) -> Result<Status> {
        self.require_producer(caller, license)?;
        if step == Step::Accept {
            return Err(WbError::Forbidden(
                "only Metrc's acceptance of its submission accepts a batch".into(),
            ));
        }
        let b = self.batch(license, id).await?;
        let to = batch::decide(b.status, step, &b.facts())
            .map_err(|r| WbError::Conflict(r.to_string()))?;
        let submission = if step == Step::Submit {
            let intent = b.intent().map_err(WbError::Invalid)?;
            Some(
                self.draft(
                    caller,
                    door,
                    license,
                    &format!("Batch {}: new packages", b.name),
                    &format!(
                        "Outputs of batch {} ({} batch)",
                        b.name,
                        b.batch_type.label().to_lowercase()
                    ),
                    intent,
                )
                .await?,
            )
        } else {
            None
        };
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        let n = sqlx::query(
            "UPDATE batches SET status = $1, updated_at = $2, \
             completed_at = CASE WHEN $1 IN ('completed', 'submitted', 'accepted') THEN COALESCE(completed_at, $2) ELSE NULL END \
             WHERE id = $3 AND status = $4",
        )
        .bind(to.as_str())
        .bind(&at)
        .bind(id)
        .bind(b.status.as_str())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(WbError::Conflict(format!(
                "batch {} changed while you were looking at it; reload and try again",
                b.name
            )));
        }
        if let Some(sid) = submission {
            sqlx::query("INSERT INTO batch_submissions (batch_id, submission_id) VALUES ($1, $2)")
                .bind(id)
                .bind(sid)
                .execute(&mut *tx.tx)
                .await?;
        }
        let words = match (step, &b.balance()) {
            (Step::Complete, Ok(bal)) => format!(
                "completed: inputs {} g, outputs {} g, waste {} g, process loss {} g, difference {} g (allowed {} g), yield {}%{}",
                bal.inputs,
                bal.outputs,
                bal.waste,
                bal.process_loss,
                bal.difference,
                bal.allowed,
                bal.yield_percent,
                if bal.within() {
                    ""
                } else {
                    ", out of balance with a reviewed explanation"
                }
            ),
            (Step::Submit, _) => format!(
                "submitted: outbox submission #{} drafted",
                submission.unwrap_or_default()
            ),
            _ => format!("{} → {}", b.status.label(), to.label()),
        };
        audit::append(
            &mut tx,
            door,
            Event::new(
                match step {
                    Step::Start => "Start batch",
                    Step::Complete => "Complete batch",
                    Step::Submit => "Submit batch",
                    Step::Reopen => "Reopen batch",
                    Step::Accept => "Batch accepted",
                },
                format!("batch {id} {}: {words}", b.name),
            )
            .by(caller)
            .in_license(license),
        )
        .await?;
        tx.commit().await?;
        Ok(to)
    }

    /// When the outbox accepts a submission (in its transaction): a batch whose submissions
    /// are now all accepted is accepted, and its lineage recorded.
    pub(crate) async fn batch_submission_accepted(
        &self,
        tx: &mut crate::db::WriteTx,
        license: &LicenseCtx,
        submission_id: i64,
    ) -> Result<()> {
        let Some(row) = sqlx::query(
            "SELECT b.id, b.name FROM batch_submissions bs JOIN batches b ON b.id = bs.batch_id WHERE bs.submission_id = $1 AND b.status = 'submitted'",
        )
        .bind(submission_id)
        .fetch_optional(&mut *tx.tx)
        .await?
        else {
            return Ok(());
        };
        let (id, name): (i64, String) = (row.try_get("id")?, row.try_get("name")?);
        let open: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM batch_submissions bs JOIN submissions s ON s.id = bs.submission_id WHERE bs.batch_id = $1 AND s.id <> $2 AND s.state <> 'accepted'",
        )
        .bind(id)
        .bind(submission_id)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("n")?;
        if open > 0 {
            return Ok(());
        }
        let lines = sqlx::query("SELECT kind, data FROM batch_lines WHERE batch_id = $1 AND kind IN ('input', 'output')")
            .bind(id)
            .fetch_all(&mut *tx.tx)
            .await?;
        let (mut parents, mut children) = (vec![], vec![]);
        for l in &lines {
            match serde_json::from_str::<Line>(&l.try_get::<String, _>("data")?) {
                Ok(Line::Input(i)) if !i.untracked => parents.push(i.package),
                Ok(Line::Output(o)) => children.push(o.tag),
                _ => {}
            }
        }
        for c in &children {
            for p in &parents {
                sqlx::query(
                    "INSERT INTO package_lineage (license_id, child_label, parent_label) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(license.license_id)
                .bind(c)
                .bind(p)
                .execute(&mut *tx.tx)
                .await?;
            }
        }
        let at = ts(now());
        sqlx::query("UPDATE batches SET status = 'accepted', updated_at = $1 WHERE id = $2 AND status = 'submitted'")
            .bind(&at)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        audit::append(
            tx,
            Door::Outbox,
            Event::new(
                "Batch accepted",
                format!(
                    "batch {id} {name}: Metrc accepted its packages; lineage recorded for {} output(s) from {} input(s)",
                    children.len(),
                    parents.len()
                ),
            )
            .in_license(license),
        )
        .await?;
        Ok(())
    }

    async fn touch_batch(&self, tx: &mut crate::db::WriteTx, id: i64, at: &str) -> Result<()> {
        sqlx::query("UPDATE batches SET updated_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        Ok(())
    }

    fn require_producer(&self, caller: &Caller, license: &LicenseCtx) -> Result<()> {
        if caller.installation_admin {
            return Err(WbError::Forbidden(
                "installation administrators do not act in a license's context".into(),
            ));
        }
        license.require(Duty::Produce)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    fn recorded<T>(id: i64, line: T) -> Recorded<T> {
        Recorded {
            id,
            line,
            by: "june".into(),
            at: now(),
        }
    }

    /// An infusion: distillate (a Metrc package) and gummy base (an untracked ingredient) in,
    /// gummies out. The base counts in the balance and is never an ingredient sent to Metrc.
    #[test]
    fn untracked_ingredients_weigh_but_are_not_sent() {
        let b = Batch {
            id: 1,
            license_id: 1,
            name: "Gummies".into(),
            batch_type: BatchType::Infusion,
            plan: String::new(),
            status: Status::InProgress,
            tolerance_percent: d("2"),
            process_loss: None,
            created_by: "june".into(),
            created_at: now(),
            updated_at: now(),
            inputs: vec![
                recorded(
                    1,
                    Input {
                        package: "1A4000000000000000000001".into(),
                        amount: Amount::new(d("10"), "Grams"),
                        untracked: false,
                    },
                ),
                recorded(
                    2,
                    Input {
                        package: "Gummy base".into(),
                        amount: Amount::new(d("990"), "Grams"),
                        untracked: true,
                    },
                ),
            ],
            outputs: vec![recorded(
                3,
                Output {
                    tag: "1A4000000000000000000002".into(),
                    item: "Mango Gummies 10x10mg".into(),
                    amount: Amount {
                        quantity: d("250"),
                        unit: "Each".into(),
                        grams_each: Some(d("4")),
                    },
                    location: Some("Finished Goods".into()),
                },
            )],
            waste: vec![],
            steps: vec![],
            explanation: None,
            submissions: vec![],
        };
        let balance = b.balance().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((balance.inputs, balance.outputs), (d("1000"), d("1000")));
        let Ok(Intent::CreatePackages(made)) = b.intent() else {
            panic!("a new-packages intent");
        };
        let drawn: Vec<&str> = made[0]
            .ingredients
            .iter()
            .map(|i| i.package.as_str())
            .collect();
        assert_eq!(drawn, vec!["1A4000000000000000000001"]);
        assert_eq!(made[0].ingredients[0].quantity, d("10"));
    }
}
