//! Printing job types (report cards, hall tickets): a job as asked for and as followed, what a runner claims, and
//! the live-updates topic a job's page follows.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewJobInput {
    pub program_id: Uuid,
    pub term_id: Uuid,
    /// What to print: `report_cards` (the default) or `hall_tickets`.
    #[serde(default)]
    #[schema(pattern = "^(report_cards|hall_tickets)$")]
    pub kind: Option<String>,
}

/// What a job prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    ReportCards,
    HallTickets,
}

impl JobKind {
    /// The kind named, report cards when none is; `None` for anything else (an empty
    /// name included: the API document allows only the two names).
    pub fn parse(text: Option<&str>) -> Option<JobKind> {
        match text.map(str::trim) {
            None | Some("report_cards") => Some(JobKind::ReportCards),
            Some("hall_tickets") => Some(JobKind::HallTickets),
            Some(_) => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::ReportCards => "report_cards",
            JobKind::HallTickets => "hall_tickets",
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct JobView {
    pub id: Uuid,
    /// `report_cards` or `hall_tickets`.
    pub kind: String,
    pub program: String,
    pub term: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub total: i32,
    pub done: i32,
    pub file_size: Option<i64>,
    pub error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

impl JobView {
    /// Whether a runner still has work to do on it (the page follows it live).
    pub fn unfinished(&self) -> bool {
        self.status == "queued" || self.status == "running"
    }
}

/// The live-updates topic published whenever a job is claimed, progresses, finishes or
/// fails.
pub fn topic(job: Uuid) -> String {
    format!("document_job:{job}")
}

/// A job a runner has claimed.
pub(super) struct Claimed {
    pub(super) id: Uuid,
    pub(super) program: Uuid,
    pub(super) term: Uuid,
    pub(super) requested_by: Option<Uuid>,
    pub(super) kind: JobKind,
}
