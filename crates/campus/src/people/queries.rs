//! People queries. Each runs inside a transaction acting for one college.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::people::model::{Email, Role};

/// Inserts an account and returns its id. A taken email is reported as `Ok(None)`.
pub async fn insert_user(
    conn: &mut PgConnection,
    email: &Email,
    display_name: &str,
    status: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO users (college_id, email, display_name, status) \
         VALUES (app_current_college(), $1, $2, $3) \
         ON CONFLICT ON CONSTRAINT users_email_unique DO NOTHING RETURNING id",
        email.as_str(),
        display_name,
        status
    )
    .fetch_optional(conn)
    .await
}

pub async fn assign_role(
    conn: &mut PgConnection,
    user_id: Uuid,
    role: Role,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO role_assignments (college_id, user_id, role) \
         VALUES (app_current_college(), $1, $2) ON CONFLICT DO NOTHING",
        user_id,
        role.as_str()
    )
    .execute(conn)
    .await?;
    Ok(())
}
