//! Guardian types: the relationships a guardian may have, link requests as a parent
//! enters them and as they are listed, the college's decision, a direct link, and a child
//! as the parent portal shows them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::academics::assessment::model::{Record, TermRecord};
use crate::academics::attendance::model::CourseAttendance;
use crate::academics::timetable::model::Slot;

pub const RELATIONSHIPS: [&str; 8] = [
    "mother",
    "father",
    "guardian",
    "grandparent",
    "sibling",
    "aunt",
    "uncle",
    "other",
];

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LinkRequestInput {
    pub student_number: String,
    /// The child's date of birth, e.g. `2008-04-30`.
    pub date_of_birth: String,
    /// mother, father, guardian, grandparent, sibling, aunt, uncle or other.
    pub relationship: String,
    /// Anything the college should know (at most 1,000 characters).
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct LinkRequest {
    pub id: Uuid,
    pub parent_name: String,
    pub parent_email: String,
    pub student_id: Option<Uuid>,
    pub student_number: String,
    /// The student's name, shown to the college only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub student_name: Option<String>,
    pub relationship: String,
    pub note: String,
    /// pending, confirmed, rejected or unmatched.
    pub status: String,
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = GuardianLinkDecision)]
pub struct DecisionInput {
    /// `confirm` or `reject`.
    pub decision: String,
    /// Required to reject (3 to 500 characters).
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DirectLinkInput {
    /// The email of a parent account of this college.
    pub email: String,
    pub relationship: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Child {
    pub student_id: Uuid,
    pub name: String,
    pub student_number: String,
    pub program: String,
    pub year_of_study: i16,
    pub status: String,
    pub relationship: String,
    /// Attendance per course of the current enrolments.
    pub attendance: Vec<CourseAttendance>,
    /// Published results, term by term, with term and cumulative GPA.
    pub results: Record,
    /// The child's week of classes.
    pub timetable: Vec<Slot>,
}

impl Child {
    /// The latest term with published results, for the summary line.
    pub fn latest_term(&self) -> Option<&TermRecord> {
        self.results.terms.last()
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ChildRow {
    pub(super) student_id: Uuid,
    pub(super) name: String,
    pub(super) student_number: String,
    pub(super) program: String,
    pub(super) year_of_study: i16,
    pub(super) status: String,
    pub(super) relationship: String,
}
