//! The ticket between the two steps of signing in: a signed cookie saying that the first
//! step (a password, a mailed link, or single sign-on) passed for a user, good for five
//! minutes, and read back at the second-factor step.

use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::app::AppState;
use crate::db::CollegeId;
use crate::web::cookies::CookieName;

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
pub(super) fn read_ticket(state: &AppState, jar: &CookieJar) -> Option<(CollegeId, Uuid, bool)> {
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
