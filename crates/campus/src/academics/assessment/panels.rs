//! What the dashboard shows of assessment: a student's latest marks, a teacher's
//! assessments with marks still to enter, results waiting to be published, and the
//! students who failed a course in the last term with published results.

use sqlx::PgConnection;
use uuid::Uuid;

pub struct RecentMark {
    pub course_code: String,
    pub assessment: String,
    pub score: f64,
    pub max_marks: f64,
}

/// The student's five latest marks, newest first.
pub async fn latest_marks(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Vec<RecentMark>, sqlx::Error> {
    sqlx::query_as!(
        RecentMark,
        r#"SELECT c.code AS course_code, a.name AS assessment, m.score::float8 AS "score!",
            a.max_marks::float8 AS "max_marks!"
         FROM marks m JOIN assessments a ON a.college_id = m.college_id AND a.id = m.assessment_id
         JOIN sections s ON s.college_id = a.college_id AND s.id = a.section_id
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
         WHERE m.student_id = $1 ORDER BY m.entered_at DESC LIMIT 5"#,
        student
    )
    .fetch_all(conn)
    .await
}

/// An assessment of a section the teacher teaches with enrolled students still without a
/// mark.
pub struct MarksMissing {
    pub assessment_id: Uuid,
    /// Course, section and assessment, e.g. "CS101 A: Quiz 1".
    pub label: String,
    pub missing: i64,
}

/// The teacher's assessments in running terms with marks missing, while the section's
/// results are still a draft; an assessment whose assignment is not due yet waits.
pub async fn marks_missing(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Vec<MarksMissing>, sqlx::Error> {
    sqlx::query_as!(
        MarksMissing,
        r#"SELECT x.id AS "assessment_id!", x.label AS "label!", x.missing AS "missing!" FROM (
            SELECT a.id, c.code || ' ' || s.code || ': ' || a.name AS label,
                (SELECT count(*) FROM enrollments e WHERE e.college_id = s.college_id AND e.section_id = s.id
                   AND e.status = 'enrolled' AND NOT EXISTS (SELECT 1 FROM marks m
                     WHERE m.college_id = a.college_id AND m.assessment_id = a.id AND m.student_id = e.student_id)) AS missing
            FROM assessments a
            JOIN sections s ON s.college_id = a.college_id AND s.id = a.section_id AND s.results_status = 'draft'
            JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
            JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id
             AND current_date BETWEEN t.starts_on AND t.ends_on
            WHERE EXISTS (SELECT 1 FROM section_teachers st JOIN staff sf ON sf.college_id = st.college_id
                    AND sf.id = st.staff_id AND sf.user_id = $1
                  WHERE st.college_id = s.college_id AND st.section_id = s.id)
              AND NOT EXISTS (SELECT 1 FROM assignments g WHERE g.college_id = a.college_id
                    AND g.assessment_id = a.id AND g.due_at > now())) x
         WHERE x.missing > 0 ORDER BY x.label LIMIT 12"#,
        user
    )
    .fetch_all(conn)
    .await
}

/// Sections whose results are submitted and wait to be published.
pub async fn results_to_publish(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "v!" FROM sections WHERE results_status = 'submitted'"#
    )
    .fetch_one(conn)
    .await
}

/// A student who failed one or more courses in the last term with published results.
pub struct Failing {
    pub student_id: Uuid,
    pub name: String,
    pub student_number: String,
    /// The courses failed, e.g. "CS101, MA101".
    pub courses: String,
    pub term: String,
}

/// Students with a failing result in the latest term that has published results, by
/// name; ten at most.
pub async fn failing_last_term(conn: &mut PgConnection) -> Result<Vec<Failing>, sqlx::Error> {
    sqlx::query_as!(
        Failing,
        r#"SELECT st.id AS "student_id!", st.first_name || ' ' || st.last_name AS "name!",
            st.student_number AS "student_number!", string_agg(c.code, ', ' ORDER BY c.code) AS "courses!",
            t.name AS "term!"
         FROM results r
         JOIN sections s ON s.college_id = r.college_id AND s.id = r.section_id AND s.results_status = 'published'
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
         JOIN students st ON st.college_id = r.college_id AND st.id = r.student_id
         WHERE NOT r.passed AND s.term_id = (SELECT p.term_id FROM sections p
               JOIN terms pt ON pt.college_id = p.college_id AND pt.id = p.term_id
               WHERE p.results_status = 'published' ORDER BY pt.ends_on DESC LIMIT 1)
         GROUP BY st.id, st.first_name, st.last_name, st.student_number, t.name
         ORDER BY 2 LIMIT 10"#
    )
    .fetch_all(conn)
    .await
}
