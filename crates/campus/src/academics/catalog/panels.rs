//! What the dashboard shows of the catalog and registration: sections that are full or
//! have a waitlist, a teacher's sections, and how far registration has come this term.

use sqlx::PgConnection;
use uuid::Uuid;

/// A section of a current or coming term with its seats.
pub struct SectionSeats {
    pub id: Uuid,
    pub course_code: String,
    pub section: String,
    pub enrolled: i32,
    pub capacity: i32,
    pub waitlisted: i64,
}

/// How far registration has come in the current terms.
pub struct RegistrationProgress {
    /// Students registered in at least one section.
    pub registered: i64,
    /// Enrolled students of the college.
    pub students: i64,
    pub seats_taken: i64,
    pub seats: i64,
}

/// Sections of current and coming terms that are full or have students waiting, the
/// longest waitlist first.
pub async fn full_or_waitlisted(conn: &mut PgConnection) -> Result<Vec<SectionSeats>, sqlx::Error> {
    sqlx::query_as!(
        SectionSeats,
        r#"SELECT s.id, c.code AS course_code, s.code AS section, s.enrolled, s.capacity,
            (SELECT count(*) FROM enrollments e WHERE e.college_id = s.college_id
               AND e.section_id = s.id AND e.status = 'waitlisted') AS "waitlisted!"
         FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id AND t.ends_on >= current_date
         WHERE s.enrolled >= s.capacity OR EXISTS (SELECT 1 FROM enrollments e
           WHERE e.college_id = s.college_id AND e.section_id = s.id AND e.status = 'waitlisted')
         ORDER BY 6 DESC, c.code LIMIT 12"#
    )
    .fetch_all(conn)
    .await
}

/// The sections of current and coming terms the staff member `user` teaches.
pub async fn taught_by(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Vec<SectionSeats>, sqlx::Error> {
    sqlx::query_as!(
        SectionSeats,
        r#"SELECT s.id, c.code AS course_code, s.code AS section, s.enrolled, s.capacity,
            (SELECT count(*) FROM enrollments e WHERE e.college_id = s.college_id
               AND e.section_id = s.id AND e.status = 'waitlisted') AS "waitlisted!"
         FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id AND t.ends_on >= current_date
         JOIN section_teachers x ON x.college_id = s.college_id AND x.section_id = s.id
         JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id AND st.user_id = $1
         ORDER BY c.code, s.code"#,
        user
    )
    .fetch_all(conn)
    .await
}

pub async fn progress(conn: &mut PgConnection) -> Result<RegistrationProgress, sqlx::Error> {
    sqlx::query_as!(
        RegistrationProgress,
        r#"SELECT (SELECT count(*) FROM term_students ts
                 JOIN terms t ON t.college_id = ts.college_id AND t.id = ts.term_id
                 WHERE ts.sections > 0 AND current_date BETWEEN t.starts_on AND t.ends_on) AS "registered!",
               (SELECT coalesce(sum(students), 0)::int8 FROM student_counts WHERE status = 'enrolled') AS "students!",
               coalesce(sum(s.enrolled), 0)::int8 AS "seats_taken!", coalesce(sum(s.capacity), 0)::int8 AS "seats!"
         FROM sections s JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id
         WHERE current_date BETWEEN t.starts_on AND t.ends_on"#
    )
    .fetch_one(conn)
    .await
}
