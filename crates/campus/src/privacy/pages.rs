//! Privacy on a student's profile page: the erase form, confirmed by typing the student
//! number again.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::privacy::queries;
use crate::privacy::service::erase_now;
use crate::web::extract::ApiPath;

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
        let n = queries::student_number(&mut tx, student).await?;
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
