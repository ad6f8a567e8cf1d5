//! Attendance: class sessions and their marks, marked a whole session at a time by
//! the section's teachers (today's session made from the timetable in one click), seen
//! as percentages per course by students and parents, and as registers for any dates.

pub mod api;
pub mod model;
pub mod pages;
pub mod panels;
pub mod queries;
pub mod registers;
pub mod service;

use crate::access::permissions::Permission::{AttendanceMark, AttendanceRead};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
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
        .post(
            "/sections/{id}/sessions/today",
            Access::Allowed(AttendanceMark),
            pages::start_today,
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
        .get(
            "/attendance/sections/{id}",
            Access::Allowed(AttendanceRead),
            registers::section_page,
        )
        .get(
            "/attendance/students/{id}",
            Access::Allowed(AttendanceRead),
            registers::student_page,
        )
        .get(
            "/attendance/below",
            Access::Allowed(AttendanceRead),
            registers::below_page,
        )
        .get(
            "/api/v1/sections/{id}/attendance-register",
            Access::Allowed(AttendanceRead),
            registers::section_api,
        )
        .get(
            "/api/v1/students/{id}/attendance",
            Access::Allowed(AttendanceRead),
            registers::student_api,
        )
        .get(
            "/api/v1/attendance/below",
            Access::Allowed(AttendanceRead),
            registers::below_api,
        )
        .get(
            "/api/v1/me/children/attendance",
            Access::Allowed(AttendanceRead),
            api::children_attendance,
        )
}
