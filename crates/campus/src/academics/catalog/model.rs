//! Catalog and registration types: courses and sections as entered and as shown,
//! registration windows, and a student's enrolments with their outcome.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
pub struct NewCourseInput {
    /// e.g. `CS101`: capital letters, digits and hyphens.
    pub code: String,
    pub title: String,
    /// 0.5 to 40.
    pub credits: f64,
    /// The department's code, e.g. `CSE`.
    pub department: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Codes of courses that must be passed first.
    #[serde(default)]
    pub prerequisites: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CourseView {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub credits: f64,
    pub department: String,
    pub description: Option<String>,
    /// Retired: kept with its sections and results, offered for no new section.
    pub retired: bool,
    pub prerequisites: Vec<String>,
}

/// The columns the catalog's list sorts by, the first its default (`web::list`).
pub const COURSE_SORTS: [&str; 4] = ["code", "title", "department", "credits"];

/// What the catalog's list is narrowed to: words of a course's code or title, and a
/// department's code (each ignored when empty).
#[derive(Debug, Clone, Default)]
pub struct CourseFilter {
    pub q: String,
    pub department: String,
}

/// A course as the catalog's list shows it, with how many courses the filters select.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CourseLine {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub credits: f64,
    pub department: String,
    pub prerequisites: Vec<String>,
    /// Every course the filters select (the same on each row).
    pub total: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct SectionView {
    pub id: Uuid,
    pub course_code: String,
    pub code: String,
    pub term: String,
    pub capacity: i32,
    pub enrolled: i32,
    pub waitlisted: i64,
    pub room: Option<String>,
    pub teachers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
pub struct NewSectionInput {
    pub course_id: Uuid,
    pub term_id: Uuid,
    /// e.g. `A`.
    pub code: String,
    pub capacity: i32,
    pub room_id: Option<Uuid>,
    /// Staff ids of the teachers.
    #[serde(default)]
    pub teachers: Vec<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = EnrolmentOutcome)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Enrolled,
    Waitlisted,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct EnrollmentView {
    pub section_id: Uuid,
    pub course_code: String,
    pub course_title: String,
    pub section: String,
    pub term: String,
    pub credits: f64,
    /// `enrolled` or `waitlisted`.
    pub status: String,
    /// Place on the waitlist (1 is next), for waitlisted enrolments.
    pub waitlist_position: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewWindowInput {
    pub term_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub opens_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub closes_at: time::OffsetDateTime,
    pub program_id: Option<Uuid>,
    #[schema(minimum = 1, maximum = 10)]
    pub year_of_study: Option<i16>,
    /// Default 30.
    pub max_credits: Option<f64>,
}
