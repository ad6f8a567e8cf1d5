//! Notice types: a notice as listed and as entered, the audiences, and which audiences a
//! reader belongs to.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::permissions::Role;
use crate::access::principal::Principal;

pub const AUDIENCES: [&str; 5] = ["everyone", "students", "parents", "staff", "applicants"];

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Notice {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    /// everyone, students, parents, staff or applicants.
    pub audience: String,
    #[serde(with = "time::serde::rfc3339")]
    pub publish_at: OffsetDateTime,
    #[serde(serialize_with = "crate::web::json::optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub expires_on: Option<time::Date>,
    pub posted_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub withdrawn_at: Option<OffsetDateTime>,
}

/// The audiences a reader belongs to: everyone, and students, parents or staff by role
/// (every role but student and parent is staff).
/// The audiences whose notices `principal` sees. "Everyone" is everyone at the college:
/// its students, parents and staff. Someone who only applies is not yet one of them and
/// sees only notices meant for applicants.
pub fn audiences_of(principal: &Principal) -> Vec<&'static str> {
    let mut out = Vec::new();
    for role in &principal.roles {
        match Role::parse(role) {
            Some(Role::Student) => out.extend(["everyone", "students"]),
            Some(Role::Parent) => out.extend(["everyone", "parents"]),
            Some(Role::Applicant) => out.push("applicants"),
            Some(role) if !role.is_staff() => out.push("everyone"),
            // Built-in staff roles and a college's own roles.
            _ => out.extend(["everyone", "staff"]),
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NoticeInput {
    pub title: String,
    pub body: String,
    /// everyone, students, parents, staff or applicants.
    pub audience: String,
    /// When to show it from (RFC 3339 or local `2026-12-01T09:00`); now when empty.
    #[serde(default)]
    pub publish_at: String,
    /// The last day to show it, e.g. `2026-12-20`; shown until withdrawn when empty.
    #[serde(default)]
    pub expires_on: String,
}
