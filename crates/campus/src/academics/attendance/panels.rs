//! What the dashboard shows of attendance: a teacher's sessions of today, with how many
//! marks each has.

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
