//! The tokens' endpoints of the JSON API: sign-in with tokens, refresh with rotation, and
//! sign-out.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::{CollegeId, begin_for_college};
use crate::error::{AppError, AppResult};
use crate::identity::mfa::queries as mfa;
use crate::identity::signin::model::SignInError;
use crate::identity::signin::queries as signin;
use crate::identity::signin::{authenticate, service};
use crate::identity::tokens::credentials::{self, ACCESS_LIFETIME};
use crate::identity::tokens::model::{LoginRequest, Presented, RefreshRequest, TokenResponse};
use crate::identity::tokens::queries;
use crate::web::client_ip::ClientIp;
use crate::web::errors::ProblemDocument;
use crate::web::extract::ApiJson;
use crate::web::throttle::Door;

/// The answer to a sign-in or a refresh: a new access token of `family`, and the refresh
/// token just stored in it.
fn issue(
    state: &AppState,
    college: CollegeId,
    user: Uuid,
    family: Uuid,
    refresh: &[u8; 32],
) -> AppResult<TokenResponse> {
    Ok(TokenResponse {
        access_token: credentials::issue_access(&state.config, college, user, family)?,
        token_type: "Bearer",
        expires_in: ACCESS_LIFETIME.as_secs(),
        refresh_token: credentials::refresh_value(college, refresh),
    })
}

/// Signs in with a password and returns an access token (15 minutes) and a refresh token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "identity", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong college, email or password, or the account is locked", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn login(
    State(state): State<AppState>,
    context: AuditContext,
    client: ClientIp,
    ApiJson(body): ApiJson<LoginRequest>,
) -> AppResult<Json<TokenResponse>> {
    state.throttle.check(Door::Token, client.0)?;
    let mut signed_in = match service::check_password(
        &state.db,
        &context,
        &body.college,
        &body.email,
        &body.password,
    )
    .await
    {
        Ok(signed_in) => signed_in,
        Err(SignInError::Refused) => return Err(AppError::Unauthorized),
        Err(SignInError::Internal(e)) => return Err(e),
    };
    let principal = authenticate::load(&mut signed_in.tx, signed_in.user_id, None)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if mfa::enabled(&mut signed_in.tx, signed_in.user_id).await? {
        let Some(code) = body.totp_code.as_deref().filter(|c| !c.trim().is_empty()) else {
            signed_in.tx.commit().await?;
            return Err(AppError::MfaCodeRequired);
        };
        let keys = &state.config.field_keys;
        let locked = signin::is_locked(&mut signed_in.tx, signed_in.user_id).await?;
        let proven = !locked
            && mfa::verify(&mut signed_in.tx, keys, signed_in.user_id, code)
                .await?
                .is_some();
        if !proven {
            signin::count_failure(&mut signed_in.tx, signed_in.user_id).await?;
            audit::record(
                &mut signed_in.tx,
                &context,
                Entry::new("auth.login_failed")
                    .object("user", signed_in.user_id)
                    .after(serde_json::json!({ "reason": "wrong second-factor code" })),
            )
            .await?;
            signed_in.tx.commit().await?;
            return Err(AppError::MfaCodeRequired);
        }
        signin::complete(&mut signed_in.tx, signed_in.user_id).await?;
    } else if principal.mfa_enrollment_required {
        signed_in.tx.commit().await?;
        return Err(AppError::MfaEnrollmentRequired);
    }
    let family = Uuid::new_v4();
    let stored = queries::store_refresh(&mut signed_in.tx, signed_in.user_id, family).await?;
    let response = issue(
        &state,
        signed_in.college,
        signed_in.user_id,
        family,
        &stored,
    )?;
    audit::record(
        &mut signed_in.tx,
        &context.with_actor(signed_in.user_id, None),
        Entry::new("auth.login")
            .object("token_family", family)
            .after(serde_json::json!({ "method": "password", "client": "api" })),
    )
    .await?;
    signed_in.tx.commit().await?;
    Ok(Json(response))
}

/// Exchanges a refresh token for new tokens. Each refresh token works once.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "identity", request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or already used refresh token", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn refresh(
    State(state): State<AppState>,
    context: AuditContext,
    client: ClientIp,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> AppResult<Json<TokenResponse>> {
    state.throttle.check(Door::Refresh, client.0)?;
    let (college, token) =
        credentials::parse_refresh(&body.refresh_token).ok_or(AppError::Unauthorized)?;
    let mut tx = begin_for_college(&state.db, college).await?;
    match queries::present_refresh(&mut tx, &token).await? {
        Presented::Invalid => Err(AppError::Unauthorized),
        Presented::Reused { family, user } => {
            audit::record(
                &mut tx,
                &context.with_actor(user, None),
                Entry::new("auth.refresh_reused")
                    .object("token_family", family)
                    .after(serde_json::json!({ "family_revoked": true })),
            )
            .await?;
            tx.commit().await?;
            Err(AppError::Unauthorized)
        }
        Presented::Fresh { family, user } => {
            let stored = queries::store_refresh(&mut tx, user, family).await?;
            let response = issue(&state, college, user, family, &stored)?;
            audit::record(
                &mut tx,
                &context.with_actor(user, None),
                Entry::new("auth.token_refreshed").object("token_family", family),
            )
            .await?;
            tx.commit().await?;
            Ok(Json(response))
        }
    }
}

/// Signs out: revokes every token of the sign-in the refresh token belongs to.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "identity", request_body = RefreshRequest,
    responses((status = 204, description = "Signed out (also answered for unknown tokens)")))]
pub async fn logout(
    State(state): State<AppState>,
    context: AuditContext,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> AppResult<StatusCode> {
    let Some((college, token)) = credentials::parse_refresh(&body.refresh_token) else {
        return Ok(StatusCode::NO_CONTENT);
    };
    let mut tx = begin_for_college(&state.db, college).await?;
    let found = queries::family_of(&mut tx, &token).await?;
    if let Some((family, user)) = found {
        let revoked = queries::revoke_family(&mut tx, family).await?;
        if revoked > 0 {
            audit::record(
                &mut tx,
                &context.with_actor(user, None),
                Entry::new("auth.logout").object("token_family", family),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
