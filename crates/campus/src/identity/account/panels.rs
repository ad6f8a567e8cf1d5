//! What the dashboard shows of the account: the last sign-in and the live sessions.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

pub struct AccountSummary {
    pub last_login_at: Option<OffsetDateTime>,
    pub sessions: i64,
}

pub async fn summary(conn: &mut PgConnection, user: Uuid) -> Result<AccountSummary, sqlx::Error> {
    sqlx::query_as!(
        AccountSummary,
        r#"SELECT u.last_login_at AS "last_login_at?", (SELECT count(*) FROM sessions x WHERE x.user_id = u.id
             AND x.revoked_at IS NULL AND x.expires_at > now()) AS "sessions!"
         FROM users u WHERE u.id = $1"#,
        user
    )
    .fetch_one(conn)
    .await
}
