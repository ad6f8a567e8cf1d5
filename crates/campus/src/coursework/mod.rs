//! Coursework: assignments with hand-ins and grades that feed the marks, course
//! materials, and a section's online meetings; files are uploaded, checked and served
//! only to the section's members.

pub mod api;
pub mod assignments;
pub mod content;
pub mod membership;
pub mod pages;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;

use crate::access::permissions::Permission::{CatalogRead, CourseworkManage, CourseworkSubmit};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    // Upload forms may exceed the usual body limit; the outer limit and the per-file
    // check bound them instead.
    let big = DefaultBodyLimit::disable;
    Routes::new()
        .get(
            "/sections/{id}",
            Access::Allowed(CatalogRead),
            pages::section_page,
        )
        .post(
            "/sections/{id}/assignments",
            Access::Allowed(CourseworkManage),
            pages::add_assignment.layer(big()),
        )
        .post(
            "/sections/{id}/materials",
            Access::Allowed(CourseworkManage),
            pages::add_material.layer(big()),
        )
        .post(
            "/sections/{id}/online-meetings",
            Access::Allowed(CourseworkManage),
            pages::add_meeting,
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
        .post(
            "/api/v1/sections/{id}/materials",
            Access::Allowed(CourseworkManage),
            api::add_material.layer(big()),
        )
        .get(
            "/api/v1/sections/{id}/materials",
            Access::Allowed(CatalogRead),
            api::list_materials,
        )
        .post(
            "/api/v1/sections/{id}/online-meetings",
            Access::Allowed(CourseworkManage),
            api::add_meeting,
        )
        .get(
            "/api/v1/me/online-meetings",
            Access::SignedIn,
            api::my_meetings,
        )
}
