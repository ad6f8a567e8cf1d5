//! Assessment, first part: a section's assessments with weights and maximum marks, and
//! marks entered for a whole assessment at once by the section's teachers. A mark above
//! the maximum, below zero, or for a student not in the section is refused with nothing
//! written. Weights of a section's assessments may not exceed 100%.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::principal::Grant;
use crate::access::reach::authorize_section;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewAssessmentInput {
    pub name: String,
    /// `exam`, `quiz`, `assignment` or `practical`.
    pub kind: String,
    /// Percent of the course grade (all of a section's add up to at most 100).
    pub weight: f64,
    pub max_marks: f64,
}

pub async fn create(
    conn: &mut PgConnection,
    grant: &Grant,
    context: &AuditContext,
    section: Uuid,
    input: &NewAssessmentInput,
) -> Result<Uuid, AppError> {
    authorize_section(conn, grant, section).await?;
    crate::academics::results::ensure_draft(conn, section).await?;
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

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MarkInput {
    pub student_id: Uuid,
    pub score: f64,
}

/// Records an assessment's marks in one go; all valid or nothing written.
pub async fn enter(
    conn: &mut PgConnection,
    grant: &Grant,
    context: &AuditContext,
    assessment: Uuid,
    marks: &[MarkInput],
) -> Result<usize, AppError> {
    let row: Option<(Uuid, f64)> =
        sqlx::query_as("SELECT section_id, max_marks::float8 FROM assessments WHERE id = $1")
            .bind(assessment)
            .fetch_optional(&mut *conn)
            .await?;
    let (section, max) = row.ok_or(AppError::NotFound)?;
    authorize_section(conn, grant, section).await?;
    crate::academics::results::ensure_draft(conn, section).await?;
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

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CourseMarks {
    pub course_code: String,
    pub assessment: String,
    pub kind: String,
    pub weight: f64,
    pub max_marks: f64,
    pub score: Option<f64>,
}

/// A student's marks, assessment by assessment.
pub async fn of_student(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Vec<CourseMarks>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.code AS course_code, a.name AS assessment, a.kind, a.weight::float8 AS weight, \
            a.max_marks::float8 AS max_marks, m.score::float8 AS score \
         FROM enrollments e JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN assessments a ON a.college_id = s.college_id AND a.section_id = s.id \
         LEFT JOIN marks m ON m.college_id = a.college_id AND m.assessment_id = a.id AND m.student_id = e.student_id \
         WHERE e.student_id = $1 AND e.status = 'enrolled' ORDER BY c.code, a.name",
    )
    .bind(student)
    .fetch_all(conn)
    .await
}
