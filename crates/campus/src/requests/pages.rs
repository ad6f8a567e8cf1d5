//! The requests page: the caller's leave requests and tickets, the leave waiting for
//! their decision, and the forms to ask for leave and open a ticket. A refused form comes
//! back on it (422) with each message under its field and what was typed kept.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::db::begin_for_college;
use crate::error::{AppResult, FieldError};
use crate::requests::leave::model::{Leave, LeaveInput};
use crate::requests::leave::queries as leave;
use crate::requests::tickets::model::{CATEGORIES, Ticket, TicketInput, TicketQuery};
use crate::requests::tickets::queries as tickets;
use crate::web::csrf;
use crate::web::form::Errors;
use crate::web::layout::{Chrome, render};

/// A refused form of the requests page, with what was typed in it.
pub(super) enum Again {
    /// "Ask for leave".
    Leave(LeaveInput),
    /// Withdrawing one's own leave request.
    Cancel(Uuid),
    /// An approver's decision on a leave request: the comment typed.
    Decision(Uuid, String),
    /// "Raise a ticket".
    Ticket(TicketInput),
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
    /// The refused form: `leave`, `ticket`, `decide-{id}` or `cancel-{id}`; or empty.
    refused: String,
    errors: Errors,
    /// What was typed in the leave form, the ticket form and a refused decision.
    asked: LeaveInput,
    raised: TicketInput,
    comment: String,
}

impl RequestsView {
    fn decision_refused(&self, l: &Leave) -> bool {
        self.refused == format!("decide-{}", l.id)
    }

    /// The comment box of the decision on `l`: as typed when it was refused.
    fn comment_of(&self, l: &Leave) -> &str {
        if self.decision_refused(l) {
            &self.comment
        } else {
            ""
        }
    }

    /// Whether withdrawing `l` was refused (its message is shown with it).
    fn cancel_refused(&self, l: &Leave) -> bool {
        self.refused == format!("cancel-{}", l.id)
    }

    fn comment_id(&self, l: &Leave) -> String {
        format!("comment_{}", l.id)
    }
}

/// `errors` with those of fields the form does not show (a conflict, say) put on `place`.
fn placed(errors: Vec<FieldError>, shown: &[&str], place: &str) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| {
            if shown.contains(&e.field.as_str()) {
                e
            } else {
                FieldError::new(place, e.message)
            }
        })
        .collect()
}

pub(super) async fn render_requests(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    again: Option<(Again, Vec<FieldError>)>,
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
    let mut refused = String::new();
    let mut errors = Vec::new();
    let mut asked = LeaveInput::default();
    let mut raised = TicketInput {
        category: CATEGORIES[0].to_string(),
        ..TicketInput::default()
    };
    let mut comment = String::new();
    match again {
        None => {}
        Some((Again::Leave(typed), found)) => {
            refused = "leave".into();
            errors = placed(found, &["starts_on", "ends_on", "reason"], "leave-form");
            asked = typed;
        }
        Some((Again::Cancel(id), found)) => {
            refused = format!("cancel-{id}");
            errors = placed(found, &[], &format!("leave-{id}"));
        }
        Some((Again::Decision(id, typed), found)) => {
            refused = format!("decide-{id}");
            // Each request has its own decision form; its comment box is `comment_{id}`.
            errors = found
                .into_iter()
                .map(|e| {
                    let place = if e.field == "comment" {
                        format!("comment_{id}")
                    } else {
                        refused.clone()
                    };
                    FieldError::new(place, e.message)
                })
                .collect();
            comment = typed;
        }
        Some((Again::Ticket(typed), found)) => {
            refused = "ticket".into();
            let shown = ["category", "title", "body", "location"];
            errors = placed(found, &shown, "ticket-form");
            raised = typed;
        }
    }
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
        refused,
        errors: errors.into(),
        asked,
        raised,
        comment,
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn requests_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_requests(&state, &principal, jar, None).await
}
