//! Fee payments in the JSON API: starting one, the gateway's signed callback (public),
//! and the admissions office recording a fee paid to it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::admissions::payments::model::{Checkout, Outcome, Signed, for_new_payments, named};
use crate::admissions::payments::queries;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::institution::queries as institution;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

/// Starts paying the application fee: where to send the payer.
#[utoipa::path(post, path = "/api/v1/applications/{id}/payments", tag = "admissions", params(("id" = Uuid, Path, description = "The application's id")), security(("bearer" = [])),
    responses((status = 201, description = "Checkout started", body = Checkout),
        (status = 409, description = "Paid already, no fee, not a draft, or no online payments at this college", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn pay(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<(StatusCode, Json<Checkout>)> {
    let gateway = for_new_payments(&state.config);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let checkout = queries::start(
        &mut tx,
        &context,
        gateway.as_deref(),
        &state.config.base_url(),
        principal.user_id,
        id,
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(checkout)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Callback {
    /// The college's address name.
    pub college: String,
    /// Campus's payment reference.
    pub reference: String,
    /// The amount paid, as a decimal (e.g. `500.00`); must be the payment's.
    pub amount: String,
    /// The currency, e.g. `USD`; must be the payment's.
    pub currency: String,
    pub outcome: Outcome,
    /// The gateway's signature over the college, reference, amount, currency and outcome.
    pub signature: String,
    /// The gateway's own id for the payment.
    #[serde(default)]
    pub gateway_reference: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Settled {
    pub outcome: Outcome,
}

/// A gateway reports a payment's outcome. Only a callback whose signature checks settles
/// anything; repeats are answered with the outcome already recorded.
#[utoipa::path(post, path = "/api/v1/payments/callback/{gateway}", tag = "admissions", request_body = Callback, params(("gateway" = String, Path, description = "The gateway's name, e.g. test")),
    responses((status = 200, description = "Settled", body = Settled),
        (status = 422, description = "A signature that does not check", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn callback(
    State(state): State<AppState>,
    context: AuditContext,
    ApiPath(name): ApiPath<String>,
    ApiJson(input): ApiJson<Callback>,
) -> AppResult<Json<Settled>> {
    let gateway = named(&state.config, &name).ok_or(AppError::NotFound)?;
    let college = institution::find_by_slug(&state.db, &input.college)
        .await?
        .ok_or(AppError::NotFound)?;
    let signed = Signed {
        college: &input.college,
        reference: &input.reference,
        amount: &input.amount,
        currency: &input.currency,
        outcome: input.outcome,
    };
    let mut tx = begin_for_college(&state.db, college.id).await?;
    let outcome = queries::settle(
        &mut tx,
        &context,
        gateway.as_ref(),
        &signed,
        &input.signature,
        &input.gateway_reference,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(Settled { outcome }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FeeReceived {
    /// The office's receipt number.
    pub receipt: String,
}

/// The admissions office records an application's fee paid to it (no online gateway).
#[utoipa::path(post, path = "/api/v1/applications/{id}/fee-received", tag = "admissions", request_body = FeeReceived, params(("id" = Uuid, Path, description = "The application's id")), security(("bearer" = [])),
    responses((status = 204, description = "Recorded as paid"),
        (status = 404, description = "No such application", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Paid already, no fee, or decided", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No receipt number", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn fee_received(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<FeeReceived>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::record_at_office(&mut tx, &context, id, &input.receipt).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
