//! Cross-site request forgery protection for browser forms. Every state-changing request
//! to a page route must carry a token the server derived (HMAC with the secret key) from
//! the visitor's session, or before sign-in from a random cookie; a cross-site form
//! cannot read it. Requests that a browser marks as cross-site are refused outright.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::SameSite;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::AppError;
use crate::web::client_ip::ClientIp;
use crate::web::cookies::CookieName;
use crate::web::request_id::RequestId;

pub const FIELD: &str = "_csrf";
pub const HEADER: &str = "x-csrf-token";
/// The pre-sign-in anchor; random, HttpOnly, never sent cross-site.
pub const COOKIE: CookieName = CookieName::new("campus_csrf", "__Host-campus_csrf");

/// An HMAC under the server's secret, for one `purpose` (so a value signed for one use
/// is never valid for another).
pub fn keyed_mac(secret: &str, purpose: &[u8], data: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new_from_slice(b"campus").expect("key"));
    mac.update(purpose);
    mac.update(data);
    mac
}

fn mac(secret: &str, anchor: &[u8]) -> Hmac<Sha256> {
    keyed_mac(secret, b"campus-csrf:", anchor)
}

pub fn token(secret: &str, anchor: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(mac(secret, anchor).finalize().into_bytes())
}

/// Compares in constant time.
pub fn is_valid(secret: &str, anchor: &[u8], candidate: &str) -> bool {
    URL_SAFE_NO_PAD
        .decode(candidate)
        .is_ok_and(|bytes| mac(secret, anchor).verify_slice(&bytes).is_ok())
}

/// What a request's token is derived from: the session, or the pre-sign-in cookie.
fn anchor(
    config: &crate::config::Config,
    request_principal: Option<&Principal>,
    jar: &CookieJar,
) -> Option<Vec<u8>> {
    match request_principal.and_then(|p| p.session_id) {
        Some(session) => Some(session.as_bytes().to_vec()),
        None => COOKIE.read(config, jar).map(String::into_bytes),
    }
}

/// The token for forms on this request's page, and the cookie to set when the visitor
/// has no anchor yet.
pub fn for_page(
    state: &AppState,
    principal: Option<&Principal>,
    jar: CookieJar,
) -> (String, CookieJar) {
    if let Some(anchor) = anchor(&state.config, principal, &jar) {
        return (token(state.config.secret_key.expose(), &anchor), jar);
    }
    let value = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let token = token(state.config.secret_key.expose(), value.as_bytes());
    let cookie = COOKIE.build(&state.config, value, SameSite::Strict, None);
    (token, jar.add(cookie))
}

/// The methods page routes change state with. Others (TRACE, made-up ones) reach no
/// handler: the router answers them 405.
fn is_state_changing(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Refuses a state-changing page request without a valid token. The API is exempt: it
/// authenticates with bearer tokens, never cookies. A refusal to a signed-in user is
/// recorded in the audit trail: it means a forged or stale form aimed at their account.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let suspect = request.extensions().get::<Principal>().map(|principal| {
        let context = AuditContext {
            actor: Some(principal.user_id),
            actor_role: None,
            ip: request.extensions().get::<ClientIp>().and_then(|c| c.0),
            user_agent: request
                .headers()
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(300).collect()),
            request_id: request.extensions().get::<RequestId>().map(|r| r.0.clone()),
        };
        (
            principal.college,
            context,
            request.method().clone(),
            request.uri().clone(),
        )
    });
    let state_for_audit = state.clone();
    let response = check(state, request, next).await;
    let refused = response
        .extensions()
        .get::<crate::error::Problem>()
        .is_some_and(|p| p.kind == "csrf");
    if let (true, Some((college, context, method, uri))) = (refused, suspect) {
        let entry = Entry::new("security.csrf_rejected")
            .after(serde_json::json!({ "method": method.as_str(), "path": uri.path() }));
        let written = async {
            let mut tx = begin_for_college(&state_for_audit.db, college).await?;
            audit::record(&mut tx, &context, entry).await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = written {
            tracing::error!(error = %e, "could not record a CSRF refusal");
        }
    }
    response
}

async fn check(state: AppState, request: Request, next: Next) -> Response {
    if !is_state_changing(request.method()) || request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    if request
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return refused();
    }
    if let Some(origin) = request.headers().get(header::ORIGIN)
        && !is_own_origin(
            &state.config,
            origin.as_bytes(),
            request.headers().get(header::HOST),
        )
    {
        return refused();
    }
    let jar = CookieJar::from_headers(request.headers());
    let Some(anchor) = anchor(&state.config, request.extensions().get::<Principal>(), &jar) else {
        return refused();
    };
    let secret = state.config.secret_key.expose().to_string();
    if let Some(candidate) = request.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        if is_valid(&secret, &anchor, candidate) {
            return next.run(request).await;
        }
        return refused();
    }
    // A form: read the body to find the field, then hand the body on unchanged.
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let boundary = multer::parse_boundary(&content_type).ok();
    let (limit, is_form) = if content_type.starts_with("application/x-www-form-urlencoded") {
        (state.config.body_limit_bytes, true)
    } else if boundary.is_some() {
        (state.config.upload_limit_bytes + 64 * 1024, true)
    } else {
        (0, false)
    };
    if !is_form {
        return refused();
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => return AppError::PayloadTooLarge.into_response(),
    };
    let candidate = match boundary {
        Some(boundary) => multipart_field(bytes.clone(), boundary, FIELD).await,
        None => form_field(&bytes, FIELD),
    };
    let valid = candidate.is_some_and(|candidate| is_valid(&secret, &anchor, &candidate));
    if !valid {
        return refused();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Whether a request's `Origin` is this server's: the public address's origin when one
/// is set, or the host the request was sent to. Browsers send `Origin` with every form
/// post; one from another site is refused even with a token that checks (a token can
/// leak, a foreign origin cannot be faked by a page).
fn is_own_origin(
    config: &crate::config::Config,
    origin: &[u8],
    host: Option<&axum::http::HeaderValue>,
) -> bool {
    let Ok(origin) = std::str::from_utf8(origin) else {
        return false;
    };
    if let Some(public) = &config.public_url {
        let public_origin = match public.split_once("://") {
            Some((scheme, rest)) => {
                format!("{scheme}://{}", rest.split('/').next().unwrap_or_default())
            }
            None => public.clone(),
        };
        if origin.eq_ignore_ascii_case(&public_origin) {
            return true;
        }
    }
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    match (authority, host.and_then(|h| h.to_str().ok())) {
        (Some(authority), Some(host)) => authority.eq_ignore_ascii_case(host),
        _ => false,
    }
}

/// The text of a multipart form's field (upload forms put the token first, so the
/// files after it are skipped unread).
async fn multipart_field(body: axum::body::Bytes, boundary: String, name: &str) -> Option<String> {
    let stream = futures_util::stream::once(async { Ok::<_, std::convert::Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

fn refused() -> Response {
    AppError::CsrfRejected.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_bind_to_their_anchor_and_secret() {
        let t = token("secret-one", b"anchor");
        assert!(is_valid("secret-one", b"anchor", &t));
        assert!(!is_valid("secret-one", b"other", &t));
        assert!(!is_valid("secret-two", b"anchor", &t));
        assert!(!is_valid("secret-one", b"anchor", "garbage"));
        assert!(!is_valid("secret-one", b"anchor", ""));
    }

    #[test]
    fn finds_the_form_field() {
        assert_eq!(
            form_field(b"a=1&_csrf=xyz&b=2", "_csrf").as_deref(),
            Some("xyz")
        );
        assert_eq!(form_field(b"a=1", "_csrf"), None);
    }
}
