//! The message a page shows once after an action ("Course UX101 created"): the action
//! redirects (post/redirect/get) with the message in a short-lived cookie signed by the
//! server, and the next page the browser loads shows it where the layout marks its place
//! and clears the cookie. A message nobody signed is ignored, so another site cannot put
//! words on a Campus page.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::SameSite;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::app::AppState;
use crate::config::Config;
use crate::web::cookies::CookieName;

pub const COOKIE: CookieName = CookieName::new("campus_flash", "__Host-campus_flash");
/// Where `base.html` puts the message.
pub const MARKER: &str = "<!--flash-->";
/// Longer messages are cut (a cookie is small, and so should a message be).
const MAX_CHARS: usize = 300;
/// Pages larger than this are passed through without their message.
const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

fn mac(secret: &str, message: &str) -> Hmac<Sha256> {
    crate::web::csrf::keyed_mac(secret, b"campus-flash:", message.as_bytes())
}

/// The cookie carrying `message` to the next page.
pub fn cookie(config: &Config, message: &str) -> axum_extra::extract::cookie::Cookie<'static> {
    let message: String = message.chars().take(MAX_CHARS).collect();
    let tag = mac(config.secret_key.expose(), &message)
        .finalize()
        .into_bytes();
    let value = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(message.as_bytes()),
        URL_SAFE_NO_PAD.encode(tag)
    );
    COOKIE.build(
        config,
        value,
        SameSite::Lax,
        Some(time::Duration::minutes(5)),
    )
}

/// The message in `value`, when the server signed it.
fn read(config: &Config, value: &str) -> Option<String> {
    let (text, tag) = value.split_once('.')?;
    let message = String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    mac(config.secret_key.expose(), &message)
        .verify_slice(&tag)
        .ok()?;
    Some(message)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Shows a pending message on the first full page that has room for it, then clears it.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let jar = CookieJar::from_headers(request.headers());
    let Some(raw) = COOKIE.read(&state.config, &jar) else {
        return next.run(request).await;
    };
    let response = next.run(request).await;
    let is_page = response.status() == StatusCode::OK
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !is_page {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_PAGE_BYTES).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(html) = String::from_utf8(bytes.to_vec()) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if !html.contains(MARKER) {
        return Response::from_parts(parts, Body::from(html));
    }
    let shown = match read(&state.config, &raw) {
        Some(message) => format!(
            "<div class=\"alert alert-success\" role=\"status\">{}</div>",
            escape(&message)
        ),
        None => String::new(),
    };
    let html = html.replacen(MARKER, &shown, 1);
    parts.headers.remove(header::CONTENT_LENGTH);
    let gone = COOKIE.build(
        &state.config,
        String::new(),
        SameSite::Lax,
        Some(time::Duration::ZERO),
    );
    if let Ok(value) = HeaderValue::from_str(&gone.to_string()) {
        parts.headers.append(header::SET_COOKIE, value);
    }
    Response::from_parts(parts, Body::from(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_signed_and_escaped() {
        let env = |name: &str| {
            (name == "CAMPUS_SECRET_KEY").then(|| "9c1f0e7a3b5d8f2e4a6c0b1d3f5e7a9c".to_string())
        };
        let overrides = crate::config::Overrides {
            data_dir: Some(std::env::temp_dir().join("campus-flash-test")),
            ..Default::default()
        };
        let config = crate::config::Config::load(&overrides, &env).expect("config");
        let cookie = cookie(&config, "Course <b>UX101</b> created");
        let value = cookie.value().to_string();
        assert_eq!(
            read(&config, &value).as_deref(),
            Some("Course <b>UX101</b> created")
        );
        let forged = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode("Your account is closed"),
            value.split_once('.').expect("tag").1
        );
        assert_eq!(read(&config, &forged), None);
        assert_eq!(escape("<script>\"'&"), "&lt;script&gt;&quot;&#39;&amp;");
    }
}
