//! Year end: closing a term and rolling over to the next, previewed first.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use crate::access::permissions::Permission::RegistrationManage;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/api/v1/terms/{id}/rollover",
            Access::Allowed(RegistrationManage),
            api::preview,
        )
        .post(
            "/api/v1/terms/{id}/rollover",
            Access::Allowed(RegistrationManage),
            api::run,
        )
        .get(
            "/terms/rollover",
            Access::Allowed(RegistrationManage),
            pages::page,
        )
        .post(
            "/terms/rollover",
            Access::Allowed(RegistrationManage),
            pages::submit,
        )
}
