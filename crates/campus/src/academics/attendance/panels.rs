//! What the dashboard shows of attendance: a teacher's sessions of today, with how many
//! marks each has.

use sqlx::PgConnection;
use uuid::Uuid;

pub struct SessionToMark {
    pub id: Uuid,
    /// Course, section and start time, e.g. "CS101 A, 09:00".
    pub label: String,
    pub marked: i64,
}

pub async fn today_for_teacher(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Vec<SessionToMark>, sqlx::Error> {
    sqlx::query_as!(
        SessionToMark,
        r#"SELECT cs.id, c.code || ' ' || s.code || ', ' || lpad((cs.start_minute / 60)::text, 2, '0') || ':'
                || lpad((cs.start_minute % 60)::text, 2, '0') AS "label!",
            (SELECT count(*) FROM attendance a WHERE a.college_id = cs.college_id AND a.session_id = cs.id) AS "marked!"
         FROM class_sessions cs JOIN sections s ON s.college_id = cs.college_id AND s.id = cs.section_id
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
         JOIN section_teachers x ON x.college_id = s.college_id AND x.section_id = s.id
         JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id AND st.user_id = $1
         WHERE cs.held_on = current_date ORDER BY cs.start_minute"#,
        user
    )
    .fetch_all(conn)
    .await
}
