//! Guidance: counselors' notes on students, encrypted at rest, every reading audited.

pub mod http;
pub mod notes;

use crate::access::permissions::Permission::GuidanceNotes;
use crate::access::routes::{Access, Routes};

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
