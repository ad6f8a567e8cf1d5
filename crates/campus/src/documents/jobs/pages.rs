//! The registrar's printing page: a program's report cards or hall tickets for a term as
//! one job, and
//! the recent jobs, each unfinished one's progress bar kept current by live updates.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::{Permission, Scope};
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::documents::jobs::model::{JobView, NewJobInput, topic};
use crate::documents::jobs::queries;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::ApiPath;
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

impl PrintingPage {
    /// Whether a job is still to finish, so the page follows it live.
    fn following(&self) -> bool {
        self.jobs.iter().any(JobView::unfinished)
    }
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
        chrome: Chrome::signed_in("Print for a program", principal, csrf.clone(), "/results"),
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
    /// `report_cards` or `hall_tickets`.
    kind: String,
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
        // The form's empty choice is the default.
        kind: Some(form.kind.clone()).filter(|k| !k.trim().is_empty()),
    };
    let what = if form.kind == "hall_tickets" {
        "Hall tickets"
    } else {
        "Report cards"
    };
    let result = queries::create(&mut tx, &context, &input).await;
    form::settle(&state, tx, result)
        .done(|_| {
            Done::to("/documents/report-cards")
                .message(format!("{what} queued; follow the job in the list below."))
        })
        .again(async |errors| render_page(&state, &principal, jar, chosen, errors).await)
        .await
}

/// Server-sent events telling the printing page that a job moved on (claimed, a batch of
/// cards done, finished or failed): the page then fetches itself again and replaces the
/// job's row, its progress bar included. For whoever may print for the whole college,
/// as long as they still may.
pub async fn job_events(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(job): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = queries::find(&mut tx, job).await?;
    tx.commit().await?;
    found.ok_or(AppError::NotFound)?;
    let recheck = crate::identity::signin::authenticate::recheck(
        &state,
        &principal,
        move |state, now| async move {
            let prints = now
                .grant(Permission::ResultsPublish)
                .is_some_and(|g| g.scope >= Scope::College);
            if !prints {
                return Ok(false);
            }
            let mut tx = begin_for_college(&state.db, now.college).await?;
            let found = queries::find(&mut tx, job).await?;
            tx.commit().await?;
            Ok(found.is_some())
        },
    );
    Ok(crate::live::changes(
        &state,
        principal.college,
        topic(job),
        recheck,
    ))
}
