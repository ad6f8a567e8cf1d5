//! JSON API calls for tests: a request with a bearer token, and a password sign-in.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use super::TestApp;

/// Sends `method uri` with `token` and an optional JSON body; returns the status and the
/// JSON answer (`null` when empty).
pub async fn call(
    app: &TestApp,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let response = app.send(request.body(body).expect("request")).await;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// `POST /api/v1/auth/login`, with a second-factor code when given.
pub async fn login(
    app: &TestApp,
    college: &str,
    email: &str,
    password: &str,
    code: Option<&str>,
) -> (StatusCode, Value) {
    let mut body = json!({"college": college, "email": email, "password": password});
    if let Some(code) = code {
        body["totp_code"] = json!(code);
    }
    let response = app
        .send(
            Request::post("/api/v1/auth/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
        .await;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}
