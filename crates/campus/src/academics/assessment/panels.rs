//! What the dashboard shows of assessment: a student's latest marks.

use sqlx::PgConnection;
use uuid::Uuid;

pub struct RecentMark {
    pub course_code: String,
    pub assessment: String,
    pub score: f64,
    pub max_marks: f64,
}

/// The student's five latest marks, newest first.
pub async fn latest_marks(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Vec<RecentMark>, sqlx::Error> {
    sqlx::query_as!(
        RecentMark,
        r#"SELECT c.code AS course_code, a.name AS assessment, m.score::float8 AS "score!",
            a.max_marks::float8 AS "max_marks!"
         FROM marks m JOIN assessments a ON a.college_id = m.college_id AND a.id = m.assessment_id
         JOIN sections s ON s.college_id = a.college_id AND s.id = a.section_id
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
         WHERE m.student_id = $1 ORDER BY m.entered_at DESC LIMIT 5"#,
        student
    )
    .fetch_all(conn)
    .await
}
