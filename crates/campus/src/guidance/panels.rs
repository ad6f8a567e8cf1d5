//! What the dashboard shows of guidance: a counselor's caseload, the students they have
//! written notes about (names and dates only; a note is read on its own page, audited).

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

/// A student of a counselor's caseload.
pub struct CaseloadLine {
    pub student_id: Uuid,
    pub name: String,
    pub student_number: String,
    pub notes: i64,
    pub last_note_at: OffsetDateTime,
}

/// The students `user` has written guidance notes about, the most recent first; ten at
/// most.
pub async fn caseload(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Vec<CaseloadLine>, sqlx::Error> {
    sqlx::query_as!(
        CaseloadLine,
        r#"SELECT st.id AS student_id, st.first_name || ' ' || st.last_name AS "name!", st.student_number,
            count(*) AS "notes!", max(n.created_at) AS "last_note_at!"
         FROM guidance_notes n JOIN students st ON st.college_id = n.college_id AND st.id = n.student_id
         WHERE n.author_id = $1
         GROUP BY st.id, st.first_name, st.last_name, st.student_number
         ORDER BY 5 DESC LIMIT 10"#,
        user
    )
    .fetch_all(conn)
    .await
}
