//! Transfer manifests: templates, registration, edits and voids by the shipper; the package-list
//! upload; departure by the transporter; arrival; per-package receipt by the recipient; the
//! shipper taking rejected packages back. Every step is one journal entry.

use crate::{Action, AppResult, Context, Definition, Outcome};
use std::collections::{HashMap, HashSet};
use tagtrail_domain::commands::manifests::{self, Written as Manifest};
use tagtrail_domain::commands::transfers::{
    ListError, ManifestLine, ManifestSpec, ManifestWorld, ReceiptLine, ReceivingLocations,
    parse_package_list, plan_manifest,
};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{
    Driver, Facility, Location, Package, Transfer, TransferPackage, TransferState, Vehicle, fold,
};
use tagtrail_domain::{Rejection, RowError};
use tagtrail_store::WriteTx;

const MANAGE: &[Permission] = &[Permission::ManageTransfers];
const MANAGE_TEMPLATES: &[Permission] = &[Permission::ManageTransferTemplates];

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
#[derive(Debug, Clone)]
pub struct Loaded {
    pub transfer: Transfer,
    pub lines: Vec<TransferPackage>,
}

/// What a manifest write asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    NewTemplate,
    EditTemplate,
    Register,
    Edit,
}

impl Kind {
    fn template(self) -> bool {
        matches!(self, Kind::NewTemplate | Kind::EditTemplate)
    }
}

/// The rows of a rejection, all moved to body element `row`: a manifest's package problems are
/// reported against the manifest's element, naming the package line (and keeping its index).
fn at_row(row: usize, r: Rejection) -> Result<Vec<RowError>, Rejection> {
    match r {
        Rejection::Rows(rows) => Ok(rows
            .into_iter()
            .map(|e| RowError {
                line: Some(e.row),
                ..RowError::new(row, format!("Packages[{}]: {}", e.row, e.message))
            })
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

pub(crate) async fn load_manifest(tx: &mut WriteTx, id: i64) -> AppResult<Option<Loaded>> {
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

/// What one element of a manifest write resolves to: the stored manifest it rewrites (edits),
/// the template it is registered from, and the plan.
struct Resolved<'a> {
    existing: Option<&'a Loaded>,
    template_id: Option<i64>,
    spec: ManifestSpec,
}

/// Resolves each element against the stored manifests it names. Problems with one element are
/// its row errors; a conflict (a departed manifest) refuses the whole request.
fn resolve<'a>(
    kind: Kind,
    license: &str,
    requests: &[ManifestRequest],
    stored: &'a HashMap<i64, Loaded>,
) -> Result<Vec<Result<Resolved<'a>, String>>, Rejection> {
    let mut out = Vec::with_capacity(requests.len());
    for r in requests {
        let resolved = match kind {
            Kind::NewTemplate => Ok(Resolved {
                existing: None,
                template_id: None,
                spec: r.spec.clone(),
            }),
            Kind::Register => match r.template_id {
                None => Ok(Resolved {
                    existing: None,
                    template_id: None,
                    spec: r.spec.clone(),
                }),
                Some(tid) => match stored.get(&tid) {
                    Some(t)
                        if t.transfer.license_number == license
                            && t.transfer.state == TransferState::Template
                            && t.transfer.active =>
                    {
                        let base = spec_of(&t.transfer, &t.lines);
                        Ok(Resolved {
                            existing: None,
                            template_id: Some(tid),
                            spec: merge(&r.spec, base),
                        })
                    }
                    _ => Err(format!(
                        "Transfer template {tid} does not exist in the current Facility."
                    )),
                },
            },
            Kind::EditTemplate | Kind::Edit => match r.id {
                None if kind.template() => Err("TransferTemplateId was not specified.".into()),
                None => Err("TransferId was not specified.".into()),
                Some(id) => match stored.get(&id) {
                    Some(t) if t.transfer.license_number == license && t.transfer.active => {
                        // Checked before planning: a departed manifest's packages are in
                        // transit, and that is not what is wrong with the request.
                        match manifests::check_editable(&t.transfer, kind.template()) {
                            Ok(()) => {
                                let mut spec = merge(&r.spec, spec_of(&t.transfer, &t.lines));
                                if r.keep_line_details {
                                    keep_details(&mut spec, &t.lines);
                                }
                                Ok(Resolved {
                                    existing: Some(t),
                                    template_id: None,
                                    spec,
                                })
                            }
                            Err(Rejection::Invalid(m)) => Err(m),
                            Err(e) => return Err(e),
                        }
                    }
                    _ => Err(format!(
                        "Transfer {id} does not exist in the current Facility."
                    )),
                },
            },
        };
        out.push(resolved);
    }
    Ok(out)
}

/// What a manifest write loads: the stored manifests and templates the body names, what
/// planning its manifests needs, and the next ids.
pub struct ManifestLoad {
    stored: HashMap<i64, Loaded>,
    world: ManifestWorld,
    next_id: i64,
    next_line: i64,
}

/// Loads what planning `specs` needs: the facilities, drivers and vehicles they name, the
/// shipper's packages, and which of those are already on a registered manifest.
async fn manifest_world(
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

async fn load_manifests(
    tx: &mut WriteTx,
    at: &Context<'_>,
    kind: Kind,
    requests: &[ManifestRequest],
) -> AppResult<ManifestLoad> {
    let license = at.ctx.facility.license_number.as_str();
    let mut stored = HashMap::new();
    for id in requests.iter().filter_map(|r| match kind {
        Kind::Register => r.template_id,
        Kind::EditTemplate | Kind::Edit => r.id,
        Kind::NewTemplate => None,
    }) {
        if let Some(l) = load_manifest(tx, id).await? {
            stored.insert(id, l);
        }
    }
    // What the decision will plan, to load what planning needs; elements that do not resolve
    // are reported by the decision and plan nothing.
    let specs: Vec<ManifestSpec> = resolve(kind, license, requests, &stored)
        .map(|r| r.into_iter().flatten().map(|r| r.spec).collect())
        .unwrap_or_default();
    let world = manifest_world(tx, license, &specs).await?;
    Ok(ManifestLoad {
        stored,
        world,
        next_id: tx.next_id::<Transfer>().await?,
        next_line: tx.next_id::<TransferPackage>().await?,
    })
}

/// Creates or edits templates, or registers or edits manifests. Every element is planned
/// against the rules (rules 31, 33–35, 38–42, 46, 47); problems are reported per element.
fn decide_manifests(
    at: &Context<'_>,
    kind: Kind,
    load: ManifestLoad,
    requests: &[ManifestRequest],
) -> Result<Outcome, Rejection> {
    let ManifestLoad {
        stored,
        mut world,
        mut next_id,
        mut next_line,
    } = load;
    let license = at.ctx.facility.license_number.as_str();
    let mut errors = Vec::new();
    let mut resolved = Vec::new();
    for (row, r) in resolve(kind, license, requests, &stored)?
        .into_iter()
        .enumerate()
    {
        match r {
            Ok(r) => resolved.push(r),
            Err(m) => errors.push(RowError::new(row, m)),
        }
    }
    if !errors.is_empty() {
        return Err(Rejection::Rows(errors));
    }
    let template = kind.template();
    if template {
        // Templates plan; they do not reserve packages.
        world.on_manifests.clear();
    }
    let mut written = Vec::new();
    for (row, r) in resolved.iter().enumerate() {
        if let Some(old) = r.existing {
            // An edit re-plans the manifest's own packages.
            for l in old.lines.iter().filter(|l| l.active) {
                world.on_manifests.remove(l.package.label.as_str());
            }
        }
        let plan = match plan_manifest(
            &at.ctx,
            &world,
            &r.spec,
            at.config.max_packages_per_transfer,
        ) {
            Ok(p) => p,
            Err(e) => {
                errors.extend(at_row(row, e)?);
                continue;
            }
        };
        let id = match r.existing {
            Some(old) => old.transfer.id,
            None => {
                next_id += 1;
                next_id - 1
            }
        };
        let m = manifests::write_manifest(
            &at.ctx,
            &plan,
            &r.spec,
            id,
            next_line,
            template,
            r.existing.map(|o| (&o.transfer, o.lines.as_slice())),
            r.template_id,
            &at.by,
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
        return Err(Rejection::Rows(errors));
    }
    Ok(outcome(&written))
}

macro_rules! manifest_write {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $def:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl Action for $name {
            const DEF: Definition = $def;
            type Request = Vec<ManifestRequest>;
            type World = ManifestLoad;

            async fn load(
                tx: &mut WriteTx,
                at: &Context<'_>,
                req: &Self::Request,
            ) -> AppResult<ManifestLoad> {
                load_manifests(tx, at, $kind, req).await
            }

            fn decide(
                at: &Context<'_>,
                load: ManifestLoad,
                req: &Self::Request,
            ) -> Result<Outcome, Rejection> {
                decide_manifests(at, $kind, load, req)
            }
        }
    };
}

manifest_write!(
    /// Plans outgoing templates; a template reserves no packages.
    CreateTemplates,
    Kind::NewTemplate,
    Definition::holders("Create transfer templates", MANAGE_TEMPLATES)
);
manifest_write!(
    /// Re-plans outgoing templates.
    UpdateTemplates,
    Kind::EditTemplate,
    Definition::holders("Update transfer templates", MANAGE_TEMPLATES)
);
manifest_write!(
    /// Registers manifests (a manifest number is issued), from a full plan or a template.
    Register,
    Kind::Register,
    Definition::holders("Register transfer manifests", MANAGE)
);
manifest_write!(
    /// Edits registered manifests before they depart (rule 39: 409 after).
    Edit,
    Kind::Edit,
    Definition::holders("Edit transfer manifests", MANAGE)
);

/// An uploaded package list (bulletin IV): CSV or TXT, one column of package tag UIDs.
#[derive(Debug, Clone)]
pub struct PackageList {
    /// The template or manifest whose package section it replaces.
    pub transfer_id: i64,
    pub text: String,
}

fn list_rejection(errors: Vec<ListError>) -> Rejection {
    if let Some(e) = errors.iter().find(|e| e.line == 0) {
        return Rejection::Invalid(e.reason.clone());
    }
    Rejection::Rows(
        errors
            .into_iter()
            .map(|e| RowError::new(e.line - 1, format!("Line {}: {}", e.line, e.reason)))
            .collect(),
    )
}

/// The manifest edit an uploaded list asks for, and the file line of each listed package.
fn list_request(
    at: &Context<'_>,
    list: &PackageList,
) -> Result<(ManifestRequest, Vec<usize>), Rejection> {
    let listed = parse_package_list(&list.text, at.config.max_packages_per_transfer)
        .map_err(list_rejection)?;
    let packages = listed
        .iter()
        .map(|(_, label)| ManifestLine {
            package_label: Some(label.to_string()),
            ..Default::default()
        })
        .collect();
    let request = ManifestRequest {
        id: Some(list.transfer_id),
        template_id: None,
        spec: ManifestSpec {
            packages,
            ..Default::default()
        },
        keep_line_details: true,
    };
    Ok((request, listed.iter().map(|(n, _)| *n).collect()))
}

/// Replaces the package section of a template (`TEMPLATE`) or of a registered manifest from an
/// uploaded list. Every bad line is a row error whose `row` is the 0-based line index and whose
/// message names the line; nothing changes unless every line is good. Prices and gross weights
/// already on the manifest are kept for the packages that stay.
pub struct UploadPackageList<const TEMPLATE: bool>;

/// The upload for a template.
pub type UploadTemplatePackageList = UploadPackageList<true>;
/// The upload for a registered manifest.
pub type UploadManifestPackageList = UploadPackageList<false>;

impl<const TEMPLATE: bool> UploadPackageList<TEMPLATE> {
    const KIND: Kind = if TEMPLATE {
        Kind::EditTemplate
    } else {
        Kind::Edit
    };
}

impl<const TEMPLATE: bool> Action for UploadPackageList<TEMPLATE> {
    const DEF: Definition = if TEMPLATE {
        Definition::holders("Upload transfer package list", MANAGE_TEMPLATES)
    } else {
        Definition::holders("Upload transfer package list", MANAGE)
    };
    type Request = PackageList;
    type World = ManifestLoad;

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        list: &PackageList,
    ) -> AppResult<ManifestLoad> {
        let (request, _) = list_request(at, list)?;
        load_manifests(tx, at, Self::KIND, std::slice::from_ref(&request)).await
    }

    fn decide(
        at: &Context<'_>,
        load: ManifestLoad,
        list: &PackageList,
    ) -> Result<Outcome, Rejection> {
        let (request, lines) = list_request(at, list)?;
        match decide_manifests(at, Self::KIND, load, std::slice::from_ref(&request)) {
            // A package's problem names the file line it came from.
            Err(Rejection::Rows(rows)) => Err(Rejection::Rows(
                rows.into_iter()
                    .map(|r| match r.line.and_then(|j| Some((j, *lines.get(j)?))) {
                        Some((j, n)) => {
                            let prefix = format!("Packages[{j}]: ");
                            let msg = r.message.strip_prefix(&prefix).unwrap_or(&r.message);
                            RowError::new(n - 1, format!("Line {n}: {msg}"))
                        }
                        None => r,
                    })
                    .collect(),
            )),
            other => other,
        }
    }
}

/// Defines an action on one manifest addressed by id (the `DELETE`s).
macro_rules! one_manifest {
    ($(#[$doc:meta])* $name:ident, $def:expr, $what:literal, |$ctx:ident, $l:ident| $decide:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl Action for $name {
            const DEF: Definition = $def;
            /// The manifest's id.
            type Request = i64;
            type World = Option<Loaded>;

            async fn load(tx: &mut WriteTx, _: &Context<'_>, id: &i64) -> AppResult<Option<Loaded>> {
                load_manifest(tx, *id).await
            }

            fn decide(at: &Context<'_>, found: Option<Loaded>, id: &i64) -> Result<Outcome, Rejection> {
                let $l = found.ok_or_else(|| {
                    Rejection::NotFound(format!(
                        concat!($what, " {} does not exist in the current Facility."),
                        id
                    ))
                })?;
                let $ctx = &at.ctx;
                Ok(outcome(&[$decide?]))
            }
        }
    };
}

one_manifest!(
    /// Voids a registered manifest before departure (rule 48).
    Void,
    Definition::holders("Void transfer manifest", MANAGE),
    "Transfer",
    |ctx, l| manifests::void(ctx, &l.transfer, &l.lines)
);
one_manifest!(
    /// Archives an outgoing template.
    ArchiveTemplate,
    Definition::holders("Archive transfer template", MANAGE_TEMPLATES),
    "Transfer template",
    |ctx, l| manifests::archive_template(ctx, &l.transfer)
);

/// A manifest as a step on it needs it: the manifest, its packages as they are now, and its
/// recipient's facility.
pub struct StepLoad {
    found: HashMap<i64, Step>,
}

/// One manifest a step addresses: as stored, its packages now, its recipient.
type Step = (Loaded, HashMap<String, Package>, Option<Facility>);

async fn load_steps(tx: &mut WriteTx, ids: &[Option<i64>]) -> AppResult<StepLoad> {
    let mut found = HashMap::new();
    for id in ids.iter().flatten() {
        if found.contains_key(id) {
            continue;
        }
        let Some(l) = load_manifest(tx, *id).await? else {
            continue;
        };
        let pkgs = current(tx, &l.lines).await?;
        let recipient = tx
            .find_many::<Facility>(None, &[fold(&l.transfer.recipient.license_number)], None)
            .await?
            .into_iter()
            .next();
        found.insert(*id, (l, pkgs, recipient));
    }
    Ok(StepLoad { found })
}

/// Steps that address whole manifests by id: each element is decided against the manifest as
/// stored; problems are reported per element.
fn decide_steps(
    at: &Context<'_>,
    load: StepLoad,
    ids: &[Option<i64>],
    step: impl Fn(&Loaded, &HashMap<String, Package>, Option<&Facility>) -> Result<Manifest, Rejection>,
) -> Result<Outcome, Rejection> {
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
        let Some((l, pkgs, recipient)) = load.found.get(&id) else {
            errors.push(RowError::new(row, format!("Transfer {id} does not exist.")));
            continue;
        };
        match step(l, pkgs, recipient.as_ref()) {
            Ok(m) => written.push(m),
            Err(e) => errors.extend(at_row(row, e)?),
        }
    }
    if !errors.is_empty() {
        return Err(Rejection::Rows(errors));
    }
    let _ = at;
    Ok(outcome(&written))
}

macro_rules! step {
    ($(#[$doc:meta])* $name:ident, $def:expr, |$ctx:ident, $l:ident, $pkgs:ident, $recipient:ident| $decide:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl Action for $name {
            const DEF: Definition = $def;
            /// The manifests' ids, as listed.
            type Request = Vec<Option<i64>>;
            type World = StepLoad;

            async fn load(tx: &mut WriteTx, _: &Context<'_>, ids: &Self::Request) -> AppResult<StepLoad> {
                load_steps(tx, ids).await
            }

            fn decide(at: &Context<'_>, load: StepLoad, ids: &Self::Request) -> Result<Outcome, Rejection> {
                let $ctx = &at.ctx;
                decide_steps(at, load, ids, |$l, $pkgs, $recipient| $decide)
            }
        }
    };
}

step!(
    /// The transporter confirms the load and departs (rule 43): packages go in transit.
    Depart,
    Definition::holders("Depart with manifest", MANAGE),
    |ctx, l, pkgs, recipient| {
        let kind = recipient.map(|f| f.license_type).ok_or_else(|| {
            Rejection::Invalid("The recipient license no longer exists.".into())
        })?;
        manifests::depart(ctx, &l.transfer, &l.lines, pkgs, kind)
    }
);
step!(
    /// The manifest arrives at its destination.
    Arrive,
    Definition::holders("Manifest arrived", MANAGE),
    |ctx, l, _pkgs, _recipient| manifests::arrive(ctx, &l.transfer)
);
step!(
    /// The shipper takes its rejected packages back (rule 45).
    TakeBack,
    Definition::holders("Receive rejected packages back", MANAGE),
    |ctx, l, pkgs, _recipient| manifests::take_back(ctx, &l.transfer, &l.lines, pkgs)
);

/// A receipt: every package of a delivery accepted or rejected (rule 44).
#[derive(Debug, Clone)]
pub struct Receipt {
    pub delivery_id: i64,
    /// `lines[i]`'s problems are reported as row i.
    pub lines: Vec<ReceiptLine>,
}

/// The recipient accepts or rejects every package of a delivery (rule 44).
pub struct Receive;

/// What a receipt is decided against: the delivery as stored, its packages now, and the
/// receiver's locations the receipt names.
pub struct ReceiptWorld {
    delivery: Option<(Loaded, HashMap<String, Package>)>,
    locations: ReceivingLocations,
}

impl Action for Receive {
    const DEF: Definition = Definition::holders("Receive delivery", MANAGE);
    type Request = Receipt;
    type World = ReceiptWorld;

    async fn load(tx: &mut WriteTx, at: &Context<'_>, r: &Receipt) -> AppResult<ReceiptWorld> {
        // Only the receiver's own locations are read, archived ones too so that the refusal can
        // say so; where names repeat (an archived name reused), the active one is kept.
        let names: Vec<String> = r
            .lines
            .iter()
            .filter_map(|l| l.location.as_deref())
            .map(fold)
            .collect();
        let mut locations = ReceivingLocations::new();
        if !names.is_empty() {
            let lic = at.ctx.facility.license_number.as_str();
            for loc in tx.find_many::<Location>(Some(lic), &names, None).await? {
                let key = fold(&loc.name);
                if locations.get(&key).is_none_or(|l| !l.active) {
                    locations.insert(key, loc);
                }
            }
        }
        let Some(l) = load_manifest(tx, r.delivery_id)
            .await?
            .filter(|l| l.transfer.state != TransferState::Template)
        else {
            return Ok(ReceiptWorld {
                delivery: None,
                locations,
            });
        };
        let pkgs = current(tx, &l.lines).await?;
        Ok(ReceiptWorld {
            delivery: Some((l, pkgs)),
            locations,
        })
    }

    fn decide(at: &Context<'_>, w: ReceiptWorld, r: &Receipt) -> Result<Outcome, Rejection> {
        let (l, pkgs) = w.delivery.ok_or_else(|| {
            Rejection::NotFound(format!("Delivery {} does not exist.", r.delivery_id))
        })?;
        let (m, warnings) = manifests::receive(
            &at.ctx,
            &l.transfer,
            &l.lines,
            &pkgs,
            &r.lines,
            &w.locations,
        )?;
        Ok(outcome(&[m]).warn(warnings))
    }
}
