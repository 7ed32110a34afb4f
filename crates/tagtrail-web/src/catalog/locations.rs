//! Locations (`POST`/`PUT /locations/v2`, `DELETE /locations/v2/{id}`) and sublocations (the
//! same under `/sublocations/v2`, where the facility's license type enables them). A location's
//! type is one its license type may use: plant-only types only where plants grow.

use super::form::{Form, Reader};
use super::{Filter, Kind, facts, tabs};
use crate::WebState;
use crate::error::WebError;
use crate::frame::Frame;
use crate::grid::Col;
use maud::{Markup, html};
use tagtrail_app::Scope;
use tagtrail_app::actions::{locations, sublocations};
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::commands::premises::{LocationSpec, SublocationSpec};
use tagtrail_domain::license::Capability;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Facility, Location, Sublocation};
use tagtrail_domain::reference::{self, LocationType};

pub struct Locations;
pub struct Sublocations;

const PERMS: &[Permission] = &[Permission::ManageLocations];

/// What a location of this type may hold, in words.
fn holds(t: &LocationType) -> String {
    let uses: Vec<&str> = [
        (t.for_packages, "packages"),
        (t.for_plants, "plants"),
        (t.for_plant_batches, "plant batches"),
        (t.for_harvests, "harvests"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, w)| w)
    .collect();
    uses.join(", ")
}

fn holds_named(name: &str) -> String {
    reference::LOCATION_TYPES
        .iter()
        .find(|t| t.name == name)
        .map(holds)
        .unwrap_or_default()
}

fn siblings(f: &Frame, sub: bool) -> Markup {
    tabs(
        "Locations or sublocations",
        &[
            ("Locations", f.url("locations"), !sub),
            ("Sublocations", f.url("sublocations"), sub),
        ],
    )
}

impl Kind for Locations {
    type Record = Location;
    type Spec = LocationSpec;
    type Create = locations::Create;
    type Update = locations::Update;
    type Archive = locations::Archive;
    type Choices = ();

    const ADDR: &'static str = "locations";
    const SECTION: &'static str = "locations";
    const TITLE: &'static str = "Locations";
    const ONE: &'static str = "location";
    const ONE_TITLE: &'static str = "Location";
    const VIEW: &'static [Permission] = PERMS;
    const COLS: &'static [Col] = &[
        Col::sorted("name", "Name", Column::NameKey),
        Col::sorted("type", "Location type", Column::LocationType),
        Col::new("holds", "Holds"),
        Col::new("modified", "Last modified"),
    ];
    const FIND: (Column, &'static str) = (Column::NameKey, "Name contains");
    const CSV: &'static [&'static str] = &["Name", "Location type", "Holds"];

    async fn choices(_: &WebState, _: &Scope) -> Result<(), WebError> {
        Ok(())
    }

    fn name(r: &Location) -> String {
        r.name.clone()
    }

    fn called(spec: &LocationSpec) -> String {
        spec.name.clone().unwrap_or_default()
    }

    fn spec(id: Option<i64>, f: &mut Reader) -> LocationSpec {
        LocationSpec {
            id,
            name: f.text("name"),
            location_type_name: f.text("location_type"),
        }
    }

    fn fields(facility: &Facility, form: &Form, r: Option<&Location>, _: &()) -> Markup {
        let types: Vec<(String, String)> = reference::location_types_for(facility.license_type)
            .map(|t| (t.name.to_string(), format!("{} — {}", t.name, holds(t))))
            .collect();
        let current = r.map(|l| l.location_type_name.as_str()).unwrap_or("");
        html! {
            fieldset { legend { "Location" }
                (form.text("name", "Name", r.map(|l| l.name.as_str()).unwrap_or_default(), true))
                (form.select("location_type", "Location type", &types, current, Some("Choose a type"), true))
            }
        }
    }

    fn facts(_: &Frame, l: &Location) -> Markup {
        facts(&[
            ("Location type", html! { (l.location_type_name) }),
            ("Holds", html! { (holds_named(&l.location_type_name)) }),
        ])
    }

    fn cells(_: &Frame, l: &Location) -> Markup {
        html! {
            td { (l.location_type_name) }
            td { (holds_named(&l.location_type_name)) }
        }
    }

    fn csv(l: &Location) -> Vec<String> {
        vec![
            l.name.clone(),
            l.location_type_name.clone(),
            holds_named(&l.location_type_name),
        ]
    }

    fn consequence(l: &Location) -> String {
        format!(
            "Location “{}” is archived: it leaves the active locations and nothing can be moved into it.",
            l.name
        )
    }

    fn siblings(f: &Frame) -> Markup {
        siblings(f, false)
    }

    fn more_filters(filter: &Filter, facility: &Facility) -> Markup {
        let on = filter.kind().unwrap_or_default();
        html! {
            label { "Location type" select name="type" {
                option value="" { "any" }
                @for t in reference::location_types_for(facility.license_type) {
                    option value=(t.name) selected[t.name.eq_ignore_ascii_case(&on)] { (t.name) }
                }
            } }
        }
    }

    /// Locations of one type; a type that is not one matches nothing.
    fn narrow(filter: &Filter, q: ListQuery) -> ListQuery {
        match filter.kind() {
            Some(t) => {
                let name = reference::LOCATION_TYPES
                    .iter()
                    .find(|x| x.name.eq_ignore_ascii_case(&t))
                    .map(|x| x.name)
                    .unwrap_or("");
                q.with(Column::LocationType, [name])
            }
            None => q,
        }
    }
}

impl Kind for Sublocations {
    type Record = Sublocation;
    type Spec = SublocationSpec;
    type Create = sublocations::Create;
    type Update = sublocations::Update;
    type Archive = sublocations::Archive;
    type Choices = ();

    const ADDR: &'static str = "sublocations";
    const SECTION: &'static str = "locations";
    const TITLE: &'static str = "Sublocations";
    const ONE: &'static str = "sublocation";
    const ONE_TITLE: &'static str = "Sublocation";
    const VIEW: &'static [Permission] = PERMS;
    const COLS: &'static [Col] = &[
        Col::sorted("name", "Name", Column::NameKey),
        Col::new("modified", "Last modified"),
    ];
    const FIND: (Column, &'static str) = (Column::NameKey, "Name contains");
    const CSV: &'static [&'static str] = &["Name"];

    async fn choices(_: &WebState, _: &Scope) -> Result<(), WebError> {
        Ok(())
    }

    fn name(r: &Sublocation) -> String {
        r.name.clone()
    }

    fn called(spec: &SublocationSpec) -> String {
        spec.name.clone().unwrap_or_default()
    }

    fn spec(id: Option<i64>, f: &mut Reader) -> SublocationSpec {
        SublocationSpec {
            id,
            name: f.text("name"),
        }
    }

    fn fields(_: &Facility, form: &Form, r: Option<&Sublocation>, _: &()) -> Markup {
        html! {
            fieldset { legend { "Sublocation" }
                (form.text("name", "Name", r.map(|l| l.name.as_str()).unwrap_or_default(), true))
                p.cat-hint { "A sublocation (a shelf, a bin, a rack) narrows where a package is within its location." }
            }
        }
    }

    fn facts(_: &Frame, _: &Sublocation) -> Markup {
        html! { p.muted { "A sublocation has a name only." } }
    }

    fn cells(_: &Frame, _: &Sublocation) -> Markup {
        html! {}
    }

    fn csv(l: &Sublocation) -> Vec<String> {
        vec![l.name.clone()]
    }

    fn consequence(l: &Sublocation) -> String {
        format!(
            "Sublocation “{}” is archived: it leaves the active sublocations and nothing can be placed in it.",
            l.name
        )
    }

    /// Only where the license type enables sublocations (Metrc's `EnableSublocations`).
    fn unavailable(facility: &Facility) -> Option<String> {
        (!facility.license_type.can(Capability::EnableSublocations)).then(|| {
            format!(
                "Sublocations are not enabled for {} ({} license), so none can be created here.",
                facility.name,
                facility.license_type.metrc_name()
            )
        })
    }

    fn siblings(f: &Frame) -> Markup {
        siblings(f, true)
    }
}
