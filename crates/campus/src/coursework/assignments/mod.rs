//! Assignments: a teacher posts a task with a due time, files and a weight; students hand
//! in text and files until it is graded, and the grade becomes their mark.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;

use crate::access::permissions::Permission::{CatalogRead, CourseworkManage, CourseworkSubmit};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    // Upload forms may exceed the usual body limit; the outer limit and the per-file
    // check bound them instead.
    let big = DefaultBodyLimit::disable;
    Routes::new()
        .post(
            "/sections/{id}/assignments",
            Access::Allowed(CourseworkManage),
            pages::add_assignment.layer(big()),
        )
        .get(
            "/assignments/{id}",
            Access::Allowed(CatalogRead),
            pages::assignment_page,
        )
        .post(
            "/assignments/{id}/submit",
            Access::Allowed(CourseworkSubmit),
            pages::submit.layer(big()),
        )
        .post(
            "/submissions/{id}/grade",
            Access::Allowed(CourseworkManage),
            pages::grade,
        )
        .post(
            "/api/v1/sections/{id}/assignments",
            Access::Allowed(CourseworkManage),
            api::create_assignment,
        )
        .get(
            "/api/v1/sections/{id}/assignments",
            Access::Allowed(CatalogRead),
            api::list_assignments,
        )
        .post(
            "/api/v1/assignments/{id}/files",
            Access::Allowed(CourseworkManage),
            api::add_assignment_files.layer(big()),
        )
        .get(
            "/api/v1/assignments/{id}/submissions",
            Access::Allowed(CatalogRead),
            api::list_submissions,
        )
        .put(
            "/api/v1/assignments/{id}/submission",
            Access::Allowed(CourseworkSubmit),
            api::submit.layer(big()),
        )
        .put(
            "/api/v1/submissions/{id}/grade",
            Access::Allowed(CourseworkManage),
            api::grade,
        )
}
