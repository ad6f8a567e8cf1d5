//! Enrollment progress: a registrar moves each student through the college's steps with
//! remarks; the student follows their current step and its history live.

pub mod http;
pub mod progress;

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
            http::mine,
        )
        .get(
            "/enrollment/events",
            Access::Allowed(AchievementsRecord),
            http::events,
        )
        .get(
            "/enrollment/steps",
            Access::Allowed(EnrollmentProgress),
            http::steps_page,
        )
        .post(
            "/enrollment/steps",
            Access::Allowed(EnrollmentProgress),
            http::save_steps_page,
        )
        .get(
            "/students/{id}/enrollment",
            Access::Allowed(StudentsRead),
            http::of_student,
        )
        .post(
            "/students/{id}/enrollment",
            Access::Allowed(EnrollmentProgress),
            http::move_page,
        )
        .get(
            "/api/v1/students/{id}/enrollment",
            Access::Allowed(StudentsRead),
            http::get_api,
        )
        .post(
            "/api/v1/students/{id}/enrollment",
            Access::Allowed(EnrollmentProgress),
            http::move_api,
        )
        .get(
            "/api/v1/enrollment-steps",
            Access::Allowed(InstitutionRead),
            http::steps_api,
        )
        .put(
            "/api/v1/enrollment-steps",
            Access::Allowed(EnrollmentProgress),
            http::set_steps_api,
        )
}
