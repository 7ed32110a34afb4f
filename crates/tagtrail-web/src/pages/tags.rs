//! UID tags: orders, what is available, recording receipt of a shipment (rule 11) and voiding an
//! unused tag (rule 14).

use crate::WebState;
use crate::error::{Page, WebError};
use crate::fields::Posted;
use crate::flash::{Typed, notices, reply};
use crate::frame::Frame;
use crate::layout::{csrf_field, wide};
use crate::session::Signed;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::html;
use tagtrail_app::actions::tags;
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Tag, TagOrder};
use tagtrail_domain::tag::{OrderStatus, TagKind, TagStatus};

/// How many of the facility's tags are of `kind` and in `status`.
async fn count(s: &WebState, f: &Frame, kind: TagKind, status: TagStatus) -> Result<i64, WebError> {
    let q = ListQuery {
        page: Some((1, 1)),
        ..Default::default()
    }
    .with(Column::Kind, [kind.as_str()])
    .with(Column::Status, [status.as_str()]);
    Ok(s.ledger.list::<Tag>(&f.scope, q).await?.total)
}

pub async fn page(State(s): State<WebState>, signed: Signed, Path(license): Path<String>) -> Page {
    let f = Frame::of(&s, signed, &license, &[Permission::ManageTags]).await?;
    let lic = f.license().to_string();
    let newest_first = ListQuery {
        newest_first: true,
        ..Default::default()
    };
    let orders = s.ledger.list::<TagOrder>(&f.scope, newest_first).await?;
    let package_ready = count(&s, &f, TagKind::Package, TagStatus::Received).await?;
    let plant_ready = count(&s, &f, TagKind::Plant, TagStatus::Received).await?;
    let shipped = count(&s, &f, TagKind::Package, TagStatus::Shipped).await?
        + count(&s, &f, TagKind::Plant, TagStatus::Shipped).await?;
    let available = ListQuery {
        active: Some(true),
        page: Some((1, 25)),
        ..Default::default()
    }
    .with(Column::Kind, [TagKind::Package.as_str()])
    .with(Column::Status, [TagStatus::Received.as_str()]);
    let available = s.ledger.list::<Tag>(&f.scope, available).await?;
    Ok(f.page(
        "Tags",
        "tags",
        html! {
            h1 { "UID tags · " (f.scope.facility().name) }
            (notices(f.flash()))
            div.card {
                "Available (received, unused): " strong { (package_ready) } " package, " strong { (plant_ready) } " plant. "
                "Shipped, awaiting your receipt: " strong { (shipped) } ". "
                span.muted { "Tags must be recorded as received before they can be used (4 CCR §15048.3; rule 11)." }
            }
            h2 { "Orders" }
            (wide(html! { table {
                thead { tr { th { "Order" } th { "Plant" } th { "Package" } th { "Status" } th { "Ordered" } th { "Shipped" } th { "Received" } th {} } }
                tbody { @for o in &orders.rows { tr {
                    td.mono { (o.id) } td { (o.plant_tags) } td { (o.package_tags) }
                    td { span class=@if o.order_status == OrderStatus::Shipped { "pill warn" } @else { "pill" } { (o.order_status.as_str()) } }
                    td.mono { (o.ordered_at) } td.mono { (o.shipped_at.clone().unwrap_or_default()) } td.mono { (o.received_at.clone().unwrap_or_default()) }
                    td { @if o.order_status == OrderStatus::Shipped {
                        form.inline method="post" action={ "/ui/l/" (lic) "/tags/receive" } {
                            (csrf_field(f.csrf()))
                            input type="hidden" name="order_id" value=(o.id);
                            input type="text" name="reason" placeholder="Note (optional)";
                            " " button.act type="submit" { "Record receipt" }
                        }
                    } }
                } } }
            } }))
            h2 { "Void an unused tag" }
            form method="post" action={ "/ui/l/" (lic) "/tags/void" } {
                (csrf_field(f.csrf()))
                input type="text" name="label" placeholder="24-character UID" size="28" required;
                " " input type="text" name="reason" placeholder="Reason" required;
                " " button.act type="submit" { "Void" }
            }
            h2 { "Available package tags" span.muted { " (first " (available.rows.len()) " of " (available.total) ")" } }
            (wide(html! { table {
                thead { tr { th { "Id" } th { "Label" } th { "Order" } th { "Received" } } }
                tbody { @for t in &available.rows { tr { td.mono { (t.id) } td.mono { (t.label) } td.mono { (t.order_id) } td.mono { (t.received_at.clone().unwrap_or_default()) } } } }
            } }))
        },
    ))
}

fn to_tags(license: &str) -> String {
    format!("/ui/l/{}/tags", crate::urls::segment(license))
}

pub async fn receive(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    posted: Posted,
) -> Response {
    let result = async {
        let id = posted
            .fields
            .text("order_id")
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(|| WebError::bad("Choose the tag order to record as received."))?;
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
            "Receipt of tag order {id} recorded (journal entry {}).",
            w.seq
        );
        for warning in w.warnings {
            msg.push(' ');
            msg.push_str(&warning);
        }
        Ok(msg)
    }
    .await;
    let typed = Typed::of(&posted.path, &posted.fields);
    reply(&s, &signed, &to_tags(&license), result, Some(typed)).await
}

pub async fn void(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    posted: Posted,
) -> Response {
    let result = async {
        let label = posted.fields.get("label").unwrap_or_default().to_string();
        let w = s
            .ledger
            .run_as::<tags::Void>(
                &signed.acting,
                &license,
                posted.door(posted.fields.get("reason")),
                &vec![Some(label.clone())],
            )
            .await?;
        Ok(format!(
            "Tag {} voided (journal entry {}).",
            label.trim(),
            w.seq
        ))
    }
    .await;
    let typed = Typed::of(&posted.path, &posted.fields);
    reply(&s, &signed, &to_tags(&license), result, Some(typed)).await
}
