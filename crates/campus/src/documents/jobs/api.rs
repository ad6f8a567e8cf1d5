//! Report card jobs in the JSON API: ask for one, follow it, download its ZIP.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::documents::jobs::model::{JobView, NewJobInput};
use crate::documents::jobs::queries;
use crate::error::{AppError, AppResult};
use crate::web::attachment::attachment;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct JobCreated {
    pub id: Uuid,
}

/// Asks for every report card of a program's students for a term, as one ZIP of PDFs.
#[utoipa::path(post, path = "/api/v1/report-card-jobs", tag = "documents", request_body = NewJobInput, security(("bearer" = [])),
    responses((status = 202, description = "Queued; follow it at /api/v1/report-card-jobs/{id}", body = JobCreated),
        (status = 422, description = "No such program or term, or nobody to print", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn create_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<NewJobInput>,
) -> AppResult<(StatusCode, Json<JobCreated>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = queries::create(&mut tx, &context, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::ACCEPTED, Json(JobCreated { id })))
}

/// A job's progress.
#[utoipa::path(get, path = "/api/v1/report-card-jobs/{id}", tag = "documents", params(("id" = Uuid, Path, description = "The job's id")), security(("bearer" = [])),
    responses((status = 200, description = "Status and progress", body = JobView)))]
pub async fn show_api(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<JobView>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let job = queries::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(job))
}

/// The finished job's ZIP of report cards.
#[utoipa::path(get, path = "/api/v1/report-card-jobs/{id}/download", tag = "documents", params(("id" = Uuid, Path, description = "The job's id")), security(("bearer" = [])),
    responses((status = 200, description = "A ZIP of PDFs", content_type = "application/zip"),
        (status = 404, description = "No such job, or not finished", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn download(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let key = queries::file_of(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let bytes = state.files.get(&key).await?;
    Ok(attachment(
        bytes,
        "application/zip",
        &format!("report-cards-{id}.zip"),
    ))
}
