//! Staff records: search and profiles (pages and API).

pub mod http;
pub mod records;

use crate::access::permissions::Permission::StaffRead;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/staff", Access::Allowed(StaffRead), http::search_page)
        .get(
            "/staff/{id}",
            Access::Allowed(StaffRead),
            http::profile_page,
        )
        .get(
            "/api/v1/staff",
            Access::Allowed(StaffRead),
            http::search_api,
        )
        .get(
            "/api/v1/staff/{id}",
            Access::Allowed(StaffRead),
            http::profile_api,
        )
}
