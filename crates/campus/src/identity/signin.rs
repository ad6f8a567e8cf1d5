//! Checking a password sign-in, shared by the browser form and the API. Every failure
//! looks the same to the caller (no hint whether the account exists), takes about as
//! long, is recorded in the audit trail, and counts towards a progressive lockout.

use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::db::{CollegeId, begin_for_college};
use crate::error::AppError;
use crate::identity::password;
use crate::institution::queries as institution;

/// Failed attempts allowed before the account locks; each further failure doubles the
/// lock, up to an hour.
pub const FREE_ATTEMPTS: i32 = 5;
pub const MAX_LOCK_MINUTES: i32 = 60;

/// A successful check: the transaction stays open so the caller's session or tokens and
/// the audit entry commit together with the reset counters.
pub struct SignedIn {
    pub tx: Transaction<'static, Postgres>,
    pub college: CollegeId,
    pub user_id: Uuid,
}

#[derive(Debug)]
pub enum SignInError {
    /// Wrong college, email or password, or a locked or inactive account: callers show
    /// one message for all.
    Refused,
    Internal(AppError),
}

impl<E: Into<AppError>> From<E> for SignInError {
    fn from(error: E) -> SignInError {
        SignInError::Internal(error.into())
    }
}

async fn verify_blocking(password: String, hash: String) -> Result<bool, AppError> {
    password::verify_bounded(&password, &hash).await
}

/// The outcome of re-checking a signed-in user's own password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recheck {
    Right,
    Wrong,
    /// Too many wrong passwords or codes: nothing is checked until the lock ends, as at
    /// sign-in, so a stolen session is no way around the lock.
    Locked,
}

impl Recheck {
    /// What to tell the user when the check did not pass.
    pub fn problem(self, field: &str) -> Option<crate::error::FieldError> {
        match self {
            Recheck::Right => None,
            Recheck::Wrong => Some(crate::error::FieldError::new(
                field,
                "is not your current password",
            )),
            Recheck::Locked => Some(crate::error::FieldError::new(
                field,
                "cannot be checked now: the account is locked after too many wrong attempts; \
                 try again later",
            )),
        }
    }
}

/// Re-checks the signed-in `user`'s password (changing it, new recovery codes, turning
/// the second factor off). A locked account is refused without a check; a wrong
/// password counts towards the lock. Locks the user's row for the transaction.
pub async fn recheck_password(
    conn: &mut sqlx::PgConnection,
    user: Uuid,
    given: &str,
) -> Result<Recheck, AppError> {
    let (hash, locked): (Option<String>, bool) = sqlx::query_as(
        "SELECT password_hash, coalesce(locked_until > now(), false) FROM users \
         WHERE id = $1 FOR UPDATE",
    )
    .bind(user)
    .fetch_one(&mut *conn)
    .await?;
    if locked {
        return Ok(Recheck::Locked);
    }
    let right = match hash {
        Some(hash) => password::verify_bounded(given, &hash).await?,
        None => false,
    };
    if right {
        Ok(Recheck::Right)
    } else {
        count_failure(conn, user).await?;
        Ok(Recheck::Wrong)
    }
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

pub async fn check_password(
    pool: &PgPool,
    context: &AuditContext,
    college_slug: &str,
    email: &str,
    password: &str,
) -> Result<SignedIn, SignInError> {
    let email = email.trim().to_lowercase();
    let college = if college_slug.trim() == institution::PLATFORM_SLUG {
        institution::platform_tenant(pool).await?
    } else {
        institution::find_by_slug(pool, college_slug.trim()).await?
    };
    let Some(college) = college else {
        verify_blocking(password.into(), password::decoy_hash().into()).await?;
        return Err(SignInError::Refused);
    };
    let mut tx = begin_for_college(pool, college.id).await?;
    let row: Option<(Uuid, Option<String>, String, i32, bool)> = sqlx::query_as(
        "SELECT id, password_hash, status, failed_logins, coalesce(locked_until > now(), false) \
         FROM users WHERE email = $1 FOR UPDATE",
    )
    .bind(&email)
    .fetch_optional(&mut *tx)
    .await?;

    let failure = |reason: &'static str, user: Option<Uuid>| {
        let mut entry = Entry::new("auth.login_failed")
            .after(serde_json::json!({ "email": email, "reason": reason }));
        if let Some(user) = user {
            entry = entry.object("user", user);
        }
        entry
    };
    let Some((user_id, hash, status, failed, locked)) = row else {
        verify_blocking(password.into(), password::decoy_hash().into()).await?;
        audit::record(&mut tx, context, failure("unknown account", None)).await?;
        tx.commit().await?;
        return Err(SignInError::Refused);
    };
    if locked {
        verify_blocking(password.into(), password::decoy_hash().into()).await?;
        audit::record(&mut tx, context, failure("locked", Some(user_id))).await?;
        tx.commit().await?;
        return Err(SignInError::Refused);
    }
    let Some(hash) = hash.filter(|_| status == "active") else {
        verify_blocking(password.into(), password::decoy_hash().into()).await?;
        audit::record(
            &mut tx,
            context,
            failure("account not active", Some(user_id)),
        )
        .await?;
        tx.commit().await?;
        return Err(SignInError::Refused);
    };
    let _ = failed;
    if !verify_blocking(password.into(), hash.clone()).await? {
        count_failure(&mut tx, user_id).await?;
        audit::record(&mut tx, context, failure("wrong password", Some(user_id))).await?;
        tx.commit().await?;
        return Err(SignInError::Refused);
    }
    let rehash = if password::needs_rehash(&hash) {
        password::hash_bounded(password).await.ok()
    } else {
        None
    };
    // With a second factor, the failure count stays until that is proven too: otherwise
    // each right password would reset the count and codes could be guessed forever.
    sqlx::query!(
        "UPDATE users SET password_hash = coalesce($2, password_hash), \
            failed_logins = CASE WHEN totp_enabled_at IS NULL THEN 0 ELSE failed_logins END, \
            locked_until = CASE WHEN totp_enabled_at IS NULL THEN NULL ELSE locked_until END, \
            last_login_at = CASE WHEN totp_enabled_at IS NULL THEN now() ELSE last_login_at END \
         WHERE id = $1",
        user_id,
        rehash
    )
    .execute(&mut *tx)
    .await?;
    Ok(SignedIn {
        tx,
        college: college.id,
        user_id,
    })
}
