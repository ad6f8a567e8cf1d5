//! Issuing a report card or a transcript: gather what it shows from published results,
//! draw a verification code, typeset the PDF, and record what was issued (the contents
//! the public verification page will show, and the PDF's hash), audited; and a section's
//! mark sheet. The same handlers serve the pages (session cookie) and the API (bearer
//! token).

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;
pub mod service;

use crate::access::permissions::Permission::MarksRead;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/api/v1/students/{id}/report-card",
            Access::Allowed(MarksRead),
            api::report_card,
        )
        .post(
            "/students/{id}/report-card",
            Access::Allowed(MarksRead),
            pages::report_card_form,
        )
        .post(
            "/api/v1/students/{id}/transcript",
            Access::Allowed(MarksRead),
            api::transcript,
        )
        .post(
            "/students/{id}/transcript",
            Access::Allowed(MarksRead),
            api::transcript,
        )
        .get(
            "/api/v1/sections/{id}/marksheet",
            Access::Allowed(MarksRead),
            api::marksheet,
        )
        .get(
            "/sections/{id}/marksheet",
            Access::Allowed(MarksRead),
            api::marksheet,
        )
}
