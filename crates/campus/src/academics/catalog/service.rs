//! Enrolment: a student enrols in a section while a window of its term is open for
//! them, having passed its prerequisites and within the window's credit limit. A
//! section's seats are counted under its row lock, so however many students race for
//! the last seat, exactly as many as there are seats get one; the rest join the waitlist
//! in order of arrival. A drop promotes the first waiting student and mails them.

use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::academics::catalog::model::Outcome;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};
use crate::mail;

fn refused(message: impl Into<String>) -> AppError {
    AppError::Validation(vec![FieldError::new("section", message)])
}

/// Enrols `student` in `section`. `override_reason` (a registrar's) skips the window,
/// prerequisite and credit checks, never the capacity.
pub async fn enrol(
    conn: &mut PgConnection,
    context: &AuditContext,
    student: Uuid,
    section: Uuid,
    override_reason: Option<&str>,
) -> Result<Outcome, AppError> {
    // The student's own checks come first, without holding anything: only the seat count
    // needs the section's row lock, taken below for as short a time as possible.
    let row: Option<(Uuid, Uuid, String, f64, bool, bool)> = sqlx::query!("SELECT s.course_id, s.term_id, c.code, c.credits::float8 AS \"credits!\", s.enrolled >= s.capacity AS \"full!\", \
           s.closed_at IS NOT NULL AS \"closed!\" \
         FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         WHERE s.id = $1", section)
    .fetch_optional(&mut *conn)
    .await.map(|o| o.map(|r| (r.course_id, r.term_id, r.code, r.credits, r.full, r.closed)))?;
    let (course, term, course_code, credits, looked_full, closed) =
        row.ok_or(AppError::NotFound)?;
    if closed {
        // Even a registrar's override: a closed section is reopened first, on purpose.
        return Err(refused(format!(
            "This section of {course_code} is closed: it takes no new students."
        )));
    }
    if let Some(status) = current_status(conn, section, student).await? {
        return Err(AppError::Conflict(format!(
            "You are already {status} in this section."
        )));
    }
    if override_reason.is_none() {
        let window: Option<f64> = sqlx::query_scalar!("SELECT w.max_credits::float8 AS \"v!\" FROM registration_windows w JOIN students st ON st.id = $2 \
             WHERE w.term_id = $1 AND now() BETWEEN w.opens_at AND w.closes_at \
               AND (w.program_id IS NULL OR w.program_id = st.program_id) \
               AND (w.year_of_study IS NULL OR w.year_of_study = st.year_of_study) \
             ORDER BY w.max_credits DESC LIMIT 1", term, student)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(max_credits) = window else {
            return Err(refused(
                "Registration for this term is not open for you now.",
            ));
        };
        let missing: Vec<String> = sqlx::query_scalar!("SELECT p.code FROM course_prerequisites cp JOIN courses p ON p.college_id = cp.college_id AND p.id = cp.prerequisite_id \
             WHERE cp.course_id = $1 AND NOT EXISTS (SELECT 1 FROM course_completions x \
               WHERE x.college_id = cp.college_id AND x.student_id = $2 AND x.course_id = cp.prerequisite_id) \
             ORDER BY p.code", course, student)
        .fetch_all(&mut *conn)
        .await?;
        if !missing.is_empty() {
            return Err(refused(format!(
                "{course_code} needs {} passed first.",
                missing.join(", ")
            )));
        }
        let taken: f64 = sqlx::query_scalar!(
            "SELECT coalesce(sum(c.credits), 0)::float8 AS \"v!\" FROM enrollments e \
             JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id \
             JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
             WHERE e.student_id = $1 AND s.term_id = $2 AND e.status = 'enrolled'",
            student,
            term
        )
        .fetch_one(&mut *conn)
        .await?;
        if let Some(clash) =
            crate::academics::timetable::queries::student_clash(conn, student, section).await?
        {
            return Err(refused(format!(
                "{course_code} clashes with your timetable: {clash}."
            )));
        }
        if taken + credits > max_credits {
            return Err(refused(format!(
                "{course_code} would bring you to {} credits this term; the limit is {max_credits}.",
                taken + credits
            )));
        }
    }
    // The same student's twin request is caught by the insert below, under the lock.
    let (capacity, enrolled) = seat_lock(conn, section, looked_full).await?;
    let outcome = if enrolled < capacity {
        Outcome::Enrolled
    } else {
        Outcome::Waitlisted
    };
    let status = match outcome {
        Outcome::Enrolled => "enrolled",
        Outcome::Waitlisted => "waitlisted",
    };
    // Only a dropped enrolment is taken up again: the same student's twin request, which
    // held the shared lock alongside this one, finds its live row and changes nothing.
    let written = sqlx::query!("INSERT INTO enrollments (college_id, section_id, student_id, status) VALUES (app_current_college(), $1, $2, $3) \
         ON CONFLICT (college_id, section_id, student_id) DO UPDATE \
           SET status = excluded.status, created_at = clock_timestamp(), updated_at = clock_timestamp() \
           WHERE enrollments.status = 'dropped'", section, student, status)
    .execute(&mut *conn)
    .await?;
    if written.rows_affected() == 0 {
        return Err(AppError::Conflict(
            "You are already in this section or on its waitlist.".into(),
        ));
    }
    if outcome == Outcome::Enrolled {
        sqlx::query!(
            "UPDATE sections SET enrolled = enrolled + 1 WHERE id = $1",
            section
        )
        .execute(&mut *conn)
        .await?;
    }
    let action = match (outcome, override_reason) {
        (_, Some(_)) => "registration.override",
        (Outcome::Enrolled, None) => "registration.enrolled",
        (Outcome::Waitlisted, None) => "registration.waitlisted",
    };
    audit::record(
        conn,
        context,
        Entry::new(action)
            .object("section", section)
            .after(serde_json::json!({
                "student_id": student, "status": status, "reason": override_reason,
            })),
    )
    .await?;
    Ok(outcome)
}

/// Locks the section's seat count and reads it. Taking a seat needs the row to itself
/// (`FOR UPDATE`): everyone taking one waits in turn. Joining the waitlist of a full
/// section only needs the count not to change meanwhile (`FOR SHARE`), so a crowd that
/// came too late is waitlisted side by side, not one disk flush after another; a drop,
/// which frees a seat, waits for them and then promotes the first in line.
async fn seat_lock(
    conn: &mut PgConnection,
    section: Uuid,
    looked_full: bool,
) -> Result<(i32, i32), sqlx::Error> {
    if looked_full {
        // A drop may have freed a seat since the first look; then the shared lock is
        // given back (by rolling back to the savepoint) and the row taken outright. An
        // upgrade in place could deadlock with another attempt doing the same.
        // Both in one round trip (a simple query; the id is a UUID's own text).
        let row = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "SAVEPOINT seat_lock; \
             SELECT capacity, enrolled FROM sections WHERE id = '{}' FOR SHARE",
            section.hyphenated()
        )))
        .fetch_one(&mut *conn)
        .await?;
        let (capacity, enrolled): (i32, i32) = (row.try_get(0)?, row.try_get(1)?);
        if enrolled >= capacity {
            return Ok((capacity, enrolled));
        }
        sqlx::raw_sql("ROLLBACK TO SAVEPOINT seat_lock")
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query!(
        "SELECT capacity, enrolled FROM sections WHERE id = $1 FOR UPDATE",
        section
    )
    .fetch_one(&mut *conn)
    .await
    .map(|r| (r.capacity, r.enrolled))
}

/// The student's live enrolment status in a section (`enrolled` or `waitlisted`).
async fn current_status(
    conn: &mut PgConnection,
    section: Uuid,
    student: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    let current: Option<String> = sqlx::query_scalar!(
        "SELECT status FROM enrollments WHERE section_id = $1 AND student_id = $2",
        section,
        student
    )
    .fetch_optional(conn)
    .await?;
    Ok(current.filter(|s| s != "dropped"))
}

/// Drops `student` from `section`; a freed seat goes to the first student waiting, who
/// is told by mail.
pub async fn drop(
    conn: &mut PgConnection,
    context: &AuditContext,
    student: Uuid,
    section: Uuid,
) -> Result<(), AppError> {
    let lock: Option<String> = sqlx::query_scalar!("SELECT c.code FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         WHERE s.id = $1 FOR UPDATE OF s", section)
    .fetch_optional(&mut *conn)
    .await?;
    let course_code = lock.ok_or(AppError::NotFound)?;
    let was: Option<String> = sqlx::query_scalar!("SELECT status FROM enrollments WHERE section_id = $1 AND student_id = $2 AND status <> 'dropped'", section, student)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(was) = was else {
        return Err(AppError::NotFound);
    };
    sqlx::query!(
        "UPDATE enrollments SET status = 'dropped', updated_at = clock_timestamp() \
         WHERE section_id = $1 AND student_id = $2",
        section,
        student
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("registration.dropped")
            .object("section", section)
            .after(serde_json::json!({
                "student_id": student, "was": was,
            })),
    )
    .await?;
    if was != "enrolled" {
        return Ok(());
    }
    let next: Option<(Uuid, Option<String>, String)> = sqlx::query!("SELECT e.student_id, coalesce(st.email::text, u.email::text) AS \"email?\", st.first_name FROM enrollments e \
         JOIN students st ON st.college_id = e.college_id AND st.id = e.student_id \
         LEFT JOIN users u ON u.college_id = st.college_id AND u.id = st.user_id \
         WHERE e.section_id = $1 AND e.status = 'waitlisted' ORDER BY e.created_at LIMIT 1", section)
    .fetch_optional(&mut *conn)
    .await.map(|o| o.map(|r| (r.student_id, r.email, r.first_name)))?;
    match next {
        Some((promoted, email, name)) => {
            sqlx::query!("UPDATE enrollments SET status = 'enrolled', updated_at = clock_timestamp() WHERE section_id = $1 AND student_id = $2", section, promoted)
                .execute(&mut *conn)
                .await?;
            if let Some(email) = email {
                let body = format!(
                    "Hello {name},\n\nA seat freed up in {course_code} and it is yours: you are now enrolled.\n"
                );
                mail::queue(
                    conn,
                    &email,
                    &format!("You are enrolled in {course_code}"),
                    &body,
                )
                .await?;
            }
            audit::record(
                conn,
                &AuditContext {
                    actor: None,
                    actor_role: None,
                    ..context.clone()
                },
                Entry::new("registration.promoted")
                    .object("section", section)
                    .after(serde_json::json!({
                        "student_id": promoted,
                    })),
            )
            .await?;
        }
        None => {
            sqlx::query!(
                "UPDATE sections SET enrolled = enrolled - 1 WHERE id = $1",
                section
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
