//! The admissions office's intakes: the list with the "new intake" form, and an intake's
//! page with its merit list and seat allocation (which goes back to the page saying how
//! the seats went).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::admissions::applications::model::MeritLine;
use crate::admissions::applications::pages::code;
use crate::admissions::applications::queries as applications;
use crate::admissions::applications::service;
use crate::admissions::intakes::model::{Intake, IntakeInput};
use crate::admissions::intakes::queries;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "admissions/intakes.html")]
struct IntakesView {
    chrome: Chrome,
    csrf: String,
    intakes: Vec<Intake>,
    programs: Vec<(String, String)>,
    input: IntakeInput,
    /// The seats as typed (the input keeps a number only once it is one).
    seats: String,
    errors: Errors,
}

async fn render_intakes(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    input: IntakeInput,
    seats: String,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let intakes = queries::list(&mut tx).await?;
    let programs = queries::program_options(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = code(&errors, StatusCode::OK);
    let view = IntakesView {
        chrome: Chrome::signed_in("Intakes", principal, csrf.clone(), "/admissions"),
        csrf,
        intakes,
        programs,
        input,
        seats,
        errors: errors.into(),
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn intakes_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_intakes(
        &state,
        &principal,
        jar,
        IntakeInput::default(),
        String::new(),
        Vec::new(),
    )
    .await
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
    Form(sent): Form<IntakeForm>,
) -> AppResult<Response> {
    let seats = sent.seats;
    let input = IntakeInput {
        program: sent.program,
        name: sent.name,
        seats: seats.trim().parse().unwrap_or(0),
        application_fee: sent.application_fee,
        currency: sent.currency,
        opens_on: sent.opens_on,
        closes_on: sent.closes_on,
        admits_on: sent.admits_on,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::create(&mut tx, &context, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("name")
        .done(|id| Done::to(format!("/admissions/intakes/{id}")).message("Intake created."))
        .again(async |errors| render_intakes(&state, &principal, jar, input, seats, errors).await)
        .await
}

#[derive(Template)]
#[template(path = "admissions/intake.html")]
struct IntakeView {
    chrome: Chrome,
    csrf: String,
    intake: Intake,
    merit: Vec<MeritLine>,
}

async fn render_intake(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let intake = queries::find(&mut tx, id).await?;
    let merit = applications::merit_list(&mut tx, id).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let view = IntakeView {
        chrome: Chrome::signed_in(intake.name.clone(), principal, csrf.clone(), "/admissions"),
        csrf,
        intake,
        merit,
    };
    Ok((jar, render(&view)?).into_response())
}

pub async fn intake_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_intake(&state, &principal, jar, id).await
}

pub async fn allocate(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let done = service::allocate(&mut tx, &context, &state.config.base_url(), id).await?;
    tx.commit().await?;
    let message = format!(
        "Seats allocated by merit: {} accepted, {} waitlisted; {} seats left.",
        done.accepted, done.waitlisted, done.seats_left
    );
    Ok(Done::to(format!("/admissions/intakes/{id}"))
        .message(message)
        .respond(&state))
}
