//! Issued documents after issue: a student's documents listed, a registrar revoking one
//! with a reason, report cards and transcripts superseded when grades they show are
//! amended, identity cards revoked when a new card is issued (and, by the database, when
//! the student leaves), and a daily limit on how many documents one account issues.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::documents::lifecycle::model::{DAILY_LIMIT, IssuedLine, RevokeInput};
use crate::error::{AppError, FieldError};

/// Refuses a further document from `actor` once today's allowance is used. Issues from
/// one account take turns, so documents requested at once cannot pass it together.
pub async fn within_daily_limit(
    conn: &mut PgConnection,
    actor: Option<Uuid>,
) -> Result<(), AppError> {
    let Some(actor) = actor else {
        return Ok(());
    };
    crate::db::take_turns(conn, "documents", actor).await?;
    let today: i64 = sqlx::query_scalar!("SELECT count(*) AS \"v!\" FROM issued_documents WHERE issued_by = $1 AND issued_at > now() - interval '1 day'", actor)
    .fetch_one(&mut *conn)
    .await?;
    if today >= DAILY_LIMIT {
        return Err(AppError::TooManyRequests {
            retry_after_secs: 3600,
        });
    }
    Ok(())
}

/// A student's issued documents, newest first.
pub async fn of_student(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Vec<IssuedLine>, sqlx::Error> {
    sqlx::query_as!(
        IssuedLine,
        "SELECT id, code, kind, issued_at, revoked_at AS \"revoked_at?\", revoked_reason AS \"revoked_reason?\", superseded_at AS \"superseded_at?\" \
         FROM issued_documents WHERE student_id = $1 ORDER BY issued_at DESC LIMIT 200",
        student
    )
    .fetch_all(conn)
    .await
}

/// One issued document and the student it was issued to (the revocation's confirmation
/// names both).
pub async fn find(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<(Uuid, IssuedLine)>, sqlx::Error> {
    let found = sqlx::query!(
        "SELECT student_id AS \"student_id!\", id, code, kind, issued_at, revoked_at AS \"revoked_at?\", revoked_reason AS \"revoked_reason?\", superseded_at AS \"superseded_at?\" \
         FROM issued_documents WHERE id = $1 AND student_id IS NOT NULL",
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(found.map(|r| {
        (
            r.student_id,
            IssuedLine {
                id: r.id,
                code: r.code,
                kind: r.kind,
                issued_at: r.issued_at,
                revoked_at: r.revoked_at,
                revoked_reason: r.revoked_reason,
                superseded_at: r.superseded_at,
            },
        )
    }))
}

/// Revokes an issued document; its verification page says so from now on. Returns the
/// student it was issued to.
pub async fn revoke(
    conn: &mut PgConnection,
    context: &AuditContext,
    id: Uuid,
    input: &RevokeInput,
) -> Result<Uuid, AppError> {
    let reason = input.reason.trim();
    if !(3..=500).contains(&reason.chars().count()) {
        return Err(AppError::Validation(vec![FieldError::new(
            "reason",
            "say why, in 3 to 500 characters (the verification page shows it)",
        )]));
    }
    let found: Option<(Uuid, String, Option<OffsetDateTime>)> = sqlx::query!(
        "SELECT student_id AS \"student_id!\", kind, revoked_at FROM issued_documents \
         WHERE id = $1 AND student_id IS NOT NULL FOR UPDATE",
        id
    )
    .fetch_optional(&mut *conn)
    .await
    .map(|o| o.map(|r| (r.student_id, r.kind, r.revoked_at)))?;
    let (student, kind, revoked_at) = found.ok_or(AppError::NotFound)?;
    if revoked_at.is_some() {
        return Err(AppError::Conflict(
            "this document is revoked already".into(),
        ));
    }
    sqlx::query!(
        "UPDATE issued_documents SET revoked_at = now(), revoked_reason = $2 WHERE id = $1",
        id,
        reason
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("document.revoked")
            .object("issued_document", id)
            .after(serde_json::json!({ "kind": kind, "student_id": student, "reason": reason })),
    )
    .await?;
    Ok(student)
}

/// A new staff identity card replaces the staff member's earlier ones.
pub async fn replace_staff_cards(conn: &mut PgConnection, staff: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE issued_documents SET revoked_at = now(), revoked_reason = 'replaced by a newer card' \
         WHERE staff_id = $1 AND kind = 'staff_id_card' AND revoked_at IS NULL",
        staff
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A staff member's identity cards, newest first.
pub async fn of_staff(
    conn: &mut PgConnection,
    staff: Uuid,
) -> Result<Vec<IssuedLine>, sqlx::Error> {
    sqlx::query_as!(
        IssuedLine,
        "SELECT id, code, kind, issued_at, revoked_at AS \"revoked_at?\", revoked_reason AS \"revoked_reason?\", superseded_at AS \"superseded_at?\" \
         FROM issued_documents WHERE staff_id = $1 ORDER BY issued_at DESC LIMIT 50",
        staff
    )
    .fetch_all(conn)
    .await
}

/// A new identity card replaces the student's earlier ones.
pub async fn replace_id_cards(conn: &mut PgConnection, student: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE issued_documents SET revoked_at = now(), revoked_reason = 'replaced by a newer card' \
         WHERE student_id = $1 AND kind = 'id_card' AND revoked_at IS NULL", student)
    .execute(conn)
    .await?;
    Ok(())
}

/// Grades of `section` were amended for `student`: their transcripts, and their report
/// cards for the section's term, no longer show the record.
pub async fn supersede_for_amendment(
    conn: &mut PgConnection,
    section: Uuid,
    student: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE issued_documents d SET superseded_at = now() \
         WHERE d.student_id = $2 AND d.superseded_at IS NULL AND d.revoked_at IS NULL \
           AND (d.kind = 'transcript' \
                OR (d.kind = 'report_card' AND d.term_id = (SELECT term_id FROM sections WHERE id = $1)))", section, student)
    .execute(conn)
    .await?;
    Ok(())
}
