//! Leave requests and tickets in pages and the JSON API.

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::requests::leave::{self, Leave, LeaveDecisionInput, LeaveInput};
use crate::requests::tickets::{
    self, CATEGORIES, Comment, CommentInput, STATUSES, Ticket, TicketInput, TicketQuery,
    UpdateInput,
};
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

/// Asks for leave; it goes to the first approver of the chain.
#[utoipa::path(post, path = "/api/v1/me/leave", tag = "requests", request_body = LeaveInput, security(("bearer" = [])),
    responses((status = 201, description = "Waiting for approval", body = Created),
        (status = 409, description = "Overlaps leave already asked for or granted", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Bad dates or no reason", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn submit_leave_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<LeaveInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = leave::submit(&mut tx, &context, principal.user_id, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The caller's leave requests with every decision so far.
#[utoipa::path(get, path = "/api/v1/me/leave", tag = "requests", security(("bearer" = [])),
    responses((status = 200, description = "Latest first", body = [Leave])))]
pub async fn my_leave_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Leave>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = leave::mine(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Withdraws one of the caller's leave requests still waiting.
#[utoipa::path(post, path = "/api/v1/leave/{id}/cancel", tag = "requests", params(("id" = Uuid, Path, description = "The request's id")), security(("bearer" = [])),
    responses((status = 204, description = "Withdrawn"),
        (status = 409, description = "Already decided", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn cancel_leave_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    leave::cancel(&mut tx, &context, principal.user_id, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Leave requests waiting for the caller's decision (as advisor, registrar or principal).
#[utoipa::path(get, path = "/api/v1/leave/waiting", tag = "requests", security(("bearer" = [])),
    responses((status = 200, description = "Oldest first", body = [Leave])))]
pub async fn waiting_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Leave>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = leave::waiting(&mut tx, &principal).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Approves (passing it to the next approver, or granting it) or rejects leave.
#[utoipa::path(post, path = "/api/v1/leave/{id}/decision", tag = "requests", request_body = LeaveDecisionInput, params(("id" = Uuid, Path, description = "The request's id")), security(("bearer" = [])),
    responses((status = 204, description = "Decided"),
        (status = 403, description = "Not waiting for this approver (or their own)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn decide_leave_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<LeaveDecisionInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    leave::decide(&mut tx, &context, &principal, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpenedTicket {
    pub id: Uuid,
    pub number: i32,
}

/// Raises a support or maintenance ticket.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "requests", request_body = TicketInput, security(("bearer" = [])),
    responses((status = 201, description = "Raised", body = OpenedTicket),
        (status = 422, description = "Bad fields", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn open_ticket_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<TicketInput>,
) -> AppResult<(StatusCode, Json<OpenedTicket>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (id, number) = tickets::open(&mut tx, &context, principal.user_id, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(OpenedTicket { id, number })))
}

/// The caller's tickets, or every ticket for those who handle them.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "requests", params(TicketQuery), security(("bearer" = [])),
    responses((status = 200, description = "Latest change first", body = [Ticket])))]
pub async fn tickets_api(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<TicketQuery>,
) -> AppResult<Json<Vec<Ticket>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = tickets::list(&mut tx, &principal, &query).await?;
    tx.commit().await?;
    Ok(Json(list))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    pub ticket: Ticket,
    pub comments: Vec<Comment>,
}

/// A ticket with its comments and changes.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "requests", params(("id" = Uuid, Path, description = "The ticket's id")), security(("bearer" = [])),
    responses((status = 200, description = "The ticket", body = TicketView),
        (status = 403, description = "Another's ticket", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn ticket_api(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<TicketView>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (ticket, comments) = tickets::view(&mut tx, &principal, id).await?;
    tx.commit().await?;
    Ok(Json(TicketView { ticket, comments }))
}

/// Comments on a ticket (its requester, or those who handle tickets).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/comments", tag = "requests", request_body = CommentInput, params(("id" = Uuid, Path, description = "The ticket's id")), security(("bearer" = [])),
    responses((status = 204, description = "Added"),
        (status = 409, description = "The ticket is closed", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn comment_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<CommentInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    tickets::comment(&mut tx, &context, &principal, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes a ticket's status or assignee.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/update", tag = "requests", request_body = UpdateInput, params(("id" = Uuid, Path, description = "The ticket's id")), security(("bearer" = [])),
    responses((status = 204, description = "Changed"),
        (status = 422, description = "An unknown status, an assignee who does not handle tickets, or nothing to change", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn update_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<UpdateInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    tickets::update(&mut tx, &context, &principal, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Template)]
#[template(path = "requests/page.html")]
struct RequestsView {
    chrome: Chrome,
    csrf: String,
    may_ask_leave: bool,
    leave: Vec<Leave>,
    waiting: Option<Vec<Leave>>,
    tickets: Vec<Ticket>,
    handles_tickets: bool,
    categories: [&'static str; 7],
    errors: Vec<FieldError>,
}

async fn render_requests(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let leave = leave::mine(&mut tx, principal.user_id).await?;
    let waiting = if principal.can(Permission::LeaveApprove) {
        Some(leave::waiting(&mut tx, principal).await?)
    } else {
        None
    };
    let own = TicketQuery::default();
    let mut tickets = tickets::list(&mut tx, principal, &own).await?;
    tickets.retain(|t| t.requester_id == principal.user_id);
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = RequestsView {
        chrome: Chrome::signed_in("Requests", principal, csrf.clone(), "/requests"),
        csrf,
        may_ask_leave: principal.can(Permission::LeaveRequest),
        leave,
        waiting,
        tickets,
        handles_tickets: principal.can(Permission::TicketsManage),
        categories: CATEGORIES,
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

/// The "ask for leave" form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct LeaveForm {
    starts_on: String,
    ends_on: String,
    reason: String,
}

pub async fn submit_leave_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<LeaveForm>,
) -> AppResult<Response> {
    let input = LeaveInput {
        starts_on: form.starts_on,
        ends_on: form.ends_on,
        reason: form.reason,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = leave::submit(&mut tx, &context, principal.user_id, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("form")
        .done(|_| Done::to("/requests").message("Leave requested."))
        .again(async |errors| render_requests(&state, &principal, jar, errors).await)
        .await
}

pub async fn cancel_leave_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = leave::cancel(&mut tx, &context, principal.user_id, id).await;
    form::settle(&state, tx, result)
        .conflict_on("form")
        .done(|()| Done::to("/requests").message("Leave request withdrawn."))
        .again(async |errors| render_requests(&state, &principal, jar, errors).await)
        .await
}

/// The approver's "approve or reject" form on a leave request.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct LeaveDecisionForm {
    decision: String,
    comment: String,
}

pub async fn decide_leave_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<LeaveDecisionForm>,
) -> AppResult<Response> {
    let input = LeaveDecisionInput {
        decision: form.decision,
        comment: form.comment,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = leave::decide(&mut tx, &context, &principal, id, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("form")
        .done(|()| Done::to("/requests").message("Decision recorded."))
        .again(async |errors| render_requests(&state, &principal, jar, errors).await)
        .await
}

/// The "open a ticket" form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TicketForm {
    category: String,
    title: String,
    body: String,
    location: String,
}

pub async fn open_ticket_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<TicketForm>,
) -> AppResult<Response> {
    let input = TicketInput {
        category: form.category,
        title: form.title,
        body: form.body,
        location: form.location,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = tickets::open(&mut tx, &context, principal.user_id, &input).await;
    form::settle(&state, tx, result)
        .done(|(id, number)| {
            Done::to(format!("/tickets/{id}")).message(format!("Ticket #{number} opened."))
        })
        .again(async |errors| render_requests(&state, &principal, jar, errors).await)
        .await
}

#[derive(Template)]
#[template(path = "requests/queue.html")]
struct QueueView {
    chrome: Chrome,
    tickets: Vec<Ticket>,
    query: TicketQuery,
    statuses: [&'static str; 4],
    categories: [&'static str; 7],
}

pub async fn queue_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<TicketQuery>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = tickets::list(&mut tx, &principal, &query).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let view = QueueView {
        chrome: Chrome::signed_in("Tickets", &principal, csrf, "/requests"),
        tickets: list,
        query,
        statuses: STATUSES,
        categories: CATEGORIES,
    };
    Ok((jar, render(&view)?).into_response())
}

#[derive(Template)]
#[template(path = "requests/ticket.html")]
struct TicketPage {
    chrome: Chrome,
    csrf: String,
    ticket: Ticket,
    comments: Vec<Comment>,
    handles: bool,
    statuses: [&'static str; 4],
    errors: Vec<FieldError>,
}

async fn render_ticket(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (ticket, comments) = tickets::view(&mut tx, principal, id).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = TicketPage {
        chrome: Chrome::signed_in(
            format!("Ticket #{}", ticket.number),
            principal,
            csrf.clone(),
            "/requests",
        ),
        csrf,
        ticket,
        comments,
        handles: principal.can(Permission::TicketsManage),
        statuses: STATUSES,
        errors,
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn ticket_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_ticket(&state, &principal, jar, id, Vec::new()).await
}

/// Server-sent events telling a ticket's page that it changed.
pub async fn ticket_events(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    tickets::view(&mut tx, &principal, id).await?;
    tx.commit().await?;
    let recheck = crate::identity::signin::authenticate::recheck(
        &state,
        &principal,
        move |state, now| async move {
            let mut tx = begin_for_college(&state.db, now.college).await?;
            let seen = match tickets::view(&mut tx, &now, id).await {
                Ok(_) => true,
                Err(AppError::NotFound | AppError::Forbidden) => false,
                Err(other) => return Err(other),
            };
            tx.commit().await?;
            Ok(seen)
        },
    );
    Ok(crate::live::changes(
        &state,
        principal.college,
        tickets::topic(id),
        recheck,
    ))
}

/// The "add a comment" form on a ticket.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CommentForm {
    body: String,
}

pub async fn comment_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<CommentForm>,
) -> AppResult<Response> {
    let input = CommentInput { body: form.body };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = tickets::comment(&mut tx, &context, &principal, id, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("body")
        .done(|()| Done::to(format!("/tickets/{id}")).message("Comment added."))
        .again(async |errors| render_ticket(&state, &principal, jar, id, errors).await)
        .await
}

/// The "update a ticket" form (status and assignee).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TicketUpdateForm {
    status: String,
    assignee_email: String,
}

pub async fn update_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<TicketUpdateForm>,
) -> AppResult<Response> {
    let input = UpdateInput {
        status: form.status,
        assignee_email: form.assignee_email,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = tickets::update(&mut tx, &context, &principal, id, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("body")
        .done(|()| Done::to(format!("/tickets/{id}")).message("Ticket updated."))
        .again(async |errors| render_ticket(&state, &principal, jar, id, errors).await)
        .await
}
