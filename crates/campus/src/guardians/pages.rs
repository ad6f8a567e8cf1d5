//! Guardian pages: the parent portal with its link request form; the college's queue of
//! requests, and direct links from a student's profile.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::guardians::model::{
    Child, DecisionInput, DirectLinkInput, LinkRequest, LinkRequestInput, RELATIONSHIPS,
};
use crate::guardians::{queries, service};
use crate::notices::model::{Notice, audiences_of};
use crate::notices::queries as notices;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "guardians/portal.html")]
struct PortalView {
    chrome: Chrome,
    csrf: String,
    children: Vec<Child>,
    notices: Vec<Notice>,
    requests: Vec<LinkRequest>,
    relationships: [&'static str; 8],
    input: LinkRequestInput,
    message: Option<String>,
    errors: Vec<FieldError>,
}

async fn render_portal(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    input: LinkRequestInput,
    message: Option<String>,
    status: StatusCode,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let children = service::children(&mut tx, principal.user_id).await?;
    let notices = notices::current(&mut tx, &audiences_of(principal), 20).await?;
    let requests = queries::of_user(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let view = PortalView {
        chrome: Chrome::signed_in("My children", principal, csrf.clone(), "/children"),
        csrf,
        children,
        notices,
        requests,
        relationships: RELATIONSHIPS,
        input,
        message,
        errors,
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn portal_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_portal(
        &state,
        &principal,
        jar,
        LinkRequestInput::default(),
        None,
        StatusCode::OK,
        Vec::new(),
    )
    .await
}

/// The parent portal's "link me to my child" form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkRequestForm {
    student_number: String,
    date_of_birth: String,
    relationship: String,
    note: String,
}

pub async fn request_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<LinkRequestForm>,
) -> AppResult<Response> {
    let input = LinkRequestInput {
        student_number: form.student_number,
        date_of_birth: form.date_of_birth,
        relationship: form.relationship,
        note: form.note,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let outcome = queries::request(&mut tx, &context, principal.user_id, &input).await;
    let (status, message, errors) = match outcome {
        Ok(_) => {
            tx.commit().await?;
            (
                StatusCode::CREATED,
                Some("Sent. The college checks the number and date of birth against its records; the child appears here once it confirms.".to_string()),
                Vec::new(),
            )
        }
        Err(AppError::Validation(errors)) => {
            tx.rollback().await?;
            (StatusCode::UNPROCESSABLE_ENTITY, None, errors)
        }
        Err(AppError::Conflict(message)) => {
            tx.rollback().await?;
            (
                StatusCode::CONFLICT,
                None,
                vec![FieldError::new("student_number", message)],
            )
        }
        Err(other) => return Err(other),
    };
    render_portal(&state, &principal, jar, input, message, status, errors).await
}

#[derive(Template)]
#[template(path = "guardians/requests.html")]
struct RequestsView {
    chrome: Chrome,
    csrf: String,
    requests: Vec<LinkRequest>,
    errors: Vec<FieldError>,
}

async fn render_requests(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let requests = queries::pending(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = RequestsView {
        chrome: Chrome::signed_in("Guardian links", principal, csrf.clone(), "/students"),
        csrf,
        requests,
        errors,
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn requests_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_requests(&state, &principal, jar, Vec::new()).await
}

/// The college's confirm-or-reject form for a link request.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
}

pub async fn decide_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let input = DecisionInput {
        decision: form.decision,
        reason: form.reason,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::decide(&mut tx, &context, id, &input).await;
    let confirmed = input.decision == "confirm";
    form::settle(&state, tx, result)
        .conflict_on("decision")
        .done(|()| {
            Done::to("/guardians/requests").message(if confirmed {
                "Link request confirmed."
            } else {
                "Link request rejected."
            })
        })
        .again(async |errors| render_requests(&state, &principal, jar, errors).await)
        .await
}

/// The profile page's guardian form: a parent's email and relationship to link, or the
/// guardian id to unlink.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GuardianLinkForm {
    email: String,
    relationship: String,
    unlink: String,
}

/// The profile page's form: link a parent account by email, or end a link.
pub async fn link_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
    Form(form): Form<GuardianLinkForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let unlinking = Uuid::parse_str(form.unlink.trim()).ok();
    let result = match unlinking {
        Some(guardian) => queries::unlink(&mut tx, &context, student, guardian).await,
        None => {
            let input = DirectLinkInput {
                email: form.email,
                relationship: form.relationship,
            };
            queries::link_directly(&mut tx, &context, student, &input)
                .await
                .map(|_| ())
        }
    };
    form::settle(&state, tx, result)
        .conflict_on("email")
        .done(|()| {
            Done::to(format!("/students/{student}")).message(if unlinking.is_some() {
                "Guardian unlinked."
            } else {
                "Guardian linked."
            })
        })
        .again(async |errors| {
            crate::students::pages::render_profile(&state, &principal, jar, student, errors).await
        })
        .await
}
