//! Privacy requests in the API and on a student's page.

use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::privacy::{self, Erased};
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
    let (name, zipped) = privacy::export(&mut tx, &state.files, &context, student).await?;
    tx.commit().await?;
    Ok(attachment(zipped, "application/zip", &name))
}

async fn erase_now(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    context: &AuditContext,
    student: Uuid,
) -> AppResult<Erased> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, grant, student).await?;
    let erased = privacy::erase(&mut tx, context, student).await?;
    tx.commit().await?;
    for key in &erased.file_keys {
        // A file left behind is unreferenced (and unreachable); say so, do not fail.
        if let Err(e) = state.files.delete(key).await {
            tracing::warn!(error = %e, "an erased student's file stays in storage");
        }
    }
    Ok(erased)
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

/// The profile's erase form: the student number typed again, as a confirmation.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct EraseForm {
    confirm: String,
}

/// Erases from the profile page, once [`EraseForm`] confirms it.
pub async fn erase_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
    Form(form): Form<EraseForm>,
) -> AppResult<Response> {
    let number: Option<String> = {
        let mut tx = begin_for_college(&state.db, principal.college).await?;
        let n = sqlx::query_scalar!("SELECT student_number FROM students WHERE id = $1", student)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        n
    };
    let number = number.ok_or(AppError::NotFound)?;
    let typed = form.confirm;
    let outcome = if typed.trim().to_uppercase() != number {
        Err(AppError::Validation(vec![FieldError::new(
            "confirm",
            format!("type the student number {number} to confirm"),
        )]))
    } else {
        erase_now(&state, &principal, &grant, &context, student).await
    };
    let errors = match outcome {
        Ok(_) => Vec::new(),
        Err(AppError::Validation(errors)) => errors,
        Err(AppError::Conflict(message)) => vec![FieldError::new("erase", message)],
        Err(other) => return Err(other),
    };
    crate::students::pages::render_profile(&state, &principal, jar, student, errors)
        .await
        .map(IntoResponse::into_response)
}
