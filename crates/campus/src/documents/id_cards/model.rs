//! Identity card types: what a card showed when issued (its verification page shows
//! this), and what it prints about the student.

use serde::{Deserialize, Serialize};

/// What a card showed when issued; its verification page shows this.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Contents {
    pub kind: String,
    pub college: String,
    pub student_name: String,
    pub student_number: String,
    pub program: String,
    pub valid_until: String,
    pub issued_on: String,
}

/// What a card prints about the student and their college.
#[derive(sqlx::FromRow)]
pub(super) struct Facts {
    pub(super) name: String,
    pub(super) number: String,
    pub(super) program: String,
    pub(super) valid_until: time::Date,
    pub(super) status: String,
    pub(super) college: String,
    pub(super) slug: String,
}
