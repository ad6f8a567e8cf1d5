//! Enrollment queries: the college's steps (replaced as a list, audited), a student's
//! progress with its history, and a move to a step (audited, announced live).

use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::enrollment::model::{Move, MoveInput, Progress, Step, StepInput, StepState, topic};
use crate::error::{AppError, FieldError};

/// The college's steps in order (those dropped from the list are left out).
pub async fn steps(conn: &mut PgConnection) -> Result<Vec<Step>, sqlx::Error> {
    sqlx::query_as!(Step, "SELECT id, position, name, description FROM enrollment_steps WHERE active ORDER BY position")
    .fetch_all(conn)
    .await
}

/// Replaces the list of steps, in order. A step keeps its history when renamed only if
/// its name stays; a step left out is retired (history that names it stays readable).
pub async fn set_steps(
    conn: &mut PgConnection,
    context: &AuditContext,
    new: &[StepInput],
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if new.is_empty() || new.len() > 20 {
        errors.push(FieldError::new("steps", "give 1 to 20 steps"));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, step) in new.iter().enumerate() {
        let name = step.name.trim();
        if !(2..=100).contains(&name.chars().count()) {
            errors.push(FieldError::new(
                format!("steps[{i}].name"),
                "must be 2 to 100 characters",
            ));
        } else if !seen.insert(name.to_lowercase()) {
            errors.push(FieldError::new(
                format!("steps[{i}].name"),
                format!("{name} is listed twice"),
            ));
        }
        if step.description.chars().count() > 500 {
            errors.push(FieldError::new(
                format!("steps[{i}].description"),
                "must be at most 500 characters",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let before = steps(conn).await?;
    sqlx::query!("UPDATE enrollment_steps SET active = false")
        .execute(&mut *conn)
        .await?;
    for (i, step) in new.iter().enumerate() {
        sqlx::query!(
            "INSERT INTO enrollment_steps (college_id, position, name, description) \
             VALUES (app_current_college(), $1, $2, $3) \
             ON CONFLICT (college_id, name) DO UPDATE SET position = EXCLUDED.position, \
               description = EXCLUDED.description, active = true",
            i as i16 + 1,
            step.name.trim(),
            step.description.trim()
        )
        .execute(&mut *conn)
        .await?;
    }
    audit::record(
        conn,
        context,
        Entry::new("enrollment.steps_changed")
            .before(serde_json::json!(
                before.iter().map(|s| s.name.clone()).collect::<Vec<_>>()
            ))
            .after(serde_json::json!(
                new.iter().map(|s| s.name.trim()).collect::<Vec<_>>()
            )),
    )
    .await?;
    Ok(())
}

pub async fn of_student(conn: &mut PgConnection, student: Uuid) -> Result<Progress, AppError> {
    let exists: bool = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM students WHERE id = $1) AS \"v!\"",
        student
    )
    .fetch_one(&mut *conn)
    .await?;
    if !exists {
        return Err(AppError::NotFound);
    }
    let all = steps(conn).await?;
    let history: Vec<Move> = sqlx::query_as!(Move, "SELECT s.name AS step, p.remark, u.display_name AS \"recorded_by?\", p.recorded_at \
         FROM enrollment_progress p JOIN enrollment_steps s ON s.college_id = p.college_id AND s.id = p.step_id \
         LEFT JOIN users u ON u.college_id = p.college_id AND u.id = p.recorded_by \
         WHERE p.student_id = $1 ORDER BY p.recorded_at DESC", student)
    .fetch_all(&mut *conn)
    .await?;
    let current: Option<Uuid> = sqlx::query_scalar!("SELECT step_id FROM enrollment_progress WHERE student_id = $1 ORDER BY recorded_at DESC LIMIT 1", student)
    .fetch_optional(&mut *conn)
    .await?;
    let at = current.and_then(|c| all.iter().find(|s| s.id == c).map(|s| s.position));
    let steps = all
        .into_iter()
        .map(|step| StepState {
            reached: at.is_some_and(|p| step.position <= p),
            current: Some(step.id) == current,
            step,
        })
        .collect();
    Ok(Progress {
        student_id: student,
        steps,
        history,
    })
}

/// Moves a student's enrollment to a step (forward, or back when something is missing).
pub async fn record(
    conn: &mut PgConnection,
    context: &AuditContext,
    student: Uuid,
    input: &MoveInput,
) -> Result<(), AppError> {
    let remark = input.remark.trim();
    if remark.chars().count() > 1000 {
        return Err(AppError::Validation(vec![FieldError::new(
            "remark",
            "must be at most 1,000 characters",
        )]));
    }
    let step: Option<String> = sqlx::query_scalar!(
        "SELECT name FROM enrollment_steps WHERE id = $1 AND active",
        input.step_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(step) = step else {
        return Err(AppError::Validation(vec![FieldError::new(
            "step_id",
            "is not one of the college's steps",
        )]));
    };
    let exists: bool = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM students WHERE id = $1) AS \"v!\"",
        student
    )
    .fetch_one(&mut *conn)
    .await?;
    if !exists {
        return Err(AppError::NotFound);
    }
    sqlx::query!(
        "INSERT INTO enrollment_progress (college_id, student_id, step_id, remark, recorded_by) \
         VALUES (app_current_college(), $1, $2, $3, $4)",
        student,
        input.step_id,
        remark,
        context.actor
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("enrollment.progressed")
            .object("student", student)
            .after(serde_json::json!({ "step": step, "remark": remark })),
    )
    .await?;
    crate::live::publish(conn, &topic(student)).await?;
    Ok(())
}

/// A student's name as their progress page shows it.
pub async fn student_name(conn: &mut PgConnection, student: Uuid) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT first_name || ' ' || last_name AS \"v!\" FROM students WHERE id = $1",
        student
    )
    .fetch_one(conn)
    .await
}
