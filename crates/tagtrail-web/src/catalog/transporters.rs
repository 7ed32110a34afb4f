//! A distributor's drivers and vehicles (`/transporters/v2/drivers` and `/vehicles`). Rule 39:
//! only a licensed distributor transports, in vehicles it owns or leases, so other licenses see
//! why there is nothing to add rather than a form the ledger would refuse.

use super::form::{Form, Reader};
use super::{Kind, facts, tabs};
use crate::WebState;
use crate::error::WebError;
use crate::frame::Frame;
use crate::grid::Col;
use maud::{Markup, html};
use tagtrail_app::Scope;
use tagtrail_app::actions::{drivers, vehicles};
use tagtrail_app::reads::Column;
use tagtrail_domain::commands::transporters::{DriverSpec, VehicleSpec};
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Driver, Facility, Vehicle};

pub struct Drivers;
pub struct Vehicles;

const VIEW: &[Permission] = &[Permission::Transporters, Permission::ManageTransporters];

fn siblings(f: &Frame, vehicles: bool) -> Markup {
    tabs(
        "Drivers or vehicles",
        &[
            ("Drivers", f.url("transporters/drivers"), !vehicles),
            ("Vehicles", f.url("transporters/vehicles"), vehicles),
        ],
    )
}

/// Rule 39: only a distributor registers drivers and vehicles.
fn unavailable(facility: &Facility) -> Option<String> {
    (facility.license_type != LicenseType::Distributor).then(|| {
        format!(
            "Only a licensed distributor transports cannabis goods (rule 39). {}'s license ({}) \
             does not, so it registers no drivers or vehicles; its shipments name a distributor as \
             transporter.",
            facility.name,
            facility.license_type.metrc_name()
        )
    })
}

impl Kind for Drivers {
    type Record = Driver;
    type Spec = DriverSpec;
    type Create = drivers::Create;
    type Update = drivers::Update;
    type Archive = drivers::Archive;
    type Choices = ();

    const ADDR: &'static str = "transporters/drivers";
    const SECTION: &'static str = "transporters";
    const TITLE: &'static str = "Drivers";
    const ONE: &'static str = "driver";
    const ONE_TITLE: &'static str = "Driver";
    const VIEW: &'static [Permission] = VIEW;
    const COLS: &'static [Col] = &[
        Col::sorted("name", "Name", Column::NameKey),
        Col::sorted("license", "Driver's license", Column::DriversLicenseKey),
        Col::new("employee", "Employee ID"),
        Col::new("modified", "Last modified"),
    ];
    const FIND: (Column, &'static str) = (Column::NameKey, "Name contains");
    const CSV: &'static [&'static str] = &["Name", "Driver's license number", "Employee ID"];

    async fn choices(_: &WebState, _: &Scope) -> Result<(), WebError> {
        Ok(())
    }

    fn name(r: &Driver) -> String {
        r.name.clone()
    }

    fn called(spec: &DriverSpec) -> String {
        spec.name.clone().unwrap_or_default()
    }

    fn spec(id: Option<i64>, f: &mut Reader) -> DriverSpec {
        DriverSpec {
            id,
            name: f.text("name"),
            drivers_license_number: f.text("drivers_license"),
            employee_id: f.text("employee_id"),
        }
    }

    fn fields(_: &Facility, form: &Form, r: Option<&Driver>, _: &()) -> Markup {
        html! {
            fieldset { legend { "Driver" }
                (form.text("name", "Name", r.map(|d| d.name.as_str()).unwrap_or_default(), true))
                (form.text("drivers_license", "Driver's license number", r.map(|d| d.drivers_license_number.as_str()).unwrap_or_default(), true))
                (form.text("employee_id", "Employee ID", r.and_then(|d| d.employee_id.as_deref()).unwrap_or_default(), false))
                p.cat-hint { "Rule 39: drivers are the distributor's own employees." }
            }
        }
    }

    fn facts(_: &Frame, d: &Driver) -> Markup {
        facts(&[
            (
                "Driver's license number",
                html! { span.mono { (d.drivers_license_number) } },
            ),
            (
                "Employee ID",
                html! { (d.employee_id.clone().unwrap_or_default()) },
            ),
        ])
    }

    fn cells(_: &Frame, d: &Driver) -> Markup {
        html! {
            td.mono { (d.drivers_license_number) }
            td.mono { (d.employee_id.clone().unwrap_or_default()) }
        }
    }

    fn csv(d: &Driver) -> Vec<String> {
        vec![
            d.name.clone(),
            d.drivers_license_number.clone(),
            d.employee_id.clone().unwrap_or_default(),
        ]
    }

    fn consequence(d: &Driver) -> String {
        format!(
            "Driver {} (license {}) is archived: it leaves the active list and is no longer offered for new manifests.",
            d.name, d.drivers_license_number
        )
    }

    fn unavailable(facility: &Facility) -> Option<String> {
        unavailable(facility)
    }

    fn siblings(f: &Frame) -> Markup {
        siblings(f, false)
    }
}

impl Kind for Vehicles {
    type Record = Vehicle;
    type Spec = VehicleSpec;
    type Create = vehicles::Create;
    type Update = vehicles::Update;
    type Archive = vehicles::Archive;
    type Choices = ();

    const ADDR: &'static str = "transporters/vehicles";
    const SECTION: &'static str = "transporters";
    const TITLE: &'static str = "Vehicles";
    const ONE: &'static str = "vehicle";
    const ONE_TITLE: &'static str = "Vehicle";
    const VIEW: &'static [Permission] = VIEW;
    const COLS: &'static [Col] = &[
        Col::sorted("plate", "License plate", Column::PlateKey),
        Col::new("make", "Make"),
        Col::new("model", "Model"),
        Col::new("modified", "Last modified"),
    ];
    const FIND: (Column, &'static str) = (Column::PlateKey, "Plate contains");
    const CSV: &'static [&'static str] = &["License plate", "Make", "Model"];

    async fn choices(_: &WebState, _: &Scope) -> Result<(), WebError> {
        Ok(())
    }

    /// A vehicle is known by its plate.
    fn name(r: &Vehicle) -> String {
        r.license_plate_number.clone()
    }

    fn called(spec: &VehicleSpec) -> String {
        spec.license_plate_number
            .clone()
            .unwrap_or_default()
            .to_uppercase()
    }

    fn spec(id: Option<i64>, f: &mut Reader) -> VehicleSpec {
        VehicleSpec {
            id,
            make: f.text("make"),
            model: f.text("model"),
            license_plate_number: f.text("plate"),
        }
    }

    fn fields(_: &Facility, form: &Form, r: Option<&Vehicle>, _: &()) -> Markup {
        html! {
            fieldset { legend { "Vehicle" }
                (form.text("make", "Make", r.map(|v| v.make.as_str()).unwrap_or_default(), true))
                (form.text("model", "Model", r.map(|v| v.model.as_str()).unwrap_or_default(), true))
                (form.text("plate", "License plate", r.map(|v| v.license_plate_number.as_str()).unwrap_or_default(), true))
                p.cat-hint { "Rule 39: a vehicle the distributor owns or leases." }
            }
        }
    }

    fn facts(_: &Frame, v: &Vehicle) -> Markup {
        facts(&[("Make", html! { (v.make) }), ("Model", html! { (v.model) })])
    }

    fn cells(_: &Frame, v: &Vehicle) -> Markup {
        html! {
            td { (v.make) }
            td { (v.model) }
        }
    }

    fn csv(v: &Vehicle) -> Vec<String> {
        vec![
            v.license_plate_number.clone(),
            v.make.clone(),
            v.model.clone(),
        ]
    }

    fn consequence(v: &Vehicle) -> String {
        format!(
            "Vehicle {} ({} {}) is archived: it leaves the active list and is no longer offered for new manifests.",
            v.license_plate_number, v.make, v.model
        )
    }

    fn unavailable(facility: &Facility) -> Option<String> {
        unavailable(facility)
    }

    fn siblings(f: &Frame) -> Markup {
        siblings(f, true)
    }
}
