//! The identity endpoints of the JSON API: sign-in with tokens, refresh with rotation,
//! sign-out, and the caller's own account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::{CollegeId, begin_for_college};
use crate::error::{AppError, AppResult};
use crate::identity::signin::{self, SignInError};
use crate::identity::tokens::{self, Presented};
use crate::web::client_ip::ClientIp;
use crate::web::errors::ProblemDocument;
use crate::web::extract::ApiJson;
use crate::web::throttle::Door;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// The college's URL name, e.g. `riverside`.
    pub college: String,
    pub email: String,
    pub password: String,
    /// A current code from the authenticator app (or a recovery code), when the account
    /// has a second factor.
    pub totp_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A signed access token (JWT, HS256) for `Authorization: Bearer ...`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Single use: exchange it at /api/v1/auth/refresh for new tokens. Using one twice
    /// revokes every token of the sign-in.
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

async fn issue(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    college: CollegeId,
    user: Uuid,
    family: Uuid,
) -> AppResult<TokenResponse> {
    let refresh = tokens::store_refresh(conn, user, family).await?;
    Ok(TokenResponse {
        access_token: tokens::issue_access(&state.config, college, user, family)?,
        token_type: "Bearer",
        expires_in: tokens::ACCESS_LIFETIME.as_secs(),
        refresh_token: tokens::refresh_value(college, &refresh),
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
    let mut signed_in = match signin::check_password(
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
    let principal = crate::identity::authenticate::load(&mut signed_in.tx, signed_in.user_id, None)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if crate::identity::mfa::enabled(&mut signed_in.tx, signed_in.user_id).await? {
        let Some(code) = body.totp_code.as_deref().filter(|c| !c.trim().is_empty()) else {
            signed_in.tx.commit().await?;
            return Err(AppError::MfaCodeRequired);
        };
        let keys = &state.config.field_keys;
        let locked = signin::is_locked(&mut signed_in.tx, signed_in.user_id).await?;
        let proven = !locked
            && crate::identity::mfa::verify(&mut signed_in.tx, keys, signed_in.user_id, code)
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
    let response = issue(
        &state,
        &mut signed_in.tx,
        signed_in.college,
        signed_in.user_id,
        family,
    )
    .await?;
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
        tokens::parse_refresh(&body.refresh_token).ok_or(AppError::Unauthorized)?;
    let mut tx = begin_for_college(&state.db, college).await?;
    match tokens::present_refresh(&mut tx, &token).await? {
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
            let response = issue(&state, &mut tx, college, user, family).await?;
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
    let Some((college, token)) = tokens::parse_refresh(&body.refresh_token) else {
        return Ok(StatusCode::NO_CONTENT);
    };
    let mut tx = begin_for_college(&state.db, college).await?;
    let found: Option<(Uuid, Uuid)> =
        sqlx::query_as("SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = $1")
            .bind(crate::identity::session::token_hash(&token))
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((family, user)) = found {
        let revoked = tokens::revoke_family(&mut tx, family).await?;
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

#[derive(Debug, Serialize, ToSchema)]
pub struct CollegeRef {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionGrant {
    /// e.g. `students.read`.
    pub permission: &'static str,
    /// `own`, `own_children`, `own_sections`, `department` or `college`.
    pub scope: &'static str,
    /// The role that gives it.
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub college: CollegeRef,
    pub roles: Vec<String>,
    pub permissions: Vec<PermissionGrant>,
}

/// The caller: their account, college, roles and every permission with its scope.
#[utoipa::path(get, path = "/api/v1/users/me", tag = "identity",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in caller", body = Me),
        (status = 401, description = "No valid access token", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn me(principal: Principal) -> Json<Me> {
    Json(Me {
        id: principal.user_id,
        email: principal.email.clone(),
        display_name: principal.display_name.clone(),
        college: CollegeRef {
            id: principal.college.0,
            slug: principal.college_slug.clone(),
            name: principal.college_name.clone(),
        },
        roles: principal.roles.clone(),
        permissions: principal
            .grants
            .iter()
            .map(|(p, s, role)| PermissionGrant {
                permission: p.name(),
                scope: s.name(),
                role: role.clone(),
            })
            .collect(),
    })
}
