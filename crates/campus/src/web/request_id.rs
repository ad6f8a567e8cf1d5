//! A request id for every request: the caller's X-Request-Id when it is a sane token
//! (so ids can follow a request across a load balancer), else a new UUID. It is echoed
//! in the response, carried by every log line of the request, and shown on error pages.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

pub const HEADER: &str = "x-request-id";

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Accepts ids made of letters, digits, `-`, `_`, `.` and `:`, up to 128 characters:
/// anything else could forge log lines or bloat them.
fn acceptable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

pub async fn middleware(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| acceptable(id))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string);
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn accepts_tokens_and_refuses_injection() {
        assert!(acceptable("3f2a9c1e-1b7d-4d61-9b64-8a0c2a3e5f10"));
        assert!(acceptable("lb:abc.123_x"));
        assert!(!acceptable(""));
        assert!(!acceptable("abc\ndef"));
        assert!(!acceptable("a b"));
        assert!(!acceptable(&"x".repeat(129)));
    }
}
