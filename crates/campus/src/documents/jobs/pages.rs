//! The registrar's printing page: a program's report cards for a term as one job, and
//! the recent jobs.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::documents::jobs::model::{JobView, NewJobInput};
use crate::documents::jobs::queries;
use crate::error::{AppResult, FieldError};
use crate::web::csrf;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "documents/printing.html")]
struct PrintingPage {
    chrome: Chrome,
    csrf: String,
    programs: Vec<(Uuid, String)>,
    terms: Vec<(Uuid, String)>,
    jobs: Vec<JobView>,
    /// The program and term chosen, kept when the form is refused.
    program_id: String,
    term_id: String,
    errors: Errors,
}

async fn render_page(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    chosen: (String, String),
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let programs = queries::program_options(&mut tx).await?;
    let terms = queries::term_options(&mut tx).await?;
    let jobs = queries::recent(&mut tx).await?;
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
        program_id: chosen.0,
        term_id: chosen.1,
        errors: errors.into(),
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_page(&state, &principal, jar, Default::default(), Vec::new()).await
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
    let chosen = (form.program_id.clone(), form.term_id.clone());
    let (Some(program_id), Some(term_id)) = (id(&form.program_id), id(&form.term_id)) else {
        let errors = vec![FieldError::new("program_id", "choose a program and a term")];
        return render_page(&state, &principal, jar, chosen, errors).await;
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let input = NewJobInput {
        program_id,
        term_id,
    };
    let result = queries::create(&mut tx, &context, &input).await;
    form::settle(&state, tx, result)
        .done(|_| {
            Done::to("/documents/report-cards")
                .message("Report cards queued; follow the job in the list below.")
        })
        .again(async |errors| render_page(&state, &principal, jar, chosen, errors).await)
        .await
}
