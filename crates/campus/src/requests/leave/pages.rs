//! The leave forms of the requests page: ask for leave, withdraw a request, approve or
//! reject one. Each goes back to the requests page saying what happened, or comes back
//! refused (422) with what was typed.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::AppResult;
use crate::requests::leave::model::{LeaveDecisionInput, LeaveInput};
use crate::requests::leave::queries;
use crate::requests::pages::{Again, render_requests};
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done};

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
    Form(sent): Form<LeaveForm>,
) -> AppResult<Response> {
    let input = LeaveInput {
        starts_on: sent.starts_on,
        ends_on: sent.ends_on,
        reason: sent.reason,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::submit(&mut tx, &context, principal.user_id, &input).await;
    // Leave that overlaps leave already asked for is said at its first day.
    form::settle(&state, tx, result)
        .conflict_on("starts_on")
        .done(|_| Done::to("/requests").message("Leave requested."))
        .again(async |errors| {
            render_requests(&state, &principal, jar, Some((Again::Leave(input), errors))).await
        })
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
    let result = queries::cancel(&mut tx, &context, principal.user_id, id).await;
    form::settle(&state, tx, result)
        .conflict_on("form")
        .done(|()| Done::to("/requests").message("Leave request withdrawn."))
        .again(async |errors| {
            render_requests(&state, &principal, jar, Some((Again::Cancel(id), errors))).await
        })
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
    Form(sent): Form<LeaveDecisionForm>,
) -> AppResult<Response> {
    let input = LeaveDecisionInput {
        decision: sent.decision,
        comment: sent.comment,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::decide(&mut tx, &context, &principal, id, &input).await;
    let message = if input.decision == "approve" {
        "Decision recorded: approved."
    } else {
        "Decision recorded: rejected."
    };
    form::settle(&state, tx, result)
        .conflict_on("form")
        .done(|()| Done::to("/requests").message(message))
        .again(async |errors| {
            let again = Again::Decision(id, input.comment);
            render_requests(&state, &principal, jar, Some((again, errors))).await
        })
        .await
}
