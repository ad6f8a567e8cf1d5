//! Applicant sign-up queries: whether an address already has an account, the applicant's
//! new account (unconfirmed until the mailed link), and its applicant role.

use sqlx::PgConnection;
use uuid::Uuid;

/// The account that owns an address, leaving out unconfirmed sign-ups (they give way).
pub async fn existing_account(
    conn: &mut PgConnection,
    email: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM users WHERE email = $1 AND NOT (self_signup AND email_verified_at IS NULL)",
        email
    )
    .fetch_optional(conn)
    .await
}

/// Makes an applicant's account, which cannot sign in until its address is confirmed.
pub async fn create_applicant(
    conn: &mut PgConnection,
    email: &str,
    name: &str,
    hash: &str,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO users (college_id, email, display_name, status, password_hash, \
           password_changed_at, self_signup) \
         VALUES (app_current_college(), $1, $2, 'invited', $3, now(), true) RETURNING id",
        email,
        name,
        hash
    )
    .fetch_one(conn)
    .await
}

/// Gives an account the applicant role.
pub async fn grant_applicant(conn: &mut PgConnection, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("INSERT INTO role_assignments (college_id, user_id, role) VALUES (app_current_college(), $1, 'applicant')", user)
    .execute(conn)
    .await?;
    Ok(())
}
