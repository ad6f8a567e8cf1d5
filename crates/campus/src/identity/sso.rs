//! Single sign-on with OpenID Connect (authorization code flow with PKCE), configured per
//! college: issuer, client id and secret, allowed email domain. The ID token must be
//! signed by a key from the issuer's JWKS (asymmetric algorithms only), name this client
//! as its audience, carry our nonce, and vouch for a verified email of the allowed
//! domain; the user is then the active (or invited) account of the college with that
//! email. Nobody is created by signing in.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::SameSite;

use crate::web::cookies::CookieName;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::{CollegeId, begin_for_college};
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::{mfa, mfa_pages, outbound, session};
use crate::institution::queries as institution;
use crate::web::client_ip::ClientIp;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::layout::{Chrome, render};

pub const STATE_COOKIE: CookieName = CookieName::new("campus_sso", "__Host-campus_sso");
const STATE_SECONDS: i64 = 600;
const ACCEPTED: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::EdDSA,
];

fn secret_aad(college: CollegeId) -> String {
    format!("oidc_providers.client_secret:{}", college.0)
}

#[derive(Debug, Clone)]
pub struct Provider {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub allowed_domain: String,
    pub label: String,
    pub enabled: bool,
}

/// The college's provider, with its secret decrypted.
pub async fn provider(
    conn: &mut PgConnection,
    state: &AppState,
    college: CollegeId,
) -> AppResult<Option<Provider>> {
    let row: Option<(String, String, String, String, String, bool)> = sqlx::query_as(
        "SELECT issuer, client_id, client_secret_enc, allowed_domain, label, enabled FROM oidc_providers",
    )
    .fetch_optional(conn)
    .await?;
    let Some((issuer, client_id, secret, allowed_domain, label, enabled)) = row else {
        return Ok(None);
    };
    let client_secret = state
        .config
        .field_keys
        .decrypt(&secret_aad(college), &secret)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the SSO client secret: {e}")))?;
    Ok(Some(Provider {
        issuer,
        client_id,
        client_secret,
        allowed_domain,
        label,
        enabled,
    }))
}

#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

/// How long a provider's discovery document is reused.
const DISCOVERY_TTL: std::time::Duration = std::time::Duration::from_secs(600);

fn unavailable() -> AppError {
    AppError::Unavailable(
        "The college's sign-in provider did not answer. Try again, or sign in with your password."
            .into(),
    )
}

/// The provider's discovery document (cached for ten minutes). The issuer and every
/// address the document names pass the same checks (see `outbound`).
async fn discover(config: &crate::config::Config, issuer: &str) -> AppResult<Discovery> {
    type Cache =
        std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, Discovery)>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some((at, found)) = cache.lock().expect("discovery cache").get(issuer)
        && at.elapsed() < DISCOVERY_TTL
    {
        return Ok(found.clone());
    }
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let discovery: Discovery =
        outbound::fetch_json(config, &url, None)
            .await
            .map_err(|failure| {
                failure.log("discovery");
                unavailable()
            })?;
    if discovery.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(AppError::Unavailable(
            "The sign-in provider describes another issuer.".into(),
        ));
    }
    for address in [
        &discovery.authorization_endpoint,
        &discovery.token_endpoint,
        &discovery.jwks_uri,
    ] {
        if let Err(outbound::Refused(why)) = outbound::check(config, address).await {
            tracing::warn!(%why, issuer, "the provider's discovery document names a refused address");
            return Err(AppError::Unavailable(
                "The college's sign-in provider names an address Campus will not use.".into(),
            ));
        }
    }
    let mut entries = cache.lock().expect("discovery cache");
    if entries.len() > 1000 {
        entries.clear();
    }
    entries.insert(
        issuer.to_string(),
        (std::time::Instant::now(), discovery.clone()),
    );
    Ok(discovery)
}

/// What the state cookie remembers between leaving for the provider and coming back.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    college: Uuid,
    state: String,
    nonce: String,
    verifier: String,
    next: String,
    expires: i64,
}

fn sign(secret: &str, payload: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new_from_slice(b"campus").expect("key"));
    mac.update(b"campus-sso-state:");
    mac.update(payload.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

fn redirect_uri(state: &AppState) -> String {
    format!("{}/sso/callback", state.config.base_url())
}

fn query_escape(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_string()
}

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
    let provider = provider(&mut tx, &state, college.id)
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
        next: super::pages::safe_next(query.next.as_deref()),
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

fn read_pending(state: &AppState, jar: &CookieJar) -> Option<Pending> {
    let value = STATE_COOKIE.read(&state.config, jar)?;
    let (payload, mac) = value.rsplit_once('.')?;
    let expected = sign(state.config.secret_key.expose(), payload);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        mac.as_bytes(),
    )) {
        return None;
    }
    let pending: Pending = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    (pending.expires > time::OffsetDateTime::now_utc().unix_timestamp()).then_some(pending)
}

#[derive(Debug, Deserialize, Default)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TokenAnswer {
    id_token: String,
}

#[derive(Debug, Deserialize)]
struct IdClaims {
    email: Option<String>,
    #[serde(default)]
    email_verified: serde_json::Value,
    nonce: Option<String>,
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
    let provider = provider(&mut tx, &state, college)
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
    let user: Option<(Uuid, String)> = sqlx::query_as(
        "SELECT id, status FROM users WHERE email = $1 AND status IN ('active', 'invited') \
           AND NOT (self_signup AND email_verified_at IS NULL) FOR UPDATE",
    )
    .bind(&email)
    .fetch_optional(&mut *tx)
    .await?;
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
        sqlx::query("UPDATE users SET status = 'active', email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1")
            .bind(user)
            .execute(&mut *tx)
            .await?;
        // The invitation is answered; its link must not set a password later.
        crate::identity::account_tokens::revoke_all(&mut tx, user).await?;
    }
    sqlx::query("UPDATE users SET last_login_at = now() WHERE id = $1")
        .bind(user)
        .execute(&mut *tx)
        .await?;
    if mfa::enabled(&mut tx, user).await? {
        tx.commit().await?;
        let ticket = mfa_pages::ticket(&state, college, user);
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
        &session::Visitor::of(&client, &headers),
        Some(serde_json::json!({ "method": "oidc", "issuer": provider.issuer })),
    )
    .await?;
    tx.commit().await?;
    Ok((jar.add(cookie), Redirect::to(&pending.next)).into_response())
}

fn verify_id_token(token: &str, jwks: &JwkSet, provider: &Provider) -> Option<IdClaims> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    if !ACCEPTED.contains(&header.alg) {
        return None;
    }
    let jwk = match &header.kid {
        Some(kid) => jwks.find(kid)?,
        None if jwks.keys.len() == 1 => &jwks.keys[0],
        None => return None,
    };
    let key = DecodingKey::from_jwk(jwk).ok()?;
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[provider.client_id.as_str()]);
    let issuer = provider.issuer.trim_end_matches('/');
    validation.set_issuer(&[issuer, &format!("{issuer}/")]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    jsonwebtoken::decode::<IdClaims>(token, &key, &validation)
        .ok()
        .map(|d| d.claims)
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
    errors: Vec<FieldError>,
    saved: bool,
}

impl SettingsPage {
    /// The text fields: (name, label, value).
    fn fields(&self) -> [(&'static str, &'static str, &str); 4] {
        [
            ("issuer", "Issuer address", self.issuer.as_str()),
            ("client_id", "Client id", self.client_id.as_str()),
            (
                "allowed_domain",
                "Allowed email domain",
                self.allowed_domain.as_str(),
            ),
            ("label", "Button label", self.label.as_str()),
        ]
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct Saved {
    saved: Option<String>,
}

pub async fn settings_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(saved): ApiQuery<Saved>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let current = provider(&mut tx, &state, principal.college).await?;
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
        errors: Vec::new(),
        saved: saved.saved.is_some(),
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
    let existing = provider(&mut tx, &state, principal.college).await?;
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
            errors,
            saved: false,
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
        .encrypt(&secret_aad(principal.college), &secret);
    sqlx::query(
        "INSERT INTO oidc_providers (college_id, issuer, client_id, client_secret_enc, allowed_domain, label, enabled) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6) \
         ON CONFLICT (college_id) DO UPDATE SET issuer = $1, client_id = $2, client_secret_enc = $3, \
           allowed_domain = $4, label = $5, enabled = $6, updated_at = now()",
    )
    .bind(issuer.trim_end_matches('/'))
    .bind(&client_id)
    .bind(encrypted)
    .bind(&domain)
    .bind(&label)
    .bind(enabled)
    .execute(&mut *tx)
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
    Ok(Redirect::to("/admin/sso?saved=1").into_response())
}

/// Whether the college offers SSO, and its button label (for the sign-in page).
pub async fn offered(
    pool: &sqlx::PgPool,
    college: CollegeId,
) -> Result<Option<String>, sqlx::Error> {
    let mut tx = begin_for_college(pool, college).await?;
    let label: Option<String> =
        sqlx::query_scalar!("SELECT label FROM oidc_providers WHERE enabled")
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(label)
}
