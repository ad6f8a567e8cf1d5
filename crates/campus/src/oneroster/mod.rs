//! OneRoster 1.1 and 1.2 (CSV bulk archives): import with a preview that names every
//! problem by file, line and column, and export.

pub mod archive;
pub mod export;
pub mod http;
pub mod import;
pub mod queries;
pub mod table;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;

use crate::access::permissions::Permission::InteropManage;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    let big = DefaultBodyLimit::disable;
    Routes::new()
        .get(
            "/admin/oneroster",
            Access::Allowed(InteropManage),
            http::page,
        )
        .post(
            "/admin/oneroster",
            Access::Allowed(InteropManage),
            http::import_page.layer(big()),
        )
        .get(
            "/admin/oneroster/export",
            Access::Allowed(InteropManage),
            http::export,
        )
        .post(
            "/api/v1/oneroster/import",
            Access::Allowed(InteropManage),
            http::import.layer(big()),
        )
        .get(
            "/api/v1/oneroster/export",
            Access::Allowed(InteropManage),
            http::export,
        )
}
