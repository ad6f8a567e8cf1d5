//! JSON API calls for tests: a request with a bearer token, and a password sign-in (with
//! or without a second-factor code) that returns a bearer token.

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

/// Signs `email` of the college `college` in with `password` through the API and returns
/// the access token, asserting the sign-in worked. No second-factor code is sent: for
/// an account with a second factor use [`token_with_code`].
pub async fn token(app: &TestApp, college: &str, email: &str, password: &str) -> String {
    let (status, body) = login(app, college, email, password, None).await;
    assert_eq!(status, StatusCode::OK, "{email}: {body}");
    body["access_token"].as_str().expect("token").to_string()
}

/// As [`token`], sending a current code for `secret` as the second factor (the code is
/// ignored for accounts without one). Each call takes an unused time step for `email`
/// ([`super::fixtures::next_code`]), which allows only two sign-ins of one account per
/// 30 seconds; so accounts without a second factor use [`token`].
pub async fn token_with_code(
    app: &TestApp,
    college: &str,
    email: &str,
    password: &str,
    secret: &[u8],
) -> String {
    let code = super::fixtures::next_code(email, secret);
    let (status, body) = login(app, college, email, password, Some(&code)).await;
    assert_eq!(status, StatusCode::OK, "{email}: {body}");
    body["access_token"].as_str().expect("token").to_string()
}

/// A `multipart/form-data` body of text fields and files (`field`, `file name`, bytes);
/// returns its content type and bytes.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "campus-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Sends a multipart form with `token`; returns the status and the JSON answer.
pub async fn call_multipart(
    app: &TestApp,
    method: &str,
    uri: &str,
    token: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> (StatusCode, Value) {
    let (content_type, body) = multipart(fields, files);
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("request");
    let response = app.send(request).await;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The fields a problem document's `errors` name, in order.
pub fn field_errors(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The `id` of a created object's JSON answer.
pub fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_string()
}

/// GETs `uri` with `token`: the status, content type, raw bytes and content disposition.
pub async fn download(
    app: &TestApp,
    uri: &str,
    token: &str,
) -> (StatusCode, String, Vec<u8>, String) {
    fetch(app, "GET", uri, token).await
}

/// Issues a document (`POST`, as documents are made only by POST): as `download`.
pub async fn issue(app: &TestApp, uri: &str, token: &str) -> (StatusCode, String, Vec<u8>, String) {
    fetch(app, "POST", uri, token).await
}

async fn fetch(
    app: &TestApp,
    method: &str,
    uri: &str,
    token: &str,
) -> (StatusCode, String, Vec<u8>, String) {
    let response = app
        .send(
            Request::builder()
                .method(method)
                .uri(uri)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    let status = response.status();
    let header_text = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().expect("ascii").to_string())
            .unwrap_or_default()
    };
    let kind = header_text(header::CONTENT_TYPE);
    let disposition = header_text(header::CONTENT_DISPOSITION);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    (status, kind, bytes, disposition)
}
