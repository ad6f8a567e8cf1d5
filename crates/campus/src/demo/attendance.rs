//! The demo college's attendance: the sessions of the last six weeks of the running term
//! made from the timetable (as a teacher's "Take attendance" makes them), and every
//! enrolled student marked in each, mostly present, now and then late or away; one
//! student in five misses two classes in five and is under the college's minimum, with
//! the alert the marking sends. Bulk statements only: a few thousand marks at most (the
//! demo's sections hold at most 50 students each).

use sqlx::PgConnection;
use uuid::Uuid;

/// How far back the marked sessions go.
const DAYS: i32 = 42;

pub async fn load(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    // The term running today; between terms there is nothing to have marked.
    let term: Option<(Uuid, time::Date)> = sqlx::query!(
        "SELECT id, starts_on FROM terms WHERE current_date BETWEEN starts_on AND ends_on \
         ORDER BY starts_on LIMIT 1"
    )
    .fetch_optional(&mut *conn)
    .await
    .map(|o| o.map(|r| (r.id, r.starts_on)))?;
    let Some((term, starts_on)) = term else {
        return Ok(());
    };
    // Each meeting of a section with students, on its weekday, from six weeks ago (or
    // the term's first day) to yesterday.
    sqlx::query!(
        "INSERT INTO class_sessions (college_id, section_id, held_on, start_minute, end_minute, created_at) \
         SELECT app_current_college(), m.section_id, d::date, m.start_minute, m.end_minute, \
                d::date + make_interval(mins => m.start_minute) \
         FROM section_meetings m JOIN sections s ON s.college_id = m.college_id AND s.id = m.section_id, \
              generate_series(greatest($2::date, current_date - $3::int4), current_date - 1, interval '1 day') AS d \
         WHERE m.term_id = $1 AND s.enrolled > 0 AND extract(isodow FROM d) = m.weekday \
         ON CONFLICT ON CONSTRAINT class_sessions_unique DO NOTHING",
        term,
        starts_on,
        DAYS
    )
    .execute(&mut *conn)
    .await?;
    // The marks, saved by the section's teacher at the end of each class. Students are
    // ranked by number (the highest first); every fifth, from the first, misses the
    // first and third class of every five, the others are away about one class in twenty.
    sqlx::query!(
        "WITH ranked AS ( \
            SELECT st.id, row_number() OVER (ORDER BY st.student_number DESC) AS k FROM students st \
            WHERE EXISTS (SELECT 1 FROM enrollments e JOIN sections s ON s.college_id = e.college_id \
                  AND s.id = e.section_id AND s.term_id = $1 \
                  WHERE e.college_id = st.college_id AND e.student_id = st.id AND e.status = 'enrolled')), \
         held AS ( \
            SELECT cs.id, cs.section_id, cs.held_on, cs.end_minute, \
                   row_number() OVER (PARTITION BY cs.section_id ORDER BY cs.held_on, cs.start_minute) AS n \
            FROM class_sessions cs JOIN sections s ON s.college_id = cs.college_id AND s.id = cs.section_id \
            WHERE s.term_id = $1 AND cs.held_on < current_date), \
         teachers AS ( \
            SELECT DISTINCT ON (x.section_id) x.section_id, sf.user_id FROM section_teachers x \
            JOIN staff sf ON sf.college_id = x.college_id AND sf.id = x.staff_id \
            ORDER BY x.section_id, sf.staff_number) \
         INSERT INTO attendance (college_id, session_id, student_id, status, marked_by, marked_at) \
         SELECT app_current_college(), h.id, e.student_id, \
                CASE WHEN r.k % 5 = 1 THEN (CASE WHEN h.n % 5 IN (1, 3) THEN 'absent' WHEN h.n % 5 = 4 THEN 'late' ELSE 'present' END) \
                     ELSE (CASE abs(hashtext(h.id::text || e.student_id::text)) % 40 \
                             WHEN 0 THEN 'absent' WHEN 1 THEN 'absent' WHEN 2 THEN 'late' WHEN 3 THEN 'late' \
                             WHEN 4 THEN 'excused' ELSE 'present' END) END, \
                t.user_id, h.held_on + make_interval(mins => h.end_minute) \
         FROM held h \
         JOIN enrollments e ON e.college_id = app_current_college() AND e.section_id = h.section_id \
           AND e.status = 'enrolled' \
         JOIN ranked r ON r.id = e.student_id \
         LEFT JOIN teachers t ON t.section_id = h.section_id \
         ON CONFLICT (college_id, session_id, student_id) DO NOTHING",
        term
    )
    .execute(&mut *conn)
    .await?;
    // The alerts the marking sent for those under the minimum, a few days ago.
    sqlx::query!(
        "INSERT INTO attendance_alerts (college_id, student_id, section_id, sent_at, percent) \
         SELECT app_current_college(), x.student_id, x.section_id, now() - interval '3 days', round(x.percent, 1) \
         FROM (SELECT a.student_id, cs.section_id, \
                      100.0 * count(*) FILTER (WHERE a.status IN ('present', 'late')) / count(*) AS percent \
               FROM attendance a JOIN class_sessions cs ON cs.college_id = a.college_id AND cs.id = a.session_id \
               JOIN sections s ON s.college_id = cs.college_id AND s.id = cs.section_id \
               WHERE s.term_id = $1 GROUP BY a.student_id, cs.section_id) x \
         WHERE x.percent < (SELECT attendance_threshold FROM colleges WHERE id = app_current_college())",
        term
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
