//! Printing a program's report cards for a term as one job: a registrar asks, a runner
//! (in every server and worker) claims the job with `SKIP LOCKED`, typesets the cards on
//! all cores in batches, records each as issued, and stores one ZIP of PDFs to download.
//! A job whose runner stopped is claimed again when its lease ends.

use std::io::Write;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::db::{CollegeId, begin_for_college};
use crate::documents::issue::{self, Prepared};
use crate::error::{AppError, FieldError};
use crate::files::Storage;
use crate::institution::queries as institution;

/// Cards typeset and recorded per transaction.
const BATCH: usize = 64;
const POLL: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewJobInput {
    pub program_id: Uuid,
    pub term_id: Uuid,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct JobView {
    pub id: Uuid,
    pub program: String,
    pub term: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub total: i32,
    pub done: i32,
    pub file_size: Option<i64>,
    pub error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
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
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let total: i64 =
        sqlx::query_scalar(concat!("SELECT count(*) FROM (", students_of_job!(), ") x"))
            .bind(input.program_id)
            .bind(input.term_id)
            .fetch_one(&mut *conn)
            .await?;
    if total == 0 {
        return Err(AppError::Validation(vec![FieldError::new(
            "term_id",
            "no student of this program has published results in that term",
        )]));
    }
    let id: Uuid = sqlx::query_scalar!(
        "INSERT INTO document_jobs (college_id, program_id, term_id, requested_by, total) \
         VALUES (app_current_college(), $1, $2, $3, $4) RETURNING id",
        input.program_id,
        input.term_id,
        context.actor,
        total as i32
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
            })),
    )
    .await?;
    Ok(id)
}

macro_rules! job_view {
    () => {
        "SELECT j.id, p.name AS program, t.name AS term, j.status, j.total, j.done, \
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

/// What a runner needs.
#[derive(Clone)]
pub struct Runner {
    pub pool: PgPool,
    pub files: Storage,
    pub base_url: String,
}

struct Claimed {
    id: Uuid,
    program: Uuid,
    term: Uuid,
    requested_by: Option<Uuid>,
}

impl Runner {
    /// Runs every job that is due in every college; returns how many finished.
    pub async fn run_due(&self) -> anyhow::Result<usize> {
        let mut finished = 0;
        for college in institution::directory(&self.pool).await? {
            while let Some(job) = self.claim(college.id).await? {
                if let Err(e) = self.run(college.id, &job).await {
                    tracing::error!(job = %job.id, error = format!("{e:#}"), "report card job failed");
                    let mut tx = begin_for_college(&self.pool, college.id).await?;
                    sqlx::query!("UPDATE document_jobs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1", job.id, format!("{e:#}").chars().take(500).collect::<String>())
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                }
                finished += 1;
            }
        }
        Ok(finished)
    }

    async fn claim(&self, college: CollegeId) -> anyhow::Result<Option<Claimed>> {
        let mut tx = begin_for_college(&self.pool, college).await?;
        let row: Option<(Uuid, Uuid, Uuid, Option<Uuid>)> = sqlx::query!("UPDATE document_jobs SET status = 'running', lease_until = now() + interval '15 minutes', done = 0 \
             WHERE id = (SELECT id FROM document_jobs \
                 WHERE status = 'queued' OR (status = 'running' AND lease_until < now()) \
                 ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1) \
             RETURNING id, program_id, term_id, requested_by")
        .fetch_optional(&mut *tx)
        .await.map(|o| o.map(|r| (r.id, r.program_id, r.term_id, r.requested_by)))?;
        tx.commit().await?;
        Ok(row.map(|(id, program, term, requested_by)| Claimed {
            id,
            program,
            term,
            requested_by,
        }))
    }

    async fn run(&self, college: CollegeId, job: &Claimed) -> anyhow::Result<()> {
        let context = AuditContext {
            actor: job.requested_by,
            actor_role: Some("registrar".into()),
            request_id: Some(format!("job:{}", job.id)),
            ..AuditContext::default()
        };
        let mut tx = begin_for_college(&self.pool, college).await?;
        let students: Vec<(Uuid, String)> = sqlx::query_as(students_of_job!())
            .bind(job.program)
            .bind(job.term)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        // PDFs are compressed already: store them as they are.
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut done = 0;
        for batch in students.chunks(BATCH) {
            let mut tx = begin_for_college(&self.pool, college).await?;
            let mut inputs = Vec::with_capacity(batch.len());
            for (student, _) in batch {
                let sources = issue::sources(&mut tx, *student).await?;
                let attendance = issue::term_attendance(&mut tx, *student, job.term).await?;
                inputs.push((*student, sources, attendance));
            }
            let base_url = self.base_url.clone();
            let term = job.term;
            let prepared =
                tokio::task::spawn_blocking(move || typeset_all(inputs, term, &base_url)).await??;
            issue::record(&mut tx, &context, &prepared)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for p in &prepared {
                archive.start_file(p.file_name.as_str(), options)?;
                archive.write_all(&p.pdf)?;
            }
            done += prepared.len();
            sqlx::query!("UPDATE document_jobs SET done = $2, lease_until = now() + interval '15 minutes' WHERE id = $1", job.id, done as i32)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        let bytes = archive.finish()?.into_inner();
        let size = bytes.len() as i64;
        let key = Storage::new_key(college, "report-cards");
        self.files.put(&key, bytes).await?;
        let mut tx = begin_for_college(&self.pool, college).await?;
        sqlx::query!("UPDATE document_jobs SET status = 'done', file_key = $2, file_size = $3, finished_at = now(), lease_until = NULL WHERE id = $1", job.id, &key, size)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            &context,
            Entry::new("document.job_finished")
                .object("document_job", job.id)
                .after(serde_json::json!({ "report_cards": done, "bytes": size })),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        tx.commit().await?;
        Ok(())
    }

    /// Runs due jobs, then waits for `NOTIFY document_jobs` (or polls) until stopped.
    pub async fn run_forever(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut listener = match PgListener::connect_with(&self.pool).await {
            Ok(mut l) => l.listen("document_jobs").await.ok().map(|()| l),
            Err(_) => None,
        };
        if listener.is_none() {
            tracing::warn!("cannot LISTEN for document jobs; polling only");
        }
        loop {
            if let Err(e) = self.run_due().await {
                tracing::error!(error = format!("{e:#}"), "running document jobs failed");
            }
            let woken = async {
                match listener.as_mut() {
                    Some(l) => {
                        let _ = tokio::time::timeout(POLL, l.recv()).await;
                    }
                    None => tokio::time::sleep(POLL).await,
                }
            };
            tokio::select! {
                () = woken => {}
                _ = stop.changed() => return,
            }
        }
    }
}

/// Typesets a batch on every core.
fn typeset_all(
    inputs: Vec<(Uuid, issue::Sources, Vec<documents::Attendance>)>,
    term: Uuid,
    base_url: &str,
) -> anyhow::Result<Vec<Prepared>> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per = inputs.len().div_ceil(workers).max(1);
    let mut out: Vec<Prepared> = Vec::with_capacity(inputs.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = inputs
            .chunks(per)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(student, sources, attendance)| {
                            issue::prepare_report_card(
                                sources,
                                *student,
                                term,
                                attendance.clone(),
                                base_url,
                            )
                            .map_err(|e| anyhow::anyhow!("{e}"))
                        })
                        .collect::<anyhow::Result<Vec<Prepared>>>()
                })
            })
            .collect();
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part?),
                Err(_) => anyhow::bail!("typesetting a report card panicked"),
            }
        }
        Ok(())
    })?;
    Ok(out)
}
