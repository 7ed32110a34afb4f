//! UID tags (seed 000, steps 3 and 4): ordering plant and package tags, recording receipt of a
//! shipment (rule 11: tags are usable only once received), the license's tags as a grid, a tag's
//! own page with its UID as a scannable Code 128 barcode and the date it was ordered, and voiding
//! an unused tag (rule 14; irreversible, so it asks first, naming the tag).

use crate::WebState;
use crate::confirm;
use crate::error::{Page, WebError};
use crate::fields::Posted;
use crate::flash::{Typed, notices, reply};
use crate::frame::Frame;
use crate::grid::{Col, Grid, View, csv};
use crate::layout::{csrf_field, wide};
use crate::session::Signed;
use crate::urls::segment;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use std::collections::HashMap;
use tagtrail_app::Action;
use tagtrail_app::actions::tags;
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::commands::tags::OrderSpec;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Tag, TagOrder};
use tagtrail_domain::tag::{OrderStatus, TagKind, TagStatus};

const PERMS: &[Permission] = &[Permission::ManageTags];

fn to_tags(license: &str) -> String {
    format!("/ui/l/{}/tags", segment(license))
}

fn tag_url(license: &str, label: &str) -> String {
    format!("/ui/l/{}/tags/{}", segment(license), segment(label))
}

/// A tag's state in words and colour.
fn tag_badge(s: TagStatus) -> Markup {
    let (class, words) = match s {
        TagStatus::Shipped => ("badge hold", "Shipped, not yet received"),
        TagStatus::Received => ("badge passed", "Received, available"),
        TagStatus::Used => ("badge neutral", "Used"),
        TagStatus::Voided => ("badge closed", "Voided"),
    };
    html! { span class=(class) { (words) } }
}

/// An order's state in words and colour.
fn order_badge(s: OrderStatus) -> Markup {
    let (class, words) = match s {
        OrderStatus::Ordered => ("badge testing", "Ordered, awaiting shipment"),
        OrderStatus::Shipped => ("badge hold", "Shipped, receipt not recorded"),
        OrderStatus::Received => ("badge passed", "Received"),
    };
    html! { span class=(class) { (words) } }
}

fn kind_words(k: TagKind) -> &'static str {
    match k {
        TagKind::Plant => "Plant",
        TagKind::Package => "Package",
    }
}

/// What receiving an order makes of its tags, naming them by the UIDs' shared beginning.
fn receipt_consequence(o: &TagOrder) -> String {
    let mut what = Vec::new();
    if o.package_tags > 0 {
        what.push(format!("{} package", o.package_tags));
    }
    if o.plant_tags > 0 {
        what.push(format!("{} plant", o.plant_tags));
    }
    let prefix = o
        .label_prefix
        .as_deref()
        .map(|p| format!(" (UIDs beginning {p})"))
        .unwrap_or_default();
    format!(
        "The {} tags of order {}{prefix} are recorded as physically received and become \
         available to use.",
        what.join(" and "),
        o.id
    )
}

fn void_consequence(label: &str) -> String {
    format!("Tag {label} is voided and can never be used.")
}

/// How many of the facility's tags of each kind are in each state.
async fn counts(s: &WebState, f: &Frame) -> Result<HashMap<(TagKind, String), i64>, WebError> {
    let mut out = HashMap::new();
    for kind in [TagKind::Package, TagKind::Plant] {
        let q = ListQuery::default().with(Column::Kind, [kind.as_str()]);
        for (status, n) in s
            .ledger
            .count_by::<Tag>(&f.scope, q, Column::Status)
            .await?
        {
            out.insert((kind, status.unwrap_or_default()), n);
        }
    }
    Ok(out)
}

const ORDER_COLS: &[Col] = &[
    Col::new("order", "Order"),
    Col::new("ordered", "Ordered"),
    Col::new("plant", "Plant tags"),
    Col::new("package", "Package tags"),
    Col::sorted("status", "Status", Column::Status),
    Col::new("shipped", "Shipped"),
    Col::new("received", "Received"),
    Col::new("act", "Receipt"),
];

#[derive(Deserialize, Default)]
pub struct OrdersQuery {
    #[serde(flatten)]
    view: View,
}

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(q): Query<OrdersQuery>,
) -> Result<Response, WebError> {
    let f = Frame::of(&s, signed, &license, PERMS).await?;
    let orders = s
        .ledger
        .list::<TagOrder>(&f.scope, q.view.apply(ORDER_COLS, ListQuery::default()))
        .await?;
    if q.view.csv() {
        let rows = orders
            .rows
            .iter()
            .map(|o| {
                vec![
                    o.id.to_string(),
                    o.ordered_at.clone(),
                    o.plant_tags.to_string(),
                    o.package_tags.to_string(),
                    o.order_status.as_str().to_string(),
                    o.shipped_at.clone().unwrap_or_default(),
                    o.received_at.clone().unwrap_or_default(),
                    o.label_prefix.clone().unwrap_or_default(),
                ]
            })
            .collect();
        let header = [
            "Order",
            "Ordered (UTC)",
            "Plant tags",
            "Package tags",
            "Status",
            "Shipped (UTC)",
            "Received (UTC)",
            "UIDs begin",
        ];
        return Ok(csv(
            &format!("tag-orders-{}", f.license()),
            &header,
            rows,
            orders.total,
        ));
    }
    let n = counts(&s, &f).await?;
    let count =
        |k: TagKind, st: TagStatus| n.get(&(k, st.as_str().to_string())).copied().unwrap_or(0);
    let plants = f.scope.facility().license_type.may_order_plant_tags();
    let awaiting =
        count(TagKind::Package, TagStatus::Shipped) + count(TagKind::Plant, TagStatus::Shipped);
    let path = f.url("tags");
    let grid = Grid {
        cols: ORDER_COLS,
        view: &q.view,
        total: orders.total,
        path: &path,
        keep: vec![],
    };
    let order_to = format!("{}/order", to_tags(f.license()));
    let receive_to = format!("{}/receive", to_tags(f.license()));
    let pf = f.prefill(&order_to);
    let may_receive = f.can(&tags::Receive::DEF);
    let body = html! {
        h1 { "UID tags · " (f.scope.facility().name) }
        (notices(f.flash()))
        div.card.tag-counts {
            dl.people-facts {
                dt { "Package tags available" } dd #package-available { strong { (count(TagKind::Package, TagStatus::Received)) } }
                @if plants || count(TagKind::Plant, TagStatus::Received) > 0 {
                    dt { "Plant tags available" } dd { strong { (count(TagKind::Plant, TagStatus::Received)) } }
                }
                dt { "Shipped, receipt not recorded" } dd { strong { (awaiting) } }
            }
            p.muted { "Tags must be recorded as received before they can be used (rule 11: within 3 days of their arrival)." }
            p { a.act href=(f.url("tags/all")) { "All tags, with their barcodes →" } }
        }
        @if f.can(&tags::Order::DEF) {
            h2 #order { "Order tags" }
            form.card.tag-order method="post" action=(order_to) {
                (csrf_field(f.csrf()))
                div.fields {
                    @if plants {
                        label { "Plant tags"
                            input.n type="number" name="plant" min="0" step="1" inputmode="numeric" value=(pf.value("plant", "0")); }
                    }
                    label { "Package tags"
                        input.n type="number" name="package" min="0" step="1" inputmode="numeric" value=(pf.value("package", "")); }
                }
                (pf.problem(&["tag", "quantity", "order"]))
                @if !plants { p.muted { "Only cultivation licenses order plant tags." } }
                button.act type="submit" { "Place order" }
            }
        }
        h2 { "Orders" }
        (wide(html! { table #orders {
            (grid.head())
            tbody { @for o in &orders.rows { tr {
                td.mono { (o.id) }
                td { (f.when(&o.ordered_at)) }
                td { (o.plant_tags) }
                td { (o.package_tags) }
                td { (order_badge(o.order_status)) }
                td { @if let Some(t) = &o.shipped_at { (f.when(t)) } }
                td { @if let Some(t) = &o.received_at { (f.when(t)) } }
                td { @if o.order_status == OrderStatus::Shipped && may_receive {
                    form.receive method="post" action=(receive_to) {
                        (csrf_field(f.csrf()))
                        input type="hidden" name="order_id" value=(o.id);
                        (confirm::button("Record receipt", &receipt_consequence(o)))
                    }
                } }
            } } }
        } }))
        (grid.pager())
    };
    Ok(f.page("Tags", "tags", body).into_response())
}

pub async fn order(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    posted: Posted,
) -> Response {
    let result = async {
        let count = |name: &str, what: &str| -> Result<Option<i64>, WebError> {
            match posted.fields.text(name) {
                None => Ok(None),
                Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                    WebError::bad(format!("{what}: enter a whole number of tags, such as 50."))
                }),
            }
        };
        let spec = OrderSpec {
            plant_tags: count("plant", "Plant tags")?,
            package_tags: count("package", "Package tags")?,
        };
        let w = s
            .ledger
            .run_as::<tags::Order>(&signed.acting, &license, posted.door(None), &vec![spec])
            .await?;
        Ok(format!(
            "Tag order {} placed (journal entry {}). The state's supplier ships it; then record its receipt here.",
            w.ids.first().copied().unwrap_or_default(),
            w.seq
        ))
    }
    .await;
    let typed = Typed::of(&posted.path, &posted.fields);
    reply(&s, &signed, &to_tags(&license), result, Some(typed)).await
}

pub async fn receive(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    posted: Posted,
) -> Response {
    let back = to_tags(&license);
    let id = posted
        .fields
        .text("order_id")
        .and_then(|v| v.parse::<i64>().ok());
    let Some(id) = id else {
        let e = WebError::bad("Choose the tag order to record as received.");
        return reply(&s, &signed, &back, Err(e), None).await;
    };
    if !confirm::confirmed(&posted) {
        let order = async {
            let scope = s.ledger.scope(&signed.acting, &license).await?;
            Ok::<_, WebError>(s.ledger.get::<TagOrder>(&scope, id, "Tag order").await?)
        }
        .await;
        return match order {
            Ok(o) => confirm::ask(&posted, "Record receipt", &receipt_consequence(&o), &back),
            Err(e) => e.into_response(),
        };
    }
    let result = async {
        let w = s
            .ledger
            .run_as::<tags::Receive>(
                &signed.acting,
                &license,
                posted.door(posted.fields.get("reason")),
                &vec![Some(id)],
            )
            .await?;
        let mut msg = format!(
            "Receipt of tag order {id} recorded (journal entry {}): its tags are available.",
            w.seq
        );
        for warning in w.warnings {
            msg.push(' ');
            msg.push_str(&warning);
        }
        Ok(msg)
    }
    .await;
    reply(&s, &signed, &back, result, None).await
}

const TAG_COLS: &[Col] = &[
    Col::sorted("label", "Tag UID", Column::Label),
    Col::sorted("kind", "Kind", Column::Kind),
    Col::sorted("status", "Status", Column::Status),
    Col::sorted("order", "Order", Column::OrderId),
    Col::new("received", "Received"),
    Col::new("ended", "Used or voided"),
];

#[derive(Deserialize, Default)]
pub struct TagFilter {
    kind: Option<String>,
    status: Option<String>,
    uid: Option<String>,
    #[serde(flatten)]
    view: View,
}

impl TagFilter {
    fn kind(&self) -> Option<TagKind> {
        match self.kind.as_deref().map(str::trim) {
            Some("Package") => Some(TagKind::Package),
            Some("Plant") => Some(TagKind::Plant),
            _ => None,
        }
    }

    fn status(&self) -> Option<TagStatus> {
        self.status.as_deref().and_then(TagStatus::parse)
    }

    fn uid(&self) -> Option<String> {
        self.uid
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| u.chars().take(24).collect::<String>().to_uppercase())
    }

    fn query(&self) -> ListQuery {
        let mut q = ListQuery::default();
        if let Some(k) = self.kind() {
            q = q.with(Column::Kind, [k.as_str()]);
        }
        if let Some(st) = self.status() {
            q = q.with(Column::Status, [st.as_str()]);
        }
        if let Some(uid) = self.uid() {
            q = q.containing(Column::Label, uid);
        }
        q
    }

    fn keep(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "kind",
                self.kind()
                    .map(|k| k.as_str().to_string())
                    .unwrap_or_default(),
            ),
            (
                "status",
                self.status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            ),
            ("uid", self.uid().unwrap_or_default()),
        ]
    }
}

const STATUSES: &[(TagStatus, &str)] = &[
    (TagStatus::Received, "Received, available"),
    (TagStatus::Shipped, "Shipped, not yet received"),
    (TagStatus::Used, "Used"),
    (TagStatus::Voided, "Voided"),
];

/// The orders the listed tags came from, by id (a page holds few).
async fn orders_of(
    s: &WebState,
    f: &Frame,
    tags: &[Tag],
) -> Result<HashMap<i64, TagOrder>, WebError> {
    let mut out = HashMap::new();
    for t in tags {
        if let std::collections::hash_map::Entry::Vacant(slot) = out.entry(t.order_id) {
            let o = s
                .ledger
                .get::<TagOrder>(&f.scope, t.order_id, "Tag order")
                .await?;
            slot.insert(o);
        }
    }
    Ok(out)
}

pub async fn all(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(filter): Query<TagFilter>,
) -> Result<Response, WebError> {
    let f = Frame::of(&s, signed, &license, PERMS).await?;
    let q = filter.view.apply(TAG_COLS, filter.query());
    let found = s.ledger.list::<Tag>(&f.scope, q).await?;
    let orders = orders_of(&s, &f, &found.rows).await?;
    let ordered = |t: &Tag| {
        orders
            .get(&t.order_id)
            .map(|o| o.ordered_at.clone())
            .unwrap_or_default()
    };
    if filter.view.csv() {
        let rows = found
            .rows
            .iter()
            .map(|t| {
                vec![
                    t.label.to_string(),
                    t.kind.as_str().to_string(),
                    t.tag_status.as_str().to_string(),
                    t.order_id.to_string(),
                    ordered(t),
                    t.shipped_at.clone(),
                    t.received_at.clone().unwrap_or_default(),
                    t.used_at
                        .clone()
                        .or(t.voided_at.clone())
                        .unwrap_or_default(),
                ]
            })
            .collect();
        let header = [
            "Tag UID",
            "Kind",
            "Status",
            "Order",
            "Ordered (UTC)",
            "Shipped (UTC)",
            "Received (UTC)",
            "Used or voided (UTC)",
        ];
        return Ok(csv(
            &format!("tags-{}", f.license()),
            &header,
            rows,
            found.total,
        ));
    }
    let path = f.url("tags/all");
    let grid = Grid {
        cols: TAG_COLS,
        view: &filter.view,
        total: found.total,
        path: &path,
        keep: filter.keep(),
    };
    let void_to = format!("{}/void", to_tags(f.license()));
    let pf = f.prefill(&void_to);
    let body = html! {
        p { a href=(f.url("tags")) { "← Tag orders" } }
        h1 { "All tags · " (f.scope.facility().name) }
        (notices(f.flash()))
        form.card.filters method="get" action=(path) {
            label { "Kind" select name="kind" {
                option value="" { "any" }
                @for k in [TagKind::Package, TagKind::Plant] {
                    option value=(k.as_str()) selected[filter.kind() == Some(k)] { (kind_words(k)) }
                }
            } }
            label { "Status" select name="status" {
                option value="" { "any" }
                @for (st, words) in STATUSES {
                    option value=(st.as_str()) selected[filter.status() == Some(*st)] { (words) }
                }
            } }
            label { "Tag UID contains" input type="text" name="uid" value=(filter.uid().unwrap_or_default()) size="14" autocomplete="off" spellcheck="false"; }
            @if let Some(size) = &filter.view.size { input type="hidden" name="size" value=(size); }
            button.act type="submit" { "Filter" }
            " " a href=(path) { "Clear" }
        }
        (wide(html! { table #tags {
            (grid.head())
            tbody { @for t in &found.rows { tr {
                td { a.mono href=(tag_url(f.license(), t.label.as_str())) { (t.label) } }
                td { (kind_words(t.kind)) }
                td { (tag_badge(t.tag_status)) }
                td { span.mono { (t.order_id) } " · ordered " (f.when(&ordered(t))) }
                td { @if let Some(at) = &t.received_at { (f.when(at)) } }
                td { @if let Some(at) = t.used_at.as_ref().or(t.voided_at.as_ref()) { (f.when(at)) } }
            } } }
        } }))
        (grid.pager())
        @if f.can(&tags::Void::DEF) {
            h2 { "Void an unused tag" }
            form.card.void-tag method="post" action=(void_to) {
                (csrf_field(f.csrf()))
                label { "Tag UID (all 24 characters)"
                    input type="text" name="label" required size="26" autocomplete="off" spellcheck="false" autocapitalize="characters" value=(pf.value("label", "")); }
                (pf.problem(&["tag", "label"]))
                label { "Reason"
                    input type="text" name="reason" required value=(pf.value("reason", "")); }
                p.muted { "You are asked to confirm, with the tag named, before it is voided." }
                button.act.danger type="submit" { "Void tag…" }
            }
        }
    };
    Ok(f.page("All tags", "tags", body).into_response())
}

/// The UID as a Code 128 barcode (what handheld scanners read), scaled to its box.
fn barcode(label: &str) -> Markup {
    match tagtrail_documents::barcode::code128_svg(label, 60) {
        Ok(svg) => {
            let svg = match svg.find("<svg") {
                Some(at) => &svg[at..],
                None => svg.as_str(),
            };
            let svg = svg.replacen(
                "<svg ",
                "<svg shape-rendering=\"crispEdges\" aria-hidden=\"true\" focusable=\"false\" ",
                1,
            );
            html! {
                div.barcode role="img" aria-label={ "Code 128 barcode of tag " (label) } data-encodes=(label) {
                    (PreEscaped(svg))
                }
            }
        }
        Err(e) => {
            tracing::error!(error = %e, label, "a tag's barcode could not be drawn");
            html! { p.muted { "The barcode could not be drawn." } }
        }
    }
}

pub async fn tag(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, label)): Path<(String, String)>,
) -> Page {
    let f = Frame::of(&s, signed, &license, PERMS).await?;
    let key = label.trim().to_uppercase();
    let t: Tag = s
        .ledger
        .find::<Tag>(&f.scope, &key)
        .await?
        .filter(|t| t.license_number == f.license())
        .ok_or_else(|| WebError::not_found(format!("No tag {key} at license {}.", f.license())))?;
    let order = s
        .ledger
        .get::<TagOrder>(&f.scope, t.order_id, "Tag order")
        .await?;
    let void_to = format!("{}/void", to_tags(f.license()));
    let pf = f.prefill(&void_to);
    let voidable = matches!(t.tag_status, TagStatus::Shipped | TagStatus::Received);
    let body = html! {
        p { a href=(f.url("tags/all")) { "← All tags" } }
        h1.mono { (t.label) }
        (notices(f.flash()))
        div.card.tag-card {
            (barcode(t.label.as_str()))
            p.uid.mono { (t.label) }
            dl.people-facts {
                dt { "Kind" } dd { (kind_words(t.kind)) " tag" }
                dt { "Status" } dd { (tag_badge(t.tag_status)) }
                dt { "License" } dd { span.mono { (t.license_number) } " " (f.scope.facility().name) }
                dt { "Tag order" } dd { span.mono { (order.id) } }
                dt { "Ordered" } dd { (f.when(&order.ordered_at)) }
                dt { "Shipped" } dd { (f.when(&t.shipped_at)) }
                dt { "Received" } dd { @if let Some(at) = &t.received_at { (f.when(at)) } @else { span.muted { "Not yet recorded" } } }
                @if let Some(at) = &t.used_at { dt { "Used" } dd { (f.when(at)) } }
                @if let Some(at) = &t.voided_at { dt { "Voided" } dd { (f.when(at)) } }
            }
        }
        @if voidable && f.can(&tags::Void::DEF) {
            h2 { "Void this tag" }
            form.card.void-tag #void method="post" action=(void_to) {
                (csrf_field(f.csrf()))
                input type="hidden" name="label" value=(t.label);
                input type="hidden" name="from" value="tag";
                label { "Reason"
                    input type="text" name="reason" required value=(pf.value("reason", "")); }
                (pf.problem(&["tag", "reason"]))
                (confirm::button("Void tag", &void_consequence(t.label.as_str())))
            }
        }
    };
    Ok(f.page(t.label.as_str(), "tags", body))
}

pub async fn void(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    posted: Posted,
) -> Response {
    let label = posted
        .fields
        .text("label")
        .unwrap_or_default()
        .to_uppercase();
    let back = if posted.fields.get("from") == Some("tag") && !label.is_empty() {
        tag_url(&license, &label)
    } else {
        format!("{}/all", to_tags(&license))
    };
    let typed = Typed::of(&posted.path, &posted.fields);
    if !confirm::confirmed(&posted) {
        if label.is_empty() || posted.fields.text("reason").is_none() {
            let e = WebError::bad("Enter the tag's UID and the reason it is voided.");
            return reply(&s, &signed, &back, Err(e), Some(typed)).await;
        }
        return confirm::ask(&posted, "Void tag", &void_consequence(&label), &back);
    }
    let result = async {
        let w = s
            .ledger
            .run_as::<tags::Void>(
                &signed.acting,
                &license,
                posted.door(posted.fields.get("reason")),
                &vec![Some(label.clone())],
            )
            .await?;
        Ok(format!("Tag {label} voided (journal entry {}).", w.seq))
    }
    .await;
    reply(&s, &signed, &back, result, Some(typed)).await
}
