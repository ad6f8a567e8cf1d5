//! Guidance notes in pages and the JSON API.

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppResult, FieldError};
use crate::guidance::notes::{self, Note, NoteInput};
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

/// A student's guidance notes, newest first. Every reading is audited.
#[utoipa::path(get, path = "/api/v1/students/{id}/guidance-notes", tag = "guidance", params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 200, description = "The notes", body = [Note]),
        (status = 403, description = "Not a counselor (or an admin the college allows)", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Json<Vec<Note>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let list = notes::read(&mut tx, &state.config.field_keys, &context, student).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Adds a guidance note on a student (kept encrypted).
#[utoipa::path(post, path = "/api/v1/students/{id}/guidance-notes", tag = "guidance", request_body = NoteInput, params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 201, description = "Added", body = Created),
        (status = 422, description = "Empty or too long", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn add(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NoteInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let id = notes::add(&mut tx, &state.config.field_keys, &context, student, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Template)]
#[template(path = "guidance/notes.html")]
struct NotesView {
    chrome: Chrome,
    csrf: String,
    student: Uuid,
    name: String,
    notes: Vec<Note>,
    errors: Vec<FieldError>,
}

async fn render_notes(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    context: &AuditContext,
    jar: CookieJar,
    student: Uuid,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, grant, student).await?;
    let list = notes::read(&mut tx, &state.config.field_keys, context, student).await?;
    let name: String = sqlx::query_scalar!(
        "SELECT first_name || ' ' || last_name AS \"v!\" FROM students WHERE id = $1",
        student
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = NotesView {
        chrome: Chrome::signed_in(
            format!("Guidance notes: {name}"),
            principal,
            csrf.clone(),
            "/students",
        ),
        csrf,
        student,
        name,
        notes: list,
        errors,
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_notes(
        &state,
        &principal,
        &grant,
        &context,
        jar,
        student,
        Vec::new(),
    )
    .await
}

/// The "add a guidance note" form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NoteForm {
    body: String,
}

pub async fn add_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
    Form(form): Form<NoteForm>,
) -> AppResult<Response> {
    let input = NoteInput { body: form.body };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let result = notes::add(&mut tx, &state.config.field_keys, &context, student, &input).await;
    form::settle(&state, tx, result)
        .done(|_| Done::to(format!("/students/{student}/guidance")).message("Guidance note added."))
        .again(async |errors| {
            render_notes(&state, &principal, &grant, &context, jar, student, errors).await
        })
        .await
}
