//! What the dashboard shows of staff records: a staff member's own post, and the
//! college's active staff by department.

use sqlx::PgConnection;
use uuid::Uuid;

pub struct OwnPost {
    pub title: Option<String>,
    pub department: Option<String>,
}

/// The signed-in user's own staff record, when they have one.
pub async fn own_post(conn: &mut PgConnection, user: Uuid) -> Result<Option<OwnPost>, sqlx::Error> {
    sqlx::query_as!(
        OwnPost,
        r#"SELECT s.title AS "title?", d.name AS "department?" FROM staff s LEFT JOIN departments d
           ON d.college_id = s.college_id AND d.id = s.department_id WHERE s.user_id = $1"#,
        user
    )
    .fetch_optional(conn)
    .await
}

/// Active staff per department (those in none counted as Administration).
pub async fn by_department(conn: &mut PgConnection) -> Result<Vec<(String, i64)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT coalesce(d.name, 'Administration') AS "department!", count(*) AS "staff!"
         FROM staff s LEFT JOIN departments d ON d.college_id = s.college_id AND d.id = s.department_id
         WHERE s.status = 'active' GROUP BY 1 ORDER BY 2 DESC, 1"#
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.department, r.staff))
    .collect())
}
