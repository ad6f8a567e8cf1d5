//! Student records: search, profiles and status history (pages and API).

pub mod api;
pub mod import;
pub mod pages;
pub mod records;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;

use crate::access::permissions::Permission::{StudentsManage, StudentsRead};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/students", Access::Allowed(StudentsRead), pages::search)
        .get(
            "/students/import",
            Access::CollegeWide(StudentsManage),
            pages::import_page,
        )
        .post(
            "/students/import",
            Access::CollegeWide(StudentsManage),
            pages::import.layer(DefaultBodyLimit::disable()),
        )
        .post(
            "/api/v1/students/import",
            Access::CollegeWide(StudentsManage),
            api::import.layer(DefaultBodyLimit::disable()),
        )
        .get(
            "/students/{id}",
            Access::Allowed(StudentsRead),
            pages::profile,
        )
        .post(
            "/students/{id}/status",
            Access::Allowed(StudentsManage),
            pages::change_status,
        )
        .get(
            "/api/v1/students",
            Access::Allowed(StudentsRead),
            api::search,
        )
        .get(
            "/api/v1/students/{id}",
            Access::Allowed(StudentsRead),
            api::profile,
        )
        .post(
            "/api/v1/students/{id}/status",
            Access::Allowed(StudentsManage),
            api::change_status,
        )
}
