//! Applicant sign-up in the JSON API (public).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::admissions::signup::model::{CHECK_YOUR_MAIL, SignUpInput, Signing};
use crate::admissions::signup::service;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::institution::queries;
use crate::web::client_ip::ClientIp;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::throttle::Door;

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedUp {
    /// What to do next (the same words whether or not the address had an account).
    pub detail: String,
}

/// Makes an applicant's account and a draft application to an intake. The answer is the
/// same whether or not the address already has an account (its owner is mailed
/// instead); a new account confirms its address through the mailed link before it can
/// sign in and complete the application.
#[utoipa::path(post, path = "/api/v1/colleges/{slug}/applicants", tag = "admissions", request_body = SignUpInput, params(("slug" = String, Path, description = "The college's address name")),
    responses((status = 202, description = "Accepted: a link is mailed to the address", body = SignedUp),
        (status = 409, description = "The intake is not taking applications", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Bad fields or a weak password", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many sign-ups from this address", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn sign_up(
    State(state): State<AppState>,
    client: ClientIp,
    context: AuditContext,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<SignUpInput>,
) -> AppResult<(StatusCode, Json<SignedUp>)> {
    state.throttle.check(Door::SignUp, client.0)?;
    let college = queries::find_by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let base_url = state.config.base_url();
    let signing = Signing {
        college: college.id,
        college_name: &college.name,
        college_slug: &college.slug,
        base_url: &base_url,
    };
    let mut tx = begin_for_college(&state.db, college.id).await?;
    service::sign_up(&mut tx, &context, &signing, &input).await?;
    tx.commit().await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(SignedUp {
            detail: CHECK_YOUR_MAIL.into(),
        }),
    ))
}
