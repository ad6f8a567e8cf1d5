//! What API credentials look like: short-lived signed access tokens (JWT, HS256 only),
//! and the `college.token` form that refresh tokens and mailed links share (their
//! storage, rotation and reuse detection are in `queries`).
//!
//! Signing keys have ids (`kid`). Each key is derived from the secret key and its id, so
//! rotating means adding a new id to `token_key_ids`: new tokens are signed with the
//! last id, tokens signed with earlier ids stay valid until they expire (15 minutes),
//! and refresh tokens, which are not JWTs, are untouched. Nobody is signed out.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use sha2::Sha256;
use uuid::Uuid;

use crate::config::Config;
use crate::db::CollegeId;
use crate::identity::signin::session::parse_cookie;
use crate::identity::tokens::model::Claims;

pub const ACCESS_LIFETIME: Duration = Duration::from_secs(15 * 60);
pub const REFRESH_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
const ISSUER: &str = "campus";
/// The one algorithm accepted; a token naming any other (or `none`) is refused.
const ALGORITHM: Algorithm = Algorithm::HS256;

fn key(secret: &str, kid: &str) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new_from_slice(b"campus").expect("key"));
    mac.update(b"campus-jwt-key:");
    mac.update(kid.as_bytes());
    mac.finalize().into_bytes().into()
}

fn now() -> u64 {
    time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64
}

/// A signed access token for `user`, and its lifetime in seconds.
pub fn issue_access(
    config: &Config,
    college: CollegeId,
    user: Uuid,
    family: Uuid,
) -> anyhow::Result<String> {
    let kid = config
        .token_key_ids
        .last()
        .ok_or_else(|| anyhow::anyhow!("no token signing key id configured"))?;
    let mut header = Header::new(ALGORITHM);
    header.kid = Some(kid.clone());
    let issued = now();
    let claims = Claims {
        iss: ISSUER.into(),
        sub: user,
        col: college.0,
        fam: family,
        iat: issued,
        exp: issued + ACCESS_LIFETIME.as_secs(),
    };
    let key = EncodingKey::from_secret(&key(config.secret_key.expose(), kid));
    Ok(jsonwebtoken::encode(&header, &claims, &key)?)
}

/// Verifies an access token: a known key id, HS256, our issuer, signature, not expired.
pub fn verify_access(config: &Config, token: &str) -> Option<Claims> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    if header.alg != ALGORITHM {
        return None;
    }
    let kid = header.kid?;
    if !config.token_key_ids.contains(&kid) {
        return None;
    }
    let mut validation = Validation::new(ALGORITHM);
    validation.set_issuer(&[ISSUER]);
    validation.set_required_spec_claims(&["exp", "iss", "sub"]);
    validation.leeway = 5;
    let key = DecodingKey::from_secret(&key(config.secret_key.expose(), &kid));
    jsonwebtoken::decode::<Claims>(token, &key, &validation)
        .ok()
        .map(|data| data.claims)
}

/// The refresh token as the client holds it: `college.token`.
pub fn refresh_value(college: CollegeId, token: &[u8; 32]) -> String {
    format!("{}.{}", college.0, URL_SAFE_NO_PAD.encode(token))
}

pub fn parse_refresh(value: &str) -> Option<(CollegeId, Vec<u8>)> {
    parse_cookie(value)
}

/// The college a mailed link's token belongs to, and the token bytes.
pub fn parse(value: &str) -> Option<(CollegeId, Vec<u8>)> {
    parse_cookie(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Overrides};

    fn config(key_ids: &str) -> Config {
        let env = move |name: &str| match name {
            "CAMPUS_SECRET_KEY" => Some("0123456789abcdef0123456789abcdefXYZ".to_string()),
            "CAMPUS_TOKEN_KEY_IDS" => Some(key_ids.to_string()),
            _ => None,
        };
        let overrides = Overrides {
            data_dir: Some(std::env::temp_dir()),
            ..Overrides::default()
        };
        Config::load(&overrides, &env).expect("config")
    }

    fn forge(header: &str, claims: &serde_json::Value, signature: &str) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims.to_string()),
            signature
        )
    }

    #[test]
    fn tokens_verify_and_survive_a_key_rotation() {
        let old = config("k1");
        let token =
            issue_access(&old, CollegeId(Uuid::nil()), Uuid::nil(), Uuid::nil()).expect("token");
        assert!(verify_access(&old, &token).is_some());
        let rotated = config("k1,k2");
        assert!(
            verify_access(&rotated, &token).is_some(),
            "rotation signed people out"
        );
        let new_token = issue_access(&rotated, CollegeId(Uuid::nil()), Uuid::nil(), Uuid::nil())
            .expect("token");
        assert_eq!(
            jsonwebtoken::decode_header(&new_token)
                .expect("header")
                .kid
                .as_deref(),
            Some("k2")
        );
        let retired = config("k2");
        assert!(
            verify_access(&retired, &token).is_none(),
            "a retired key still verifies"
        );
    }

    #[test]
    fn forged_tokens_are_refused() {
        let config = config("k1");
        let token =
            issue_access(&config, CollegeId(Uuid::nil()), Uuid::nil(), Uuid::nil()).expect("token");
        let parts: Vec<&str> = token.split('.').collect();
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");

        // alg none, with and without a signature.
        assert!(
            verify_access(&config, &forge(r#"{"alg":"none","kid":"k1"}"#, &claims, "")).is_none()
        );
        // Changed claims under the original signature.
        let mut changed = claims.clone();
        changed["sub"] = serde_json::json!(Uuid::new_v4());
        assert!(
            verify_access(
                &config,
                &forge(
                    r#"{"alg":"HS256","kid":"k1","typ":"JWT"}"#,
                    &changed,
                    parts[2]
                )
            )
            .is_none()
        );
        // Signed with another key.
        let other = EncodingKey::from_secret(b"another key entirely, 32 bytes!!");
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("k1".into());
        let foreign = jsonwebtoken::encode(&header, &claims, &other).expect("encode");
        assert!(verify_access(&config, &foreign).is_none());
        // Another algorithm of the same family, and an unknown key id.
        let mut hs512 = Header::new(Algorithm::HS512);
        hs512.kid = Some("k1".into());
        let key = EncodingKey::from_secret(&key(config.secret_key.expose(), "k1"));
        assert!(
            verify_access(
                &config,
                &jsonwebtoken::encode(&hs512, &claims, &key).expect("encode")
            )
            .is_none()
        );
        let mut unknown = Header::new(Algorithm::HS256);
        unknown.kid = Some("k9".into());
        assert!(
            verify_access(
                &config,
                &jsonwebtoken::encode(&unknown, &claims, &key).expect("encode")
            )
            .is_none()
        );
        // Expired.
        let mut expired = claims.clone();
        expired["exp"] = serde_json::json!(1);
        let mut h = Header::new(Algorithm::HS256);
        h.kid = Some("k1".into());
        assert!(
            verify_access(
                &config,
                &jsonwebtoken::encode(&h, &expired, &key).expect("encode")
            )
            .is_none()
        );
        assert!(verify_access(&config, "not.a.token").is_none());
    }
}
