//! Privacy types: what an erasure removed, and the facts about a student's leaving that
//! decide whether the retention period has passed.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Erased {
    /// Stored files removed.
    pub files: usize,
    /// Guardian records removed (those linked to no other student).
    pub guardians: u64,
    /// The number the anonymous record now has.
    pub anonymous_number: String,
    /// Storage keys of the removed files: the caller deletes the bytes once the
    /// transaction has committed (were it to fail, the files must still be there).
    #[serde(skip)]
    pub file_keys: Vec<String>,
}

/// A student's status, account and leaving, and the college's retention, for erasure.
#[derive(sqlx::FromRow)]
pub(super) struct Leaving {
    pub(super) status: String,
    pub(super) user_id: Option<Uuid>,
    pub(super) left_on: Option<time::Date>,
    pub(super) years: i16,
    pub(super) today: time::Date,
}
