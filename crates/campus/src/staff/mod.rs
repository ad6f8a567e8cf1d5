//! Staff records: search and profiles (pages and API).

pub mod api;
pub mod model;
pub mod pages;
pub mod panels;
pub mod queries;

use crate::access::permissions::Permission::StaffRead;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/staff", Access::Allowed(StaffRead), pages::search_page)
        .get(
            "/staff/{id}",
            Access::Allowed(StaffRead),
            pages::profile_page,
        )
        .get("/api/v1/staff", Access::Allowed(StaffRead), api::search_api)
        .get(
            "/api/v1/staff/{id}",
            Access::Allowed(StaffRead),
            api::profile_api,
        )
}
