//! Second-factor pages: the sign-in step that asks for a code (in the college's own
//! header, as its sign-in page), enrolment with a QR code, recovery codes, and switching
//! it off (where the role allows). A refused form comes back (422) with its message
//! under its field.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::{CollegeId, begin_for_college};
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::mfa::codes;
use crate::identity::mfa::model::{self, Proof};
use crate::identity::mfa::queries as mfa;
use crate::identity::mfa::ticket::{TICKET_COOKIE, read_ticket};
use crate::identity::signin::model::{Recheck, Visitor};
use crate::identity::signin::pages::safe_next;
use crate::identity::signin::queries as signin;
use crate::identity::signin::{service, session};
use crate::web::client_ip::ClientIp;
use crate::web::csrf;
use crate::web::extract::ApiQuery;
use crate::web::form::{Done, Errors};
use crate::web::layout::{Brand, Chrome, render};
use crate::web::throttle::Door;

#[derive(Template)]
#[template(path = "identity/mfa_code.html")]
struct CodePage {
    chrome: Chrome,
    csrf: String,
    next: String,
    error: bool,
}

#[derive(Debug, Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// The second-factor step, in the header of the college the sign-in belongs to (as its
/// sign-in page is); 401 with the message when a code was refused.
async fn render_code(
    state: &AppState,
    jar: CookieJar,
    college: CollegeId,
    next: Option<&str>,
    error: bool,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, college).await?;
    let (slug, name) = mfa::college_brand(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, None, jar);
    let page = CodePage {
        chrome: Chrome::college("Second factor", Brand { slug, name }),
        csrf,
        next: safe_next(next),
        error,
    };
    let status = if error {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn code_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiQuery(q): ApiQuery<NextQuery>,
) -> AppResult<Response> {
    let Some((college, _, _)) = read_ticket(&state, &jar) else {
        return Ok(Redirect::to("/login").into_response());
    };
    render_code(&state, jar, college, q.next.as_deref(), false).await
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    next: Option<String>,
}

pub async fn submit_code(
    State(state): State<AppState>,
    context: AuditContext,
    client: ClientIp,
    headers: axum::http::HeaderMap,
    jar: CookieJar,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    state.throttle.check(Door::SignIn, client.0)?;
    let Some((college, user, lock_lifted)) = read_ticket(&state, &jar) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let mut tx = begin_for_college(&state.db, college).await?;
    let proof = if !lock_lifted && signin::is_locked(&mut tx, user).await? {
        None
    } else {
        mfa::verify(&mut tx, &state.config.field_keys, user, &form.code).await?
    };
    let Some(proof) = proof else {
        signin::count_failure(&mut tx, user).await?;
        audit::record(
            &mut tx,
            &context.clone().with_actor(user, None),
            Entry::new("auth.login_failed")
                .object("user", user)
                .after(serde_json::json!({ "reason": "wrong second-factor code" })),
        )
        .await?;
        tx.commit().await?;
        return render_code(&state, jar, college, form.next.as_deref(), true).await;
    };
    signin::complete(&mut tx, user).await?;
    let method = match proof {
        Proof::Totp => "password+totp",
        Proof::RecoveryCode => "password+recovery_code",
    };
    let cookie = session::start(
        &mut tx,
        &state,
        &context,
        college,
        user,
        &Visitor::of(&client, &headers),
        Some(serde_json::json!({ "method": method })),
    )
    .await?;
    tx.commit().await?;
    let jar = TICKET_COOKIE.remove(&state.config, jar.add(cookie));
    Ok((jar, Redirect::to(&safe_next(form.next.as_deref()))).into_response())
}

#[derive(Template)]
#[template(path = "identity/mfa.html")]
struct MfaPage {
    chrome: Chrome,
    csrf: String,
    enabled: bool,
    required: bool,
    qr: String,
    key: String,
    /// Recovery codes to show this once (never again: they are stored hashed).
    recovery_codes: Vec<String>,
    remaining_codes: i64,
    /// Said with the recovery codes, on the page that shows them.
    notice: Option<&'static str>,
    /// A refused form's errors: `code` (turning it on), `codes-password` (new recovery
    /// codes) or `password` (turning it off).
    errors: Errors,
}

async fn render_mfa(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    recovery_codes: Vec<String>,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let enabled = mfa::enabled(&mut tx, principal.user_id).await?;
    let (qr, key) = if enabled {
        (String::new(), String::new())
    } else {
        let secret =
            mfa::pending_secret(&mut tx, &state.config.field_keys, principal.user_id).await?;
        let url = codes::otpauth_url(&principal.college_name, &principal.email, &secret);
        (codes::qr_svg(&url), codes::base32(&secret))
    };
    let remaining_codes = mfa::remaining_recovery_codes(&mut tx, principal.user_id).await?;
    let staff_required = mfa::staff_required(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = MfaPage {
        chrome: Chrome::signed_in("Second factor", principal, csrf.clone(), "/account"),
        csrf,
        enabled,
        required: model::required(&principal.roles, staff_required),
        qr,
        key,
        recovery_codes,
        remaining_codes,
        notice,
        errors: errors.into(),
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_mfa(&state, &principal, jar, Vec::new(), None, Vec::new()).await
}

/// The password re-check's refusal, under the password box `field`.
fn password_problem(recheck: Recheck, field: &str) -> Vec<FieldError> {
    match recheck {
        Recheck::Locked => vec![FieldError::new(
            field,
            "cannot be checked now: the account is locked after too many wrong attempts; try again later",
        )],
        _ => vec![FieldError::new(field, "is not your password")],
    }
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    code: String,
}

/// Turns the second factor on. The page that answers shows the recovery codes, once: it
/// is the one page rendered at its form's address, since the codes are kept nowhere to
/// show them again after a redirect.
pub async fn confirm(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    if mfa::enabled(&mut tx, principal.user_id).await? {
        return Err(AppError::Conflict(
            "A second factor is already enrolled.".into(),
        ));
    }
    let Some(codes) = mfa::confirm(
        &mut tx,
        &state.config.field_keys,
        principal.user_id,
        &form.code,
    )
    .await?
    else {
        tx.commit().await?;
        let errors = vec![FieldError::new(
            "code",
            "is not right: check the app's clock and enter the current code",
        )];
        return render_mfa(&state, &principal, jar, Vec::new(), None, errors).await;
    };
    audit::record(
        &mut tx,
        &context,
        Entry::new("auth.mfa_enrolled").object("user", principal.user_id),
    )
    .await?;
    tx.commit().await?;
    state.principals.forget_user(principal.user_id);
    let notice = "The second factor is on. Keep these recovery codes somewhere safe: each works once, and they are shown only now.";
    render_mfa(&state, &principal, jar, codes, Some(notice), Vec::new()).await
}

/// New recovery codes, shown once on the page that answers (see [`confirm`]).
pub async fn new_recovery_codes(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    client: ClientIp,
    jar: CookieJar,
    Form(form): Form<DisableForm>,
) -> AppResult<Response> {
    state.throttle.check(Door::SignIn, client.0)?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    if !mfa::enabled(&mut tx, principal.user_id).await? {
        return Err(AppError::Conflict("Enrol a second factor first.".into()));
    }
    let recheck = service::recheck_password(&mut tx, principal.user_id, &form.password).await?;
    if recheck != Recheck::Right {
        tx.commit().await?;
        let errors = password_problem(recheck, "codes-password");
        return render_mfa(&state, &principal, jar, Vec::new(), None, errors).await;
    }
    let codes = mfa::replace_recovery_codes(&mut tx, principal.user_id).await?;
    audit::record(
        &mut tx,
        &context,
        Entry::new("auth.recovery_codes_replaced").object("user", principal.user_id),
    )
    .await?;
    tx.commit().await?;
    let notice = "New recovery codes; the old ones no longer work.";
    render_mfa(&state, &principal, jar, codes, Some(notice), Vec::new()).await
}

#[derive(Debug, Deserialize)]
pub struct DisableForm {
    #[serde(default)]
    password: String,
}

pub async fn disable(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    client: ClientIp,
    jar: CookieJar,
    Form(form): Form<DisableForm>,
) -> AppResult<Response> {
    state.throttle.check(Door::SignIn, client.0)?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let staff_required = mfa::staff_required(&mut tx).await?;
    if model::required(&principal.roles, staff_required) {
        return Err(AppError::Conflict(
            "Your role (or your college) requires a second factor, so it stays on.".into(),
        ));
    }
    let recheck = service::recheck_password(&mut tx, principal.user_id, &form.password).await?;
    if recheck != Recheck::Right {
        tx.commit().await?;
        let errors = password_problem(recheck, "password");
        return render_mfa(&state, &principal, jar, Vec::new(), None, errors).await;
    }
    mfa::remove(&mut tx, principal.user_id).await?;
    audit::record(
        &mut tx,
        &context,
        Entry::new("auth.mfa_removed").object("user", principal.user_id),
    )
    .await?;
    tx.commit().await?;
    state.principals.forget_user(principal.user_id);
    Ok(Done::to("/account/mfa")
        .message("The second factor is off: signing in takes your password only.")
        .respond(&state))
}
