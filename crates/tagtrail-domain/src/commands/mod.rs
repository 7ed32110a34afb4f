//! Decision functions, one module per area. Each takes what the ledger loaded, the request and
//! the clock reading, and returns the records to write or a [`crate::Rejection`].

pub mod additives;
pub mod catalog;
pub mod harvests;
pub mod import;
pub mod imports;
pub mod lab;
pub mod manifests;
pub mod packages;
pub mod people;
pub mod plants;
pub mod premises;
pub mod sales;
pub mod tags;
pub mod transfers;
pub mod transporters;

use crate::records::Facility;

/// What every decision knows: the facility acted for and the current time (formatted).
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    pub facility: &'a Facility,
    pub now: String,
}

/// The longest name, identifier or other required text a record may carry. Required text is
/// what records are looked up and kept unique by, so it is indexed; this bound keeps every value
/// well inside PostgreSQL's b-tree entry limit (about 2,700 bytes), so a long name is a clear
/// 400 on both backends rather than a database error.
pub const MAX_NAME_CHARS: usize = 250;

/// Trims a required text field, reporting `"<field> was not specified."` when empty and
/// refusing one longer than [`MAX_NAME_CHARS`].
pub(crate) fn required(value: &Option<String>, field: &str) -> Result<String, String> {
    match value.as_deref().map(str::trim) {
        Some(v) if v.chars().count() > MAX_NAME_CHARS => Err(format!(
            "{field} is longer than {MAX_NAME_CHARS} characters."
        )),
        Some(v) if !v.is_empty() => Ok(v.to_string()),
        _ => Err(format!("{field} was not specified.")),
    }
}

pub(crate) fn optional(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// Update bodies address existing records: every element needs an `Id`, and one record is
/// addressed once per request (otherwise which element wins would be an accident of order).
pub fn require_ids(ids: impl Iterator<Item = Option<i64>>) -> Result<(), crate::Rejection> {
    let mut errors = crate::error::RowErrors::default();
    let mut seen = std::collections::HashSet::new();
    for (row, id) in ids.enumerate() {
        match id {
            None => errors.push(row, "Id was not specified."),
            Some(id) if !seen.insert(id) => {
                errors.push(row, format!("Id {id} appears more than once."))
            }
            Some(_) => {}
        }
    }
    errors.into_result()
}

/// Archives a record addressed by id (Metrc's `DELETE /x/v2/{id}`): it must exist in this
/// facility and still be active.
pub fn archive<R: crate::records::Record + Clone>(
    ctx: &Ctx,
    found: Option<&R>,
    what: &str,
    id: i64,
) -> Result<R, crate::Rejection> {
    match found {
        Some(r) if r.license() == Some(ctx.facility.license_number.as_str()) && r.active() => {
            let mut r = r.clone();
            r.set_active(false, &ctx.now);
            Ok(r)
        }
        Some(r) if r.license() == Some(ctx.facility.license_number.as_str()) => Err(
            crate::Rejection::Invalid(format!("{what} {id} is already archived.")),
        ),
        _ => Err(crate::Rejection::NotFound(format!(
            "{what} {id} does not exist in the current Facility."
        ))),
    }
}
