//! Notices in the JSON API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::AppResult;
use crate::notices::model::{Notice, NoticeInput, audiences_of};
use crate::notices::queries;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

/// The current notices for the caller's audiences (by their roles).
#[utoipa::path(get, path = "/api/v1/notices", tag = "notices", security(("bearer" = [])),
    responses((status = 200, description = "Newest first, at most 100", body = [Notice])))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Notice>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let notices = queries::current(&mut tx, &audiences_of(&principal), 100).await?;
    tx.commit().await?;
    Ok(Json(notices))
}

/// Posts a notice (now, or from a later time).
#[utoipa::path(post, path = "/api/v1/notices", tag = "notices", request_body = NoticeInput, security(("bearer" = [])),
    responses((status = 201, description = "Posted", body = Created),
        (status = 422, description = "A missing title or body, an unknown audience, bad dates", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn post(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<NoticeInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = queries::post(&mut tx, &context, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Withdraws a notice: nobody sees it any more (it stays in the record).
#[utoipa::path(post, path = "/api/v1/notices/{id}/withdraw", tag = "notices", params(("id" = Uuid, Path, description = "The notice's id")), security(("bearer" = [])),
    responses((status = 204, description = "Withdrawn"),
        (status = 404, description = "No such notice, or already withdrawn", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn withdraw(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::withdraw(&mut tx, &context, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
