//! Attendance types: class sessions as entered and as listed, a session's roster with
//! its marks, attendance per course for students and their guardians, and a section's
//! attendance per session.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Days after a session during which its own teacher may still change the marks.
pub const EDIT_DAYS: i32 = 2;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewSessionInput {
    /// e.g. `2026-11-25`.
    pub held_on: String,
    pub starts: String,
    pub ends: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct RosterLine {
    pub student_id: Uuid,
    pub student_number: String,
    pub name: String,
    /// The recorded mark, if the session was marked.
    pub status: Option<String>,
}

/// A meeting of a section's timetable held today, and today's session of it if made.
pub struct MeetingToday {
    /// Course and section, e.g. "CS101 A".
    pub label: String,
    pub start_minute: i32,
    pub end_minute: i32,
    pub today: time::Date,
    pub session: Option<Uuid>,
}

pub struct Session {
    pub section: Uuid,
    pub label: String,
    pub editable_by_teacher: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Mark {
    pub student_id: Uuid,
    /// `present`, `absent`, `late` or `excused`.
    pub status: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CourseAttendance {
    pub course_code: String,
    pub sessions: i64,
    pub attended: i64,
    /// Present or late, out of sessions marked; `null` before any is marked.
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct GenerateInput {
    /// First day, e.g. `2026-11-23`.
    pub from: String,
    /// Last day (at most 200 days after `from`).
    pub to: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChildAttendance {
    pub student_id: Uuid,
    pub name: String,
    pub courses: Vec<CourseAttendance>,
}

/// A class session in its teacher's list, with how many students are marked.
#[derive(sqlx::FromRow)]
pub struct SessionLine {
    pub id: Uuid,
    pub held_on: time::Date,
    pub start_minute: i32,
    pub marked: i64,
}

impl SessionLine {
    pub fn starts(&self) -> String {
        crate::academics::timetable::model::show_time(self.start_minute)
    }
}

/// A marked session of a section: how many students are marked, and how many of them
/// were present or late.
#[derive(sqlx::FromRow)]
pub struct SessionAttendance {
    pub held_on: time::Date,
    pub start_minute: i32,
    pub marked: i64,
    pub attended: i64,
}

impl SessionAttendance {
    /// Present or late, in percent of the students marked (one decimal).
    pub fn percent(&self) -> f64 {
        if self.marked == 0 {
            return 0.0;
        }
        (1000.0 * self.attended as f64 / self.marked as f64).round() / 10.0
    }
}
