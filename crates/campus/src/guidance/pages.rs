//! Guidance note pages: a student's notes (the reading audited) and the form to add one,
//! which goes back to the notes saying so, or comes back refused (422) with the note
//! typed.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppResult, FieldError};
use crate::guidance::model::{Note, NoteInput};
use crate::guidance::queries;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "guidance/notes.html")]
struct NotesView {
    chrome: Chrome,
    csrf: String,
    student: Uuid,
    name: String,
    notes: Vec<Note>,
    /// The note typed, kept when it was refused.
    body: String,
    errors: Errors,
}

async fn render_notes(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    context: &AuditContext,
    jar: CookieJar,
    student: Uuid,
    again: Option<(String, Vec<FieldError>)>,
) -> AppResult<Response> {
    let (body, errors) = again.unwrap_or_default();
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, grant, student).await?;
    let list = queries::read(&mut tx, &state.config.field_keys, context, student).await?;
    let name: String = queries::student_name(&mut tx, student).await?;
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
        body,
        errors: errors.into(),
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
    render_notes(&state, &principal, &grant, &context, jar, student, None).await
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
    Form(sent): Form<NoteForm>,
) -> AppResult<Response> {
    let input = NoteInput { body: sent.body };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let result = queries::add(&mut tx, &state.config.field_keys, &context, student, &input).await;
    form::settle(&state, tx, result)
        .done(|_| Done::to(format!("/students/{student}/guidance")).message("Guidance note added."))
        .again(async |errors| {
            let again = Some((input.body, errors));
            render_notes(&state, &principal, &grant, &context, jar, student, again).await
        })
        .await
}
