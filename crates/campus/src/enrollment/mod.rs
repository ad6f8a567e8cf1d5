//! Enrollment progress: a registrar moves each student through the college's steps with
//! remarks; the student follows their current step and its history live.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use crate::access::permissions::Permission::{
    AchievementsRecord, EnrollmentProgress, InstitutionRead, StudentsRead,
};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        // The student's own page: students are the ones who record achievements and
        // follow their enrollment; both pages need a student record.
        .get(
            "/enrollment",
            Access::Allowed(AchievementsRecord),
            pages::mine,
        )
        .get(
            "/enrollment/events",
            Access::Allowed(AchievementsRecord),
            pages::events,
        )
        .get(
            "/enrollment/steps",
            Access::Allowed(EnrollmentProgress),
            pages::steps_page,
        )
        .post(
            "/enrollment/steps",
            Access::Allowed(EnrollmentProgress),
            pages::save_steps_page,
        )
        .get(
            "/students/{id}/enrollment",
            Access::Allowed(StudentsRead),
            pages::of_student,
        )
        .post(
            "/students/{id}/enrollment",
            Access::Allowed(EnrollmentProgress),
            pages::move_page,
        )
        .get(
            "/api/v1/students/{id}/enrollment",
            Access::Allowed(StudentsRead),
            api::get_api,
        )
        .post(
            "/api/v1/students/{id}/enrollment",
            Access::Allowed(EnrollmentProgress),
            api::move_api,
        )
        .get(
            "/api/v1/enrollment-steps",
            Access::Allowed(InstitutionRead),
            api::steps_api,
        )
        .put(
            "/api/v1/enrollment-steps",
            Access::Allowed(EnrollmentProgress),
            api::set_steps_api,
        )
}
