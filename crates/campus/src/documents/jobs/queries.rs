//! Report card job queries: asking for a job (audited), following jobs, and the steps a
//! runner takes: claim a job under a lease, list its students, record progress, finish or
//! fail it, each step published to the job's live-updates topic so its page follows.
//! Also the programs and terms the printing page offers.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::documents::jobs::model::{JobKind, JobView, NewJobInput, topic};
use crate::error::{AppError, FieldError};

/// A program's students who sit a paper of the term, for its hall tickets.
macro_rules! students_with_papers {
    () => {
        "SELECT DISTINCT st.id, st.student_number FROM students st \
     JOIN enrollments e ON e.college_id = st.college_id AND e.student_id = st.id AND e.status = 'enrolled' \
     JOIN exam_sittings x ON x.college_id = e.college_id AND x.section_id = e.section_id \
     WHERE st.program_id = $1 AND x.term_id = $2 \
     ORDER BY st.student_number"
    };
}

macro_rules! students_of_job {
    () => {
        "SELECT DISTINCT st.id, st.student_number FROM students st \
     JOIN results r ON r.college_id = st.college_id AND r.student_id = st.id \
     JOIN sections s ON s.college_id = r.college_id AND s.id = r.section_id \
     WHERE st.program_id = $1 AND s.term_id = $2 AND s.results_status = 'published' \
     ORDER BY st.student_number"
    };
}

pub async fn create(
    conn: &mut PgConnection,
    context: &AuditContext,
    input: &NewJobInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    let program: bool = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM programs WHERE id = $1) AS \"v!\"",
        input.program_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if !program {
        errors.push(FieldError::new("program_id", "no such program"));
    }
    let term: bool = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM terms WHERE id = $1) AS \"v!\"",
        input.term_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if !term {
        errors.push(FieldError::new("term_id", "no such term"));
    }
    let kind = JobKind::parse(input.kind.as_deref());
    if kind.is_none() {
        errors.push(FieldError::new(
            "kind",
            "must be report_cards or hall_tickets",
        ));
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let count = match kind {
        JobKind::ReportCards => concat!("SELECT count(*) FROM (", students_of_job!(), ") x"),
        JobKind::HallTickets => concat!("SELECT count(*) FROM (", students_with_papers!(), ") x"),
    };
    let total: i64 = sqlx::query_scalar(count)
        .bind(input.program_id)
        .bind(input.term_id)
        .fetch_one(&mut *conn)
        .await?;
    if total == 0 {
        return Err(AppError::Validation(vec![FieldError::new(
            "term_id",
            match kind {
                JobKind::ReportCards => {
                    "no student of this program has published results in that term"
                }
                JobKind::HallTickets => "no student of this program sits a paper in that term",
            },
        )]));
    }
    let id: Uuid = sqlx::query_scalar!(
        "INSERT INTO document_jobs (college_id, program_id, term_id, requested_by, total, kind) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5) RETURNING id",
        input.program_id,
        input.term_id,
        context.actor,
        total as i32,
        kind.as_str()
    )
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("document.job_requested")
            .object("document_job", id)
            .after(serde_json::json!({
                "program_id": input.program_id, "term_id": input.term_id, "students": total,
                "kind": kind.as_str(),
            })),
    )
    .await?;
    Ok(id)
}

macro_rules! job_view {
    () => {
        "SELECT j.id, j.kind, p.name AS program, t.name AS term, j.status, j.total, j.done, \
        j.file_size, j.error, j.created_at, j.finished_at FROM document_jobs j \
     JOIN programs p ON p.college_id = j.college_id AND p.id = j.program_id \
     JOIN terms t ON t.college_id = j.college_id AND t.id = j.term_id"
    };
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Option<JobView>, sqlx::Error> {
    sqlx::query_as(concat!(job_view!(), " WHERE j.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn recent(conn: &mut PgConnection) -> Result<Vec<JobView>, sqlx::Error> {
    sqlx::query_as(concat!(job_view!(), " ORDER BY j.created_at DESC LIMIT 20"))
        .fetch_all(conn)
        .await
}

/// The stored archive of a finished job.
pub async fn file_of(conn: &mut PgConnection, id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT file_key FROM document_jobs WHERE id = $1 AND status = 'done'",
        id
    )
    .fetch_optional(conn)
    .await
    .map(Option::flatten)
}

/// Marks a job failed, with (the start of) its error.
pub async fn fail(conn: &mut PgConnection, id: Uuid, error: String) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE document_jobs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1",
        id,
        error
    )
    .execute(&mut *conn)
    .await?;
    crate::live::publish(conn, &topic(id)).await
}

/// Claims the oldest job due (queued, or running with its lease ended) for fifteen
/// minutes: (id, program, term, requested by, what it prints).
pub async fn claim(
    conn: &mut PgConnection,
) -> Result<Option<(Uuid, Uuid, Uuid, Option<Uuid>, String)>, sqlx::Error> {
    let claimed = sqlx::query!("UPDATE document_jobs SET status = 'running', lease_until = now() + interval '15 minutes', done = 0 \
             WHERE id = (SELECT id FROM document_jobs \
                 WHERE status = 'queued' OR (status = 'running' AND lease_until < now()) \
                 ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1) \
             RETURNING id, program_id, term_id, requested_by, kind")
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| (r.id, r.program_id, r.term_id, r.requested_by, r.kind));
    if let Some((id, ..)) = claimed {
        crate::live::publish(conn, &topic(id)).await?;
    }
    Ok(claimed)
}

/// The students a job prints: (id, student number), in number order.
pub async fn students(
    conn: &mut PgConnection,
    program: Uuid,
    term: Uuid,
    kind: JobKind,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let sql = match kind {
        JobKind::ReportCards => students_of_job!(),
        JobKind::HallTickets => students_with_papers!(),
    };
    sqlx::query_as(sql)
        .bind(program)
        .bind(term)
        .fetch_all(conn)
        .await
}

/// Records how many cards are done and extends the lease; the job's page hears of it.
pub async fn progress(conn: &mut PgConnection, id: Uuid, done: i32) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE document_jobs SET done = $2, lease_until = now() + interval '15 minutes' WHERE id = $1", id, done)
    .execute(&mut *conn)
    .await?;
    crate::live::publish(conn, &topic(id)).await
}

/// Marks a job done, with its stored archive.
pub async fn finish(
    conn: &mut PgConnection,
    id: Uuid,
    key: &str,
    size: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE document_jobs SET status = 'done', file_key = $2, file_size = $3, finished_at = now(), lease_until = NULL WHERE id = $1", id, key, size)
    .execute(&mut *conn)
    .await?;
    crate::live::publish(conn, &topic(id)).await
}

/// The programs to choose from: (id, code and name).
pub async fn program_options(conn: &mut PgConnection) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query!("SELECT id, code || ': ' || name AS \"label!\" FROM programs ORDER BY code")
        .fetch_all(conn)
        .await
        .map(|v| v.into_iter().map(|r| (r.id, r.label)).collect::<Vec<_>>())
}

/// The terms to choose from, newest first: (id, term and academic year).
pub async fn term_options(conn: &mut PgConnection) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query!("SELECT t.id, t.name || ' (' || y.name || ')' AS \"label!\" FROM terms t \
         JOIN academic_years y ON y.college_id = t.college_id AND y.id = t.academic_year_id ORDER BY t.starts_on DESC")
    .fetch_all(conn)
    .await.map(|v| v.into_iter().map(|r| (r.id, r.label)).collect::<Vec<_>>())
}
