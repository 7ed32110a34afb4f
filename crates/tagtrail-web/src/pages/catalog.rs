//! A license's catalog pages: employees, items, strains, locations. Each authorizes with the
//! permissions of the matching API read.

use crate::WebState;
use crate::error::Page;
use crate::frame::Frame;
use crate::layout::wide;
use crate::session::Signed;
use axum::extract::{Path, Query, State};
use maud::html;
use serde::Deserialize;
use tagtrail_app::reads::ListQuery;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Item, Location, Strain, Sublocation};

fn active() -> ListQuery {
    ListQuery {
        active: Some(true),
        ..Default::default()
    }
}

pub async fn employees(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
) -> Page {
    let perms = [Permission::ViewEmployees, Permission::ManageEmployees];
    let f = Frame::of(&s, signed, &license, &perms).await?;
    let (_, rows) = s.ledger.employees(&f.scope, None).await?;
    Ok(f.page(
        "Employees",
        "employees",
        html! {
            h1 { "Employees at " (f.scope.facility().name) }
            (wide(html! { table {
                thead { tr { th { "Name" } th { "Username" } th { "Employee license" } th { "Hired" } th { "Permissions" } } }
                tbody { @for (u, job) in &rows { tr {
                    td { (u.full_name) } td.mono { (u.username) } td.mono { (u.employee_license_number) } td { (job.hire_date) }
                    td { @for p in &job.permissions { span.pill { (p.name()) } " " } }
                } } }
            } }))
        },
    ))
}

#[derive(Deserialize, Default)]
pub struct ItemsQuery {
    inactive: Option<String>,
}

pub async fn items(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(q): Query<ItemsQuery>,
) -> Page {
    let f = Frame::of(&s, signed, &license, &[Permission::ManageItems]).await?;
    let inactive = q.inactive.is_some();
    let query = ListQuery {
        active: Some(!inactive),
        ..Default::default()
    };
    let list = s.ledger.list::<Item>(&f.scope, query).await?;
    Ok(f.page(
        "Items",
        "items",
        html! {
            h1 { @if inactive { "Archived items" } @else { "Items" } " · " (f.scope.facility().name) }
            p { @if inactive { a href="?" { "Show active items" } } @else { a href="?inactive=1" { "Show archived items" } } }
            (wide(html! { table {
                thead { tr { th { "Id" } th { "Name" } th { "Category" } th { "Unit" } th { "Strain" } th { "Brand" } th { "THC content" } th { "Last modified" } } }
                tbody { @for i in &list.rows { tr {
                    td.mono { (i.id) } td { (i.name) } td { (i.category) } td { (i.unit_of_measure) }
                    td { (i.strain_name.clone().unwrap_or_default()) } td { (i.brand_name.clone().unwrap_or_default()) }
                    td { @if let Some(c) = i.unit_thc_content { (c) " " (i.unit_thc_content_unit.clone().unwrap_or_default()) } }
                    td.mono { (i.last_modified) }
                } } }
            } }))
            p.muted { (list.total) " item(s)" }
        },
    ))
}

fn decimal(d: Option<rust_decimal::Decimal>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

pub async fn strains(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
) -> Page {
    let f = Frame::of(&s, signed, &license, &[Permission::ManageStrains]).await?;
    let list = s.ledger.list::<Strain>(&f.scope, active()).await?;
    Ok(f.page(
        "Strains",
        "strains",
        html! {
            h1 { "Strains · " (f.scope.facility().name) }
            (wide(html! { table {
                thead { tr { th { "Id" } th { "Name" } th { "Testing" } th { "THC" } th { "CBD" } th { "Indica %" } th { "Sativa %" } } }
                tbody { @for x in &list.rows { tr {
                    td.mono { (x.id) } td { (x.name) } td { (x.testing_status) }
                    td { (decimal(x.thc_level)) } td { (decimal(x.cbd_level)) }
                    td { (decimal(x.indica_percentage)) } td { (decimal(x.sativa_percentage)) }
                } } }
            } }))
        },
    ))
}

pub async fn locations(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
) -> Page {
    let f = Frame::of(&s, signed, &license, &[Permission::ManageLocations]).await?;
    let locs = s.ledger.list::<Location>(&f.scope, active()).await?;
    let subs = s.ledger.list::<Sublocation>(&f.scope, active()).await?;
    Ok(f.page(
        "Locations",
        "locations",
        html! {
            h1 { "Locations · " (f.scope.facility().name) }
            table {
                thead { tr { th { "Id" } th { "Name" } th { "Type" } th { "Last modified" } } }
                tbody { @for l in &locs.rows { tr { td.mono { (l.id) } td { (l.name) } td { (l.location_type_name) } td.mono { (l.last_modified) } } } }
            }
            h2 { "Sublocations" }
            table {
                thead { tr { th { "Id" } th { "Name" } } }
                tbody { @for x in &subs.rows { tr { td.mono { (x.id) } td { (x.name) } } } }
            }
        },
    ))
}
