//! Student records in the JSON API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::AppResult;
use crate::students::model::{Profile, SearchPage, SearchQuery, StatusInput};
use crate::students::queries;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};

/// Searches students (full text over numbers, names and emails; filters; paginated),
/// within the caller's scope.
#[utoipa::path(get, path = "/api/v1/students", tag = "students", params(SearchQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of students", body = SearchPage),
        (status = 422, description = "A bad filter or page", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn search(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> AppResult<Json<SearchPage>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let page = queries::search(&mut tx, &grant, &query).await?;
    tx.commit().await?;
    Ok(Json(page))
}

/// A student's profile: personal and contact details, program, batch, advisor,
/// guardians and status history.
#[utoipa::path(get, path = "/api/v1/students/{id}", tag = "students", params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 200, description = "The profile", body = Profile),
        (status = 403, description = "Not a student this account may see", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn profile(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Json<Profile>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let mut profile = queries::profile(&mut tx, student).await?;
    if !queries::sees_personal_details(&mut tx, &principal, student).await? {
        profile = profile.without_personal_details();
    }
    tx.commit().await?;
    Ok(Json(profile))
}

/// Changes a student's status with a date and a reason (kept in the history, audited).
#[utoipa::path(post, path = "/api/v1/students/{id}/status", tag = "students", request_body = StatusInput, params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 204, description = "Changed"),
        (status = 422, description = "An unknown or unchanged status, no reason, a bad date", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn change_status(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
    ApiJson(input): ApiJson<StatusInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    queries::change_status(&mut tx, &context, student, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
