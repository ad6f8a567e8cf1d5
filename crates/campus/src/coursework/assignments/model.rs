//! Assignment types: an assignment as posted and as listed (for a student with their own
//! hand-in, for a teacher with counts), hand-ins with their files, and grades.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::files::uploads::FileView;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewAssignmentInput {
    pub title: String,
    #[serde(default)]
    pub instructions: String,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` in the college's time zone.
    pub due_at: String,
    pub max_marks: f64,
    /// Percent of the course grade.
    pub weight: f64,
    /// Whether late work is still accepted (flagged late). Default true.
    #[serde(default = "yes")]
    pub accept_late: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AssignmentView {
    pub id: Uuid,
    pub section_id: Uuid,
    pub course: String,
    pub title: String,
    pub instructions: String,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    /// The due time in the college's time zone, as people read it.
    pub due_local: String,
    pub accept_late: bool,
    pub max_marks: f64,
    pub weight: f64,
    /// For a student: when they handed in, if they did.
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    pub late: Option<bool>,
    pub score: Option<f64>,
    /// For a teacher: how many handed in, and how many wait for a grade.
    pub submissions: i64,
    pub to_grade: i64,
}

impl AssignmentView {
    pub fn overdue(&self) -> bool {
        self.submitted_at.is_none() && self.due_at < OffsetDateTime::now_utc()
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubmissionView {
    pub id: Uuid,
    pub student_id: Uuid,
    pub student_number: String,
    pub name: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    pub late: bool,
    pub score: Option<f64>,
    pub feedback: Option<String>,
    pub files: Vec<FileView>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct GradeInput {
    pub score: f64,
    #[serde(default)]
    pub feedback: String,
}
