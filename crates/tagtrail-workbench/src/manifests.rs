//! Manifest tasks (issue 10; the rules are `model::manifest`'s): registering an outgoing
//! manifest and receiving an incoming delivery, the two steps Metrc's v2 API has no endpoint
//! for.
//!
//! Both are submissions and pass the same review. Once submitted:
//! - against Metrc (the company's `ledger_extensions` off), the submission is a **manual task**:
//!   its page shows the checklist to work through in Metrc's web UI, each step ticked by the
//!   person who did it (audited), and only a sync that shows the effect accepts it
//!   ([`Workbench::confirm_manual_tasks`], run at the end of every license sync). Ticking every
//!   step accepts nothing: Metrc's state is the evidence, not the checklist;
//! - against a tagtrail ledger (`ledger_extensions` on), the outbox sends it to the ledger's
//!   `/tagtrail/v1` extension and reads it back by its natural key like any other write.

use crate::audit::{self, Door, Event};
use crate::metrc::Session;
use crate::outbox::Submission;
use crate::people::{Caller, LicenseCtx};
use crate::{Result, WbError, Workbench, now, ts};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use tagtrail_domain::time::Timestamp;
use tagtrail_workbench_model::manifest::{
    self, DeliveredPackage, IncomingDelivery, OutgoingDelivery, Rejected,
};
use tagtrail_workbench_model::preflight::Intent;
use tagtrail_workbench_model::role::Duty;
use tagtrail_workbench_model::submission::{Kind, State};
use tagtrail_workbench_model::window::{self, Policy};

/// One checklist step ticked: which, by whom, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tick {
    pub step: usize,
    pub by: String,
    pub at: String,
}

/// The steps of a manual task, or none for a submission the outbox sends itself.
pub fn checklist(license: &LicenseCtx, intent: &Intent) -> Vec<String> {
    match intent {
        Intent::RegisterManifest(m) => manifest::register_checklist(&license.number, m),
        Intent::ReceiveDelivery(r) => manifest::receive_checklist(&license.number, r),
        Intent::TakeBack(t) => manifest::take_back_checklist(&license.number, t),
        _ => vec![],
    }
}

fn text(v: &Value, k: &str) -> String {
    match v.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn decimal(v: &Value, k: &str) -> Decimal {
    match v.get(k) {
        Some(Value::Number(n)) => n.to_string().parse().unwrap_or_default(),
        Some(Value::String(s)) => s.parse().unwrap_or_default(),
        _ => Decimal::ZERO,
    }
}

fn delivered(p: &Value) -> DeliveredPackage {
    DeliveredPackage {
        shipped_quantity: decimal(p, "ShippedQuantity"),
        unit: text(p, "ShippedUnitOfMeasureName"),
        state: text(p, "ShipmentPackageState"),
    }
}

impl Workbench {
    /// Whether the company's Metrc URL is a tagtrail ledger whose `/tagtrail/v1` extensions
    /// the outbox uses for the manifest steps.
    pub async fn ledger_extensions(&self, company_id: i64) -> Result<bool> {
        let on: Option<i64> = sqlx::query("SELECT ledger_extensions FROM companies WHERE id = $1")
            .bind(company_id)
            .fetch_optional(&self.db.pool)
            .await?
            .map(|r| r.try_get("ledger_extensions"))
            .transpose()?;
        Ok(on == Some(1))
    }

    /// Whether a submission of `kind` is a manual task in this license's company (a step
    /// Metrc's API lacks, and a Metrc that is not a tagtrail ledger).
    pub async fn is_manual_task(&self, license: &LicenseCtx, kind: Kind) -> Result<bool> {
        Ok(kind.manual_in_metrc() && !self.ledger_extensions(license.company_id).await?)
    }

    /// Says whether the company's Metrc is a tagtrail ledger (installation administrators only:
    /// it is part of connecting the company, like its URL).
    pub async fn set_ledger_extensions(
        &self,
        caller: &Caller,
        door: Door,
        company_id: i64,
        on: bool,
    ) -> Result<()> {
        if !caller.installation_admin {
            return Err(WbError::Forbidden(
                "only the installation's administrators connect companies to Metrc".into(),
            ));
        }
        let company = self.company(company_id).await?;
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE companies SET ledger_extensions = $1 WHERE id = $2")
            .bind(i64::from(on))
            .bind(company_id)
            .execute(&mut *tx.tx)
            .await?;
        let mut ev = Event::new(
            "Connect company",
            format!(
                "{}: manifest steps {}",
                company.name,
                if on {
                    "go to the tagtrail ledger's /tagtrail/v1 extensions"
                } else {
                    "are manual tasks in Metrc's web UI, confirmed by sync"
                }
            ),
        )
        .by(caller);
        ev.company_id = Some(company_id);
        audit::append(&mut tx, door, ev).await?;
        tx.commit().await
    }

    /// Deliveries addressed to this license at the last sync, with their packages.
    pub async fn incoming_deliveries(
        &self,
        license: &LicenseCtx,
    ) -> Result<BTreeMap<i64, IncomingDelivery>> {
        let mut out: BTreeMap<i64, IncomingDelivery> = BTreeMap::new();
        for t in self.records(license, "transfer").await? {
            let d = &t.1;
            let (Some(id), recipient) = (
                d.get("DeliveryId").and_then(Value::as_i64),
                text(d, "RecipientFacilityLicenseNumber"),
            ) else {
                continue;
            };
            if !recipient.is_empty() && !recipient.eq_ignore_ascii_case(&license.number) {
                continue;
            }
            if text(d, "ShipperFacilityLicenseNumber").eq_ignore_ascii_case(&license.number) {
                continue;
            }
            out.insert(
                id,
                IncomingDelivery {
                    manifest_number: text(d, "ManifestNumber"),
                    shipper_license: text(d, "ShipperFacilityLicenseNumber"),
                    packages: BTreeMap::new(),
                },
            );
        }
        for (key, p) in self.records(license, "delivery_package").await? {
            let Some(id) = key.split(':').next().and_then(|d| d.parse::<i64>().ok()) else {
                continue;
            };
            if let Some(d) = out.get_mut(&id) {
                d.packages.insert(text(&p, "PackageLabel"), delivered(&p));
            }
        }
        Ok(out)
    }

    /// Packages of this license's outgoing manifests that their recipients rejected (or that
    /// were rejected and are back), by label, at the last sync.
    pub async fn rejected_outgoing(
        &self,
        license: &LicenseCtx,
    ) -> Result<BTreeMap<String, Rejected>> {
        Ok(self
            .outgoing_package_states(license)
            .await?
            .into_iter()
            .filter(|(_, r)| r.state == "Rejected" || r.state == "Returned")
            .collect())
    }

    /// Every package of this license's outgoing manifests with its state on the newest
    /// delivery that carried it (`Shipped`, `Accepted`, `Rejected`, `Returned`), at the last
    /// sync: the shipper's confirmation of delivery.
    pub async fn outgoing_package_states(
        &self,
        license: &LicenseCtx,
    ) -> Result<BTreeMap<String, Rejected>> {
        // Which transfer each delivery belongs to (the extension names the transfer).
        let mut transfer_of: BTreeMap<i64, i64> = BTreeMap::new();
        for (key, t) in self.records(license, "transfer").await? {
            if let (Some(d), Ok(id)) = (
                t.get("DeliveryId").and_then(Value::as_i64),
                key.parse::<i64>(),
            ) {
                transfer_of.insert(d, id);
            }
        }
        let deliveries: BTreeMap<String, Value> = self
            .records(license, "delivery")
            .await?
            .into_iter()
            .collect();
        let mut out = BTreeMap::new();
        for (key, p) in self.records(license, "delivery_package").await? {
            let state = text(&p, "ShipmentPackageState");
            let Some((d, label)) = key.split_once(':') else {
                continue;
            };
            let Some(delivery) = deliveries.get(d) else {
                continue;
            };
            let recipient = text(delivery, "RecipientFacilityLicenseNumber");
            if recipient.eq_ignore_ascii_case(&license.number) {
                continue;
            }
            let delivery_id = d.parse::<i64>().unwrap_or_default();
            // A package shipped more than once: the newest delivery speaks for it.
            if out
                .get(label)
                .is_some_and(|r: &Rejected| r.delivery_id > delivery_id)
            {
                continue;
            }
            out.insert(
                label.to_string(),
                Rejected {
                    transfer_id: transfer_of
                        .get(&delivery_id)
                        .copied()
                        .unwrap_or(delivery_id),
                    delivery_id,
                    manifest_number: text(delivery, "ManifestNumber"),
                    recipient_license: recipient,
                    state,
                },
            );
        }
        Ok(out)
    }

    /// Deliveries of this license's outgoing manifests registered at or after `since`: by
    /// Metrc's own `CreatedDateTime` of the manifest (less the sync overlap, for a server clock
    /// that differs from ours), or, where Metrc gives none, first seen by a sync since then. A
    /// manifest registered before the task was drafted never confirms it, however late a sync
    /// first reads it.
    async fn outgoing_deliveries_synced(
        &self,
        license: &LicenseCtx,
        since: Timestamp,
    ) -> Result<Vec<OutgoingDelivery>> {
        let created: BTreeMap<String, Option<Timestamp>> = self
            .records(license, "transfer")
            .await?
            .iter()
            .filter_map(|(_, t)| {
                let d = t.get("DeliveryId").and_then(Value::as_i64)?;
                Some((d.to_string(), crate::parse_ts(&text(t, "CreatedDateTime"))))
            })
            .collect();
        let first_seen = sqlx::query(
            "SELECT record_key, MIN(seen_at) AS first FROM snapshots WHERE license_id = $1 AND entity = 'delivery' GROUP BY record_key",
        )
        .bind(license.license_id)
        .fetch_all(&self.db.pool)
        .await?;
        let earliest = since - self.config.window.overlap;
        let mut fresh = BTreeSet::new();
        for r in &first_seen {
            let key: String = r.try_get("record_key")?;
            let new = match created.get(&key).copied().flatten() {
                Some(at) => at >= earliest,
                None => r.try_get::<String, _>("first")? >= ts(since),
            };
            if new {
                fresh.insert(key);
            }
        }
        let mut out: BTreeMap<String, OutgoingDelivery> = BTreeMap::new();
        for (key, d) in self.records(license, "delivery").await? {
            if !fresh.contains(&key) {
                continue;
            }
            out.insert(
                key,
                OutgoingDelivery {
                    delivery_id: d.get("Id").and_then(Value::as_i64).unwrap_or_default(),
                    manifest_number: text(&d, "ManifestNumber"),
                    recipient_license: text(&d, "RecipientFacilityLicenseNumber"),
                    labels: BTreeSet::new(),
                },
            );
        }
        for (key, p) in self.records(license, "delivery_package").await? {
            if let Some((d, _)) = key.split_once(':')
                && let Some(o) = out.get_mut(d)
            {
                o.labels.insert(text(&p, "PackageLabel"));
            }
        }
        Ok(out.into_values().collect())
    }

    /// The outbox's read-back of a registration on a tagtrail ledger: the deliveries of
    /// outgoing manifests modified between the first attempt and the last one's deadline.
    pub(crate) async fn outgoing_deliveries_live(
        &self,
        session: &Session,
        q: &[(&str, String)],
        since: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<OutgoingDelivery>> {
        let policy: Policy = self.config.window;
        let end = (until + policy.overlap).min(now());
        let mut transfers = BTreeSet::new();
        for w in window::plan(since - policy.overlap, end, &policy) {
            let mut query = q.to_vec();
            query.push(("lastModifiedStart", ts(w.start)));
            query.push(("lastModifiedEnd", ts(w.end)));
            let all: Vec<Value> = session
                .client
                .get_all("/transfers/v2/outgoing", &query)
                .await
                .map_err(|e| WbError::Metrc(format!("checking outgoing transfers: {e}")))?;
            transfers.extend(
                all.iter()
                    .filter_map(|t| t.get("Id").and_then(Value::as_i64)),
            );
        }
        let mut out = vec![];
        for t in transfers {
            let deliveries: Vec<Value> = session
                .client
                .get_all(&format!("/transfers/v2/{t}/deliveries"), &[])
                .await
                .map_err(|e| WbError::Metrc(format!("checking transfer {t}: {e}")))?;
            for d in deliveries {
                let Some(id) = d.get("Id").and_then(Value::as_i64) else {
                    continue;
                };
                let packages = self.delivery_live(session, id).await?;
                out.push(OutgoingDelivery {
                    delivery_id: id,
                    manifest_number: text(&d, "ManifestNumber"),
                    recipient_license: text(&d, "RecipientFacilityLicenseNumber"),
                    labels: packages.packages.into_keys().collect(),
                });
            }
        }
        Ok(out)
    }

    /// One delivery's packages as Metrc shows them now.
    pub(crate) async fn delivery_live(
        &self,
        session: &Session,
        delivery_id: i64,
    ) -> Result<IncomingDelivery> {
        let packages: Vec<Value> = session
            .client
            .get_all(
                &format!("/transfers/v2/deliveries/{delivery_id}/packages"),
                &[],
            )
            .await
            .map_err(|e| WbError::Metrc(format!("checking delivery {delivery_id}: {e}")))?;
        Ok(IncomingDelivery {
            packages: packages
                .iter()
                .map(|p| (text(p, "PackageLabel"), delivered(p)))
                .collect(),
            ..IncomingDelivery::default()
        })
    }

    /// After a sync of `license`: accepts every manual task whose effect the sync shows. Runs
    /// as automation (the sync carries Metrc's state; it never approves or submits). Returns
    /// how many it accepted.
    pub(crate) async fn confirm_manual_tasks(
        &self,
        license: &LicenseCtx,
        run_id: i64,
    ) -> Result<usize> {
        if self.ledger_extensions(license.company_id).await? {
            return Ok(0);
        }
        let open: Vec<Submission> = self
            .submissions(license, Some(State::Submitted), 1000)
            .await?
            .into_iter()
            .filter(|s| s.kind.manual_in_metrc())
            .collect();
        if open.is_empty() {
            return Ok(0);
        }
        let incoming = self.incoming_deliveries(license).await?;
        let rejected = self.rejected_outgoing(license).await?;
        let mut accepted = 0;
        for sub in &open {
            let seen = match &sub.intent {
                Intent::RegisterManifest(m) => {
                    let fresh = self
                        .outgoing_deliveries_synced(license, sub.created_at)
                        .await?;
                    manifest::registered(
                        &m.transfer.recipient_license,
                        &m.transfer.packages,
                        &fresh,
                    )
                    .map(|d| {
                        format!(
                            "sync run {run_id} shows manifest {} (delivery {}) with these packages",
                            d.manifest_number, d.delivery_id
                        )
                    })
                }
                Intent::TakeBack(t) => {
                    let states = t
                        .labels
                        .iter()
                        .filter_map(|l| rejected.get(l).map(|r| (l.clone(), r.state.clone())))
                        .collect();
                    manifest::taken_back(t, &states).then(|| {
                        format!(
                            "sync run {run_id} shows every rejected package of manifest {} returned",
                            t.manifest_number
                        )
                    })
                }
                Intent::ReceiveDelivery(r) => manifest::received(r, &incoming).then(|| {
                    format!(
                        "sync run {run_id} shows every package of manifest {} received as decided",
                        r.manifest_number
                    )
                }),
                _ => None,
            };
            if let Some(note) = seen {
                match self
                    .finish(license, sub, State::Accepted, None, "", Some(note))
                    .await
                {
                    Ok(()) => accepted += 1,
                    // Withdrawn or finished meanwhile: nothing to confirm.
                    Err(WbError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(accepted)
    }

    /// Ticks (or unticks) one step of a manual task's checklist. Whoever may submit to Metrc
    /// in the license does the task; the audit log keeps each tick.
    #[allow(clippy::too_many_arguments)]
    pub async fn tick(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        id: i64,
        step: usize,
        done: bool,
    ) -> Result<()> {
        if caller.installation_admin {
            return Err(WbError::Forbidden(
                "installation administrators do not act in a license's context".into(),
            ));
        }
        license.require(Duty::Submit)?;
        let sub = self.submission(license, id).await?;
        let steps = checklist(license, &sub.intent);
        if sub.state != State::Submitted || steps.is_empty() {
            return Err(WbError::Conflict(format!(
                "submission {id} is not a manual task waiting to be done in Metrc"
            )));
        }
        if self.ledger_extensions(license.company_id).await? {
            return Err(WbError::Conflict(
                "this company's Metrc is a tagtrail ledger: the outbox sends this step itself"
                    .into(),
            ));
        }
        let Some(words) = steps.get(step) else {
            return Err(WbError::Invalid(format!(
                "the checklist has {} steps",
                steps.len()
            )));
        };
        let mut ticks = sub.ticks.clone();
        ticks.retain(|t| t.step != step);
        if done {
            ticks.push(Tick {
                step,
                by: caller.username.clone(),
                at: ts(now()),
            });
            ticks.sort_by_key(|t| t.step);
        }
        let json = serde_json::to_string(&ticks).map_err(|e| WbError::Invalid(e.to_string()))?;
        let mut tx = self.db.begin().await?;
        let n = sqlx::query(
            "UPDATE submissions SET checklist = $1, updated_at = $2 WHERE id = $3 AND license_id = $4 AND state = 'submitted' AND checklist = $5",
        )
        .bind(&json)
        .bind(ts(now()))
        .bind(id)
        .bind(license.license_id)
        .bind(serde_json::to_string(&sub.ticks).unwrap_or_default())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(WbError::Conflict(format!(
                "submission {id} changed while you were looking at it; reload and try again"
            )));
        }
        let mut ev = Event::new(
            if done {
                "Checklist step done"
            } else {
                "Checklist step undone"
            },
            format!("#{id} {}: step {}: {words}", sub.title, step + 1),
        )
        .by(caller)
        .in_license(license);
        ev.endpoint = Some(format!(
            "Metrc web UI (manual task: {})",
            sub.kind.label().to_lowercase()
        ));
        audit::append(&mut tx, door, ev).await?;
        tx.commit().await
    }
}

/// A manifest of this license, either way, as the last sync saw it: the confirmation of
/// delivery for every manifest, whether the workbench registered it or someone did in Metrc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestSeen {
    pub delivery_id: i64,
    pub manifest_number: String,
    /// This license shipped it.
    pub outgoing: bool,
    /// The other license: the recipient of an outgoing manifest, the shipper of an incoming one.
    pub other_license: String,
    pub other_name: String,
    pub transfer_type: String,
    pub created: Option<Timestamp>,
    pub received: Option<Timestamp>,
    pub voided: bool,
    /// Each package's label and its state on this delivery (`Shipped`, `Accepted`,
    /// `Rejected`, `Returned`).
    pub packages: Vec<(String, String)>,
}

impl ManifestSeen {
    /// How many packages are in each state, in a fixed order.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        ["Shipped", "Accepted", "Rejected", "Returned"]
            .into_iter()
            .map(|s| (s, self.packages.iter().filter(|(_, x)| x == s).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

impl Workbench {
    /// Every manifest of this license at the last sync, newest first.
    pub async fn manifests_seen(&self, license: &LicenseCtx) -> Result<Vec<ManifestSeen>> {
        let mut out: BTreeMap<i64, ManifestSeen> = BTreeMap::new();
        for (_, t) in self.records(license, "transfer").await? {
            let Some(delivery_id) = t.get("DeliveryId").and_then(Value::as_i64) else {
                continue;
            };
            let shipper = text(&t, "ShipperFacilityLicenseNumber");
            let outgoing = shipper.eq_ignore_ascii_case(&license.number);
            let (other_license, other_name) = if outgoing {
                (
                    text(&t, "RecipientFacilityLicenseNumber"),
                    text(&t, "RecipientFacilityName"),
                )
            } else {
                (shipper, text(&t, "ShipperFacilityName"))
            };
            out.insert(
                delivery_id,
                ManifestSeen {
                    delivery_id,
                    manifest_number: text(&t, "ManifestNumber"),
                    outgoing,
                    other_license,
                    other_name,
                    transfer_type: text(&t, "ShipmentTypeName"),
                    created: crate::parse_ts(&text(&t, "CreatedDateTime")),
                    received: crate::parse_ts(&text(&t, "ReceivedDateTime")),
                    voided: t.get("IsVoided").and_then(Value::as_bool) == Some(true),
                    packages: vec![],
                },
            );
        }
        for (key, p) in self.records(license, "delivery_package").await? {
            if let Some((d, label)) = key.split_once(':')
                && let Ok(d) = d.parse::<i64>()
                && let Some(m) = out.get_mut(&d)
            {
                m.packages
                    .push((label.to_string(), text(&p, "ShipmentPackageState")));
            }
        }
        let mut list: Vec<ManifestSeen> = out.into_values().collect();
        list.sort_by(|a, b| {
            b.created
                .cmp(&a.created)
                .then(b.delivery_id.cmp(&a.delivery_id))
        });
        Ok(list)
    }
}
