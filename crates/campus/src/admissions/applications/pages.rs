//! The applicant's own applications (start one, fill in the details, attach documents,
//! submit, withdraw, follow its status) and an application as the admissions office sees
//! it, with the office's decision form.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::admissions::applications::model::{
    Application, ApplicationInput, DecisionInput, Details, FILE_KINDS,
};
use crate::admissions::applications::{queries, service};
use crate::admissions::intakes::model::Intake;
use crate::admissions::intakes::queries as intakes;
use crate::admissions::payments::model::for_new_payments;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::files::uploads;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

/// The status of a page: `ok`, or 422 when the form it shows was refused.
pub(crate) fn code(errors: &[FieldError], ok: StatusCode) -> StatusCode {
    if errors.is_empty() {
        ok
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

#[derive(Template)]
#[template(path = "admissions/mine.html")]
struct MineView {
    chrome: Chrome,
    csrf: String,
    applications: Vec<Application>,
    intakes: Vec<Intake>,
    errors: Vec<FieldError>,
}

async fn render_mine(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let applications = queries::of_user(&mut tx, principal.user_id).await?;
    let intakes = intakes::open(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = code(&errors, StatusCode::OK);
    let view = MineView {
        chrome: Chrome::signed_in("Admissions", principal, csrf.clone(), "/admissions"),
        csrf,
        applications,
        intakes,
        errors,
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn mine(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_mine(&state, &principal, jar, Vec::new()).await
}

pub async fn start(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(intake): ApiPath<Uuid>,
) -> AppResult<Response> {
    let (first, last) = principal
        .display_name
        .rsplit_once(' ')
        .map(|(f, l)| (f.to_string(), l.to_string()))
        .unwrap_or_else(|| (principal.display_name.clone(), "-".into()));
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::start(&mut tx, &context, principal.user_id, intake, &first, &last).await;
    form::settle(&state, tx, result)
        .conflict_on("intake")
        .done(|id| {
            Done::to(format!("/admissions/applications/{id}"))
                .message("Your application is open; fill it in and submit it.")
        })
        .again(async |errors| render_mine(&state, &principal, jar, errors).await)
        .await
}

#[derive(Template)]
#[template(path = "admissions/application.html")]
struct ApplicationView {
    chrome: Chrome,
    csrf: String,
    details: Details,
    intake: Intake,
    own: bool,
    manager: bool,
    kinds: [&'static str; 4],
    upload_limit: String,
    /// Whether fees can be paid online here (a gateway is set up).
    pays_online: bool,
    message: Option<String>,
    errors: Vec<FieldError>,
}

impl ApplicationView {
    fn draft(&self) -> bool {
        self.own && self.details.application.status == "draft"
    }

    fn value<'a>(&self, field: &'a Option<String>) -> &'a str {
        field.as_deref().unwrap_or("")
    }
}

pub(crate) async fn render_application(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    message: Option<String>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let manager = principal.can(Permission::AdmissionsManage);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let details = queries::details(&mut tx, principal.user_id, manager, id).await?;
    let intake = intakes::find(&mut tx, details.application.intake_id).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = code(&errors, StatusCode::OK);
    let own = details.application.user_id == principal.user_id;
    let view = ApplicationView {
        chrome: Chrome::signed_in(
            format!("Application: {}", details.application.program),
            principal,
            csrf.clone(),
            "/admissions",
        ),
        csrf,
        own,
        manager,
        details,
        intake,
        kinds: FILE_KINDS,
        upload_limit: format!("{} MB", state.config.upload_limit_bytes / (1024 * 1024)),
        pays_online: for_new_payments(&state.config).is_some(),
        message,
        errors,
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn application(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_application(&state, &principal, jar, id, None, Vec::new()).await
}

/// The outcome of a form on the application page: back to it, saying what happened.
pub(crate) async fn after(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    outcome: Result<&str, AppError>,
) -> AppResult<Response> {
    match outcome {
        Ok(message) => {
            tx.commit().await?;
            render_application(
                state,
                principal,
                jar,
                id,
                Some(message.to_string()),
                Vec::new(),
            )
            .await
        }
        Err(AppError::Validation(errors)) => {
            tx.rollback().await?;
            render_application(state, principal, jar, id, None, errors).await
        }
        Err(AppError::Conflict(message)) => {
            tx.rollback().await?;
            let errors = vec![FieldError::new("status", message)];
            render_application(state, principal, jar, id, None, errors).await
        }
        Err(other) => Err(other),
    }
}

/// The applicant's "details" form on their application.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ApplicationForm {
    first_name: String,
    last_name: String,
    date_of_birth: String,
    phone: String,
    address: String,
    previous_school: String,
    qualifying_percent: String,
    statement: String,
}

pub async fn save(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<ApplicationForm>,
) -> AppResult<Response> {
    let input = ApplicationInput {
        first_name: form.first_name,
        last_name: form.last_name,
        date_of_birth: form.date_of_birth,
        phone: form.phone,
        address: form.address,
        previous_school: form.previous_school,
        qualifying_percent: form.qualifying_percent,
        statement: form.statement,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let outcome = queries::save(&mut tx, &context, principal.user_id, id, &input)
        .await
        .map(|()| "Saved.");
    after(&state, &principal, jar, id, tx, outcome).await
}

pub async fn attach(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<Response> {
    let form = match uploads::read_form(multipart, state.config.upload_limit_bytes).await {
        Ok(form) => form,
        Err(AppError::Validation(errors)) => {
            return render_application(&state, &principal, jar, id, None, errors).await;
        }
        Err(other) => return Err(other),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let outcome = queries::attach(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        principal.user_id,
        id,
        &form.text("kind"),
        &form.files,
    )
    .await
    .map(|_| "Attached.");
    after(&state, &principal, jar, id, tx, outcome).await
}

pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let outcome = queries::submit(&mut tx, &context, principal.user_id, id)
        .await
        .map(|()| "Submitted. The admissions office will review it; this page shows each step.");
    after(&state, &principal, jar, id, tx, outcome).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let outcome = queries::withdraw(&mut tx, &context, principal.user_id, id)
        .await
        .map(|()| "Withdrawn.");
    after(&state, &principal, jar, id, tx, outcome).await
}

/// The office's decision form on an application.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    status: String,
    reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let input = DecisionInput {
        status: form.status,
        reason: form.reason,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let outcome = service::decide(&mut tx, &context, &state.config.base_url(), id, &input)
        .await
        .map(|()| "Decided; the applicant sees it now.");
    after(&state, &principal, jar, id, tx, outcome).await
}
