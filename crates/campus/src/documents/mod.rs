//! Documents: report cards and transcripts (PDF, each with a verification code and QR
//! code to a public page), mark sheets (CSV, XLSX), and printing a program's report
//! cards as one job.

pub mod downloads;
pub mod id_cards;
pub mod issue;
pub mod jobs;
pub mod jobs_http;
pub mod lifecycle;
pub mod lifecycle_http;
pub mod verify;

use crate::access::routes::{Access, Routes};
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;

use crate::access::permissions::Permission::{
    MarksRead, ResultsPublish, StudentsManage, StudentsRead,
};

pub fn routes() -> Routes {
    Routes::new()
        .get("/c/{slug}/verify", Access::Public, verify::form)
        .get("/c/{slug}/verify/{code}", Access::Public, verify::code)
        .post(
            "/api/v1/students/{id}/id-card",
            Access::Allowed(StudentsRead),
            id_cards::download,
        )
        .post(
            "/students/{id}/id-card",
            Access::Allowed(StudentsRead),
            id_cards::download,
        )
        .get(
            "/api/v1/students/{id}/documents",
            Access::Allowed(StudentsRead),
            lifecycle_http::list_api,
        )
        .post(
            "/api/v1/documents/{id}/revoke",
            Access::Allowed(StudentsManage),
            lifecycle_http::revoke_api,
        )
        .post(
            "/documents/{id}/revoke",
            Access::Allowed(StudentsManage),
            lifecycle_http::revoke_page,
        )
        .post(
            "/api/v1/students/{id}/photo",
            Access::Allowed(StudentsManage),
            id_cards::add_photo.layer(DefaultBodyLimit::disable()),
        )
        .post(
            "/students/{id}/photo",
            Access::Allowed(StudentsManage),
            id_cards::add_photo_page.layer(DefaultBodyLimit::disable()),
        )
        .post(
            "/api/v1/students/{id}/report-card",
            Access::Allowed(MarksRead),
            downloads::report_card,
        )
        .post(
            "/students/{id}/report-card",
            Access::Allowed(MarksRead),
            downloads::report_card_form,
        )
        .post(
            "/api/v1/students/{id}/transcript",
            Access::Allowed(MarksRead),
            downloads::transcript,
        )
        .post(
            "/students/{id}/transcript",
            Access::Allowed(MarksRead),
            downloads::transcript,
        )
        .get(
            "/api/v1/sections/{id}/marksheet",
            Access::Allowed(MarksRead),
            downloads::marksheet,
        )
        .get(
            "/sections/{id}/marksheet",
            Access::Allowed(MarksRead),
            downloads::marksheet,
        )
        .post(
            "/api/v1/report-card-jobs",
            Access::CollegeWide(ResultsPublish),
            jobs_http::create_api,
        )
        .get(
            "/api/v1/report-card-jobs/{id}",
            Access::CollegeWide(ResultsPublish),
            jobs_http::show_api,
        )
        .get(
            "/api/v1/report-card-jobs/{id}/download",
            Access::CollegeWide(ResultsPublish),
            jobs_http::download,
        )
        .get(
            "/documents/report-cards",
            Access::CollegeWide(ResultsPublish),
            jobs_http::page,
        )
        .post(
            "/documents/report-cards",
            Access::CollegeWide(ResultsPublish),
            jobs_http::create_page,
        )
        .get(
            "/documents/report-cards/{id}/download",
            Access::CollegeWide(ResultsPublish),
            jobs_http::download,
        )
}
