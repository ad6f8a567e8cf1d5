//! What the dashboard shows of admissions: the applications waiting for a decision.

use sqlx::PgConnection;

pub async fn applications_waiting(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "v!" FROM applications WHERE status IN ('submitted', 'under_review')"#
    )
    .fetch_one(conn)
    .await
}
