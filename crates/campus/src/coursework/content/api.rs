//! The course material and meeting endpoints of the JSON API: a section's materials
//! (uploads are `multipart/form-data`) and meetings, and the caller's coming meetings.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::coursework::content::model::{MaterialView, MeetingView, NewMeetingInput};
use crate::coursework::content::queries;
use crate::coursework::model::UploadForm;
use crate::coursework::queries as coursework;
use crate::db::begin_for_college;
use crate::error::AppResult;
use crate::files::uploads;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

/// Adds a material to a section: fields `title`, `description`, and `link` or a `file`.
#[utoipa::path(post, path = "/api/v1/sections/{id}/materials", tag = "coursework", request_body(content = UploadForm, content_type = "multipart/form-data"), security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 201, description = "Added", body = Created),
        (status = 422, description = "No title, both or neither of link and file, or a refused file", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_material(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<(StatusCode, Json<Created>)> {
    let form = uploads::read_form(multipart, state.config.upload_limit_bytes).await?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    coursework::teacher(&mut tx, &principal, section).await?;
    let id = queries::add_material(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        section,
        &form.text("title"),
        &form.text("description"),
        &form.text("link"),
        form.files.first(),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A section's materials (its students and teachers).
#[utoipa::path(get, path = "/api/v1/sections/{id}/materials", tag = "coursework", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, description = "Materials, newest first", body = [MaterialView])))]
pub async fn list_materials(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Json<Vec<MaterialView>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    coursework::member(&mut tx, &principal, section).await?;
    let list = queries::materials(&mut tx, section).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Schedules a meeting of a section.
#[utoipa::path(post, path = "/api/v1/sections/{id}/online-meetings", tag = "coursework", request_body = NewMeetingInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 201, description = "Scheduled", body = Created),
        (status = 422, description = "Bad times or link", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_meeting(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewMeetingInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    coursework::teacher(&mut tx, &principal, section).await?;
    let id = queries::add_meeting(&mut tx, &context, section, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The caller's coming meetings: of sections they study in or teach.
#[utoipa::path(get, path = "/api/v1/me/online-meetings", tag = "coursework", security(("bearer" = [])),
    responses((status = 200, description = "Meetings from now on", body = [MeetingView])))]
pub async fn my_meetings(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<MeetingView>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = queries::upcoming_for_user(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    Ok(Json(list))
}
