//! `/files/{id}`: a stored file, served to whoever the domain that owns it says may read
//! it. Storage and upload checks are the foundation's (`files`); who may read is each
//! owner's: an application's papers (admissions), a student's documents (students),
//! achievement evidence (achievements), coursework (coursework), notices' files (notices). A file several own is
//! readable by whoever any of them lets in.

use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::access::routes::{Access, Routes};
use crate::app::AppState;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::files::uploads;
use crate::web::extract::ApiPath;

pub fn routes() -> Routes {
    Routes::new()
        .get("/files/{id}", Access::SignedIn, download)
        .get("/api/v1/files/{id}", Access::SignedIn, download)
}

/// Downloads a file: a section's files to its students and teachers, a submission's
/// files to the student who handed them in and the section's teachers, an application's
/// papers to the applicant and the admissions office, a student's documents to those who
/// may read their personal details, evidence to those who may read the student or review
/// it, a notice's files to those it is shown to. Always as an attachment, so no upload is ever rendered by the browser as a page.
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "coursework", params(("id" = Uuid, Path, description = "The file's id")), security(("bearer" = [])),
    responses((status = 200, description = "The file, as an attachment"),
        (status = 403, description = "Not a file this account may read", body = crate::web::errors::ProblemDocument, content_type = "application/problem+json")))]
pub async fn download(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(file): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let answers = [
        crate::admissions::applications::queries::may_read_file(&mut tx, &principal, file).await?,
        crate::students::queries::may_read_document(&mut tx, &principal, file).await?,
        crate::achievements::queries::may_read_evidence(&mut tx, &principal, file).await?,
        crate::coursework::queries::may_read_file(&mut tx, &principal, file).await?,
        crate::notices::queries::may_read_file(&mut tx, &principal, file).await?,
    ];
    match answers.iter().flatten().copied().reduce(|a, b| a || b) {
        None => return Err(AppError::NotFound),
        Some(false) => return Err(AppError::Forbidden),
        Some(true) => {}
    }
    let described = uploads::describe(&mut tx, file)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    uploads::serve(&state.files, described).await
}
