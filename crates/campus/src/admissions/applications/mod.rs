//! Applications: an applicant fills in a draft, attaches documents, pays the fee and
//! submits; the college reviews, ranks by merit, and accepts within the intake's seats,
//! waitlists or rejects with a reason. Every step is in the application's history (which
//! the applicant sees) and audited.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;
pub mod service;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;

use crate::access::permissions::Permission::{AdmissionsApply, AdmissionsManage};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    let big = DefaultBodyLimit::disable;
    Routes::new()
        .get("/admissions", Access::Allowed(AdmissionsApply), pages::mine)
        .post(
            "/admissions/intakes/{id}/start",
            Access::Allowed(AdmissionsApply),
            pages::start,
        )
        // The applicant's own, or the admissions office's: the handler decides.
        .get(
            "/admissions/applications/{id}",
            Access::SignedIn,
            pages::application,
        )
        .post(
            "/admissions/applications/{id}",
            Access::Allowed(AdmissionsApply),
            pages::save,
        )
        .post(
            "/admissions/applications/{id}/files",
            Access::Allowed(AdmissionsApply),
            pages::attach.layer(big()),
        )
        .post(
            "/admissions/applications/{id}/submit",
            Access::Allowed(AdmissionsApply),
            pages::submit,
        )
        // Withdrawing cannot be undone: a confirmation first, then the action.
        .get(
            "/admissions/applications/{id}/withdraw",
            Access::Allowed(AdmissionsApply),
            pages::withdraw_page,
        )
        .post(
            "/admissions/applications/{id}/withdraw",
            Access::Allowed(AdmissionsApply),
            pages::withdraw,
        )
        .post(
            "/admissions/applications/{id}/decision",
            Access::Allowed(AdmissionsManage),
            pages::decide,
        )
        .get(
            "/api/v1/me/applications",
            Access::Allowed(AdmissionsApply),
            api::mine,
        )
        .post(
            "/api/v1/intakes/{id}/applications",
            Access::Allowed(AdmissionsApply),
            api::start,
        )
        .get("/api/v1/applications/{id}", Access::SignedIn, api::details)
        .put(
            "/api/v1/applications/{id}",
            Access::Allowed(AdmissionsApply),
            api::save,
        )
        .post(
            "/api/v1/applications/{id}/files",
            Access::Allowed(AdmissionsApply),
            api::attach.layer(big()),
        )
        .post(
            "/api/v1/applications/{id}/submit",
            Access::Allowed(AdmissionsApply),
            api::submit,
        )
        .post(
            "/api/v1/applications/{id}/withdraw",
            Access::Allowed(AdmissionsApply),
            api::withdraw,
        )
        .post(
            "/api/v1/applications/{id}/decision",
            Access::Allowed(AdmissionsManage),
            api::decide,
        )
}
