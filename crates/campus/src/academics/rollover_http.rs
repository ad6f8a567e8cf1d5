//! Year end over HTTP: the registrar's rollover page (choose, preview, run) and the API.

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::academics::rollover::{self, RolloverPlan};
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::layout::{Chrome, render};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ToQuery {
    /// The next term's id.
    pub to: Uuid,
}

/// Previews closing a term and rolling over to the next (or shows the earlier run).
#[utoipa::path(get, path = "/api/v1/terms/{id}/rollover", tag = "results", params(("id" = Uuid, Path, description = "The closing term"), ToQuery), security(("bearer" = [])),
    responses((status = 200, description = "What the rollover will do", body = RolloverPlan),
        (status = 404, description = "No such closing term", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No such next term, or one that does not follow", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn preview(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(from): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ToQuery>,
) -> AppResult<Json<RolloverPlan>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    // The address names the closing term: an unknown one is not found.
    let known: bool = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM terms WHERE id = $1) AS \"v!\"",
        from
    )
    .fetch_one(&mut *tx)
    .await?;
    if !known {
        return Err(AppError::NotFound);
    }
    let plan = rollover::plan(&mut tx, from, query.to).await?;
    tx.commit().await?;
    Ok(Json(plan))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RunInput {
    pub to_term_id: Uuid,
}

/// Closes the term and rolls over; running it again answers the first run.
#[utoipa::path(post, path = "/api/v1/terms/{id}/rollover", tag = "results", request_body = RunInput, params(("id" = Uuid, Path, description = "The closing term")), security(("bearer" = [])),
    responses((status = 200, description = "What was done", body = RolloverPlan),
        (status = 409, description = "Results not yet published, or rolled over to another term", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn run(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(from): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RunInput>,
) -> AppResult<Json<RolloverPlan>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let plan = rollover::run(&mut tx, &context, from, input.to_term_id).await?;
    tx.commit().await?;
    Ok(Json(plan))
}

#[derive(Template)]
#[template(path = "academics/rollover.html")]
struct RolloverPage {
    chrome: Chrome,
    csrf: String,
    terms: Vec<(Uuid, String)>,
    from: Option<Uuid>,
    to: Option<Uuid>,
    plan: Option<RolloverPlan>,
    done: bool,
    errors: Vec<FieldError>,
}

impl RolloverPage {
    fn picked(&self, chosen: &Option<Uuid>, id: &Uuid) -> bool {
        chosen.as_ref() == Some(id)
    }
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    from: Option<Uuid>,
    to: Option<Uuid>,
}

async fn render_page(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    from: Option<Uuid>,
    to: Option<Uuid>,
    outcome: Result<Option<(RolloverPlan, bool)>, AppError>,
) -> AppResult<Response> {
    let (plan, done, errors, status) = match outcome {
        Ok(Some((plan, done))) => (Some(plan), done, Vec::new(), StatusCode::OK),
        Ok(None) => (None, false, Vec::new(), StatusCode::OK),
        Err(AppError::Validation(errors)) => {
            (None, false, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Conflict(message)) => (
            None,
            false,
            vec![FieldError::new("rollover", message)],
            StatusCode::CONFLICT,
        ),
        Err(other) => return Err(other),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let terms: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT t.id, t.name || ' (' || y.name || ')' || CASE WHEN t.closed_at IS NOT NULL THEN ', closed' ELSE '' END \
         FROM terms t JOIN academic_years y ON y.college_id = t.college_id AND y.id = t.academic_year_id ORDER BY t.starts_on",
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = RolloverPage {
        chrome: Chrome::signed_in("Year end", principal, csrf.clone(), "/results"),
        csrf,
        terms,
        from,
        to,
        plan,
        done,
        errors,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> AppResult<Response> {
    let outcome = match (query.from, query.to) {
        (Some(from), Some(to)) => {
            let mut tx = begin_for_college(&state.db, principal.college).await?;
            let plan = rollover::plan(&mut tx, from, to).await;
            tx.commit().await?;
            plan.map(|p| Some((p, false)))
        }
        _ => Ok(None),
    };
    render_page(&state, &principal, jar, query.from, query.to, outcome).await
}

/// The "run the rollover" form: the closing term and the next.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RolloverForm {
    from: String,
    to: String,
}

pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<RolloverForm>,
) -> AppResult<Response> {
    let id = |value: &str| Uuid::parse_str(value.trim()).ok();
    let (Some(from), Some(to)) = (id(&form.from), id(&form.to)) else {
        let errors = vec![FieldError::new(
            "from",
            "choose the closing term and the next",
        )];
        return render_page(
            &state,
            &principal,
            jar,
            None,
            None,
            Err(AppError::Validation(errors)),
        )
        .await;
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let outcome = rollover::run(&mut tx, &context, from, to).await;
    if outcome.is_ok() {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    render_page(
        &state,
        &principal,
        jar,
        Some(from),
        Some(to),
        outcome.map(|p| Some((p, true))),
    )
    .await
}
