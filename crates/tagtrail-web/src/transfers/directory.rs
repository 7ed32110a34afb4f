//! What the manifest editor offers to choose from: facilities to ship to, the distributors that
//! may carry (with their drivers and vehicles), and the shipper's packages that may go.
//!
//! Facilities come from the state's license registry (`Ledger::facility_directory`). Drivers and
//! vehicles are those the viewing license already knows: its own, and those of the manifests it
//! is a party to; another distributor's fleet is not listed to every licensee. A choice that is
//! not offered can still be made by driver's license number or plate; the action checks it as it
//! checks any plan.

use crate::WebState;
use crate::error::WebError;
use crate::frame::Frame;
use std::collections::{BTreeMap, HashSet};
use tagtrail_app::actions::transfers::Loaded;
use tagtrail_app::reads::ListQuery;
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::records::{
    Driver, Package, PackageState, Transfer, TransferDelivery, TransferPackage, TransferTransport,
    Vehicle, fold,
};

/// A facility the editor may name: its license, its name, and its type where known.
#[derive(Debug, Clone)]
pub struct Known {
    pub license_number: String,
    pub name: String,
    pub kind: Option<LicenseType>,
}

/// A driver a distributor has named on a manifest or keeps on its books.
#[derive(Debug, Clone)]
pub struct KnownDriver {
    pub carrier: String,
    pub name: String,
    pub drivers_license_number: String,
    pub employee_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct KnownVehicle {
    pub carrier: String,
    pub make: String,
    pub model: String,
    pub plate: String,
}

pub struct Choices {
    /// By folded license number.
    pub facilities: BTreeMap<String, Known>,
    pub drivers: Vec<KnownDriver>,
    pub vehicles: Vec<KnownVehicle>,
    pub available: Vec<Package>,
}

impl Choices {
    /// The distributors (carriers), the shipper's own first.
    pub fn carriers(&self, lic: &str) -> Vec<&Known> {
        let mut v: Vec<&Known> = self
            .facilities
            .values()
            .filter(|f| f.kind == Some(LicenseType::Distributor))
            .collect();
        v.sort_by_key(|f| (f.license_number != lic, f.license_number.clone()));
        v
    }

    fn learn(&mut self, license_number: &str, name: &str, kind: Option<LicenseType>) {
        let e = self
            .facilities
            .entry(fold(license_number))
            .or_insert_with(|| Known {
                license_number: license_number.to_string(),
                name: name.to_string(),
                kind,
            });
        e.kind = e.kind.or(kind);
    }

    fn learn_manifest(&mut self, t: &Transfer) {
        self.learn(&t.shipper.license_number, &t.shipper.name, None);
        self.learn(&t.recipient.license_number, &t.recipient.name, None);
        // Only a distributor transports (rule 39).
        let carrier = &t.transporter.license_number;
        self.learn(carrier, &t.transporter.name, Some(LicenseType::Distributor));
        if t.state != tagtrail_domain::records::TransferState::Template {
            self.drivers.push(KnownDriver {
                carrier: carrier.clone(),
                name: t.driver_name.clone(),
                drivers_license_number: t.driver_license_number.clone(),
                employee_id: t.driver_employee_id.clone(),
            });
            self.vehicles.push(KnownVehicle {
                carrier: carrier.clone(),
                make: t.vehicle_make.clone(),
                model: t.vehicle_model.clone(),
                plate: t.vehicle_plate.clone(),
            });
        }
    }
}

/// How many recent manifests of each list the directory is learnt from.
const RECENT: u32 = 200;

/// The editor's choices for the shipper `f`, editing `editing` if any.
pub async fn choices(
    s: &WebState,
    f: &Frame,
    editing: Option<&Loaded>,
) -> Result<Choices, WebError> {
    let scope = &f.scope;
    let mut c = Choices {
        facilities: BTreeMap::new(),
        drivers: vec![],
        vehicles: vec![],
        available: vec![],
    };
    for fac in s.ledger.facility_directory(scope).await? {
        c.learn(&fac.license_number, &fac.name, Some(fac.license_type));
    }
    let active = ListQuery {
        active: Some(true),
        ..Default::default()
    };
    for d in s.ledger.list::<Driver>(scope, active.clone()).await?.rows {
        c.drivers.push(KnownDriver {
            carrier: d.license_number,
            name: d.name,
            drivers_license_number: d.drivers_license_number,
            employee_id: d.employee_id,
        });
    }
    for v in s.ledger.list::<Vehicle>(scope, active.clone()).await?.rows {
        c.vehicles.push(KnownVehicle {
            carrier: v.license_number,
            make: v.make,
            model: v.model,
            plate: v.license_plate_number,
        });
    }
    let recent = ListQuery {
        page: Some((1, RECENT)),
        newest_first: true,
        ..Default::default()
    };
    let mut seen = s.ledger.manifests(scope, recent.clone()).await?.rows;
    seen.extend(
        s.ledger
            .manifests_via::<TransferDelivery>(scope, recent.clone())
            .await?
            .rows,
    );
    seen.extend(
        s.ledger
            .manifests_via::<TransferTransport>(scope, recent)
            .await?
            .rows,
    );
    for t in &seen {
        c.learn_manifest(t);
    }
    let mut plates = HashSet::new();
    c.vehicles
        .retain(|v| plates.insert((fold(&v.carrier), fold(&v.plate))));
    let mut licenses = HashSet::new();
    c.drivers
        .retain(|d| licenses.insert((fold(&d.carrier), fold(&d.drivers_license_number))));

    let this = editing.map(|l| l.transfer.id);
    // Packages held by another open manifest cannot be picked (rule 35); the edited manifest's
    // own stay pickable, even if held since, so that the action names the problem on save.
    let busy: HashSet<String> = s
        .ledger
        .list::<TransferPackage>(scope, active.clone())
        .await?
        .rows
        .into_iter()
        .filter(|l| Some(l.transfer_id) != this)
        .map(|l| l.package.label.to_string())
        .collect();
    let mine: HashSet<String> = editing
        .map(|l| {
            l.lines
                .iter()
                .map(|x| x.package.label.to_string())
                .collect()
        })
        .unwrap_or_default();
    c.available = s
        .ledger
        .list::<Package>(scope, active)
        .await?
        .rows
        .into_iter()
        // A testing sample in a laboratory's custody is not at the shipper's premises.
        .filter(|p| p.state == PackageState::Active && p.lab_license.is_none())
        .filter(|p| {
            let label = p.label.to_string();
            !busy.contains(&label) && (!p.on_hold || mine.contains(&label))
        })
        .collect();
    Ok(c)
}
