//! Assignment queries: posting one (it becomes an assessment of kind `assignment`, so
//! grading a hand-in writes the student's mark under the same rules as any mark: within
//! the maximum, results still a draft), its files, listing, handing in (again as often as
//! the student likes until graded; late work flagged, or refused when the teacher said
//! so), hand-ins with their files, and grading. Each change is audited.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::academics::assessment::model::{MarkInput, NewAssessmentInput};
use crate::academics::assessment::queries as assessment;
use crate::access::principal::Grant;
use crate::audit::{self, AuditContext, Entry};
use crate::coursework::assignments::model::{
    AssignmentView, GradeInput, NewAssignmentInput, SubmissionView,
};
use crate::coursework::queries::parse_moment;
use crate::db::CollegeId;
use crate::error::{AppError, FieldError};
use crate::files::Storage;
use crate::files::uploads::{FileView, Upload};

pub async fn create(
    conn: &mut PgConnection,
    grant: &Grant,
    context: &AuditContext,
    section: Uuid,
    input: &NewAssignmentInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    // Checked here too (the assessment checks them again) so one answer names every
    // problem, the due time's included.
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
    if input.instructions.chars().count() > 20_000 {
        errors.push(FieldError::new("instructions", "at most 20000 characters"));
    }
    let due = parse_moment(conn, "due_at", &input.due_at)
        .await
        .map_err(|e| errors.push(e))
        .ok();
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let assessment = assessment::create(
        conn,
        grant,
        context,
        section,
        &NewAssessmentInput {
            name: input.title.clone(),
            kind: "assignment".into(),
            weight: input.weight,
            max_marks: input.max_marks,
        },
    )
    .await
    .map_err(|e| match e {
        // The assessment's "name" is the assignment's title.
        AppError::Validation(errors) => AppError::Validation(
            errors
                .into_iter()
                .map(|e| {
                    if e.field == "name" {
                        FieldError::new("title", e.message)
                    } else {
                        e
                    }
                })
                .collect(),
        ),
        other => other,
    })?;
    let id: Uuid = sqlx::query_scalar!("INSERT INTO assignments (college_id, section_id, assessment_id, title, instructions, due_at, accept_late, created_by) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6, $7) RETURNING id", section, assessment, input.title.trim(), &input.instructions, due, input.accept_late, grant.user_id)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("assignment.created")
            .object("assignment", id)
            .after(serde_json::json!({
                "section_id": section, "title": input.title.trim(), "due_at": due.map(|d| d.to_string()),
                "weight": input.weight, "max_marks": input.max_marks, "accept_late": input.accept_late,
            })),
    )
    .await?;
    Ok(id)
}

/// The section of an assignment, or `NotFound`.
pub async fn section_of(conn: &mut PgConnection, assignment: Uuid) -> Result<Uuid, AppError> {
    let section: Option<Uuid> = sqlx::query_scalar!(
        "SELECT section_id FROM assignments WHERE id = $1",
        assignment
    )
    .fetch_optional(conn)
    .await?;
    section.ok_or(AppError::NotFound)
}

/// Attaches stored files to an assignment.
pub async fn attach(
    conn: &mut PgConnection,
    context: &AuditContext,
    assignment: Uuid,
    files: &[Uuid],
) -> Result<(), AppError> {
    sqlx::query!("INSERT INTO assignment_files (college_id, assignment_id, file_id) SELECT app_current_college(), $1, unnest($2::uuid[])", assignment, files)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("assignment.files_added")
            .object("assignment", assignment)
            .after(serde_json::json!({ "files": files })),
    )
    .await?;
    Ok(())
}

const VIEW: &str = "SELECT a.id, a.section_id, c.code || ' ' || s.code AS course, a.title, a.instructions, a.due_at, \
        to_char(a.due_at AT TIME ZONE col.timezone, 'YYYY-MM-DD HH24:MI') AS due_local, a.accept_late, \
        x.max_marks::float8 AS max_marks, x.weight::float8 AS weight, \
        mine.submitted_at, mine.late, mine.score::float8 AS score, \
        (SELECT count(*) FROM submissions t WHERE t.college_id = a.college_id AND t.assignment_id = a.id) AS submissions, \
        (SELECT count(*) FROM submissions t WHERE t.college_id = a.college_id AND t.assignment_id = a.id AND t.graded_at IS NULL) AS to_grade \
     FROM assignments a JOIN assessments x ON x.college_id = a.college_id AND x.id = a.assessment_id \
     JOIN sections s ON s.college_id = a.college_id AND s.id = a.section_id \
     JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
     JOIN colleges col ON col.id = a.college_id \
     LEFT JOIN submissions mine ON mine.college_id = a.college_id AND mine.assignment_id = a.id AND mine.student_id = $2 ";

pub async fn of_section(
    conn: &mut PgConnection,
    section: Uuid,
    student: Option<Uuid>,
) -> Result<Vec<AssignmentView>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{VIEW} WHERE a.section_id = $1 ORDER BY a.due_at"
    )))
    .bind(section)
    .bind(student)
    .fetch_all(conn)
    .await
}

pub async fn find(
    conn: &mut PgConnection,
    assignment: Uuid,
    student: Option<Uuid>,
) -> Result<Option<AssignmentView>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{VIEW} WHERE a.id = $1")))
        .bind(assignment)
        .bind(student)
        .fetch_optional(conn)
        .await
}

/// A student's assignments still to hand in, soonest first (dashboards).
pub async fn upcoming_for_student(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Vec<AssignmentView>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{VIEW} JOIN enrollments e ON e.college_id = a.college_id AND e.section_id = a.section_id \
         WHERE e.student_id = $2 AND e.status = 'enrolled' AND mine.submitted_at IS NULL \
           AND a.due_at > now() - interval '7 days' AND $1::uuid IS NULL ORDER BY a.due_at LIMIT 10"
    )))
    .bind(None::<Uuid>)
    .bind(student)
    .fetch_all(conn)
    .await
}

pub async fn files_of(
    conn: &mut PgConnection,
    assignment: Uuid,
) -> Result<Vec<FileView>, sqlx::Error> {
    sqlx::query_as!(FileView, "SELECT f.id, f.file_name, f.content_type, f.size_bytes FROM assignment_files l \
         JOIN stored_files f ON f.college_id = l.college_id AND f.id = l.file_id WHERE l.assignment_id = $1 ORDER BY f.file_name", assignment)
    .fetch_all(conn)
    .await
}

/// Hands work in (or again, replacing the earlier text and files) until it is graded.
#[allow(clippy::too_many_arguments)]
pub async fn submit(
    conn: &mut PgConnection,
    storage: &Storage,
    college: CollegeId,
    context: &AuditContext,
    student: Uuid,
    assignment: Uuid,
    body: &str,
    uploads: &[Upload],
) -> Result<Uuid, AppError> {
    let kinds = crate::files::uploads::check_all(uploads)?;
    let row: Option<(OffsetDateTime, bool, String)> = sqlx::query!("SELECT a.due_at, a.accept_late, to_char(a.due_at AT TIME ZONE c.timezone, 'YYYY-MM-DD HH24:MI') AS \"due_local!\" \
         FROM assignments a JOIN colleges c ON c.id = a.college_id WHERE a.id = $1", assignment)
    .fetch_optional(&mut *conn)
    .await.map(|o| o.map(|r| (r.due_at, r.accept_late, r.due_local)))?;
    let (due, accept_late, due_local) = row.ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    if body.trim().is_empty() && uploads.is_empty() {
        errors.push(FieldError::new("body", "write an answer or attach a file"));
    }
    if body.chars().count() > 50_000 {
        errors.push(FieldError::new("body", "at most 50000 characters"));
    }
    let late = OffsetDateTime::now_utc() > due;
    if late && !accept_late {
        errors.push(FieldError::new(
            "assignment",
            format!("the deadline was {due_local}; late work is not accepted for this assignment"),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    // Locks the submission row, so a grade and a new hand-in cannot cross.
    let existing: Option<(Uuid, bool)> = sqlx::query!("SELECT id, graded_at IS NOT NULL AS \"graded!\" FROM submissions WHERE assignment_id = $1 AND student_id = $2 FOR UPDATE", assignment, student)
    .fetch_optional(&mut *conn)
    .await.map(|o| o.map(|r| (r.id, r.graded)))?;
    if existing.is_some_and(|(_, graded)| graded) {
        return Err(AppError::Conflict(
            "this work has been graded; it can no longer be changed".into(),
        ));
    }
    let id: Uuid = sqlx::query_scalar!(
        "INSERT INTO submissions (college_id, assignment_id, student_id, body, late) \
         VALUES (app_current_college(), $1, $2, $3, $4) \
         ON CONFLICT ON CONSTRAINT submissions_one_per_student DO UPDATE \
           SET body = excluded.body, late = excluded.late, submitted_at = now() RETURNING id",
        assignment,
        student,
        body,
        late
    )
    .fetch_one(&mut *conn)
    .await?;
    if !uploads.is_empty() || existing.is_some() {
        sqlx::query!("DELETE FROM submission_files WHERE submission_id = $1", id)
            .execute(&mut *conn)
            .await?;
    }
    let mut files = Vec::new();
    for (upload, kind) in uploads.iter().zip(kinds) {
        files.push(
            crate::files::uploads::store(conn, storage, college, context.actor, upload, kind)
                .await?,
        );
    }
    sqlx::query!("INSERT INTO submission_files (college_id, submission_id, file_id) SELECT app_current_college(), $1, unnest($2::uuid[])", id, &files)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("assignment.submitted")
            .object("submission", id)
            .after(serde_json::json!({
                "assignment_id": assignment, "late": late, "files": files.len(), "resubmitted": existing.is_some(),
            })),
    )
    .await?;
    Ok(id)
}

pub async fn submissions(
    conn: &mut PgConnection,
    assignment: Uuid,
    student: Option<Uuid>,
) -> Result<Vec<SubmissionView>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT s.id, s.student_id, st.student_number, st.first_name || ' ' || st.last_name AS \"name!\", s.body, \
            s.submitted_at, s.late, s.score::float8 AS score, s.feedback \
         FROM submissions s JOIN students st ON st.college_id = s.college_id AND st.id = s.student_id \
         WHERE s.assignment_id = $1 AND ($2::uuid IS NULL OR s.student_id = $2) ORDER BY st.last_name, st.first_name",
        assignment,
        student
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    // Every hand-in's files in one statement, not one per hand-in.
    let mut files: std::collections::HashMap<Uuid, Vec<FileView>> = Default::default();
    for f in sqlx::query!(
        "SELECT l.submission_id, f.id, f.file_name, f.content_type, f.size_bytes FROM submission_files l \
         JOIN stored_files f ON f.college_id = l.college_id AND f.id = l.file_id \
         WHERE l.submission_id = ANY($1) ORDER BY f.file_name",
        &ids
    )
    .fetch_all(&mut *conn)
    .await?
    {
        files.entry(f.submission_id).or_default().push(FileView {
            id: f.id,
            file_name: f.file_name,
            content_type: f.content_type,
            size_bytes: f.size_bytes,
        });
    }
    let list = rows
        .into_iter()
        .map(|r| SubmissionView {
            files: files.remove(&r.id).unwrap_or_default(),
            id: r.id,
            student_id: r.student_id,
            student_number: r.student_number,
            name: r.name,
            body: r.body,
            submitted_at: r.submitted_at,
            late: r.late,
            score: r.score,
            feedback: r.feedback,
        })
        .collect();
    Ok(list)
}

/// Grades a submission; the score becomes the student's mark for the assignment.
pub async fn grade(
    conn: &mut PgConnection,
    grant: &Grant,
    context: &AuditContext,
    submission: Uuid,
    input: &GradeInput,
) -> Result<(), AppError> {
    let row: Option<(Uuid, Uuid, Uuid)> = sqlx::query!("SELECT s.student_id, a.assessment_id, a.id FROM submissions s \
         JOIN assignments a ON a.college_id = s.college_id AND a.id = s.assignment_id WHERE s.id = $1 FOR UPDATE OF s", submission)
    .fetch_optional(&mut *conn)
    .await.map(|o| o.map(|r| (r.student_id, r.assessment_id, r.id)))?;
    let (student, assessment_id, assignment) = row.ok_or(AppError::NotFound)?;
    if input.feedback.chars().count() > 10_000 {
        return Err(AppError::Validation(vec![FieldError::new(
            "feedback",
            "at most 10000 characters",
        )]));
    }
    // The mark goes through the assessment rules: the teacher's own section, within
    // the maximum, results not yet submitted.
    assessment::enter(
        conn,
        grant,
        context,
        assessment_id,
        &[MarkInput {
            student_id: student,
            score: input.score,
        }],
    )
    .await
    .map_err(|e| match e {
        AppError::Validation(errors) => AppError::Validation(
            errors
                .into_iter()
                .map(|e| {
                    if e.field.ends_with(".score") {
                        FieldError::new("score", e.message)
                    } else {
                        e
                    }
                })
                .collect(),
        ),
        other => other,
    })?;
    let feedback = input.feedback.trim();
    sqlx::query!("UPDATE submissions SET score = $2::float8::numeric, feedback = nullif($3, ''), graded_by = $4, graded_at = now() WHERE id = $1", submission, input.score, feedback, grant.user_id)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("assignment.graded")
            .object("submission", submission)
            .after(serde_json::json!({ "assignment_id": assignment, "score": input.score, "feedback": feedback })),
    )
    .await?;
    Ok(())
}

/// The assignment a hand-in belongs to.
pub async fn assignment_of_submission(
    conn: &mut PgConnection,
    submission: Uuid,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT assignment_id FROM submissions WHERE id = $1",
        submission
    )
    .fetch_optional(conn)
    .await
}
