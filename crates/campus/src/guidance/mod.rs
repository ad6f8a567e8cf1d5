//! Guidance: counselors' notes on students, encrypted at rest, every reading audited.

pub mod http;
pub mod notes;

use crate::identity::access::{Access, Routes};
use crate::identity::permissions::Permission::GuidanceNotes;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/students/{id}/guidance",
            Access::Allowed(GuidanceNotes),
            http::page,
        )
        .post(
            "/students/{id}/guidance",
            Access::Allowed(GuidanceNotes),
            http::add_page,
        )
        .get(
            "/api/v1/students/{id}/guidance-notes",
            Access::Allowed(GuidanceNotes),
            http::list,
        )
        .post(
            "/api/v1/students/{id}/guidance-notes",
            Access::Allowed(GuidanceNotes),
            http::add,
        )
}
