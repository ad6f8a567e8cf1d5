//! A student's issued documents and their revocation in the JSON API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::documents::lifecycle::model::{IssuedLine, RevokeInput};
use crate::documents::lifecycle::queries;
use crate::error::AppResult;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

/// A student's issued documents, newest first, with revocations and supersessions.
#[utoipa::path(get, path = "/api/v1/students/{id}/documents", tag = "documents", params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 200, description = "Newest first", body = [IssuedLine])))]
pub async fn list_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Json<Vec<IssuedLine>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let list = queries::of_student(&mut tx, student).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Revokes an issued document with a reason its verification page shows from now on.
#[utoipa::path(post, path = "/api/v1/documents/{id}/revoke", tag = "documents", request_body = RevokeInput, params(("id" = Uuid, Path, description = "The issued document's id")), security(("bearer" = [])),
    responses((status = 204, description = "Revoked"),
        (status = 409, description = "Revoked already", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn revoke_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RevokeInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = queries::revoke(&mut tx, &context, id, &input).await?;
    authorize_student(&mut tx, &grant, student).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
