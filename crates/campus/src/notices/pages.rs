//! The notices page: the current notices of the reader's audiences and, for those who
//! manage them, every notice with the forms to post and withdraw. Each form done goes
//! back to the page saying what happened; a refused one comes back (422) with its
//! messages by field and what was typed.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppResult, FieldError};
use crate::notices::model::{AUDIENCES, Notice, NoticeInput, audiences_of};
use crate::notices::queries;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};
use crate::web::words;

#[derive(Template)]
#[template(path = "notices/page.html")]
struct NoticesView {
    chrome: Chrome,
    csrf: String,
    current: Vec<Notice>,
    managed: Option<Vec<Notice>>,
    audiences: [&'static str; 5],
    input: NoticeInput,
    errors: Errors,
}

async fn render_page(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    input: NoticeInput,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let current = queries::current(&mut tx, &audiences_of(principal), 100).await?;
    let managed = if principal.can(Permission::NoticesManage) {
        Some(queries::all(&mut tx).await?)
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
        errors: errors.into(),
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let input = NoticeInput {
        audience: AUDIENCES[0].to_string(),
        ..NoticeInput::default()
    };
    render_page(&state, &principal, jar, input, Vec::new()).await
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
    Form(sent): Form<NoticeForm>,
) -> AppResult<Response> {
    let input = NoticeInput {
        title: sent.title,
        body: sent.body,
        audience: sent.audience,
        publish_at: sent.publish_at,
        expires_on: sent.expires_on,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::post(&mut tx, &context, &input).await;
    let message = format!(
        "Notice {} posted for {}.",
        input.title.trim(),
        words::label(&input.audience).to_lowercase()
    );
    form::settle(&state, tx, result)
        .conflict_on("title")
        .done(|_| Done::to("/notices").message(message))
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
    queries::withdraw(&mut tx, &context, id).await?;
    tx.commit().await?;
    Ok(Done::to("/notices")
        .message("Notice withdrawn; nobody sees it now.")
        .respond(&state))
}
