//! Issuing one report card or transcript for a request: within the account's daily
//! limit, read what it shows, typeset it off the async threads, and record it.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::AuditContext;
use crate::documents::issue::model::{Issued, prepare_report_card, prepare_transcript};
use crate::documents::issue::queries;
use crate::error::AppError;

/// Issues one document for a request: read, typeset (off the async threads), record.
pub async fn issue(
    conn: &mut PgConnection,
    context: &AuditContext,
    base_url: &str,
    student: Uuid,
    term: Option<Uuid>,
) -> Result<Issued, AppError> {
    crate::documents::lifecycle::queries::within_daily_limit(conn, context.actor).await?;
    let sources = queries::sources(conn, student).await?;
    let attendance = match term {
        Some(term) => queries::term_attendance(conn, student, term).await?,
        None => Vec::new(),
    };
    let base_url = base_url.to_owned();
    let prepared = tokio::task::spawn_blocking(move || match term {
        Some(term) => prepare_report_card(&sources, student, term, attendance, &base_url),
        None => prepare_transcript(&sources, student, &base_url),
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))??;
    let ids = queries::record(conn, context, std::slice::from_ref(&prepared)).await?;
    Ok(Issued {
        id: ids[0],
        code: prepared.code,
        pdf: prepared.pdf,
        file_name: prepared.file_name,
    })
}
