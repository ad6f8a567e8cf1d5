//! A register's import page: a CSV previewed with its problems listed (on the page the
//! file was sent to: nothing is written, and the file is not kept), then imported (back
//! to the register's list, saying what was written).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;

use super::Register;
use super::import::{self, Report};
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::form::{Done, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "setup/import.html")]
struct ImportPage {
    chrome: Chrome,
    csrf: String,
    area: (&'static str, &'static str),
    title: &'static str,
    many: &'static str,
    list_href: &'static str,
    action: &'static str,
    required: &'static [&'static str],
    optional: &'static [&'static str],
    example: String,
    report: Option<Report>,
    errors: Errors,
    upload_limit: String,
}

fn view<R: Register>(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    status: StatusCode,
    report: Option<Report>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let import = R::IMPORT.ok_or(AppError::NotFound)?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let title = format!("Import {}", R::MANY);
    let page = ImportPage {
        chrome: Chrome::signed_in(title, principal, csrf.clone(), R::PATHS.list),
        csrf,
        area: R::AREA,
        title: R::TITLE,
        many: R::MANY,
        list_href: R::PATHS.list,
        action: import.page,
        required: import.required,
        optional: import.optional,
        example: [import.required, import.optional].concat().join(",") + "\n" + import.example,
        report,
        errors: errors.into(),
        upload_limit: format!("{} MB", state.config.upload_limit_bytes / (1024 * 1024)),
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn page<R: Register>(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    view::<R>(&state, &principal, jar, StatusCode::OK, None, Vec::new())
}

/// An upload refused before its rows were read: its message, under the file field.
fn refusal(error: AppError) -> Result<Vec<FieldError>, AppError> {
    match error {
        AppError::Validation(errors) => Ok(errors
            .into_iter()
            .map(|e| FieldError::new("file", e.message))
            .collect()),
        AppError::BadRequest(message) => Ok(vec![FieldError::new("file", message)]),
        other => Err(other),
    }
}

pub async fn import<R: Register>(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let refused = |errors: Vec<FieldError>| {
        view::<R>(
            &state,
            &principal,
            jar.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            errors,
        )
    };
    let form =
        match crate::files::uploads::read_form(multipart, state.config.upload_limit_bytes).await {
            Ok(form) => form,
            Err(error) => return refused(refusal(error)?),
        };
    let text = match form.text_file() {
        Ok(text) => text,
        Err(error) => return refused(refusal(error)?),
    };
    let preview = form.text("mode") != "import";
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    match import::run::<R>(&mut tx, &context, &text, preview).await {
        Ok(report) if report.committed => {
            tx.commit().await?;
            Ok(Done::to(R::PATHS.list)
                .message(format!(
                    "Imported {} rows: {} new {}, {} updated",
                    report.rows,
                    report.created,
                    R::MANY,
                    report.updated
                ))
                .respond(&state))
        }
        Ok(report) => {
            tx.rollback().await?;
            let status = if report.error_count > 0 {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            view::<R>(&state, &principal, jar, status, Some(report), Vec::new())
        }
        Err(AppError::BadRequest(message)) => {
            tx.rollback().await?;
            refused(vec![FieldError::new("file", message)])
        }
        Err(other) => Err(other),
    }
}
