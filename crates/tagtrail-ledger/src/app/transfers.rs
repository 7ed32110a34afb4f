//! Transfer manifests through the write path: templates, registration, edits and voids by the
//! shipper; departure by the transporter; arrival; per-package receipt by the recipient; the
//! shipper taking rejected packages back. Every step is one journal entry.

use super::{Acting, Action, AppError, AppResult, Ledger, Outcome, Scope, Written};
use std::collections::{HashMap, HashSet};
use tagtrail_domain::commands::manifests::{self, Written as Manifest};
use tagtrail_domain::commands::transfers::{
    ListError, ManifestLine, ManifestSpec, ManifestWorld, ReceiptLine, parse_package_list,
    plan_manifest,
};
use tagtrail_domain::records::{
    Driver, Facility, Package, Transfer, TransferPackage, TransferState, Vehicle, fold,
};
use tagtrail_domain::{Rejection, RowError};
use tagtrail_store::WriteTx;

/// What a manifest write asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestKind {
    /// `POST /transfers/v2/templates/outgoing`.
    NewTemplate,
    /// `PUT /transfers/v2/templates/outgoing`.
    EditTemplate,
    /// `POST /tagtrail/v1/transfers/outgoing`: registers a manifest (with a manifest number).
    Register,
    /// `PUT /tagtrail/v1/transfers/outgoing`: edits a registered manifest before departure.
    Edit,
}

/// One element of a manifest write body.
#[derive(Debug, Clone, Default)]
pub struct ManifestRequest {
    /// The template or manifest addressed (edits).
    pub id: Option<i64>,
    /// Register from this template (its plan, with any field given here replacing the template's).
    pub template_id: Option<i64>,
    pub spec: ManifestSpec,
    /// Edits: a package line that gives no price or gross weight keeps the stored line's
    /// (the package-list upload names UIDs only).
    pub keep_line_details: bool,
}

/// A manifest with its package lines, as stored.
pub struct Loaded {
    pub transfer: Transfer,
    pub lines: Vec<TransferPackage>,
}

/// The rows of a rejection, all moved to body element `row` (a manifest's package problems are
/// reported against the manifest's element, naming the package line).
fn at_row(row: usize, r: Rejection) -> Result<Vec<RowError>, Rejection> {
    match r {
        Rejection::Rows(rows) => Ok(rows
            .into_iter()
            .map(|e| RowError::new(row, format!("Packages[{}]: {}", e.row, e.message)))
            .collect()),
        Rejection::Invalid(m) => Ok(vec![RowError::new(row, m)]),
        other => Err(other),
    }
}

fn outcome(ms: &[Manifest]) -> Outcome {
    let transfers: Vec<Transfer> = ms.iter().map(|m| m.transfer.clone()).collect();
    let mut o = Outcome::of(&transfers);
    for m in ms {
        if let Some((d, t)) = &m.index {
            o = o.and(std::slice::from_ref(d)).and(std::slice::from_ref(t));
        }
        o = o.and(&m.lines).and(&m.packages).and(&m.lab_samples);
    }
    o
}

/// Fills the fields a request left out from `base` (a template's or the manifest's own plan).
fn merge(spec: &ManifestSpec, base: ManifestSpec) -> ManifestSpec {
    let pick = |a: &Option<String>, b: Option<String>| {
        a.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or(b)
    };
    ManifestSpec {
        name: pick(&spec.name, base.name),
        invoice_number: pick(&spec.invoice_number, base.invoice_number),
        phone_for_questions: pick(&spec.phone_for_questions, base.phone_for_questions),
        // Another driver brings their own employee id (from the driver record) unless one is given.
        driver_employee_id: pick(
            &spec.driver_employee_id,
            if spec.driver_license_number.is_some() {
                None
            } else {
                base.driver_employee_id
            },
        ),
        recipient_license: pick(&spec.recipient_license, base.recipient_license),
        transfer_type: pick(&spec.transfer_type, base.transfer_type),
        transporter_license: pick(&spec.transporter_license, base.transporter_license),
        driver_license_number: pick(&spec.driver_license_number, base.driver_license_number),
        vehicle_plate: pick(&spec.vehicle_plate, base.vehicle_plate),
        planned_route: pick(&spec.planned_route, base.planned_route),
        estimated_departure: pick(&spec.estimated_departure, base.estimated_departure),
        estimated_arrival: pick(&spec.estimated_arrival, base.estimated_arrival),
        packages: if spec.packages.is_empty() {
            base.packages
        } else {
            spec.packages.clone()
        },
        destination_count: spec.destination_count.max(base.destination_count),
        transporter_count: spec.transporter_count.max(base.transporter_count),
    }
}

/// The plan a stored manifest was made from, so that it can be registered again or re-planned.
pub fn spec_of(t: &Transfer, lines: &[TransferPackage]) -> ManifestSpec {
    ManifestSpec {
        name: t.name.clone(),
        invoice_number: t.invoice_number.clone(),
        phone_for_questions: t.phone_for_questions.clone(),
        driver_employee_id: t.driver_employee_id.clone(),
        recipient_license: Some(t.recipient.license_number.clone()),
        transfer_type: Some(t.transfer_type.clone()),
        transporter_license: Some(t.transporter.license_number.clone()),
        driver_license_number: Some(t.driver_license_number.clone()),
        vehicle_plate: Some(t.vehicle_plate.clone()),
        planned_route: t.planned_route.clone(),
        estimated_departure: Some(t.estimated_departure.clone()),
        estimated_arrival: Some(t.estimated_arrival.clone()),
        packages: lines
            .iter()
            .map(|l| ManifestLine {
                package_label: Some(l.package.label.to_string()),
                wholesale_price: l.wholesale_price,
                gross_weight: l.gross_weight,
                gross_unit: l.gross_unit.clone(),
            })
            .collect(),
        destination_count: 1,
        transporter_count: 1,
    }
}

async fn load(tx: &mut WriteTx, id: i64) -> AppResult<Option<Loaded>> {
    let Some(transfer) = tx.get::<Transfer>(id).await? else {
        return Ok(None);
    };
    let mut lines = Vec::with_capacity(transfer.lines.len());
    for l in &transfer.lines {
        if let Some(line) = tx.get::<TransferPackage>(*l).await? {
            lines.push(line);
        }
    }
    Ok(Some(Loaded { transfer, lines }))
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("Transfer {id} does not exist."))
}

/// The packages of `lines` as they are now, by label.
async fn current(
    tx: &mut WriteTx,
    lines: &[TransferPackage],
) -> AppResult<HashMap<String, Package>> {
    let labels: Vec<String> = lines.iter().map(|l| l.package.label.to_string()).collect();
    Ok(tx
        .find_many::<Package>(None, &labels, None)
        .await?
        .into_iter()
        .filter(|p| lines.iter().any(|l| l.package.id == p.id))
        .map(|p| (p.label.to_string(), p))
        .collect())
}

impl Ledger {
    /// Loads what planning `specs` needs: the facilities, drivers and vehicles they name, the
    /// shipper's packages, and which of those are already on a registered manifest.
    async fn manifest_world(
        &self,
        tx: &mut WriteTx,
        shipper: &str,
        specs: &[ManifestSpec],
    ) -> AppResult<ManifestWorld> {
        let mut w = ManifestWorld::default();
        let keys = |f: &dyn Fn(&ManifestSpec) -> Option<&String>| -> Vec<String> {
            specs.iter().filter_map(|s| f(s).map(|v| fold(v))).collect()
        };
        let mut lics = keys(&|s| s.recipient_license.as_ref());
        lics.extend(keys(&|s| s.transporter_license.as_ref()));
        lics.push(fold(shipper));
        for f in tx.find_many::<Facility>(None, &lics, Some(true)).await? {
            w.facilities.insert(fold(&f.license_number), f);
        }
        for d in tx
            .find_many::<Driver>(
                None,
                &keys(&|s| s.driver_license_number.as_ref()),
                Some(true),
            )
            .await?
        {
            w.drivers.insert(fold(&d.drivers_license_number), d);
        }
        for v in tx
            .find_many::<Vehicle>(None, &keys(&|s| s.vehicle_plate.as_ref()), Some(true))
            .await?
        {
            w.vehicles.insert(fold(&v.license_plate_number), v);
        }
        let labels: Vec<String> = specs
            .iter()
            .flat_map(|s| s.packages.iter())
            .filter_map(|l| l.package_label.as_deref())
            .map(|l| l.trim().to_ascii_uppercase())
            .collect();
        for p in tx
            .find_many::<Package>(Some(shipper), &labels, None)
            .await?
        {
            w.packages.insert(p.label.to_string(), p);
        }
        for l in tx
            .find_many::<TransferPackage>(Some(shipper), &labels, Some(true))
            .await?
        {
            w.on_manifests.insert(l.package.label.to_string());
        }
        Ok(w)
    }

    /// Creates or edits templates, or registers or edits manifests. Every element is planned
    /// against the rules (rules 31, 33–35, 38–42, 46, 47); problems are reported per element.
    pub async fn save_manifests(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        kind: ManifestKind,
        requests: &[ManifestRequest],
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let lic = scope.license().to_string();
        let mut tx = self.store.begin().await?;
        let template = matches!(kind, ManifestKind::NewTemplate | ManifestKind::EditTemplate);
        let mut errors = Vec::new();
        // The stored manifest each element addresses, and the plan it is made from.
        let mut resolved: Vec<(Option<Loaded>, Option<i64>, ManifestSpec)> = Vec::new();
        for (row, r) in requests.iter().enumerate() {
            let mut err = |m: String| errors.push(RowError::new(row, m));
            match kind {
                ManifestKind::NewTemplate => resolved.push((None, None, r.spec.clone())),
                ManifestKind::Register => match r.template_id {
                    None => resolved.push((None, None, r.spec.clone())),
                    Some(tid) => match load(&mut tx, tid).await? {
                        Some(t)
                            if t.transfer.license_number == lic
                                && t.transfer.state == TransferState::Template
                                && t.transfer.active =>
                        {
                            let base = spec_of(&t.transfer, &t.lines);
                            resolved.push((None, Some(tid), merge(&r.spec, base)));
                        }
                        _ => err(format!(
                            "Transfer template {tid} does not exist in the current Facility."
                        )),
                    },
                },
                ManifestKind::EditTemplate | ManifestKind::Edit => {
                    let Some(id) = r.id else {
                        err(if template {
                            "TransferTemplateId was not specified.".into()
                        } else {
                            "TransferId was not specified.".into()
                        });
                        continue;
                    };
                    match load(&mut tx, id).await? {
                        Some(t) if t.transfer.license_number == lic && t.transfer.active => {
                            // Checked before planning: a departed manifest's packages are in
                            // transit, and that is not what is wrong with the request.
                            match manifests::check_editable(&t.transfer, template) {
                                Ok(()) => {
                                    let base = spec_of(&t.transfer, &t.lines);
                                    let mut spec = merge(&r.spec, base);
                                    if r.keep_line_details {
                                        keep_details(&mut spec, &t.lines);
                                    }
                                    resolved.push((Some(t), None, spec));
                                }
                                Err(Rejection::Invalid(m)) => err(m),
                                Err(e) => return Err(e.into()),
                            }
                        }
                        _ => err(format!(
                            "Transfer {id} does not exist in the current Facility."
                        )),
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(Rejection::Rows(errors).into());
        }
        let specs: Vec<ManifestSpec> = resolved.iter().map(|(_, _, s)| s.clone()).collect();
        let mut world = self.manifest_world(&mut tx, &lic, &specs).await?;
        if template {
            // Templates plan; they do not reserve packages.
            world.on_manifests.clear();
        }
        let mut next_id = tx.next_id::<Transfer>().await?;
        let mut next_line = tx.next_id::<TransferPackage>().await?;
        let by = who.actor().name;
        let mut written = Vec::new();
        for (row, (existing, template_id, spec)) in resolved.iter().enumerate() {
            if let Some(old) = existing {
                // An edit re-plans the manifest's own packages.
                for l in old.lines.iter().filter(|l| l.active) {
                    world.on_manifests.remove(l.package.label.as_str());
                }
            }
            let plan =
                match plan_manifest(&ctx, &world, spec, self.config.max_packages_per_transfer) {
                    Ok(p) => p,
                    Err(e) => {
                        errors.extend(at_row(row, e)?);
                        continue;
                    }
                };
            let id = match existing {
                Some(old) => old.transfer.id,
                None => {
                    next_id += 1;
                    next_id - 1
                }
            };
            let m = manifests::write_manifest(
                &ctx,
                &plan,
                spec,
                id,
                next_line,
                template,
                existing.as_ref().map(|o| (&o.transfer, o.lines.as_slice())),
                *template_id,
                &by,
            );
            match m {
                Ok(m) => {
                    next_line += plan.lines.len() as i64;
                    if !template {
                        // Two elements of one request cannot carry the same package.
                        for (p, _) in &plan.lines {
                            world.on_manifests.insert(p.label.to_string());
                        }
                    }
                    written.push(m);
                }
                Err(e) => errors.extend(at_row(row, e)?),
            }
        }
        if !errors.is_empty() {
            return Err(Rejection::Rows(errors).into());
        }
        self.commit(tx, who, Some(&lic), action, &now, outcome(&written))
            .await
    }

    /// Replaces the package section of a template or a registered manifest from an uploaded
    /// CSV/TXT list of package tag UIDs (bulletin IV). Every bad line is reported as a row
    /// error whose `row` is the 0-based line index and whose message names the line; nothing
    /// is applied unless every line is good. Prices and gross weights already on the manifest
    /// are kept for the packages that stay.
    pub async fn upload_package_list(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        id: i64,
        text: &str,
    ) -> AppResult<Written> {
        let max = self.config.max_packages_per_transfer;
        let listed = parse_package_list(text, max).map_err(list_rejection)?;
        // Which kind of edit this is; the edit itself re-reads the manifest in its own
        // transaction, so a concurrent change is never overwritten with stale details.
        let kind = match self.store.get::<Transfer>(id).await? {
            Some(t) if t.state == TransferState::Template => ManifestKind::EditTemplate,
            Some(_) => ManifestKind::Edit,
            None => return Err(not_found(id)),
        };
        let packages = listed
            .iter()
            .map(|(_, label)| ManifestLine {
                package_label: Some(label.to_string()),
                ..Default::default()
            })
            .collect();
        let request = ManifestRequest {
            id: Some(id),
            template_id: None,
            spec: ManifestSpec {
                packages,
                ..Default::default()
            },
            keep_line_details: true,
        };
        match self
            .save_manifests(who, scope, action, kind, std::slice::from_ref(&request))
            .await
        {
            // Package problems come back as "Packages[j]: …" on row 0; name the file's line.
            Err(AppError::Rejected(Rejection::Rows(rows))) => {
                let lines: Vec<usize> = listed.iter().map(|(n, _)| *n).collect();
                Err(Rejection::Rows(rows.into_iter().map(|r| relined(r, &lines)).collect()).into())
            }
            other => other,
        }
    }

    /// A step on one manifest addressed by id (a DELETE): load it, decide, commit.
    async fn one_manifest(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        (id, what): (i64, &str),
        decide: impl FnOnce(&tagtrail_domain::commands::Ctx, &Loaded) -> Result<Manifest, Rejection>,
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let mut tx = self.store.begin().await?;
        let l = load(&mut tx, id).await?.ok_or_else(|| {
            AppError::NotFound(format!(
                "{what} {id} does not exist in the current Facility."
            ))
        })?;
        let m = decide(&ctx, &l)?;
        self.commit(tx, who, Some(scope.license()), action, &now, outcome(&[m]))
            .await
    }

    /// Voids a registered manifest before departure (rule 48).
    pub async fn void_manifest(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        id: i64,
    ) -> AppResult<Written> {
        self.one_manifest(who, scope, action, (id, "Transfer"), |ctx, l| {
            manifests::void(ctx, &l.transfer, &l.lines)
        })
        .await
    }

    /// Archives an outgoing template.
    pub async fn archive_template(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        id: i64,
    ) -> AppResult<Written> {
        self.one_manifest(who, scope, action, (id, "Transfer template"), |ctx, l| {
            manifests::archive_template(ctx, &l.transfer)
        })
        .await
    }

    /// Steps that address whole manifests by id (depart, arrive, take back): each element is
    /// decided against the manifest as stored; problems are reported per element.
    async fn step_each(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        ids: &[Option<i64>],
        step: impl Fn(
            &tagtrail_domain::commands::Ctx,
            &Loaded,
            &HashMap<String, Package>,
            Option<&Facility>,
        ) -> Result<Manifest, Rejection>,
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let mut tx = self.store.begin().await?;
        let (mut errors, mut written) = (Vec::new(), Vec::new());
        let mut seen = HashSet::new();
        for (row, id) in ids.iter().enumerate() {
            let Some(id) = *id else {
                errors.push(RowError::new(row, "TransferId was not specified."));
                continue;
            };
            if !seen.insert(id) {
                errors.push(RowError::new(
                    row,
                    format!("Transfer {id} appears more than once."),
                ));
                continue;
            }
            let Some(l) = load(&mut tx, id).await? else {
                errors.push(RowError::new(row, format!("Transfer {id} does not exist.")));
                continue;
            };
            let pkgs = current(&mut tx, &l.lines).await?;
            let recipient = tx
                .find_many::<Facility>(None, &[fold(&l.transfer.recipient.license_number)], None)
                .await?
                .into_iter()
                .next();
            match step(&ctx, &l, &pkgs, recipient.as_ref()) {
                Ok(m) => written.push(m),
                Err(e) => errors.extend(at_row(row, e)?),
            }
        }
        if !errors.is_empty() {
            return Err(Rejection::Rows(errors).into());
        }
        self.commit(
            tx,
            who,
            Some(scope.license()),
            action,
            &now,
            outcome(&written),
        )
        .await
    }

    /// The transporter confirms the load and departs (rule 43): packages go in transit.
    pub async fn depart(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        ids: &[Option<i64>],
    ) -> AppResult<Written> {
        self.step_each(who, scope, action, ids, |ctx, l, pkgs, recipient| {
            let kind = recipient.map(|f| f.license_type).ok_or_else(|| {
                Rejection::Invalid("The recipient license no longer exists.".into())
            })?;
            manifests::depart(ctx, &l.transfer, &l.lines, pkgs, kind)
        })
        .await
    }

    /// The manifest arrives at its destination.
    pub async fn arrive(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        ids: &[Option<i64>],
    ) -> AppResult<Written> {
        self.step_each(who, scope, action, ids, |ctx, l, _, _| {
            manifests::arrive(ctx, &l.transfer)
        })
        .await
    }

    /// The shipper takes its rejected packages back (rule 45).
    pub async fn take_back(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        ids: &[Option<i64>],
    ) -> AppResult<Written> {
        self.step_each(who, scope, action, ids, |ctx, l, pkgs, _| {
            manifests::take_back(ctx, &l.transfer, &l.lines, pkgs)
        })
        .await
    }

    /// The recipient accepts or rejects every package of a delivery (rule 44); `receipt[i]`
    /// errors are reported as row i.
    pub async fn receive(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        delivery_id: i64,
        receipt: &[ReceiptLine],
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let mut tx = self.store.begin().await?;
        let l = load(&mut tx, delivery_id)
            .await?
            .filter(|l| l.transfer.state != TransferState::Template)
            .ok_or_else(|| AppError::NotFound(format!("Delivery {delivery_id} does not exist.")))?;
        let pkgs = current(&mut tx, &l.lines).await?;
        let (m, warnings) = manifests::receive(&ctx, &l.transfer, &l.lines, &pkgs, receipt)?;
        self.commit(
            tx,
            who,
            Some(scope.license()),
            action,
            &now,
            outcome(&[m]).warn(warnings),
        )
        .await
    }

    /// A manifest and its lines, for reads.
    pub async fn manifest(&self, id: i64) -> AppResult<Option<Loaded>> {
        let Some(transfer) = self.store.get::<Transfer>(id).await? else {
            return Ok(None);
        };
        let mut lines = Vec::with_capacity(transfer.lines.len());
        for l in &transfer.lines {
            if let Some(line) = self.store.get::<TransferPackage>(*l).await? {
                lines.push(line);
            }
        }
        Ok(Some(Loaded { transfer, lines }))
    }
}

/// Fills the price and gross weight of lines that give none from the stored line of the same
/// package.
fn keep_details(spec: &mut ManifestSpec, stored: &[TransferPackage]) {
    let by_label: HashMap<String, &TransferPackage> = stored
        .iter()
        .map(|l| (l.package.label.to_string(), l))
        .collect();
    for line in &mut spec.packages {
        let label = line
            .package_label
            .as_deref()
            .map(|l| l.trim().to_ascii_uppercase());
        if let Some(old) = label.and_then(|l| by_label.get(&l).copied()) {
            line.wholesale_price = line.wholesale_price.or(old.wholesale_price);
            line.gross_weight = line.gross_weight.or(old.gross_weight);
            line.gross_unit = line.gross_unit.clone().or_else(|| old.gross_unit.clone());
        }
    }
}

fn list_rejection(errors: Vec<ListError>) -> AppError {
    if let Some(e) = errors.iter().find(|e| e.line == 0) {
        return Rejection::Invalid(e.reason.clone()).into();
    }
    Rejection::Rows(
        errors
            .into_iter()
            .map(|e| RowError::new(e.line - 1, format!("Line {}: {}", e.line, e.reason)))
            .collect(),
    )
    .into()
}

/// Turns "Packages[j]: …" on the manifest's row into the uploaded file's line of package j.
fn relined(r: RowError, lines: &[usize]) -> RowError {
    let parsed = r
        .message
        .strip_prefix("Packages[")
        .and_then(|rest| rest.split_once("]: "))
        .and_then(|(j, msg)| Some((j.parse::<usize>().ok()?, msg)));
    match parsed.and_then(|(j, msg)| Some((*lines.get(j)?, msg))) {
        Some((line, msg)) => RowError::new(line - 1, format!("Line {line}: {msg}")),
        None => r,
    }
}
