//! Notices from the college to broad audiences or chosen groups, and from teachers to
//! their sections (pages and API), with files, pins and who has read them.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use crate::access::permissions::Permission::NoticesManage;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    let manage = Access::Allowed(NoticesManage);
    Routes::new()
        .get("/notices", Access::SignedIn, pages::page)
        .get("/notices/new", manage, pages::new_page)
        .post("/notices", manage, pages::post_page)
        .get("/notices/{id}", Access::SignedIn, pages::notice_page)
        .get("/notices/{id}/edit", manage, pages::edit_page)
        .post("/notices/{id}/edit", manage, pages::save_page)
        .get("/notices/{id}/withdraw", manage, pages::withdraw_confirm)
        .post("/notices/{id}/withdraw", manage, pages::withdraw_page)
        .post("/notices/{id}/files", manage, pages::attach_page)
        .post(
            "/notices/{id}/files/{file}/remove",
            manage,
            pages::detach_page,
        )
        .get("/api/v1/notices", Access::SignedIn, api::list)
        .post("/api/v1/notices", manage, api::post)
        .get("/api/v1/notices/managed", manage, api::managed)
        .get("/api/v1/notices/{id}", Access::SignedIn, api::get)
        .patch("/api/v1/notices/{id}", manage, api::edit)
        .post("/api/v1/notices/{id}/withdraw", manage, api::withdraw)
        .get("/api/v1/notices/{id}/readers", manage, api::readers)
        .post("/api/v1/notices/{id}/files", manage, api::attach)
        .delete("/api/v1/notices/{id}/files/{file}", manage, api::detach)
}
