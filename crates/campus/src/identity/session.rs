//! Browser sessions kept on the server. The cookie holds the college id and a random
//! 256-bit token; the database holds only the token's SHA-256. A session ends when idle
//! too long, at its absolute limit, on sign-out, or when revoked.

use std::net::IpAddr;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use sqlx::postgres::types::PgInterval;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::CollegeId;

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

fn interval(duration: Duration) -> PgInterval {
    PgInterval {
        months: 0,
        days: 0,
        microseconds: duration.as_micros() as i64,
    }
}

/// Stores a new session for `user` and returns its id. Requests begin sessions through
/// `start`; the benchmark's prepared sessions are stored directly.
pub async fn create(
    conn: &mut PgConnection,
    user: Uuid,
    token: &[u8; 32],
    lifetime: Duration,
    ip: Option<IpAddr>,
    user_agent: Option<&str>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO sessions (college_id, user_id, token_hash, expires_at, ip, user_agent) \
         VALUES (app_current_college(), $1, $2, now() + $3, $4::text::inet, $5) RETURNING id",
        user,
        token_hash(token),
        interval(lifetime),
        ip.map(|ip| ip.to_string()),
        user_agent.map(|ua| ua.chars().take(500).collect::<String>()),
    )
    .fetch_one(conn)
    .await
}

/// How the browser starting a session is seen: its address and its User-Agent, kept
/// with the session so its owner can recognise it in their list of sessions.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub client: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl Visitor {
    pub fn of(
        client: &crate::web::client_ip::ClientIp,
        headers: &axum::http::HeaderMap,
    ) -> Visitor {
        Visitor {
            client: client.0,
            user_agent: headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        }
    }
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
    let id = create(
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

/// A live session found by its token.
pub struct Live {
    pub id: Uuid,
    pub user_id: Uuid,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// The live session holding `token`: not revoked, within both limits, of an active user.
pub async fn find(
    conn: &mut PgConnection,
    token: &[u8],
    idle: Duration,
) -> Result<Option<Live>, sqlx::Error> {
    sqlx::query_as!(
        Live,
        "SELECT s.id, s.user_id, s.last_seen_at, s.expires_at FROM sessions s \
         JOIN users u ON u.college_id = s.college_id AND u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() \
           AND s.last_seen_at > now() - $2::interval AND u.status = 'active'",
        token_hash(token),
        interval(idle),
    )
    .fetch_optional(conn)
    .await
}

/// Marks the session as seen now (callers do it at most once a minute).
pub async fn touch(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE sessions SET last_seen_at = now() WHERE id = $1", id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes one session of `user`; false when there is no such live session.
pub async fn revoke(conn: &mut PgConnection, user: Uuid, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE sessions SET revoked_at = now() \
         WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        id,
        user,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes every live session of `user` but `keep`; returns how many.
pub async fn revoke_others(
    conn: &mut PgConnection,
    user: Uuid,
    keep: Option<Uuid>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE sessions SET revoked_at = now() \
         WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2)",
        user,
        keep,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// One row of the "your sessions" page.
#[derive(Debug)]
pub struct SessionRow {
    pub id: Uuid,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub async fn list_live(
    conn: &mut PgConnection,
    user: Uuid,
    idle: Duration,
) -> Result<Vec<SessionRow>, sqlx::Error> {
    sqlx::query_as!(
        SessionRow,
        "SELECT id, created_at, last_seen_at, host(ip) AS ip, user_agent FROM sessions \
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() \
           AND last_seen_at > now() - $2::interval \
         ORDER BY last_seen_at DESC",
        user,
        interval(idle),
    )
    .fetch_all(conn)
    .await
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
