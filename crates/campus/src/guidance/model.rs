//! Guidance note types: a note as read and as entered, and the associated data that
//! binds a note's ciphertext to its row.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

pub(super) fn aad(note: Uuid) -> String {
    format!("guidance_notes.body:{note}")
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Note {
    pub id: Uuid,
    pub body: String,
    pub author: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NoteInput {
    /// 1 to 10,000 characters.
    pub body: String,
}
