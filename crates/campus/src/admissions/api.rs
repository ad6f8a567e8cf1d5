//! Admissions in the JSON API: open intakes and applicant sign-up (public), the
//! applicant's application, fee payments and the gateway's callback, and the admissions
//! office's intakes, merit lists, decisions and seat allocation.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::admissions::applications::{
    self, Allocation, Application, ApplicationInput, DecisionInput, Details, MeritLine,
};
use crate::admissions::intakes::{self, Intake, IntakeInput};
use crate::admissions::payments::{self, Checkout, Outcome, Signed};
use crate::admissions::signup::{self, SignUpInput};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::files::uploads;
use crate::institution::queries;
use crate::web::client_ip::ClientIp;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::throttle::Door;

/// A college's intakes taking applications today.
#[utoipa::path(get, path = "/api/v1/colleges/{slug}/intakes", tag = "admissions", params(("slug" = String, Path, description = "The college's address name")),
    responses((status = 200, description = "Open intakes", body = [Intake]),
        (status = 404, description = "No such college", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn open_intakes(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> AppResult<Json<Vec<Intake>>> {
    let college = queries::find_by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = begin_for_college(&state.db, college.id).await?;
    let list = intakes::open(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(list))
}

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
    let signing = signup::Signing {
        college: college.id,
        college_name: &college.name,
        college_slug: &college.slug,
        base_url: &base_url,
    };
    let mut tx = begin_for_college(&state.db, college.id).await?;
    signup::sign_up(&mut tx, &context, &signing, &input).await?;
    tx.commit().await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(SignedUp {
            detail: signup::CHECK_YOUR_MAIL.into(),
        }),
    ))
}

/// The caller's applications.
#[utoipa::path(get, path = "/api/v1/me/applications", tag = "admissions", security(("bearer" = [])),
    responses((status = 200, description = "Newest first", body = [Application])))]
pub async fn mine(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Application>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = applications::of_user(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Starts an application to another open intake (or returns the one already started).
#[utoipa::path(post, path = "/api/v1/intakes/{id}/applications", tag = "admissions", params(("id" = Uuid, Path, description = "The intake's id")), security(("bearer" = [])),
    responses((status = 201, description = "The draft", body = Created),
        (status = 409, description = "The intake is not taking applications", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn start(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(intake): ApiPath<Uuid>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let (first, last) = principal
        .display_name
        .rsplit_once(' ')
        .map(|(f, l)| (f.to_string(), l.to_string()))
        .unwrap_or_else(|| (principal.display_name.clone(), "-".into()));
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id =
        applications::start(&mut tx, &context, principal.user_id, intake, &first, &last).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// An application with its documents and history: for its applicant, or the office.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "admissions", params(("id" = Uuid, Path, description = "The application's id")), security(("bearer" = [])),
    responses((status = 200, description = "The application", body = Details),
        (status = 403, description = "Another applicant's", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn details(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Details>> {
    let manager = principal.can(Permission::AdmissionsManage);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = applications::details(&mut tx, principal.user_id, manager, id).await?;
    tx.commit().await?;
    Ok(Json(found))
}

/// Saves the applicant's details on their draft.
#[utoipa::path(put, path = "/api/v1/applications/{id}", tag = "admissions", request_body = ApplicationInput, params(("id" = Uuid, Path, description = "The application's id")), security(("bearer" = [])),
    responses((status = 204, description = "Saved"),
        (status = 409, description = "No longer a draft", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Bad fields", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn save(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    applications::save(&mut tx, &context, principal.user_id, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The multipart form that attaches documents.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DocumentsForm {
    /// transcript, identity, photo or other.
    kind: String,
    /// Up to five files (pdf, images, office documents), checked against their type.
    #[schema(format = Binary)]
    file: Vec<String>,
}

/// Attaches documents of one kind to the applicant's draft.
#[utoipa::path(post, path = "/api/v1/applications/{id}/files", tag = "admissions", request_body(content = DocumentsForm, content_type = "multipart/form-data"), params(("id" = Uuid, Path, description = "The application's id")), security(("bearer" = [])),
    responses((status = 204, description = "Attached"),
        (status = 422, description = "A refused file, an unknown kind, too many documents", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn attach(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<StatusCode> {
    let form = uploads::read_form(multipart, state.config.upload_limit_bytes).await?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    applications::attach(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        principal.user_id,
        id,
        &form.text("kind"),
        &form.files,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

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
    let gateway = payments::for_new_payments(&state.config);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let checkout = payments::start(
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

/// Submits the applicant's completed draft for review.
#[utoipa::path(post, path = "/api/v1/applications/{id}/submit", tag = "admissions", params(("id" = Uuid, Path, description = "The application's id")), security(("bearer" = [])),
    responses((status = 204, description = "Submitted"),
        (status = 422, description = "Something missing (each named), the fee unpaid, the intake closed", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    applications::submit(&mut tx, &context, principal.user_id, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraws the applicant's application (not once decided).
#[utoipa::path(post, path = "/api/v1/applications/{id}/withdraw", tag = "admissions", params(("id" = Uuid, Path, description = "The application's id")), security(("bearer" = [])),
    responses((status = 204, description = "Withdrawn"),
        (status = 409, description = "Already decided", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn withdraw(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    applications::withdraw(&mut tx, &context, principal.user_id, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
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
    let gateway = payments::named(&state.config, &name).ok_or(AppError::NotFound)?;
    let college = queries::find_by_slug(&state.db, &input.college)
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
    let outcome = payments::settle(
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
    payments::record_at_office(&mut tx, &context, id, &input.receipt).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every intake with its seats and counts.
#[utoipa::path(get, path = "/api/v1/intakes", tag = "admissions", security(("bearer" = [])),
    responses((status = 200, description = "Newest first", body = [Intake])))]
pub async fn list_intakes(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Intake>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = intakes::list(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Opens an intake for a program.
#[utoipa::path(post, path = "/api/v1/intakes", tag = "admissions", request_body = IntakeInput, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = Created),
        (status = 422, description = "Bad fields, an unknown program, a name used", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn create_intake(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<IntakeInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = intakes::create(&mut tx, &context, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The intake's merit list, best first.
#[utoipa::path(get, path = "/api/v1/intakes/{id}/merit-list", tag = "admissions", params(("id" = Uuid, Path, description = "The intake's id")), security(("bearer" = [])),
    responses((status = 200, description = "Ranked", body = [MeritLine])))]
pub async fn merit_list(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(intake): ApiPath<Uuid>,
) -> AppResult<Json<Vec<MeritLine>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    intakes::find(&mut tx, intake).await?;
    let list = applications::merit_list(&mut tx, intake).await?;
    tx.commit().await?;
    Ok(Json(list))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// submitted, under_review, accepted, waitlisted, rejected or withdrawn; all when empty.
    #[serde(default)]
    pub status: String,
}

/// An intake's applications (drafts left out), best merit first.
#[utoipa::path(get, path = "/api/v1/intakes/{id}/applications", tag = "admissions", params(("id" = Uuid, Path, description = "The intake's id"), StatusQuery), security(("bearer" = [])),
    responses((status = 200, description = "The applications", body = [Application]),
        (status = 404, description = "No such intake", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn of_intake(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(intake): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<StatusQuery>,
) -> AppResult<Json<Vec<Application>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    // An unknown intake is not an intake without applications.
    intakes::find(&mut tx, intake).await?;
    let list = applications::of_intake(&mut tx, intake, query.status.trim()).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Accepts the best-ranked candidates into the seats left; waitlists the rest.
#[utoipa::path(post, path = "/api/v1/intakes/{id}/allocate", tag = "admissions", params(("id" = Uuid, Path, description = "The intake's id")), security(("bearer" = [])),
    responses((status = 200, description = "What was allocated", body = Allocation)))]
pub async fn allocate(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(intake): ApiPath<Uuid>,
) -> AppResult<Json<Allocation>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let done = applications::allocate(&mut tx, &context, &state.config.base_url(), intake).await?;
    tx.commit().await?;
    Ok(Json(done))
}

/// Moves an application under review, accepts (within the seats left: the student
/// record and account are made and the applicant mailed), waitlists or rejects it.
#[utoipa::path(post, path = "/api/v1/applications/{id}/decision", tag = "admissions", request_body = DecisionInput, params(("id" = Uuid, Path, description = "The application's id")), security(("bearer" = [])),
    responses((status = 204, description = "Decided"),
        (status = 409, description = "No seat left, or a status it cannot move to", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An unknown status, or a rejection without a reason", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn decide(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    applications::decide(&mut tx, &context, &state.config.base_url(), id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
