//! Notices: the college posts one for everyone, students, parents or staff, from a time
//! (now or scheduled) until an optional last day; a reader sees the current notices of
//! the audiences their roles put them in.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::permissions::Role;
use crate::access::principal::Principal;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

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

const SELECT: &str = "SELECT n.id, n.title, n.body, n.audience, n.publish_at, n.expires_on, \
        u.display_name AS posted_by, n.withdrawn_at \
     FROM notices n LEFT JOIN users u ON u.college_id = n.college_id AND u.id = n.posted_by";

/// Current notices for these audiences, newest first.
pub async fn current(
    conn: &mut PgConnection,
    audiences: &[&str],
    limit: i64,
) -> Result<Vec<Notice>, sqlx::Error> {
    let audiences: Vec<String> = audiences.iter().map(|a| (*a).to_string()).collect();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE n.withdrawn_at IS NULL AND n.publish_at <= now() \
           AND (n.expires_on IS NULL OR n.expires_on >= current_date) AND n.audience = ANY($1) \
         ORDER BY n.publish_at DESC LIMIT $2"
    )))
    .bind(&audiences)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Every notice, for those who manage them (scheduled, expired and withdrawn included).
pub async fn all(conn: &mut PgConnection) -> Result<Vec<Notice>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} ORDER BY n.publish_at DESC LIMIT 200"
    )))
    .fetch_all(conn)
    .await
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

pub async fn post(
    conn: &mut PgConnection,
    context: &AuditContext,
    input: &NoticeInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    if !(3..=200).contains(&input.title.trim().chars().count()) {
        errors.push(FieldError::new("title", "must be 3 to 200 characters"));
    }
    if !(1..=10_000).contains(&input.body.trim().chars().count()) {
        errors.push(FieldError::new("body", "must be 1 to 10,000 characters"));
    }
    if !AUDIENCES.contains(&input.audience.as_str()) {
        errors.push(FieldError::new(
            "audience",
            "must be everyone, students, parents, staff or applicants",
        ));
    }
    let publish_at = if input.publish_at.trim().is_empty() {
        Some(OffsetDateTime::now_utc())
    } else {
        match crate::coursework::queries::parse_moment(conn, "publish_at", input.publish_at.trim())
            .await
        {
            Ok(moment) => Some(moment),
            Err(e) => {
                errors.push(e);
                None
            }
        }
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let expires_on = if input.expires_on.trim().is_empty() {
        None
    } else {
        match time::Date::parse(input.expires_on.trim(), &format) {
            Ok(d) if publish_at.is_some_and(|p| d < p.date()) => {
                errors.push(FieldError::new(
                    "expires_on",
                    "must not be before the notice is shown",
                ));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(
                    "expires_on",
                    "must be a date such as 2026-12-20",
                ));
                None
            }
        }
    };
    let Some(publish_at) = publish_at.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let id: Uuid = sqlx::query_scalar!("INSERT INTO notices (college_id, title, body, audience, publish_at, expires_on, posted_by) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6) RETURNING id", input.title.trim(), input.body.trim(), &input.audience, publish_at, expires_on, context.actor)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("notice.posted")
            .object("notice", id)
            .after(serde_json::json!({ "title": input.title.trim(), "audience": input.audience })),
    )
    .await?;
    Ok(id)
}

pub async fn withdraw(
    conn: &mut PgConnection,
    context: &AuditContext,
    id: Uuid,
) -> Result<(), AppError> {
    let done = sqlx::query!(
        "UPDATE notices SET withdrawn_at = now() WHERE id = $1 AND withdrawn_at IS NULL",
        id
    )
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        conn,
        context,
        Entry::new("notice.withdrawn").object("notice", id),
    )
    .await?;
    Ok(())
}
