//! Single sign-on pages: off to the college's provider and back (the user is then the
//! active, or invited, account of the college with the verified email the ID token
//! vouches for, of the allowed domain; nobody is created by signing in), and the
//! college's settings page.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::SameSite;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::{CollegeId, begin_for_college};
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::mfa;
use crate::identity::signin::model::Visitor;
use crate::identity::signin::pages::safe_next;
use crate::identity::signin::session;
use crate::identity::sso::model::{Pending, TokenAnswer};
use crate::identity::sso::protocol::{
    STATE_COOKIE, STATE_SECONDS, discover, query_escape, random_token, read_pending, redirect_uri,
    sign, unavailable, verify_id_token,
};
use crate::identity::sso::{outbound, queries};
use crate::institution::queries as institution;
use crate::web::client_ip::ClientIp;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::{Done, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Debug, Deserialize, Default)]
pub struct StartQuery {
    next: Option<String>,
}

/// `/c/{slug}/sso`: off to the college's provider. Anyone may open it and each start
/// may fetch from the provider, so it is limited per address like sign-in.
pub async fn start(
    State(state): State<AppState>,
    client: ClientIp,
    jar: CookieJar,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(query): ApiQuery<StartQuery>,
) -> AppResult<Response> {
    state
        .throttle
        .check(crate::web::throttle::Door::SingleSignOn, client.0)?;
    let college = institution::find_by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = begin_for_college(&state.db, college.id).await?;
    let provider = queries::provider(&mut tx, &state, college.id)
        .await?
        .filter(|p| p.enabled)
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let discovery = discover(&state.config, &provider.issuer).await?;
    let pending = Pending {
        college: college.id.0,
        state: random_token(),
        nonce: random_token(),
        verifier: random_token(),
        next: safe_next(query.next.as_deref()),
        expires: time::OffsetDateTime::now_utc().unix_timestamp() + STATE_SECONDS,
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(pending.verifier.as_bytes()));
    let url = format!(
        "{}?response_type=code&client_id={}&redirect_uri={}&scope=openid%20email%20profile&state={}&nonce={}&code_challenge={}&code_challenge_method=S256",
        discovery.authorization_endpoint,
        query_escape(&provider.client_id),
        query_escape(&redirect_uri(&state)),
        pending.state,
        pending.nonce,
        challenge
    );
    let payload =
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&pending).map_err(anyhow::Error::from)?);
    let value = format!(
        "{payload}.{}",
        sign(state.config.secret_key.expose(), &payload)
    );
    let cookie = STATE_COOKIE.build(
        &state.config,
        value,
        SameSite::Lax,
        Some(time::Duration::seconds(STATE_SECONDS)),
    );
    Ok((jar.add(cookie), Redirect::to(&url)).into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "identity/sso_failed.html")]
struct FailedPage {
    chrome: Chrome,
    reason: &'static str,
}

fn failed(reason: &'static str) -> AppResult<Response> {
    let page = FailedPage {
        chrome: Chrome::platform("Sign-in failed", "/login"),
        reason,
    };
    Ok((StatusCode::FORBIDDEN, render(&page)?).into_response())
}

/// `/sso/callback`: back from the provider with a code.
pub async fn callback(
    State(state): State<AppState>,
    context: AuditContext,
    client: ClientIp,
    headers: axum::http::HeaderMap,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<CallbackQuery>,
) -> AppResult<Response> {
    let Some(pending) = read_pending(&state, &jar) else {
        return failed("The sign-in took too long or was started in another browser. Start again.");
    };
    let jar = STATE_COOKIE.remove(&state.config, jar);
    if query.error.is_some() || query.state.as_deref() != Some(pending.state.as_str()) {
        return failed("The provider did not sign you in.");
    }
    let Some(code) = query.code else {
        return failed("The provider did not sign you in.");
    };
    let college = CollegeId(pending.college);
    let mut tx = begin_for_college(&state.db, college).await?;
    let provider = queries::provider(&mut tx, &state, college)
        .await?
        .filter(|p| p.enabled)
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;

    let discovery = discover(&state.config, &provider.issuer).await?;
    let redirect = redirect_uri(&state);
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect.as_str()),
        ("code_verifier", pending.verifier.as_str()),
    ];
    let answer: TokenAnswer = outbound::fetch_json(
        &state.config,
        &discovery.token_endpoint,
        Some(outbound::Post {
            fields: &fields,
            user: &provider.client_id,
            secret: &provider.client_secret,
        }),
    )
    .await
    .map_err(|failure| {
        failure.log("token exchange");
        unavailable()
    })?;
    let jwks: JwkSet = outbound::fetch_json(&state.config, &discovery.jwks_uri, None)
        .await
        .map_err(|failure| {
            failure.log("key set");
            unavailable()
        })?;

    let Some(claims) = verify_id_token(&answer.id_token, &jwks, &provider) else {
        return failed("The provider's answer could not be verified.");
    };
    if claims.nonce.as_deref() != Some(pending.nonce.as_str()) {
        return failed("The provider's answer could not be verified.");
    }
    let verified = matches!(&claims.email_verified, serde_json::Value::Bool(true))
        || claims.email_verified.as_str() == Some("true");
    let email = claims.email.unwrap_or_default().to_lowercase();
    if !verified || !email.ends_with(&format!("@{}", provider.allowed_domain)) {
        return failed("Your provider account has no verified email of this college's domain.");
    }

    let mut tx = begin_for_college(&state.db, college).await?;
    let user = queries::account_for_email(&mut tx, &email).await?;
    let Some((user, status)) = user else {
        audit::record(
            &mut tx,
            &context,
            Entry::new("auth.login_failed").after(
                serde_json::json!({ "email": email, "reason": "no account for this SSO email" }),
            ),
        )
        .await?;
        tx.commit().await?;
        return failed("No account of this college has your email. Ask the college to invite you.");
    };
    if status == "invited" {
        queries::activate_invited(&mut tx, user).await?;
        // The invitation is answered; its link must not set a password later.
        crate::identity::tokens::queries::revoke_all(&mut tx, user).await?;
    }
    queries::signed_in_now(&mut tx, user).await?;
    if mfa::queries::enabled(&mut tx, user).await? {
        tx.commit().await?;
        let ticket = mfa::ticket::ticket(&state, college, user);
        return Ok((
            jar.add(ticket),
            Redirect::to(&format!("/login/mfa?next={}", query_escape(&pending.next))),
        )
            .into_response());
    }
    let cookie = session::start(
        &mut tx,
        &state,
        &context,
        college,
        user,
        &Visitor::of(&client, &headers),
        Some(serde_json::json!({ "method": "oidc", "issuer": provider.issuer })),
    )
    .await?;
    tx.commit().await?;
    Ok((jar.add(cookie), Redirect::to(&pending.next)).into_response())
}

#[derive(Template)]
#[template(path = "identity/sso_settings.html")]
struct SettingsPage {
    chrome: Chrome,
    csrf: String,
    issuer: String,
    client_id: String,
    allowed_domain: String,
    label: String,
    enabled: bool,
    configured: bool,
    redirect_uri: String,
    errors: Errors,
}

pub async fn settings_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let current = queries::provider(&mut tx, &state, principal.college).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = SettingsPage {
        chrome: Chrome::signed_in(
            "Single sign-on",
            &principal,
            csrf.clone(),
            "/admin/settings",
        ),
        csrf,
        issuer: current
            .as_ref()
            .map(|p| p.issuer.clone())
            .unwrap_or_default(),
        client_id: current
            .as_ref()
            .map(|p| p.client_id.clone())
            .unwrap_or_default(),
        allowed_domain: current
            .as_ref()
            .map(|p| p.allowed_domain.clone())
            .unwrap_or_default(),
        label: current
            .as_ref()
            .map_or_else(|| "your college account".to_string(), |p| p.label.clone()),
        enabled: current.as_ref().is_some_and(|p| p.enabled),
        configured: current.is_some(),
        redirect_uri: redirect_uri(&state),
        errors: Errors::none(),
    };
    Ok((jar, render(&page)?).into_response())
}

/// The single sign-on settings form. `enabled` is a checkbox: "on" when ticked, absent
/// otherwise.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SsoSettingsForm {
    issuer: String,
    client_id: String,
    client_secret: String,
    allowed_domain: String,
    label: String,
    enabled: String,
}

/// Checks and stores the college's provider. An empty secret keeps the stored one.
pub async fn save(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<SsoSettingsForm>,
) -> AppResult<Response> {
    let (issuer, client_id, secret, domain, label) = (
        form.issuer.trim().to_string(),
        form.client_id.trim().to_string(),
        form.client_secret.trim().to_string(),
        form.allowed_domain.trim().to_lowercase(),
        form.label.trim().to_string(),
    );
    let enabled = form.enabled.trim() == "on";
    let mut errors = Vec::new();
    // Plain http only in development (a provider on loopback); in production the secret
    // and the signing keys must travel over TLS.
    let development = state.config.mode == crate::config::Mode::Development;
    let scheme_ok =
        issuer.starts_with("https://") || (development && issuer.starts_with("http://"));
    if !scheme_ok || issuer.len() > 300 {
        errors.push(FieldError::new(
            "issuer",
            "must be the provider's https:// address",
        ));
    }
    if client_id.is_empty() || client_id.len() > 300 {
        errors.push(FieldError::new("client_id", "is required"));
    }
    let valid_domain = domain.contains('.')
        && domain
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    if !valid_domain {
        errors.push(FieldError::new(
            "allowed_domain",
            "must be a domain such as riverside.edu",
        ));
    }
    if !(2..=100).contains(&label.chars().count()) {
        errors.push(FieldError::new("label", "must be 2 to 100 characters"));
    }
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let existing = queries::provider(&mut tx, &state, principal.college).await?;
    if secret.is_empty() && existing.is_none() {
        errors.push(FieldError::new("client_secret", "is required"));
    }
    if !errors.is_empty() {
        tx.rollback().await?;
        let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
        let page = SettingsPage {
            chrome: Chrome::signed_in(
                "Single sign-on",
                &principal,
                csrf.clone(),
                "/admin/settings",
            ),
            csrf,
            issuer,
            client_id,
            allowed_domain: domain,
            label,
            enabled,
            configured: existing.is_some(),
            redirect_uri: redirect_uri(&state),
            errors: errors.into(),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, render(&page)?).into_response());
    }
    let secret = if secret.is_empty() {
        existing.map(|p| p.client_secret).unwrap_or_default()
    } else {
        secret
    };
    let encrypted = state
        .config
        .field_keys
        .encrypt(&queries::secret_aad(principal.college), &secret);
    queries::save_provider(
        &mut tx,
        issuer.trim_end_matches('/'),
        &client_id,
        encrypted,
        &domain,
        &label,
        enabled,
    )
    .await?;
    audit::record(
        &mut tx,
        &context,
        Entry::new("college.sso_configured").after(serde_json::json!({
            "issuer": issuer, "client_id": client_id, "client_secret": "***", "allowed_domain": domain, "enabled": enabled
        })),
    )
    .await?;
    tx.commit().await?;
    let message = if enabled {
        "Single sign-on saved; the sign-in page offers it."
    } else {
        "Single sign-on saved; it is not offered on the sign-in page."
    };
    Ok(Done::to("/admin/sso").message(message).respond(&state))
}
