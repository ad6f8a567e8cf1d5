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
use crate::error::{AppError, AppResult, FieldError};
use crate::students::records::{self, Profile, SearchPage, SearchQuery, StatusInput};
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
    let page = records::search(&mut tx, &grant, &query).await?;
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
    let mut profile = records::profile(&mut tx, student).await?;
    if !records::sees_personal_details(&mut tx, &principal, student).await? {
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
    records::change_status(&mut tx, &context, student, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The multipart form of an import.
#[derive(utoipa::ToSchema)]
#[schema(as = StudentImportForm)]
#[allow(dead_code)]
pub struct ImportForm {
    /// `false` to write; anything else (or nothing) previews.
    preview: Option<String>,
    /// The CSV: student_number, first_name, last_name, program, admitted_on; optional
    /// email, date_of_birth, phone, address, year_of_study, status; guardians as
    /// guardian_ and guardian2_ with first_name, last_name, email, phone, relationship.
    #[schema(format = Binary)]
    file: String,
}

/// Imports students with their guardians from CSV: a preview reports every problem by
/// line and column; an import writes all rows or none, and a re-run changes nothing.
#[utoipa::path(post, path = "/api/v1/students/import", tag = "students", request_body(content = ImportForm, content_type = "multipart/form-data"), security(("bearer" = [])),
    responses((status = 200, description = "Previewed, or written (`committed`)", body = crate::students::import::ImportReport),
        (status = 422, description = "Problems found, nothing written (the report); or no file (problem details)", content((crate::students::import::ImportReport = "application/json"), (ProblemDocument = "application/problem+json"))),
        (status = 400, description = "Not a CSV Campus can read, or its header lacks a required column", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    multipart: axum::extract::Multipart,
) -> AppResult<(StatusCode, Json<crate::students::import::ImportReport>)> {
    let form = crate::files::uploads::read_form(multipart, state.config.upload_limit_bytes).await?;
    let text = import_text(&form)?;
    let preview = form.text("preview").trim() != "false";
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let report = crate::students::import::run(&mut tx, &context, &text, preview).await?;
    if report.committed {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    let status = if report.error_count > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)))
}

/// The CSV of an import form, as UTF-8 text.
pub fn import_text(form: &crate::files::uploads::FormData) -> Result<String, AppError> {
    let Some(file) = form.files.first() else {
        return Err(AppError::Validation(vec![crate::error::FieldError::new(
            "file",
            "choose a CSV file",
        )]));
    };
    String::from_utf8(file.bytes.clone()).map_err(|_| {
        AppError::Validation(vec![FieldError::new(
            "file",
            "is not UTF-8 text; save the spreadsheet as CSV UTF-8",
        )])
    })
}
