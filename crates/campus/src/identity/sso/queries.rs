//! Single sign-on's SQL: the college's provider (its client secret stored encrypted),
//! whether the college offers it, and the account an ID token's email names.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::app::AppState;
use crate::db::{CollegeId, begin_for_college};
use crate::error::{AppError, AppResult};
use crate::identity::sso::model::Provider;

/// What a college's client secret is encrypted for.
pub(super) fn secret_aad(college: CollegeId) -> String {
    format!("oidc_providers.client_secret:{}", college.0)
}

/// The college's provider, with its secret decrypted.
pub async fn provider(
    conn: &mut PgConnection,
    state: &AppState,
    college: CollegeId,
) -> AppResult<Option<Provider>> {
    let row: Option<(String, String, String, String, String, bool)> = sqlx::query!("SELECT issuer, client_id, client_secret_enc, allowed_domain, label, enabled FROM oidc_providers")
    .fetch_optional(conn)
    .await.map(|o| o.map(|r| (r.issuer, r.client_id, r.client_secret_enc, r.allowed_domain, r.label, r.enabled)))?;
    let Some((issuer, client_id, secret, allowed_domain, label, enabled)) = row else {
        return Ok(None);
    };
    let client_secret = state
        .config
        .field_keys
        .decrypt(&secret_aad(college), &secret)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the SSO client secret: {e}")))?;
    Ok(Some(Provider {
        issuer,
        client_id,
        client_secret,
        allowed_domain,
        label,
        enabled,
    }))
}

/// Whether the college offers SSO, and its button label (for the sign-in page).
pub async fn offered(pool: &PgPool, college: CollegeId) -> Result<Option<String>, sqlx::Error> {
    let mut tx = begin_for_college(pool, college).await?;
    let label: Option<String> =
        sqlx::query_scalar!("SELECT label FROM oidc_providers WHERE enabled")
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(label)
}

/// Stores the college's provider (`client_secret_enc` already encrypted), replacing the
/// one it had.
pub async fn save_provider(
    conn: &mut PgConnection,
    issuer: &str,
    client_id: &str,
    client_secret_enc: String,
    allowed_domain: &str,
    label: &str,
    enabled: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!("INSERT INTO oidc_providers (college_id, issuer, client_id, client_secret_enc, allowed_domain, label, enabled) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6) \
         ON CONFLICT (college_id) DO UPDATE SET issuer = $1, client_id = $2, client_secret_enc = $3, \
           allowed_domain = $4, label = $5, enabled = $6, updated_at = now()", issuer, client_id, client_secret_enc, allowed_domain, label, enabled)
    .execute(conn)
    .await?;
    Ok(())
}

/// The account a verified email of the provider names: active or invited, and not an
/// applicant's sign-up still unconfirmed; (id, status), its row locked.
pub async fn account_for_email(
    conn: &mut PgConnection,
    email: &str,
) -> Result<Option<(Uuid, String)>, sqlx::Error> {
    sqlx::query!(
        "SELECT id, status FROM users WHERE email = $1 AND status IN ('active', 'invited') \
           AND NOT (self_signup AND email_verified_at IS NULL) FOR UPDATE",
        email
    )
    .fetch_optional(conn)
    .await
    .map(|o| o.map(|r| (r.id, r.status)))
}

/// An invited account signing in through its provider: the invitation is answered, and
/// the address counts as verified.
pub async fn activate_invited(conn: &mut PgConnection, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET status = 'active', email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1", user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Notes the sign-in time.
pub async fn signed_in_now(conn: &mut PgConnection, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET last_login_at = now() WHERE id = $1", user)
        .execute(conn)
        .await?;
    Ok(())
}
