//! Notices from the college to everyone, students, parents or staff (pages and API).

pub mod http;
pub mod model;

use crate::access::permissions::Permission::NoticesManage;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/notices", Access::SignedIn, http::page)
        .post("/notices", Access::Allowed(NoticesManage), http::post_page)
        .post(
            "/notices/{id}/withdraw",
            Access::Allowed(NoticesManage),
            http::withdraw_page,
        )
        .get("/api/v1/notices", Access::SignedIn, http::list)
        .post(
            "/api/v1/notices",
            Access::Allowed(NoticesManage),
            http::post,
        )
        .post(
            "/api/v1/notices/{id}/withdraw",
            Access::Allowed(NoticesManage),
            http::withdraw,
        )
}
