//! Cross-site protection beyond the CSRF token: a form post from another origin is
//! refused even when it carries a valid token, and over https every cookie carries the
//! `__Host-` prefix.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use campus::access::permissions::Role;

use crate::util::fixtures::{self, PASSWORD};
use crate::util::{Browser, TestApp};

/// Posts the sign-in form with a valid token (and its cookie) and this `Origin`.
async fn sign_in_from(app: &TestApp, origin: Option<&str>, host: &str) -> StatusCode {
    let mut browser = Browser::new(app);
    let form = browser.get("/c/alpha/login").await;
    let csrf = form.csrf();
    let cookies = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let body = serde_urlencoded::to_string([
        ("college", "alpha"),
        ("email", "teacher@alpha.edu"),
        ("password", PASSWORD),
        ("_csrf", csrf.as_str()),
    ])
    .expect("form");
    let mut request = Request::post("/login")
        .header(header::HOST, host)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    app.send(request.body(Body::from(body)).expect("request"))
        .await
        .status()
}

#[tokio::test]
async fn a_sign_in_from_another_origin_is_refused_even_with_a_valid_token() {
    let app = TestApp::new().await;
    let alpha = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, alpha, "teacher@alpha.edu", &[Role::Teacher]).await;
    let host = "campus.test:8080";
    assert_eq!(
        sign_in_from(&app, Some("https://evil.example"), host).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        sign_in_from(&app, Some("null"), host).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        sign_in_from(&app, Some("http://campus.test:8081"), host).await,
        StatusCode::FORBIDDEN,
        "another port is another origin"
    );
    assert_eq!(
        sign_in_from(&app, Some("http://campus.test:8080"), host).await,
        StatusCode::SEE_OTHER,
        "the server's own origin"
    );
    assert_eq!(
        sign_in_from(&app, None, host).await,
        StatusCode::SEE_OTHER,
        "no Origin (an older browser): the token decides"
    );
}

#[tokio::test]
async fn over_https_every_cookie_has_the_host_prefix() {
    let app = TestApp::with_settings(&[("CAMPUS_PUBLIC_URL", "https://campus.example.edu")]).await;
    let alpha = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, alpha, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let mut browser = Browser::new(&app);
    let response = app.get("/c/alpha/login").await;
    let set: Vec<String> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("cookie").to_string())
        .collect();
    assert!(
        set.iter().any(|c| c.starts_with("__Host-campus_csrf=")),
        "{set:?}"
    );
    for cookie in &set {
        assert!(
            cookie.contains("Secure") && cookie.contains("Path=/"),
            "{cookie}"
        );
    }
    // The second-factor ticket and the session, through a real sign-in.
    let page = browser
        .sign_in_password_only("alpha", "admin@alpha.edu", PASSWORD)
        .await;
    assert!(
        page.location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login/mfa")),
        "{:?}",
        page.location
    );
    assert!(
        browser.cookies.contains_key("__Host-campus_mfa"),
        "{:?}",
        browser.cookies.keys()
    );
    browser.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;
    assert!(
        browser
            .cookies
            .keys()
            .all(|name| name.starts_with("__Host-")),
        "{:?}",
        browser.cookies.keys()
    );
    assert!(browser.cookies.contains_key("__Host-campus_session"));
    assert_eq!(browser.get("/dashboard").await.status, StatusCode::OK);
}
