//! Browser sessions kept on the server. The cookie holds the college id and a random
//! 256-bit token; the database holds only the token's SHA-256. A session ends when idle
//! too long, at its absolute limit, on sign-out, or when revoked. The sessions' SQL is in
//! `queries`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::CollegeId;
use crate::identity::signin::model::Visitor;
use crate::identity::signin::queries;

pub const COOKIE: &str = "campus_session";
/// With TLS the `__Host-` prefix makes browsers insist on Secure, Path=/ and no Domain.
pub const COOKIE_TLS: &str = "__Host-campus_session";

pub fn cookie_name(tls: bool) -> &'static str {
    if tls { COOKIE_TLS } else { COOKIE }
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure (and `__Host-`) over TLS.
pub fn cookie(
    state: &crate::app::AppState,
    college: CollegeId,
    token: &[u8; 32],
) -> axum_extra::extract::cookie::Cookie<'static> {
    let tls = state.config.served_over_tls();
    axum_extra::extract::cookie::Cookie::build((cookie_name(tls), cookie_value(college, token)))
        .path("/")
        .http_only(true)
        .secure(tls)
        .same_site(axum_extra::extract::cookie::SameSite::Lax)
        .max_age(time::Duration::seconds(
            state.config.session_lifetime.as_secs() as i64,
        ))
        .build()
}

/// A fresh random token: 32 bytes from the operating system.
pub fn new_token() -> [u8; 32] {
    rand::random()
}

pub fn token_hash(token: &[u8]) -> Vec<u8> {
    token_digest(token).to_vec()
}

pub fn token_digest(token: &[u8]) -> [u8; 32] {
    Sha256::digest(token).into()
}

/// The cookie value for a session of `college`.
pub fn cookie_value(college: CollegeId, token: &[u8; 32]) -> String {
    format!("{}.{}", college.0, URL_SAFE_NO_PAD.encode(token))
}

/// Reads a cookie value back; anything malformed is no session at all.
pub fn parse_cookie(value: &str) -> Option<(CollegeId, Vec<u8>)> {
    let (college, token) = value.split_once('.')?;
    let college = Uuid::parse_str(college).ok()?;
    let token = URL_SAFE_NO_PAD.decode(token).ok()?;
    (token.len() == 32).then_some((CollegeId(college), token))
}

/// Starts a browser session for `user`: stores it, records the sign-in in the audit
/// trail when `signed_in_by` names how (`password`, `oidc`, ...), and returns the cookie
/// to send. The one way a session begins.
pub async fn start(
    conn: &mut PgConnection,
    state: &crate::app::AppState,
    context: &crate::audit::AuditContext,
    college: CollegeId,
    user: Uuid,
    visitor: &Visitor,
    signed_in_by: Option<serde_json::Value>,
) -> Result<axum_extra::extract::cookie::Cookie<'static>, crate::error::AppError> {
    let token = new_token();
    let id = queries::create(
        conn,
        user,
        &token,
        state.config.session_lifetime,
        visitor.client,
        visitor.user_agent.as_deref(),
    )
    .await?;
    if let Some(method) = signed_in_by {
        crate::audit::record(
            conn,
            &context.clone().with_actor(user, None),
            crate::audit::Entry::new("auth.login")
                .object("session", id)
                .after(method),
        )
        .await?;
    }
    Ok(cookie(state, college, &token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_round_trip_and_tampering_is_no_session() {
        let college = CollegeId(Uuid::new_v4());
        let token = new_token();
        let value = cookie_value(college, &token);
        let (parsed_college, parsed_token) = parse_cookie(&value).expect("parse");
        assert_eq!(parsed_college, college);
        assert_eq!(parsed_token, token);
        assert!(parse_cookie("nonsense").is_none());
        assert!(parse_cookie(&format!("{}.abc", college.0)).is_none());
        assert!(parse_cookie(&value.replace('.', "x")).is_none());
        assert_ne!(token, new_token());
    }
}
