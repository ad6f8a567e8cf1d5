//! Achievements in the JSON API.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::achievements::model::{
    Achievement, AchievementInput, DecisionInput, Organizer, OrganizerInput, Rule,
};
use crate::achievements::{queries, service};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::AppResult;
use crate::files::uploads;
use crate::web::attachment::attachment;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};

/// The multipart form that records an achievement.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AchievementForm {
    title: String,
    /// academic, sports, cultural, technical, volunteering, internship or certification.
    category: String,
    /// e.g. `2026-10-02`.
    achieved_on: String,
    organiser: String,
    description: Option<String>,
    /// Evidence: at most five files (pdf, png, jpg, gif, office documents...).
    #[schema(format = Binary)]
    file: Vec<String>,
}

/// Records one of the signed-in student's achievements; it waits for a reviewer.
#[utoipa::path(post, path = "/api/v1/me/achievements", tag = "achievements", request_body(content = AchievementForm, content_type = "multipart/form-data"), security(("bearer" = [])),
    responses((status = 201, description = "Recorded, waiting for review", body = Created),
        (status = 422, description = "A missing or bad field, or an evidence file refused", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn record(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    multipart: Multipart,
) -> AppResult<(StatusCode, Json<Created>)> {
    let form = uploads::read_form(multipart, state.config.upload_limit_bytes).await?;
    let input = AchievementInput {
        title: form.text("title"),
        category: form.text("category"),
        achieved_on: form.text("achieved_on"),
        organiser: form.text("organiser"),
        description: form.text("description"),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = queries::student_of_user(&mut tx, principal.user_id).await?;
    let id = queries::record(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        student,
        &input,
        &form.files,
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A student's achievements (any status), for those who may read the student.
#[utoipa::path(get, path = "/api/v1/students/{id}/achievements", tag = "achievements", params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 200, description = "Newest first", body = [Achievement]),
        (status = 403, description = "Not a student this account may see", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn of_student(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Json<Vec<Achievement>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let list = queries::of_student(&mut tx, student).await?;
    tx.commit().await?;
    Ok(Json(list))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// submitted (default), approved, rejected or revoked.
    #[serde(default)]
    #[param(pattern = "^(submitted|approved|rejected|revoked)$")]
    pub status: String,
}

/// Achievements within the reviewer's reach by status (oldest waiting first).
#[utoipa::path(get, path = "/api/v1/achievements", tag = "achievements", params(QueueQuery), security(("bearer" = [])),
    responses((status = 200, description = "Up to 200", body = [Achievement])))]
pub async fn queue(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> AppResult<Json<Vec<Achievement>>> {
    let status = if query.status.is_empty() {
        "submitted"
    } else {
        query.status.as_str()
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = queries::queue(&mut tx, &grant, status).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Approves or rejects a submitted achievement, or revokes an approved one.
#[utoipa::path(post, path = "/api/v1/achievements/{id}/decision", tag = "achievements", request_body = DecisionInput, params(("id" = Uuid, Path, description = "The achievement's id")), security(("bearer" = [])),
    responses((status = 204, description = "Decided"),
        (status = 403, description = "Not an achievement this reviewer reaches (or their own)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An unknown decision or a missing reason", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn decide(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::decide(&mut tx, &context, &grant, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Issues the student's verified portfolio (approved achievements, academic summary) as
/// PDF with a verification code.
#[utoipa::path(post, path = "/api/v1/students/{id}/portfolio", tag = "achievements", params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 403, description = "Not a student this account may see", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn portfolio_pdf(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let issued = service::issue(
        &mut tx,
        &state.files,
        &context,
        &state.config.base_url(),
        student,
    )
    .await?;
    tx.commit().await?;
    Ok(attachment(issued.pdf, "application/pdf", &issued.file_name))
}

/// The activity points each category earns when approved.
#[utoipa::path(get, path = "/api/v1/activity-points", tag = "achievements", security(("bearer" = [])),
    responses((status = 200, description = "One rule per category", body = [Rule])))]
pub async fn rules(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Rule>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let rules = queries::rules(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(rules))
}

/// Sets the activity points of categories (those not listed keep theirs).
#[utoipa::path(put, path = "/api/v1/activity-points", tag = "achievements", request_body = [Rule], security(("bearer" = [])),
    responses((status = 204, description = "Saved"),
        (status = 422, description = "An unknown category or points out of 0 to 1,000", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn set_rules(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(rules): ApiJson<Vec<Rule>>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::set_rules(&mut tx, &context, &rules).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Student organizers and the categories each reviews.
#[utoipa::path(get, path = "/api/v1/achievement-organizers", tag = "achievements", security(("bearer" = [])),
    responses((status = 200, description = "Holders of the student organizer role", body = [Organizer])))]
pub async fn organizers(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Organizer>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = queries::organizers(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Sets the categories a student organizer reviews.
#[utoipa::path(put, path = "/api/v1/achievement-organizers", tag = "achievements", request_body = OrganizerInput, security(("bearer" = [])),
    responses((status = 204, description = "Saved"),
        (status = 422, description = "An unknown category, or a user without the role", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn set_organizer(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<OrganizerInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::set_organizer(&mut tx, &context, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
