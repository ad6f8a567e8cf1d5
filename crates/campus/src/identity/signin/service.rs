//! Checking a password sign-in, shared by the browser form and the API. Every failure
//! looks the same to the caller (no hint whether the account exists), takes about as
//! long, is recorded in the audit trail, and counts towards a progressive lockout. And
//! re-checking a signed-in user's own password, which counts towards the same lock.

use sqlx::PgPool;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::AppError;
use crate::identity::signin::model::{Recheck, SignInError, SignedIn};
use crate::identity::signin::{password, queries};
use crate::institution::queries as institution;

async fn verify_blocking(password: String, hash: String) -> Result<bool, AppError> {
    password::verify_bounded(&password, &hash).await
}

/// Re-checks the signed-in `user`'s password (changing it, new recovery codes, turning
/// the second factor off). A locked account is refused without a check; a wrong
/// password counts towards the lock. Locks the user's row for the transaction.
pub async fn recheck_password(
    conn: &mut sqlx::PgConnection,
    user: Uuid,
    given: &str,
) -> Result<Recheck, AppError> {
    let (hash, locked) = queries::password_and_lock(conn, user).await?;
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
        queries::count_failure(conn, user).await?;
        Ok(Recheck::Wrong)
    }
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
    let row = queries::sign_in_account(&mut tx, &email).await?;

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
        queries::count_failure(&mut tx, user_id).await?;
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
    queries::password_accepted(&mut tx, user_id, rehash).await?;
    Ok(SignedIn {
        tx,
        college: college.id,
        user_id,
    })
}
