//! Amending published results: one mark changes with a reason, the student is regraded,
//! their completion of the course follows the new grade, and documents already issued
//! with the old grade are superseded (the documents domain). The mark and the grade
//! before and after go to the audit trail with the reason.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::academics::assessment::model::{AmendmentInput, Status, StudentResult};
use crate::academics::assessment::results::{compute, reason_of, status, store};
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

/// Changes one mark of a published section and regrades that student; the mark and the
/// grade before and after, and the reason, go to the audit trail.
pub async fn amend(
    conn: &mut PgConnection,
    context: &AuditContext,
    section: Uuid,
    input: &AmendmentInput,
) -> Result<StudentResult, AppError> {
    let reason = reason_of(&input.reason)?;
    if status(conn, section, true).await? != Status::Published {
        return Err(AppError::Conflict(
            "only published results are amended; change a draft's marks directly".into(),
        ));
    }
    let max: Option<f64> = sqlx::query_scalar!(
        "SELECT max_marks::float8 AS \"v!\" FROM assessments WHERE id = $1 AND section_id = $2",
        input.assessment_id,
        section
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(max) = max else {
        return Err(AppError::Validation(vec![FieldError::new(
            "assessment_id",
            "this assessment is not one of the section's",
        )]));
    };
    if !input.score.is_finite() || input.score < 0.0 || input.score > max {
        return Err(AppError::Validation(vec![FieldError::new(
            "score",
            format!("must be between 0 and {max}"),
        )]));
    }
    let before: Option<(Option<f64>, String, f64)> = sqlx::query!("SELECT (SELECT score::float8 FROM marks WHERE assessment_id = $3 AND student_id = $2) AS \"score?\", letter, percent::float8 AS \"percent!\" \
         FROM results WHERE section_id = $1 AND student_id = $2", section, input.student_id, input.assessment_id)
    .fetch_optional(&mut *conn)
    .await.map(|o| o.map(|r| (r.score, r.letter, r.percent)))?;
    let Some((old_score, old_letter, old_percent)) = before else {
        return Err(AppError::Validation(vec![FieldError::new(
            "student_id",
            "this student has no result in the section",
        )]));
    };
    sqlx::query!(
        "SELECT FROM set_config('campus.results_amendment', $1, true)",
        reason
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO marks (college_id, assessment_id, student_id, score, entered_by) \
         VALUES (app_current_college(), $1, $2, $3::float8::numeric, $4) \
         ON CONFLICT (college_id, assessment_id, student_id) DO UPDATE \
           SET score = excluded.score, entered_by = excluded.entered_by, entered_at = now()",
        input.assessment_id,
        input.student_id,
        input.score,
        context.actor
    )
    .execute(&mut *conn)
    .await?;
    let regraded = compute(conn, section, Some(input.student_id))
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    store(conn, section, std::slice::from_ref(&regraded)).await?;
    if regraded.passed {
        sqlx::query!("INSERT INTO course_completions (college_id, student_id, course_id) \
             SELECT app_current_college(), $2, course_id FROM sections WHERE id = $1 ON CONFLICT DO NOTHING", section, input.student_id)
        .execute(&mut *conn)
        .await?;
    } else {
        // The completion goes only if no other published pass of the course remains.
        sqlx::query!("DELETE FROM course_completions cc USING sections s WHERE s.id = $1 AND cc.course_id = s.course_id \
               AND cc.student_id = $2 AND NOT EXISTS (SELECT 1 FROM results r JOIN sections o \
                 ON o.college_id = r.college_id AND o.id = r.section_id \
                 WHERE r.student_id = $2 AND r.passed AND o.course_id = s.course_id AND o.results_status = 'published')", section, input.student_id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query!("SELECT FROM set_config('campus.results_amendment', '', true)")
        .execute(&mut *conn)
        .await?;
    crate::documents::lifecycle::queries::supersede_for_amendment(conn, section, input.student_id)
        .await?;
    audit::record(
        conn,
        context,
        Entry::new("results.amended")
            .object("section", section)
            .before(serde_json::json!({
                "student_id": input.student_id, "assessment_id": input.assessment_id,
                "score": old_score, "percent": old_percent, "letter": old_letter,
            }))
            .after(serde_json::json!({
                "student_id": input.student_id, "assessment_id": input.assessment_id,
                "score": input.score, "percent": regraded.percent, "letter": regraded.letter,
                "reason": reason,
            })),
    )
    .await?;
    Ok(regraded)
}
