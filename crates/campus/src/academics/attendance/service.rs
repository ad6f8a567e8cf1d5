//! Marking a session: a teacher marks the sections they teach (own sections), registrars
//! and admins any section; a whole session in one request; marks older than two days
//! need a college-wide grant to change. Students who fall below the college's threshold
//! are mailed, with their guardians and advisor, and pages following the session update.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::academics::attendance::model::{EDIT_DAYS, Mark};
use crate::academics::attendance::queries::session;
use crate::access::permissions::Scope;
use crate::access::principal::Grant;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

/// Records a whole session's marks in one statement set: every student named must be
/// enrolled in the section, every status known; otherwise nothing is written.
pub async fn mark(
    conn: &mut PgConnection,
    grant: &Grant,
    context: &AuditContext,
    session_id: Uuid,
    marks: &[Mark],
) -> Result<usize, AppError> {
    let session = session(conn, session_id).await?.ok_or(AppError::NotFound)?;
    crate::access::reach::authorize_section(conn, grant, session.section).await?;
    if !session.editable_by_teacher && grant.scope < Scope::College {
        return Err(AppError::Conflict(format!(
            "Marks for sessions older than {EDIT_DAYS} days are closed; ask the registrar to change them."
        )));
    }
    let roster: Vec<Uuid> = sqlx::query_scalar!(
        "SELECT student_id FROM enrollments WHERE section_id = $1 AND status = 'enrolled'",
        session.section
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut errors = Vec::new();
    for (i, m) in marks.iter().enumerate() {
        if !["present", "absent", "late", "excused"].contains(&m.status.as_str()) {
            errors.push(FieldError::new(
                format!("marks[{i}].status"),
                "must be present, absent, late or excused",
            ));
        }
        if !roster.contains(&m.student_id) {
            errors.push(FieldError::new(
                format!("marks[{i}].student_id"),
                "this student is not enrolled in the section",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let students: Vec<Uuid> = marks.iter().map(|m| m.student_id).collect();
    let statuses: Vec<String> = marks.iter().map(|m| m.status.clone()).collect();
    sqlx::query!("INSERT INTO attendance (college_id, session_id, student_id, status, marked_by) \
         SELECT app_current_college(), $1, s, st, $4 FROM unnest($2::uuid[], $3::text[]) AS t(s, st) \
         ON CONFLICT (college_id, session_id, student_id) DO UPDATE \
           SET status = excluded.status, marked_by = excluded.marked_by, marked_at = now() \
           WHERE attendance.status IS DISTINCT FROM excluded.status", session_id, &students, &statuses, grant.user_id)
    .execute(&mut *conn)
    .await?;
    // Only a student marked absent now can have fallen under the threshold.
    let absentees: Vec<Uuid> = marks
        .iter()
        .filter(|m| m.status == "absent")
        .map(|m| m.student_id)
        .collect();
    if !absentees.is_empty() {
        alert_low_attendance(conn, session.section, &absentees).await?;
    }
    crate::live::publish(conn, &format!("session:{session_id}")).await?;
    let absent = marks.iter().filter(|m| m.status == "absent").count();
    audit::record(
        conn,
        context,
        Entry::new("attendance.marked")
            .object("class_session", session_id)
            .after(serde_json::json!({
                "marked": marks.len(), "absent": absent, "late_edit": !session.editable_by_teacher,
            })),
    )
    .await?;
    Ok(marks.len())
}

/// Mails students of `section` whose attendance fell below the college's threshold, and
/// their guardians and their advisor; at most once a week per student and course.
async fn alert_low_attendance(
    conn: &mut PgConnection,
    section: Uuid,
    students: &[Uuid],
) -> Result<(), AppError> {
    // The absentees' running counts (kept by the database with the marks): this runs on
    // every marking, and its cost must not grow with the sessions held so far.
    let low: Vec<(Uuid, f64, i16)> = sqlx::query!(
        "SELECT x.student_id, (100.0 * x.attended / x.marked)::float8 AS \"percent!\", t.threshold \
         FROM attendance_tallies x \
         CROSS JOIN (SELECT attendance_threshold AS threshold FROM colleges \
                     WHERE id = app_current_college()) t \
         WHERE x.section_id = $1 AND x.student_id = ANY($2) AND x.marked > 0 \
           AND 100.0 * x.attended / x.marked < t.threshold \
           AND NOT EXISTS (SELECT 1 FROM attendance_alerts y WHERE y.student_id = x.student_id \
               AND y.section_id = $1 AND y.sent_at > now() - interval '7 days')",
        section,
        students
    )
    .fetch_all(&mut *conn)
    .await
    .map(|v| {
        v.into_iter()
            .map(|r| (r.student_id, r.percent, r.threshold))
            .collect::<Vec<_>>()
    })?;
    if low.is_empty() {
        return Ok(());
    }
    let course: String = sqlx::query_scalar!(
        "SELECT c.code FROM sections s JOIN courses c ON c.college_id = s.college_id \
         AND c.id = s.course_id WHERE s.id = $1",
        section
    )
    .fetch_one(&mut *conn)
    .await?;
    for (student, percent, threshold) in low {
        let recipients: Vec<(String, String)> = sqlx::query!("SELECT coalesce(st.email::text, u.email::text) AS \"email!\", st.first_name AS \"first_name!\" FROM students st \
               LEFT JOIN users u ON u.college_id = st.college_id AND u.id = st.user_id WHERE st.id = $1 \
             UNION ALL \
             SELECT g.email::text, g.first_name FROM student_guardians l \
               JOIN guardians g ON g.college_id = l.college_id AND g.id = l.guardian_id \
             WHERE l.student_id = $1 AND g.email IS NOT NULL \
             UNION ALL \
             SELECT coalesce(sf.email::text, u.email::text), sf.first_name FROM students st \
               JOIN staff sf ON sf.college_id = st.college_id AND sf.id = st.advisor_staff_id \
               LEFT JOIN users u ON u.college_id = sf.college_id AND u.id = sf.user_id \
             WHERE st.id = $1 AND coalesce(sf.email::text, u.email::text) IS NOT NULL", student)
        .fetch_all(&mut *conn)
        .await.map(|v| v.into_iter().map(|r| (r.email, r.first_name)).collect::<Vec<_>>())?;
        for (email, name) in recipients {
            let body = format!(
                "Hello {name},\n\nAttendance in {course} is now {percent:.1}%, below the college's minimum of {threshold}%.\n"
            );
            crate::mail::queue(
                conn,
                &email,
                &format!("Attendance in {course} is below {threshold}%"),
                &body,
            )
            .await?;
        }
        sqlx::query!("INSERT INTO attendance_alerts (college_id, student_id, section_id, percent) VALUES (app_current_college(), $1, $2, $3::float8::numeric)", student, section, percent)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
