//! User administration types, parsed at the edge.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::FieldError;
use crate::people::model::{Email, parse_display_name};

/// A new account as an administrator enters it.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewUserInput {
    pub email: String,
    pub display_name: String,
    /// Role names, built-in (e.g. `teacher`) or the college's own (`custom_...`).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Mail an invitation to choose a password (default true).
    #[serde(default = "yes")]
    pub invite: bool,
}

fn yes() -> bool {
    true
}

impl NewUserInput {
    /// Parses everything but whether the roles exist (that needs the database).
    pub fn parse(&self) -> Result<NewUser, Vec<FieldError>> {
        let mut errors = Vec::new();
        let email = Email::parse("email", &self.email)
            .map_err(|e| errors.push(e))
            .ok();
        let name = parse_display_name("display_name", &self.display_name)
            .map_err(|e| errors.push(e))
            .ok();
        let mut roles: Vec<String> = self
            .roles
            .iter()
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect();
        roles.sort();
        roles.dedup();
        match (email, name) {
            (Some(email), Some(display_name)) if errors.is_empty() => Ok(NewUser {
                email,
                display_name,
                roles,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = AccountStatus)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Invited,
    Active,
    Deactivated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Invited => "invited",
            Status::Active => "active",
            Status::Deactivated => "deactivated",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "invited" => Some(Status::Invited),
            "active" => Some(Status::Active),
            "deactivated" => Some(Status::Deactivated),
            _ => None,
        }
    }
}

/// A user as administrators see them.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    /// `invited`, `active` or `deactivated`.
    pub status: String,
    pub roles: Vec<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The national identity number, masked to its last four characters (detail only).
    #[sqlx(skip)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub national_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct UpdateUserInput {
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// `active` or `deactivated` (invited users become active by accepting).
    pub status: Option<Status>,
    /// Stored encrypted; an empty string clears it.
    pub national_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RolesInput {
    pub roles: Vec<String>,
}
