//! Course materials (a file or a link) and online meetings of a section, seen by its
//! students and teachers only; meetings also show on dashboards and the weekly timetable.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;

use crate::access::permissions::Permission::{CatalogRead, CourseworkManage};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    // Upload forms may exceed the usual body limit; the outer limit and the per-file
    // check bound them instead.
    let big = DefaultBodyLimit::disable;
    Routes::new()
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
