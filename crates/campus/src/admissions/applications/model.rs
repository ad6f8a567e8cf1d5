//! Application types: an application as the applicant fills it in and as listed, its
//! documents and history, the merit list, the office's decisions and seat allocation.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::files::uploads::FileView;

pub const FILE_KINDS: [&str; 4] = ["transcript", "identity", "photo", "other"];
pub const MAX_FILES: i64 = 10;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Application {
    pub id: Uuid,
    pub intake_id: Uuid,
    pub intake: String,
    pub program: String,
    pub user_id: Uuid,
    pub email: String,
    /// draft, submitted, under_review, accepted, waitlisted, rejected or withdrawn.
    pub status: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(serialize_with = "crate::web::json::optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<time::Date>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub previous_school: Option<String>,
    /// The qualifying examination's percentage, e.g. `87.50`.
    pub qualifying_percent: Option<String>,
    pub statement: String,
    pub decision_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    pub student_id: Option<Uuid>,
    /// Whether the fee (if any) is paid.
    pub fee_paid: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Event {
    pub status: String,
    pub note: String,
    pub by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachedFile {
    pub kind: String,
    #[serde(flatten)]
    pub file: FileView,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Details {
    pub application: Application,
    pub files: Vec<AttachedFile>,
    /// Oldest first.
    pub history: Vec<Event>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ApplicationInput {
    pub first_name: String,
    pub last_name: String,
    /// e.g. `2008-04-30`.
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub previous_school: String,
    /// The qualifying examination's percentage, 0 to 100.
    #[serde(default)]
    pub qualifying_percent: String,
    /// Why this program (at most 4,000 characters).
    #[serde(default)]
    pub statement: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct MeritLine {
    /// 1 for the best, by qualifying percentage then by who submitted first.
    pub rank: i64,
    pub application_id: Uuid,
    pub name: String,
    pub qualifying_percent: Option<String>,
    pub status: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
}

/// The columns an intake's list of applications sorts by, the first (merit rank) its
/// default (`web::list`).
pub const APPLICATION_SORTS: [&str; 5] = ["rank", "name", "percent", "status", "submitted"];

/// The statuses an intake's list shows (a draft is the applicant's alone), in the order
/// an application goes through them.
pub const LISTED_STATUSES: [&str; 6] = [
    "submitted",
    "under_review",
    "waitlisted",
    "accepted",
    "rejected",
    "withdrawn",
];

/// What an intake's list of applications is narrowed to (each ignored when empty): a
/// status, and words of the applicant's name or email.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub status: String,
    pub q: String,
}

/// An application as its intake's list shows it, with how many the filters select.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationLine {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub qualifying_percent: Option<String>,
    pub status: String,
    pub submitted_at: Option<OffsetDateTime>,
    /// The place on the merit list (none once withdrawn).
    pub rank: Option<i64>,
    /// Every application the filters select (the same on each row).
    pub total: i64,
}

impl ApplicationLine {
    /// Whether the office may move it under review (and so tick it for that).
    pub fn reviewable(&self) -> bool {
        matches!(self.status.as_str(), "submitted" | "waitlisted")
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = ApplicationDecision)]
pub struct DecisionInput {
    /// under_review, accepted, waitlisted or rejected.
    pub status: String,
    /// Required to reject; shown to the applicant.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Allocation {
    pub accepted: usize,
    pub waitlisted: usize,
    pub seats_left: i64,
}
