//! The college's public application page: an applicant's account and a draft
//! application to the intake they choose.

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
use crate::admissions::signup::model::{SignUpInput, Signing};
use crate::admissions::signup::service;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::institution::queries;
use crate::web::client_ip::ClientIp;
use crate::web::csrf;
use crate::web::extract::ApiPath;
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
    let signing = Signing {
        college: college.id,
        college_name: &college.name,
        college_slug: &college.slug,
        base_url: &base_url,
    };
    let mut tx = begin_for_college(&state.db, college.id).await?;
    match service::sign_up(&mut tx, &context, &signing, &input).await {
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
