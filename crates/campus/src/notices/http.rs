//! Notices in pages and the JSON API.

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppResult, FieldError};
use crate::notices::model::{self, AUDIENCES, Notice, NoticeInput};
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

/// The current notices for the caller's audiences (by their roles).
#[utoipa::path(get, path = "/api/v1/notices", tag = "notices", security(("bearer" = [])),
    responses((status = 200, description = "Newest first, at most 100", body = [Notice])))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Notice>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let notices = model::current(&mut tx, &model::audiences_of(&principal), 100).await?;
    tx.commit().await?;
    Ok(Json(notices))
}

/// Posts a notice (now, or from a later time).
#[utoipa::path(post, path = "/api/v1/notices", tag = "notices", request_body = NoticeInput, security(("bearer" = [])),
    responses((status = 201, description = "Posted", body = Created),
        (status = 422, description = "A missing title or body, an unknown audience, bad dates", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn post(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<NoticeInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = model::post(&mut tx, &context, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Withdraws a notice: nobody sees it any more (it stays in the record).
#[utoipa::path(post, path = "/api/v1/notices/{id}/withdraw", tag = "notices", params(("id" = Uuid, Path, description = "The notice's id")), security(("bearer" = [])),
    responses((status = 204, description = "Withdrawn"),
        (status = 404, description = "No such notice, or already withdrawn", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn withdraw(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    model::withdraw(&mut tx, &context, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Template)]
#[template(path = "notices/page.html")]
struct NoticesView {
    chrome: Chrome,
    csrf: String,
    current: Vec<Notice>,
    managed: Option<Vec<Notice>>,
    audiences: [&'static str; 5],
    input: NoticeInput,
    errors: Vec<FieldError>,
}

async fn render_page(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    input: NoticeInput,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let current = model::current(&mut tx, &model::audiences_of(principal), 100).await?;
    let managed = if principal.can(Permission::NoticesManage) {
        Some(model::all(&mut tx).await?)
    } else {
        None
    };
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = NoticesView {
        chrome: Chrome::signed_in("Notices", principal, csrf.clone(), "/notices"),
        csrf,
        current,
        managed,
        audiences: AUDIENCES,
        input,
        errors,
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_page(&state, &principal, jar, NoticeInput::default(), Vec::new()).await
}

/// The "new notice" form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NoticeForm {
    title: String,
    body: String,
    audience: String,
    publish_at: String,
    expires_on: String,
}

pub async fn post_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<NoticeForm>,
) -> AppResult<Response> {
    let input = NoticeInput {
        title: form.title,
        body: form.body,
        audience: form.audience,
        publish_at: form.publish_at,
        expires_on: form.expires_on,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = model::post(&mut tx, &context, &input).await;
    form::settle(&state, tx, result)
        .done(|_| Done::to("/notices").message("Notice posted."))
        .again(async |errors| render_page(&state, &principal, jar, input, errors).await)
        .await
}

pub async fn withdraw_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    model::withdraw(&mut tx, &context, id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/notices").into_response())
}
