//! What the dashboard shows of accounts: how many there are in each status (kept by the
//! database in `user_counts`).

use sqlx::PgConnection;

pub async fn accounts_by_status(
    conn: &mut PgConnection,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT status, accounts AS "accounts!" FROM user_counts WHERE accounts > 0 ORDER BY status"#
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.status, r.accounts))
    .collect())
}
