//! Second-factor pages: the sign-in step that asks for a code, enrolment with a QR code,
//! recovery codes, and switching it off (where the role allows).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::web::cookies::CookieName;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha256;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::{CollegeId, begin_for_college};
use crate::error::{AppError, AppResult};
use crate::identity::mfa::{self, Proof};
use crate::identity::session;
use crate::web::client_ip::ClientIp;
use crate::web::csrf;
use crate::web::extract::ApiQuery;
use crate::web::layout::{Chrome, render};
use crate::web::throttle::Door;

/// Proves the password step passed: `college.user.expiry.mac`, good for five minutes.
pub const TICKET_COOKIE: CookieName = CookieName::new("campus_mfa", "__Host-campus_mfa");
const TICKET_SECONDS: i64 = 300;

fn ticket_mac(secret: &str, payload: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new_from_slice(b"campus").expect("key"));
    mac.update(b"campus-mfa-ticket:");
    mac.update(payload.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

pub fn ticket(state: &AppState, college: CollegeId, user: Uuid) -> Cookie<'static> {
    ticket_with(state, college, user, false)
}

/// The ticket for the second-factor step. `lock_lifted`: the first step was a link
/// mailed to the account's own address, so a lock (which anyone who knows the address
/// can cause) does not keep the owner out; wrong codes still count.
pub fn ticket_with(
    state: &AppState,
    college: CollegeId,
    user: Uuid,
    lock_lifted: bool,
) -> Cookie<'static> {
    let expiry = time::OffsetDateTime::now_utc().unix_timestamp() + TICKET_SECONDS;
    let how = if lock_lifted { "mailed" } else { "password" };
    let payload = format!("{}.{user}.{expiry}.{how}", college.0);
    let mac = ticket_mac(state.config.secret_key.expose(), &payload);
    // Lax, not Strict: after single sign-on the browser arrives from the provider's
    // site, and the ticket must come along.
    TICKET_COOKIE.build(
        &state.config,
        format!("{payload}.{mac}"),
        SameSite::Lax,
        Some(time::Duration::seconds(TICKET_SECONDS)),
    )
}

/// The ticket's college and user, and whether the lock was lifted for it.
fn read_ticket(state: &AppState, jar: &CookieJar) -> Option<(CollegeId, Uuid, bool)> {
    let value = TICKET_COOKIE.read(&state.config, jar)?;
    let (payload, mac) = value.rsplit_once('.')?;
    let expected = ticket_mac(state.config.secret_key.expose(), payload);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        mac.as_bytes(),
    )) {
        return None;
    }
    let mut parts = payload.split('.');
    let college = Uuid::parse_str(parts.next()?).ok()?;
    let user = Uuid::parse_str(parts.next()?).ok()?;
    let expiry: i64 = parts.next()?.parse().ok()?;
    let lock_lifted = parts.next()? == "mailed";
    (expiry > time::OffsetDateTime::now_utc().unix_timestamp()).then_some((
        CollegeId(college),
        user,
        lock_lifted,
    ))
}

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

pub async fn code_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiQuery(q): ApiQuery<NextQuery>,
) -> AppResult<Response> {
    if read_ticket(&state, &jar).is_none() {
        return Ok(Redirect::to("/login").into_response());
    }
    let (csrf, jar) = csrf::for_page(&state, None, jar);
    let page = CodePage {
        chrome: Chrome::platform("Second factor", "/login"),
        csrf,
        next: super::pages::safe_next(q.next.as_deref()),
        error: false,
    };
    Ok((jar, render(&page)?).into_response())
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
    let proof = if !lock_lifted && super::signin::is_locked(&mut tx, user).await? {
        None
    } else {
        mfa::verify(&mut tx, &state.config.field_keys, user, &form.code).await?
    };
    let Some(proof) = proof else {
        super::signin::count_failure(&mut tx, user).await?;
        audit::record(
            &mut tx,
            &context.clone().with_actor(user, None),
            Entry::new("auth.login_failed")
                .object("user", user)
                .after(serde_json::json!({ "reason": "wrong second-factor code" })),
        )
        .await?;
        tx.commit().await?;
        let (csrf, jar) = csrf::for_page(&state, None, jar);
        let page = CodePage {
            chrome: Chrome::platform("Second factor", "/login"),
            csrf,
            next: super::pages::safe_next(form.next.as_deref()),
            error: true,
        };
        return Ok((StatusCode::UNAUTHORIZED, jar, render(&page)?).into_response());
    };
    super::signin::complete(&mut tx, user).await?;
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
        &session::Visitor::of(&client, &headers),
        Some(serde_json::json!({ "method": method })),
    )
    .await?;
    tx.commit().await?;
    let jar = TICKET_COOKIE.remove(&state.config, jar.add(cookie));
    Ok((
        jar,
        Redirect::to(&super::pages::safe_next(form.next.as_deref())),
    )
        .into_response())
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
    recovery_codes: Vec<String>,
    remaining_codes: i64,
    error: Option<&'static str>,
    notice: Option<&'static str>,
}

async fn render_mfa(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    recovery_codes: Vec<String>,
    error: Option<&'static str>,
    notice: Option<&'static str>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let enabled = mfa::enabled(&mut tx, principal.user_id).await?;
    let (qr, key) = if enabled {
        (String::new(), String::new())
    } else {
        let secret =
            mfa::pending_secret(&mut tx, &state.config.field_keys, principal.user_id).await?;
        let url = mfa::otpauth_url(&principal.college_name, &principal.email, &secret);
        (mfa::qr_svg(&url), mfa::base32(&secret))
    };
    let remaining_codes: i64 = sqlx::query_scalar!(
        "SELECT count(*) AS \"v!\" FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        principal.user_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let staff_required: bool = sqlx::query_scalar!("SELECT mfa_required_for_staff FROM colleges")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = MfaPage {
        chrome: Chrome::signed_in("Second factor", principal, csrf.clone(), "/account"),
        csrf,
        enabled,
        required: mfa::required(&principal.roles, staff_required),
        qr,
        key,
        recovery_codes,
        remaining_codes,
        error,
        notice,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_mfa(&state, &principal, jar, Vec::new(), None, None).await
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    code: String,
}

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
        return render_mfa(
            &state,
            &principal,
            jar,
            Vec::new(),
            Some("That code is not right. Check the app's clock and enter the current code."),
            None,
        )
        .await;
    };
    audit::record(
        &mut tx,
        &context,
        Entry::new("auth.mfa_enrolled").object("user", principal.user_id),
    )
    .await?;
    tx.commit().await?;
    state.principals.forget_user(principal.user_id);
    render_mfa(&state, &principal, jar, codes, None, Some("The second factor is on. Keep these recovery codes somewhere safe: each works once, and they are shown only now.")).await
}

/// Checks the signed-in user's own password: refused while the account is locked; a
/// wrong one counts towards the lock, as at sign-in, so a stolen session is no way to
/// guess it at leisure.
async fn own_password(
    conn: &mut sqlx::PgConnection,
    user: Uuid,
    given: &str,
) -> AppResult<super::signin::Recheck> {
    super::signin::recheck_password(conn, user, given).await
}

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
    let recheck = own_password(&mut tx, principal.user_id, &form.password).await?;
    if recheck != super::signin::Recheck::Right {
        tx.commit().await?;
        let problem = match recheck {
            super::signin::Recheck::Locked => {
                "The account is locked after too many wrong attempts; try again later."
            }
            _ => "That is not your password.",
        };
        return render_mfa(&state, &principal, jar, Vec::new(), Some(problem), None).await;
    }
    let codes = mfa::replace_recovery_codes(&mut tx, principal.user_id).await?;
    audit::record(
        &mut tx,
        &context,
        Entry::new("auth.recovery_codes_replaced").object("user", principal.user_id),
    )
    .await?;
    tx.commit().await?;
    render_mfa(
        &state,
        &principal,
        jar,
        codes,
        None,
        Some("New recovery codes; the old ones no longer work."),
    )
    .await
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
    let staff_required: bool = sqlx::query_scalar!("SELECT mfa_required_for_staff FROM colleges")
        .fetch_one(&mut *tx)
        .await?;
    if mfa::required(&principal.roles, staff_required) {
        return Err(AppError::Conflict(
            "Your role (or your college) requires a second factor, so it stays on.".into(),
        ));
    }
    let recheck = own_password(&mut tx, principal.user_id, &form.password).await?;
    if recheck != super::signin::Recheck::Right {
        tx.commit().await?;
        let problem = match recheck {
            super::signin::Recheck::Locked => {
                "The account is locked after too many wrong attempts; try again later."
            }
            _ => "That is not your password.",
        };
        return render_mfa(&state, &principal, jar, Vec::new(), Some(problem), None).await;
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
    render_mfa(
        &state,
        &principal,
        jar,
        Vec::new(),
        None,
        Some("The second factor is off."),
    )
    .await
}
