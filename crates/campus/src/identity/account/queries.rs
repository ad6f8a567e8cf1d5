//! The account pages' SQL: storing a changed password.

use sqlx::PgConnection;
use uuid::Uuid;

/// Stores the user's new password hash.
pub async fn store_password(
    conn: &mut PgConnection,
    user: Uuid,
    hash: String,
) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1", user, hash)
        .execute(conn)
        .await?;
    Ok(())
}
