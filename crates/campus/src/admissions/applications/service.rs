//! The admissions office's decisions: an application moved under review, waitlisted,
//! rejected with a reason, or accepted within the intake's seats (acceptances take turns
//! per intake), and the seats filled from the merit list. Acceptance makes the student
//! record, gives the account the student role, keeps the documents on the record, starts
//! the enrollment at the college's first step, and mails the applicant.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::admissions::applications::model::{Allocation, Application, DecisionInput};
use crate::admissions::applications::queries::{event, find};
use crate::admissions::intakes::model::Intake;
use crate::admissions::intakes::queries as intakes;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

/// The admissions office moves an application on. Accepting checks the seats left.
pub async fn decide(
    conn: &mut PgConnection,
    context: &AuditContext,
    base_url: &str,
    id: Uuid,
    input: &DecisionInput,
) -> Result<(), AppError> {
    let reason = input.reason.trim();
    if !["under_review", "accepted", "waitlisted", "rejected"].contains(&input.status.as_str()) {
        return Err(AppError::Validation(vec![FieldError::new(
            "status",
            "must be under_review, accepted, waitlisted or rejected",
        )]));
    }
    if reason.chars().count() > 1000 || (input.status == "rejected" && reason.chars().count() < 3) {
        return Err(AppError::Validation(vec![FieldError::new(
            "reason",
            "a rejection says why (3 to 1,000 characters)",
        )]));
    }
    let intake: Option<Uuid> =
        sqlx::query_scalar!("SELECT intake_id FROM applications WHERE id = $1", id)
            .fetch_optional(&mut *conn)
            .await?;
    let intake = intake.ok_or(AppError::NotFound)?;
    // The intake's row first, then the application's: acceptances take turns per intake.
    sqlx::query!("SELECT FROM intakes WHERE id = $1 FOR UPDATE", intake)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("SELECT FROM applications WHERE id = $1 FOR UPDATE", id)
        .execute(&mut *conn)
        .await?;
    let application = find(conn, id).await?;
    let allowed_from: &[&str] = match input.status.as_str() {
        "under_review" => &["submitted", "waitlisted"],
        _ => &["submitted", "under_review", "waitlisted"],
    };
    if !allowed_from.contains(&application.status.as_str()) {
        return Err(AppError::Conflict(format!(
            "this application is {}; it cannot become {}",
            application.status.replace('_', " "),
            input.status.replace('_', " ")
        )));
    }
    if input.status == "accepted" {
        accept(conn, context, base_url, &application, reason).await
    } else {
        set_status(
            conn,
            context,
            id,
            &application.status,
            &input.status,
            reason,
        )
        .await
    }
}

/// Moves several applications of an intake under review at once, each through `decide`
/// (its checks, history and audit entry), in the caller's transaction: all of them or,
/// when one cannot move, none. Returns how many moved.
pub async fn review_many(
    conn: &mut PgConnection,
    context: &AuditContext,
    base_url: &str,
    intake: Uuid,
    ids: &[Uuid],
) -> Result<usize, AppError> {
    if ids.is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "applications",
            "tick the applications to move under review",
        )]));
    }
    let input = DecisionInput {
        status: "under_review".into(),
        reason: String::new(),
    };
    for id in ids {
        let application = find(conn, *id).await?;
        if application.intake_id != intake {
            return Err(AppError::NotFound);
        }
        match decide(conn, context, base_url, *id, &input).await {
            Ok(()) => {}
            Err(AppError::Conflict(message)) => {
                return Err(AppError::Validation(vec![FieldError::new(
                    "applications",
                    format!(
                        "{} {}: {message}",
                        application.first_name, application.last_name
                    ),
                )]));
            }
            Err(other) => return Err(other),
        }
    }
    Ok(ids.len())
}

async fn set_status(
    conn: &mut PgConnection,
    context: &AuditContext,
    id: Uuid,
    from: &str,
    to: &str,
    reason: &str,
) -> Result<(), AppError> {
    sqlx::query!("UPDATE applications SET status = $2, decision_reason = nullif($3, ''), updated_at = now() WHERE id = $1", id, to, reason)
    .execute(&mut *conn)
    .await?;
    let note = match to {
        "under_review" => "Under review by the admissions office".to_string(),
        "waitlisted" => format!(
            "Waitlisted{}",
            if reason.is_empty() {
                String::new()
            } else {
                format!(": {reason}")
            }
        ),
        _ => format!("Not admitted: {reason}"),
    };
    event(conn, id, to, &note, context.actor).await?;
    audit::record(
        conn,
        context,
        Entry::new("admissions.application_decided")
            .object("application", id)
            .before(serde_json::json!({ "status": from }))
            .after(serde_json::json!({ "status": to, "reason": reason })),
    )
    .await?;
    Ok(())
}

/// A student number for an intake's year: the year and a running number (`20270001`).
async fn next_student_number(conn: &mut PgConnection, year: i32) -> Result<String, sqlx::Error> {
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtext('student_numbers:' || app_current_college()::text))"
    )
    .execute(&mut *conn)
    .await?;
    let last: Option<i64> = sqlx::query_scalar!("SELECT max(substr(student_number, 5)::int8) FROM students WHERE student_number ~ ('^' || $1::text || '[0-9]{4,}$')", year.to_string())
    .fetch_one(&mut *conn)
    .await?;
    Ok(format!("{year}{:04}", last.unwrap_or(0) + 1))
}

async fn accept(
    conn: &mut PgConnection,
    context: &AuditContext,
    base_url: &str,
    application: &Application,
    reason: &str,
) -> Result<(), AppError> {
    let intake: Intake = intakes::find(conn, application.intake_id).await?;
    if intake.seats_left() == 0 {
        return Err(AppError::Conflict(format!(
            "all {} seats of {} are taken; waitlist the applicant instead",
            intake.seats, intake.name
        )));
    }
    let number = next_student_number(conn, intake.admits_on.year()).await?;
    let student: Uuid = sqlx::query_scalar!("INSERT INTO students (college_id, user_id, student_number, first_name, last_name, date_of_birth, email, \
            phone, address, program_id, admitted_on) \
         SELECT app_current_college(), a.user_id, $2, a.first_name, a.last_name, a.date_of_birth, u.email, a.phone, \
            a.address, i.program_id, i.admits_on \
         FROM applications a JOIN intakes i ON i.college_id = a.college_id AND i.id = a.intake_id \
         JOIN users u ON u.college_id = a.college_id AND u.id = a.user_id WHERE a.id = $1 RETURNING id", application.id, &number)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.constraint() == Some("students_user_unique") => {
            AppError::Conflict("this applicant's account already has a student record".into())
        }
        other => other.into(),
    })?;
    sqlx::query!("INSERT INTO role_assignments (college_id, user_id, role) VALUES (app_current_college(), $1, 'student') \
         ON CONFLICT DO NOTHING", application.user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query!("INSERT INTO student_documents (college_id, student_id, file_id, kind, added_by) \
         SELECT app_current_college(), $2, file_id, kind, $3 FROM application_files WHERE application_id = $1", application.id, student, context.actor)
    .execute(&mut *conn)
    .await?;
    sqlx::query!("UPDATE applications SET status = 'accepted', student_id = $2, decision_reason = nullif($3, ''), \
            updated_at = now() WHERE id = $1", application.id, student, reason)
    .execute(&mut *conn)
    .await?;
    // The enrollment starts at the college's first step.
    sqlx::query!("INSERT INTO enrollment_progress (college_id, student_id, step_id, remark, recorded_by) \
         SELECT app_current_college(), $1, id, $2, $3 FROM enrollment_steps WHERE active ORDER BY position LIMIT 1", student, format!("Admitted through {}", intake.name), context.actor)
    .execute(&mut *conn)
    .await?;
    event(
        conn,
        application.id,
        "accepted",
        &format!("Admitted to {}; student number {number}", intake.program),
        context.actor,
    )
    .await?;
    let (college, slug): (String, String) = sqlx::query!("SELECT name, slug FROM colleges")
        .fetch_one(&mut *conn)
        .await
        .map(|r| (r.name, r.slug))?;
    let body = format!(
        "Dear {} {},\n\nCongratulations: {college} has admitted you to {} ({}). Your student number is \
         {number}; classes begin on {}.\n\nSign in with the account you applied with to see your enrollment \
         steps and timetable:\n\n{}/c/{slug}/login\n",
        application.first_name,
        application.last_name,
        intake.program,
        intake.name,
        intake.admits_on,
        base_url.trim_end_matches('/'),
    );
    crate::mail::queue(
        conn,
        &application.email,
        &format!("Admitted to {college}"),
        &body,
    )
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("admissions.application_accepted")
            .object("application", application.id)
            .before(serde_json::json!({ "status": application.status }))
            .after(serde_json::json!({ "status": "accepted", "student_id": student, "student_number": number })),
    )
    .await?;
    Ok(())
}

/// Fills the intake's remaining seats from the merit list: the best-ranked candidates
/// still in the running are accepted up to the seats left, the rest waitlisted.
pub async fn allocate(
    conn: &mut PgConnection,
    context: &AuditContext,
    base_url: &str,
    intake: Uuid,
) -> Result<Allocation, AppError> {
    sqlx::query!("SELECT FROM intakes WHERE id = $1 FOR UPDATE", intake)
        .execute(&mut *conn)
        .await?;
    let found = intakes::find(conn, intake).await?;
    let mut left = found.seats_left();
    let candidates: Vec<Uuid> = sqlx::query_scalar!("SELECT id FROM applications WHERE intake_id = $1 AND status IN ('submitted', 'under_review', 'waitlisted') \
         ORDER BY qualifying_percent DESC NULLS LAST, submitted_at, id FOR UPDATE", intake)
    .fetch_all(&mut *conn)
    .await?;
    let (mut accepted, mut waitlisted) = (0, 0);
    for id in candidates {
        let application = find(conn, id).await?;
        if left > 0 {
            accept(conn, context, base_url, &application, "Allocated by merit").await?;
            left -= 1;
            accepted += 1;
        } else if application.status != "waitlisted" {
            set_status(
                conn,
                context,
                id,
                &application.status,
                "waitlisted",
                "by merit rank",
            )
            .await?;
            waitlisted += 1;
        }
    }
    audit::record(
        conn,
        context,
        Entry::new("admissions.seats_allocated")
            .object("intake", intake)
            .after(serde_json::json!({ "accepted": accepted, "waitlisted": waitlisted, "seats_left": left })),
    )
    .await?;
    Ok(Allocation {
        accepted,
        waitlisted,
        seats_left: left,
    })
}
