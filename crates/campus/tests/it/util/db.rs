//! Reading a test's database directly, as the application's role inside one college.

use campus::db::{CollegeId, begin_for_college};

use super::TestApp;

/// The single value `sql` selects in `college` (one row, one column), e.g.
/// `scalar::<i64>(&app, college, "SELECT count(*) FROM students")`.
pub async fn scalar<T>(app: &TestApp, college: CollegeId, sql: &str) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let value: T = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut *tx)
        .await
        .expect(sql);
    tx.commit().await.expect("commit");
    value
}
