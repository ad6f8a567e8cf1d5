//! Applications in the JSON API: the applicant's applications and their steps (start,
//! details, documents, submit, withdraw), and the admissions office's decisions.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::admissions::applications::model::{
    Application, ApplicationInput, DecisionInput, Details,
};
use crate::admissions::applications::{queries, service};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::AppResult;
use crate::files::uploads;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

/// The caller's applications.
#[utoipa::path(get, path = "/api/v1/me/applications", tag = "admissions", security(("bearer" = [])),
    responses((status = 200, description = "Newest first", body = [Application])))]
pub async fn mine(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Application>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = queries::of_user(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Starts an application to another open intake (or returns the one already started).
#[utoipa::path(post, path = "/api/v1/intakes/{id}/applications", tag = "admissions", params(("id" = Uuid, Path, description = "The intake's id")), security(("bearer" = [])),
    responses((status = 201, description = "The draft", body = Created),
        (status = 409, description = "The intake is not taking applications", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn start(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(intake): ApiPath<Uuid>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let (first, last) = principal
        .display_name
        .rsplit_once(' ')
        .map(|(f, l)| (f.to_string(), l.to_string()))
        .unwrap_or_else(|| (principal.display_name.clone(), "-".into()));
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = queries::start(&mut tx, &context, principal.user_id, intake, &first, &last).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// An application with its documents and history: for its applicant, or the office.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "admissions", params(("id" = Uuid, Path, description = "The application's id")), security(("bearer" = [])),
    responses((status = 200, description = "The application", body = Details),
        (status = 403, description = "Another applicant's", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn details(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Details>> {
    let manager = principal.can(Permission::AdmissionsManage);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = queries::details(&mut tx, principal.user_id, manager, id).await?;
    tx.commit().await?;
    Ok(Json(found))
}

/// Saves the applicant's details on their draft.
#[utoipa::path(put, path = "/api/v1/applications/{id}", tag = "admissions", request_body = ApplicationInput, params(("id" = Uuid, Path, description = "The application's id")), security(("bearer" = [])),
    responses((status = 204, description = "Saved"),
        (status = 409, description = "No longer a draft", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Bad fields", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn save(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::save(&mut tx, &context, principal.user_id, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The multipart form that attaches documents.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DocumentsForm {
    /// transcript, identity, photo or other.
    kind: String,
    /// Up to five files (pdf, images, office documents), checked against their type.
    #[schema(format = Binary)]
    file: Vec<String>,
}

/// Attaches documents of one kind to the applicant's draft.
#[utoipa::path(post, path = "/api/v1/applications/{id}/files", tag = "admissions", request_body(content = DocumentsForm, content_type = "multipart/form-data"), params(("id" = Uuid, Path, description = "The application's id")), security(("bearer" = [])),
    responses((status = 204, description = "Attached"),
        (status = 422, description = "A refused file, an unknown kind, too many documents", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn attach(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<StatusCode> {
    let form = uploads::read_form(multipart, state.config.upload_limit_bytes).await?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::attach(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        principal.user_id,
        id,
        &form.text("kind"),
        &form.files,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Submits the applicant's completed draft for review.
#[utoipa::path(post, path = "/api/v1/applications/{id}/submit", tag = "admissions", params(("id" = Uuid, Path, description = "The application's id")), security(("bearer" = [])),
    responses((status = 204, description = "Submitted"),
        (status = 422, description = "Something missing (each named), the fee unpaid, the intake closed", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::submit(&mut tx, &context, principal.user_id, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraws the applicant's application (not once decided).
#[utoipa::path(post, path = "/api/v1/applications/{id}/withdraw", tag = "admissions", params(("id" = Uuid, Path, description = "The application's id")), security(("bearer" = [])),
    responses((status = 204, description = "Withdrawn"),
        (status = 409, description = "Already decided", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn withdraw(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::withdraw(&mut tx, &context, principal.user_id, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Moves an application under review, accepts (within the seats left: the student
/// record and account are made and the applicant mailed), waitlists or rejects it.
#[utoipa::path(post, path = "/api/v1/applications/{id}/decision", tag = "admissions", request_body = DecisionInput, params(("id" = Uuid, Path, description = "The application's id")), security(("bearer" = [])),
    responses((status = 204, description = "Decided"),
        (status = 409, description = "No seat left, or a status it cannot move to", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An unknown status, or a rejection without a reason", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn decide(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    service::decide(&mut tx, &context, &state.config.base_url(), id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
