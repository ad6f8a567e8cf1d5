//! Guardians in the JSON API: the parent portal and link requests; the college's queue
//! of requests, and direct links to a student.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::AppResult;
use crate::guardians::model::{
    Child, DecisionInput, DirectLinkInput, LinkRequest, LinkRequestInput,
};
use crate::guardians::{queries, service};
use crate::notices::model::Notice;
use crate::notices::queries as notices;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

#[derive(Debug, Serialize, ToSchema)]
pub struct Portal {
    pub children: Vec<Child>,
    /// Current notices for parents (and everyone).
    pub notices: Vec<Notice>,
}

/// The parent portal: each confirmed child's attendance, results and week, and notices.
#[utoipa::path(get, path = "/api/v1/me/children", tag = "guardians", security(("bearer" = [])),
    responses((status = 200, description = "Confirmed children only", body = Portal)))]
pub async fn portal_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Portal>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let children = service::children(&mut tx, principal.user_id).await?;
    let notices = notices::current(&mut tx, principal.user_id, 20).await?;
    tx.commit().await?;
    Ok(Json(Portal { children, notices }))
}

/// Asks the college to link the caller to a child, named by number and date of birth.
/// At most five requests a day.
#[utoipa::path(post, path = "/api/v1/me/guardian-links", tag = "guardians", request_body = LinkRequestInput, security(("bearer" = [])),
    responses((status = 201, description = "Waiting for the college (the same answer whether or not the number and date of birth match; asking again answers with the waiting request)", body = Created),
        (status = 409, description = "Already linked to this student", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Bad fields", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests today", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn request_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<LinkRequestInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = queries::request(&mut tx, &context, principal.user_id, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The caller's link requests and what became of them.
#[utoipa::path(get, path = "/api/v1/me/guardian-links", tag = "guardians", security(("bearer" = [])),
    responses((status = 200, description = "Newest first", body = [LinkRequest])))]
pub async fn my_requests_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<LinkRequest>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = queries::of_user(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Link requests waiting for the college, oldest first.
#[utoipa::path(get, path = "/api/v1/guardian-links", tag = "guardians", security(("bearer" = [])),
    responses((status = 200, description = "Pending requests", body = [LinkRequest])))]
pub async fn pending_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<LinkRequest>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = queries::pending(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Confirms (the parent then sees the child) or rejects a link request.
#[utoipa::path(post, path = "/api/v1/guardian-links/{id}/decision", tag = "guardians", request_body = DecisionInput, params(("id" = Uuid, Path, description = "The request's id")), security(("bearer" = [])),
    responses((status = 204, description = "Decided"),
        (status = 409, description = "Not waiting any more", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An unknown decision, or a rejection without a reason", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn decide_api(
    State(state): State<AppState>,
    context: AuditContext,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::decide(&mut tx, &context, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Links a parent account (by email) to the student at once.
#[utoipa::path(post, path = "/api/v1/students/{id}/guardians", tag = "guardians", request_body = DirectLinkInput, params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 201, description = "Linked; the guardian record's id", body = Created),
        (status = 409, description = "Already linked", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No parent account with that email, or a bad relationship", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn link_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DirectLinkInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let id = queries::link_directly(&mut tx, &context, student, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UnlinkInput {
    pub guardian_id: Uuid,
}

/// Ends a guardian's link to the student.
#[utoipa::path(post, path = "/api/v1/students/{id}/guardians/unlink", tag = "guardians", request_body = UnlinkInput, params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 204, description = "Unlinked"),
        (status = 404, description = "No such link", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn unlink_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
    ApiJson(input): ApiJson<UnlinkInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    queries::unlink(&mut tx, &context, student, input.guardian_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
