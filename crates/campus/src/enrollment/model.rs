//! Enrollment types: the college's ordered steps, each student's moves through them with
//! remarks, and the live topic a student's progress page follows.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// The live topic a student's progress page follows.
pub fn topic(student: Uuid) -> String {
    format!("enrollment:{student}")
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Step {
    pub id: Uuid,
    pub position: i16,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StepInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepState {
    pub step: Step,
    /// Reached: at or before the current step.
    pub reached: bool,
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Move {
    pub step: String,
    pub remark: String,
    pub recorded_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Progress {
    pub student_id: Uuid,
    pub steps: Vec<StepState>,
    /// Newest first.
    pub history: Vec<Move>,
}

impl Progress {
    pub fn current(&self) -> Option<&Step> {
        self.steps.iter().find(|s| s.current).map(|s| &s.step)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MoveInput {
    pub step_id: Uuid,
    /// What was checked or is missing (at most 1,000 characters).
    #[serde(default)]
    pub remark: String,
}
