//! Preflight: before anyone reviews a submission, check it against what the workbench knows of
//! Metrc — the key holder's synced permissions, the facility's capabilities and the packages
//! and tags of the last sync — and the rules tagtrail's ledger enforces, reusing
//! `tagtrail-domain` so the two cannot disagree. A problem names the row it comes from, the way
//! Metrc's 400 answers do.

use crate::discrepancy::{PackageView, Status};
use crate::manifest::{
    IncomingDelivery, ManifestDraft, Receipt, Rejected, TakeBack, check_receipt, check_take_back,
};
use crate::submission::Kind;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::quantity::{checked_remove, convert, unit};
use tagtrail_domain::tag::TagLabel;

/// Metrc's most packages on one manifest (rule 47 of cctt-rules.md).
pub const MAX_TRANSFER_PACKAGES: usize = 200;

/// What a submission asks Metrc to do, typed.
#[allow(
    clippy::large_enum_variant,
    reason = "an intent is built once per submission and stored; its size costs nothing"
)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Intent {
    CreatePackages(Vec<NewPackage>),
    /// Testing samples: new packages like any other, for a laboratory.
    CreateTestingSamples(Vec<NewPackage>),
    MovePackages(Vec<Move>),
    FinishPackages(Vec<String>),
    /// Destroyed: each package's whole quantity recorded as unusable waste.
    DestroyPackages(Vec<Destruction>),
    CreateStrains(Vec<String>),
    CreateLocations(Vec<NewLocation>),
    OutgoingTransfer(TransferDraft),
    /// Register a manifest (a manual task in Metrc's web UI; a tagtrail ledger's extension).
    RegisterManifest(ManifestDraft),
    /// Receive an incoming delivery (likewise).
    ReceiveDelivery(Receipt),
    /// Take back packages a recipient rejected (likewise).
    TakeBack(TakeBack),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPackage {
    pub tag: String,
    pub item: String,
    pub quantity: Decimal,
    pub unit: String,
    pub location: Option<String>,
    pub note: Option<String>,
    pub ingredients: Vec<Ingredient>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ingredient {
    pub package: String,
    pub quantity: Decimal,
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Move {
    pub label: String,
    pub location: String,
}

/// A package destroyed whole: how, who saw it, and why (the waste record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destruction {
    pub label: String,
    /// All it holds, as the last sync saw it (filled in when the draft is written).
    pub quantity: Decimal,
    pub unit: String,
    /// How it was made unusable (e.g. "Mixed 50:50 with kitty litter").
    pub method: String,
    pub witness: String,
    pub reason: String,
}

/// The reason Metrc records a destruction under.
pub const DESTRUCTION_REASON: &str = "Waste (Unusable Product)";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLocation {
    pub name: String,
    pub location_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferDraft {
    /// The template's name: the natural key the outbox reads back.
    pub name: String,
    pub recipient_license: String,
    pub recipient_is_retailer: bool,
    pub transfer_type: String,
    pub packages: Vec<String>,
    /// Each package's wholesale price (a wholesale manifest needs one per package, rule 42).
    #[serde(default)]
    pub wholesale_prices: BTreeMap<String, Decimal>,
}

impl Intent {
    pub fn kind(&self) -> Kind {
        match self {
            Intent::CreatePackages(_) => Kind::CreatePackages,
            Intent::CreateTestingSamples(_) => Kind::CreateTestingSamples,
            Intent::MovePackages(_) => Kind::MovePackages,
            Intent::FinishPackages(_) => Kind::FinishPackages,
            Intent::DestroyPackages(_) => Kind::DestroyPackages,
            Intent::CreateStrains(_) => Kind::CreateStrains,
            Intent::CreateLocations(_) => Kind::CreateLocations,
            Intent::OutgoingTransfer(_) => Kind::OutgoingTransferTemplate,
            Intent::RegisterManifest(_) => Kind::RegisterManifest,
            Intent::ReceiveDelivery(_) => Kind::ReceiveDelivery,
            Intent::TakeBack(_) => Kind::TakeBackRejected,
        }
    }

    /// How many objects it sends (Metrc's rows).
    pub fn rows(&self) -> usize {
        match self {
            Intent::CreatePackages(v) | Intent::CreateTestingSamples(v) => v.len(),
            Intent::MovePackages(v) => v.len(),
            Intent::FinishPackages(v) => v.len(),
            Intent::DestroyPackages(v) => v.len(),
            Intent::CreateStrains(v) => v.len(),
            Intent::CreateLocations(v) => v.len(),
            Intent::OutgoingTransfer(_) | Intent::RegisterManifest(_) | Intent::TakeBack(_) => 1,
            Intent::ReceiveDelivery(r) => r.lines.len(),
        }
    }
}

/// The permissions Metrc (and the ledger) require of the key holder for each kind.
pub fn permissions(kind: Kind) -> &'static [Permission] {
    match kind {
        Kind::CreatePackages | Kind::CreateTestingSamples => {
            &[Permission::CreateSubmitDiscontinuePackages]
        }
        Kind::MovePackages => &[Permission::CreateSubmitDiscontinuePackages],
        Kind::FinishPackages | Kind::DestroyPackages => &[Permission::ManagePackagesInventory],
        Kind::CreateStrains => &[Permission::ManageStrains],
        Kind::CreateLocations => &[Permission::ManageLocations],
        Kind::OutgoingTransferTemplate => &[Permission::ManageTransferTemplates],
        Kind::RegisterManifest | Kind::ReceiveDelivery | Kind::TakeBackRejected => {
            &[Permission::ManageTransfers]
        }
    }
}

/// What preflight knows, from the last sync and the workbench's own records.
#[derive(Debug, Clone, Default)]
pub struct World {
    /// The key holder's permissions at the facility, as Metrc listed them; `None` when never
    /// synced (then preflight says so rather than guessing).
    pub permissions: Option<BTreeSet<Permission>>,
    /// Packages of this license by label (Metrc's state at the last sync).
    pub packages: BTreeMap<String, PackageView>,
    /// Package tags received and unused, by label.
    pub available_tags: BTreeSet<String>,
    pub items: BTreeSet<String>,
    pub locations: BTreeSet<String>,
    pub strains: BTreeSet<String>,
    /// Labels with an open discrepancy, and why.
    pub open_discrepancies: BTreeMap<String, String>,
    /// Deliveries addressed to this license, by Metrc's delivery id.
    pub incoming: BTreeMap<i64, IncomingDelivery>,
    /// The license's sellable inventory (released by QA, agreeing with Metrc, on no hold), when
    /// known: only it goes to a retailer.
    pub sellable: Option<BTreeSet<String>>,
    /// Packages of this license's outgoing manifests that their recipients rejected, by label.
    pub rejected: BTreeMap<String, Rejected>,
    /// Transporters the workbench knows (the company's own licenses), by license number.
    pub transporters: BTreeMap<String, KnownTransporter>,
}

/// A license of the company's that may carry a manifest: whether it holds a distributor
/// license (rule 39), and its drivers (driver's license numbers) at its last sync.
#[derive(Debug, Clone, Default)]
pub struct KnownTransporter {
    pub distributor: bool,
    pub drivers: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The object's index in the request body, as Metrc counts rows; `None` for the whole.
    pub row: Option<usize>,
    pub message: String,
}

fn lower(s: &str) -> String {
    s.trim().to_lowercase()
}

fn contains_folded(set: &BTreeSet<String>, name: &str) -> bool {
    set.iter().any(|x| lower(x) == lower(name))
}

/// Every problem that would make Metrc refuse the submission, or that the workbench refuses
/// itself (an open discrepancy on a package to be transferred).
pub fn check(intent: &Intent, w: &World) -> Vec<Problem> {
    let mut out = vec![];
    let mut whole = |m: String| {
        out.push(Problem {
            row: None,
            message: m,
        })
    };
    match &w.permissions {
        None => whole(
            "Metrc permissions of this license's key have not been synced yet; run a sync first"
                .into(),
        ),
        Some(held) => {
            let need = permissions(intent.kind());
            if !need.iter().any(|p| held.contains(p)) {
                whole(format!(
                    "the license's Metrc user lacks the permission {} that {} needs",
                    need.iter()
                        .map(|p| p.name())
                        .collect::<Vec<_>>()
                        .join(" or "),
                    intent.kind().label().to_lowercase()
                ));
            }
        }
    }
    if intent.rows() == 0 {
        whole("the submission has nothing in it".into());
    }
    // Problems of the whole found while checking rows, added after them.
    let mut out_whole = vec![];
    let mut row = |i: usize, m: String| {
        out.push(Problem {
            row: Some(i),
            message: m,
        })
    };
    match intent {
        Intent::CreatePackages(list) | Intent::CreateTestingSamples(list) => {
            // What each source has left after the rows before this one drew from it.
            let mut left: BTreeMap<&str, (Decimal, String)> = BTreeMap::new();
            let mut tags_used = BTreeSet::new();
            for (i, p) in list.iter().enumerate() {
                match TagLabel::parse(&p.tag) {
                    Err(e) => row(i, e),
                    Ok(t) => {
                        if !w.available_tags.contains(t.as_str()) {
                            row(
                                i,
                                format!(
                                    "tag {t} is not a received, unused package tag of this license"
                                ),
                            );
                        }
                        if !tags_used.insert(t.as_str().to_string()) {
                            row(i, format!("tag {t} is used twice in this submission"));
                        }
                    }
                }
                if !contains_folded(&w.items, &p.item) {
                    row(
                        i,
                        format!("item {} is not an active item of this license", p.item),
                    );
                }
                match &p.location {
                    Some(l) if !contains_folded(&w.locations, l) => row(
                        i,
                        format!("location {l} is not an active location of this license"),
                    ),
                    // Metrc needs a location for a new package wherever the facility has any.
                    None if !w.locations.is_empty() => {
                        row(i, "say where the new package is put (its location)".into())
                    }
                    _ => {}
                }
                if p.quantity <= Decimal::ZERO {
                    row(
                        i,
                        "the new package's quantity must be more than zero".into(),
                    );
                }
                if unit(&p.unit).is_none() {
                    row(i, format!("{} is not a unit of measure", p.unit));
                }
                if p.ingredients.is_empty() {
                    row(i, "a new package needs at least one source package".into());
                }
                for ing in &p.ingredients {
                    let Some(src) = w.packages.get(&ing.package) else {
                        row(
                            i,
                            format!(
                                "source package {} is not in this license's inventory",
                                ing.package
                            ),
                        );
                        continue;
                    };
                    if src.status != Status::Active {
                        row(
                            i,
                            format!("source package {} is {}", ing.package, src.status.as_str()),
                        );
                    }
                    if src.on_hold {
                        row(i, format!("source package {} is on hold", ing.package));
                    }
                    let (Some(from), Some(src_unit)) = (unit(&ing.unit), unit(&src.unit)) else {
                        row(i, format!("{} is not a unit of measure", ing.unit));
                        continue;
                    };
                    let take = match convert(ing.quantity, from, src_unit) {
                        Ok(q) => q,
                        Err(e) => {
                            row(i, format!("source package {}: {e}", ing.package));
                            continue;
                        }
                    };
                    let entry = left
                        .entry(ing.package.as_str())
                        .or_insert((src.quantity, src.unit.clone()));
                    match checked_remove(entry.0, take) {
                        Ok(rest) => entry.0 = rest,
                        Err(_) => row(
                            i,
                            format!(
                                "source package {} has {} {} left; drawing {} {} would take it below zero",
                                ing.package, entry.0, entry.1, ing.quantity, ing.unit
                            ),
                        ),
                    }
                }
            }
        }
        Intent::MovePackages(list) => {
            for (i, m) in list.iter().enumerate() {
                match w.packages.get(&m.label) {
                    None => row(
                        i,
                        format!("package {} is not in this license's inventory", m.label),
                    ),
                    Some(p) if p.status != Status::Active => {
                        row(i, format!("package {} is {}", m.label, p.status.as_str()))
                    }
                    Some(_) => {}
                }
                if !contains_folded(&w.locations, &m.location) {
                    row(
                        i,
                        format!(
                            "location {} is not an active location of this license",
                            m.location
                        ),
                    );
                }
            }
        }
        Intent::FinishPackages(list) => {
            for (i, l) in list.iter().enumerate() {
                match w.packages.get(l) {
                    None => row(i, format!("package {l} is not in this license's inventory")),
                    Some(p) if p.status != Status::Active => {
                        row(i, format!("package {l} is {}", p.status.as_str()))
                    }
                    Some(p) if !p.quantity.is_zero() => row(
                        i,
                        format!(
                            "package {l} still holds {} {}; only an empty package can be finished",
                            p.quantity, p.unit
                        ),
                    ),
                    Some(_) => {}
                }
            }
        }
        Intent::DestroyPackages(list) => {
            let mut seen = BTreeSet::new();
            for (i, x) in list.iter().enumerate() {
                if !seen.insert(x.label.as_str()) {
                    row(i, format!("package {} is destroyed twice", x.label));
                }
                match w.packages.get(&x.label) {
                    None => row(
                        i,
                        format!("package {} is not in this license's inventory", x.label),
                    ),
                    Some(p) if p.status != Status::Active => {
                        row(i, format!("package {} is {}", x.label, p.status.as_str()))
                    }
                    Some(p)
                        if p.quantity != x.quantity || !p.unit.eq_ignore_ascii_case(&x.unit) =>
                    {
                        row(
                            i,
                            format!(
                                "package {} holds {} {} now, not {} {}: draft it again from the last sync",
                                x.label,
                                p.quantity.normalize(),
                                p.unit,
                                x.quantity.normalize(),
                                x.unit
                            ),
                        )
                    }
                    Some(p) if p.quantity.is_zero() => row(
                        i,
                        format!("package {} is already empty; finish it instead", x.label),
                    ),
                    Some(_) => {}
                }
                for (what, v) in [
                    ("how it is destroyed", &x.method),
                    ("who witnessed it", &x.witness),
                    ("why", &x.reason),
                ] {
                    if v.trim().is_empty() || v.chars().count() > 300 {
                        row(i, format!("say {what} (at most 300 characters)"));
                    }
                }
            }
        }
        Intent::CreateStrains(names) => {
            let mut seen = BTreeSet::new();
            for (i, n) in names.iter().enumerate() {
                if n.trim().is_empty() {
                    row(i, "a strain needs a name".into());
                } else if contains_folded(&w.strains, n) {
                    row(i, format!("strain {n} already exists"));
                } else if !seen.insert(lower(n)) {
                    row(i, format!("strain {n} appears twice"));
                }
            }
        }
        Intent::CreateLocations(list) => {
            let mut seen = BTreeSet::new();
            for (i, l) in list.iter().enumerate() {
                if l.name.trim().is_empty() {
                    row(i, "a location needs a name".into());
                } else if contains_folded(&w.locations, &l.name) {
                    row(i, format!("location {} already exists", l.name));
                } else if !seen.insert(lower(&l.name)) {
                    row(i, format!("location {} appears twice", l.name));
                }
            }
        }
        Intent::OutgoingTransfer(t) => check_transfer(t, w, &mut row),
        Intent::RegisterManifest(m) => {
            check_transfer(&m.transfer, w, &mut row);
            // Rule 39, for a transporter the workbench knows (one of the company's licenses):
            // it holds a distributor license, and the driver is one of its drivers.
            let x = &m.transport;
            if let Some(t) = w.transporters.get(x.transporter_license.trim()) {
                if !t.distributor {
                    row(
                        0,
                        format!(
                            "{} holds no distributor license, so it cannot transport (rule 39)",
                            x.transporter_license
                        ),
                    );
                }
                if !x.driver_license.trim().is_empty()
                    && !t.drivers.is_empty()
                    && !t.drivers.contains(x.driver_license.trim())
                {
                    row(
                        0,
                        format!(
                            "driver's license {} is not one of {}'s drivers at its last sync",
                            x.driver_license, x.transporter_license
                        ),
                    );
                }
            }
            let missing = m.transport.missing();
            if !missing.is_empty() {
                row(
                    0,
                    format!("a manifest needs its {} (rule 40)", missing.join(", ")),
                );
            }
        }
        Intent::TakeBack(t) => {
            for (i, m) in check_take_back(t, &w.rejected) {
                match i {
                    Some(i) => row(i, m),
                    None => out_whole.push(m),
                }
            }
        }
        Intent::ReceiveDelivery(r) => {
            for (i, m) in check_receipt(r, &w.incoming) {
                match i {
                    Some(i) => row(i, m),
                    None => out_whole.push(m),
                }
            }
        }
    }
    out.extend(
        out_whole
            .into_iter()
            .map(|message| Problem { row: None, message }),
    );
    out
}

/// The checks every transfer shares (template or manifest): packages there, active, not on
/// hold, without an open discrepancy, passing for a retailer, at most 200 (rule 47).
fn check_transfer(t: &TransferDraft, w: &World, row: &mut impl FnMut(usize, String)) {
    if t.packages.is_empty() {
        row(0, "a transfer needs at least one package".into());
    }
    // Rule 42: a wholesale manifest prices every package; a price is for a package on it.
    let wholesale = t.transfer_type.to_ascii_lowercase().contains("wholesale");
    for l in &t.packages {
        match t.wholesale_prices.get(l) {
            None if wholesale => row(
                0,
                format!("package {l} needs its wholesale price on a wholesale manifest (rule 42)"),
            ),
            Some(p) if *p <= Decimal::ZERO => row(
                0,
                format!("package {l}'s wholesale price must be more than zero"),
            ),
            _ => {}
        }
    }
    for l in t.wholesale_prices.keys() {
        if !t.packages.contains(l) {
            row(
                0,
                format!("a wholesale price is given for {l}, which is not on the transfer"),
            );
        }
    }
    if t.packages.len() > MAX_TRANSFER_PACKAGES {
        row(
            0,
            format!(
                "a manifest carries at most {MAX_TRANSFER_PACKAGES} packages; this one has {}",
                t.packages.len()
            ),
        );
    }
    for l in &t.packages {
        if let Some(why) = w.open_discrepancies.get(l) {
            row(
                0,
                format!(
                    "package {l} has an open discrepancy ({why}); resolve it before it goes on a transfer"
                ),
            );
        }
        match w.packages.get(l) {
            None => row(0, format!("package {l} is not in this license's inventory")),
            Some(p) => {
                if p.status != Status::Active {
                    row(0, format!("package {l} is {}", p.status.as_str()));
                }
                if p.on_hold {
                    row(0, format!("package {l} is on hold"));
                }
                let passing = p
                    .lab_state
                    .as_deref()
                    .and_then(LabState::parse)
                    .is_some_and(|s| s.passing());
                if t.recipient_is_retailer
                    && let Some(sellable) = &w.sellable
                    && !sellable.contains(l)
                {
                    row(
                        0,
                        format!(
                            "package {l} is not sellable inventory (released by QA, agreeing with Metrc, on no hold); only sellable inventory goes to a retailer"
                        ),
                    );
                }
                if t.recipient_is_retailer && !passing {
                    row(
                        0,
                        format!(
                            "package {l} is {}; a retailer may receive only packages that passed testing",
                            p.lab_state.as_deref().unwrap_or("untested")
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn world() -> World {
        let mut w = World {
            permissions: Some(Permission::ALL.iter().copied().collect()),
            ..World::default()
        };
        w.packages.insert(
            "SRC".into(),
            PackageView {
                label: "SRC".into(),
                quantity: d("100"),
                unit: "Grams".into(),
                location: Some("Vault".into()),
                status: Status::Active,
                lab_state: Some("TestPassed".into()),
                on_hold: false,
            },
        );
        w.available_tags.insert("1A4000000000000000000009".into());
        w.available_tags.insert("1A4000000000000000000010".into());
        w.items.insert("Gummies".into());
        w.locations.insert("Vault".into());
        w
    }

    fn new_package(tag: &str, grams: &str) -> NewPackage {
        NewPackage {
            tag: tag.into(),
            item: "gummies".into(),
            quantity: d("10"),
            unit: "Each".into(),
            location: Some("Vault".into()),
            note: None,
            ingredients: vec![Ingredient {
                package: "SRC".into(),
                quantity: d(grams),
                unit: "Grams".into(),
            }],
        }
    }

    #[test]
    fn a_good_package_passes() {
        let i = Intent::CreatePackages(vec![new_package("1A4000000000000000000009", "60")]);
        assert_eq!(check(&i, &world()), vec![]);
    }

    /// Rule 28: no quantity below zero — two rows drawing 60 g each from 100 g.
    #[test]
    fn rows_together_cannot_take_a_source_below_zero() {
        let i = Intent::CreatePackages(vec![
            new_package("1A4000000000000000000009", "60"),
            new_package("1A4000000000000000000010", "40"),
        ]);
        assert_eq!(check(&i, &world()), vec![]);
        let i = Intent::CreatePackages(vec![
            new_package("1A4000000000000000000009", "60"),
            new_package("1A4000000000000000000010", "60"),
        ]);
        let p = check(&i, &world());
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].row, Some(1));
        assert!(p[0].message.contains("below zero"), "{p:?}");
    }

    /// Rule 11: a tag must be received (and unused) before use.
    #[test]
    fn an_unreceived_tag_is_refused() {
        let i = Intent::CreatePackages(vec![new_package("1A4000000000000000000099", "1")]);
        let p = check(&i, &world());
        assert!(p[0].message.contains("not a received, unused"), "{p:?}");
    }

    #[test]
    fn missing_permission_is_named() {
        let mut w = world();
        w.permissions = Some(BTreeSet::from([Permission::ViewPackages]));
        let i = Intent::CreatePackages(vec![new_package("1A4000000000000000000009", "1")]);
        let p = check(&i, &w);
        assert_eq!(p[0].row, None);
        assert!(
            p[0].message.contains("Create/Submit/Discontinue Packages"),
            "{p:?}"
        );
    }

    #[test]
    fn an_open_discrepancy_blocks_a_transfer_and_says_why() {
        let mut w = world();
        w.open_discrepancies
            .insert("SRC".into(), "Quantity differs".into());
        let t = Intent::OutgoingTransfer(TransferDraft {
            name: "to distro".into(),
            recipient_license: "C11-0000701-LIC".into(),
            recipient_is_retailer: false,
            transfer_type: "Transfer".into(),
            packages: vec!["SRC".into()],
            wholesale_prices: Default::default(),
        });
        let p = check(&t, &w);
        assert_eq!(p.len(), 1);
        assert!(
            p[0].message.contains("open discrepancy (Quantity differs)"),
            "{p:?}"
        );
    }

    /// Rule 46: a retailer receives only packages that passed testing.
    #[test]
    fn retailers_receive_only_passed_packages() {
        let mut w = world();
        if let Some(p) = w.packages.get_mut("SRC") {
            p.lab_state = Some("TestFailed".into());
        }
        let t = Intent::OutgoingTransfer(TransferDraft {
            name: "to store".into(),
            recipient_license: "C10-0000911-LIC".into(),
            recipient_is_retailer: true,
            transfer_type: "Wholesale".into(),
            packages: vec!["SRC".into()],
            wholesale_prices: Default::default(),
        });
        assert!(
            check(&t, &w)
                .iter()
                .any(|p| p.message.contains("passed testing"))
        );
    }

    /// Rule 39: a transporter the workbench knows holds a distributor license, and the driver
    /// is one of its own.
    #[test]
    fn rule_39_the_transporter_distributes_and_the_driver_is_its_own() {
        use crate::manifest::{ManifestDraft, Transport};
        let manifest = |transporter: &str, driver: &str| {
            Intent::RegisterManifest(ManifestDraft {
                transfer: TransferDraft {
                    name: "to distro".into(),
                    recipient_license: "C11-0000701-LIC".into(),
                    recipient_is_retailer: false,
                    transfer_type: "Transfer".into(),
                    packages: vec!["SRC".into()],
                    wholesale_prices: Default::default(),
                },
                transport: Transport {
                    transporter_license: transporter.into(),
                    driver_name: "Luis Ortega".into(),
                    driver_occupational_license: "EMP-300310".into(),
                    driver_license: driver.into(),
                    vehicle_make: "Ford".into(),
                    vehicle_model: "Transit".into(),
                    vehicle_plate: "8TGT123".into(),
                    estimated_departure: "2026-12-01T08:00:00".into(),
                    estimated_arrival: "2026-12-01T12:00:00".into(),
                    phone_for_questions: String::new(),
                },
            })
        };
        let mut w = world();
        w.transporters.insert(
            "C11-0000701-LIC".into(),
            KnownTransporter {
                distributor: true,
                drivers: BTreeSet::from(["D4481237".to_string()]),
            },
        );
        w.transporters
            .insert("CDPH-10003301".into(), KnownTransporter::default());
        assert_eq!(check(&manifest("C11-0000701-LIC", "D4481237"), &w), vec![]);
        let p = check(&manifest("C11-0000701-LIC", "D0000000"), &w);
        assert!(
            p[0].message
                .contains("not one of C11-0000701-LIC's drivers"),
            "{p:?}"
        );
        let p = check(&manifest("CDPH-10003301", "D4481237"), &w);
        assert!(p[0].message.contains("no distributor license"), "{p:?}");
        // A transporter of another company is the ledger's to check.
        assert_eq!(check(&manifest("C11-9999999-LIC", "D0000000"), &w), vec![]);
    }

    /// Rule 42: a wholesale manifest prices every package.
    #[test]
    fn rule_42_wholesale_needs_a_price_per_package() {
        let mut t = TransferDraft {
            name: "to store".into(),
            recipient_license: "C10-0000911-LIC".into(),
            recipient_is_retailer: false,
            transfer_type: "Wholesale Manifest".into(),
            packages: vec!["SRC".into()],
            wholesale_prices: Default::default(),
        };
        let p = check(&Intent::OutgoingTransfer(t.clone()), &world());
        assert!(p[0].message.contains("needs its wholesale price"), "{p:?}");
        t.wholesale_prices.insert("SRC".into(), d("12.5"));
        assert_eq!(
            check(&Intent::OutgoingTransfer(t.clone()), &world()),
            vec![]
        );
        t.wholesale_prices.insert("OTHER".into(), d("1"));
        let p = check(&Intent::OutgoingTransfer(t), &world());
        assert!(p[0].message.contains("not on the transfer"), "{p:?}");
    }

    /// Rule 47: at most 200 packages on a manifest.
    #[test]
    fn manifests_carry_at_most_200_packages() {
        let t = Intent::OutgoingTransfer(TransferDraft {
            name: "big".into(),
            recipient_license: "C11-0000701-LIC".into(),
            recipient_is_retailer: false,
            transfer_type: "Transfer".into(),
            packages: vec!["SRC".into(); 201],
            wholesale_prices: Default::default(),
        });
        assert!(
            check(&t, &world())
                .iter()
                .any(|p| p.message.contains("at most 200"))
        );
    }

    #[test]
    fn only_empty_packages_finish() {
        let i = Intent::FinishPackages(vec!["SRC".into()]);
        assert!(
            check(&i, &world())[0]
                .message
                .contains("only an empty package")
        );
    }
}
