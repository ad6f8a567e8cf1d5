//! A register's import page: a CSV previewed with its problems listed (on the page the
//! file was sent to: nothing is written, and the file is not kept), then imported (back
//! to the register's list, saying what was written).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use sqlx::PgConnection;

use super::Register;
use super::import::{self, Import, Report};
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

/// What an import page says of the records it takes, and where it sits.
#[derive(Debug, Clone, Copy)]
pub struct ImportWords {
    /// The area's words and address, for the breadcrumbs.
    pub area: (&'static str, &'static str),
    /// The list's title and address.
    pub title: &'static str,
    pub list_href: &'static str,
    /// The records, plural ("rooms").
    pub many: &'static str,
    pub import: Import,
}

impl ImportWords {
    fn of<R: Register>() -> Result<ImportWords, AppError> {
        Ok(ImportWords {
            area: R::AREA,
            title: R::TITLE,
            list_href: R::PATHS.list,
            many: R::MANY,
            import: R::IMPORT.ok_or(AppError::NotFound)?,
        })
    }
}

/// The import page, with a preview's report or the file's refusal.
pub fn view(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    status: StatusCode,
    words: &ImportWords,
    report: Option<Report>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let import = words.import;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let title = format!("Import {}", words.many);
    let page = ImportPage {
        chrome: Chrome::signed_in(title, principal, csrf.clone(), words.list_href),
        csrf,
        area: words.area,
        title: words.title,
        many: words.many,
        list_href: words.list_href,
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
    view(
        &state,
        &principal,
        jar,
        StatusCode::OK,
        &ImportWords::of::<R>()?,
        None,
        Vec::new(),
    )
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
    let words = ImportWords::of::<R>()?;
    handle(
        &state,
        &principal,
        jar,
        multipart,
        &words,
        async |conn, text, preview| import::run::<R>(conn, &context, text, preview).await,
    )
    .await
}

/// An import form sent: previewed (the report on the page), or imported (back to the
/// list saying what was written), or refused (the file's problem by its field).
pub async fn handle(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    multipart: axum::extract::Multipart,
    words: &ImportWords,
    run: impl AsyncFnOnce(&mut PgConnection, &str, bool) -> Result<Report, AppError>,
) -> AppResult<Response> {
    let refused = |errors: Vec<FieldError>| {
        view(
            state,
            principal,
            jar.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            words,
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
    match run(&mut tx, &text, preview).await {
        Ok(report) if report.committed => {
            tx.commit().await?;
            Ok(Done::to(words.list_href)
                .message(format!(
                    "Imported {} rows: {} new {}, {} updated",
                    report.rows, report.created, words.many, report.updated
                ))
                .respond(state))
        }
        Ok(report) => {
            tx.rollback().await?;
            let status = if report.error_count > 0 {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            view(
                state,
                principal,
                jar,
                status,
                words,
                Some(report),
                Vec::new(),
            )
        }
        Err(AppError::BadRequest(message)) => {
            tx.rollback().await?;
            refused(vec![FieldError::new("file", message)])
        }
        Err(other) => Err(other),
    }
}
