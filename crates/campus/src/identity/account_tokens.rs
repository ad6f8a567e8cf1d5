//! Single-use, expiring tokens sent by mail: invitations, password resets, email
//! verification. The link carries `college.token`; only the token's hash is stored.

use std::time::Duration;

use sqlx::PgConnection;
use sqlx::postgres::types::PgInterval;
use uuid::Uuid;

use crate::db::CollegeId;
use crate::identity::session::{new_token, parse_cookie, token_hash};
use crate::identity::tokens::refresh_value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Invite,
    Reset,
    VerifyEmail,
}

impl Purpose {
    fn name(self) -> &'static str {
        match self {
            Purpose::Invite => "invite",
            Purpose::Reset => "reset",
            Purpose::VerifyEmail => "verify_email",
        }
    }

    pub fn lifetime(self) -> Duration {
        match self {
            Purpose::Invite => Duration::from_secs(7 * 24 * 3600),
            Purpose::Reset => Duration::from_secs(3600),
            Purpose::VerifyEmail => Duration::from_secs(3 * 24 * 3600),
        }
    }
}

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

/// The college a link's token belongs to, and the token bytes.
pub fn parse(value: &str) -> Option<(CollegeId, Vec<u8>)> {
    parse_cookie(value)
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
