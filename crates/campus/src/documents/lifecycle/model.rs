//! Issued documents after issue: a student's documents as listed (revoked, superseded),
//! the revocation's reason, and the daily limit on how many one account issues.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// Documents one account may issue in a day (report cards, transcripts, identity cards,
/// portfolios), enough for any office's day, too few to mint thousands. Bulk printing
/// runs as a job and is not counted here.
pub const DAILY_LIMIT: i64 = 100;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct IssuedLine {
    pub id: Uuid,
    /// The verification code as printed.
    pub code: String,
    /// report_card, transcript, id_card or portfolio.
    pub kind: String,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    pub revoked_reason: Option<String>,
    /// When grades it shows were amended after it was issued.
    #[serde(with = "time::serde::rfc3339::option")]
    pub superseded_at: Option<OffsetDateTime>,
}

impl IssuedLine {
    pub fn kind_label(&self) -> &'static str {
        match self.kind.as_str() {
            "report_card" => "Report card",
            "transcript" => "Transcript",
            "id_card" => "Identity card",
            "portfolio" => "Portfolio",
            _ => "Document",
        }
    }

    pub fn shown_code(&self) -> String {
        crate::documents::issue::model::show_code(&self.code)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RevokeInput {
    /// Why (3 to 500 characters); shown on the document's verification page.
    #[schema(min_length = 3, max_length = 500)]
    pub reason: String,
}
