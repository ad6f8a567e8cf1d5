//! Who is asking: `authenticate` (middleware) finds the signed-in user from the session
//! cookie or the bearer token, through the principal cache, and `load` resolves their
//! roles into permissions and scopes; `recheck` asks the same again for a live stream.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::permissions::{Permission, Role, Scope, parse_custom_grant};
use crate::access::principal::Principal;
use crate::access::principal_cache::Key;
use crate::app::AppState;
use crate::db::{CollegeId, begin_for_college};
use crate::identity::signin::model::AccountRow;
use crate::identity::signin::{queries, session};
use crate::identity::tokens::credentials;
use crate::identity::tokens::queries as tokens;

/// Loads an active user of the transaction's college with their roles resolved.
pub async fn load(
    conn: &mut PgConnection,
    user_id: Uuid,
    session_id: Option<Uuid>,
) -> Result<Option<Principal>, sqlx::Error> {
    let row = queries::account_row(&mut *conn, user_id).await?;
    let Some(AccountRow {
        college_id: college,
        college_slug,
        college_name,
        college_timezone: timezone,
        email,
        display_name,
        has_mfa,
        staff_mfa,
        platform,
        guidance_admins,
    }) = row
    else {
        return Ok(None);
    };
    let roles = queries::roles_of(&mut *conn, user_id).await?;
    let mut grants = Vec::new();
    // The platform role counts only in the platform tenant, and only it counts there.
    let roles: Vec<(String, Option<Vec<String>>)> = roles
        .into_iter()
        .filter(|(name, _)| (name == Role::PlatformAdmin.as_str()) == platform)
        .collect();
    for (name, custom) in &roles {
        match (Role::parse(name), custom) {
            (Some(role), _) => {
                grants.extend(role.grants().iter().map(|(p, s)| (*p, *s, name.clone())))
            }
            (None, Some(stored)) => grants.extend(
                stored
                    .iter()
                    // A grant stored before its scope was refused gives nothing,
                    // rather than more than it says.
                    .filter_map(|g| parse_custom_grant(g))
                    .map(|(p, s)| (p, s, name.clone())),
            ),
            (None, None) => {}
        }
    }
    // Guidance notes are the counselors'; a college may let its admins read them too.
    if guidance_admins
        && roles
            .iter()
            .any(|(name, _)| name == Role::CollegeAdmin.as_str())
    {
        grants.push((
            Permission::GuidanceNotes,
            Scope::College,
            Role::CollegeAdmin.as_str().to_string(),
        ));
    }
    let mut role_names: Vec<String> = roles.into_iter().map(|(name, _)| name).collect();
    role_names.dedup();
    let mfa_enrollment_required =
        !has_mfa && crate::identity::mfa::model::required(&role_names, staff_mfa);
    Ok(Some(Principal {
        user_id,
        college,
        college_slug,
        college_name,
        timezone,
        email,
        display_name,
        roles: role_names,
        grants,
        session_id,
        mfa_enrollment_required,
    }))
}

/// How often a session's last-seen time is written (not on every request).
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// Finds the signed-in user from the session cookie. Browser pages only: the API takes
/// bearer tokens, so a cookie never authorises an API call (and CSRF cannot reach it).
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.uri().path().starts_with("/api/") {
        let bearer = request
            .headers()
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .map(str::to_string);
        if let Some(token) = bearer {
            match from_access_token(&state, &token).await {
                Ok(Some(principal)) => {
                    request.extensions_mut().insert(principal);
                }
                // Expired, revoked, forged or for a removed user: the request goes on
                // anonymous (guarded routes answer 401), and operators see it here.
                Ok(None) => tracing::warn!("an invalid or expired access token was presented"),
                Err(e) => tracing::error!(error = %e, "loading the token's user failed"),
            }
        }
    } else {
        let jar = CookieJar::from_headers(request.headers());
        let tls = state.config.served_over_tls();
        if let Some(value) = jar
            .get(session::cookie_name(tls))
            .map(|c| c.value().to_string())
        {
            match from_session(&state, &value).await {
                Ok(Some(principal)) => {
                    let chrome_for = principal.clone();
                    request.extensions_mut().insert(principal);
                    let mut response = next.run(request).await;
                    keep_in_college(&state, &chrome_for, &mut response);
                    return response;
                }
                Ok(None) => tracing::info!("a session cookie that is unknown, expired or revoked"),
                Err(e) => tracing::error!(error = %e, "loading the session failed"),
            }
        }
    }
    next.run(request).await
}

/// An error page for a signed-in user keeps them in their college: the error renderer,
/// further out, draws the page in the chrome left on the response here (the college's
/// name, the user's navigation, a way back to their dashboard).
fn keep_in_college(state: &AppState, principal: &Principal, response: &mut Response) {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return;
    }
    let (csrf, _) = crate::web::csrf::for_page(state, Some(principal), CookieJar::new());
    let chrome = crate::web::layout::Chrome::signed_in("", principal, csrf, "");
    response.extensions_mut().insert(chrome);
}

async fn from_access_token(
    state: &AppState,
    token: &str,
) -> Result<Option<Principal>, sqlx::Error> {
    let Some(claims) = credentials::verify_access(&state.config, token) else {
        return Ok(None);
    };
    let college = CollegeId(claims.col);
    let key = Key::Family(claims.fam, claims.sub);
    if let Some(cached) = state.principals.get(&key) {
        return Ok((cached.college == college).then(|| (*cached).clone()));
    }
    let ticket = state.principals.ticket();
    let mut tx = begin_for_college(&state.db, college).await?;
    let Some(live_until) = tokens::family_live_until(&mut tx, claims.fam).await? else {
        return Ok(None);
    };
    let principal = load(&mut tx, claims.sub, None).await?;
    tx.commit().await?;
    if let Some(principal) = &principal {
        state
            .principals
            .remember(ticket, key, principal.clone(), live_until);
    }
    Ok(principal)
}

async fn from_session(state: &AppState, cookie: &str) -> Result<Option<Principal>, sqlx::Error> {
    let Some((college, token)) = session::parse_cookie(cookie) else {
        return Ok(None);
    };
    let key = Key::Session(session::token_digest(&token));
    if let Some(cached) = state.principals.get(&key) {
        // The token is bound to its college; another college's id in the cookie is no
        // session at all, as the database would say.
        return Ok((cached.college == college).then(|| (*cached).clone()));
    }
    let ticket = state.principals.ticket();
    let mut tx = begin_for_college(&state.db, college).await?;
    let Some(live) = queries::find(&mut tx, &token, state.config.session_idle).await? else {
        return Ok(None);
    };
    let principal = load(&mut tx, live.user_id, Some(live.id)).await?;
    let now = OffsetDateTime::now_utc();
    let mut last_seen = live.last_seen_at;
    if now - live.last_seen_at > TOUCH_EVERY {
        queries::touch(&mut tx, live.id).await?;
        last_seen = now;
    }
    tx.commit().await?;
    if let Some(principal) = &principal {
        let idle_end = last_seen
            + time::Duration::try_from(state.config.session_idle).unwrap_or(time::Duration::ZERO);
        state.principals.remember(
            ticket,
            key,
            principal.clone(),
            idle_end.min(live.expires_at),
        );
    }
    Ok(principal)
}

/// What an open live stream asks once a minute: whether `principal`'s sign-in still
/// stands (the account and college active, the browser session neither revoked nor
/// past its end), read fresh from the database rather than the cache, and whether
/// `allowed` still holds for the principal as they are now (their roles may have
/// changed, or the record may have moved out of their reach).
pub fn recheck<F, Fut>(state: &AppState, principal: &Principal, allowed: F) -> crate::live::Recheck
where
    F: Fn(AppState, Principal) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<bool, crate::error::AppError>> + Send + 'static,
{
    let state = state.clone();
    let principal = principal.clone();
    let allowed = std::sync::Arc::new(allowed);
    Box::new(move || {
        let state = state.clone();
        let principal = principal.clone();
        let allowed = allowed.clone();
        Box::pin(async move {
            let fresh = async {
                let mut tx = crate::db::begin_for_college(&state.db, principal.college).await?;
                if let Some(session) = principal.session_id {
                    let live = queries::session_stands(&mut tx, session, principal.user_id).await?;
                    if !live {
                        return Ok::<_, crate::error::AppError>(None);
                    }
                }
                let found = load(&mut tx, principal.user_id, principal.session_id).await?;
                tx.commit().await?;
                Ok(found)
            };
            match fresh.await {
                Ok(Some(now)) => allowed(state, now).await.unwrap_or(false),
                _ => false,
            }
        })
    })
}
