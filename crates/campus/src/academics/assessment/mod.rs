//! Assessment: a section's assessments and marks, the grading scale's arithmetic, the
//! results workflow with amendments, and students' records with their averages.

pub mod api;
pub mod grading;
pub mod model;
pub mod pages;
pub mod panels;
pub mod queries;
pub mod results;
pub mod results_pages;
pub mod service;

use crate::access::permissions::Permission::{
    AttendanceMark, CatalogRead, GradingManage, MarksEnter, MarksRead, ResultsAmend, ResultsPublish,
};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/api/v1/sections/{id}/assessments",
            Access::Allowed(MarksEnter),
            api::create_assessment,
        )
        .put(
            "/api/v1/assessments/{id}/marks",
            Access::Allowed(MarksEnter),
            api::enter_marks,
        )
        .get(
            "/api/v1/me/marks",
            Access::Allowed(MarksRead),
            api::my_marks,
        )
        .get(
            "/sections/{id}/teach",
            Access::Allowed(AttendanceMark),
            pages::page,
        )
        .post(
            "/sections/{id}/teach/sessions",
            Access::Allowed(AttendanceMark),
            pages::add_session,
        )
        .post(
            "/sections/{id}/teach/assessments",
            Access::Allowed(MarksEnter),
            pages::add_assessment,
        )
        .get(
            "/assessments/{id}/marks",
            Access::Allowed(MarksEnter),
            pages::marks_page,
        )
        .post(
            "/assessments/{id}/marks",
            Access::Allowed(MarksEnter),
            pages::save_marks,
        )
        .get(
            "/api/v1/grading-scale",
            Access::Allowed(CatalogRead),
            api::get_scale,
        )
        .put(
            "/api/v1/grading-scale",
            Access::Allowed(GradingManage),
            api::put_scale,
        )
        .get(
            "/api/v1/sections/{id}/results",
            Access::Allowed(MarksRead),
            api::section_results,
        )
        .post(
            "/api/v1/sections/{id}/results/submit",
            Access::Allowed(MarksEnter),
            api::submit,
        )
        .post(
            "/api/v1/sections/{id}/results/publish",
            Access::Allowed(ResultsPublish),
            api::publish,
        )
        .post(
            "/api/v1/sections/{id}/results/return",
            Access::Allowed(ResultsPublish),
            api::return_to_draft,
        )
        .post(
            "/api/v1/sections/{id}/results/amend",
            Access::Allowed(ResultsAmend),
            api::amend,
        )
        .get(
            "/api/v1/students/{id}/record",
            Access::Allowed(MarksRead),
            api::student_record,
        )
        .get(
            "/api/v1/me/record",
            Access::Allowed(MarksRead),
            api::my_record,
        )
        .get(
            "/results",
            Access::Allowed(MarksRead),
            results_pages::overview,
        )
        .get(
            "/grading",
            Access::Allowed(GradingManage),
            results_pages::grading,
        )
        .post(
            "/grading",
            Access::Allowed(GradingManage),
            results_pages::save_grading,
        )
        .get(
            "/sections/{id}/results",
            Access::Allowed(MarksRead),
            results_pages::section_page,
        )
        .get(
            "/sections/{id}/results/submit",
            Access::Allowed(MarksEnter),
            results_pages::submit_page,
        )
        .post(
            "/sections/{id}/results/submit",
            Access::Allowed(MarksEnter),
            results_pages::submit,
        )
        .get(
            "/sections/{id}/results/publish",
            Access::Allowed(ResultsPublish),
            results_pages::publish_page,
        )
        .post(
            "/sections/{id}/results/publish",
            Access::Allowed(ResultsPublish),
            results_pages::publish,
        )
        .post(
            "/sections/{id}/results/return",
            Access::Allowed(ResultsPublish),
            results_pages::return_to_draft,
        )
        .post(
            "/sections/{id}/results/amend",
            Access::Allowed(ResultsAmend),
            results_pages::amend,
        )
}
