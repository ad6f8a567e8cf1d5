//! What the dashboard shows of attendance: a teacher's classes and sessions of today,
//! with how many marks each has; the students whose attendance fell under the college's
//! minimum lately; and the college's attendance of the last 30 days.

use sqlx::PgConnection;
use uuid::Uuid;

pub struct SessionToMark {
    pub id: Uuid,
    /// Course, section and start time, e.g. "CS101 A, 09:00".
    pub label: String,
    pub marked: i64,
}

pub async fn today_for_teacher(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Vec<SessionToMark>, sqlx::Error> {
    sqlx::query_as!(
        SessionToMark,
        r#"SELECT cs.id, c.code || ' ' || s.code || ', ' || lpad((cs.start_minute / 60)::text, 2, '0') || ':'
                || lpad((cs.start_minute % 60)::text, 2, '0') AS "label!",
            (SELECT count(*) FROM attendance a WHERE a.college_id = cs.college_id AND a.session_id = cs.id) AS "marked!"
         FROM class_sessions cs JOIN sections s ON s.college_id = cs.college_id AND s.id = cs.section_id
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
         JOIN section_teachers x ON x.college_id = s.college_id AND x.section_id = s.id
         JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id AND st.user_id = $1
         WHERE cs.held_on = current_date ORDER BY cs.start_minute"#,
        user
    )
    .fetch_all(conn)
    .await
}

/// A class of today from the timetable: a meeting of a section the teacher teaches, on
/// today's weekday in a running term, with today's session of it once it exists.
pub struct TodayClass {
    pub section_id: Uuid,
    pub meeting_id: Uuid,
    /// Course and section, e.g. "CS101 A".
    pub label: String,
    pub start_minute: i32,
    pub end_minute: i32,
    pub room: Option<String>,
    /// Today's session of this meeting (same section, day and start), when created.
    pub session_id: Option<Uuid>,
    /// Students marked in that session.
    pub marked: i64,
    /// Students enrolled in the section.
    pub enrolled: i32,
}

impl TodayClass {
    /// "09:00–10:30".
    pub fn hours(&self) -> String {
        format!(
            "{}–{}",
            crate::academics::timetable::model::show_time(self.start_minute),
            crate::academics::timetable::model::show_time(self.end_minute)
        )
    }
}

/// The teacher's classes of today from the timetable, earliest first.
pub async fn classes_today(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Vec<TodayClass>, sqlx::Error> {
    sqlx::query_as!(
        TodayClass,
        r#"SELECT s.id AS section_id, m.id AS meeting_id, c.code || ' ' || s.code AS "label!",
            m.start_minute, m.end_minute, r.code AS "room?", cs.id AS "session_id?",
            (SELECT count(*) FROM attendance a WHERE a.college_id = cs.college_id AND a.session_id = cs.id) AS "marked!",
            s.enrolled
         FROM section_meetings m
         JOIN sections s ON s.college_id = m.college_id AND s.id = m.section_id
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id
          AND current_date BETWEEN t.starts_on AND t.ends_on
         LEFT JOIN rooms r ON r.college_id = m.college_id AND r.id = m.room_id
         LEFT JOIN class_sessions cs ON cs.college_id = m.college_id AND cs.section_id = m.section_id
          AND cs.held_on = current_date AND cs.start_minute = m.start_minute
         WHERE m.weekday = extract(isodow FROM current_date)
           AND EXISTS (SELECT 1 FROM section_teachers x JOIN staff st ON st.college_id = x.college_id
                 AND st.id = x.staff_id AND st.user_id = $1
               WHERE x.college_id = s.college_id AND x.section_id = s.id)
         ORDER BY m.start_minute, 3"#,
        user
    )
    .fetch_all(conn)
    .await
}

/// A student whose attendance fell under the college's minimum lately.
pub struct LowAttendance {
    pub student_id: Uuid,
    pub name: String,
    pub student_number: String,
    /// The course of the latest alert, e.g. "CS101".
    pub course: String,
    /// Attendance in that course when the alert was sent.
    pub percent: f64,
    pub alerted_at: time::OffsetDateTime,
}

/// Students alerted for attendance under the minimum in the last 30 days (each once,
/// with their latest alert), the latest first; ten at most.
pub async fn low_attendance(conn: &mut PgConnection) -> Result<Vec<LowAttendance>, sqlx::Error> {
    sqlx::query_as!(
        LowAttendance,
        r#"SELECT x.student_id AS "student_id!", x.name AS "name!", x.student_number AS "student_number!",
            x.course AS "course!", x.percent AS "percent!", x.sent_at AS "alerted_at!"
         FROM (SELECT DISTINCT ON (y.student_id) y.student_id, st.first_name || ' ' || st.last_name AS name,
                 st.student_number, c.code AS course, y.percent::float8 AS percent, y.sent_at
               FROM attendance_alerts y
               JOIN students st ON st.college_id = y.college_id AND st.id = y.student_id
               JOIN sections s ON s.college_id = y.college_id AND s.id = y.section_id
               JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
               WHERE y.sent_at > now() - interval '30 days'
               ORDER BY y.student_id, y.sent_at DESC) x
         ORDER BY x.sent_at DESC, x.name LIMIT 10"#
    )
    .fetch_all(conn)
    .await
}

/// The college's attendance of the last 30 days: marks of present or late, of all marks.
pub struct Overview {
    pub attended: i64,
    pub marked: i64,
}

impl Overview {
    /// Present or late, in percent (one decimal); `None` before any mark.
    pub fn percent(&self) -> Option<f64> {
        if self.marked == 0 {
            return None;
        }
        Some((1000.0 * self.attended as f64 / self.marked as f64).round() / 10.0)
    }
}

pub async fn overview(conn: &mut PgConnection) -> Result<Overview, sqlx::Error> {
    sqlx::query_as!(
        Overview,
        r#"SELECT count(*) FILTER (WHERE a.status IN ('present', 'late')) AS "attended!",
            count(*) AS "marked!"
         FROM class_sessions cs JOIN attendance a ON a.college_id = cs.college_id AND a.session_id = cs.id
         WHERE cs.held_on > current_date - 30 AND cs.held_on <= current_date"#
    )
    .fetch_one(conn)
    .await
}

/// The college's minimum attendance, in percent.
pub async fn threshold(conn: &mut PgConnection) -> Result<i16, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT attendance_threshold FROM colleges WHERE id = app_current_college()"
    )
    .fetch_one(conn)
    .await
}

/// Attendance per course as a chart against the college's minimum; `None` before any
/// session is marked.
pub fn chart(
    title: &str,
    courses: &[crate::academics::attendance::model::CourseAttendance],
    threshold: i16,
) -> Option<String> {
    let bars: Vec<crate::web::chart::Bar> = courses
        .iter()
        .filter_map(|c| {
            c.percent.map(|p| crate::web::chart::Bar {
                label: c.course_code.clone(),
                percent: p,
                note: format!("{p}% ({} of {})", c.attended, c.sessions),
            })
        })
        .collect();
    (!bars.is_empty())
        .then(|| crate::web::chart::percent_bars(title, &bars, Some(f64::from(threshold))))
}
