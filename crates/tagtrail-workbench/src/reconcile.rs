//! Reconciliation (seed 003 §03, "show local count, METRC count, sync timestamp, and status"):
//! what the workbench expects of each package, what Metrc says (the last sync), and what was
//! counted on the floor, compared by `model::discrepancy`; each disagreement an exception until
//! a person resolves it.

use crate::audit::{self, Door, Event};
use crate::people::{Caller, LicenseCtx};
use crate::{Result, WbError, Workbench, now, parse_ts, ts};
use rust_decimal::Decimal;
use serde_json::Value;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use tagtrail_domain::time::Timestamp;
use tagtrail_workbench_model::discrepancy::{
    Class, Count, Discrepancy, PackageView, Status, compare,
};
use tagtrail_workbench_model::role::Duty;

/// A package as Metrc's last synced record describes it.
pub(crate) fn view_of_metrc(v: &Value, list: Option<&str>) -> Option<PackageView> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let label = s("Label")?;
    let quantity = match v.get("Quantity") {
        Some(Value::Number(n)) => n.to_string().parse::<Decimal>().ok()?,
        Some(Value::String(t)) => t.parse::<Decimal>().ok()?,
        _ => Decimal::ZERO,
    };
    let finished = v
        .get("IsFinished")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        || s("FinishedDate").is_some()
        || s("ArchivedDate").is_some();
    let status = if finished || list == Some("inactive") {
        Status::Inactive
    } else if list == Some("intransit") {
        Status::InTransit
    } else {
        Status::Active
    };
    Some(PackageView {
        label,
        quantity,
        unit: s("UnitOfMeasureName").unwrap_or_default(),
        location: s("LocationName"),
        status,
        lab_state: s("LabTestingState"),
        on_hold: v.get("IsOnHold").and_then(Value::as_bool).unwrap_or(false),
    })
}

fn status_of(s: &str) -> Status {
    match s {
        "in transit" => Status::InTransit,
        "inactive" => Status::Inactive,
        _ => Status::Active,
    }
}

/// One package's three sources, side by side.
#[derive(Debug, Clone)]
pub struct Line {
    pub label: String,
    pub expected: Option<PackageView>,
    pub metrc: Option<PackageView>,
    pub counted: Option<Count>,
    pub discrepancies: Vec<Discrepancy>,
}

#[derive(Debug, Clone)]
pub struct ReportRow {
    pub id: i64,
    pub at: Timestamp,
    pub local_count: i64,
    pub metrc_count: i64,
    pub counted: i64,
    pub synced_at: Option<Timestamp>,
    pub discrepancies: i64,
    pub status: String,
}

#[derive(Debug, Clone)]
pub struct ExceptionRow {
    pub id: i64,
    pub label: String,
    pub class: Class,
    pub detail: String,
    pub opened_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    pub resolution: Option<String>,
}

/// How a person closes an exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Metrc is right (it is the legal record): the workbench's expectation becomes Metrc's.
    AcceptMetrc,
    /// The difference is explained or corrected elsewhere (a submission is on its way); the
    /// expectation stays.
    Explained,
}

impl Workbench {
    pub(crate) async fn metrc_packages(
        &self,
        license_id: i64,
    ) -> Result<BTreeMap<String, PackageView>> {
        let rows = sqlx::query(
            "SELECT data, list FROM metrc_records WHERE license_id = $1 AND entity = 'package'",
        )
        .bind(license_id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut out = BTreeMap::new();
        for r in &rows {
            let v: Value = serde_json::from_str(&r.try_get::<String, _>("data")?)
                .map_err(|e| WbError::Invalid(e.to_string()))?;
            let list: Option<String> = r.try_get("list")?;
            if let Some(p) = view_of_metrc(&v, list.as_deref()) {
                out.insert(p.label.clone(), p);
            }
        }
        Ok(out)
    }

    pub(crate) async fn expectations(
        &self,
        license_id: i64,
    ) -> Result<BTreeMap<String, PackageView>> {
        let rows = sqlx::query(
            "SELECT label, quantity, unit, location, status, lab_state, on_hold FROM expectations WHERE license_id = $1",
        )
        .bind(license_id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut out = BTreeMap::new();
        for r in &rows {
            let label: String = r.try_get("label")?;
            out.insert(
                label.clone(),
                PackageView {
                    label,
                    quantity: r
                        .try_get::<String, _>("quantity")?
                        .parse()
                        .map_err(|_| WbError::Invalid("stored quantity".into()))?,
                    unit: r.try_get("unit")?,
                    location: r.try_get("location")?,
                    status: status_of(&r.try_get::<String, _>("status")?),
                    lab_state: r.try_get("lab_state")?,
                    on_hold: r.try_get::<i64, _>("on_hold")? == 1,
                },
            );
        }
        Ok(out)
    }

    /// The first sync of a license adopts Metrc's packages as what the workbench expects: from
    /// then on only the workbench's own accepted submissions and people's decisions move it.
    pub async fn adopt_metrc_as_expected(&self, license: &LicenseCtx) -> Result<u64> {
        let metrc = self.metrc_packages(license.license_id).await?;
        let known = self.expectations(license.license_id).await?;
        let mut tx = self.db.begin().await?;
        let mut n = 0;
        for p in metrc.values().filter(|p| p.status != Status::Inactive) {
            if known.contains_key(&p.label) {
                continue;
            }
            upsert_expectation(&mut tx, license.license_id, p, "adopted at the first sync").await?;
            n += 1;
        }
        audit::append(
            &mut tx,
            Door::Sync,
            Event::new(
                "Adopt Metrc inventory",
                format!("{n} packages adopted from Metrc's inventory at the first sync"),
            )
            .in_license(license),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Records a physical count of one package.
    pub async fn record_count(
        &self,
        caller: &Caller,
        license: &LicenseCtx,
        label: &str,
        quantity: &str,
        unit: &str,
    ) -> Result<()> {
        self.record_counts(
            caller,
            license,
            &[(label.into(), quantity.into(), unit.into())],
            "screen",
            None,
        )
        .await
    }

    /// Imports a CSV count sheet (`Label,Quantity,UnitOfMeasure`, a header row), all or
    /// nothing: any bad row refuses the sheet, naming its line.
    pub async fn import_count_sheet(
        &self,
        caller: &Caller,
        license: &LicenseCtx,
        bytes: &[u8],
    ) -> Result<usize> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(bytes);
        let mut rows = vec![];
        let mut problems = vec![];
        for (i, rec) in rdr.records().enumerate() {
            let line = i + 2;
            match rec {
                Ok(r) if r.len() == 3 => rows.push((
                    r[0].trim().to_string(),
                    r[1].trim().to_string(),
                    r[2].trim().to_string(),
                )),
                Ok(r) => problems.push(format!(
                    "line {line}: expected 3 columns, found {}",
                    r.len()
                )),
                Err(e) => problems.push(format!("line {line}: {e}")),
            }
            if rows.len() > 50_000 {
                return Err(WbError::Invalid(
                    "a count sheet holds at most 50,000 rows".into(),
                ));
            }
        }
        for (i, (label, q, unit)) in rows.iter().enumerate() {
            if let Err(e) = check_count(label, q, unit) {
                problems.push(format!("line {}: {e}", i + 2));
            }
        }
        if !problems.is_empty() {
            return Err(WbError::Invalid(format!(
                "the count sheet was not imported: {}",
                problems.into_iter().take(20).collect::<Vec<_>>().join("; ")
            )));
        }
        let sha = tagtrail_workbench_model::chain::sha256_hex(bytes);
        self.record_counts(caller, license, &rows, "csv", Some(sha))
            .await?;
        Ok(rows.len())
    }

    async fn record_counts(
        &self,
        caller: &Caller,
        license: &LicenseCtx,
        rows: &[(String, String, String)],
        source: &str,
        sheet: Option<String>,
    ) -> Result<()> {
        license.require(Duty::Count)?;
        for (label, q, unit) in rows {
            check_count(label, q, unit)?;
        }
        let mut tx = self.db.begin().await?;
        for (label, q, unit) in rows {
            sqlx::query(
                "INSERT INTO physical_counts (license_id, label, quantity, unit, counted_by, counted_at, source, sheet_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(license.license_id)
            .bind(label.trim().to_ascii_uppercase())
            .bind(q.trim())
            .bind(unit.trim())
            .bind(caller.user_id)
            .bind(ts(now()))
            .bind(source)
            .bind(&sheet)
            .execute(&mut *tx.tx)
            .await?;
        }
        let reason = match rows {
            [(l, q, u)] => format!("Counted {q} {u} of {l}"),
            _ => format!("Count sheet of {} packages imported", rows.len()),
        };
        audit::append(
            &mut tx,
            Door::Web,
            Event::new("Record physical count", reason)
                .by(caller)
                .in_license(license),
        )
        .await?;
        tx.commit().await
    }

    /// The latest count of each package since the last reconciliation.
    async fn counts_since_last_report(&self, license_id: i64) -> Result<BTreeMap<String, Count>> {
        let since: String = sqlx::query(
            "SELECT at FROM reconciliation_reports WHERE license_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(license_id)
        .fetch_optional(&self.db.pool)
        .await?
        .map(|r| r.try_get::<String, _>("at"))
        .transpose()?
        .unwrap_or_default();
        let rows = sqlx::query(
            "SELECT label, quantity, unit FROM physical_counts WHERE license_id = $1 AND counted_at > $2 ORDER BY id",
        )
        .bind(license_id)
        .bind(since)
        .fetch_all(&self.db.pool)
        .await?;
        let mut out = BTreeMap::new();
        for r in &rows {
            let label: String = r.try_get("label")?;
            out.insert(
                label.clone(),
                Count {
                    label,
                    quantity: r
                        .try_get::<String, _>("quantity")?
                        .parse()
                        .unwrap_or_default(),
                    unit: r.try_get("unit")?,
                },
            );
        }
        Ok(out)
    }

    /// The side-by-side view without writing anything.
    pub async fn reconciliation_lines(&self, license: &LicenseCtx) -> Result<Vec<Line>> {
        let expected = self.expectations(license.license_id).await?;
        let metrc = self.metrc_packages(license.license_id).await?;
        let counted = self.counts_since_last_report(license.license_id).await?;
        let labels: BTreeSet<&String> = expected
            .keys()
            .chain(metrc.keys())
            .chain(counted.keys())
            .collect();
        Ok(labels
            .into_iter()
            .map(|l| {
                let (e, m, c) = (expected.get(l), metrc.get(l), counted.get(l));
                Line {
                    label: l.clone(),
                    expected: e.cloned(),
                    metrc: m.cloned(),
                    counted: c.cloned(),
                    discrepancies: compare(l, e, m, c),
                }
            })
            .filter(|line| {
                // Packages every source agrees are gone are history, not inventory.
                let gone = |p: &Option<PackageView>| {
                    p.as_ref().is_none_or(|p| p.status == Status::Inactive)
                };
                !(gone(&line.expected) && gone(&line.metrc) && line.counted.is_none())
            })
            .collect())
    }

    /// Runs a reconciliation: a report with the counts and the sync time, an exception for each
    /// new discrepancy, and the exceptions that no longer differ closed as such.
    pub async fn reconcile(
        &self,
        caller: Option<&Caller>,
        license: &LicenseCtx,
    ) -> Result<ReportRow> {
        if let Some(c) = caller {
            license.require(Duty::View)?;
            if c.installation_admin {
                return Err(WbError::Forbidden(
                    "installation administrators do not reconcile".into(),
                ));
            }
        }
        let lines = self.reconciliation_lines(license).await?;
        let synced_at: Option<String> = sqlx::query(
            "SELECT finished_at FROM sync_runs WHERE license_id = $1 AND status = 'finished' ORDER BY id DESC LIMIT 1",
        )
        .bind(license.license_id)
        .fetch_optional(&self.db.pool)
        .await?
        .map(|r| r.try_get("finished_at"))
        .transpose()?
        .flatten();
        let local = lines
            .iter()
            .filter(|l| {
                l.expected
                    .as_ref()
                    .is_some_and(|p| p.status != Status::Inactive)
            })
            .count() as i64;
        let in_metrc = lines
            .iter()
            .filter(|l| {
                l.metrc
                    .as_ref()
                    .is_some_and(|p| p.status != Status::Inactive)
            })
            .count() as i64;
        let counted = lines.iter().filter(|l| l.counted.is_some()).count() as i64;
        let found: Vec<&Discrepancy> = lines.iter().flat_map(|l| &l.discrepancies).collect();
        let status = if synced_at.is_none() {
            "never synced"
        } else if found.is_empty() {
            "agrees"
        } else {
            "discrepancies"
        };
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO reconciliation_reports (license_id, at, local_count, metrc_count, counted, synced_at, discrepancies, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(license.license_id)
        .bind(&at)
        .bind(local)
        .bind(in_metrc)
        .bind(counted)
        .bind(&synced_at)
        .bind(found.len() as i64)
        .bind(status)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        let open = sqlx::query(
            "SELECT id, label, class FROM exceptions WHERE license_id = $1 AND resolved_at IS NULL",
        )
        .bind(license.license_id)
        .fetch_all(&mut *tx.tx)
        .await?;
        let mut open_keys = BTreeMap::new();
        for r in &open {
            open_keys.insert(
                (
                    r.try_get::<String, _>("label")?,
                    r.try_get::<String, _>("class")?,
                ),
                r.try_get::<i64, _>("id")?,
            );
        }
        let mut still = BTreeSet::new();
        for d in &found {
            let key = (d.label.clone(), d.class.as_str().to_string());
            still.insert(key.clone());
            if open_keys.contains_key(&key) {
                continue;
            }
            sqlx::query(
                "INSERT INTO exceptions (license_id, report_id, label, class, detail, opened_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(license.license_id)
            .bind(id)
            .bind(&d.label)
            .bind(d.class.as_str())
            .bind(audit::clip(&d.detail, 1000))
            .bind(&at)
            .execute(&mut *tx.tx)
            .await?;
        }
        for (key, ex) in &open_keys {
            if !still.contains(key) {
                sqlx::query(
                    "UPDATE exceptions SET resolved_at = $1, resolution = $2 WHERE id = $3",
                )
                .bind(&at)
                .bind(format!("no longer differs at reconciliation {id}"))
                .bind(ex)
                .execute(&mut *tx.tx)
                .await?;
            }
        }
        let mut ev = Event::new(
            "Reconcile",
            format!(
                "Reconciliation {id}: {local} expected, {in_metrc} in Metrc, {counted} counted, {} discrepancies",
                found.len()
            ),
        )
        .in_license(license);
        ev.user_id = caller.and_then(Caller::user_ref);
        audit::append(
            &mut tx,
            if caller.is_some() {
                Door::Web
            } else {
                Door::Sync
            },
            ev,
        )
        .await?;
        tx.commit().await?;
        Ok(ReportRow {
            id,
            at: parse_ts(&at).unwrap_or_else(now),
            local_count: local,
            metrc_count: in_metrc,
            counted,
            synced_at: synced_at.as_deref().and_then(parse_ts),
            discrepancies: found.len() as i64,
            status: status.into(),
        })
    }

    pub async fn reconciliation_reports(
        &self,
        license: &LicenseCtx,
        limit: i64,
    ) -> Result<Vec<ReportRow>> {
        let rows = sqlx::query(
            "SELECT id, at, local_count, metrc_count, counted, synced_at, discrepancies, status FROM reconciliation_reports WHERE license_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(license.license_id)
        .bind(limit)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReportRow {
                    id: r.try_get("id")?,
                    at: parse_ts(&r.try_get::<String, _>("at")?).unwrap_or_else(now),
                    local_count: r.try_get("local_count")?,
                    metrc_count: r.try_get("metrc_count")?,
                    counted: r.try_get("counted")?,
                    synced_at: r
                        .try_get::<Option<String>, _>("synced_at")?
                        .as_deref()
                        .and_then(parse_ts),
                    discrepancies: r.try_get("discrepancies")?,
                    status: r.try_get("status")?,
                })
            })
            .collect()
    }

    /// Exceptions of a license: open ones first, then the newest resolved.
    pub async fn exceptions(
        &self,
        license: &LicenseCtx,
        include_resolved: bool,
    ) -> Result<Vec<ExceptionRow>> {
        let sql = if include_resolved {
            "SELECT id, label, class, detail, opened_at, resolved_at, resolution FROM exceptions WHERE license_id = $1 ORDER BY (resolved_at IS NULL) DESC, id DESC LIMIT 500"
        } else {
            "SELECT id, label, class, detail, opened_at, resolved_at, resolution FROM exceptions WHERE license_id = $1 AND resolved_at IS NULL ORDER BY id"
        };
        let rows = sqlx::query(sql)
            .bind(license.license_id)
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ExceptionRow {
                    id: r.try_get("id")?,
                    label: r.try_get("label")?,
                    class: Class::parse(&r.try_get::<String, _>("class")?)
                        .unwrap_or(Class::UnknownPackage),
                    detail: r.try_get("detail")?,
                    opened_at: parse_ts(&r.try_get::<String, _>("opened_at")?).unwrap_or_else(now),
                    resolved_at: r
                        .try_get::<Option<String>, _>("resolved_at")?
                        .as_deref()
                        .and_then(parse_ts),
                    resolution: r.try_get("resolution")?,
                })
            })
            .collect()
    }

    /// Labels with an open exception, and the first reason each (what blocks a transfer).
    pub(crate) async fn open_discrepancies(
        &self,
        license_id: i64,
    ) -> Result<BTreeMap<String, String>> {
        let rows = sqlx::query(
            "SELECT label, class FROM exceptions WHERE license_id = $1 AND resolved_at IS NULL ORDER BY id",
        )
        .bind(license_id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut out = BTreeMap::new();
        for r in &rows {
            let class = Class::parse(&r.try_get::<String, _>("class")?)
                .map(Class::label)
                .unwrap_or("discrepancy");
            out.entry(r.try_get::<String, _>("label")?)
                .or_insert_with(|| class.to_string());
        }
        Ok(out)
    }

    /// A person closes an exception with a decision and a reason.
    pub async fn resolve_exception(
        &self,
        caller: &Caller,
        license: &LicenseCtx,
        exception_id: i64,
        decision: Decision,
        reason: &str,
    ) -> Result<()> {
        license.require(Duty::Resolve)?;
        if caller.installation_admin {
            return Err(WbError::Forbidden(
                "only the licensee's people resolve discrepancies".into(),
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 1000 {
            return Err(WbError::Invalid(
                "say why, in at most 1000 characters".into(),
            ));
        }
        let row = sqlx::query(
            "SELECT label, class FROM exceptions WHERE id = $1 AND license_id = $2 AND resolved_at IS NULL",
        )
        .bind(exception_id)
        .bind(license.license_id)
        .fetch_optional(&self.db.pool)
        .await?
        .ok_or_else(|| WbError::NotFound(format!("open exception {exception_id}")))?;
        let label: String = row.try_get("label")?;
        let metrc = self.metrc_packages(license.license_id).await?;
        let mut tx = self.db.begin().await?;
        if decision == Decision::AcceptMetrc {
            match metrc.get(&label) {
                Some(m) => {
                    upsert_expectation(
                        &mut tx,
                        license.license_id,
                        m,
                        &format!("Metrc accepted by {}", caller.username),
                    )
                    .await?
                }
                None => {
                    sqlx::query("DELETE FROM expectations WHERE license_id = $1 AND label = $2")
                        .bind(license.license_id)
                        .bind(&label)
                        .execute(&mut *tx.tx)
                        .await?;
                }
            }
        }
        let words = match decision {
            Decision::AcceptMetrc => "Metrc's record accepted",
            Decision::Explained => "explained",
        };
        sqlx::query("UPDATE exceptions SET resolved_at = $1, resolved_by = $2, resolution = $3 WHERE id = $4")
            .bind(ts(now()))
            .bind(caller.user_id)
            .bind(audit::clip(&format!("{words}: {reason}"), 1000))
            .bind(exception_id)
            .execute(&mut *tx.tx)
            .await?;
        audit::append(
            &mut tx,
            Door::Web,
            Event::new("Resolve discrepancy", format!("{label}: {words}: {reason}"))
                .by(caller)
                .in_license(license),
        )
        .await?;
        tx.commit().await
    }

    /// A person places (or lifts) the workbench's own hold on a package. Sync never changes it;
    /// only a person with the resolve duty lifts it.
    pub async fn set_hold(
        &self,
        caller: &Caller,
        license: &LicenseCtx,
        label: &str,
        hold: bool,
        reason: &str,
    ) -> Result<()> {
        license.require(if hold { Duty::Count } else { Duty::Resolve })?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 1000 {
            return Err(WbError::Invalid(
                "say why, in at most 1000 characters".into(),
            ));
        }
        let mut tx = self.db.begin().await?;
        let n = sqlx::query("UPDATE expectations SET on_hold = $1, source = $2, updated_at = $3 WHERE license_id = $4 AND label = $5")
            .bind(i64::from(hold))
            .bind(audit::clip(&format!("{} by {}", if hold { "hold placed" } else { "hold lifted" }, caller.username), 200))
            .bind(ts(now()))
            .bind(license.license_id)
            .bind(label)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(WbError::NotFound(format!("package {label}")));
        }
        audit::append(
            &mut tx,
            Door::Web,
            Event::new(
                if hold { "Place hold" } else { "Lift hold" },
                format!("{label}: {reason}"),
            )
            .by(caller)
            .in_license(license),
        )
        .await?;
        tx.commit().await
    }
}

fn check_count(label: &str, q: &str, unit: &str) -> Result<()> {
    let l = label.trim();
    if l.is_empty() || l.len() > 200 {
        return Err(WbError::Invalid(
            "a package label is 1 to 200 characters".into(),
        ));
    }
    let d: Decimal = q
        .trim()
        .parse()
        .map_err(|_| WbError::Invalid(format!("{q} is not a quantity")))?;
    if d.is_sign_negative() {
        return Err(WbError::Invalid("a count cannot be below zero".into()));
    }
    if q.len() > 40 {
        return Err(WbError::Invalid(
            "a quantity is at most 40 characters".into(),
        ));
    }
    if tagtrail_domain::quantity::unit(unit).is_none() {
        return Err(WbError::Invalid(format!("{unit} is not a unit of measure")));
    }
    Ok(())
}

pub(crate) async fn upsert_expectation(
    tx: &mut crate::db::WriteTx,
    license_id: i64,
    p: &PackageView,
    source: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO expectations (license_id, label, quantity, unit, location, status, lab_state, on_hold, source, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (license_id, label) DO UPDATE SET quantity = excluded.quantity, unit = excluded.unit, location = excluded.location, status = excluded.status, \
         lab_state = excluded.lab_state, on_hold = excluded.on_hold, source = excluded.source, updated_at = excluded.updated_at",
    )
    .bind(license_id)
    .bind(audit::clip(&p.label, 200))
    .bind(p.quantity.normalize().to_string())
    .bind(audit::clip(&p.unit, 50))
    .bind(p.location.as_deref().map(|l| audit::clip(l, 200)))
    .bind(p.status.as_str())
    .bind(p.lab_state.as_deref().map(|l| audit::clip(l, 50)))
    .bind(i64::from(p.on_hold))
    .bind(audit::clip(source, 200))
    .bind(ts(now()))
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}
