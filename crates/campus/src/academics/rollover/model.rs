//! Year-end types: the plan of a rollover (what it will do, or what it did) and a term's
//! dates.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RolloverPlan {
    pub from_term_id: Uuid,
    pub from_term: String,
    pub to_term_id: Uuid,
    pub to_term: String,
    /// The next term is in another academic year: students move up a year.
    pub crosses_year: bool,
    /// Sections of the closing term with students whose results are not published; the
    /// rollover waits for them.
    pub unpublished_sections: Vec<String>,
    /// Active students who move up a year.
    pub promoted: i64,
    /// Final-year students with nothing carried, who graduate.
    pub graduating: i64,
    /// Final-year students who stay because they carry requirements.
    pub held_in_final_year: i64,
    /// Failed courses carried forward as requirements.
    pub carried: i64,
    /// When this term was rolled over already (the plan then shows what was done).
    #[serde(with = "time::serde::rfc3339::option")]
    pub ran_at: Option<OffsetDateTime>,
}

/// A term's name, academic year and dates.
#[derive(sqlx::FromRow)]
pub(super) struct TermRow {
    pub(super) name: String,
    pub(super) academic_year_id: Uuid,
    pub(super) starts_on: time::Date,
    pub(super) ends_on: time::Date,
}
