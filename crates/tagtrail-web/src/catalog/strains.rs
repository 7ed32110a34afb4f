//! Strains: `POST`/`PUT /strains/v2` and `DELETE /strains/v2/{id}`. THC and CBD levels are typed
//! as percentages and kept as Metrc's fractions (18.5 % is 0.185).

use super::form::{Form, Reader};
use super::{Kind, facts};
use crate::WebState;
use crate::error::WebError;
use crate::frame::Frame;
use crate::grid::Col;
use maud::{Markup, html};
use rust_decimal::Decimal;
use tagtrail_app::Scope;
use tagtrail_app::actions::strains;
use tagtrail_app::reads::Column;
use tagtrail_domain::commands::catalog::StrainSpec;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Facility, Strain};
use tagtrail_domain::reference::STRAIN_TESTING_STATUSES;

pub struct Strains;

/// A testing status in words.
fn testing(status: &str) -> &str {
    match status {
        "None" => "Not tested",
        "InHouse" => "Tested in house",
        "ThirdParty" => "Tested by a third-party lab",
        other => other,
    }
}

/// A fraction as the percentage it is (0.185 → 18.5).
fn as_percent(v: Option<Decimal>) -> Option<Decimal> {
    v.map(|v| (v * Decimal::ONE_HUNDRED).normalize())
}

fn percent(v: Option<Decimal>) -> String {
    v.map(|v| format!("{} %", v.normalize()))
        .unwrap_or_default()
}

impl Kind for Strains {
    type Record = Strain;
    type Spec = StrainSpec;
    type Create = strains::Create;
    type Update = strains::Update;
    type Archive = strains::Archive;
    type Choices = ();

    const ADDR: &'static str = "strains";
    const SECTION: &'static str = "strains";
    const TITLE: &'static str = "Strains";
    const ONE: &'static str = "strain";
    const ONE_TITLE: &'static str = "Strain";
    const VIEW: &'static [Permission] = &[Permission::ManageStrains];
    const COLS: &'static [Col] = &[
        Col::sorted("name", "Name", Column::NameKey),
        Col::new("testing", "Testing"),
        Col::new("thc", "THC"),
        Col::new("cbd", "CBD"),
        Col::new("indica", "Indica"),
        Col::new("sativa", "Sativa"),
        Col::new("modified", "Last modified"),
    ];
    const FIND: (Column, &'static str) = (Column::NameKey, "Name contains");
    const CSV: &'static [&'static str] = &[
        "Name",
        "Testing status",
        "THC level (%)",
        "CBD level (%)",
        "Indica (%)",
        "Sativa (%)",
        "Genetics",
    ];

    async fn choices(_: &WebState, _: &Scope) -> Result<(), WebError> {
        Ok(())
    }

    fn name(r: &Strain) -> String {
        r.name.clone()
    }

    fn called(spec: &StrainSpec) -> String {
        spec.name.clone().unwrap_or_default()
    }

    fn spec(id: Option<i64>, f: &mut Reader) -> StrainSpec {
        StrainSpec {
            id,
            name: f.text("name"),
            testing_status: f.text("testing_status"),
            thc_level: f.percent_as_fraction("thc", "THC level"),
            cbd_level: f.percent_as_fraction("cbd", "CBD level"),
            indica_percentage: f.decimal("indica", "Indica %"),
            sativa_percentage: f.decimal("sativa", "Sativa %"),
            genetics: f.text("genetics"),
        }
    }

    fn fields(_: &Facility, form: &Form, r: Option<&Strain>, _: &()) -> Markup {
        let statuses: Vec<(String, String)> = STRAIN_TESTING_STATUSES
            .iter()
            .map(|s| (s.to_string(), testing(s).to_string()))
            .collect();
        html! {
            fieldset { legend { "Strain" }
                (form.text("name", "Name", r.map(|s| s.name.as_str()).unwrap_or_default(), true))
                (form.select("testing_status", "Testing status", &statuses, r.map(|s| s.testing_status.as_str()).unwrap_or("None"), None, true))
                (form.text("genetics", "Genetics", r.and_then(|s| s.genetics.as_deref()).unwrap_or_default(), false))
            }
            fieldset { legend { "Levels (percent)" }
                (form.number("thc", "THC level", as_percent(r.and_then(|s| s.thc_level))))
                (form.number("cbd", "CBD level", as_percent(r.and_then(|s| s.cbd_level))))
                (form.number("indica", "Indica %", r.and_then(|s| s.indica_percentage)))
                (form.number("sativa", "Sativa %", r.and_then(|s| s.sativa_percentage)))
                p.cat-hint { "Levels from 0 to 100 (18.5 for 18.5 %); indica and sativa together at most 100." }
            }
        }
    }

    fn facts(_: &Frame, s: &Strain) -> Markup {
        facts(&[
            ("Testing status", html! { (testing(&s.testing_status)) }),
            ("THC level", html! { (percent(as_percent(s.thc_level))) }),
            ("CBD level", html! { (percent(as_percent(s.cbd_level))) }),
            ("Indica", html! { (percent(s.indica_percentage)) }),
            ("Sativa", html! { (percent(s.sativa_percentage)) }),
            (
                "Genetics",
                html! { (s.genetics.clone().unwrap_or_default()) },
            ),
        ])
    }

    fn cells(_: &Frame, s: &Strain) -> Markup {
        html! {
            td { (testing(&s.testing_status)) }
            td.num { (percent(as_percent(s.thc_level))) }
            td.num { (percent(as_percent(s.cbd_level))) }
            td.num { (percent(s.indica_percentage)) }
            td.num { (percent(s.sativa_percentage)) }
        }
    }

    fn csv(s: &Strain) -> Vec<String> {
        let d = |v: Option<Decimal>| v.map(|v| v.normalize().to_string()).unwrap_or_default();
        vec![
            s.name.clone(),
            testing(&s.testing_status).to_string(),
            d(as_percent(s.thc_level)),
            d(as_percent(s.cbd_level)),
            d(s.indica_percentage),
            d(s.sativa_percentage),
            s.genetics.clone().unwrap_or_default(),
        ]
    }

    fn consequence(s: &Strain) -> String {
        format!(
            "Strain “{}” is archived: it leaves the active strains and cannot be chosen for new items.",
            s.name
        )
    }
}
