//! Course material and meeting types: a material (a file or a link) and a meeting as
//! entered and as listed, and the check of their links.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::FieldError;

/// Checks a link: `https://` (or `http://` when allowed), not too long, no spaces.
pub fn check_link(field: &str, link: &str, https_only: bool) -> Result<(), FieldError> {
    let ok = (link.starts_with("https://") || (!https_only && link.starts_with("http://")))
        && link.len() <= 2000
        && !link.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else if https_only {
        Err(FieldError::new(field, "must be an https:// address"))
    } else {
        Err(FieldError::new(
            field,
            "must be an http:// or https:// address",
        ))
    }
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct MaterialView {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub link: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub file_id: Option<Uuid>,
    pub file_name: Option<String>,
    pub size_bytes: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = OnlineMeetingInput)]
pub struct NewMeetingInput {
    pub title: String,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` in the college's time zone.
    pub starts_at: String,
    pub ends_at: String,
    /// The meeting's https:// address (optional for a meeting in a room).
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub agenda: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct MeetingView {
    pub id: Uuid,
    pub section_id: Uuid,
    pub course: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    /// Start and end in the college's time zone.
    pub when_local: String,
    pub link: Option<String>,
    pub agenda: String,
}
