//! Admissions pages: the college's public application page, the applicant's own
//! application (details, documents, fee, submission, status), the test gateway's
//! checkout, and the admissions office's intakes, merit lists and decisions.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::admissions::applications::{
    self, Application, ApplicationInput, DecisionInput, Details, FILE_KINDS, MeritLine,
};
use crate::admissions::intakes::{self, Intake, IntakeInput};
use crate::admissions::payments::{
    self, Outcome, Signed, TEST_CARD_DECLINED, TEST_CARD_PAYS, TestGateway,
};
use crate::admissions::signup::{self, SignUpInput};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::files::uploads;
use crate::institution::queries;
use crate::web::client_ip::ClientIp;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done};
use crate::web::layout::{Brand, Chrome, render};
use crate::web::throttle::Door;

fn code(errors: &[FieldError], ok: StatusCode) -> StatusCode {
    if errors.is_empty() {
        ok
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

#[derive(Template)]
#[template(path = "admissions/apply.html")]
struct ApplyView {
    chrome: Chrome,
    csrf: String,
    slug: String,
    college: String,
    intakes: Vec<Intake>,
    input: SignUpInput,
    done: bool,
    errors: Vec<FieldError>,
}

async fn render_apply(
    state: &AppState,
    jar: CookieJar,
    slug: &str,
    input: SignUpInput,
    done: bool,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let college = queries::find_by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = begin_for_college(&state.db, college.id).await?;
    let intakes = intakes::open(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, None, jar);
    let brand = Brand {
        slug: college.slug.clone(),
        name: college.name.clone(),
    };
    let view = ApplyView {
        chrome: Chrome::college("Apply for admission", brand),
        csrf,
        slug: college.slug,
        college: college.name,
        intakes,
        input,
        done,
        errors: errors.clone(),
    };
    let status = code(
        &errors,
        if done {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
    );
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn apply_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiPath(slug): ApiPath<String>,
) -> AppResult<Response> {
    render_apply(
        &state,
        jar,
        &slug,
        SignUpInput::default(),
        false,
        Vec::new(),
    )
    .await
}

/// The public "apply" form: an applicant's account for one intake.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    intake_id: String,
    first_name: String,
    last_name: String,
    email: String,
    password: String,
}

pub async fn apply(
    State(state): State<AppState>,
    client: ClientIp,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(slug): ApiPath<String>,
    Form(form): Form<ApplyForm>,
) -> AppResult<Response> {
    state.throttle.check(Door::SignUp, client.0)?;
    let college = queries::find_by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let Ok(intake_id) = Uuid::parse_str(form.intake_id.trim()) else {
        let errors = vec![FieldError::new("intake_id", "choose a program to apply to")];
        return render_apply(&state, jar, &slug, SignUpInput::default(), false, errors).await;
    };
    let input = SignUpInput {
        intake_id,
        first_name: form.first_name,
        last_name: form.last_name,
        email: form.email,
        password: form.password,
    };
    let base_url = state.config.base_url();
    let signing = signup::Signing {
        college: college.id,
        college_name: &college.name,
        college_slug: &college.slug,
        base_url: &base_url,
    };
    let mut tx = begin_for_college(&state.db, college.id).await?;
    match signup::sign_up(&mut tx, &context, &signing, &input).await {
        Ok(_) => {
            tx.commit().await?;
            let shown = SignUpInput {
                password: String::new(),
                ..input
            };
            render_apply(&state, jar, &slug, shown, true, Vec::new()).await
        }
        Err(AppError::Validation(errors)) => {
            tx.rollback().await?;
            let shown = SignUpInput {
                password: String::new(),
                ..input
            };
            render_apply(&state, jar, &slug, shown, false, errors).await
        }
        Err(AppError::Conflict(message)) => {
            tx.rollback().await?;
            let shown = SignUpInput {
                password: String::new(),
                ..input
            };
            let errors = vec![FieldError::new("intake_id", message)];
            render_apply(&state, jar, &slug, shown, false, errors).await
        }
        Err(other) => Err(other),
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
    let applications = applications::of_user(&mut tx, principal.user_id).await?;
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
    let result =
        applications::start(&mut tx, &context, principal.user_id, intake, &first, &last).await;
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

async fn render_application(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    message: Option<String>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let manager = principal.can(Permission::AdmissionsManage);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let details = applications::details(&mut tx, principal.user_id, manager, id).await?;
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
        pays_online: payments::for_new_payments(&state.config).is_some(),
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
async fn after(
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
    let outcome = applications::save(&mut tx, &context, principal.user_id, id, &input)
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
    let outcome = applications::attach(
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

pub async fn pay(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let gateway = payments::for_new_payments(&state.config);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    // The checkout is on this server; the relative address keeps the payer here.
    let result = payments::start(
        &mut tx,
        &context,
        gateway.as_deref(),
        "",
        principal.user_id,
        id,
    )
    .await;
    // No message: the checkout (possibly the gateway's own page) says what to do.
    form::settle(&state, tx, result)
        .conflict_on("status")
        .done(|checkout| Done::to(checkout.checkout_url))
        .again(async |errors| render_application(&state, &principal, jar, id, None, errors).await)
        .await
}

/// The office's "fee received" form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct FeeReceivedForm {
    receipt: String,
}

/// The office records a fee paid to it, with its receipt number.
pub async fn fee_received(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<FeeReceivedForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let outcome = payments::record_at_office(&mut tx, &context, id, &form.receipt)
        .await
        .map(|()| "The fee is recorded as received.");
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
    let outcome = applications::submit(&mut tx, &context, principal.user_id, id)
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
    let outcome = applications::withdraw(&mut tx, &context, principal.user_id, id)
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
    let outcome = applications::decide(&mut tx, &context, &state.config.base_url(), id, &input)
        .await
        .map(|()| "Decided; the applicant sees it now.");
    after(&state, &principal, jar, id, tx, outcome).await
}

#[derive(Template)]
#[template(path = "admissions/checkout.html")]
struct CheckoutView {
    chrome: Chrome,
    csrf: String,
    reference: String,
    amount: String,
    currency: String,
    application: Uuid,
    pays: &'static str,
    declined: &'static str,
    errors: Vec<FieldError>,
}

async fn own_payment(
    state: &AppState,
    principal: &Principal,
    reference: &str,
) -> AppResult<payments::Pending> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = payments::by_reference(&mut tx, reference).await?;
    tx.commit().await?;
    let found = found.ok_or(AppError::NotFound)?;
    if found.user_id != principal.user_id || found.gateway != "test" {
        return Err(AppError::Forbidden);
    }
    if payments::named(&state.config, "test").is_none() {
        return Err(AppError::NotFound);
    }
    Ok(found)
}

async fn render_checkout(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    reference: String,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let payment = own_payment(state, principal, &reference).await?;
    if payment.status != "pending" {
        return Ok(Redirect::to(&format!(
            "/admissions/applications/{}",
            payment.application_id
        ))
        .into_response());
    }
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = code(&errors, StatusCode::OK);
    let view = CheckoutView {
        chrome: Chrome::signed_in("Test checkout", principal, csrf.clone(), "/admissions"),
        csrf,
        reference,
        amount: payment.amount,
        currency: payment.currency,
        application: payment.application_id,
        pays: TEST_CARD_PAYS,
        declined: TEST_CARD_DECLINED,
        errors,
    };
    Ok((status, jar, render(&view)?).into_response())
}

/// The built-in test gateway's checkout (no money moves).
pub async fn checkout(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(reference): ApiPath<String>,
) -> AppResult<Response> {
    render_checkout(&state, &principal, jar, reference, Vec::new()).await
}

/// The test checkout's card form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CheckoutForm {
    card: String,
}

/// The test checkout's "pay": a test card decides the outcome, which is signed and then
/// settled exactly as a real gateway's callback would be.
pub async fn checkout_pay(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(reference): ApiPath<String>,
    Form(form): Form<CheckoutForm>,
) -> AppResult<Response> {
    let payment = own_payment(&state, &principal, &reference).await?;
    let card: String = form.card.chars().filter(char::is_ascii_digit).collect();
    let outcome = match card.as_str() {
        TEST_CARD_PAYS => Outcome::Paid,
        TEST_CARD_DECLINED => Outcome::Failed,
        _ => {
            let errors = vec![FieldError::new(
                "card",
                format!(
                    "this is the test gateway: use {TEST_CARD_PAYS} to pay or {TEST_CARD_DECLINED} to be declined"
                ),
            )];
            return render_checkout(&state, &principal, jar, reference, errors).await;
        }
    };
    let gateway = payments::named(&state.config, "test").ok_or(AppError::NotFound)?;
    let signed = Signed {
        college: &principal.college_slug,
        reference: &reference,
        amount: &payment.amount,
        currency: &payment.currency,
        outcome,
    };
    let signature = TestGateway::new(state.config.secret_key.expose()).sign(&signed);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let settled = payments::settle(
        &mut tx,
        &context,
        gateway.as_ref(),
        &signed,
        &signature,
        &format!("test-{}", card.get(12..).unwrap_or_default()),
    )
    .await?;
    tx.commit().await?;
    let message = match settled {
        Outcome::Paid => "The application fee is paid.",
        Outcome::Failed => "The payment was declined; try again.",
    };
    render_application(
        &state,
        &principal,
        jar,
        payment.application_id,
        Some(message.to_string()),
        Vec::new(),
    )
    .await
}

#[derive(Template)]
#[template(path = "admissions/intakes.html")]
struct IntakesView {
    chrome: Chrome,
    csrf: String,
    intakes: Vec<Intake>,
    programs: Vec<(String, String)>,
    input: IntakeInput,
    errors: Vec<FieldError>,
}

async fn render_intakes(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    input: IntakeInput,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let intakes = intakes::list(&mut tx).await?;
    let programs: Vec<(String, String)> =
        sqlx::query!("SELECT code, code || ' ' || name AS \"label!\" FROM programs ORDER BY code")
            .fetch_all(&mut *tx)
            .await
            .map(|v| v.into_iter().map(|r| (r.code, r.label)).collect::<Vec<_>>())?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = code(&errors, StatusCode::OK);
    let view = IntakesView {
        chrome: Chrome::signed_in("Intakes", principal, csrf.clone(), "/admissions"),
        csrf,
        intakes,
        programs,
        input,
        errors,
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn intakes_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_intakes(&state, &principal, jar, IntakeInput::default(), Vec::new()).await
}

/// The office's "new intake" form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct IntakeForm {
    program: String,
    name: String,
    seats: String,
    application_fee: String,
    currency: String,
    opens_on: String,
    closes_on: String,
    admits_on: String,
}

pub async fn create_intake(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<IntakeForm>,
) -> AppResult<Response> {
    let input = IntakeInput {
        program: form.program,
        name: form.name,
        seats: form.seats.trim().parse().unwrap_or(0),
        application_fee: form.application_fee,
        currency: form.currency,
        opens_on: form.opens_on,
        closes_on: form.closes_on,
        admits_on: form.admits_on,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = intakes::create(&mut tx, &context, &input).await;
    form::settle(&state, tx, result)
        .done(|id| Done::to(format!("/admissions/intakes/{id}")).message("Intake created."))
        .again(async |errors| render_intakes(&state, &principal, jar, input, errors).await)
        .await
}

#[derive(Template)]
#[template(path = "admissions/intake.html")]
struct IntakeView {
    chrome: Chrome,
    csrf: String,
    intake: Intake,
    merit: Vec<MeritLine>,
    message: Option<String>,
}

async fn render_intake(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    message: Option<String>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let intake = intakes::find(&mut tx, id).await?;
    let merit = applications::merit_list(&mut tx, id).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let view = IntakeView {
        chrome: Chrome::signed_in(intake.name.clone(), principal, csrf.clone(), "/admissions"),
        csrf,
        intake,
        merit,
        message,
    };
    Ok((jar, render(&view)?).into_response())
}

pub async fn intake_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_intake(&state, &principal, jar, id, None).await
}

pub async fn allocate(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let done = applications::allocate(&mut tx, &context, &state.config.base_url(), id).await?;
    tx.commit().await?;
    let message = format!(
        "{} accepted, {} waitlisted; {} seats left.",
        done.accepted, done.waitlisted, done.seats_left
    );
    render_intake(&state, &principal, jar, id, Some(message)).await
}
