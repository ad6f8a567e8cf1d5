//! Staff records: search and profiles, and the records created, edited, marked as left
//! and imported (pages and API).

pub mod account;
pub mod api;
pub mod model;
pub mod pages;
pub mod panels;
pub mod queries;
pub mod record;
pub mod record_api;

use crate::access::permissions::Permission::{StaffRead, UsersManage};
use crate::access::routes::{Access, Routes};
use crate::institution::setup::page_routes;

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
        .get(
            "/staff/{id}/account",
            Access::Allowed(UsersManage),
            account::page,
        )
        .post(
            "/staff/{id}/account",
            Access::Allowed(UsersManage),
            account::give_page,
        )
        .post(
            "/api/v1/staff/{id}/account",
            Access::Allowed(UsersManage),
            account::give_api,
        )
        .merge(page_routes::<record::Staff>())
        .merge(record_api::api_routes())
}
