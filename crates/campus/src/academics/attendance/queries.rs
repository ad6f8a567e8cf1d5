//! Attendance queries: class sessions (added one by one or generated from the
//! timetable), a session's roster and marks, attendance per course for a student and
//! for a guardian's children, and a section's attendance per session.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::academics::attendance::model::{
    ChildAttendance, CourseAttendance, EDIT_DAYS, GenerateInput, MeetingToday, NewSessionInput,
    RosterLine, Session, SessionAttendance, SessionLine,
};
use crate::academics::timetable::model::{parse_time, show_time};
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

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
                "must be a date such as 2026-11-25 (year, month, day)",
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
    if let Some((kind, name)) =
        crate::institution::calendar::entries::suspended(conn, held_on).await?
    {
        return Err(AppError::Validation(vec![FieldError::new(
            "held_on",
            format!(
                "is in the {} {name} of the college calendar: no classes are held then",
                crate::web::words::label(&kind).to_lowercase()
            ),
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

/// A meeting of the section's timetable held today (its weekday, in a running term): its
/// times and today's date, with today's session of it when it exists already.
pub async fn meeting_today(
    conn: &mut PgConnection,
    section: Uuid,
    meeting: Uuid,
) -> Result<Option<MeetingToday>, sqlx::Error> {
    sqlx::query_as!(
        MeetingToday,
        r#"SELECT c.code || ' ' || s.code AS "label!", m.start_minute, m.end_minute, current_date AS "today!",
            (SELECT cs.id FROM class_sessions cs WHERE cs.college_id = m.college_id AND cs.section_id = m.section_id
               AND cs.held_on = current_date AND cs.start_minute = m.start_minute) AS "session?"
         FROM section_meetings m
         JOIN sections s ON s.college_id = m.college_id AND s.id = m.section_id
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
         JOIN terms t ON t.college_id = m.college_id AND t.id = m.term_id
          AND current_date BETWEEN t.starts_on AND t.ends_on
         WHERE m.id = $1 AND m.section_id = $2 AND m.weekday = extract(isodow FROM current_date)
           AND NOT EXISTS (SELECT 1 FROM calendar_entries e WHERE e.college_id = m.college_id
                 AND e.kind IN ('holiday', 'exam_period') AND daterange(e.starts_on, e.ends_on, '[]') @> current_date)"#,
        meeting,
        section
    )
    .fetch_optional(conn)
    .await
}

pub async fn session(conn: &mut PgConnection, id: Uuid) -> Result<Option<Session>, sqlx::Error> {
    let row: Option<(Uuid, String, time::Date, i32, i32, bool)> = sqlx::query!("SELECT s.id, c.code || ' ' || s.code AS \"label!\", cs.held_on, cs.start_minute, cs.end_minute, cs.held_on >= current_date - $2::int4 AS \"editable!\" \
         FROM class_sessions cs JOIN sections s ON s.college_id = cs.college_id AND s.id = cs.section_id \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id WHERE cs.id = $1", id, EDIT_DAYS)
    .fetch_optional(conn)
    .await.map(|o| o.map(|r| (r.id, r.label, r.held_on, r.start_minute, r.end_minute, r.editable)))?;
    Ok(
        row.map(|(section, name, on, start, end, editable)| Session {
            section,
            label: format!(
                "{name}, {}, {}–{}",
                crate::web::time::day(on),
                show_time(start),
                show_time(end)
            ),
            editable_by_teacher: editable,
        }),
    )
}

pub async fn roster(
    conn: &mut PgConnection,
    session: Uuid,
    section: Uuid,
) -> Result<Vec<RosterLine>, sqlx::Error> {
    sqlx::query_as!(RosterLine, "SELECT st.id AS student_id, st.student_number, st.first_name || ' ' || st.last_name AS \"name!\", a.status AS \"status?\" \
         FROM enrollments e JOIN students st ON st.college_id = e.college_id AND st.id = e.student_id \
         LEFT JOIN attendance a ON a.college_id = e.college_id AND a.session_id = $1 AND a.student_id = st.id \
         WHERE e.section_id = $2 AND e.status = 'enrolled' ORDER BY st.last_name, st.first_name", session, section)
    .fetch_all(conn)
    .await
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
         FROM section_meetings m JOIN terms t ON t.college_id = m.college_id AND t.id = m.term_id, \
              generate_series($2::date, $3::date, interval '1 day') AS d \
         WHERE m.section_id = $1 AND extract(isodow FROM d) = m.weekday \
           AND d::date BETWEEN t.starts_on AND t.ends_on \
           AND NOT EXISTS (SELECT 1 FROM calendar_entries e WHERE e.college_id = m.college_id \
                 AND e.kind IN ('holiday', 'exam_period') AND daterange(e.starts_on, e.ends_on, '[]') @> d::date) \
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

/// A guardian's children with their attendance per course.
pub async fn of_guardian_user(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Vec<ChildAttendance>, sqlx::Error> {
    let children: Vec<(Uuid, String)> = sqlx::query!(
        "SELECT st.id, st.first_name || ' ' || st.last_name AS \"name!\" FROM guardians g \
         JOIN student_guardians l ON l.college_id = g.college_id AND l.guardian_id = g.id \
         JOIN students st ON st.college_id = l.college_id AND st.id = l.student_id \
         WHERE g.user_id = $1 ORDER BY 2",
        user
    )
    .fetch_all(&mut *conn)
    .await
    .map(|v| v.into_iter().map(|r| (r.id, r.name)).collect::<Vec<_>>())?;
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

/// A section's latest sessions (forty at most), with how many students are marked in
/// each.
pub async fn sessions_of_section(
    conn: &mut PgConnection,
    section: Uuid,
) -> Result<Vec<SessionLine>, sqlx::Error> {
    sqlx::query_as!(SessionLine, "SELECT cs.id, cs.held_on, cs.start_minute, (SELECT count(*) FROM attendance a WHERE a.college_id = cs.college_id AND a.session_id = cs.id) AS \"marked!\" \
         FROM class_sessions cs WHERE cs.section_id = $1 ORDER BY cs.held_on DESC, cs.start_minute LIMIT 40", section)
    .fetch_all(conn)
    .await
}

/// A section's marked sessions in time order, each with how many students are marked
/// and how many of them were present or late (its attendance over the term).
pub async fn attendance_by_session(
    conn: &mut PgConnection,
    section: Uuid,
) -> Result<Vec<SessionAttendance>, sqlx::Error> {
    sqlx::query_as!(
        SessionAttendance,
        "SELECT cs.held_on, cs.start_minute, count(*) AS \"marked!\", \
            count(*) FILTER (WHERE a.status IN ('present', 'late')) AS \"attended!\" \
         FROM class_sessions cs JOIN attendance a ON a.college_id = cs.college_id AND a.session_id = cs.id \
         WHERE cs.section_id = $1 GROUP BY cs.id, cs.held_on, cs.start_minute \
         ORDER BY cs.held_on, cs.start_minute",
        section
    )
    .fetch_all(conn)
    .await
}

/// The marks saved for a session, by student.
pub async fn session_marks(
    conn: &mut PgConnection,
    session: Uuid,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query!(
        "SELECT student_id, status FROM attendance WHERE session_id = $1",
        session
    )
    .fetch_all(conn)
    .await
    .map(|v| {
        v.into_iter()
            .map(|r| (r.student_id, r.status))
            .collect::<Vec<_>>()
    })
}

/// Who saved a session's marks last, and when.
pub async fn last_marked(
    conn: &mut PgConnection,
    session: Uuid,
) -> Result<Option<(String, time::OffsetDateTime)>, sqlx::Error> {
    sqlx::query!(
        "SELECT coalesce(u.display_name, 'someone') AS \"marked_by!\", a.marked_at FROM attendance a \
         LEFT JOIN users u ON u.college_id = a.college_id AND u.id = a.marked_by \
         WHERE a.session_id = $1 ORDER BY a.marked_at DESC LIMIT 1",
        session
    )
    .fetch_optional(conn)
    .await
    .map(|o| o.map(|r| (r.marked_by, r.marked_at)))
}
