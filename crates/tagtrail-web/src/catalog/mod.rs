//! A license's catalog: items, strains, locations and sublocations, drivers and vehicles.
//!
//! Each kind of record is a grid like Metrc's (active or archived, part of a name, sortable,
//! paged, the view as CSV), a page per record with its edit form and its archive, and a page to
//! create one. Every write maps the form to the request of the action the matching Metrc
//! endpoint takes (`POST`, `PUT`, `DELETE /…/v2`) and runs it as the signed-in employee, so the
//! web can do exactly what the API may and the journal records the web door. The kinds differ
//! only in their fields, columns and rules, which each describes as a [`Kind`].

mod form;
mod items;
mod locations;
mod strains;
mod transporters;

use crate::error::{Page, WebError};
use crate::fields::Posted;
use crate::flash::{Typed, notices, reply};
use crate::frame::Frame;
use crate::grid::{Col, Grid, View, csv};
use crate::layout::{csrf_field, wide};
use crate::session::Signed;
use crate::urls::{segment, with_query};
use crate::{WebState, confirm, lic};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use form::{Form, Reader, worded};
use maud::{Markup, html};
use serde::Deserialize;
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_app::{Action, Scope};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Facility, Record, fold};

pub fn routes() -> Router<WebState> {
    Router::new()
        .merge(kind::<items::Items>())
        .merge(kind::<items::Brands>())
        .merge(kind::<strains::Strains>())
        .merge(kind::<locations::Locations>())
        .merge(kind::<locations::Sublocations>())
        .merge(kind::<transporters::Drivers>())
        .merge(kind::<transporters::Vehicles>())
        // The nav's "Drivers & vehicles" opens the drivers.
        .route(&lic("/transporters"), get(list::<transporters::Drivers>))
}

/// The routes of one kind: its list, the new record's form, each record's page, and the
/// record's edit and archive.
fn kind<K: Kind>() -> Router<WebState> {
    let at = |rest: &str| lic(&format!("/{}{rest}", K::ADDR));
    Router::new()
        .route(&at(""), get(list::<K>))
        .route(&at("/new"), get(new::<K>).post(create::<K>))
        .route(&at("/{id}"), get(record::<K>))
        .route(&at("/{id}/edit"), post(update::<K>))
        .route(&at("/{id}/archive"), post(archive::<K>))
}

/// One kind of catalog record: its address, words, columns, form and rules.
pub trait Kind: Send + Sync + 'static {
    type Record: Record + Send + Sync + 'static;
    /// What the create and update actions take (one per record).
    type Spec: Send + Sync + 'static;
    type Create: Action<Request = Vec<Self::Spec>>;
    type Update: Action<Request = Vec<Self::Spec>>;
    type Archive: Action<Request = i64>;
    /// What the form offers that comes from the ledger (an item's strains and brands).
    type Choices: Send + Sync;

    /// The records' address under the license (`items`, `transporters/vehicles`).
    const ADDR: &'static str;
    /// The nav section the pages belong to.
    const SECTION: &'static str;
    /// `Items`; `item`; `Item`.
    const TITLE: &'static str;
    const ONE: &'static str;
    const ONE_TITLE: &'static str;
    /// The permissions of the matching API read: any of them opens the pages.
    const VIEW: &'static [Permission];
    const COLS: &'static [Col];
    /// The column a record is found by, in part, and the filter's words.
    const FIND: (Column, &'static str);
    const CSV: &'static [&'static str];

    fn choices(
        s: &WebState,
        scope: &Scope,
    ) -> impl Future<Output = Result<Self::Choices, WebError>> + Send;
    /// The record as people name it.
    fn name(r: &Self::Record) -> String;
    /// The name a request gives the record (for the message after it is written).
    fn called(spec: &Self::Spec) -> String;
    fn spec(id: Option<i64>, form: &mut Reader) -> Self::Spec;
    /// The form's fields, filled with `r` (or typed again after a refusal).
    fn fields(
        facility: &Facility,
        form: &Form,
        r: Option<&Self::Record>,
        c: &Self::Choices,
    ) -> Markup;
    /// The record, read-only (archived, or for someone who may not change it).
    fn facts(f: &Frame, r: &Self::Record) -> Markup;
    /// The cells of the record's row after its name (which links to its page).
    fn cells(f: &Frame, r: &Self::Record) -> Markup;
    fn csv(r: &Self::Record) -> Vec<String>;
    /// What archiving `r` does, naming it.
    fn consequence(r: &Self::Record) -> String;

    /// Why this license may hold none of these, if it may not (the page says so instead of
    /// offering a form the ledger would refuse).
    fn unavailable(_facility: &Facility) -> Option<String> {
        None
    }
    /// The lists beside this one (locations and sublocations; drivers and vehicles).
    fn siblings(_f: &Frame) -> Markup {
        html! {}
    }
    /// Filters besides the name.
    fn more_filters(_filter: &Filter, _facility: &Facility) -> Markup {
        html! {}
    }
    fn narrow(_filter: &Filter, q: ListQuery) -> ListQuery {
        q
    }
}

/// The longest filter text taken (a name is at most 250 characters).
const MAX_FILTER: usize = 250;

/// A grid's filters as the address gives them, and its view.
#[derive(Debug, Deserialize, Default)]
pub struct Filter {
    /// `archived`, or the active records.
    state: Option<String>,
    name: Option<String>,
    category: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(flatten)]
    view: View,
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.chars().take(MAX_FILTER).collect())
}

impl Filter {
    pub fn archived(&self) -> bool {
        self.state.as_deref() == Some("archived")
    }

    pub fn category(&self) -> Option<String> {
        given(&self.category)
    }

    pub fn kind(&self) -> Option<String> {
        given(&self.kind)
    }

    /// Active or archived records whose `find` column holds the name typed, in any case.
    fn query(&self, find: Column) -> ListQuery {
        let q = ListQuery {
            active: Some(!self.archived()),
            ..Default::default()
        };
        match given(&self.name) {
            Some(name) => q.containing(find, fold(&name)),
            None => q,
        }
    }

    fn keep(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "state",
                if self.archived() { "archived" } else { "" }.to_string(),
            ),
            ("name", given(&self.name).unwrap_or_default()),
            ("category", self.category().unwrap_or_default()),
            ("type", self.kind().unwrap_or_default()),
        ]
    }
}

/// Links to choose one of several lists, the one shown marked.
pub fn tabs(label: &str, links: &[(&str, String, bool)]) -> Markup {
    choice("cat-tabs", label, links)
}

/// Links to one of several views, the one shown marked, as `class` draws them.
fn choice(class: &str, label: &str, links: &[(&str, String, bool)]) -> Markup {
    html! {
        nav class=(class) aria-label=(label) {
            @for (text, href, on) in links {
                a class=[on.then_some("on")] aria-current=[on.then_some("page")] href=(href) { (text) }
            }
        }
    }
}

/// The address of a license's catalog page `rest` for a handler that has no [`Frame`].
fn at(license: &str, rest: &str) -> String {
    format!("/ui/l/{}/{rest}", segment(license))
}

/// An id from the address: a page that does not exist for anything else.
fn id_of<K: Kind>(text: &str) -> Result<i64, WebError> {
    text.trim()
        .parse()
        .map_err(|_| WebError::not_found(format!("There is no {} {text}.", K::ONE)))
}

fn may_create<K: Kind>(f: &Frame) -> bool {
    K::unavailable(f.scope.facility()).is_none() && f.can(&<K::Create as Action>::DEF)
}

/// The grid: active or archived, found by part of a name, sorted, paged, or as CSV.
pub async fn list<K: Kind>(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(filter): Query<Filter>,
) -> Result<Response, WebError> {
    let f = Frame::of(&s, signed, &license, K::VIEW).await?;
    let archived = filter.archived();
    let q = K::narrow(&filter, filter.query(K::FIND.0));
    let found = s
        .ledger
        .list::<K::Record>(&f.scope, filter.view.apply(K::COLS, q))
        .await?;
    if filter.view.csv() {
        let rows = found
            .rows
            .iter()
            .map(|r| {
                let mut row = K::csv(r);
                row.push(r.last_modified().to_string());
                row
            })
            .collect();
        let mut header = K::CSV.to_vec();
        header.push("Last modified (UTC)");
        let name = format!(
            "{}{}-{}",
            K::TITLE.to_lowercase(),
            if archived { "-archived" } else { "" },
            f.license()
        );
        return Ok(csv(&name, &header, rows, found.total));
    }
    let path = f.url(K::ADDR);
    let grid = Grid {
        cols: K::COLS,
        view: &filter.view,
        total: found.total,
        path: &path,
        keep: filter.keep(),
    };
    let name = given(&filter.name).unwrap_or_default();
    let with_name = |state: &str| {
        let pairs: Vec<(&str, &str)> = [("state", state), ("name", name.as_str())]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect();
        with_query(&path, &pairs)
    };
    let clear = if archived {
        with_query(&path, &[("state", "archived")])
    } else {
        path.clone()
    };
    let facility = f.scope.facility();
    let plural = K::TITLE.to_lowercase();
    // A license that may hold none of these and holds none is told why, with no empty grid.
    let hidden =
        K::unavailable(facility).is_some() && found.total == 0 && !archived && name.is_empty();
    let body = html! {
        h1 { (K::TITLE) " · " (facility.name) }
        (notices(f.flash()))
        (K::siblings(&f))
        @if let Some(why) = K::unavailable(facility) {
            p.cat-note { (why) }
        } @else if may_create::<K>(&f) {
            p.actions { a.act href=(f.url(&format!("{}/new", K::ADDR))) { "New " (K::ONE) } }
        }
        @if !hidden {
        (choice("cat-state", &format!("Active or archived {plural}"), &[
            ("Active", with_name(""), !archived),
            ("Archived", with_name("archived"), archived),
        ]))
        form.card.filters method="get" action=(path) role="search" aria-label={ "Filter " (plural) } {
            @if archived { input type="hidden" name="state" value="archived"; }
            label { (K::FIND.1) input type="search" name="name" value=(name) size="18" autocomplete="off"; }
            (K::more_filters(&filter, facility))
            @if let Some(size) = &filter.view.size { input type="hidden" name="size" value=(size); }
            button.act type="submit" { "Filter" }
            " " a href=(clear) { "Clear" }
        }
        (wide(html! { table.grid.cat-narrow[K::COLS.len() <= 3] #catalog {
            (grid.head())
            tbody { @for r in &found.rows {
                tr {
                    td { a href=(f.url(&format!("{}/{}", K::ADDR, r.id()))) { (K::name(r)) } }
                    (K::cells(&f, r))
                    td { (f.when(r.last_modified())) }
                }
            } }
        } }))
        @if found.rows.is_empty() {
            p.muted #none-found { "No " @if archived { "archived " } (plural) " match." }
        }
        (grid.pager())
        }
    };
    Ok(f.page(K::TITLE, K::SECTION, body).into_response())
}

/// The form to create one.
pub async fn new<K: Kind>(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
) -> Page {
    let f = Frame::of(&s, signed, &license, K::VIEW).await?;
    let facility = f.scope.facility();
    let title = format!("New {}", K::ONE);
    let back = html! { p.cat-back { a href=(f.url(K::ADDR)) { "← " (K::TITLE) } } };
    if let Some(why) = K::unavailable(facility) {
        let body = html! { (back) h1 { (title) } p.cat-note { (why) } };
        return Ok(f.page(&title, K::SECTION, body));
    }
    f.scope.allows(&<K::Create as Action>::DEF)?;
    let choices = K::choices(&s, &f.scope).await?;
    let action = f.url(&format!("{}/new", K::ADDR));
    let form = Form::of(&f, &action);
    let body = html! {
        (back)
        h1 { (title) " · " (facility.name) }
        (notices(f.flash()))
        form.card.cat-form method="post" action=(action) {
            (csrf_field(f.csrf()))
            (K::fields(facility, &form, None, &choices))
            p.cat-hint { span aria-hidden="true" { "* " } "Required." }
            button.act type="submit" { "Create " (K::ONE) }
            " " a href=(f.url(K::ADDR)) { "Cancel" }
        }
    };
    Ok(f.page(&title, K::SECTION, body))
}

/// A record's page: its edit form and archive for those who may change it, its facts for
/// everyone else and once it is archived.
pub async fn record<K: Kind>(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, String)>,
) -> Page {
    let f = Frame::of(&s, signed, &license, K::VIEW).await?;
    let id = id_of::<K>(&id)?;
    let r: K::Record = s.ledger.get(&f.scope, id, K::ONE_TITLE).await?;
    let facility = f.scope.facility();
    let open = r.active() && K::unavailable(facility).is_none();
    let editable = open && f.can(&<K::Update as Action>::DEF);
    let archivable = open && f.can(&<K::Archive as Action>::DEF);
    let choices = if editable {
        Some(K::choices(&s, &f.scope).await?)
    } else {
        None
    };
    let base = f.url(&format!("{}/{id}", K::ADDR));
    let action = format!("{base}/edit");
    let form = Form::of(&f, &action);
    let name = K::name(&r);
    let title = format!("{} {name}", K::ONE_TITLE);
    let body = html! {
        p.cat-back { a href=(f.url(K::ADDR)) { "← " (K::TITLE) } }
        h1 {
            (K::ONE_TITLE) ": " (name)
            @if !r.active() { " " span.badge.closed { "Archived" } }
        }
        (notices(f.flash()))
        @if let Some(choices) = &choices {
            form.card.cat-form method="post" action=(action) {
                (csrf_field(f.csrf()))
                (K::fields(facility, &form, Some(&r), choices))
                p.cat-hint { span aria-hidden="true" { "* " } "Required." }
                button.act type="submit" { "Save changes" }
                " " a href=(f.url(K::ADDR)) { "Cancel" }
            }
        } @else {
            div.card { (K::facts(&f, &r)) }
        }
        p.muted { "Last modified " (f.when(r.last_modified())) }
        @if archivable {
            form.card.cat-archive method="post" action={ (base) "/archive" } {
                (csrf_field(f.csrf()))
                h2 { "Archive" }
                p { "An archived " (K::ONE) " stays in the journal and on the archived list; it cannot be changed or used again." }
                (confirm::button(&format!("Archive {}", K::ONE), &K::consequence(&r)))
            }
        }
    };
    Ok(f.page(&title, K::SECTION, body))
}

/// Creates one from the form: to the list with a message, or back to the form as typed with
/// each problem under its field.
pub async fn create<K: Kind>(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    posted: Posted,
) -> Response {
    save::<K, K::Create>(&s, &signed, &license, posted, None).await
}

/// Saves the record's form (the update replaces every field, as Metrc's `PUT` does; the form
/// carries them all).
pub async fn update<K: Kind>(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    match id_of::<K>(&id) {
        Ok(id) => save::<K, K::Update>(&s, &signed, &license, posted, Some(id)).await,
        Err(e) => e.into_response(),
    }
}

/// Runs `A` (create with no id, update with one) on the spec the form describes; back to the
/// form it came from, as typed, when refused.
async fn save<K: Kind, A: Action<Request = Vec<K::Spec>>>(
    s: &WebState,
    signed: &Signed,
    license: &str,
    posted: Posted,
    id: Option<i64>,
) -> Response {
    let typed = Typed::of(&posted.path, &posted.fields);
    let result = async {
        let mut read = Reader::new(&posted.fields);
        let spec = K::spec(id, &mut read);
        read.done()?;
        let called = K::called(&spec);
        let w = s
            .ledger
            .run_as::<A>(&signed.acting, license, posted.door(None), &vec![spec])
            .await?;
        let done = if id.is_some() { "Saved" } else { "Created" };
        Ok(format!(
            "{done} {} {called} (journal entry {}).",
            K::ONE,
            w.seq
        ))
    }
    .await
    .map_err(worded);
    let to = match (&result, id) {
        (Ok(_), _) => at(license, K::ADDR),
        (Err(_), None) => at(license, &format!("{}/new", K::ADDR)),
        (Err(_), Some(id)) => at(license, &format!("{}/{id}", K::ADDR)),
    };
    reply(s, signed, &to, result, Some(typed)).await
}

/// Archives the record once confirmed (asking first, naming it, if the form came without the
/// confirmation).
pub async fn archive<K: Kind>(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    let id = match id_of::<K>(&id) {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    let page = at(&license, &format!("{}/{id}", K::ADDR));
    let found = async {
        let scope = s.ledger.scope(&signed.acting, &license).await?;
        Ok::<_, WebError>(s.ledger.get::<K::Record>(&scope, id, K::ONE_TITLE).await?)
    }
    .await;
    let r = match found {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    if !confirm::confirmed(&posted) {
        let label = format!("Archive {}", K::ONE);
        return confirm::ask(&posted, &label, &K::consequence(&r), &page);
    }
    let result = async {
        let w = s
            .ledger
            .run_as::<K::Archive>(&signed.acting, &license, posted.door(None), &id)
            .await?;
        Ok(format!(
            "Archived {} {} (journal entry {}); it is on the archived list.",
            K::ONE,
            K::name(&r),
            w.seq
        ))
    }
    .await
    .map_err(worded);
    let to = match result {
        Ok(_) => at(&license, K::ADDR),
        Err(_) => page,
    };
    reply(&s, &signed, &to, result, None).await
}

/// A list of facts about a record: label and value, the empty ones left out.
pub fn facts(rows: &[(&str, Markup)]) -> Markup {
    html! {
        dl.cat-facts {
            @for (label, value) in rows {
                @let v = value.clone().into_string();
                @if !v.is_empty() { dt { (label) } dd { (value) } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(q: &str) -> Filter {
        serde_urlencoded::from_str(q).unwrap_or_default()
    }

    /// Issue 9: a partial name finds a record on the archived list too.
    #[test]
    fn a_partial_name_filters_the_archived_list() {
        let f = filter("state=archived&name=+Mango+&sort=name");
        let q = f.query(Column::NameKey);
        assert_eq!(q.active, Some(false));
        assert_eq!(q.contains, vec![(Column::NameKey, "mango".to_string())]);
        assert!(f.keep().contains(&("state", "archived".to_string())));
        let active = filter("name=");
        let q = active.query(Column::NameKey);
        assert_eq!(q.active, Some(true));
        assert!(q.contains.is_empty());
    }
}
