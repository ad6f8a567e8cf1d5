//! Intakes in the JSON API: those open today (public), and for the admissions office
//! every intake, a new one, an intake's merit list and applications, and seat allocation.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::access::principal::Principal;
use crate::admissions::applications::model::{Allocation, Application, MeritLine};
use crate::admissions::applications::queries as applications;
use crate::admissions::applications::service;
use crate::admissions::intakes::model::{Intake, IntakeInput};
use crate::admissions::intakes::queries;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::institution::queries as institution;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};

/// A college's intakes taking applications today.
#[utoipa::path(get, path = "/api/v1/colleges/{slug}/intakes", tag = "admissions", params(("slug" = String, Path, description = "The college's address name")),
    responses((status = 200, description = "Open intakes", body = [Intake]),
        (status = 404, description = "No such college", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn open_intakes(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> AppResult<Json<Vec<Intake>>> {
    let college = institution::find_by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = begin_for_college(&state.db, college.id).await?;
    let list = queries::open(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Every intake with its seats and counts.
#[utoipa::path(get, path = "/api/v1/intakes", tag = "admissions", security(("bearer" = [])),
    responses((status = 200, description = "Newest first", body = [Intake])))]
pub async fn list_intakes(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Intake>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = queries::list(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Opens an intake for a program.
#[utoipa::path(post, path = "/api/v1/intakes", tag = "admissions", request_body = IntakeInput, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = Created),
        (status = 422, description = "Bad fields, an unknown program, a name used", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn create_intake(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<IntakeInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = queries::create(&mut tx, &context, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The intake's merit list, best first.
#[utoipa::path(get, path = "/api/v1/intakes/{id}/merit-list", tag = "admissions", params(("id" = Uuid, Path, description = "The intake's id")), security(("bearer" = [])),
    responses((status = 200, description = "Ranked", body = [MeritLine])))]
pub async fn merit_list(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(intake): ApiPath<Uuid>,
) -> AppResult<Json<Vec<MeritLine>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::find(&mut tx, intake).await?;
    let list = applications::merit_list(&mut tx, intake).await?;
    tx.commit().await?;
    Ok(Json(list))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// submitted, under_review, accepted, waitlisted, rejected or withdrawn; all when empty.
    #[serde(default)]
    pub status: String,
}

/// An intake's applications (drafts left out), best merit first.
#[utoipa::path(get, path = "/api/v1/intakes/{id}/applications", tag = "admissions", params(("id" = Uuid, Path, description = "The intake's id"), StatusQuery), security(("bearer" = [])),
    responses((status = 200, description = "The applications", body = [Application]),
        (status = 404, description = "No such intake", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn of_intake(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(intake): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<StatusQuery>,
) -> AppResult<Json<Vec<Application>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    // An unknown intake is not an intake without applications.
    queries::find(&mut tx, intake).await?;
    let list = applications::of_intake(&mut tx, intake, query.status.trim()).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Accepts the best-ranked candidates into the seats left; waitlists the rest.
#[utoipa::path(post, path = "/api/v1/intakes/{id}/allocate", tag = "admissions", params(("id" = Uuid, Path, description = "The intake's id")), security(("bearer" = [])),
    responses((status = 200, description = "What was allocated", body = Allocation)))]
pub async fn allocate(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(intake): ApiPath<Uuid>,
) -> AppResult<Json<Allocation>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let done = service::allocate(&mut tx, &context, &state.config.base_url(), intake).await?;
    tx.commit().await?;
    Ok(Json(done))
}
