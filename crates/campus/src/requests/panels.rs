//! What the dashboard shows of tickets: the open ones waiting for the signed-in handler,
//! and the open ones of a kind (a warden's hostel tickets).

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

/// Open tickets (open or in progress) of `category`, e.g. `hostel`.
pub async fn open_of_category(conn: &mut PgConnection, category: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "v!" FROM tickets WHERE status IN ('open', 'in_progress') AND category = $1"#,
        category
    )
    .fetch_one(conn)
    .await
}
