//! What the dashboard shows of tickets: the open ones waiting for the signed-in handler.

use sqlx::PgConnection;
use uuid::Uuid;

/// Open tickets assigned to `user`, and with `with_unassigned` (the college-wide desk)
/// the unassigned ones too.
pub async fn tickets_waiting(
    conn: &mut PgConnection,
    user: Uuid,
    with_unassigned: bool,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "v!" FROM tickets WHERE status IN ('open', 'in_progress')
         AND (assignee_id = $1 OR ($2 AND assignee_id IS NULL))"#,
        user,
        with_unassigned
    )
    .fetch_one(conn)
    .await
}
