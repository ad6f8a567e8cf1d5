//! The CSV import of students with their guardians: a preview reporting every problem by
//! line and column, then an import writing every row or none (page and API).

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;

use crate::access::permissions::Permission::StudentsManage;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
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
}
