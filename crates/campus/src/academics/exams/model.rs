//! Exam types: a sitting as entered (an assessment, a day, a start, a length, rooms,
//! invigilators) and as shown, a seat, and a line of the term's exam clash report.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// The shortest and longest sitting, in minutes.
pub const SHORTEST: i32 = 15;
pub const LONGEST: i32 = 480;

/// A sitting as the API takes it. The day and time are the college's local time.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = ExamSittingInput)]
#[serde(default)]
pub struct SittingInput {
    /// The assessment examined (an exam or a practical of a section).
    pub assessment_id: Uuid,
    /// e.g. `2026-12-14`: a day of one of the calendar's exam periods.
    #[schema(pattern = "^\\d{4}-\\d{2}-\\d{2}$")]
    pub date: String,
    /// e.g. `09:30`.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub starts: String,
    /// 15 to 480.
    #[schema(minimum = 15, maximum = 480)]
    pub duration_minutes: i32,
    /// The rooms, filled in this order; together they must seat the section's students.
    pub rooms: Vec<Uuid>,
    /// Staff ids of the invigilators.
    pub invigilators: Vec<Uuid>,
}

/// A room of a sitting and how many of its students sit there.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ExamRoom)]
pub struct RoomSeats {
    pub room_id: Uuid,
    pub room: String,
    pub seats: i32,
}

/// An invigilator of a sitting.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ExamInvigilator)]
pub struct Invigilator {
    pub staff_id: Uuid,
    pub name: String,
}

/// A sitting as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ExamSitting)]
pub struct Sitting {
    pub id: Uuid,
    pub assessment_id: Uuid,
    /// e.g. `Final exam`.
    pub paper: String,
    pub section_id: Uuid,
    pub course_code: String,
    pub course_title: String,
    pub section: String,
    pub term_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    /// Students enrolled in the section.
    pub students: i64,
    /// Students given a seat.
    pub seated: i64,
    pub rooms: Vec<RoomSeats>,
    pub invigilators: Vec<Invigilator>,
}

impl Sitting {
    pub fn label(&self) -> String {
        format!("{} {} {}", self.course_code, self.section, self.paper)
    }

    pub fn room_names(&self) -> String {
        self.rooms
            .iter()
            .map(|r| r.room.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn invigilator_names(&self) -> String {
        self.invigilators
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A student's seat at a sitting.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = ExamSeat)]
pub struct Seat {
    pub student_id: Uuid,
    pub student_number: String,
    pub name: String,
    pub room_id: Uuid,
    pub room: String,
    pub seat: i32,
}

/// One line of a term's exam clash report.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ExamClash)]
pub struct ClashLine {
    /// `students`, `room` or `unseated`.
    pub kind: String,
    pub message: String,
    pub sitting_id: Uuid,
}
