//! Ticket pages: the "open a ticket" form of the requests page, the queue of those who
//! handle tickets, and a ticket's page with its comments, forms and live updates.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::requests::pages::render_requests;
use crate::requests::tickets::model::{
    CATEGORIES, Comment, CommentInput, STATUSES, Ticket, TicketInput, TicketQuery, UpdateInput,
    topic,
};
use crate::requests::tickets::queries;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

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
    let result = queries::open(&mut tx, &context, principal.user_id, &input).await;
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
    let list = queries::list(&mut tx, &principal, &query).await?;
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
    let (ticket, comments) = queries::view(&mut tx, principal, id).await?;
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
    queries::view(&mut tx, &principal, id).await?;
    tx.commit().await?;
    let recheck = crate::identity::signin::authenticate::recheck(
        &state,
        &principal,
        move |state, now| async move {
            let mut tx = begin_for_college(&state.db, now.college).await?;
            let seen = match queries::view(&mut tx, &now, id).await {
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
        topic(id),
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
    let result = queries::comment(&mut tx, &context, &principal, id, &input).await;
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
    let result = queries::update(&mut tx, &context, &principal, id, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("body")
        .done(|()| Done::to(format!("/tickets/{id}")).message("Ticket updated."))
        .again(async |errors| render_ticket(&state, &principal, jar, id, errors).await)
        .await
}
