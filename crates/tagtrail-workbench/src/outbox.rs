//! The submission outbox (seed 003 §03: "keep every risky action in draft → review → approved
//! → submitted → accepted state").
//!
//! A submission is a typed intent ([`Intent`]) for one license. Preflight checks it against the
//! last sync before anyone reviews it; `model::submission::decide` says who may move it; the
//! author never approves their own, and approving needs the second factor.
//!
//! **Exactly-once effect.** Metrc's writes are not idempotent: a POST retried after a timeout
//! can create a second package. So the intent is stored before anything is sent; each attempt
//! first takes a lease (two workers never send one submission at once) and counts itself; and an
//! attempt that follows an unanswered one (a timeout, a dropped connection, a 5xx, a crash or
//! kill of the workbench) first asks Metrc, by each row's natural key (the new tag's label, the
//! package's location or finish, the strain's or location's or template's name), which rows are
//! already applied, and sends only the rest. A submission whose every row reads back applied is
//! accepted without sending anything again.

use crate::audit::{self, Door, Event};
use crate::metrc::{Purpose, Session};
use crate::people::{Caller, LicenseCtx};
use crate::reconcile::upsert_expectation;
use crate::{Result, WbError, Workbench, now, parse_ts, ts};
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::time::Timestamp;
use tagtrail_metrc::client::MAX_OBJECTS;
use tagtrail_workbench_model::discrepancy::{PackageView, Status};
use tagtrail_workbench_model::manifest;
use tagtrail_workbench_model::preflight::{self, Intent, Problem, World};
use tagtrail_workbench_model::role::Duty;
use tagtrail_workbench_model::submission::{self, Actor, Facts, Kind, State, Step};
use tagtrail_workbench_model::window::{self, Policy};

/// A submission as pages show it.
#[derive(Debug, Clone)]
pub struct Submission {
    pub id: i64,
    pub license_id: i64,
    pub kind: Kind,
    pub state: State,
    pub title: String,
    pub reason: String,
    pub intent: Intent,
    pub preflight: Vec<Problem>,
    pub author_id: i64,
    pub author: String,
    pub approved_by: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub response_status: Option<i64>,
    pub response_body: Option<String>,
    pub response_sha256: Option<String>,
    /// A manual task's checklist steps ticked so far.
    pub ticks: Vec<crate::manifests::Tick>,
}

const COLUMNS: &str = "s.id, s.license_id, s.kind, s.state, s.title, s.reason, s.intent, s.preflight, s.author_id, a.username AS author, p.username AS approver, s.created_at, s.updated_at, s.attempts, s.last_error, s.response_status, s.response_body, s.response_sha256, s.checklist";

fn submission_of(r: &sqlx::any::AnyRow) -> Result<Submission> {
    let bad = |w: &str| WbError::Invalid(format!("stored submission: {w}"));
    Ok(Submission {
        id: r.try_get("id")?,
        license_id: r.try_get("license_id")?,
        kind: Kind::parse(&r.try_get::<String, _>("kind")?).ok_or_else(|| bad("kind"))?,
        state: State::parse(&r.try_get::<String, _>("state")?).ok_or_else(|| bad("state"))?,
        title: r.try_get("title")?,
        reason: r.try_get("reason")?,
        intent: serde_json::from_str(&r.try_get::<String, _>("intent")?)
            .map_err(|_| bad("intent"))?,
        preflight: serde_json::from_str(&r.try_get::<String, _>("preflight")?)
            .map_err(|_| bad("preflight"))?,
        author_id: r.try_get("author_id")?,
        author: r.try_get("author")?,
        approved_by: r.try_get("approver")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?).unwrap_or_else(now),
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?).unwrap_or_else(now),
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        response_status: r.try_get("response_status")?,
        response_body: r.try_get("response_body")?,
        response_sha256: r.try_get("response_sha256")?,
        ticks: serde_json::from_str(&r.try_get::<String, _>("checklist")?)
            .map_err(|_| bad("checklist"))?,
    })
}

/// The Metrc body of each row of an intent (one JSON object per row).
fn rows_of(intent: &Intent) -> Vec<Value> {
    match intent {
        Intent::CreatePackages(list) | Intent::CreateTestingSamples(list) => list
            .iter()
            .map(|p| {
                json!({
                    "Tag": p.tag, "Item": p.item, "Quantity": p.quantity, "UnitOfMeasure": p.unit,
                    "Location": p.location, "Note": p.note,
                    "ActualDate": now().date_naive().format("%Y-%m-%d").to_string(),
                    "Ingredients": p.ingredients.iter().map(|i| json!({
                        "Package": i.package, "Quantity": i.quantity, "UnitOfMeasure": i.unit
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
        Intent::MovePackages(list) => list
            .iter()
            .map(|m| json!({ "Label": m.label, "Location": m.location, "MoveDate": now().date_naive().format("%Y-%m-%d").to_string() }))
            .collect(),
        Intent::FinishPackages(list) => list
            .iter()
            .map(|l| json!({ "Label": l, "ActualDate": now().date_naive().format("%Y-%m-%d").to_string() }))
            .collect(),
        Intent::DestroyPackages(list) => list
            .iter()
            .map(|x| {
                json!({
                    "Label": x.label, "Quantity": -x.quantity, "UnitOfMeasure": x.unit,
                    "AdjustmentReason": preflight::DESTRUCTION_REASON,
                    "AdjustmentDate": now().date_naive().format("%Y-%m-%d").to_string(),
                    "ReasonNote": audit::clip(
                        &format!("Destroyed: {}; witnessed by {}; {}", x.method, x.witness, x.reason),
                        1000,
                    ),
                })
            })
            .collect(),
        Intent::CreateStrains(names) => names
            .iter()
            .map(|n| json!({ "Name": n, "TestingStatus": "None" }))
            .collect(),
        Intent::CreateLocations(list) => list
            .iter()
            .map(|l| json!({ "Name": l.name, "LocationTypeName": l.location_type }))
            .collect(),
        Intent::OutgoingTransfer(t) => vec![json!({
            "Name": t.name,
            "Destinations": [{
                "RecipientLicenseNumber": t.recipient_license,
                "TransferTypeName": t.transfer_type,
                "Packages": package_lines(t),
            }],
        })],
        // The template's shape, which tagtrail's register extension takes.
        Intent::RegisterManifest(m) => {
            let (t, x) = (&m.transfer, &m.transport);
            vec![json!({
                "Name": t.name,
                "TransporterFacilityLicenseNumber": x.transporter_license,
                "DriverName": x.driver_name,
                "DriverOccupationalLicenseNumber": x.driver_occupational_license,
                "DriverLicenseNumber": x.driver_license,
                "PhoneNumberForQuestions": x.phone_for_questions,
                "VehicleMake": x.vehicle_make,
                "VehicleModel": x.vehicle_model,
                "VehicleLicensePlateNumber": x.vehicle_plate,
                "Destinations": [{
                    "RecipientLicenseNumber": t.recipient_license,
                    "TransferTypeName": t.transfer_type,
                    "EstimatedDepartureDateTime": x.estimated_departure,
                    "EstimatedArrivalDateTime": x.estimated_arrival,
                    "Transporters": [],
                    "Packages": package_lines(t),
                }],
            })]
        }
        Intent::TakeBack(t) => vec![json!({ "TransferId": t.transfer_id })],
        Intent::ReceiveDelivery(r) => r
            .lines
            .iter()
            .map(|l| {
                json!({
                    "PackageLabel": l.label, "Accepted": l.accept,
                    "ReceivedQuantity": l.received_quantity, "RejectionReason": l.reason,
                })
            })
            .collect(),
    }
}

/// A transfer's package lines, each with its wholesale price when it has one.
fn package_lines(t: &tagtrail_workbench_model::preflight::TransferDraft) -> Vec<Value> {
    t.packages
        .iter()
        .map(|l| match t.wholesale_prices.get(l) {
            Some(p) => json!({ "PackageLabel": l, "WholesalePrice": p }),
            None => json!({ "PackageLabel": l }),
        })
        .collect()
}

/// The path a submission is sent to (the delivery's id in a receipt's path).
fn path_of(intent: &Intent) -> String {
    let path = intent.kind().endpoint().1;
    match intent {
        Intent::ReceiveDelivery(r) => path.replace("{id}", &r.delivery_id.to_string()),
        _ => path.to_string(),
    }
}

fn method_of(kind: Kind) -> Method {
    match kind.endpoint().0 {
        "PUT" => Method::PUT,
        _ => Method::POST,
    }
}

fn lower(s: &str) -> String {
    s.trim().to_lowercase()
}

/// What `deliver` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Metrc applied it (its answer, or the natural keys read back after an unanswered try).
    Accepted,
    /// Metrc refused it; nothing was applied.
    Rejected,
    /// No answer this time (timeout, dropped connection, 5xx, 429 after retries); it stays
    /// submitted and the next attempt checks before sending.
    Pending(String),
    /// Another worker holds the lease, or it is not submitted.
    NotMine,
}

impl Workbench {
    /// What preflight knows of a license: the last sync's packages, tags, items, locations,
    /// strains and the key holder's permissions, and the open discrepancies; for a receipt, the
    /// incoming deliveries too.
    pub async fn preflight_world(&self, license: &LicenseCtx, intent: &Intent) -> Result<World> {
        let kind = intent.kind();
        let mut w = World {
            packages: self.metrc_packages(license.license_id).await?,
            open_discrepancies: self.open_discrepancies(license.license_id).await?,
            ..World::default()
        };
        if kind == Kind::ReceiveDelivery {
            w.incoming = self.incoming_deliveries(license).await?;
        }
        if kind == Kind::TakeBackRejected {
            w.rejected = self.rejected_outgoing(license).await?;
        }
        if kind == Kind::RegisterManifest {
            // The company's own licenses are the transporters the workbench knows.
            for l in self
                .all_licenses()
                .await?
                .into_iter()
                .filter(|l| l.company_id == license.company_id)
            {
                let drivers = self
                    .records(&l, "driver")
                    .await?
                    .iter()
                    .filter_map(|(_, d)| d.get("DriversLicenseNumber").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect();
                w.transporters.insert(
                    l.number.clone(),
                    preflight::KnownTransporter {
                        distributor: l.kind.to_ascii_lowercase().contains("distributor"),
                        drivers,
                    },
                );
            }
        }
        if matches!(
            kind,
            Kind::OutgoingTransferTemplate | Kind::RegisterManifest
        ) {
            // Only the transfer's own packages are looked up (at most 200), not every lot.
            let labels = match intent {
                Intent::OutgoingTransfer(t) => t.packages.as_slice(),
                Intent::RegisterManifest(m) => m.transfer.packages.as_slice(),
                _ => &[],
            };
            w.sellable = Some(self.sellable_among(license, labels).await?);
        }
        // A hold a person placed in the workbench holds here too, whatever Metrc says.
        for (label, e) in self.expectations(license.license_id).await? {
            if e.on_hold
                && let Some(p) = w.packages.get_mut(&label)
            {
                p.on_hold = true;
            }
        }
        let rows = sqlx::query(
            "SELECT entity, record_key, label, data FROM metrc_records WHERE license_id = $1 AND entity IN ('tag', 'item', 'location', 'strain', 'permissions')",
        )
        .bind(license.license_id)
        .fetch_all(&self.db.pool)
        .await?;
        for r in &rows {
            let entity: String = r.try_get("entity")?;
            let data: Value =
                serde_json::from_str(&r.try_get::<String, _>("data")?).unwrap_or(Value::Null);
            let name = data.get("Name").and_then(Value::as_str).map(str::to_string);
            match entity.as_str() {
                "tag" => {
                    if let Some(l) = r.try_get::<Option<String>, _>("label")? {
                        w.available_tags.insert(l);
                    }
                }
                "item" => w.items.extend(name),
                "location" => w.locations.extend(name),
                "strain" => w.strains.extend(name),
                _ => {
                    let perms: BTreeSet<Permission> = data
                        .get("Permissions")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_str)
                                .filter_map(Permission::parse)
                                .collect()
                        })
                        .unwrap_or_default();
                    w.permissions = Some(perms);
                }
            }
        }
        Ok(w)
    }

    /// The destruction of `labels` whole, as the last sync saw them (a label not synced is
    /// kept with nothing, for preflight to name).
    pub async fn destruction_of(
        &self,
        license: &LicenseCtx,
        labels: &[String],
        method: &str,
        witness: &str,
        reason: &str,
    ) -> Result<Intent> {
        let synced = self.metrc_packages(license.license_id).await?;
        Ok(Intent::DestroyPackages(
            labels
                .iter()
                .map(|l| {
                    let p = synced.get(l);
                    preflight::Destruction {
                        label: l.clone(),
                        quantity: p.map(|p| p.quantity).unwrap_or_default(),
                        unit: p.map(|p| p.unit.clone()).unwrap_or_default(),
                        method: method.trim().to_string(),
                        witness: witness.trim().to_string(),
                        reason: reason.trim().to_string(),
                    }
                })
                .collect(),
        ))
    }

    /// Writes a draft. Its preflight runs now and again when it goes to review.
    pub async fn draft(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        title: &str,
        reason: &str,
        intent: Intent,
    ) -> Result<i64> {
        if caller.installation_admin {
            return Err(WbError::Forbidden(
                "installation administrators do not prepare compliance submissions".into(),
            ));
        }
        license.require(Duty::Draft)?;
        let title = title.trim();
        let reason = reason.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(WbError::Invalid("a title is 1 to 200 characters".into()));
        }
        if reason.is_empty() || reason.chars().count() > 1000 {
            return Err(WbError::Invalid("say why, in 1 to 1000 characters".into()));
        }
        if intent.rows() > 1000 {
            return Err(WbError::Invalid(
                "a submission holds at most 1,000 rows".into(),
            ));
        }
        let world = self.preflight_world(license, &intent).await?;
        let problems = preflight::check(&intent, &world);
        let intent_json =
            serde_json::to_string(&intent).map_err(|e| WbError::Invalid(e.to_string()))?;
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO submissions (company_id, license_id, kind, state, title, reason, intent, preflight, author_id, created_at, updated_at) \
             VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(license.company_id)
        .bind(license.license_id)
        .bind(intent.kind().as_str())
        .bind(title)
        .bind(reason)
        .bind(&intent_json)
        .bind(serde_json::to_string(&problems).unwrap_or_else(|_| "[]".into()))
        .bind(caller.user_id)
        .bind(&at)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        // A receipt's counts on arrival are evidence from the moment they are taken: kept as
        // physical counts, which reconciliation compares with Metrc once the packages are this
        // license's.
        if let Intent::ReceiveDelivery(r) = &intent {
            let delivered = world.incoming.get(&r.delivery_id);
            for l in &r.lines {
                let (Some(counted), Some(p)) =
                    (l.counted, delivered.and_then(|d| d.packages.get(&l.label)))
                else {
                    continue;
                };
                sqlx::query(
                    "INSERT INTO physical_counts (license_id, label, quantity, unit, counted_by, counted_at, source) VALUES ($1, $2, $3, $4, $5, $6, 'screen')",
                )
                .bind(license.license_id)
                .bind(&l.label)
                .bind(counted.normalize().to_string())
                .bind(audit::clip(&p.unit, 50))
                .bind(caller.user_id)
                .bind(&at)
                .execute(&mut *tx.tx)
                .await?;
            }
        }
        audit::append(
            &mut tx,
            door,
            Event::new("Draft submission", format!("#{id} {title}: {reason}"))
                .by(caller)
                .in_license(license)
                .request(intent_json),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One submission, if it belongs to the license.
    pub async fn submission(&self, license: &LicenseCtx, id: i64) -> Result<Submission> {
        let r = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM submissions s JOIN users a ON a.id = s.author_id LEFT JOIN users p ON p.id = s.approved_by WHERE s.id = $1 AND s.license_id = $2"
        ))
        .bind(id)
        .bind(license.license_id)
        .fetch_optional(&self.db.pool)
        .await?
        .ok_or_else(|| WbError::NotFound(format!("submission {id}")))?;
        submission_of(&r)
    }

    /// The license's submissions, newest first, optionally in one state.
    pub async fn submissions(
        &self,
        license: &LicenseCtx,
        state: Option<State>,
        limit: i64,
    ) -> Result<Vec<Submission>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM submissions s JOIN users a ON a.id = s.author_id LEFT JOIN users p ON p.id = s.approved_by \
             WHERE s.license_id = $1 AND ($2 = '' OR s.state = $2) ORDER BY s.id DESC LIMIT $3"
        ))
        .bind(license.license_id)
        .bind(state.map(State::as_str).unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(submission_of).collect()
    }

    /// Counts per state (for the dashboard).
    pub async fn submission_counts(
        &self,
        license: &LicenseCtx,
    ) -> Result<BTreeMap<&'static str, i64>> {
        let rows = sqlx::query(
            "SELECT state, COUNT(*) AS n FROM submissions WHERE license_id = $1 GROUP BY state",
        )
        .bind(license.license_id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut out = BTreeMap::new();
        for r in &rows {
            if let Some(s) = State::parse(&r.try_get::<String, _>("state")?) {
                out.insert(s.as_str(), r.try_get::<i64, _>("n")?);
            }
        }
        Ok(out)
    }

    /// A person moves a submission one step. Sending to review re-runs preflight; approving
    /// needs a second factor confirmed within `second_factor_lifetime`.
    pub async fn step(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        id: i64,
        step: Step,
        note: &str,
    ) -> Result<State> {
        let sub = self.submission(license, id).await?;
        let mut problems = sub.preflight.clone();
        if step == Step::SendToReview {
            problems = preflight::check(
                &sub.intent,
                &self.preflight_world(license, &sub.intent).await?,
            );
        }
        let actor = if caller.installation_admin {
            Actor::Installation {
                user_id: caller.user_id,
            }
        } else {
            Actor::Person {
                user_id: caller.user_id,
                roles: license.roles.clone(),
                second_factor: caller.second_factor_fresh(self),
            }
        };
        let facts = Facts {
            author_id: sub.author_id,
            preflight_passed: problems.is_empty(),
            manual_task: self.is_manual_task(license, sub.kind).await?,
        };
        let to = submission::decide(sub.state, step, &actor, facts)
            .map_err(|r| WbError::Forbidden(r.to_string()))?;
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        let changed = sqlx::query(
            "UPDATE submissions SET state = $1, updated_at = $2, preflight = $3, \
             approved_by = CASE WHEN $1 = 'approved' THEN $4 WHEN $1 = 'draft' THEN NULL ELSE approved_by END, \
             approved_at = CASE WHEN $1 = 'approved' THEN $2 WHEN $1 = 'draft' THEN NULL ELSE approved_at END, \
             submitted_by = CASE WHEN $1 = 'submitted' THEN $4 ELSE submitted_by END, \
             submitted_at = CASE WHEN $1 = 'submitted' THEN $2 ELSE submitted_at END, \
             finished_at = CASE WHEN $1 = 'withdrawn' THEN $2 ELSE finished_at END \
             WHERE id = $5 AND state = $6",
        )
        .bind(to.as_str())
        .bind(&at)
        .bind(serde_json::to_string(&problems).unwrap_or_else(|_| "[]".into()))
        .bind(caller.user_id)
        .bind(id)
        .bind(sub.state.as_str())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(WbError::Conflict(format!(
                "submission {id} changed while you were looking at it; reload and try again"
            )));
        }
        let note = note.trim();
        let reason = if note.is_empty() {
            format!(
                "#{id} {}: {} → {}",
                sub.title,
                sub.state.label(),
                to.label()
            )
        } else {
            format!(
                "#{id} {}: {} → {}: {note}",
                sub.title,
                sub.state.label(),
                to.label()
            )
        };
        let action = match step {
            Step::SendToReview => "Send to review",
            Step::Approve => "Approve submission",
            Step::SendBack => "Send back",
            Step::Withdraw => "Withdraw submission",
            Step::Submit => "Submit to Metrc",
            Step::Accept | Step::Reject => "Metrc answer",
        };
        let mut ev = Event::new(action, reason).by(caller).in_license(license);
        if step == Step::Submit {
            ev.endpoint = Some(self.endpoint_words(license, &sub.intent).await?);
        }
        audit::append(&mut tx, door, ev).await?;
        tx.commit().await?;
        Ok(to)
    }

    /// Sends every submitted submission whose lease is free (the outbox worker's loop body).
    pub async fn deliver_pending(&self) -> Result<Vec<(i64, Delivery)>> {
        let rows = sqlx::query(
            "SELECT s.id, l.license_number FROM submissions s JOIN licenses l ON l.id = s.license_id JOIN companies c ON c.id = s.company_id \
             WHERE s.state = 'submitted' AND (s.lease_until IS NULL OR s.lease_until < $1) \
             AND (c.ledger_extensions = 1 OR s.kind NOT IN ('register_manifest', 'receive_delivery')) ORDER BY s.id",
        )
        .bind(ts(now()))
        .fetch_all(&self.db.pool)
        .await?;
        let licenses: BTreeMap<String, LicenseCtx> = self
            .all_licenses()
            .await?
            .into_iter()
            .map(|l| (l.number.clone(), l))
            .collect();
        // A few at a time: each waits mostly on Metrc and on its own commits, and the lease
        // keeps any two workers off the same submission.
        let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(
            self.config.outbox_concurrency.max(1),
        ));
        let mut tasks = tokio::task::JoinSet::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let number: String = r.try_get("license_number")?;
            let Some(l) = licenses.get(&number).cloned() else {
                continue;
            };
            let wb = self.clone();
            let gate = gate.clone();
            tasks.spawn(async move {
                let _permit = gate.acquire_owned().await;
                let d = match wb.deliver(&l, id).await {
                    Ok(d) => d,
                    Err(e) => Delivery::Pending(e.to_string()),
                };
                (id, d)
            });
        }
        let mut out = vec![];
        while let Some(done) = tasks.join_next().await {
            if let Ok(d) = done {
                out.push(d);
            }
        }
        out.sort_by_key(|d| d.0);
        Ok(out)
    }

    /// One attempt to get a submitted submission applied exactly once.
    pub async fn deliver(&self, license: &LicenseCtx, id: i64) -> Result<Delivery> {
        // A manual task against Metrc is the person's to do; a sync confirms it.
        let kind: Option<String> = sqlx::query("SELECT kind FROM submissions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?
            .map(|r| r.try_get("kind"))
            .transpose()?;
        if kind
            .as_deref()
            .and_then(Kind::parse)
            .is_some_and(Kind::manual_in_metrc)
            && !self.ledger_extensions(license.company_id).await?
        {
            return Ok(Delivery::NotMine);
        }
        let lease = ts(now() + self.config.submission_lease);
        let at = ts(now());
        // When the previous attempt started: if it was applied, it was applied between the
        // first attempt and the previous one's deadline, which bounds the read-back.
        let before = sqlx::query("SELECT last_attempt_at FROM submissions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?
            .map(|r| r.try_get::<Option<String>, _>("last_attempt_at"))
            .transpose()?
            .flatten()
            .as_deref()
            .and_then(parse_ts);
        // Take the lease and count the attempt before sending: if this process dies after
        // sending, the next attempt knows one may have reached Metrc.
        let took = sqlx::query(
            "UPDATE submissions SET lease_until = $1, attempts = attempts + 1, last_attempt_at = $2, first_attempt_at = COALESCE(first_attempt_at, $2) \
             WHERE id = $3 AND license_id = $4 AND state = 'submitted' AND (lease_until IS NULL OR lease_until < $2)",
        )
        .bind(&lease)
        .bind(&at)
        .bind(id)
        .bind(license.license_id)
        .execute(&self.db.pool)
        .await?
        .rows_affected();
        if took == 0 {
            return Ok(Delivery::NotMine);
        }
        let sub = self.submission(license, id).await?;
        let first_attempt: Option<String> =
            sqlx::query("SELECT first_attempt_at FROM submissions WHERE id = $1")
                .bind(id)
                .fetch_one(&self.db.pool)
                .await?
                .try_get("first_attempt_at")?;
        let since = first_attempt
            .as_deref()
            .and_then(parse_ts)
            .unwrap_or_else(now);
        let session = self
            .metrc(
                license,
                Purpose {
                    user_id: None,
                    sync_run_id: None,
                    submission_id: Some(id),
                },
            )
            .await?;
        // The previous attempt's effect, if any, was committed before its answer was due; the
        // window's overlap covers a server clock that differs from ours.
        let until = before.map(|t| {
            t + chrono::TimeDelta::from_std(self.config.request_timeout).unwrap_or_default()
        });
        let result = self.attempt(license, &session, &sub, since, until).await;
        session.flush(self).await?;
        match result {
            Ok(Answer::Applied { status, body, note }) => {
                self.finish(license, &sub, State::Accepted, status, &body, note)
                    .await?;
                Ok(Delivery::Accepted)
            }
            Ok(Answer::Refused { status, body }) => {
                self.finish(license, &sub, State::Rejected, Some(status), &body, None)
                    .await?;
                Ok(Delivery::Rejected)
            }
            Ok(Answer::Unanswered(why)) | Err(WbError::Metrc(why)) => {
                sqlx::query(
                    "UPDATE submissions SET lease_until = NULL, last_error = $1 WHERE id = $2",
                )
                .bind(audit::clip(&why, 4000))
                .bind(id)
                .execute(&self.db.pool)
                .await?;
                Ok(Delivery::Pending(why))
            }
            Err(e) => {
                sqlx::query(
                    "UPDATE submissions SET lease_until = NULL, last_error = $1 WHERE id = $2",
                )
                .bind(audit::clip(&e.to_string(), 4000))
                .bind(id)
                .execute(&self.db.pool)
                .await?;
                Err(e)
            }
        }
    }

    /// Checks what is already applied (after an unanswered attempt), then sends the rest in
    /// chunks of Metrc's object limit.
    async fn attempt(
        &self,
        license: &LicenseCtx,
        session: &Session,
        sub: &Submission,
        since: Timestamp,
        until: Option<Timestamp>,
    ) -> Result<Answer> {
        let rows = rows_of(&sub.intent);
        let mut applied = BTreeSet::new();
        if sub.attempts > 1 {
            applied = self
                .applied_rows(
                    license,
                    session,
                    &sub.intent,
                    since,
                    until.unwrap_or_else(now),
                )
                .await?;
        }
        let (method, path) = (method_of(sub.kind), path_of(&sub.intent));
        let path = path.as_str();
        let pending: Vec<usize> = (0..rows.len()).filter(|i| !applied.contains(i)).collect();
        if pending.is_empty() {
            return Ok(Answer::Applied {
                status: None,
                body: String::new(),
                note: Some(format!(
                    "every row was found applied on Metrc after {} unanswered attempt(s); nothing was sent again",
                    sub.attempts - 1
                )),
            });
        }
        let mut bodies = vec![];
        let mut last_status = 200;
        for chunk in pending.chunks(MAX_OBJECTS) {
            let body = Value::Array(chunk.iter().map(|i| rows[*i].clone()).collect());
            let sent = session
                .client
                .exchange(
                    method.clone(),
                    path,
                    &[("licenseNumber", license.number.clone())],
                    Some(&body),
                )
                .await;
            match sent {
                Err(e) => return Ok(Answer::Unanswered(format!("no answer from Metrc: {e}"))),
                Ok((status, text)) if (200..300).contains(&status) => {
                    last_status = status;
                    bodies.push(text);
                }
                Ok((status, text)) if status == 429 || status >= 500 => {
                    return Ok(Answer::Unanswered(format!(
                        "Metrc answered {status}: {}",
                        audit::clip(&text, 500)
                    )));
                }
                Ok((status, text)) => {
                    // A 4xx: Metrc refused this chunk and applied none of it. Earlier chunks,
                    // if any, were applied; the refusal names the rows as Metrc counted them.
                    if bodies.is_empty() && applied.is_empty() {
                        return Ok(Answer::Refused { status, body: text });
                    }
                    return Ok(Answer::Refused {
                        status,
                        body: format!(
                            "{text}\n(earlier parts of this submission were applied: {} of {} rows)",
                            applied.len() + bodies.len() * MAX_OBJECTS,
                            rows.len()
                        ),
                    });
                }
            }
        }
        let note = (!applied.is_empty()).then(|| {
            format!(
                "{} row(s) were found applied after an unanswered attempt and were not sent again",
                applied.len()
            )
        });
        Ok(Answer::Applied {
            status: Some(last_status),
            body: bodies.join("\n"),
            note,
        })
    }

    /// Which rows of `intent` Metrc already shows applied, by their natural keys.
    async fn applied_rows(
        &self,
        license: &LicenseCtx,
        session: &Session,
        intent: &Intent,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<BTreeSet<usize>> {
        let q = [("licenseNumber", license.number.clone())];
        let mut out = BTreeSet::new();
        let by_label = |label: &str| format!("/packages/v2/{label}");
        match intent {
            Intent::CreatePackages(list) | Intent::CreateTestingSamples(list) => {
                for (i, p) in list.iter().enumerate() {
                    if self
                        .read_package(session, &by_label(&p.tag), &q)
                        .await?
                        .is_some()
                    {
                        out.insert(i);
                    }
                }
            }
            Intent::MovePackages(list) => {
                for (i, m) in list.iter().enumerate() {
                    if let Some(v) = self.read_package(session, &by_label(&m.label), &q).await?
                        && v.get("LocationName").and_then(Value::as_str).map(lower)
                            == Some(lower(&m.location))
                    {
                        out.insert(i);
                    }
                }
            }
            Intent::FinishPackages(list) => {
                for (i, l) in list.iter().enumerate() {
                    if let Some(v) = self.read_package(session, &by_label(l), &q).await?
                        && (v.get("IsFinished").and_then(Value::as_bool) == Some(true)
                            || v.get("FinishedDate").and_then(Value::as_str).is_some())
                    {
                        out.insert(i);
                    }
                }
            }
            // A destruction empties the package: its natural key is a quantity of zero.
            Intent::DestroyPackages(list) => {
                for (i, x) in list.iter().enumerate() {
                    if let Some(v) = self.read_package(session, &by_label(&x.label), &q).await?
                        && v.get("Quantity").and_then(Value::as_f64) == Some(0.0)
                    {
                        out.insert(i);
                    }
                }
            }
            Intent::CreateStrains(names) => {
                let seen = self
                    .names_modified_between(session, "/strains/v2/active", &q, since, until)
                    .await?;
                for (i, n) in names.iter().enumerate() {
                    if seen.contains(&lower(n)) {
                        out.insert(i);
                    }
                }
            }
            Intent::CreateLocations(list) => {
                let seen = self
                    .names_modified_between(session, "/locations/v2/active", &q, since, until)
                    .await?;
                for (i, l) in list.iter().enumerate() {
                    if seen.contains(&lower(&l.name)) {
                        out.insert(i);
                    }
                }
            }
            Intent::OutgoingTransfer(t) => {
                let seen = self
                    .names_modified_between(
                        session,
                        "/transfers/v2/templates/outgoing",
                        &q,
                        since,
                        until,
                    )
                    .await?;
                if seen.contains(&lower(&t.name)) {
                    out.insert(0);
                }
            }
            Intent::RegisterManifest(m) => {
                let seen = self
                    .outgoing_deliveries_live(session, &q, since, until)
                    .await?;
                if manifest::registered(&m.transfer.recipient_license, &m.transfer.packages, &seen)
                    .is_some()
                {
                    out.insert(0);
                }
            }
            Intent::TakeBack(t) => {
                let d = self.delivery_live(session, t.delivery_id).await?;
                let states = d.packages.into_iter().map(|(l, p)| (l, p.state)).collect();
                if manifest::taken_back(t, &states) {
                    out.insert(0);
                }
            }
            Intent::ReceiveDelivery(r) => {
                let d = self.delivery_live(session, r.delivery_id).await?;
                let seen = BTreeMap::from([(r.delivery_id, d)]);
                // A receipt is applied whole or not at all (rule 44).
                if manifest::received(r, &seen) {
                    out.extend(0..r.lines.len());
                }
            }
        }
        Ok(out)
    }

    /// What the audit log names as a submission's endpoint: the method and path, or the manual
    /// task in Metrc's web UI.
    async fn endpoint_words(&self, license: &LicenseCtx, intent: &Intent) -> Result<String> {
        let kind = intent.kind();
        if kind.manual_in_metrc() && !self.ledger_extensions(license.company_id).await? {
            return Ok(format!(
                "Metrc web UI (manual task: {})",
                kind.label().to_lowercase()
            ));
        }
        Ok(format!("{} {}", kind.endpoint().0, path_of(intent)))
    }

    async fn read_package(
        &self,
        session: &Session,
        path: &str,
        q: &[(&str, String)],
    ) -> Result<Option<Value>> {
        match session.client.exchange(Method::GET, path, q, None).await {
            Ok((200, text)) => Ok(serde_json::from_str(&text).ok()),
            Ok((404, _)) => Ok(None),
            Ok((status, text)) => Err(WbError::Metrc(format!(
                "checking {path} answered {status}: {}",
                audit::clip(&text, 300)
            ))),
            Err(e) => Err(WbError::Metrc(format!("checking {path}: {e}"))),
        }
    }

    /// Names of records modified between the first attempt and the previous attempt's deadline
    /// (widened by the overlap either side, for clock drift), window by window.
    async fn names_modified_between(
        &self,
        session: &Session,
        path: &str,
        q: &[(&str, String)],
        since: Timestamp,
        until: Timestamp,
    ) -> Result<BTreeSet<String>> {
        let policy: Policy = self.config.window;
        let mut out = BTreeSet::new();
        // Never past now: a server answers a window that ends in its future only once it gets
        // there (tagtrail's ledger waits, so that the answer is complete).
        let end = (until + policy.overlap).min(now());
        for w in window::plan(since - policy.overlap, end, &policy) {
            let mut query = q.to_vec();
            query.push(("lastModifiedStart", ts(w.start)));
            query.push(("lastModifiedEnd", ts(w.end)));
            let all: Vec<Value> = session
                .client
                .get_all(path, &query)
                .await
                .map_err(|e| WbError::Metrc(format!("checking {path}: {e}")))?;
            out.extend(
                all.iter()
                    .filter_map(|v| v.get("Name").and_then(Value::as_str))
                    .map(lower),
            );
        }
        Ok(out)
    }

    /// Records Metrc's answer: the state, the evidence, the audit entry, and on acceptance what
    /// the workbench now expects of the packages it touched.
    pub(crate) async fn finish(
        &self,
        license: &LicenseCtx,
        sub: &Submission,
        to: State,
        status: Option<u16>,
        body: &str,
        note: Option<String>,
    ) -> Result<()> {
        let step = if to == State::Accepted {
            Step::Accept
        } else {
            Step::Reject
        };
        submission::decide(
            sub.state,
            step,
            &Actor::Automation,
            Facts {
                author_id: sub.author_id,
                preflight_passed: true,
                manual_task: false,
            },
        )
        .map_err(|r| WbError::Conflict(r.to_string()))?;
        let sha = (!body.is_empty())
            .then(|| tagtrail_workbench_model::chain::sha256_hex(body.as_bytes()));
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        let n = sqlx::query(
            "UPDATE submissions SET state = $1, updated_at = $2, finished_at = $2, lease_until = NULL, response_status = $3, response_body = $4, response_sha256 = $5, last_error = $6 \
             WHERE id = $7 AND state = 'submitted'",
        )
        .bind(to.as_str())
        .bind(&at)
        .bind(status.map(i64::from))
        .bind(audit::clip(body, 200_000))
        .bind(&sha)
        .bind(&note)
        .bind(sub.id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(WbError::Conflict(format!(
                "submission {} is no longer submitted",
                sub.id
            )));
        }
        if to == State::Accepted {
            self.expect_effect(&mut tx, license, &sub.intent, sub.id)
                .await?;
            self.batch_submission_accepted(&mut tx, license, sub.id)
                .await?;
        }
        let mut ev = Event::new(
            "Metrc answer",
            format!(
                "#{} {}: {}{}",
                sub.id,
                sub.title,
                to.label(),
                note.map(|n| format!(" ({n})")).unwrap_or_default()
            ),
        )
        .in_license(license);
        ev.endpoint = Some(self.endpoint_words(license, &sub.intent).await?);
        ev.request = Some(Value::Array(rows_of(&sub.intent)).to_string());
        ev.response_status = status.map(i64::from);
        ev.response_sha256 = sha;
        audit::append(&mut tx, Door::Outbox, ev).await?;
        tx.commit().await
    }

    async fn expect_effect(
        &self,
        tx: &mut crate::db::WriteTx,
        license: &LicenseCtx,
        intent: &Intent,
        id: i64,
    ) -> Result<()> {
        let mut expected = self.expectations(license.license_id).await?;
        let source = format!("submission #{id}");
        let mut touched: BTreeMap<String, PackageView> = BTreeMap::new();
        match intent {
            Intent::CreatePackages(list) | Intent::CreateTestingSamples(list) => {
                for p in list {
                    for ing in &p.ingredients {
                        if let Some(src) = expected.get_mut(&ing.package) {
                            let (Some(from), Some(to)) = (
                                tagtrail_domain::quantity::unit(&ing.unit),
                                tagtrail_domain::quantity::unit(&src.unit),
                            ) else {
                                continue;
                            };
                            if let Ok(take) =
                                tagtrail_domain::quantity::convert(ing.quantity, from, to)
                            {
                                src.quantity = (src.quantity - take).max(Decimal::ZERO);
                                touched.insert(src.label.clone(), src.clone());
                            }
                        }
                    }
                    touched.insert(
                        p.tag.clone(),
                        PackageView {
                            label: p.tag.clone(),
                            quantity: p.quantity,
                            unit: p.unit.clone(),
                            location: p.location.clone(),
                            status: Status::Active,
                            lab_state: None,
                            on_hold: false,
                        },
                    );
                }
            }
            Intent::MovePackages(list) => {
                for m in list {
                    if let Some(e) = expected.get_mut(&m.label) {
                        e.location = Some(m.location.clone());
                        touched.insert(m.label.clone(), e.clone());
                    }
                }
            }
            Intent::FinishPackages(list) => {
                for l in list {
                    if let Some(e) = expected.get_mut(l) {
                        e.status = Status::Inactive;
                        touched.insert(l.clone(), e.clone());
                    }
                }
            }
            // Back in this license's active inventory.
            Intent::TakeBack(t) => {
                for l in &t.labels {
                    if let Some(e) = expected.get_mut(l) {
                        e.status = Status::Active;
                        touched.insert(l.clone(), e.clone());
                    }
                }
            }
            Intent::DestroyPackages(list) => {
                for x in list {
                    if let Some(e) = expected.get_mut(&x.label) {
                        e.quantity = Decimal::ZERO;
                        touched.insert(x.label.clone(), e.clone());
                    }
                }
            }
            Intent::ReceiveDelivery(r) => {
                // What was accepted is now this license's, at the quantity received.
                let delivered = self.incoming_deliveries(license).await?;
                let shipped = delivered.get(&r.delivery_id);
                for l in r.lines.iter().filter(|l| l.accept) {
                    let p = shipped.and_then(|d| d.packages.get(&l.label));
                    touched.insert(
                        l.label.clone(),
                        PackageView {
                            label: l.label.clone(),
                            quantity: l
                                .received_quantity
                                .or(p.map(|p| p.shipped_quantity))
                                .unwrap_or_default(),
                            unit: p.map(|p| p.unit.clone()).unwrap_or_default(),
                            location: None,
                            status: Status::Active,
                            lab_state: None,
                            on_hold: false,
                        },
                    );
                }
            }
            Intent::CreateStrains(_)
            | Intent::CreateLocations(_)
            | Intent::OutgoingTransfer(_)
            | Intent::RegisterManifest(_) => {}
        }
        for p in touched.values() {
            upsert_expectation(tx, license.license_id, p, &source).await?;
        }
        Ok(())
    }
}

enum Answer {
    Applied {
        status: Option<u16>,
        body: String,
        note: Option<String>,
    },
    Refused {
        status: u16,
        body: String,
    },
    Unanswered(String),
}
