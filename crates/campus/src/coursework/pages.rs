//! A section's coursework page: its materials, assignments and meetings, with forms for
//! its teachers; the forms' refusals are shown on it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::coursework::assignments::model::AssignmentView;
use crate::coursework::assignments::queries as assignment_queries;
use crate::coursework::content::model::{MaterialView, MeetingView};
use crate::coursework::content::queries as content_queries;
use crate::coursework::model::Member;
use crate::coursework::queries;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "coursework/section.html")]
struct SectionPage {
    chrome: Chrome,
    csrf: String,
    section: Uuid,
    title: String,
    teacher: bool,
    materials: Vec<MaterialView>,
    assignments: Vec<AssignmentView>,
    meetings: Vec<MeetingView>,
    upload_limit: String,
    errors: Vec<FieldError>,
}

async fn render_section(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    section: Uuid,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let member = queries::member(&mut tx, principal, section).await?;
    let title = queries::section_title(&mut tx, section).await?;
    let student = match member {
        Member::Teacher => None,
        Member::Student(s) => Some(s),
    };
    let materials = content_queries::materials(&mut tx, section).await?;
    let assignments = assignment_queries::of_section(&mut tx, section, student).await?;
    let meetings = content_queries::meetings_of_section(&mut tx, section).await?;
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = SectionPage {
        chrome: Chrome::signed_in(title.clone(), principal, csrf.clone(), "/dashboard"),
        csrf,
        section,
        title,
        teacher: member == Member::Teacher,
        materials,
        assignments,
        meetings,
        upload_limit: format!("{} MB", state.config.upload_limit_bytes / (1024 * 1024)),
        errors,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn section_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_section(&state, &principal, jar, section, Vec::new()).await
}

/// Shows a form's refusal on the section page; other errors pass through.
pub(super) async fn refused_on_section(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    section: Uuid,
    error: AppError,
) -> AppResult<Response> {
    match error {
        AppError::Validation(errors) => {
            render_section(state, principal, jar, section, errors).await
        }
        AppError::Conflict(message) => {
            render_section(
                state,
                principal,
                jar,
                section,
                vec![FieldError::new("form", message)],
            )
            .await
        }
        other => Err(other),
    }
}
