//! Attendance: class sessions and their marks. A teacher marks the sections they teach
//! (own sections); registrars and admins any section. A whole session is marked in one
//! request; marks older than two days need a college-wide grant to change. Students and
//! parents see percentages per course.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::academics::timetable::{parse_time, show_time};
use crate::access::permissions::Scope;
use crate::access::principal::Grant;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

/// Days after a session during which its own teacher may still change the marks.
pub const EDIT_DAYS: i32 = 2;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewSessionInput {
    /// e.g. `2026-11-25`.
    pub held_on: String,
    pub starts: String,
    pub ends: String,
}

pub async fn add_session(
    conn: &mut PgConnection,
    context: &AuditContext,
    section: Uuid,
    input: &NewSessionInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let held_on = time::Date::parse(input.held_on.trim(), &format)
        .map_err(|_| {
            errors.push(FieldError::new(
                "held_on",
                "must be a date such as 2026-11-25",
            ))
        })
        .ok();
    let start = parse_time("starts", &input.starts)
        .map_err(|e| errors.push(e))
        .ok();
    let end = parse_time("ends", &input.ends)
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(held_on), Some(start), Some(end)) = (held_on, start, end) else {
        return Err(AppError::Validation(errors));
    };
    if start >= end {
        return Err(AppError::Validation(vec![FieldError::new(
            "ends",
            "must be after the start",
        )]));
    }
    let id: Option<Uuid> = sqlx::query_scalar!("INSERT INTO class_sessions (college_id, section_id, held_on, start_minute, end_minute) \
         VALUES (app_current_college(), $1, $2, $3, $4) ON CONFLICT ON CONSTRAINT class_sessions_unique DO NOTHING RETURNING id", section, held_on, start, end)
    .fetch_optional(&mut *conn)
    .await?;
    let id = id.ok_or_else(|| {
        AppError::Validation(vec![FieldError::new(
            "starts",
            "this section already has a session at that time",
        )])
    })?;
    audit::record(conn, context, Entry::new("attendance.session_added").object("class_session", id).after(serde_json::json!({
        "section_id": section, "held_on": input.held_on, "starts": input.starts, "ends": input.ends,
    }))).await?;
    Ok(id)
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct RosterLine {
    pub student_id: Uuid,
    pub student_number: String,
    pub name: String,
    /// The recorded mark, if the session was marked.
    pub status: Option<String>,
}

pub struct Session {
    pub section: Uuid,
    pub label: String,
    pub editable_by_teacher: bool,
}

pub async fn session(conn: &mut PgConnection, id: Uuid) -> Result<Option<Session>, sqlx::Error> {
    let row: Option<(Uuid, String, time::Date, i32, i32, bool)> = sqlx::query_as(
        "SELECT s.id, c.code || ' ' || s.code, cs.held_on, cs.start_minute, cs.end_minute, cs.held_on >= current_date - $2 \
         FROM class_sessions cs JOIN sections s ON s.college_id = cs.college_id AND s.id = cs.section_id \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id WHERE cs.id = $1",
    )
    .bind(id)
    .bind(EDIT_DAYS)
    .fetch_optional(conn)
    .await?;
    Ok(
        row.map(|(section, name, on, start, end, editable)| Session {
            section,
            label: format!("{name}, {on} {}–{}", show_time(start), show_time(end)),
            editable_by_teacher: editable,
        }),
    )
}

pub async fn roster(
    conn: &mut PgConnection,
    session: Uuid,
    section: Uuid,
) -> Result<Vec<RosterLine>, sqlx::Error> {
    sqlx::query_as(
        "SELECT st.id AS student_id, st.student_number, st.first_name || ' ' || st.last_name AS name, a.status \
         FROM enrollments e JOIN students st ON st.college_id = e.college_id AND st.id = e.student_id \
         LEFT JOIN attendance a ON a.college_id = e.college_id AND a.session_id = $1 AND a.student_id = st.id \
         WHERE e.section_id = $2 AND e.status = 'enrolled' ORDER BY st.last_name, st.first_name",
    )
    .bind(session)
    .bind(section)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Mark {
    pub student_id: Uuid,
    /// `present`, `absent`, `late` or `excused`.
    pub status: String,
}

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

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CourseAttendance {
    pub course_code: String,
    pub sessions: i64,
    pub attended: i64,
    /// Present or late, out of sessions marked; `null` before any is marked.
    pub percent: Option<f64>,
}

pub async fn of_student(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Vec<CourseAttendance>, sqlx::Error> {
    sqlx::query_as(
        // Per section, its sessions by their index and the student's mark in each by
        // primary key: a few dozen lookups, where joining all the student's marks to
        // every session of the college read the whole sessions table.
        "SELECT c.code AS course_code, x.sessions, x.attended, \
            round(100.0 * x.attended / nullif(x.sessions, 0), 1)::float8 AS percent \
         FROM enrollments e JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         CROSS JOIN LATERAL (SELECT count(a.status) AS sessions, \
                       count(*) FILTER (WHERE a.status IN ('present', 'late')) AS attended \
                    FROM class_sessions cs JOIN attendance a ON a.college_id = cs.college_id \
                      AND a.session_id = cs.id AND a.student_id = e.student_id \
                    WHERE cs.college_id = e.college_id AND cs.section_id = e.section_id) x \
         WHERE e.student_id = $1 AND e.status = 'enrolled' ORDER BY c.code",
    )
    .bind(student)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct GenerateInput {
    /// First day, e.g. `2026-11-23`.
    pub from: String,
    /// Last day (at most 200 days after `from`).
    pub to: String,
}

/// Creates a session for every meeting of the section's timetable between two dates
/// (existing ones are kept); returns how many were added.
pub async fn generate(
    conn: &mut PgConnection,
    context: &AuditContext,
    section: Uuid,
    input: &GenerateInput,
) -> Result<u64, AppError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let mut errors = Vec::new();
    let from = time::Date::parse(input.from.trim(), &format)
        .map_err(|_| errors.push(FieldError::new("from", "must be a date such as 2026-11-23")))
        .ok();
    let to = time::Date::parse(input.to.trim(), &format)
        .map_err(|_| errors.push(FieldError::new("to", "must be a date such as 2026-12-18")))
        .ok();
    let (Some(from), Some(to)) = (from, to) else {
        return Err(AppError::Validation(errors));
    };
    if to < from || (to - from).whole_days() > 200 {
        return Err(AppError::Validation(vec![FieldError::new(
            "to",
            "must be on or after `from`, at most 200 days later",
        )]));
    }
    let added = sqlx::query!(
        "INSERT INTO class_sessions (college_id, section_id, held_on, start_minute, end_minute) \
         SELECT app_current_college(), m.section_id, d::date, m.start_minute, m.end_minute \
         FROM section_meetings m, generate_series($2::date, $3::date, interval '1 day') AS d \
         WHERE m.section_id = $1 AND extract(isodow FROM d) = m.weekday \
         ON CONFLICT ON CONSTRAINT class_sessions_unique DO NOTHING",
        section,
        from,
        to
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    audit::record(
        conn,
        context,
        Entry::new("attendance.sessions_generated")
            .object("section", section)
            .after(serde_json::json!({
                "from": input.from, "to": input.to, "added": added,
            })),
    )
    .await?;
    Ok(added)
}

/// Mails students of `section` whose attendance fell below the college's threshold, and
/// their guardians and their advisor; at most once a week per student and course.
async fn alert_low_attendance(
    conn: &mut PgConnection,
    section: Uuid,
    students: &[Uuid],
) -> Result<(), AppError> {
    // The section's sessions by primary key, the absentees' marks in them only: this runs
    // on every marking, and a student rarely crosses the line.
    let low: Vec<(Uuid, f64, i16)> = sqlx::query_as(
        "SELECT x.student_id, x.percent, t.threshold FROM ( \
             SELECT a.student_id, \
                 (100.0 * count(*) FILTER (WHERE a.status IN ('present', 'late')) / count(*))::float8 AS percent \
             FROM class_sessions cs JOIN attendance a ON a.college_id = cs.college_id \
                 AND a.session_id = cs.id AND a.student_id = ANY($2) \
             WHERE cs.section_id = $1 GROUP BY a.student_id) x \
         CROSS JOIN (SELECT attendance_threshold AS threshold FROM colleges \
                     WHERE id = app_current_college()) t \
         WHERE x.percent < t.threshold \
           AND NOT EXISTS (SELECT 1 FROM attendance_alerts y WHERE y.student_id = x.student_id \
               AND y.section_id = $1 AND y.sent_at > now() - interval '7 days')",
    )
    .bind(section)
    .bind(students)
    .fetch_all(&mut *conn)
    .await?;
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
        let recipients: Vec<(String, String)> = sqlx::query_as(
            "SELECT coalesce(st.email::text, u.email::text), st.first_name FROM students st \
               LEFT JOIN users u ON u.college_id = st.college_id AND u.id = st.user_id WHERE st.id = $1 \
             UNION ALL \
             SELECT g.email::text, g.first_name FROM student_guardians l \
               JOIN guardians g ON g.college_id = l.college_id AND g.id = l.guardian_id \
             WHERE l.student_id = $1 AND g.email IS NOT NULL \
             UNION ALL \
             SELECT coalesce(sf.email::text, u.email::text), sf.first_name FROM students st \
               JOIN staff sf ON sf.college_id = st.college_id AND sf.id = st.advisor_staff_id \
               LEFT JOIN users u ON u.college_id = sf.college_id AND u.id = sf.user_id \
             WHERE st.id = $1 AND coalesce(sf.email::text, u.email::text) IS NOT NULL",
        )
        .bind(student)
        .fetch_all(&mut *conn)
        .await?;
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

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChildAttendance {
    pub student_id: Uuid,
    pub name: String,
    pub courses: Vec<CourseAttendance>,
}

/// A guardian's children with their attendance per course.
pub async fn of_guardian_user(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Vec<ChildAttendance>, sqlx::Error> {
    let children: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT st.id, st.first_name || ' ' || st.last_name FROM guardians g \
         JOIN student_guardians l ON l.college_id = g.college_id AND l.guardian_id = g.id \
         JOIN students st ON st.college_id = l.college_id AND st.id = l.student_id \
         WHERE g.user_id = $1 ORDER BY 2",
    )
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for (student_id, name) in children {
        let courses = of_student(conn, student_id).await?;
        out.push(ChildAttendance {
            student_id,
            name,
            courses,
        });
    }
    Ok(out)
}
