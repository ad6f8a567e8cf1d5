//! Privacy on a student's profile page: erasing a former student, through a page of its
//! own that says what goes and what stays and asks for the student number typed again.

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
use crate::error::{AppError, AppResult, FieldError};
use crate::privacy::service::erase_now;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{Done, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "students/erase.html")]
struct ErasePage {
    chrome: Chrome,
    csrf: String,
    student: Uuid,
    name: String,
    first_name: String,
    /// Says which number to type.
    confirm_hint: String,
    status: String,
    /// The number as typed, when refused.
    confirm: String,
    errors: Errors,
}

/// The student's name, number and status, once the grant reaches them.
async fn student_of(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    student: Uuid,
) -> AppResult<crate::students::model::Profile> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, grant, student).await?;
    let profile = crate::students::queries::profile(&mut tx, student).await?;
    tx.commit().await?;
    Ok(profile)
}

async fn render_erase(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    jar: CookieJar,
    student: Uuid,
    confirm: String,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let profile = student_of(state, principal, grant, student).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let name = format!("{} {}", profile.first_name, profile.last_name);
    let page = ErasePage {
        chrome: Chrome::signed_in(
            format!("Erase {name}"),
            principal,
            csrf.clone(),
            "/students",
        ),
        csrf,
        student,
        name,
        first_name: profile.first_name,
        confirm_hint: format!("The student number is {}.", profile.student_number),
        status: profile.status,
        confirm,
        errors: errors.into(),
    };
    Ok((status, jar, render(&page)?).into_response())
}

/// The confirmation page: what is removed, what stays, and the number to type.
pub async fn erase_confirm(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_erase(
        &state,
        &principal,
        &grant,
        jar,
        student,
        String::new(),
        Vec::new(),
    )
    .await
}

/// The confirmation's form: the student number typed again.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct EraseForm {
    confirm: String,
}

/// Erases, once [`EraseForm`] confirms it, and goes back to the (now anonymous) record.
pub async fn erase_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
    Form(form): Form<EraseForm>,
) -> AppResult<Response> {
    let profile = student_of(&state, &principal, &grant, student).await?;
    let number = profile.student_number;
    let name = format!("{} {}", profile.first_name, profile.last_name);
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
        Ok(erased) => {
            return Ok(Done::to(format!("/students/{student}"))
                .message(format!(
                    "The personal data of {name} was erased; the record is now the anonymous {}",
                    erased.anonymous_number
                ))
                .respond(&state));
        }
        Err(AppError::Validation(errors)) => errors,
        Err(AppError::Conflict(message)) => vec![FieldError::new("erase", message)],
        Err(other) => return Err(other),
    };
    render_erase(&state, &principal, &grant, jar, student, typed, errors).await
}
