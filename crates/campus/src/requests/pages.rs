//! The requests page: the caller's leave requests and tickets, the leave waiting for
//! their decision, and the forms to ask for leave and open a ticket.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;

use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::db::begin_for_college;
use crate::error::{AppResult, FieldError};
use crate::requests::leave::model::Leave;
use crate::requests::leave::queries as leave;
use crate::requests::tickets::model::{CATEGORIES, Ticket, TicketQuery};
use crate::requests::tickets::queries as tickets;
use crate::web::csrf;
use crate::web::layout::{Chrome, render};

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

pub(super) async fn render_requests(
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
