//! Paying an application's fee from its page, the office's "fee received" form, and the
//! built-in test gateway's checkout (no money moves), which settles its outcome the way a
//! real gateway's callback does.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::admissions::applications::pages::{Again, code, render_application};
use crate::admissions::payments::model::{
    Outcome, Pending, Signed, TEST_CARD_DECLINED, TEST_CARD_PAYS, TestGateway, for_new_payments,
    named,
};
use crate::admissions::payments::queries;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};

pub async fn pay(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let gateway = for_new_payments(&state.config);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    // The checkout is on this server; the relative address keeps the payer here.
    let result = queries::start(
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
        .conflict_on("fee")
        .done(|checkout| Done::to(checkout.checkout_url))
        .again(async |errors| {
            render_application(&state, &principal, jar, id, Some((Again::Pay, errors))).await
        })
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
    Form(sent): Form<FeeReceivedForm>,
) -> AppResult<Response> {
    let receipt = sent.receipt;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::record_at_office(&mut tx, &context, id, &receipt).await;
    form::settle(&state, tx, result)
        .conflict_on("receipt")
        .done(|()| {
            Done::to(format!("/admissions/applications/{id}")).message(format!(
                "The fee is recorded as received (receipt {}).",
                receipt.trim()
            ))
        })
        .again(async |errors| {
            let again = Some((Again::Fee(receipt.clone()), errors));
            render_application(&state, &principal, jar, id, again).await
        })
        .await
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
    errors: Errors,
}

async fn own_payment(
    state: &AppState,
    principal: &Principal,
    reference: &str,
) -> AppResult<Pending> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = queries::by_reference(&mut tx, reference).await?;
    tx.commit().await?;
    let found = found.ok_or(AppError::NotFound)?;
    if found.user_id != principal.user_id || found.gateway != "test" {
        return Err(AppError::Forbidden);
    }
    if named(&state.config, "test").is_none() {
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
        errors: errors.into(),
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
    let gateway = named(&state.config, "test").ok_or(AppError::NotFound)?;
    let signed = Signed {
        college: &principal.college_slug,
        reference: &reference,
        amount: &payment.amount,
        currency: &payment.currency,
        outcome,
    };
    let signature = TestGateway::new(state.config.secret_key.expose()).sign(&signed);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let settled = queries::settle(
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
    Ok(Done::to(format!(
        "/admissions/applications/{}",
        payment.application_id
    ))
    .message(message)
    .respond(&state))
}
