//! The second factor's SQL: the secret (stored encrypted, pending while being enrolled),
//! the last time step used (so a code cannot be used twice), the recovery codes (stored
//! hashed), and whether the college requires a second factor of its staff.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::crypto::FieldKeys;
use crate::identity::mfa::codes::{
    hash_code, hex_decode, hex_encode, new_recovery_codes, now, pending_aad, secret_aad, totp,
};
use crate::identity::mfa::model::Proof;

/// Whether the user has a confirmed second factor.
pub async fn enabled(conn: &mut PgConnection, user: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT totp_enabled_at IS NOT NULL AS \"v!\" FROM users WHERE id = $1",
        user
    )
    .fetch_one(conn)
    .await
}

/// The secret being enrolled: the pending one, or a new one stored as pending.
pub async fn pending_secret(
    conn: &mut PgConnection,
    keys: &FieldKeys,
    user: Uuid,
) -> anyhow::Result<Vec<u8>> {
    let stored: Option<String> =
        sqlx::query_scalar!("SELECT totp_pending_enc FROM users WHERE id = $1", user)
            .fetch_one(&mut *conn)
            .await?;
    if let Some(stored) = stored
        && let Ok(text) = keys.decrypt(&pending_aad(user), &stored)
        && let Ok(bytes) = hex_decode(&text)
    {
        return Ok(bytes);
    }
    let secret: [u8; 20] = rand::random();
    sqlx::query!(
        "UPDATE users SET totp_pending_enc = $2 WHERE id = $1",
        user,
        keys.encrypt(&pending_aad(user), &hex_encode(&secret))
    )
    .execute(conn)
    .await?;
    Ok(secret.to_vec())
}

/// Confirms enrolment with a code from the app; returns the recovery codes to show once.
pub async fn confirm(
    conn: &mut PgConnection,
    keys: &FieldKeys,
    user: Uuid,
    code: &str,
) -> anyhow::Result<Option<Vec<String>>> {
    let secret = pending_secret(conn, keys, user).await?;
    let Some(step) = totp(&secret).and_then(|t| t.check(code.trim(), now())) else {
        return Ok(None);
    };
    sqlx::query!(
        "UPDATE users SET totp_secret_enc = $2, totp_pending_enc = NULL, totp_enabled_at = now(), \
            totp_last_step = $3 WHERE id = $1",
        user,
        keys.encrypt(&secret_aad(user), &hex_encode(&secret)),
        step as i64
    )
    .execute(&mut *conn)
    .await?;
    Ok(Some(replace_recovery_codes(conn, user).await?))
}

/// Adds known recovery codes (the demo's documented ones).
pub async fn add_recovery_codes(
    conn: &mut PgConnection,
    user: Uuid,
    codes: &[String],
) -> Result<(), sqlx::Error> {
    for code in codes {
        sqlx::query!(
            "INSERT INTO recovery_codes (college_id, user_id, code_hash) \
             VALUES (app_current_college(), $1, $2) ON CONFLICT DO NOTHING",
            user,
            hash_code(code)
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn replace_recovery_codes(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    let codes = new_recovery_codes();
    for code in &codes {
        sqlx::query!("INSERT INTO recovery_codes (college_id, user_id, code_hash) VALUES (app_current_college(), $1, $2)", user, hash_code(code))
            .execute(&mut *conn)
            .await?;
    }
    Ok(codes)
}

/// Checks a code from the app (not reusing a step already used) or an unused recovery
/// code (which is then used up).
pub async fn verify(
    conn: &mut PgConnection,
    keys: &FieldKeys,
    user: Uuid,
    code: &str,
) -> anyhow::Result<Option<Proof>> {
    let row: Option<(Option<String>, Option<i64>)> = sqlx::query!(
        "SELECT totp_secret_enc, totp_last_step FROM users WHERE id = $1 FOR UPDATE",
        user
    )
    .fetch_optional(&mut *conn)
    .await
    .map(|o| o.map(|r| (r.totp_secret_enc, r.totp_last_step)))?;
    let Some((Some(stored), last_step)) = row else {
        return Ok(None);
    };
    let secret = hex_decode(&keys.decrypt(&secret_aad(user), &stored)?)
        .map_err(|()| anyhow::anyhow!("bad stored secret"))?;
    if let Some(step) = totp(&secret).and_then(|t| t.check(code.trim(), now())) {
        if last_step.is_some_and(|last| step as i64 <= last) {
            return Ok(None);
        }
        sqlx::query!(
            "UPDATE users SET totp_last_step = $2 WHERE id = $1",
            user,
            step as i64
        )
        .execute(&mut *conn)
        .await?;
        return Ok(Some(Proof::Totp));
    }
    let used = sqlx::query!("UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL", user, hash_code(code))
    .execute(&mut *conn)
    .await?;
    Ok((used.rows_affected() == 1).then_some(Proof::RecoveryCode))
}

/// Turns the second factor on with a known secret (the demo college's documented key).
pub async fn enable_with_secret(
    conn: &mut PgConnection,
    keys: &FieldKeys,
    user: Uuid,
    secret: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET totp_secret_enc = $2, totp_enabled_at = now() WHERE id = $1",
        user,
        keys.encrypt(&secret_aad(user), &hex_encode(secret))
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the second factor and its recovery codes.
pub async fn remove(conn: &mut PgConnection, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET totp_secret_enc = NULL, totp_pending_enc = NULL, totp_enabled_at = NULL, \
            totp_last_step = NULL WHERE id = $1",
        user
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", user)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many of the user's recovery codes are still unused.
pub async fn remaining_recovery_codes(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT count(*) AS \"v!\" FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        user
    )
    .fetch_one(conn)
    .await
}

/// Whether the college requires a second factor of all its staff.
pub async fn staff_required(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!("SELECT mfa_required_for_staff FROM colleges")
        .fetch_one(conn)
        .await
}

/// The slug and name of the college the transaction acts for: the second-factor step of
/// signing in shows the college's own header, as its sign-in page does.
pub async fn college_brand(conn: &mut PgConnection) -> Result<(String, String), sqlx::Error> {
    let row = sqlx::query!("SELECT slug, name FROM colleges WHERE id = app_current_college()")
        .fetch_one(conn)
        .await?;
    Ok((row.slug, row.name))
}
