//! The choices of the OneRoster page's import form.

use sqlx::PgConnection;

/// Programs new students may join, as (code, "code name").
pub async fn program_options(
    conn: &mut PgConnection,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query!("SELECT code, code || ' ' || name AS \"label!\" FROM programs ORDER BY code")
        .fetch_all(conn)
        .await
        .map(|v| v.into_iter().map(|r| (r.code, r.label)).collect())
}

/// Departments courses and teachers of no known department go to, as (code, "code name").
pub async fn department_options(
    conn: &mut PgConnection,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query!("SELECT code, code || ' ' || name AS \"label!\" FROM departments ORDER BY code")
        .fetch_all(conn)
        .await
        .map(|v| v.into_iter().map(|r| (r.code, r.label)).collect())
}
