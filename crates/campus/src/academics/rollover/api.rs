//! Year end in the JSON API: preview closing a term and rolling over, then run it.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::academics::rollover::model::RolloverPlan;
use crate::academics::rollover::queries;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ToQuery {
    /// The next term's id.
    pub to: Uuid,
}

/// Previews closing a term and rolling over to the next (or shows the earlier run).
#[utoipa::path(get, path = "/api/v1/terms/{id}/rollover", tag = "results", params(("id" = Uuid, Path, description = "The closing term"), ToQuery), security(("bearer" = [])),
    responses((status = 200, description = "What the rollover will do", body = RolloverPlan),
        (status = 404, description = "No such closing term", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No such next term, or one that does not follow", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn preview(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(from): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ToQuery>,
) -> AppResult<Json<RolloverPlan>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    // The address names the closing term: an unknown one is not found.
    let known = queries::term_exists(&mut tx, from).await?;
    if !known {
        return Err(AppError::NotFound);
    }
    let plan = queries::plan(&mut tx, from, query.to).await?;
    tx.commit().await?;
    Ok(Json(plan))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RunInput {
    pub to_term_id: Uuid,
}

/// Closes the term and rolls over; running it again answers the first run.
#[utoipa::path(post, path = "/api/v1/terms/{id}/rollover", tag = "results", request_body = RunInput, params(("id" = Uuid, Path, description = "The closing term")), security(("bearer" = [])),
    responses((status = 200, description = "What was done", body = RolloverPlan),
        (status = 409, description = "Results not yet published, or rolled over to another term", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn run(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(from): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RunInput>,
) -> AppResult<Json<RolloverPlan>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let plan = queries::run(&mut tx, &context, from, input.to_term_id).await?;
    tx.commit().await?;
    Ok(Json(plan))
}
