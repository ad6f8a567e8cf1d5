//! What the dashboard shows of guardian links: the requests waiting for the college.

use sqlx::PgConnection;

pub async fn requests_waiting(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "v!" FROM guardian_link_requests WHERE status IN ('pending', 'unmatched')"#
    )
    .fetch_one(conn)
    .await
}
