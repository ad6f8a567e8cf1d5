//! Enrollment progress in the JSON API: a student's progress, moves, and the college's
//! steps.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::enrollment::model::{MoveInput, Progress, Step, StepInput};
use crate::enrollment::queries;
use crate::error::AppResult;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

/// A student's enrollment progress: the college's steps, the current one, the history.
#[utoipa::path(get, path = "/api/v1/students/{id}/enrollment", tag = "enrollment", params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 200, description = "Steps and history", body = Progress),
        (status = 403, description = "Not a student this account may see", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn get_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Json<Progress>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let progress = queries::of_student(&mut tx, student).await?;
    tx.commit().await?;
    Ok(Json(progress))
}

/// Moves a student's enrollment to a step, with a remark; the student sees it at once.
#[utoipa::path(post, path = "/api/v1/students/{id}/enrollment", tag = "enrollment", request_body = MoveInput, params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 204, description = "Recorded"),
        (status = 422, description = "Not one of the college's steps, or a remark too long", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn move_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
    ApiJson(input): ApiJson<MoveInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    queries::record(&mut tx, &context, student, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The college's enrollment steps in order.
#[utoipa::path(get, path = "/api/v1/enrollment-steps", tag = "enrollment", security(("bearer" = [])),
    responses((status = 200, description = "In order", body = [Step])))]
pub async fn steps_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Step>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let steps = queries::steps(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(steps))
}

/// Replaces the college's steps (in order); steps left out are retired.
#[utoipa::path(put, path = "/api/v1/enrollment-steps", tag = "enrollment", request_body = [StepInput], security(("bearer" = [])),
    responses((status = 204, description = "Saved"),
        (status = 422, description = "No steps, too many, a name twice or of a bad length", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn set_steps_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(steps): ApiJson<Vec<StepInput>>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::set_steps(&mut tx, &context, &steps).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
