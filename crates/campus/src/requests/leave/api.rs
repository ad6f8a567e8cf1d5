//! Leave requests in the JSON API: asking, following and withdrawing one's own, and
//! deciding those waiting for the caller.

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
use crate::requests::leave::model::{Leave, LeaveDecisionInput, LeaveInput};
use crate::requests::leave::queries;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

/// Asks for leave; it goes to the first approver of the chain.
#[utoipa::path(post, path = "/api/v1/me/leave", tag = "requests", request_body = LeaveInput, security(("bearer" = [])),
    responses((status = 201, description = "Waiting for approval", body = Created),
        (status = 409, description = "Overlaps leave already asked for or granted", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Bad dates or no reason", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn submit_leave_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<LeaveInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = queries::submit(&mut tx, &context, principal.user_id, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The caller's leave requests with every decision so far.
#[utoipa::path(get, path = "/api/v1/me/leave", tag = "requests", security(("bearer" = [])),
    responses((status = 200, description = "Latest first", body = [Leave])))]
pub async fn my_leave_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Leave>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = queries::mine(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Withdraws one of the caller's leave requests still waiting.
#[utoipa::path(post, path = "/api/v1/leave/{id}/cancel", tag = "requests", params(("id" = Uuid, Path, description = "The request's id")), security(("bearer" = [])),
    responses((status = 204, description = "Withdrawn"),
        (status = 409, description = "Already decided", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn cancel_leave_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::cancel(&mut tx, &context, principal.user_id, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Leave requests waiting for the caller's decision (as advisor, registrar or principal).
#[utoipa::path(get, path = "/api/v1/leave/waiting", tag = "requests", security(("bearer" = [])),
    responses((status = 200, description = "Oldest first", body = [Leave])))]
pub async fn waiting_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Leave>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = queries::waiting(&mut tx, &principal).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Approves (passing it to the next approver, or granting it) or rejects leave.
#[utoipa::path(post, path = "/api/v1/leave/{id}/decision", tag = "requests", request_body = LeaveDecisionInput, params(("id" = Uuid, Path, description = "The request's id")), security(("bearer" = [])),
    responses((status = 204, description = "Decided"),
        (status = 403, description = "Not waiting for this approver (or their own)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn decide_leave_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<LeaveDecisionInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::decide(&mut tx, &context, &principal, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
