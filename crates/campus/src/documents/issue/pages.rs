//! Issuing from a student's page: the report card form, with the term in its body.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::documents::issue::api::{TermQuery, report_card};
use crate::error::{AppError, AppResult, FieldError};
use crate::web::extract::{ApiPath, ApiQuery};

/// The page's "report card" form: the term to issue it for.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportCardForm {
    term: String,
}

/// The page form's version of [`report_card`]: a POST (issuing records a document) with
/// the term in the body.
pub async fn report_card_form(
    state: State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    student: ApiPath<Uuid>,
    axum::Form(form): axum::Form<ReportCardForm>,
) -> AppResult<Response> {
    let term = Uuid::parse_str(form.term.trim())
        .map_err(|_| AppError::Validation(vec![FieldError::new("term", "choose a term")]))?;
    report_card(
        state,
        principal,
        grant,
        context,
        student,
        ApiQuery(TermQuery { term }),
    )
    .await
}
