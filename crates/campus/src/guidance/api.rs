//! Guidance notes in the JSON API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::AppResult;
use crate::guidance::model::{Note, NoteInput};
use crate::guidance::queries;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

/// A student's guidance notes, newest first. Every reading is audited.
#[utoipa::path(get, path = "/api/v1/students/{id}/guidance-notes", tag = "guidance", params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 200, description = "The notes", body = [Note]),
        (status = 403, description = "Not a counselor (or an admin the college allows)", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Json<Vec<Note>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let list = queries::read(&mut tx, &state.config.field_keys, &context, student).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Adds a guidance note on a student (kept encrypted).
#[utoipa::path(post, path = "/api/v1/students/{id}/guidance-notes", tag = "guidance", request_body = NoteInput, params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 201, description = "Added", body = Created),
        (status = 422, description = "Empty or too long", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn add(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NoteInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let id = queries::add(&mut tx, &state.config.field_keys, &context, student, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}
