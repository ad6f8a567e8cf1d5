//! Leave types: a request as entered and as listed with its decisions, a decision as
//! entered, and the pure rules: the dates a request names, and the stages an approver
//! may decide.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::permissions::Role;
use crate::access::principal::Principal;
use crate::error::FieldError;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LeaveInput {
    /// First day away, e.g. `2026-12-01`.
    pub starts_on: String,
    /// Last day away.
    pub ends_on: String,
    /// 5 to 2,000 characters.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Decision {
    #[serde(skip)]
    pub request_id: Uuid,
    pub stage: i16,
    pub approver: String,
    pub decision: String,
    pub comment: String,
    pub decided_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Leave {
    pub id: Uuid,
    pub requester: String,
    pub student_id: Option<Uuid>,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub starts_on: time::Date,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub ends_on: time::Date,
    pub reason: String,
    /// The approvers in order: advisor, registrar, principal.
    pub chain: Vec<String>,
    /// The next approver's place in the chain (1-based).
    pub stage: i16,
    /// pending, approved, rejected or cancelled.
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[sqlx(skip)]
    pub decisions: Vec<Decision>,
}

impl Leave {
    /// Who decides next, while pending.
    pub fn waiting_for(&self) -> Option<&str> {
        (self.status == "pending")
            .then(|| self.chain.get(self.stage as usize - 1).map(String::as_str))
            .flatten()
    }
}

pub(super) fn parse_day(
    field: &str,
    text: &str,
    errors: &mut Vec<FieldError>,
) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format)
        .map_err(|_| errors.push(FieldError::new(field, "must be a date such as 2026-12-01")))
        .ok()
}

/// The stages this principal may decide: `advisor` for their advisees, `registrar` and
/// `principal` by role; college admins may act for either.
pub(super) fn stages_of(principal: &Principal) -> Vec<&'static str> {
    let mut stages = vec!["advisor"];
    if principal.has_role(Role::Registrar) || principal.has_role(Role::CollegeAdmin) {
        stages.push("registrar");
    }
    if principal.has_role(Role::Principal) || principal.has_role(Role::CollegeAdmin) {
        stages.push("principal");
    }
    stages
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct LeaveDecisionInput {
    /// `approve` or `reject`.
    pub decision: String,
    /// Required to reject.
    #[serde(default)]
    pub comment: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct Open {
    pub(super) status: String,
    pub(super) stage: i16,
    pub(super) chain: Vec<String>,
    pub(super) student_id: Option<Uuid>,
    pub(super) starts_on: time::Date,
    pub(super) ends_on: time::Date,
}
