//! Privacy in the JSON API: a student's data as a ZIP (also the profile page's
//! download), and their erasure.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::AppResult;
use crate::privacy::model::Erased;
use crate::privacy::service::{self, erase_now};
use crate::web::attachment::attachment;
use crate::web::errors::ProblemDocument;
use crate::web::extract::ApiPath;

/// Everything held about one student: a ZIP of `student.json` and their files.
#[utoipa::path(get, path = "/api/v1/students/{id}/export", tag = "privacy", params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 200, description = "The ZIP", content_type = "application/zip"),
        (status = 404, description = "No such student", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn export(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let (name, zipped) = service::export(&mut tx, &state.files, &context, student).await?;
    tx.commit().await?;
    Ok(attachment(zipped, "application/zip", &name))
}

/// Erases a former student's personal data once the retention period has passed; the
/// academic record stays, anonymous.
#[utoipa::path(post, path = "/api/v1/students/{id}/erase", tag = "privacy", params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 200, description = "Erased", body = Erased),
        (status = 409, description = "Not a former student", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "The retention period has not passed", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn erase(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Json<Erased>> {
    Ok(Json(
        erase_now(&state, &principal, &grant, &context, student).await?,
    ))
}
