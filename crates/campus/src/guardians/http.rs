//! Guardians in pages and the JSON API: the parent portal and link requests; the
//! college's queue of requests, and direct links from a student's profile.

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::guardians::links::{
    self, DecisionInput, DirectLinkInput, LinkRequest, LinkRequestInput, RELATIONSHIPS,
};
use crate::guardians::portal::{self, Child};
use crate::notices::model::{self as notices, Notice};
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

#[derive(Debug, Serialize, ToSchema)]
pub struct Portal {
    pub children: Vec<Child>,
    /// Current notices for parents (and everyone).
    pub notices: Vec<Notice>,
}

/// The parent portal: each confirmed child's attendance, results and week, and notices.
#[utoipa::path(get, path = "/api/v1/me/children", tag = "guardians", security(("bearer" = [])),
    responses((status = 200, description = "Confirmed children only", body = Portal)))]
pub async fn portal_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Portal>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let children = portal::children(&mut tx, principal.user_id).await?;
    let notices = notices::current(&mut tx, &notices::audiences_of(&principal), 20).await?;
    tx.commit().await?;
    Ok(Json(Portal { children, notices }))
}

/// Asks the college to link the caller to a child, named by number and date of birth.
/// At most five requests a day.
#[utoipa::path(post, path = "/api/v1/me/guardian-links", tag = "guardians", request_body = LinkRequestInput, security(("bearer" = [])),
    responses((status = 201, description = "Waiting for the college (the same answer whether or not the number and date of birth match; asking again answers with the waiting request)", body = Created),
        (status = 409, description = "Already linked to this student", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Bad fields", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests today", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn request_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<LinkRequestInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = links::request(&mut tx, &context, principal.user_id, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The caller's link requests and what became of them.
#[utoipa::path(get, path = "/api/v1/me/guardian-links", tag = "guardians", security(("bearer" = [])),
    responses((status = 200, description = "Newest first", body = [LinkRequest])))]
pub async fn my_requests_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<LinkRequest>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = links::of_user(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Link requests waiting for the college, oldest first.
#[utoipa::path(get, path = "/api/v1/guardian-links", tag = "guardians", security(("bearer" = [])),
    responses((status = 200, description = "Pending requests", body = [LinkRequest])))]
pub async fn pending_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<LinkRequest>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = links::pending(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Confirms (the parent then sees the child) or rejects a link request.
#[utoipa::path(post, path = "/api/v1/guardian-links/{id}/decision", tag = "guardians", request_body = DecisionInput, params(("id" = Uuid, Path, description = "The request's id")), security(("bearer" = [])),
    responses((status = 204, description = "Decided"),
        (status = 409, description = "Not waiting any more", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An unknown decision, or a rejection without a reason", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn decide_api(
    State(state): State<AppState>,
    context: AuditContext,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    links::decide(&mut tx, &context, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Links a parent account (by email) to the student at once.
#[utoipa::path(post, path = "/api/v1/students/{id}/guardians", tag = "guardians", request_body = DirectLinkInput, params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 201, description = "Linked; the guardian record's id", body = Created),
        (status = 409, description = "Already linked", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No parent account with that email, or a bad relationship", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn link_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DirectLinkInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let id = links::link_directly(&mut tx, &context, student, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UnlinkInput {
    pub guardian_id: Uuid,
}

/// Ends a guardian's link to the student.
#[utoipa::path(post, path = "/api/v1/students/{id}/guardians/unlink", tag = "guardians", request_body = UnlinkInput, params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 204, description = "Unlinked"),
        (status = 404, description = "No such link", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn unlink_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
    ApiJson(input): ApiJson<UnlinkInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    links::unlink(&mut tx, &context, student, input.guardian_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

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
    let children = portal::children(&mut tx, principal.user_id).await?;
    let notices = notices::current(&mut tx, &notices::audiences_of(principal), 20).await?;
    let requests = links::of_user(&mut tx, principal.user_id).await?;
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
    let outcome = links::request(&mut tx, &context, principal.user_id, &input).await;
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
    let requests = links::pending(&mut tx).await?;
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
    let result = links::decide(&mut tx, &context, id, &input).await;
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
        Some(guardian) => links::unlink(&mut tx, &context, student, guardian).await,
        None => {
            let input = DirectLinkInput {
                email: form.email,
                relationship: form.relationship,
            };
            links::link_directly(&mut tx, &context, student, &input)
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
