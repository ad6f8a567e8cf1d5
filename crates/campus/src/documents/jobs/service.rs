//! Printing a program's report cards or hall tickets for a term as one job: a registrar asks, a runner
//! (in every server and worker) claims the job with `SKIP LOCKED`, typesets the cards on
//! all cores in batches, records each as issued, and stores one ZIP of PDFs to download.
//! A job whose runner stopped is claimed again when its lease ends.

use std::io::Write;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use uuid::Uuid;

use crate::academics::exams::tickets;
use crate::audit::{self, AuditContext, Entry};
use crate::db::{CollegeId, begin_for_college};
use crate::documents::issue::model::{Prepared, Sources, prepare_report_card};
use crate::documents::issue::queries as issue_queries;
use crate::documents::jobs::model::{Claimed, JobKind};
use crate::documents::jobs::queries;
use crate::files::Storage;
use crate::institution::queries as institution;

/// Cards typeset and recorded per transaction.
const BATCH: usize = 64;
const POLL: Duration = Duration::from_secs(30);

/// What a runner needs.
#[derive(Clone)]
pub struct Runner {
    pub pool: PgPool,
    pub files: Storage,
    pub base_url: String,
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
                    queries::fail(
                        &mut tx,
                        job.id,
                        format!("{e:#}").chars().take(500).collect::<String>(),
                    )
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
        let row = queries::claim(&mut tx).await?;
        tx.commit().await?;
        Ok(row.map(|(id, program, term, requested_by, kind)| Claimed {
            id,
            program,
            term,
            requested_by,
            kind: JobKind::parse(Some(&kind)).unwrap_or(JobKind::ReportCards),
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
        let students = queries::students(&mut tx, job.program, job.term, job.kind).await?;
        let zone: String = sqlx::query_scalar!("SELECT timezone FROM colleges")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        // PDFs are compressed already: store them as they are.
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut done = 0;
        for batch in students.chunks(BATCH) {
            let mut tx = begin_for_college(&self.pool, college).await?;
            let base_url = self.base_url.clone();
            let term = job.term;
            let prepared = match job.kind {
                JobKind::ReportCards => {
                    let mut inputs = Vec::with_capacity(batch.len());
                    for (student, _) in batch {
                        let sources = issue_queries::sources(&mut tx, *student).await?;
                        let attendance =
                            issue_queries::term_attendance(&mut tx, *student, job.term).await?;
                        inputs.push((*student, sources, attendance));
                    }
                    tokio::task::spawn_blocking(move || typeset_all(inputs, term, &base_url))
                        .await??
                }
                JobKind::HallTickets => {
                    let mut inputs = Vec::with_capacity(batch.len());
                    for (student, _) in batch {
                        let Some(facts) = tickets::facts(&mut tx, *student, term).await? else {
                            continue;
                        };
                        let photo = match &facts.photo_key {
                            Some(key) => Some(self.files.get(key).await?),
                            None => None,
                        };
                        inputs.push((facts, photo));
                    }
                    let zone = zone.clone();
                    tokio::task::spawn_blocking(move || {
                        in_parallel(&inputs, |(facts, photo)| {
                            tickets::prepare(facts, photo.as_deref(), term, &zone, &base_url)
                                .map_err(|e| anyhow::anyhow!("{e}"))
                        })
                    })
                    .await??
                }
            };
            issue_queries::record(&mut tx, &context, &prepared)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for p in &prepared {
                archive.start_file(p.file_name.as_str(), options)?;
                archive.write_all(&p.pdf)?;
            }
            done += prepared.len();
            queries::progress(&mut tx, job.id, done as i32).await?;
            tx.commit().await?;
        }
        let bytes = archive.finish()?.into_inner();
        let size = bytes.len() as i64;
        let key = Storage::new_key(
            college,
            match job.kind {
                JobKind::ReportCards => "report-cards",
                JobKind::HallTickets => "hall-tickets",
            },
        );
        self.files.put(&key, bytes).await?;
        let mut tx = begin_for_college(&self.pool, college).await?;
        queries::finish(&mut tx, job.id, &key, size).await?;
        audit::record(
            &mut tx,
            &context,
            Entry::new("document.job_finished")
                .object("document_job", job.id)
                .after(serde_json::json!({ job.kind.as_str(): done, "bytes": size })),
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

/// Typesets a batch of report cards on every core.
fn typeset_all(
    inputs: Vec<(Uuid, Sources, Vec<documents::Attendance>)>,
    term: Uuid,
    base_url: &str,
) -> anyhow::Result<Vec<Prepared>> {
    in_parallel(&inputs, |(student, sources, attendance)| {
        prepare_report_card(sources, *student, term, attendance.clone(), base_url)
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
}

/// `typeset` over `inputs` on every core, in their order.
fn in_parallel<I: Sync>(
    inputs: &[I],
    typeset: impl Fn(&I) -> anyhow::Result<Prepared> + Sync,
) -> anyhow::Result<Vec<Prepared>> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per = inputs.len().div_ceil(workers).max(1);
    let mut out: Vec<Prepared> = Vec::with_capacity(inputs.len());
    let typeset = &typeset;
    std::thread::scope(|scope| {
        let handles: Vec<_> = inputs
            .chunks(per)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(typeset)
                        .collect::<anyhow::Result<Vec<_>>>()
                })
            })
            .collect();
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part?),
                Err(_) => anyhow::bail!("typesetting a document panicked"),
            }
        }
        Ok(())
    })?;
    Ok(out)
}
