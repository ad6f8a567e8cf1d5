//! Getting into an account by mail: accepting an invitation (which also verifies the
//! email address) and resetting a forgotten password. Answers never say whether an
//! account exists; links work once and expire.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppResult, FieldError};
use crate::identity::mfa;
use crate::identity::signin::model::Visitor;
use crate::identity::signin::{password, queries, session};
use crate::identity::tokens::credentials;
use crate::identity::tokens::model::Purpose;
use crate::identity::tokens::queries as tokens;
use crate::institution::model::CollegeSummary;
use crate::institution::queries as institution;
use crate::mail;
use crate::web::client_ip::ClientIp;
use crate::web::csrf;
use crate::web::extract::ApiQuery;
use crate::web::form::{Done, Errors};
use crate::web::layout::{Chrome, render};
use crate::web::throttle::Door;

#[derive(Template)]
#[template(path = "identity/forgot.html")]
struct ForgotPage {
    chrome: Chrome,
    csrf: String,
    colleges: Vec<CollegeSummary>,
    college: String,
}

/// What everyone who asks for a link is told, whether or not the account exists.
const LINK_SENT: &str = "If an account of that college has that email address, a link to \
     choose a new password is on its way. It works once, for an hour.";

#[derive(Debug, Deserialize, Default)]
pub struct ForgotQuery {
    college: Option<String>,
}

pub async fn forgot_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<ForgotQuery>,
) -> AppResult<Response> {
    let colleges = institution::directory(&state.db).await?;
    let college = query
        .college
        .or_else(|| (colleges.len() == 1).then(|| colleges[0].slug.clone()))
        .unwrap_or_default();
    let (csrf, jar) = csrf::for_page(&state, None, jar);
    let page = ForgotPage {
        chrome: Chrome::platform("Forgotten password", "/login"),
        csrf,
        colleges,
        college,
    };
    Ok((jar, render(&page)?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    college: String,
    #[serde(default)]
    email: String,
}

pub async fn forgot(
    State(state): State<AppState>,
    context: AuditContext,
    client: ClientIp,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    state.throttle.check(Door::PasswordReset, client.0)?;
    // Back to the sign-in page, which says a link may be on its way.
    let mut back = "/login".to_string();
    if let Some(college) = institution::find_by_slug(&state.db, form.college.trim()).await? {
        back = format!("/c/{}/login", college.slug);
        let mut tx = begin_for_college(&state.db, college.id).await?;
        let user = queries::active_by_email(&mut tx, &form.email.trim().to_lowercase()).await?;
        if let Some((user, name, stored_email)) = user {
            let token = tokens::issue(&mut tx, college.id, user, Purpose::Reset).await?;
            let link = format!("{}/password/reset?token={token}", state.config.base_url());
            let body = format!(
                "Hello {name},\n\nSomeone (we hope you) asked to reset the password of your {} \
                 account. Choose a new password here within the hour:\n\n{link}\n\nIf it was not \
                 you, ignore this mail: your password stays as it is.\n",
                college.name
            );
            mail::queue(
                &mut tx,
                &stored_email,
                &format!("Reset your {} password", college.name),
                &body,
            )
            .await?;
            audit::record(
                &mut tx,
                &context,
                Entry::new("auth.reset_requested").object("user", user),
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(Done::to(back).message(LINK_SENT).respond(&state))
}

#[derive(Template)]
#[template(path = "identity/set_password.html")]
struct SetPasswordPage {
    chrome: Chrome,
    csrf: String,
    heading: &'static str,
    action: &'static str,
    token: String,
    valid: bool,
    errors: Errors,
}

#[derive(Debug, Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

fn purpose_page(purpose: Purpose) -> (&'static str, &'static str) {
    match purpose {
        Purpose::Invite => ("Accept your invitation", "/invite"),
        _ => ("Choose a new password", "/password/reset"),
    }
}

async fn show(
    state: &AppState,
    jar: CookieJar,
    token: String,
    purpose: Purpose,
) -> AppResult<Response> {
    let valid = match credentials::parse(&token) {
        Some((college, bytes)) => {
            let mut tx = begin_for_college(&state.db, college).await?;
            let user = tokens::peek(&mut tx, &bytes, purpose).await?;
            tx.commit().await?;
            user.is_some()
        }
        None => false,
    };
    let (heading, action) = purpose_page(purpose);
    let (csrf, jar) = csrf::for_page(state, None, jar);
    let page = SetPasswordPage {
        chrome: Chrome::platform(heading, "/login"),
        csrf,
        heading,
        action,
        token,
        valid,
        errors: Errors::none(),
    };
    let status = if valid {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::GONE
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn reset_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> AppResult<Response> {
    show(&state, jar, q.token, Purpose::Reset).await
}

pub async fn invite_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> AppResult<Response> {
    show(&state, jar, q.token, Purpose::Invite).await
}

#[derive(Debug, Deserialize)]
pub struct SetPasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// Sets the password from a mailed link and signs the owner in: the link proves the
/// mailbox, so a lock that a stranger caused by guessing at the address does not keep
/// its owner out (a second factor, when enrolled, is still asked, lock or not).
async fn set_password(
    state: &AppState,
    context: AuditContext,
    visitor: Visitor,
    jar: CookieJar,
    form: SetPasswordForm,
    purpose: Purpose,
) -> AppResult<Response> {
    let Some((college, bytes)) = credentials::parse(&form.token) else {
        return show(state, jar, form.token, purpose).await;
    };
    let mut tx = begin_for_college(&state.db, college).await?;
    let Some(user) = tokens::consume(&mut tx, &bytes, purpose).await? else {
        tx.rollback().await?;
        return show(state, jar, form.token, purpose).await;
    };
    let (email, name, college_name) = queries::own_words(&mut tx, user).await?;
    let mut errors = Vec::new();
    if let Err(e) = password::check_strength("new", &form.new, &[&email, &name, &college_name]) {
        errors.push(e);
    }
    if form.confirm != form.new {
        errors.push(FieldError::new(
            "confirm",
            "does not match the new password",
        ));
    }
    if !errors.is_empty() {
        // Nothing is written, so the token stays usable for the next try.
        tx.rollback().await?;
        let (heading, action) = purpose_page(purpose);
        let (csrf, jar) = csrf::for_page(state, None, jar);
        let page = SetPasswordPage {
            chrome: Chrome::platform(heading, "/login"),
            csrf,
            heading,
            action,
            token: form.token,
            valid: true,
            errors: errors.into(),
        };
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            jar,
            render(&page)?,
        )
            .into_response());
    }
    let hash = password::hash_bounded(&form.new).await?;
    queries::set_password_by_link(&mut tx, user, hash).await?;
    let (sessions, families) = tokens::sign_out_everywhere(&mut tx, user).await?;
    let action = match purpose {
        Purpose::Invite => "user.invite_accepted",
        _ => "auth.password_reset",
    };
    audit::record(
        &mut tx,
        &context.clone().with_actor(user, None),
        Entry::new(action)
            .object("user", user)
            .after(serde_json::json!({
                "password": "set", "sessions_revoked": sessions, "token_families_revoked": families
            })),
    )
    .await?;
    if mfa::queries::enabled(&mut tx, user).await? {
        tx.commit().await?;
        let ticket = mfa::ticket::ticket_with(state, college, user, true);
        return Ok((jar.add(ticket), Redirect::to("/login/mfa?next=/dashboard")).into_response());
    }
    queries::complete(&mut tx, user).await?;
    let cookie = session::start(
        &mut tx,
        state,
        &context,
        college,
        user,
        &visitor,
        Some(serde_json::json!({ "method": "mailed_link" })),
    )
    .await?;
    tx.commit().await?;
    let jar = csrf::COOKIE.remove(&state.config, jar.add(cookie));
    Ok((jar, Redirect::to("/dashboard")).into_response())
}

pub async fn reset(
    State(state): State<AppState>,
    context: AuditContext,
    client: ClientIp,
    headers: axum::http::HeaderMap,
    jar: CookieJar,
    Form(form): Form<SetPasswordForm>,
) -> AppResult<Response> {
    let visitor = Visitor::of(&client, &headers);
    set_password(&state, context, visitor, jar, form, Purpose::Reset).await
}

pub async fn accept_invite(
    State(state): State<AppState>,
    context: AuditContext,
    client: ClientIp,
    headers: axum::http::HeaderMap,
    jar: CookieJar,
    Form(form): Form<SetPasswordForm>,
) -> AppResult<Response> {
    let visitor = Visitor::of(&client, &headers);
    set_password(&state, context, visitor, jar, form, Purpose::Invite).await
}

#[derive(Template)]
#[template(path = "identity/verified.html")]
struct VerifiedPage {
    chrome: Chrome,
    verified: bool,
}

/// Confirms an email address from the link mailed to it.
pub async fn verify_email(
    State(state): State<AppState>,
    context: AuditContext,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> AppResult<Response> {
    let mut verified = false;
    if let Some((college, bytes)) = credentials::parse(&q.token) {
        let mut tx = begin_for_college(&state.db, college).await?;
        if let Some(user) = tokens::consume(&mut tx, &bytes, Purpose::VerifyEmail).await? {
            // An applicant's own sign-up becomes usable once its address is confirmed.
            queries::mark_email_verified(&mut tx, user).await?;
            audit::record(
                &mut tx,
                &context.clone().with_actor(user, None),
                Entry::new("user.email_verified").object("user", user),
            )
            .await?;
            verified = true;
        }
        tx.commit().await?;
    }
    let page = VerifiedPage {
        chrome: Chrome::platform("Email address", "/login"),
        verified,
    };
    let status = if verified {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::GONE
    };
    Ok((status, render(&page)?).into_response())
}
