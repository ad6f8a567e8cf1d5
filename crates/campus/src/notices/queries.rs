//! Notices in the database: the college posts one for everyone, students, parents or
//! staff, from a time (now or scheduled) until an optional last day, and may withdraw it;
//! a reader sees the current notices of their audiences.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};
use crate::notices::model::{AUDIENCES, Notice, NoticeInput};

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
