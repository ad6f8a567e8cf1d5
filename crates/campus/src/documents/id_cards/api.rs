//! Identity cards and student photos in the JSON API (the card also for the student's
//! page, which posts to the same handler).

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::documents::id_cards::service;
use crate::error::AppResult;
use crate::files::uploads;
use crate::web::attachment::attachment;
use crate::web::errors::ProblemDocument;
use crate::web::extract::ApiPath;

/// A student's identity card as PDF (for the student and those who may read them).
#[utoipa::path(post, path = "/api/v1/students/{id}/id-card", tag = "documents", params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 200, description = "The PDF, with a verification code", content_type = "application/pdf"),
        (status = 403, description = "Not a student this account may see", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Not a current student", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn download(
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

/// The multipart form of a photo.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct PhotoForm {
    /// A PNG, JPEG or GIF photograph.
    #[schema(format = Binary)]
    file: String,
}

/// Puts a photograph on a student's record (the identity card prints the latest).
#[utoipa::path(post, path = "/api/v1/students/{id}/photo", tag = "students", request_body(content = PhotoForm, content_type = "multipart/form-data"), params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 204, description = "Stored"),
        (status = 422, description = "Not an image, or too big", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_photo(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<StatusCode> {
    let form = uploads::read_form(multipart, state.config.upload_limit_bytes).await?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    service::store_photo(
        &mut tx, &state, &principal, &grant, &context, student, &form,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
