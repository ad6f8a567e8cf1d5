//! A teacher's page for one section: its sessions (to mark) and assessments (to enter
//! marks), with forms to add either; and the marks-entry grid of an assessment.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::academics::assessment::model::{
    AssessmentLine, GridLine, MarkInput, NewAssessmentInput,
};
use crate::academics::assessment::queries;
use crate::academics::attendance;
use crate::academics::attendance::model::{NewSessionInput, SessionLine};
use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "academics/teach.html")]
struct TeachPage {
    chrome: Chrome,
    csrf: String,
    section: Uuid,
    title: String,
    sessions: Vec<SessionLine>,
    assessments: Vec<AssessmentLine>,
    errors: Vec<FieldError>,
}

async fn render_page(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    section: Uuid,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let grant = principal
        .grant(Permission::AttendanceMark)
        .ok_or(AppError::Forbidden)?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    crate::access::reach::authorize_section(&mut tx, &grant, section).await?;
    let title = queries::section_title(&mut tx, section).await?;
    let sessions = attendance::queries::sessions_of_section(&mut tx, section).await?;
    let assessments = queries::assessments_of_section(&mut tx, section).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = TeachPage {
        chrome: Chrome::signed_in(title.clone(), principal, csrf.clone(), "/dashboard"),
        csrf,
        section,
        title,
        sessions,
        assessments,
        errors,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_page(&state, &principal, jar, section, Vec::new()).await
}

/// The "add a session" form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SessionForm {
    held_on: String,
    starts: String,
    ends: String,
}

pub async fn add_session(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
    Form(form): Form<SessionForm>,
) -> AppResult<Response> {
    let input = NewSessionInput {
        held_on: form.held_on,
        starts: form.starts,
        ends: form.ends,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    crate::access::reach::authorize_section(&mut tx, &grant, section).await?;
    let result = attendance::queries::add_session(&mut tx, &context, section, &input).await;
    form::settle(&state, tx, result)
        .done(|_| Done::to(format!("/sections/{section}/teach")).message("Session added."))
        .again(async |errors| render_page(&state, &principal, jar, section, errors).await)
        .await
}

/// The "add an assessment" form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AssessmentForm {
    name: String,
    kind: String,
    weight: String,
    max_marks: String,
}

pub async fn add_assessment(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
    Form(form): Form<AssessmentForm>,
) -> AppResult<Response> {
    let number = |value: &str| value.trim().parse::<f64>().unwrap_or(-1.0);
    let input = NewAssessmentInput {
        name: form.name,
        kind: form.kind,
        weight: number(&form.weight),
        max_marks: number(&form.max_marks),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::create(&mut tx, &grant, &context, section, &input).await;
    form::settle(&state, tx, result)
        .done(|_| Done::to(format!("/sections/{section}/teach")).message("Assessment added."))
        .again(async |errors| render_page(&state, &principal, jar, section, errors).await)
        .await
}

#[derive(Template)]
#[template(path = "academics/marks.html")]
struct MarksPage {
    chrome: Chrome,
    csrf: String,
    assessment: Uuid,
    section: Uuid,
    title: String,
    max_marks: f64,
    lines: Vec<GridLine>,
    saved: bool,
    errors: Vec<FieldError>,
}

/// `grant` is the marks.enter grant of the route (every caller's route declares it).
async fn render_grid(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    jar: CookieJar,
    id: Uuid,
    saved: bool,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let row = queries::assessment_info(&mut tx, id).await?;
    let (section, name, max_marks) = row.ok_or(AppError::NotFound)?;
    crate::access::reach::authorize_section(&mut tx, grant, section).await?;
    let lines = queries::mark_grid(&mut tx, id, section).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = MarksPage {
        chrome: Chrome::signed_in(name.clone(), principal, csrf.clone(), "/dashboard"),
        csrf,
        assessment: id,
        section,
        title: name,
        max_marks,
        lines,
        saved,
        errors,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn marks_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_grid(&state, &principal, &grant, jar, id, false, Vec::new()).await
}

/// The grid's `score_<student id>` fields; empty ones are left as they are.
pub async fn save_marks(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut marks = Vec::new();
    let mut errors = Vec::new();
    for (key, value) in &body {
        let Some(student) = key.strip_prefix("score_") else {
            continue;
        };
        if value.trim().is_empty() {
            continue;
        }
        match (Uuid::parse_str(student), value.trim().parse::<f64>()) {
            (Ok(student_id), Ok(score)) => marks.push(MarkInput { student_id, score }),
            _ => errors.push(FieldError::new(
                key.clone(),
                format!("`{value}` is not a number"),
            )),
        }
    }
    if !errors.is_empty() {
        return render_grid(&state, &principal, &grant, jar, id, false, errors).await;
    }
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    match queries::enter(&mut tx, &grant, &context, id, &marks).await {
        Ok(_) => {
            tx.commit().await?;
            render_grid(&state, &principal, &grant, jar, id, true, Vec::new()).await
        }
        Err(AppError::Validation(errors)) => {
            tx.rollback().await?;
            render_grid(&state, &principal, &grant, jar, id, false, errors).await
        }
        Err(other) => Err(other),
    }
}
