//! What the dashboard shows of coursework: a teacher's assignments with hand-ins waiting
//! for a grade.

use sqlx::PgConnection;
use uuid::Uuid;

pub struct ToGrade {
    pub id: Uuid,
    /// Course, section and assignment title.
    pub label: String,
    pub waiting: i64,
}

pub async fn to_grade(conn: &mut PgConnection, user: Uuid) -> Result<Vec<ToGrade>, sqlx::Error> {
    sqlx::query_as!(
        ToGrade,
        r#"SELECT a.id, c.code || ' ' || s.code || ': ' || a.title AS "label!", count(*) AS "waiting!"
         FROM submissions sub JOIN assignments a ON a.college_id = sub.college_id AND a.id = sub.assignment_id
         JOIN sections s ON s.college_id = a.college_id AND s.id = a.section_id
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
         JOIN section_teachers x ON x.college_id = s.college_id AND x.section_id = s.id
         JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id AND st.user_id = $1
         WHERE sub.graded_at IS NULL GROUP BY a.id, 2 ORDER BY 2 LIMIT 12"#,
        user
    )
    .fetch_all(conn)
    .await
}
