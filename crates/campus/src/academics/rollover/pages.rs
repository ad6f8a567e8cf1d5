//! Year end in HTML: the registrar's rollover page (choose the closing term and the
//! next, preview, run). The preview is the confirmation: it says what the run will do,
//! and its button runs it; the run then comes back to the preview, which says it ran.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use uuid::Uuid;

use crate::academics::rollover::model::RolloverPlan;
use crate::academics::rollover::queries;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::ApiQuery;
use crate::web::form::{Done, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "academics/rollover.html")]
struct RolloverPage {
    chrome: Chrome,
    csrf: String,
    terms: Vec<(Uuid, String)>,
    from: Option<Uuid>,
    to: Option<Uuid>,
    plan: Option<RolloverPlan>,
    errors: Errors,
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
    outcome: Result<Option<RolloverPlan>, AppError>,
) -> AppResult<Response> {
    let (plan, errors, status) = match outcome {
        Ok(plan) => (plan, Vec::new(), StatusCode::OK),
        Err(AppError::Validation(errors)) => (None, errors, StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict(message)) => (
            None,
            vec![FieldError::new("rollover", message)],
            StatusCode::CONFLICT,
        ),
        Err(other) => return Err(other),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let terms = queries::term_choices(&mut tx).await?;
    // A refused run shows its plan again, next to why.
    let plan = match (plan, from, to, errors.is_empty()) {
        (None, Some(from), Some(to), false) => queries::plan(&mut tx, from, to).await.ok(),
        (plan, ..) => plan,
    };
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = RolloverPage {
        chrome: Chrome::signed_in("Year end", principal, csrf.clone(), "/results"),
        csrf,
        terms,
        from,
        to,
        plan,
        errors: errors.into(),
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
            let plan = queries::plan(&mut tx, from, to).await;
            tx.commit().await?;
            plan.map(Some)
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
    match queries::run(&mut tx, &context, from, to).await {
        Ok(plan) => {
            tx.commit().await?;
            let message = match plan.ran_at {
                Some(at) => format!(
                    "{} was already rolled over on {}; nothing changed",
                    plan.from_term,
                    crate::web::time::local(at, &principal.timezone)
                ),
                None => format!(
                    "{} closed and rolled over to {}: {} moving up a year, {} graduating, {} failed courses carried forward",
                    plan.from_term, plan.to_term, plan.promoted, plan.graduating, plan.carried
                ),
            };
            Ok(Done::to(format!("/terms/rollover?from={from}&to={to}"))
                .message(message)
                .respond(&state))
        }
        Err(error) => {
            tx.rollback().await?;
            render_page(&state, &principal, jar, Some(from), Some(to), Err(error)).await
        }
    }
}
