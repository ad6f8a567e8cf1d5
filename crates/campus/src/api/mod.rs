//! The API's description: the OpenAPI 3 document generated from the handlers' annotations,
//! served at /api/openapi.json, and a browsable page drawn from it on the server (no
//! script, so it works under the strict CSP and offline).

mod docs;

use axum::Json;
use utoipa::OpenApi;

use crate::identity::access::{Access, Routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Campus API",
        description = "The JSON API of Campus, an open-source college management system. \
            Errors are problem details (RFC 9457, application/problem+json) carrying a \
            request_id; validation problems list per-field errors.",
        license(name = "AGPL-3.0-or-later"),
    ),
    paths(
        crate::ops::healthz,
        crate::ops::readyz,
        crate::ops::metrics,
        crate::institution::api::list_colleges,
        crate::institution::api::get_college,
    ),
    components(schemas(crate::web::errors::ProblemDocument, crate::error::FieldError)),
    tags(
        (name = "operations", description = "Health, readiness and metrics for operators"),
        (name = "colleges", description = "The public directory and profiles of colleges"),
    )
)]
pub struct ApiDoc;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/openapi.json", Access::Public, openapi_json)
        .get("/api/docs", Access::Public, docs::page)
}

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
