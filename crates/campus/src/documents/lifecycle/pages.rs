//! Revoking an issued document from the student's page: a page of its own that names
//! the document and what the revocation does, with the reason to give; the revocation
//! then goes back to the student's documents, saying so.

use askama::Template;
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
use crate::documents::lifecycle::model::{IssuedLine, RevokeInput};
use crate::documents::lifecycle::queries;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "documents/revoke.html")]
struct RevokePage {
    chrome: Chrome,
    csrf: String,
    document: IssuedLine,
    student: Uuid,
    student_name: String,
    college_slug: String,
    /// The reason as typed, when refused.
    reason: String,
    errors: Errors,
}

async fn render_revoke(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    jar: CookieJar,
    id: Uuid,
    reason: String,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (student, document) = queries::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    authorize_student(&mut tx, grant, student).await?;
    let profile = crate::students::queries::profile(&mut tx, student).await?;
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = RevokePage {
        chrome: Chrome::signed_in(
            format!("Revoke a {}", document.kind_label().to_lowercase()),
            principal,
            csrf.clone(),
            "/students",
        ),
        csrf,
        document,
        student,
        student_name: format!("{} {}", profile.first_name, profile.last_name),
        college_slug: principal.college_slug.clone(),
        reason,
        errors: errors.into(),
    };
    Ok((status, jar, render(&page)?).into_response())
}

/// The confirmation before a document is revoked, with the reason to give.
pub async fn revoke_confirm(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_revoke(
        &state,
        &principal,
        &grant,
        jar,
        id,
        String::new(),
        Vec::new(),
    )
    .await
}

/// The confirmation's form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    reason: String,
}

/// Revokes, then goes back to the student's documents, saying so.
pub async fn revoke_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    axum::Form(form): axum::Form<RevokeForm>,
) -> AppResult<Response> {
    let input = RevokeInput {
        reason: form.reason,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (student, document) = queries::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    authorize_student(&mut tx, &grant, student).await?;
    let result = queries::revoke(&mut tx, &context, id, &input).await;
    let message = format!(
        "{} {} revoked; its verification page says so",
        document.kind_label(),
        document.shown_code()
    );
    form::settle(&state, tx, result)
        .conflict_on("reason")
        .done(|student| Done::to(format!("/students/{student}#issued")).message(message))
        .again(async |errors| {
            render_revoke(
                &state,
                &principal,
                &grant,
                jar,
                id,
                input.reason.clone(),
                errors,
            )
            .await
        })
        .await
}
