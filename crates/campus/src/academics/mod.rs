//! Academics, first part: the catalog (courses, prerequisites, sections) and
//! registration (windows, enrolment within capacity, a waitlist with promotion).

pub mod api;
pub mod assessment;
pub mod attendance;
pub mod calendar;
pub mod catalog;
pub mod grading;
pub mod pages;
pub mod registration;
pub mod results;
pub mod results_api;
pub mod results_pages;
pub mod rollover;
pub mod rollover_http;
pub mod teaching;
pub mod timetable;

use crate::access::permissions::Permission::{
    AttendanceMark, AttendanceRead, CatalogManage, CatalogRead, GradingManage, MarksEnter,
    MarksRead, RegistrationEnrol, RegistrationManage, ResultsAmend, ResultsPublish, StaffRead,
};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/catalog", Access::Allowed(CatalogRead), pages::catalog)
        .post(
            "/catalog/courses",
            Access::Allowed(CatalogManage),
            pages::create_course,
        )
        .get(
            "/catalog/courses/{id}",
            Access::Allowed(CatalogRead),
            pages::course,
        )
        .post(
            "/catalog/courses/{id}/sections",
            Access::Allowed(CatalogManage),
            pages::create_section,
        )
        .get(
            "/registration",
            Access::Allowed(RegistrationEnrol),
            pages::registration,
        )
        .post(
            "/registration/sections/{id}/enrol",
            Access::Allowed(RegistrationEnrol),
            pages::enrol,
        )
        .post(
            "/registration/sections/{id}/drop",
            Access::Allowed(RegistrationEnrol),
            pages::drop,
        )
        .get(
            "/api/v1/courses",
            Access::Allowed(CatalogRead),
            api::list_courses,
        )
        .post(
            "/api/v1/courses",
            Access::Allowed(CatalogManage),
            api::create_course,
        )
        .get(
            "/api/v1/courses/{id}",
            Access::Allowed(CatalogRead),
            api::get_course,
        )
        .post(
            "/api/v1/sections",
            Access::Allowed(CatalogManage),
            api::create_section,
        )
        .post(
            "/api/v1/registration-windows",
            Access::Allowed(RegistrationManage),
            api::create_window,
        )
        .post(
            "/api/v1/sections/{id}/enroll",
            Access::Allowed(RegistrationEnrol),
            api::enrol,
        )
        .post(
            "/api/v1/sections/{id}/drop",
            Access::Allowed(RegistrationEnrol),
            api::drop,
        )
        .post(
            "/api/v1/sections/{id}/override",
            Access::Allowed(RegistrationManage),
            api::override_enrol,
        )
        .get(
            "/api/v1/me/enrollments",
            Access::Allowed(RegistrationEnrol),
            api::my_enrollments,
        )
        .post(
            "/api/v1/sections/{id}/meetings",
            Access::Allowed(CatalogManage),
            api::add_meeting,
        )
        .get("/api/v1/me/timetable", Access::SignedIn, api::my_timetable)
        .get("/timetable", Access::SignedIn, pages::timetable)
        .get("/timetable/go", Access::SignedIn, pages::timetable_go)
        .get(
            "/api/v1/rooms/{id}/timetable",
            Access::Allowed(CatalogRead),
            api::room_timetable,
        )
        .get(
            "/timetable/rooms/{id}",
            Access::Allowed(CatalogRead),
            pages::room_timetable,
        )
        .get(
            "/timetable/teachers/{id}",
            Access::Allowed(StaffRead),
            pages::teacher_timetable,
        )
        .get(
            "/sessions/{id}/mark",
            Access::Allowed(AttendanceMark),
            pages::mark_page,
        )
        .post(
            "/sessions/{id}/mark",
            Access::Allowed(AttendanceMark),
            pages::mark_submit,
        )
        .get(
            "/sessions/{id}/events",
            Access::Allowed(AttendanceMark),
            pages::session_events,
        )
        .post(
            "/api/v1/sections/{id}/sessions",
            Access::Allowed(AttendanceMark),
            api::add_session,
        )
        .get(
            "/api/v1/sessions/{id}/roster",
            Access::Allowed(AttendanceMark),
            api::roster,
        )
        .put(
            "/api/v1/sessions/{id}/attendance",
            Access::Allowed(AttendanceMark),
            api::mark,
        )
        .get(
            "/api/v1/me/attendance",
            Access::Allowed(AttendanceRead),
            api::my_attendance,
        )
        .post(
            "/api/v1/sections/{id}/sessions/generate",
            Access::Allowed(AttendanceMark),
            api::generate_sessions,
        )
        .get("/account/calendar", Access::SignedIn, calendar::page)
        .post("/account/calendar", Access::SignedIn, calendar::renew)
        .post(
            "/account/calendar/revoke",
            Access::SignedIn,
            calendar::revoke,
        )
        .get("/ical/{name}", Access::Public, calendar::feed)
        .get(
            "/api/v1/me/children/attendance",
            Access::Allowed(AttendanceRead),
            api::children_attendance,
        )
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
            teaching::page,
        )
        .post(
            "/sections/{id}/teach/sessions",
            Access::Allowed(AttendanceMark),
            teaching::add_session,
        )
        .post(
            "/sections/{id}/teach/assessments",
            Access::Allowed(MarksEnter),
            teaching::add_assessment,
        )
        .get(
            "/assessments/{id}/marks",
            Access::Allowed(MarksEnter),
            teaching::marks_page,
        )
        .post(
            "/assessments/{id}/marks",
            Access::Allowed(MarksEnter),
            teaching::save_marks,
        )
        .get(
            "/api/v1/grading-scale",
            Access::Allowed(CatalogRead),
            results_api::get_scale,
        )
        .put(
            "/api/v1/grading-scale",
            Access::Allowed(GradingManage),
            results_api::put_scale,
        )
        .get(
            "/api/v1/sections/{id}/results",
            Access::Allowed(MarksRead),
            results_api::section_results,
        )
        .post(
            "/api/v1/sections/{id}/results/submit",
            Access::Allowed(MarksEnter),
            results_api::submit,
        )
        .post(
            "/api/v1/sections/{id}/results/publish",
            Access::Allowed(ResultsPublish),
            results_api::publish,
        )
        .post(
            "/api/v1/sections/{id}/results/return",
            Access::Allowed(ResultsPublish),
            results_api::return_to_draft,
        )
        .post(
            "/api/v1/sections/{id}/results/amend",
            Access::Allowed(ResultsAmend),
            results_api::amend,
        )
        .get(
            "/api/v1/students/{id}/record",
            Access::Allowed(MarksRead),
            results_api::student_record,
        )
        .get(
            "/api/v1/me/record",
            Access::Allowed(MarksRead),
            results_api::my_record,
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
        .post(
            "/sections/{id}/results/submit",
            Access::Allowed(MarksEnter),
            results_pages::submit,
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
        .get(
            "/api/v1/terms/{id}/rollover",
            Access::Allowed(RegistrationManage),
            rollover_http::preview,
        )
        .post(
            "/api/v1/terms/{id}/rollover",
            Access::Allowed(RegistrationManage),
            rollover_http::run,
        )
        .get(
            "/terms/rollover",
            Access::Allowed(RegistrationManage),
            rollover_http::page,
        )
        .post(
            "/terms/rollover",
            Access::Allowed(RegistrationManage),
            rollover_http::submit,
        )
}
