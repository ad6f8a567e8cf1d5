//! API clients: tokens from a password sign-in, rotation with reuse detection, sign-out,
//! the caller's account, and limits on attempts.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use campus::access::permissions::Role;
use serde_json::{Value, json};

use crate::util::TestApp;
use crate::util::app::body_json;
use crate::util::fixtures::{self, PASSWORD};

async fn post(app: &TestApp, uri: &str, body: Value) -> (StatusCode, Value) {
    let response = app
        .send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
        .await;
    let status = response.status();
    let text = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&text).expect("json")
    };
    (status, value)
}

async fn me(app: &TestApp, access: &str) -> StatusCode {
    app.send(
        Request::get("/api/v1/users/me")
            .header(header::AUTHORIZATION, format!("Bearer {access}"))
            .body(Body::empty())
            .expect("request"),
    )
    .await
    .status()
}

async fn sign_in(app: &TestApp) -> Value {
    let (status, tokens) = post(
        app,
        "/api/v1/auth/login",
        json!({"college": "alpha", "email": "reg@alpha.edu", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
}

async fn app_with_user(settings: &[(&str, &str)]) -> TestApp {
    let app = TestApp::with_settings(settings).await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "reg@alpha.edu", &[Role::Registrar]).await;
    app
}

#[tokio::test]
async fn a_password_sign_in_gives_tokens_that_name_the_caller() {
    let app = app_with_user(&[]).await;
    let tokens = sign_in(&app).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let access = tokens["access_token"].as_str().expect("access");

    let response = app
        .send(
            Request::get("/api/v1/users/me")
                .header(header::AUTHORIZATION, format!("Bearer {access}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let me = body_json(response).await;
    assert_eq!(me["email"], "reg@alpha.edu");
    assert_eq!(me["college"]["slug"], "alpha");
    assert_eq!(me["roles"], json!(["registrar"]));
    let permissions = me["permissions"].as_array().expect("permissions");
    assert!(
        permissions
            .iter()
            .any(|p| p["permission"] == "students.manage" && p["scope"] == "college")
    );
    assert!(
        !permissions
            .iter()
            .any(|p| p["permission"] == "users.manage")
    );

    // No token, a session cookie, or garbage: 401 with a Bearer challenge.
    let anonymous = app.get("/api/v1/users/me").await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.headers()[header::WWW_AUTHENTICATE], "Bearer");
    assert_eq!(body_json(anonymous).await["status"], 401);
    assert_eq!(me_status(&app, "garbage").await, StatusCode::UNAUTHORIZED);
}

async fn me_status(app: &TestApp, token: &str) -> StatusCode {
    me(app, token).await
}

#[tokio::test]
async fn wrong_credentials_get_one_answer() {
    let app = app_with_user(&[]).await;
    for body in [
        json!({"college": "alpha", "email": "reg@alpha.edu", "password": "wrong wrong wrong"}),
        json!({"college": "alpha", "email": "ghost@alpha.edu", "password": PASSWORD}),
        json!({"college": "nowhere", "email": "reg@alpha.edu", "password": PASSWORD}),
    ] {
        let (status, problem) = post(&app, "/api/v1/auth/login", body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(problem["title"], "Sign-in required");
    }
    let (status, problem) = post(&app, "/api/v1/auth/login", json!({"college": "alpha"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
}

#[tokio::test]
async fn a_refresh_token_works_once_and_its_reuse_revokes_the_family() {
    let app = app_with_user(&[]).await;
    let first = sign_in(&app).await;
    let (status, second) = post(
        &app,
        "/api/v1/auth/refresh",
        json!({"refresh_token": first["refresh_token"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let access = second["access_token"].as_str().expect("access").to_string();
    assert_eq!(me(&app, &access).await, StatusCode::OK);

    // The first refresh token again: someone copied it. Everything of this sign-in ends.
    let (status, _) = post(
        &app,
        "/api/v1/auth/refresh",
        json!({"refresh_token": first["refresh_token"]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post(
        &app,
        "/api/v1/auth/refresh",
        json!({"refresh_token": second["refresh_token"]}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the family survived a reuse"
    );
    assert_eq!(
        me(&app, &access).await,
        StatusCode::UNAUTHORIZED,
        "access token outlived its family"
    );

    // Another sign-in is unaffected.
    let other = sign_in(&app).await;
    assert_eq!(
        me(&app, other["access_token"].as_str().expect("access")).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn signing_out_ends_the_tokens_at_once() {
    let app = app_with_user(&[]).await;
    let tokens = sign_in(&app).await;
    let access = tokens["access_token"].as_str().expect("access").to_string();
    let (status, _) = post(
        &app,
        "/api/v1/auth/logout",
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(me(&app, &access).await, StatusCode::UNAUTHORIZED);
    let (status, _) = post(
        &app,
        "/api/v1/auth/refresh",
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post(
        &app,
        "/api/v1/auth/logout",
        json!({"refresh_token": "nonsense"}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn too_many_attempts_from_one_address_are_refused() {
    let app = app_with_user(&[("CAMPUS_AUTH_ATTEMPTS_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        sign_in(&app).await;
    }
    let response = app
        .send(
            Request::post("/api/v1/auth/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"college": "alpha", "email": "reg@alpha.edu", "password": PASSWORD})
                        .to_string(),
                ))
                .expect("request"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    assert_eq!(body_json(response).await["status"], 429);
}
