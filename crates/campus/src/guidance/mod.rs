//! Guidance: counselors' notes on students, encrypted at rest, every reading audited.

pub mod api;
pub mod model;
pub mod pages;
pub mod panels;
pub mod queries;

use crate::access::permissions::Permission::GuidanceNotes;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/students/{id}/guidance",
            Access::Allowed(GuidanceNotes),
            pages::page,
        )
        .post(
            "/students/{id}/guidance",
            Access::Allowed(GuidanceNotes),
            pages::add_page,
        )
        .get(
            "/api/v1/students/{id}/guidance-notes",
            Access::Allowed(GuidanceNotes),
            api::list,
        )
        .post(
            "/api/v1/students/{id}/guidance-notes",
            Access::Allowed(GuidanceNotes),
            api::add,
        )
}
