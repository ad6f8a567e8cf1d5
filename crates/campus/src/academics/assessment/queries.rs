//! Assessment queries: a section's assessments with weights and maximum marks, and marks
//! entered for a whole assessment at once by the section's teachers. A mark above the
//! maximum, below zero, or for a student not in the section is refused with nothing
//! written. Weights of a section's assessments may not exceed 100%. And the reads of the
//! teaching and results pages.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::academics::assessment::model::{
    AssessmentChoice, AssessmentLine, CourseMarks, GridLine, MarkInput, MissingMark,
    NewAssessmentInput, SectionLine,
};
use crate::academics::assessment::results::ensure_draft;
use crate::access::principal::Grant;
use crate::access::reach::{self, authorize_section};
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

pub async fn create(
    conn: &mut PgConnection,
    grant: &Grant,
    context: &AuditContext,
    section: Uuid,
    input: &NewAssessmentInput,
) -> Result<Uuid, AppError> {
    authorize_section(conn, grant, section).await?;
    ensure_draft(conn, section).await?;
    let mut errors = Vec::new();
    let name = input.name.trim();
    if !(1..=100).contains(&name.chars().count()) {
        errors.push(FieldError::new("name", "must be 1 to 100 characters"));
    }
    if !["exam", "quiz", "assignment", "practical"].contains(&input.kind.as_str()) {
        errors.push(FieldError::new(
            "kind",
            "must be exam, quiz, assignment or practical",
        ));
    }
    if !(input.weight > 0.0 && input.weight <= 100.0) {
        errors.push(FieldError::new(
            "weight",
            "must be more than 0 and at most 100",
        ));
    }
    if !(input.max_marks > 0.0 && input.max_marks <= 10000.0) {
        errors.push(FieldError::new(
            "max_marks",
            "must be more than 0 and at most 10000",
        ));
    }
    let used: f64 = sqlx::query_scalar!(
        "SELECT coalesce(sum(weight), 0)::float8 AS \"v!\" FROM assessments WHERE section_id = $1",
        section
    )
    .fetch_one(&mut *conn)
    .await?;
    if used + input.weight > 100.0 + 1e-9 {
        errors.push(FieldError::new(
            "weight",
            format!(
                "the section's assessments already weigh {used}%; at most {} is left",
                100.0 - used
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let id: Option<Uuid> = sqlx::query_scalar!(
        "INSERT INTO assessments (college_id, section_id, name, kind, weight, max_marks) \
         VALUES (app_current_college(), $1, $2, $3, $4::float8::numeric, $5::float8::numeric) \
         ON CONFLICT ON CONSTRAINT assessments_name_unique DO NOTHING RETURNING id",
        section,
        name,
        &input.kind,
        input.weight,
        input.max_marks
    )
    .fetch_optional(&mut *conn)
    .await?;
    let id = id.ok_or_else(|| {
        AppError::Validation(vec![FieldError::new(
            "name",
            "the section has an assessment with this name",
        )])
    })?;
    audit::record(conn, context, Entry::new("assessment.created").object("assessment", id).after(serde_json::json!({
        "section_id": section, "name": name, "kind": input.kind, "weight": input.weight, "max_marks": input.max_marks,
    }))).await?;
    Ok(id)
}

/// Records an assessment's marks in one go; all valid or nothing written.
pub async fn enter(
    conn: &mut PgConnection,
    grant: &Grant,
    context: &AuditContext,
    assessment: Uuid,
    marks: &[MarkInput],
) -> Result<usize, AppError> {
    let row: Option<(Uuid, f64)> = sqlx::query!(
        "SELECT section_id, max_marks::float8 AS \"max_marks!\" FROM assessments WHERE id = $1",
        assessment
    )
    .fetch_optional(&mut *conn)
    .await
    .map(|o| o.map(|r| (r.section_id, r.max_marks)))?;
    let (section, max) = row.ok_or(AppError::NotFound)?;
    authorize_section(conn, grant, section).await?;
    ensure_draft(conn, section).await?;
    let roster: Vec<Uuid> = sqlx::query_scalar!(
        "SELECT student_id FROM enrollments WHERE section_id = $1 AND status = 'enrolled'",
        section
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut errors = Vec::new();
    for (i, m) in marks.iter().enumerate() {
        if !m.score.is_finite() || m.score < 0.0 || m.score > max {
            errors.push(FieldError::new(
                format!("marks[{i}].score"),
                format!("must be between 0 and {max}"),
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
    let scores: Vec<f64> = marks.iter().map(|m| m.score).collect();
    sqlx::query!("INSERT INTO marks (college_id, assessment_id, student_id, score, entered_by) \
         SELECT app_current_college(), $1, s, sc::numeric, $4 FROM unnest($2::uuid[], $3::float8[]) AS t(s, sc) \
         ON CONFLICT (college_id, assessment_id, student_id) DO UPDATE \
           SET score = excluded.score, entered_by = excluded.entered_by, entered_at = now()", assessment, &students, &scores, grant.user_id)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("assessment.marks_entered")
            .object("assessment", assessment)
            .after(serde_json::json!({
                "marks": marks.len(),
            })),
    )
    .await?;
    Ok(marks.len())
}

/// A student's marks, assessment by assessment.
pub async fn of_student(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Vec<CourseMarks>, sqlx::Error> {
    sqlx::query_as!(CourseMarks, "SELECT c.code AS course_code, a.name AS assessment, a.kind, a.weight::float8 AS \"weight!\", \
            a.max_marks::float8 AS \"max_marks!\", m.score::float8 AS \"score?\" \
         FROM enrollments e JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN assessments a ON a.college_id = s.college_id AND a.section_id = s.id \
         LEFT JOIN marks m ON m.college_id = a.college_id AND m.assessment_id = a.id AND m.student_id = e.student_id \
         WHERE e.student_id = $1 AND e.status = 'enrolled' ORDER BY c.code, a.name", student)
    .fetch_all(conn)
    .await
}

/// A section's heading: course code, section code and course title.
pub async fn section_title(conn: &mut PgConnection, section: Uuid) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("SELECT c.code || ' ' || s.code || ': ' || c.title AS \"v!\" FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id WHERE s.id = $1", section)
    .fetch_one(conn)
    .await
}

/// A section's assessments by name, with their maximum marks.
pub async fn assessment_choices(
    conn: &mut PgConnection,
    section: Uuid,
) -> Result<Vec<AssessmentChoice>, sqlx::Error> {
    sqlx::query_as!(AssessmentChoice, "SELECT id, name, max_marks::float8 AS \"max_marks!\" FROM assessments WHERE section_id = $1 ORDER BY name", section)
    .fetch_all(conn)
    .await
}

/// A section's assessments with how many marks each has, for its teaching page.
pub async fn assessments_of_section(
    conn: &mut PgConnection,
    section: Uuid,
) -> Result<Vec<AssessmentLine>, sqlx::Error> {
    sqlx::query_as!(AssessmentLine, "SELECT a.id, a.name, a.kind, a.weight::float8 AS \"weight!\", a.max_marks::float8 AS \"max_marks!\", \
            (SELECT count(*) FROM marks m WHERE m.college_id = a.college_id AND m.assessment_id = a.id) AS \"entered!\" \
         FROM assessments a WHERE a.section_id = $1 ORDER BY a.name", section)
    .fetch_all(conn)
    .await
}

/// An assessment's section, name and maximum marks.
pub async fn assessment_info(
    conn: &mut PgConnection,
    assessment: Uuid,
) -> Result<Option<(Uuid, String, f64)>, sqlx::Error> {
    sqlx::query!(
        "SELECT section_id, name, max_marks::float8 AS \"max_marks!\" FROM assessments WHERE id = $1",
        assessment
    )
    .fetch_optional(conn)
    .await
    .map(|o| o.map(|r| (r.section_id, r.name, r.max_marks)))
}

/// The students enrolled in `section` with their mark in `assessment`, for the grid.
pub async fn mark_grid(
    conn: &mut PgConnection,
    assessment: Uuid,
    section: Uuid,
) -> Result<Vec<GridLine>, sqlx::Error> {
    sqlx::query_as!(GridLine, "SELECT st.id AS student_id, st.student_number, st.first_name || ' ' || st.last_name AS \"name!\", m.score::float8 AS \"score?\" \
         FROM enrollments e JOIN students st ON st.college_id = e.college_id AND st.id = e.student_id \
         LEFT JOIN marks m ON m.college_id = e.college_id AND m.assessment_id = $1 AND m.student_id = st.id \
         WHERE e.section_id = $2 AND e.status = 'enrolled' ORDER BY st.last_name, st.first_name", assessment, section)
    .fetch_all(conn)
    .await
}

/// The marks still to enter in a section: each enrolled student without a mark in one
/// of its assessments, by student then assessment.
pub async fn missing_marks(
    conn: &mut PgConnection,
    section: Uuid,
) -> Result<Vec<MissingMark>, sqlx::Error> {
    sqlx::query_as!(MissingMark, "SELECT st.id AS student_id, st.student_number, st.first_name || ' ' || st.last_name AS \"name!\", a.name AS assessment \
         FROM assessments a JOIN enrollments e ON e.college_id = a.college_id AND e.section_id = a.section_id AND e.status = 'enrolled' \
         JOIN students st ON st.college_id = e.college_id AND st.id = e.student_id \
         WHERE a.section_id = $1 AND NOT EXISTS (SELECT 1 FROM marks m WHERE m.college_id = a.college_id \
            AND m.assessment_id = a.id AND m.student_id = e.student_id) \
         ORDER BY st.last_name, st.first_name, st.id, a.name", section)
    .fetch_all(conn)
    .await
}

/// The sections whose results a member of staff follows (as far as `grant` reaches),
/// those with results in status `filter` only unless it is empty.
pub async fn followed_sections(
    conn: &mut PgConnection,
    grant: &Grant,
    filter: &str,
    user: Uuid,
) -> Result<Vec<SectionLine>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT s.id, c.code || ' ' || s.code || ': ' || c.title AS title, t.name AS term, s.results_status AS status, s.enrolled \
         FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id \
         WHERE {} AND ($1 = '' OR s.results_status = $1) \
         ORDER BY t.starts_on DESC, CASE s.results_status WHEN 'submitted' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END, c.code, s.code LIMIT 300",
        reach::sections(grant).sql("$2")
    )))
    .bind(filter)
    .bind(user)
    .fetch_all(conn)
    .await
}
