//! The tokens' SQL: refresh tokens, stored by their hash in families (each used once; a
//! reused one revokes its family), signing a user out everywhere, and the single-use,
//! expiring tokens sent by mail (invitations, password resets, email verification), of
//! which only the hash is stored too.

use std::time::Duration;

use sqlx::PgConnection;
use sqlx::postgres::types::PgInterval;
use uuid::Uuid;

use crate::db::CollegeId;
use crate::identity::signin::session::{new_token, token_hash};
use crate::identity::tokens::credentials::{REFRESH_LIFETIME, refresh_value};
use crate::identity::tokens::model::{Presented, Purpose};

fn interval(duration: Duration) -> PgInterval {
    PgInterval {
        months: 0,
        days: 0,
        microseconds: duration.as_micros() as i64,
    }
}

/// Stores a new refresh token in `family` and returns its value's token bytes.
pub async fn store_refresh(
    conn: &mut PgConnection,
    user: Uuid,
    family: Uuid,
) -> Result<[u8; 32], sqlx::Error> {
    let token = new_token();
    sqlx::query!(
        "INSERT INTO refresh_tokens (college_id, family_id, user_id, token_hash, expires_at) \
         VALUES (app_current_college(), $1, $2, $3, now() + $4)",
        family,
        user,
        token_hash(&token),
        interval(REFRESH_LIFETIME),
    )
    .execute(conn)
    .await?;
    Ok(token)
}

/// Looks up and consumes a refresh token (the row is locked, so two concurrent uses of
/// one token cannot both succeed).
pub async fn present_refresh(
    conn: &mut PgConnection,
    token: &[u8],
) -> Result<Presented, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT t.id, t.family_id, t.user_id, t.used_at IS NOT NULL AS "used!",
                  (t.revoked_at IS NOT NULL OR t.expires_at <= now() OR u.status <> 'active') AS "dead!"
           FROM refresh_tokens t JOIN users u ON u.college_id = t.college_id AND u.id = t.user_id
           WHERE t.token_hash = $1 FOR UPDATE OF t"#,
        token_hash(token),
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(Presented::Invalid);
    };
    let (id, family, user, used, dead) = (row.id, row.family_id, row.user_id, row.used, row.dead);
    if dead {
        return Ok(Presented::Invalid);
    }
    if used {
        revoke_family(conn, family).await?;
        return Ok(Presented::Reused { family, user });
    }
    sqlx::query!(
        "UPDATE refresh_tokens SET used_at = now() WHERE id = $1",
        id
    )
    .execute(conn)
    .await?;
    Ok(Presented::Fresh { family, user })
}

pub async fn revoke_family(conn: &mut PgConnection, family: Uuid) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
        family,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Ends every browser session and API token of `user` (after a change of privilege or
/// credentials, they sign in again with new ids); returns (sessions, token families).
pub async fn sign_out_everywhere(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<(u64, u64), sqlx::Error> {
    let sessions = crate::identity::signin::queries::revoke_others(conn, user, None).await?;
    let families = sqlx::query!(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        user,
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok((sessions, families))
}

/// Whether a family still has a token that is not revoked (access tokens of a revoked
/// family stop working at once, not only when they expire).
/// Until when the family stays live (its last unrevoked refresh token's expiry), or
/// `None` when it is not live now.
pub async fn family_live_until(
    conn: &mut PgConnection,
    family: Uuid,
) -> Result<Option<time::OffsetDateTime>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT max(expires_at) FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL \
             AND expires_at > now()",
        family,
    )
    .fetch_one(conn)
    .await
}

/// The family and user of a refresh token, whether used or not.
pub async fn family_of(
    conn: &mut PgConnection,
    token: &[u8],
) -> Result<Option<(Uuid, Uuid)>, sqlx::Error> {
    sqlx::query!(
        "SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = $1",
        token_hash(token)
    )
    .fetch_optional(conn)
    .await
    .map(|o| o.map(|r| (r.family_id, r.user_id)))
}

// Single-use tokens sent by mail. The link carries `college.token`.

/// Issues a token for `user` (earlier unused tokens of the same purpose stop working)
/// and returns the value for the link.
pub async fn issue(
    conn: &mut PgConnection,
    college: CollegeId,
    user: Uuid,
    purpose: Purpose,
) -> Result<String, sqlx::Error> {
    sqlx::query!(
        "UPDATE account_tokens SET used_at = now() \
         WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        user,
        purpose.name(),
    )
    .execute(&mut *conn)
    .await?;
    let token = new_token();
    sqlx::query!(
        "INSERT INTO account_tokens (college_id, user_id, purpose, token_hash, expires_at) \
         VALUES (app_current_college(), $1, $2, $3, now() + $4::interval)",
        user,
        purpose.name(),
        token_hash(&token),
        PgInterval {
            months: 0,
            days: 0,
            microseconds: purpose.lifetime().as_micros() as i64,
        },
    )
    .execute(conn)
    .await?;
    Ok(refresh_value(college, &token))
}

/// The user a live token of `purpose` belongs to, without using it up.
pub async fn peek(
    conn: &mut PgConnection,
    token: &[u8],
    purpose: Purpose,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT user_id FROM account_tokens WHERE token_hash = $1 AND purpose = $2 \
           AND used_at IS NULL AND expires_at > now()",
        token_hash(token),
        purpose.name(),
    )
    .fetch_optional(conn)
    .await
}

/// Uses a live token up and returns its user; `None` when unknown, used or expired.
pub async fn consume(
    conn: &mut PgConnection,
    token: &[u8],
    purpose: Purpose,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE account_tokens SET used_at = now() WHERE token_hash = $1 AND purpose = $2 \
           AND used_at IS NULL AND expires_at > now() RETURNING user_id",
        token_hash(token),
        purpose.name(),
    )
    .fetch_optional(conn)
    .await
}

/// Voids every unused link of `user` (their email or status changed under them).
pub async fn revoke_all(conn: &mut PgConnection, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE account_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
        user,
    )
    .execute(conn)
    .await?;
    Ok(())
}
