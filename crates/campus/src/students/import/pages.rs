//! The student import page: a CSV previewed with its problems listed, then imported.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::students::import::api::import_text;
use crate::students::import::model::ImportReport;
use crate::students::import::queries;
use crate::web::csrf;
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "students/import.html")]
struct ImportView {
    chrome: Chrome,
    csrf: String,
    report: Option<ImportReport>,
    error: Option<String>,
    upload_limit: String,
}

fn import_view(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    status: StatusCode,
    report: Option<ImportReport>,
    error: Option<String>,
) -> AppResult<Response> {
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let view = ImportView {
        chrome: Chrome::signed_in("Import students", principal, csrf.clone(), "/students"),
        csrf,
        report,
        error,
        upload_limit: format!("{} MB", state.config.upload_limit_bytes / (1024 * 1024)),
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn import_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    import_view(&state, &principal, jar, StatusCode::OK, None, None)
}

pub async fn import(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let refused = |message: String| {
        import_view(
            &state,
            &principal,
            jar.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(message),
        )
    };
    let form =
        match crate::files::uploads::read_form(multipart, state.config.upload_limit_bytes).await {
            Ok(form) => form,
            Err(AppError::Validation(errors)) => {
                return refused(
                    errors
                        .into_iter()
                        .map(|e| e.message)
                        .collect::<Vec<_>>()
                        .join("; "),
                );
            }
            Err(AppError::BadRequest(message)) => return refused(message),
            Err(other) => return Err(other),
        };
    let text = match import_text(&form) {
        Ok(text) => text,
        Err(AppError::Validation(errors)) => {
            return refused(
                errors
                    .into_iter()
                    .map(|e| e.message)
                    .collect::<Vec<_>>()
                    .join("; "),
            );
        }
        Err(AppError::BadRequest(message)) => return refused(message),
        Err(other) => return Err(other),
    };
    let preview = form.text("mode") != "import";
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    match queries::run(&mut tx, &context, &text, preview).await {
        Ok(report) => {
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
            import_view(&state, &principal, jar, status, Some(report), None)
        }
        Err(AppError::BadRequest(message)) => {
            tx.rollback().await?;
            refused(message)
        }
        Err(other) => Err(other),
    }
}
