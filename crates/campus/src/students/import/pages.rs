//! The student import page: a CSV previewed with its problems listed (on the page the
//! file was sent to: nothing is written, and the file is not kept), then imported (and
//! back to the page, saying what was written).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::students::import::api::import_text;
use crate::students::import::model::ImportReport;
use crate::students::import::queries;
use crate::web::csrf;
use crate::web::form::{Done, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "students/import.html")]
struct ImportView {
    chrome: Chrome,
    csrf: String,
    report: Option<ImportReport>,
    errors: Errors,
    upload_limit: String,
}

fn import_view(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    status: StatusCode,
    report: Option<ImportReport>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let view = ImportView {
        chrome: Chrome::signed_in("Import students", principal, csrf.clone(), "/students"),
        csrf,
        report,
        errors: errors.into(),
        upload_limit: format!("{} MB", state.config.upload_limit_bytes / (1024 * 1024)),
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn import_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    import_view(&state, &principal, jar, StatusCode::OK, None, Vec::new())
}

/// An upload refused before it was read: its messages, under the file field.
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

pub async fn import(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let refused = |errors: Vec<FieldError>| {
        import_view(
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
    let text = match import_text(&form) {
        Ok(text) => text,
        Err(error) => return refused(refusal(error)?),
    };
    let preview = form.text("mode") != "import";
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    match queries::run(&mut tx, &context, &text, preview).await {
        Ok(report) if report.committed => {
            tx.commit().await?;
            Ok(Done::to("/students/import")
                .message(format!(
                    "Imported {} rows: {} new students, {} updated, {} new guardians, {} new links",
                    report.rows,
                    report.students_new,
                    report.students_existing,
                    report.guardians_new,
                    report.links_new
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
            import_view(&state, &principal, jar, status, Some(report), Vec::new())
        }
        Err(AppError::BadRequest(message)) => {
            tx.rollback().await?;
            refused(vec![FieldError::new("file", message)])
        }
        Err(other) => Err(other),
    }
}
