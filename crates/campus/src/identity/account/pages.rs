//! A user's own account: their sessions (with revoke), each named by its device, and
//! changing their password. Each form goes on to a page saying what happened; a refused
//! one comes back (422) with its messages by field.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::account::model::device_name;
use crate::identity::account::queries;
use crate::identity::signin::model::{Recheck, SessionRow, Visitor};
use crate::identity::signin::queries as signin;
use crate::identity::signin::{password, service, session};
use crate::identity::tokens::queries as tokens;
use crate::web::client_ip::ClientIp;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{Done, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "identity/sessions.html")]
struct SessionsPage {
    chrome: Chrome,
    csrf: String,
    current: Option<Uuid>,
    sessions: Vec<SessionRow>,
}

impl SessionsPage {
    fn is_current(&self, id: &Uuid) -> bool {
        self.current == Some(*id)
    }

    /// The device a session was started on, as its owner knows it ("Chrome on Windows").
    fn device(&self, s: &SessionRow) -> String {
        s.user_agent
            .as_deref()
            .map_or_else(|| "Unknown device".to_string(), device_name)
    }
}

pub async fn sessions_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let sessions = signin::list_live(&mut tx, principal.user_id, state.config.session_idle).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = SessionsPage {
        chrome: Chrome::signed_in("Your sessions", &principal, csrf.clone(), "/account"),
        csrf,
        current: principal.session_id,
        sessions,
    };
    Ok((jar, render(&page)?).into_response())
}

pub async fn revoke_session(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    // Only the user's own sessions match; anyone else's id is simply not found.
    if !signin::revoke(&mut tx, principal.user_id, id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        &context,
        Entry::new("auth.session_revoked").object("session", id),
    )
    .await?;
    tx.commit().await?;
    state.principals.forget_user(principal.user_id);
    if Some(id) == principal.session_id {
        return Ok(Redirect::to("/login").into_response());
    }
    Ok(Done::to("/account/sessions")
        .message("The session was signed out; that browser must sign in again.")
        .respond(&state))
}

#[derive(Template)]
#[template(path = "identity/password.html")]
struct PasswordPage {
    chrome: Chrome,
    csrf: String,
    errors: Errors,
}

fn password_page_with(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = PasswordPage {
        chrome: Chrome::signed_in("Change password", principal, csrf.clone(), "/account"),
        csrf,
        // Passwords are never sent back: each box is empty again, its message under it.
        errors: errors.into(),
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn password_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    password_page_with(&state, &principal, jar, Vec::new())
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// Changes the password, revokes every other session, and moves this browser to a new
/// session id (a change of credentials is a change of privilege); then on to the
/// sessions page, which says so.
pub async fn change_password(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    client: ClientIp,
    headers: axum::http::HeaderMap,
    jar: CookieJar,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    state
        .throttle
        .check(crate::web::throttle::Door::SignIn, client.0)?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let recheck = service::recheck_password(&mut tx, principal.user_id, &form.current).await?;
    let current_ok = recheck == Recheck::Right;
    let mut errors: Vec<FieldError> = recheck.problem("current").into_iter().collect();
    let context_words = [
        principal.email.as_str(),
        principal.display_name.as_str(),
        principal.college_name.as_str(),
    ];
    if let Err(e) = password::check_strength("new", &form.new, &context_words) {
        errors.push(e);
    } else if form.new == form.current {
        errors.push(FieldError::new(
            "new",
            "must differ from the current password",
        ));
    }
    if form.confirm != form.new {
        errors.push(FieldError::new(
            "confirm",
            "does not match the new password",
        ));
    }
    if !errors.is_empty() {
        if current_ok {
            tx.rollback().await?;
        } else {
            // A wrong current password counted, as at sign-in: a stolen session must
            // not be a way to guess the password at leisure.
            tx.commit().await?;
        }
        return password_page_with(&state, &principal, jar, errors);
    }
    let hash = password::hash_bounded(&form.new).await?;
    queries::store_password(&mut tx, principal.user_id, hash).await?;
    let (revoked, _) = tokens::sign_out_everywhere(&mut tx, principal.user_id).await?;
    // This browser stays signed in with a new session; every other one is out.
    let cookie = session::start(
        &mut tx,
        &state,
        &context,
        principal.college,
        principal.user_id,
        &Visitor::of(&client, &headers),
        None,
    )
    .await?;
    audit::record(
        &mut tx,
        &context,
        Entry::new("auth.password_changed")
            .object("user", principal.user_id)
            .after(serde_json::json!({ "password": "changed", "sessions_revoked": revoked })),
    )
    .await?;
    tx.commit().await?;
    state.principals.forget_user(principal.user_id);
    let done = Done::to("/account/sessions")
        .message("Your password was changed and your other sessions were signed out.")
        .respond(&state);
    Ok((jar.add(cookie), done).into_response())
}
