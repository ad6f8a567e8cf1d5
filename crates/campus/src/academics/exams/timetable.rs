//! The exam timetable: a term's sittings for a program's students, a student, a room or
//! an invigilator; and a student's own papers with their seats.

use serde::Serialize;
use sqlx::PgConnection;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::academics::exams::model::Sitting;
use crate::academics::exams::sittings;

/// Whose papers (each ignored when absent).
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    pub program: Option<Uuid>,
    pub student: Option<Uuid>,
    pub room: Option<Uuid>,
    pub invigilator: Option<Uuid>,
}

/// The current term, else the latest to have begun.
pub async fn current_term(conn: &mut PgConnection) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM terms ORDER BY is_current DESC, (starts_on <= current_date) DESC, starts_on DESC LIMIT 1"
    )
    .fetch_optional(conn)
    .await
}

/// A term's sittings narrowed by `filter`, earliest first.
pub async fn sittings(
    conn: &mut PgConnection,
    term: Uuid,
    filter: &Filter,
) -> Result<Vec<Sitting>, sqlx::Error> {
    let all = sittings::of_term(conn, term).await?;
    let sections: Option<Vec<Uuid>> = if filter.program.is_some() || filter.student.is_some() {
        Some(
            sqlx::query_scalar!(
                "SELECT DISTINCT e.section_id FROM enrollments e \
                 JOIN students st ON st.college_id = e.college_id AND st.id = e.student_id \
                 JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id AND s.term_id = $3 \
                 WHERE e.status = 'enrolled' AND ($1::uuid IS NULL OR st.program_id = $1) \
                   AND ($2::uuid IS NULL OR st.id = $2)",
                filter.program,
                filter.student,
                term
            )
            .fetch_all(conn)
            .await?,
        )
    } else {
        None
    };
    Ok(all
        .into_iter()
        .filter(|s| {
            sections
                .as_ref()
                .is_none_or(|ids| ids.contains(&s.section_id))
        })
        .filter(|s| {
            filter
                .room
                .is_none_or(|room| s.rooms.iter().any(|r| r.room_id == room))
        })
        .filter(|s| {
            filter
                .invigilator
                .is_none_or(|staff| s.invigilators.iter().any(|i| i.staff_id == staff))
        })
        .collect())
}

/// A paper a student sits, with their seat once the plan is made.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MyExamPaper)]
pub struct MyPaper {
    pub sitting_id: Uuid,
    pub course_code: String,
    pub course_title: String,
    pub paper: String,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    pub room: Option<String>,
    pub seat: Option<i32>,
}

/// A student's papers of terms not yet over, earliest first.
pub async fn of_student(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Vec<MyPaper>, sqlx::Error> {
    sqlx::query_as!(
        MyPaper,
        r#"SELECT x.id AS sitting_id, c.code AS course_code, c.title AS course_title, a.name AS paper,
                  x.starts_at, x.ends_at, r.code AS "room?", e.seat AS "seat?"
           FROM enrollments en
           JOIN exam_sittings x ON x.college_id = en.college_id AND x.section_id = en.section_id
           JOIN terms t ON t.college_id = x.college_id AND t.id = x.term_id AND t.ends_on >= current_date - 30
           JOIN assessments a ON a.college_id = x.college_id AND a.id = x.assessment_id
           JOIN sections s ON s.college_id = x.college_id AND s.id = x.section_id
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           LEFT JOIN exam_seats e ON e.college_id = x.college_id AND e.sitting_id = x.id AND e.student_id = en.student_id
           LEFT JOIN rooms r ON r.college_id = e.college_id AND r.id = e.room_id
           WHERE en.student_id = $1 AND en.status = 'enrolled' ORDER BY x.starts_at, c.code"#,
        student
    )
    .fetch_all(conn)
    .await
}
