//! Privacy use cases over every domain's records and the file store: the export as a ZIP
//! (the student's records as JSON, and their files), and an erasure whose files leave
//! the store once it has committed.

use std::io::Write;

use sqlx::PgConnection;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::files::Storage;
use crate::privacy::model::Erased;
use crate::privacy::queries;

/// The export: a ZIP of `student.json` and `files/`. Guidance notes are counted, not
/// included (they are the counselor's working notes; a request for them goes to the
/// counselor).
pub async fn export(
    conn: &mut PgConnection,
    storage: &Storage,
    context: &AuditContext,
    student: Uuid,
) -> Result<(String, Vec<u8>), AppError> {
    let user = queries::account_of(conn, student).await?;
    let mut document = queries::sections(conn, student, user).await?;
    let notes = queries::guidance_note_count(conn, student).await?;
    document.insert(
        "guidance_notes".into(),
        serde_json::json!({ "count": notes, "included": false,
            "why": "guidance notes are counselors' working notes; ask the counselor for them" }),
    );
    let files = queries::files_of(conn, student, user).await?;
    let number = document["student"][0]["student_number"]
        .as_str()
        .unwrap_or("student")
        .to_string();
    let mut listed = Vec::new();
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (id, key, name) in &files {
        let bytes = storage.get(key).await?;
        // Names were cleaned when uploaded; the id keeps two files of one name apart.
        let path = format!("files/{id}-{name}");
        archive
            .start_file(path.as_str(), options)
            .map_err(|e| AppError::Internal(e.into()))?;
        archive
            .write_all(&bytes)
            .map_err(|e| AppError::Internal(e.into()))?;
        listed.push(serde_json::json!({ "id": id, "name": name, "path": path }));
    }
    document.insert("files".into(), serde_json::Value::Array(listed));
    document.insert(
        "exported_at".into(),
        serde_json::json!(
            time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        ),
    );
    let json = serde_json::to_vec_pretty(&document).map_err(|e| AppError::Internal(e.into()))?;
    archive
        .start_file("student.json", options)
        .map_err(|e| AppError::Internal(e.into()))?;
    archive
        .write_all(&json)
        .map_err(|e| AppError::Internal(e.into()))?;
    let zipped = archive
        .finish()
        .map_err(|e| AppError::Internal(e.into()))?
        .into_inner();
    audit::record(
        conn,
        context,
        Entry::new("privacy.exported")
            .object("student", student)
            .after(serde_json::json!({ "files": files.len(), "bytes": zipped.len() })),
    )
    .await?;
    let safe: String = number
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok((format!("student-data-{safe}.zip"), zipped))
}

/// Erases the student (see [`queries::erase`]), then deletes their files from storage.
pub async fn erase_now(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    context: &AuditContext,
    student: Uuid,
) -> AppResult<Erased> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, grant, student).await?;
    let erased = queries::erase(&mut tx, context, student).await?;
    tx.commit().await?;
    for key in &erased.file_keys {
        // A file left behind is unreferenced (and unreachable); say so, do not fail.
        if let Err(e) = state.files.delete(key).await {
            tracing::warn!(error = %e, "an erased student's file stays in storage");
        }
    }
    Ok(erased)
}
