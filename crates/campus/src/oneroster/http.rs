//! OneRoster in pages and the JSON API.

use askama::Template;
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::IntoParams;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::files::uploads::{self, FormData};
use crate::oneroster::import::{self, Options, Report};
use crate::oneroster::queries;
use crate::web::attachment::attachment;
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::ApiQuery;
use crate::web::form::{Done, Errors};
use crate::web::layout::{Chrome, render};

/// The multipart form of an import.
#[derive(utoipa::ToSchema)]
#[schema(as = OneRosterImportForm)]
#[allow(dead_code)]
pub struct ImportForm {
    /// `false` to write; anything else (or nothing) previews.
    preview: Option<String>,
    /// The program (code) new students join: OneRoster has no programs.
    program: Option<String>,
    /// The department (code) for courses and teachers of no known department.
    department: Option<String>,
    /// The OneRoster 1.1 or 1.2 bulk archive (ZIP).
    #[schema(format = Binary)]
    file: String,
}

async fn run(
    state: &AppState,
    principal: &Principal,
    context: &AuditContext,
    form: &FormData,
    preview: bool,
) -> AppResult<Report> {
    let Some(file) = form.files.first() else {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            "choose the OneRoster ZIP archive",
        )]));
    };
    let options = Options {
        preview,
        program: form.text("program"),
        department: form.text("department"),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let report = import::run(&mut tx, context, &file.bytes, &options).await?;
    if report.committed {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(report)
}

/// Imports a OneRoster 1.1 or 1.2 bulk archive: a preview names every problem by file,
/// line and column; an import writes all or nothing; a second import of the same archive
/// updates the records it made.
#[utoipa::path(post, path = "/api/v1/oneroster/import", tag = "interop", request_body(content = ImportForm, content_type = "multipart/form-data"), security(("bearer" = [])),
    responses((status = 200, description = "Previewed, or written (`committed`)", body = Report),
        (status = 422, description = "Problems found, nothing written (the report); or no archive (problem details)", content((Report = "application/json"), (ProblemDocument = "application/problem+json"))),
        (status = 400, description = "Not an archive Campus takes (a zip bomb, paths outside it, no manifest...)", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    multipart: Multipart,
) -> AppResult<(StatusCode, Json<Report>)> {
    let form = uploads::read_form(multipart, state.config.upload_limit_bytes).await?;
    let preview = form.text("preview").trim() != "false";
    let report = run(&state, &principal, &context, &form, preview).await?;
    let status = if report.problem_count > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `1.1` or `1.2` (the default).
    #[serde(default)]
    #[param(pattern = "^1\\.[12]$")]
    pub version: String,
}

/// The college as a OneRoster bulk archive (ZIP), version 1.1 or 1.2.
#[utoipa::path(get, path = "/api/v1/oneroster/export", tag = "interop", params(ExportQuery), security(("bearer" = [])),
    responses((status = 200, description = "The archive", content_type = "application/zip"),
        (status = 403, description = "Also needs students.personal for the whole college", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An unknown version", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn export(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> AppResult<Response> {
    // The archive carries every student's birth date and contacts: whoever exports it
    // must also be one who may read them, for the whole college.
    if principal
        .grant(crate::access::permissions::Permission::StudentsPersonal)
        .is_none_or(|g| g.scope < crate::access::permissions::Scope::College)
    {
        return Err(AppError::Forbidden);
    }
    let version = if query.version.is_empty() {
        "1.2"
    } else {
        query.version.as_str()
    };
    if !["1.1", "1.2"].contains(&version) {
        return Err(AppError::Validation(vec![FieldError::new(
            "version",
            "must be 1.1 or 1.2",
        )]));
    }
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (name, bytes) = crate::oneroster::export::export(&mut tx, version).await?;
    audit::record(
        &mut tx,
        &context,
        Entry::new("oneroster.exported")
            .after(serde_json::json!({ "version": version, "bytes": bytes.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok(attachment(bytes, "application/zip", &name))
}

#[derive(Template)]
#[template(path = "oneroster/page.html")]
struct PageView {
    chrome: Chrome,
    csrf: String,
    programs: Vec<(String, String)>,
    departments: Vec<(String, String)>,
    /// The program and department chosen, kept when a preview is shown.
    program: String,
    department: String,
    /// The preview of the archive just sent (nothing written), or its problems.
    report: Option<Report>,
    /// The latest import written, from the audit trail.
    latest: Option<LatestImport>,
    errors: Errors,
}

/// What the latest import wrote, as its audit entry recorded it.
struct LatestImport {
    at: OffsetDateTime,
    actor: Option<String>,
    figures: Figures,
}

/// The figures of an import's report, as recorded in the audit trail.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Figures {
    version: String,
    years_new: usize,
    terms_new: usize,
    courses_new: usize,
    sections_new: usize,
    students_new: usize,
    students_existing: usize,
    staff_new: usize,
    guardians_new: usize,
    links_new: usize,
    enrollments: usize,
    teaching: usize,
    dropped: usize,
    deactivated: usize,
}

/// The page's form as sent: the choices to show again.
#[derive(Default)]
struct Chosen {
    program: String,
    department: String,
}

async fn render_page(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    chosen: Chosen,
    report: Option<Report>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let programs = queries::program_options(&mut tx).await?;
    let departments = queries::department_options(&mut tx).await?;
    let latest = audit::pages::latest(&mut tx, "oneroster.imported")
        .await?
        .map(|(at, actor, after)| LatestImport {
            at,
            actor,
            figures: after
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default(),
        });
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let view = PageView {
        chrome: Chrome::signed_in("OneRoster", principal, csrf.clone(), "/admin"),
        csrf,
        programs,
        departments,
        program: chosen.program,
        department: chosen.department,
        report,
        latest,
        errors: errors.into(),
    };
    Ok((jar, render(&view)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_page(&state, &principal, jar, Chosen::default(), None, Vec::new()).await
}

/// The page's import form. A preview (nothing written) is shown at once, with its
/// problems; an import that writes goes back to the page, whose "latest import" shows
/// what it did (from the audit trail: the upload itself is not kept).
pub async fn import_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    multipart: Multipart,
) -> AppResult<Response> {
    let mut chosen = Chosen::default();
    let outcome = match uploads::read_form(multipart, state.config.upload_limit_bytes).await {
        Ok(form) => {
            chosen = Chosen {
                program: form.text("program"),
                department: form.text("department"),
            };
            let preview = form.text("mode") != "import";
            run(&state, &principal, &context, &form, preview).await
        }
        Err(e) => Err(e),
    };
    let (report, errors) = match outcome {
        Ok(report) if report.committed => {
            let message = format!(
                "OneRoster {} archive imported: {} new students, {} new staff, {} new guardians, {} enrollments",
                report.version,
                report.students_new,
                report.staff_new,
                report.guardians_new,
                report.enrollments
            );
            return Ok(Done::to("/admin/oneroster#latest")
                .message(message)
                .respond(&state));
        }
        Ok(report) => (Some(report), Vec::new()),
        Err(AppError::BadRequest(message)) => (None, vec![FieldError::new("file", message)]),
        Err(AppError::Validation(errors)) => (
            None,
            errors
                .into_iter()
                .map(|e| FieldError::new("file", e.message))
                .collect(),
        ),
        Err(other) => return Err(other),
    };
    let refused = !errors.is_empty() || report.as_ref().is_some_and(|r| r.problem_count > 0);
    let mut page = render_page(&state, &principal, jar, chosen, report, errors).await?;
    if refused {
        *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(page)
}
