//! Printing a program's report cards for a term as one job: the registrar's page and the
//! API ask for it and follow it; a runner in every server and worker does the printing.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;
pub mod service;

use crate::access::permissions::Permission::ResultsPublish;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/api/v1/report-card-jobs",
            Access::CollegeWide(ResultsPublish),
            api::create_api,
        )
        .get(
            "/api/v1/report-card-jobs/{id}",
            Access::CollegeWide(ResultsPublish),
            api::show_api,
        )
        .get(
            "/api/v1/report-card-jobs/{id}/download",
            Access::CollegeWide(ResultsPublish),
            api::download,
        )
        .get(
            "/documents/report-cards",
            Access::CollegeWide(ResultsPublish),
            pages::page,
        )
        .post(
            "/documents/report-cards",
            Access::CollegeWide(ResultsPublish),
            pages::create_page,
        )
        .get(
            "/documents/report-cards/{id}/download",
            Access::CollegeWide(ResultsPublish),
            api::download,
        )
        .get(
            "/documents/report-cards/{id}/events",
            Access::CollegeWide(ResultsPublish),
            pages::job_events,
        )
}
