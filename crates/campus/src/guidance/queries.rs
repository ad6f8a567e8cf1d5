//! Counselors' guidance notes on a student: encrypted at rest (AES-256-GCM, bound to the
//! note's id, so a value moved to another row does not decrypt), readable only with
//! `guidance.notes` (counselors; college admins where the college allows), and every
//! reading recorded in the audit trail, even when there is nothing to read.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::crypto::FieldKeys;
use crate::error::{AppError, FieldError};
use crate::guidance::model::{Note, NoteInput, aad};

pub async fn add(
    conn: &mut PgConnection,
    keys: &FieldKeys,
    context: &AuditContext,
    student: Uuid,
    input: &NoteInput,
) -> Result<Uuid, AppError> {
    let body = input.body.trim();
    if !(1..=10_000).contains(&body.chars().count()) {
        return Err(AppError::Validation(vec![FieldError::new(
            "body",
            "must be 1 to 10,000 characters",
        )]));
    }
    let exists: bool = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM students WHERE id = $1) AS \"v!\"",
        student
    )
    .fetch_one(&mut *conn)
    .await?;
    if !exists {
        return Err(AppError::NotFound);
    }
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO guidance_notes (college_id, id, student_id, body_enc, author_id) \
         VALUES (app_current_college(), $1, $2, $3, $4)",
        id,
        student,
        keys.encrypt(&aad(id), body),
        context.actor
    )
    .execute(&mut *conn)
    .await?;
    // The audit trail records that a note was written, never what it says.
    audit::record(
        conn,
        context,
        Entry::new("guidance.note_added")
            .object("student", student)
            .after(serde_json::json!({ "note_id": id, "length": body.chars().count() })),
    )
    .await?;
    Ok(id)
}

/// A student's notes, newest first; the reading is audited.
pub async fn read(
    conn: &mut PgConnection,
    keys: &FieldKeys,
    context: &AuditContext,
    student: Uuid,
) -> Result<Vec<Note>, AppError> {
    let exists: bool = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM students WHERE id = $1) AS \"v!\"",
        student
    )
    .fetch_one(&mut *conn)
    .await?;
    if !exists {
        return Err(AppError::NotFound);
    }
    let rows: Vec<(Uuid, String, Option<String>, OffsetDateTime)> = sqlx::query!(
        "SELECT n.id, n.body_enc, u.display_name, n.created_at FROM guidance_notes n \
         LEFT JOIN users u ON u.college_id = n.college_id AND u.id = n.author_id \
         WHERE n.student_id = $1 ORDER BY n.created_at DESC",
        student
    )
    .fetch_all(&mut *conn)
    .await
    .map(|v| {
        v.into_iter()
            .map(|r| (r.id, r.body_enc, r.display_name, r.created_at))
            .collect::<Vec<_>>()
    })?;
    let mut notes = Vec::with_capacity(rows.len());
    for (id, stored, author, created_at) in rows {
        let body = keys
            .decrypt(&aad(id), &stored)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("guidance note {id}: {e}")))?;
        notes.push(Note {
            id,
            body,
            author,
            created_at,
        });
    }
    audit::record(
        conn,
        context,
        Entry::new("guidance.notes_read")
            .object("student", student)
            .after(serde_json::json!({ "notes": notes.len() })),
    )
    .await?;
    Ok(notes)
}

/// The student's name, for the notes page's title.
pub async fn student_name(conn: &mut PgConnection, student: Uuid) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT first_name || ' ' || last_name AS \"v!\" FROM students WHERE id = $1",
        student
    )
    .fetch_one(conn)
    .await
}
