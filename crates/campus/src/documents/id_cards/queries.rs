//! Identity card queries: what a card prints about a student, their latest photo, and a
//! photo put on their record (audited).

use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::documents::id_cards::model::Facts;

/// What a student's card prints, with their status (`None` for no such student).
pub(super) async fn facts(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Option<Facts>, sqlx::Error> {
    sqlx::query_as!(Facts, "SELECT st.first_name || ' ' || st.last_name AS \"name!\", st.student_number AS number, p.name AS program, \
            make_date(extract(year FROM st.admitted_on)::int + p.duration_years, 6, 30) AS \"valid_until!\", st.status, \
            c.name AS \"college!\", c.slug \
         FROM students st JOIN programs p ON p.college_id = st.college_id AND p.id = st.program_id \
         JOIN colleges c ON c.id = st.college_id WHERE st.id = $1", student)
    .fetch_optional(conn)
    .await
}

/// The storage key of the student's latest photo, if they have one.
pub async fn photo_key(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT f.storage_key FROM student_documents d JOIN stored_files f ON f.college_id = d.college_id AND f.id = d.file_id \
         WHERE d.student_id = $1 AND d.kind = 'photo' AND f.content_type LIKE 'image/%' ORDER BY d.added_at DESC LIMIT 1", student)
    .fetch_optional(conn)
    .await
}

/// Puts a stored photo on the student's record, audited.
pub async fn record_photo(
    conn: &mut PgConnection,
    context: &AuditContext,
    student: Uuid,
    file: Uuid,
) -> Result<(), crate::error::AppError> {
    sqlx::query!(
        "INSERT INTO student_documents (college_id, student_id, file_id, kind, added_by) \
         VALUES (app_current_college(), $1, $2, 'photo', $3)",
        student,
        file,
        context.actor
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("student.photo_added")
            .object("student", student)
            .after(serde_json::json!({ "file_id": file })),
    )
    .await?;
    Ok(())
}
