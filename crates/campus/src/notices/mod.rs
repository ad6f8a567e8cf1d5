//! Notices from the college to everyone, students, parents or staff (pages and API).

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use crate::access::permissions::Permission::NoticesManage;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/notices", Access::SignedIn, pages::page)
        .post("/notices", Access::Allowed(NoticesManage), pages::post_page)
        .post(
            "/notices/{id}/withdraw",
            Access::Allowed(NoticesManage),
            pages::withdraw_page,
        )
        .get("/api/v1/notices", Access::SignedIn, api::list)
        .post("/api/v1/notices", Access::Allowed(NoticesManage), api::post)
        .post(
            "/api/v1/notices/{id}/withdraw",
            Access::Allowed(NoticesManage),
            api::withdraw,
        )
}
