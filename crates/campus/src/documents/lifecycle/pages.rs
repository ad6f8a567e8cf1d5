//! Revoking an issued document from the student's page.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::documents::lifecycle::model::RevokeInput;
use crate::documents::lifecycle::queries;
use crate::error::AppResult;
use crate::web::extract::ApiPath;

/// The student page's "Revoke" form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    reason: String,
}

/// The student page's "Revoke" form: back to the student's documents, saying so.
pub async fn revoke_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    axum::Form(form): axum::Form<RevokeForm>,
) -> AppResult<Response> {
    let input = RevokeInput {
        reason: form.reason,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = queries::revoke(&mut tx, &context, id, &input).await?;
    authorize_student(&mut tx, &grant, student).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/students/{student}?done=revoked#documents")).into_response())
}
