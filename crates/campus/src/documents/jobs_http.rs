//! Report card jobs over HTTP: the registrar's printing page and the API.

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::documents::jobs::{self, JobView, NewJobInput};
use crate::error::{AppError, AppResult, FieldError};
use crate::web::attachment::attachment;
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct JobCreated {
    pub id: Uuid,
}

/// Asks for every report card of a program's students for a term, as one ZIP of PDFs.
#[utoipa::path(post, path = "/api/v1/report-card-jobs", tag = "documents", request_body = NewJobInput, security(("bearer" = [])),
    responses((status = 202, description = "Queued; follow it at /api/v1/report-card-jobs/{id}", body = JobCreated),
        (status = 422, description = "No such program or term, or nobody to print", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn create_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<NewJobInput>,
) -> AppResult<(StatusCode, Json<JobCreated>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = jobs::create(&mut tx, &context, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::ACCEPTED, Json(JobCreated { id })))
}

/// A job's progress.
#[utoipa::path(get, path = "/api/v1/report-card-jobs/{id}", tag = "documents", params(("id" = Uuid, Path, description = "The job's id")), security(("bearer" = [])),
    responses((status = 200, description = "Status and progress", body = JobView)))]
pub async fn show_api(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<JobView>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let job = jobs::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(job))
}

/// The finished job's ZIP of report cards.
#[utoipa::path(get, path = "/api/v1/report-card-jobs/{id}/download", tag = "documents", params(("id" = Uuid, Path, description = "The job's id")), security(("bearer" = [])),
    responses((status = 200, description = "A ZIP of PDFs", content_type = "application/zip"),
        (status = 404, description = "No such job, or not finished", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn download(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let key = jobs::file_of(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let bytes = state.files.get(&key).await?;
    Ok(attachment(
        bytes,
        "application/zip",
        &format!("report-cards-{id}.zip"),
    ))
}

#[derive(Template)]
#[template(path = "documents/printing.html")]
struct PrintingPage {
    chrome: Chrome,
    csrf: String,
    programs: Vec<(Uuid, String)>,
    terms: Vec<(Uuid, String)>,
    jobs: Vec<JobView>,
    errors: Vec<FieldError>,
}

async fn render_page(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let programs: Vec<(Uuid, String)> =
        sqlx::query!("SELECT id, code || ': ' || name AS \"label!\" FROM programs ORDER BY code")
            .fetch_all(&mut *tx)
            .await
            .map(|v| v.into_iter().map(|r| (r.id, r.label)).collect::<Vec<_>>())?;
    let terms: Vec<(Uuid, String)> = sqlx::query!("SELECT t.id, t.name || ' (' || y.name || ')' AS \"label!\" FROM terms t \
         JOIN academic_years y ON y.college_id = t.college_id AND y.id = t.academic_year_id ORDER BY t.starts_on DESC")
    .fetch_all(&mut *tx)
    .await.map(|v| v.into_iter().map(|r| (r.id, r.label)).collect::<Vec<_>>())?;
    let jobs = jobs::recent(&mut tx).await?;
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = PrintingPage {
        chrome: Chrome::signed_in("Print report cards", principal, csrf.clone(), "/results"),
        csrf,
        programs,
        terms,
        jobs,
        errors,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_page(&state, &principal, jar, Vec::new()).await
}

/// The "print a program's report cards" form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReportCardJobForm {
    program_id: String,
    term_id: String,
}

pub async fn create_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<ReportCardJobForm>,
) -> AppResult<Response> {
    let id = |value: &str| Uuid::parse_str(value.trim()).ok();
    let (Some(program_id), Some(term_id)) = (id(&form.program_id), id(&form.term_id)) else {
        let errors = vec![FieldError::new("program_id", "choose a program and a term")];
        return render_page(&state, &principal, jar, errors).await;
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let input = NewJobInput {
        program_id,
        term_id,
    };
    let result = jobs::create(&mut tx, &context, &input).await;
    form::settle(&state, tx, result)
        .done(|_| Done::to("/documents/report-cards").message("Report cards queued."))
        .again(async |errors| render_page(&state, &principal, jar, errors).await)
        .await
}
