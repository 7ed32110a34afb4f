//! The OpenAPI 3.1 document of the routes the ledger implements, generated from the handlers'
//! annotations and the wire types, served at `/openapi.json`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};

/// `licenseNumber` (required on most endpoints).
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct LicenseParam {
    /// The facility's license number, as `GET /facilities/v2` returns it.
    pub license_number: String,
}

/// Paging: off unless `pageSize` (1–20) is given.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct PagingParams {
    pub page_number: Option<u32>,
    pub page_size: Option<u32>,
}

/// `LastModified` window (ISO 8601; at most 24 hours by default).
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct WindowParams {
    pub last_modified_start: Option<String>,
    pub last_modified_end: Option<String>,
}

struct BasicAuth;

impl Modify for BasicAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some("username = vendor key, password = user key"))
                    .build(),
            ),
        );
    }
}

/// The document's frame: title, error shapes, HTTP Basic. The paths come from the route list.
#[derive(OpenApi)]
#[openapi(
    info(title = "tagtrail ledger", description = "Metrc v2-compatible track-and-trace ledger. Errors: 400 `[{\"row\",\"message\"}]` for write validation, otherwise `{\"Message\"}`."),
    modifiers(&BasicAuth),
    security(("basic" = []))
)]
struct Frame;

pub(crate) fn base() -> utoipa::openapi::OpenApi {
    Frame::openapi()
}

/// The finished document, as served.
pub(crate) fn finish(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc
}
