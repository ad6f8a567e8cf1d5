//! A user's own account: their sessions (with revoke) and changing their password.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::account::queries;
use crate::identity::signin::model::{Recheck, SessionRow, Visitor};
use crate::identity::signin::queries as signin;
use crate::identity::signin::{password, service, session};
use crate::identity::tokens::queries as tokens;
use crate::web::client_ip::ClientIp;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "identity/sessions.html")]
struct SessionsPage {
    chrome: Chrome,
    csrf: String,
    current: Option<Uuid>,
    sessions: Vec<SessionRow>,
    notice: Option<&'static str>,
}

impl SessionsPage {
    fn is_current(&self, id: &Uuid) -> bool {
        self.current == Some(*id)
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct Notice {
    done: Option<String>,
}

pub async fn sessions_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    crate::web::extract::ApiQuery(notice): crate::web::extract::ApiQuery<Notice>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let sessions = signin::list_live(&mut tx, principal.user_id, state.config.session_idle).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let notice = match notice.done.as_deref() {
        Some("revoked") => Some("The session was signed out."),
        Some("password") => {
            Some("Your password was changed and your other sessions were signed out.")
        }
        _ => None,
    };
    let page = SessionsPage {
        chrome: Chrome::signed_in("Your sessions", &principal, csrf.clone(), "/account"),
        csrf,
        current: principal.session_id,
        sessions,
        notice,
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
    Ok(Redirect::to("/account/sessions?done=revoked").into_response())
}

#[derive(Template)]
#[template(path = "identity/password.html")]
struct PasswordPage {
    chrome: Chrome,
    csrf: String,
    errors: Vec<FieldError>,
}

impl PasswordPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

pub async fn password_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = PasswordPage {
        chrome: Chrome::signed_in("Change password", &principal, csrf.clone(), "/account"),
        csrf,
        errors: Vec::new(),
    };
    Ok((jar, render(&page)?).into_response())
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
/// session id (a change of credentials is a change of privilege).
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
        let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
        let page = PasswordPage {
            chrome: Chrome::signed_in("Change password", &principal, csrf.clone(), "/account"),
            csrf,
            errors,
        };
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            jar,
            render(&page)?,
        )
            .into_response());
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
    Ok((
        jar.add(cookie),
        Redirect::to("/account/sessions?done=password"),
    )
        .into_response())
}
