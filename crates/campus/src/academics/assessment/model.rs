//! Assessment types: assessments and marks as entered, a student's marks, a section's
//! results and their status, an amendment, a student's published record, and the rows
//! the teaching and results pages list.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewAssessmentInput {
    pub name: String,
    /// `exam`, `quiz`, `assignment` or `practical`.
    pub kind: String,
    /// Percent of the course grade (all of a section's add up to at most 100).
    pub weight: f64,
    pub max_marks: f64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MarkInput {
    pub student_id: Uuid,
    pub score: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CourseMarks {
    pub course_code: String,
    pub assessment: String,
    pub kind: String,
    pub weight: f64,
    pub max_marks: f64,
    pub score: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = ResultsStatus)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    Published,
}

impl Status {
    pub(super) fn parse(text: &str) -> Status {
        match text {
            "submitted" => Status::Submitted,
            "published" => Status::Published,
            _ => Status::Draft,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Published => "published",
        }
    }
}

/// One student's result in a section.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct StudentResult {
    pub student_id: Uuid,
    pub student_number: String,
    pub name: String,
    pub percent: f64,
    pub letter: String,
    pub grade_points: f64,
    pub passed: bool,
}

/// A section's results: stored once submitted, computed from the marks while a draft.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionResults {
    pub section_id: Uuid,
    pub status: Status,
    /// Sum of the assessments' weights (must be 100 to submit).
    pub total_weight: f64,
    /// Marks still to enter, per assessment name.
    pub missing: Vec<MissingMarks>,
    pub results: Vec<StudentResult>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct MissingMarks {
    pub assessment: String,
    pub missing: i64,
}

/// A student's mark in one assessment of a section, for grading.
#[derive(sqlx::FromRow)]
pub(super) struct MarkRow {
    pub(super) student_id: Uuid,
    pub(super) student_number: String,
    pub(super) name: String,
    pub(super) weight: f64,
    pub(super) max_marks: f64,
    pub(super) score: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AmendmentInput {
    pub student_id: Uuid,
    pub assessment_id: Uuid,
    pub score: f64,
    /// Why the published result changes (5 to 500 characters); kept in the audit trail.
    pub reason: String,
}

/// One published course result of a student.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CourseResult {
    pub course_code: String,
    pub course_title: String,
    pub credits: f64,
    pub percent: f64,
    pub letter: String,
    pub grade_points: f64,
    pub passed: bool,
}

/// A term of a student's record with its average.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TermRecord {
    pub term_id: Uuid,
    pub term: String,
    pub academic_year: String,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub starts_on: time::Date,
    pub courses: Vec<CourseResult>,
    /// Credit-weighted grade points of the term.
    pub gpa: Option<f64>,
    pub credits_attempted: f64,
    pub credits_earned: f64,
}

/// A student's whole published record, term by term, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Record {
    pub student_id: Uuid,
    pub terms: Vec<TermRecord>,
    /// Every course once, by its latest attempt.
    pub cumulative_gpa: Option<f64>,
    pub credits_earned: f64,
    /// Courses failed and not passed since, carried from earlier terms.
    pub carried: Vec<String>,
}

/// One published course result of a student with its term.
pub(super) struct RecordRow {
    pub(super) term_id: Uuid,
    pub(super) term: String,
    pub(super) academic_year: String,
    pub(super) starts_on: time::Date,
    pub(super) course: CourseResult,
}

/// An assessment of a section, to choose in the amendment form.
#[derive(sqlx::FromRow)]
pub struct AssessmentChoice {
    pub id: Uuid,
    pub name: String,
    pub max_marks: f64,
}

/// A section in the results overview, with its results' status.
#[derive(sqlx::FromRow)]
pub struct SectionLine {
    pub id: Uuid,
    pub title: String,
    pub term: String,
    pub status: String,
    pub enrolled: i32,
}

/// An assessment on its section's teaching page, with how many marks are entered.
#[derive(sqlx::FromRow)]
pub struct AssessmentLine {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub weight: f64,
    pub max_marks: f64,
    pub entered: i64,
}

/// A student's line in an assessment's marks grid.
#[derive(sqlx::FromRow)]
pub struct GridLine {
    pub student_id: Uuid,
    pub student_number: String,
    pub name: String,
    pub score: Option<f64>,
}

impl GridLine {
    /// The grid's field for this student's mark.
    pub fn field(&self) -> String {
        format!("score_{}", self.student_id)
    }
}

/// An enrolled student's mark still to enter in one assessment of a section.
#[derive(sqlx::FromRow)]
pub struct MissingMark {
    pub student_id: Uuid,
    pub student_number: String,
    pub name: String,
    pub assessment: String,
}
