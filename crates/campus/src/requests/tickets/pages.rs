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
use crate::requests::pages::{Again, render_requests};
use crate::requests::tickets::model::{
    CATEGORIES, Comment, CommentInput, STATUSES, Ticket, TicketInput, TicketQuery, UpdateInput,
    topic,
};
use crate::requests::tickets::queries;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};
use crate::web::words;

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
    Form(sent): Form<TicketForm>,
) -> AppResult<Response> {
    let input = TicketInput {
        category: sent.category,
        title: sent.title,
        body: sent.body,
        location: sent.location,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::open(&mut tx, &context, principal.user_id, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("title")
        .done(|(id, number)| {
            Done::to(format!("/tickets/{id}")).message(format!("Ticket #{number} opened."))
        })
        .again(async |errors| {
            render_requests(
                &state,
                &principal,
                jar,
                Some((Again::Ticket(input), errors)),
            )
            .await
        })
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
    /// The refused form (`comment` or `update`), or empty.
    refused: &'static str,
    errors: Errors,
    /// What was typed in the comment form, and in the handling form.
    body: String,
    status: String,
    assignee_email: String,
}

/// A refused form of a ticket's page, with what was typed in it.
enum OnTicket {
    Comment(String),
    Update(UpdateInput),
}

async fn render_ticket(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    again: Option<(OnTicket, Vec<FieldError>)>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (ticket, comments) = queries::view(&mut tx, principal, id).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let (mut refused, mut errors) = ("", Vec::new());
    let (mut body, mut status, mut assignee_email) =
        (String::new(), ticket.status.clone(), String::new());
    match again {
        None => {}
        Some((OnTicket::Comment(typed), found)) => {
            refused = "comment";
            errors = found;
            body = typed;
        }
        Some((OnTicket::Update(typed), found)) => {
            refused = "update";
            errors = found
                .into_iter()
                .map(|e| {
                    if e.field == "assignee_email" {
                        e
                    } else {
                        FieldError::new("status", e.message)
                    }
                })
                .collect();
            if !typed.status.is_empty() {
                status = typed.status;
            }
            assignee_email = typed.assignee_email;
        }
    }
    let code = if errors.is_empty() {
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
        refused,
        errors: errors.into(),
        body,
        status,
        assignee_email,
    };
    Ok((code, jar, render(&view)?).into_response())
}

pub async fn ticket_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_ticket(&state, &principal, jar, id, None).await
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
    Form(sent): Form<CommentForm>,
) -> AppResult<Response> {
    let input = CommentInput { body: sent.body };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::comment(&mut tx, &context, &principal, id, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("body")
        .done(|()| Done::to(format!("/tickets/{id}")).message("Comment added."))
        .again(async |errors| {
            let again = Some((OnTicket::Comment(input.body), errors));
            render_ticket(&state, &principal, jar, id, again).await
        })
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
    Form(sent): Form<TicketUpdateForm>,
) -> AppResult<Response> {
    let input = UpdateInput {
        status: sent.status,
        assignee_email: sent.assignee_email,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::update(&mut tx, &context, &principal, id, &input).await;
    let message = if input.status.is_empty() {
        "Ticket updated.".to_string()
    } else {
        format!(
            "Ticket updated: {}.",
            words::label(&input.status).to_lowercase()
        )
    };
    form::settle(&state, tx, result)
        .conflict_on("status")
        .done(|()| Done::to(format!("/tickets/{id}")).message(message))
        .again(async |errors| {
            let again = Some((OnTicket::Update(input), errors));
            render_ticket(&state, &principal, jar, id, again).await
        })
        .await
}
