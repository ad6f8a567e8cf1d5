//! Applicant sign-up types: what an applicant enters, the college their mail names, and
//! the one answer every sign-up gets.

use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SignUpInput {
    pub intake_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// At least 12 characters; a few unrelated words make a good one.
    pub password: String,
}

/// The college, as the sign-up's mail names it.
pub struct Signing<'a> {
    pub college: crate::db::CollegeId,
    pub college_name: &'a str,
    pub college_slug: &'a str,
    pub base_url: &'a str,
}

/// What every sign-up is told, whether or not the address had an account: the answer
/// must not reveal who has one.
pub const CHECK_YOUR_MAIL: &str = "Check your mail: we sent a link to the address you gave. \
     Follow it to confirm the address, then sign in to complete your application.";
