//! Notices in the JSON API.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::files::uploads::{self, FileView};
use crate::notices::model::{Notice, NoticeChange, NoticeInput, Readership};
use crate::notices::queries;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

/// The current notices for the caller, pinned first, then newest.
#[utoipa::path(get, path = "/api/v1/notices", tag = "notices", security(("bearer" = [])),
    responses((status = 200, description = "Pinned first, then newest; at most 100", body = [Notice])))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Notice>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let notices = queries::current(&mut tx, principal.user_id, 100).await?;
    tx.commit().await?;
    Ok(Json(notices))
}

/// The notices the caller manages: the college's, or (a teacher) those they posted;
/// scheduled, ended and withdrawn ones included.
#[utoipa::path(get, path = "/api/v1/notices/managed", tag = "notices", security(("bearer" = [])),
    responses((status = 200, description = "Newest first; at most 200", body = [Notice])))]
pub async fn managed(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
) -> AppResult<Json<Vec<Notice>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let notices = queries::managed(&mut tx, &grant).await?;
    tx.commit().await?;
    Ok(Json(notices))
}

/// One notice with its files; reading it marks it seen by the caller.
#[utoipa::path(get, path = "/api/v1/notices/{id}", tag = "notices", params(("id" = Uuid, Path, description = "The notice's id")), security(("bearer" = [])),
    responses((status = 200, description = "The notice", body = Notice),
        (status = 404, description = "No such notice for the caller", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Notice>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mut notice = queries::readable(&mut tx, &principal, id).await?;
    if notice.is_current(time::OffsetDateTime::now_utc()) && !notice.seen {
        queries::mark_seen(&mut tx, principal.user_id, &[id]).await?;
        notice.seen = true;
        notice.seen_by += 1;
    }
    tx.commit().await?;
    Ok(Json(notice))
}

/// Posts a notice (now, or from a later time) to a broad audience or chosen groups; a
/// teacher posts to the sections they teach.
#[utoipa::path(post, path = "/api/v1/notices", tag = "notices", request_body = NoticeInput, security(("bearer" = [])),
    responses((status = 201, description = "Posted", body = Created),
        (status = 422, description = "A missing title or body, an unknown audience or group, a section the teacher does not teach, bad dates", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn post(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiJson(input): ApiJson<NoticeInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = queries::post(&mut tx, &context, &grant, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Changes what is sent of a notice (its title, text, audience, pin or dates).
#[utoipa::path(patch, path = "/api/v1/notices/{id}", tag = "notices", request_body = NoticeChange, params(("id" = Uuid, Path, description = "The notice's id")), security(("bearer" = [])),
    responses((status = 204, description = "Saved"),
        (status = 403, description = "Another's notice, for a teacher", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such notice", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The notice was withdrawn", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "As when posting", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn edit(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(change): ApiJson<NoticeChange>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::edit(&mut tx, &context, &grant, id, &change).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraws a notice: nobody sees it any more (it stays in the record).
#[utoipa::path(post, path = "/api/v1/notices/{id}/withdraw", tag = "notices", params(("id" = Uuid, Path, description = "The notice's id")), security(("bearer" = [])),
    responses((status = 204, description = "Withdrawn"),
        (status = 403, description = "Another's notice, for a teacher", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such notice, or already withdrawn", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn withdraw(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::withdraw(&mut tx, &context, &grant, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many of the notice's audience (active accounts) have opened it, and up to 50
/// who have not.
#[utoipa::path(get, path = "/api/v1/notices/{id}/readers", tag = "notices", params(("id" = Uuid, Path, description = "The notice's id")), security(("bearer" = [])),
    responses((status = 200, description = "Seen by so many of so many", body = Readership),
        (status = 403, description = "Another's notice, for a teacher", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such notice", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn readers(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Readership>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let notice = queries::readable(&mut tx, &principal, id).await?;
    if grant.scope < crate::access::permissions::Scope::College
        && notice.posted_by_id != Some(principal.user_id)
    {
        return Err(AppError::Forbidden);
    }
    let readers = queries::readership(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(readers))
}

/// Attaches files to a notice (at most 10 on one notice).
#[utoipa::path(post, path = "/api/v1/notices/{id}/files", tag = "notices", request_body(content = crate::coursework::model::UploadForm, content_type = "multipart/form-data"), params(("id" = Uuid, Path, description = "The notice's id")), security(("bearer" = [])),
    responses((status = 201, description = "The notice's files now", body = [FileView]),
        (status = 403, description = "Another's notice, for a teacher", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such notice", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The notice was withdrawn", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No file, a type not taken, too many files", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn attach(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<(StatusCode, Json<Vec<FileView>>)> {
    let sent = uploads::read_form(multipart, state.config.upload_limit_bytes).await?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::attach(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        &grant,
        id,
        &sent.files,
    )
    .await?;
    let files = queries::files(&mut tx, id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(files)))
}

/// Takes a file off a notice.
#[utoipa::path(delete, path = "/api/v1/notices/{id}/files/{file}", tag = "notices", params(("id" = Uuid, Path, description = "The notice's id"), ("file" = Uuid, Path, description = "The file's id")), security(("bearer" = [])),
    responses((status = 204, description = "Taken off"),
        (status = 403, description = "Another's notice, for a teacher", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such notice or file on it", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The notice was withdrawn", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn detach(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath((id, file)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::detach(&mut tx, &context, &grant, id, file).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
