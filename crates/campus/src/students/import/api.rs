//! The student import in the JSON API: a multipart CSV, previewed or imported.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::students::import::queries;
use crate::web::errors::ProblemDocument;

/// The multipart form of an import.
#[derive(utoipa::ToSchema)]
#[schema(as = StudentImportForm)]
#[allow(dead_code)]
pub struct ImportForm {
    /// `false` to write; anything else (or nothing) previews.
    preview: Option<String>,
    /// The CSV: student_number, first_name, last_name, program, admitted_on; optional
    /// email, date_of_birth, phone, address, year_of_study, status; guardians as
    /// guardian_ and guardian2_ with first_name, last_name, email, phone, relationship.
    #[schema(format = Binary)]
    file: String,
}

/// Imports students with their guardians from CSV: a preview reports every problem by
/// line and column; an import writes all rows or none, and a re-run changes nothing.
#[utoipa::path(post, path = "/api/v1/students/import", tag = "students", request_body(content = ImportForm, content_type = "multipart/form-data"), security(("bearer" = [])),
    responses((status = 200, description = "Previewed, or written (`committed`)", body = crate::students::import::model::ImportReport),
        (status = 422, description = "Problems found, nothing written (the report); or no file (problem details)", content((crate::students::import::model::ImportReport = "application/json"), (ProblemDocument = "application/problem+json"))),
        (status = 400, description = "Not a CSV Campus can read, or its header lacks a required column", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    multipart: axum::extract::Multipart,
) -> AppResult<(
    StatusCode,
    Json<crate::students::import::model::ImportReport>,
)> {
    let form = crate::files::uploads::read_form(multipart, state.config.upload_limit_bytes).await?;
    let text = import_text(&form)?;
    let preview = form.text("preview").trim() != "false";
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let report = queries::run(&mut tx, &context, &text, preview).await?;
    if report.committed {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    let status = if report.error_count > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)))
}

/// The CSV of an import form, as UTF-8 text.
pub fn import_text(form: &crate::files::uploads::FormData) -> Result<String, AppError> {
    form.text_file()
}
