//! Tickets in the JSON API: raise one, list and read them, comment, and (those who
//! handle tickets) change status or assignee.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::AppResult;
use crate::requests::tickets::model::{
    Comment, CommentInput, Ticket, TicketInput, TicketQuery, UpdateInput,
};
use crate::requests::tickets::queries;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};

#[derive(Debug, Serialize, ToSchema)]
pub struct OpenedTicket {
    pub id: Uuid,
    pub number: i32,
}

/// Raises a support or maintenance ticket.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "requests", request_body = TicketInput, security(("bearer" = [])),
    responses((status = 201, description = "Raised", body = OpenedTicket),
        (status = 422, description = "Bad fields", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn open_ticket_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<TicketInput>,
) -> AppResult<(StatusCode, Json<OpenedTicket>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (id, number) = queries::open(&mut tx, &context, principal.user_id, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(OpenedTicket { id, number })))
}

/// The caller's tickets, or every ticket for those who handle them.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "requests", params(TicketQuery), security(("bearer" = [])),
    responses((status = 200, description = "Latest change first", body = [Ticket])))]
pub async fn tickets_api(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<TicketQuery>,
) -> AppResult<Json<Vec<Ticket>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = queries::list(&mut tx, &principal, &query).await?;
    tx.commit().await?;
    Ok(Json(list))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    pub ticket: Ticket,
    pub comments: Vec<Comment>,
}

/// A ticket with its comments and changes.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "requests", params(("id" = Uuid, Path, description = "The ticket's id")), security(("bearer" = [])),
    responses((status = 200, description = "The ticket", body = TicketView),
        (status = 403, description = "Another's ticket", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn ticket_api(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<TicketView>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (ticket, comments) = queries::view(&mut tx, &principal, id).await?;
    tx.commit().await?;
    Ok(Json(TicketView { ticket, comments }))
}

/// Comments on a ticket (its requester, or those who handle tickets).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/comments", tag = "requests", request_body = CommentInput, params(("id" = Uuid, Path, description = "The ticket's id")), security(("bearer" = [])),
    responses((status = 204, description = "Added"),
        (status = 409, description = "The ticket is closed", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn comment_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<CommentInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::comment(&mut tx, &context, &principal, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes a ticket's status or assignee.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/update", tag = "requests", request_body = UpdateInput, params(("id" = Uuid, Path, description = "The ticket's id")), security(("bearer" = [])),
    responses((status = 204, description = "Changed"),
        (status = 422, description = "An unknown status, an assignee who does not handle tickets, or nothing to change", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn update_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<UpdateInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::update(&mut tx, &context, &principal, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
