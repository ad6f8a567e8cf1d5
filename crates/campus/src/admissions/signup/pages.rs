//! The college's public application page: an applicant's account and a draft
//! application to the intake they choose. A refused form comes back (422) with its
//! messages by field and what was typed (never the password); a form done goes to the
//! college's sign-in page, which says to confirm the address from the mail first.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::admissions::applications::pages::code;
use crate::admissions::intakes::model::Intake;
use crate::admissions::intakes::queries as intakes;
use crate::admissions::signup::model::{CHECK_YOUR_MAIL, SignUpInput, Signing};
use crate::admissions::signup::service;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::institution::queries;
use crate::web::client_ip::ClientIp;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Brand, Chrome, render};
use crate::web::throttle::Door;

#[derive(Template)]
#[template(path = "admissions/apply.html")]
struct ApplyView {
    chrome: Chrome,
    csrf: String,
    slug: String,
    college: String,
    intakes: Vec<Intake>,
    /// What was typed (never the password).
    input: SignUpInput,
    errors: Errors,
}

async fn render_apply(
    state: &AppState,
    jar: CookieJar,
    slug: &str,
    input: SignUpInput,
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
    let status = code(&errors, StatusCode::OK);
    let view = ApplyView {
        chrome: Chrome::college("Apply for admission", brand),
        csrf,
        slug: college.slug,
        college: college.name,
        intakes,
        input: SignUpInput {
            password: String::new(),
            ..input
        },
        errors: errors.into(),
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn apply_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiPath(slug): ApiPath<String>,
) -> AppResult<Response> {
    render_apply(&state, jar, &slug, SignUpInput::default(), Vec::new()).await
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

/// Makes the applicant's account and draft, then goes to the college's sign-in page,
/// which says to confirm the address from the mail first. Everyone is told the same,
/// whether or not the address had an account.
pub async fn apply(
    State(state): State<AppState>,
    client: ClientIp,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(slug): ApiPath<String>,
    Form(sent): Form<ApplyForm>,
) -> AppResult<Response> {
    state.throttle.check(Door::SignUp, client.0)?;
    let college = queries::find_by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let intake_id = Uuid::parse_str(sent.intake_id.trim()).ok();
    let input = SignUpInput {
        intake_id: intake_id.unwrap_or_default(),
        first_name: sent.first_name,
        last_name: sent.last_name,
        email: sent.email,
        password: sent.password,
    };
    if intake_id.is_none() {
        let errors = vec![FieldError::new("intake_id", "choose a program to apply to")];
        return render_apply(&state, jar, &slug, input, errors).await;
    }
    let base_url = state.config.base_url();
    let signing = Signing {
        college: college.id,
        college_name: &college.name,
        college_slug: &college.slug,
        base_url: &base_url,
    };
    let mut tx = begin_for_college(&state.db, college.id).await?;
    let result = service::sign_up(&mut tx, &context, &signing, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("intake_id")
        .done(|()| Done::to(format!("/c/{}/login", college.slug)).message(CHECK_YOUR_MAIL))
        .again(async |errors| render_apply(&state, jar, &slug, input, errors).await)
        .await
}
