//! OpenID Connect as Campus speaks it (authorization code flow with PKCE): the provider's
//! discovery document (cached, every address it names checked, see `outbound`), the
//! signed state cookie kept while the browser is away at the provider, and the ID token,
//! which must be signed by a key from the issuer's JWKS (asymmetric algorithms only) and
//! name this client as its audience.

use axum_extra::extract::CookieJar;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use sha2::Sha256;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::identity::sso::model::{Discovery, IdClaims, Pending, Provider};
use crate::identity::sso::outbound;
use crate::web::cookies::CookieName;

pub const STATE_COOKIE: CookieName = CookieName::new("campus_sso", "__Host-campus_sso");
pub(super) const STATE_SECONDS: i64 = 600;
const ACCEPTED: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::EdDSA,
];

/// How long a provider's discovery document is reused.
const DISCOVERY_TTL: std::time::Duration = std::time::Duration::from_secs(600);

pub(super) fn unavailable() -> AppError {
    AppError::Unavailable(
        "The college's sign-in provider did not answer. Try again, or sign in with your password."
            .into(),
    )
}

/// The provider's discovery document (cached for ten minutes). The issuer and every
/// address the document names pass the same checks (see `outbound`).
pub(super) async fn discover(config: &crate::config::Config, issuer: &str) -> AppResult<Discovery> {
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

pub(super) fn sign(secret: &str, payload: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new_from_slice(b"campus").expect("key"));
    mac.update(b"campus-sso-state:");
    mac.update(payload.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

pub(super) fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

pub(super) fn redirect_uri(state: &AppState) -> String {
    format!("{}/sso/callback", state.config.base_url())
}

pub(super) fn query_escape(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_string()
}

/// What the state cookie remembers, when its signature holds and it has not expired.
pub(super) fn read_pending(state: &AppState, jar: &CookieJar) -> Option<Pending> {
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

/// The ID token's claims, when a key of the issuer's set signed it (asymmetric algorithms
/// only) for this client as audience, and it has not expired.
pub(super) fn verify_id_token(token: &str, jwks: &JwkSet, provider: &Provider) -> Option<IdClaims> {
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
