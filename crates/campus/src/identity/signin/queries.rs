//! Signing in's SQL: browser sessions (stored by their token's hash), the sign-in state
//! of a user's row (password hash, failed attempts, lock), the account and roles a
//! principal is loaded from, and what a mailed link changes.

use std::net::IpAddr;
use std::time::Duration;

use sqlx::PgConnection;
use sqlx::postgres::types::PgInterval;
use uuid::Uuid;

use crate::db::CollegeId;

use crate::identity::signin::model::{
    AccountRow, FREE_ATTEMPTS, Live, MAX_LOCK_MINUTES, SessionRow,
};
use crate::identity::signin::session::token_hash;

fn interval(duration: Duration) -> PgInterval {
    PgInterval {
        months: 0,
        days: 0,
        microseconds: duration.as_micros() as i64,
    }
}

/// Stores a new session for `user` and returns its id. Requests begin sessions through
/// `session::start`; the benchmark's prepared sessions are stored directly.
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

/// Whether the session of `user` is neither revoked nor past its absolute end, read
/// fresh from the database (a live stream's recheck).
pub async fn session_stands(
    conn: &mut PgConnection,
    session: Uuid,
    user: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1 AND user_id = $2 \
           AND revoked_at IS NULL AND expires_at > now()) AS \"v!\"",
        session,
        user
    )
    .fetch_one(conn)
    .await
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

/// The live sessions of `user`, last seen first (the "your sessions" page).
pub async fn list_live(
    conn: &mut PgConnection,
    user: Uuid,
    idle: Duration,
) -> Result<Vec<SessionRow>, sqlx::Error> {
    sqlx::query_as!(
        SessionRow,
        "SELECT id, created_at, last_seen_at, host(ip) AS ip, user_agent AS \"user_agent?\" FROM sessions \
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() \
           AND last_seen_at > now() - $2::interval \
         ORDER BY last_seen_at DESC",
        user,
        interval(idle),
    )
    .fetch_all(conn)
    .await
}

/// The account signing in with `email`, its row locked for the transaction: (id,
/// password hash, status, failed attempts, whether it is locked now).
pub async fn sign_in_account(
    conn: &mut PgConnection,
    email: &str,
) -> Result<Option<(Uuid, Option<String>, String, i32, bool)>, sqlx::Error> {
    sqlx::query!(
        "SELECT id, password_hash, status, failed_logins, coalesce(locked_until > now(), false) AS \"locked!\" \
         FROM users WHERE email = $1 FOR UPDATE",
        email
    )
    .fetch_optional(conn)
    .await
    .map(|o| o.map(|r| (r.id, r.password_hash, r.status, r.failed_logins, r.locked)))
}

/// The password was right: stores `rehash` when one was made and, when the account has
/// no second factor, completes the sign-in. With a second factor, the failure count
/// stays until that is proven too: otherwise each right password would reset the count
/// and codes could be guessed forever.
pub async fn password_accepted(
    conn: &mut PgConnection,
    user: Uuid,
    rehash: Option<String>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET password_hash = coalesce($2, password_hash), \
            failed_logins = CASE WHEN totp_enabled_at IS NULL THEN 0 ELSE failed_logins END, \
            locked_until = CASE WHEN totp_enabled_at IS NULL THEN NULL ELSE locked_until END, \
            last_login_at = CASE WHEN totp_enabled_at IS NULL THEN now() ELSE last_login_at END \
         WHERE id = $1",
        user,
        rehash
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The user's password hash and whether the account is locked now; locks the user's row
/// for the transaction.
pub async fn password_and_lock(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<(Option<String>, bool), sqlx::Error> {
    sqlx::query!(
        "SELECT password_hash, coalesce(locked_until > now(), false) AS \"locked!\" FROM users \
         WHERE id = $1 FOR UPDATE",
        user
    )
    .fetch_one(conn)
    .await
    .map(|r| (r.password_hash, r.locked))
}

/// After the second factor: the sign-in is complete, so the failure count starts again.
pub async fn complete(conn: &mut sqlx::PgConnection, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now() WHERE id = $1", user)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the account is locked now (checked again at the second-factor step).
pub async fn is_locked(conn: &mut sqlx::PgConnection, user: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT coalesce(locked_until > now(), false) AS \"v!\" FROM users WHERE id = $1",
        user
    )
    .fetch_one(conn)
    .await
}

/// Counts a failed attempt (a wrong password or second-factor code) towards the lock.
pub async fn count_failure(conn: &mut sqlx::PgConnection, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET failed_logins = failed_logins + 1, locked_until = CASE \
           WHEN failed_logins + 1 >= $2 \
           THEN now() + make_interval(mins => least(power(2, failed_logins + 1 - $2)::int, $3)) \
           ELSE locked_until END \
         WHERE id = $1",
        user,
        FREE_ATTEMPTS,
        MAX_LOCK_MINUTES
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// An active user of an active college, with what a principal is made of.
pub async fn account_row(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query_as!(AccountRow, "SELECT u.college_id AS \"college_id!: CollegeId\", c.slug AS college_slug, c.name AS college_name, c.timezone AS college_timezone, \
                u.email::text AS \"email!\", u.display_name, \
                u.totp_enabled_at IS NOT NULL AS \"has_mfa!\", \
                c.mfa_required_for_staff AS \"staff_mfa!\", c.kind = 'platform' AS \"platform!\", \
                c.guidance_admin_access AS \"guidance_admins!\" \
         FROM users u JOIN colleges c ON c.id = u.college_id \
         WHERE u.id = $1 AND u.status = 'active' AND c.status = 'active'", user_id)
    .fetch_optional(conn)
    .await
}

/// The user's roles by name, each with its stored permissions when it is one of the
/// college's own roles.
pub async fn roles_of(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<Vec<(String, Option<Vec<String>>)>, sqlx::Error> {
    sqlx::query!(
        "SELECT r.role, c.permissions FROM role_assignments r \
         LEFT JOIN custom_roles c ON c.college_id = r.college_id AND c.name = r.role \
         WHERE r.user_id = $1 ORDER BY r.role",
        user_id
    )
    .fetch_all(conn)
    .await
    .map(|v| {
        v.into_iter()
            .map(|r| (r.role, r.permissions))
            .collect::<Vec<_>>()
    })
}

/// The active account with `email`: (id, display name, the email as stored).
pub async fn active_by_email(
    conn: &mut PgConnection,
    email: &str,
) -> Result<Option<(Uuid, String, String)>, sqlx::Error> {
    sqlx::query!("SELECT id, display_name, email::text AS \"c2!\" FROM users WHERE email = $1 AND status = 'active'", email)
    .fetch_optional(conn)
    .await.map(|o| o.map(|r| (r.id, r.display_name, r.c2)))
}

/// The words a user's new password must not contain: their email and name, and their
/// college's name.
pub async fn own_words(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<(String, String, String), sqlx::Error> {
    sqlx::query!("SELECT u.email::text AS \"c0!\", u.display_name, c.name FROM users u JOIN colleges c ON c.id = u.college_id WHERE u.id = $1", user)
    .fetch_one(conn)
    .await.map(|r| (r.c0, r.display_name, r.name))
}

/// Sets the password from a mailed link: the link proves the address (so it counts as
/// verified), an invited account becomes active, and any lock ends.
pub async fn set_password_by_link(
    conn: &mut PgConnection,
    user: Uuid,
    hash: String,
) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now(), \
            email_verified_at = coalesce(email_verified_at, now()), failed_logins = 0, \
            locked_until = NULL, status = CASE WHEN status = 'invited' THEN 'active' ELSE status END \
         WHERE id = $1", user, hash)
    .execute(conn)
    .await?;
    Ok(())
}

/// Confirms the user's email address. An applicant's own sign-up becomes usable once its
/// address is confirmed.
pub async fn mark_email_verified(conn: &mut PgConnection, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET email_verified_at = now(), status = CASE \
           WHEN self_signup AND status = 'invited' THEN 'active' ELSE status END \
         WHERE id = $1",
        user
    )
    .execute(conn)
    .await?;
    Ok(())
}
