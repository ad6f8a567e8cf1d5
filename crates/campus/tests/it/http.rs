//! The HTTP edge: health, readiness and metrics; the OpenAPI document and its page;
//! error rendering as problem details or pages; security headers; request ids; limits.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use campus::access::routes::{Access, Routes};
use campus::web::extract::ApiJson;

use crate::util::TestApp;
use crate::util::app::{body_json, body_text};

#[tokio::test]
async fn healthz_answers() {
    let app = TestApp::new().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_json(response).await["status"], "ok");
}

#[tokio::test]
async fn readyz_reports_the_database_and_pending_migrations() {
    let app = TestApp::new().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = body_json(response).await;
    assert_eq!(body["status"], "ready");
    assert_eq!(body["migrations"], "current");

    // Forget the newest migration: the binary now expects one the database lacks.
    let owner = app.db.owner_pool().await;
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)",
    )
    .execute(&owner)
    .await
    .expect("delete");
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = body_json(response).await;
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["migrations"], "pending");

    // A database that cannot be reached.
    app.pool.close().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body_json(response).await["database"], "unreachable");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_report_the_pool() {
    let app = TestApp::new().await;
    for _ in 0..3 {
        app.get("/healthz").await;
    }
    app.get("/no/such/page").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .expect("ct")
        .to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = body_text(response).await;
    let healthz = text
        .lines()
        .find(|l| {
            l.starts_with("http_requests_total{")
                && l.contains("route=\"/healthz\"")
                && l.contains("status=\"200\"")
        })
        .unwrap_or_else(|| panic!("no healthz counter in\n{text}"));
    let count: f64 = healthz
        .rsplit(' ')
        .next()
        .and_then(|v| v.parse().ok())
        .expect("value");
    assert!(count >= 3.0, "{healthz}");
    assert!(
        text.contains("route=\"unmatched\",status=\"404\""),
        "unmatched routes are not grouped"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket{"),
        "no latency histogram"
    );
    assert!(text.contains("db_pool_connections "), "no pool size");
    assert!(text.contains("db_pool_idle_connections "), "no idle count");
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = TestApp::new().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let doc = body_json(response).await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/api/v1/colleges",
        "/api/v1/colleges/{slug}",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["ProblemDocument"].is_object());

    let page = app.get("/api/docs").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = body_text(page).await;
    assert!(html.contains("GET /api/v1/colleges/{slug}"));
    assert!(html.contains("id=\"problem-validation\""));
    assert!(
        !html.contains("<script"),
        "the docs page must work without script"
    );
}

#[tokio::test]
async fn api_errors_are_problem_details_with_the_request_id() {
    let app = TestApp::new().await;
    let response = app
        .send(
            Request::get("/api/v1/colleges/nowhere")
                .header("x-request-id", "trace-123")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(response.headers()["x-request-id"], "trace-123");
    let problem = body_json(response).await;
    assert_eq!(problem["status"], 404);
    assert_eq!(problem["title"], "Not found");
    assert_eq!(problem["type"], "/api/docs#problem-not-found");
    assert_eq!(problem["instance"], "/api/v1/colleges/nowhere");
    assert_eq!(problem["request_id"], "trace-123");

    // An unknown API path and a wrong method answer the same way.
    let response = app.get("/api/v1/nothing-here").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(body_json(response).await["status"], 404);
    let response = app
        .send(
            Request::delete("/api/v1/colleges")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        response.headers().contains_key(header::ALLOW),
        "405 without Allow"
    );
    assert_eq!(body_json(response).await["status"], 405);
}

#[tokio::test]
async fn page_errors_are_friendly_pages_with_the_request_id() {
    let app = TestApp::new().await;
    let response = app
        .send(
            Request::get("/c/nowhere")
                .header("x-request-id", "page-req-9")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .expect("ct")
            .starts_with("text/html")
    );
    let html = body_text(response).await;
    assert!(html.contains("class=\"error-code\">404<"), "{html}");
    assert!(html.contains("page-req-9"), "no request id on the page");
    assert!(
        html.contains("/static/campus.css"),
        "error page lacks the layout"
    );
}

#[derive(serde::Deserialize)]
struct Probe {
    name: String,
}

async fn panics() -> &'static str {
    panic!("secret internal detail 42")
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(5)).await;
    "late"
}

async fn echo(ApiJson(probe): ApiJson<Probe>) -> String {
    probe.name
}

fn probe_routes() -> Routes {
    Routes::new()
        .post("/api/v1/test/echo", Access::Public, echo)
        .get("/api/v1/test/panic", Access::Public, panics)
        .get("/api/v1/test/slow", Access::Public, slow)
        .get("/test/panic", Access::Public, panics)
}

#[tokio::test]
async fn malformed_and_oversized_bodies_get_clear_problems() {
    let app = TestApp::with_routes(&[("CAMPUS_BODY_LIMIT_BYTES", "2048")], probe_routes()).await;
    let post_json = |body: Vec<u8>, content_type: &str| {
        Request::post("/api/v1/test/echo")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("request")
    };

    let ok = app
        .send(post_json(br#"{"name":"ada"}"#.to_vec(), "application/json"))
        .await;
    assert_eq!(ok.status(), StatusCode::OK);

    let response = app
        .send(post_json(b"{\"name\": ".to_vec(), "application/json"))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem = body_json(response).await;
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("not valid JSON"),
        "{problem}"
    );

    let response = app
        .send(post_json(br#"{"nom":"ada"}"#.to_vec(), "application/json"))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem = body_json(response).await;
    assert!(
        problem["detail"].as_str().expect("detail").contains("name"),
        "{problem}"
    );

    let response = app
        .send(post_json(br#"{"name":"ada"}"#.to_vec(), "text/plain"))
        .await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body_json(response).await["status"], 415);

    let big = format!(r#"{{"name":"{}"}}"#, "x".repeat(10_000));
    let response = app
        .send(post_json(big.into_bytes(), "application/json"))
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(body_json(response).await["status"], 413);
}

#[tokio::test]
async fn a_panic_is_a_plain_500_without_internals() {
    let app = TestApp::with_routes(&[], probe_routes()).await;
    let response = app.get("/api/v1/test/panic").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let text = body_text(response).await;
    assert!(!text.contains("secret internal detail"), "{text}");
    let problem: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(problem["status"], 500);

    let page = app.get("/test/panic").await;
    assert_eq!(page.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let html = body_text(page).await;
    assert!(html.contains("Something went wrong"));
    assert!(!html.contains("secret internal detail"));
}

#[tokio::test]
async fn slow_requests_time_out() {
    let app = TestApp::with_routes(&[("CAMPUS_REQUEST_TIMEOUT_SECS", "1")], probe_routes()).await;
    let started = std::time::Instant::now();
    let response = app.get("/api/v1/test/slow").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(body_json(response).await["status"], 503);
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = TestApp::new().await;
    for uri in [
        "/",
        "/api/v1/colleges",
        "/no-such-page",
        "/api/v1/nothing",
        "/static/campus.css",
        "/healthz",
    ] {
        let response = app.get(uri).await;
        let h = response.headers();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().expect("csp");
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{uri}: {csp}"
        );
        assert!(
            !csp.contains("unsafe-inline"),
            "{uri}: inline script allowed"
        );
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
        assert!(h.contains_key(header::REFERRER_POLICY), "{uri}");
        assert!(
            !h.contains_key(header::STRICT_TRANSPORT_SECURITY),
            "{uri}: HSTS over plain HTTP"
        );
        assert!(h.contains_key("x-request-id"), "{uri}");
    }
}

#[tokio::test]
async fn hsts_is_sent_when_served_over_tls() {
    let app = TestApp::with_settings(&[("CAMPUS_PUBLIC_URL", "https://campus.example.edu")]).await;
    let response = app.get("/healthz").await;
    assert!(
        response.headers()[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .expect("hsts")
            .contains("max-age=")
    );
}

#[tokio::test]
async fn request_ids_are_echoed_when_sane_and_made_otherwise() {
    let app = TestApp::new().await;
    let with = |id: &'static str| {
        Request::get("/healthz")
            .header("x-request-id", id)
            .body(Body::empty())
            .expect("request")
    };
    let response = app.send(with("abc-123")).await;
    assert_eq!(response.headers()["x-request-id"], "abc-123");
    let response = app.send(with("bad id with spaces")).await;
    let made = response.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_string();
    assert_ne!(made, "bad id with spaces");
    assert!(uuid::Uuid::parse_str(&made).is_ok(), "{made}");
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let app = TestApp::new().await;
    let response = app
        .send(
            Request::get("/static/campus.css")
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
}

#[tokio::test]
async fn static_assets_are_served_with_validators() {
    let app = TestApp::new().await;
    let response = app.get("/static/manifest.webmanifest").await;
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()[header::ETAG].clone();
    let manifest = body_json(response).await;
    assert_eq!(manifest["display"], "standalone");
    let again = app
        .send(
            Request::get("/static/manifest.webmanifest")
                .header(header::IF_NONE_MATCH, etag)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        app.get("/static/../Cargo.toml").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/static/nothing.css").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn shutdown_lets_requests_in_flight_finish() {
    let app = TestApp::with_routes(&[], probe_routes()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(campus::server::serve_until(
        listener,
        app.router.clone(),
        async {
            let _ = stopped.await;
        },
        Duration::from_secs(30),
    ));

    // A 5-second request is under way when the shutdown begins.
    let in_flight =
        tokio::spawn(async move { reqwest::get(format!("http://{addr}/api/v1/test/slow")).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.send(()).expect("signal");

    let response = in_flight
        .await
        .expect("task")
        .expect("the request in flight was cut off");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert_eq!(response.text().await.expect("body"), "late");
    server.await.expect("task").expect("server");
    assert!(
        reqwest::get(format!("http://{addr}/healthz"))
            .await
            .is_err(),
        "still accepting after shutdown"
    );
}

#[tokio::test]
async fn a_metrics_token_keeps_metrics_private() {
    let token = "metrics-token-0123456789abcdef";
    let app = TestApp::with_settings(&[("CAMPUS_METRICS_TOKEN", token)]).await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::UNAUTHORIZED);
    let wrong = Request::get("/metrics")
        .header(
            header::AUTHORIZATION,
            "Bearer metrics-token-0123456789abcdeX",
        )
        .body(Body::empty())
        .expect("request");
    assert_eq!(app.send(wrong).await.status(), StatusCode::UNAUTHORIZED);
    let right = Request::get("/metrics")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let response = app.send(right).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body_text(response).await.contains("http_requests_total"));
}

/// While the database is away, requests are answered at once with 503 and Retry-After
/// (a page for browsers, problem details for the API), and health still answers.
#[tokio::test]
async fn while_the_database_is_away_requests_get_503_at_once() {
    let app = TestApp::new().await;
    app.state.db_health.set(false);
    let started = std::time::Instant::now();
    let page = app.get("/login").await;
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.headers()[header::RETRY_AFTER], "5");
    let html = body_text(page).await;
    assert!(html.contains("Back in a moment"), "{html}");
    let api = app.get("/api/v1/colleges").await;
    assert_eq!(api.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.headers()[header::RETRY_AFTER], "5");
    assert_eq!(body_json(api).await["status"], 503);
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    assert!(started.elapsed() < Duration::from_secs(1));
    // Readiness asks the database itself, within a second, and brings serving back.
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    assert!(app.state.db_health.is_up());
    assert_ne!(
        app.get("/login").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
}

/// The route table and the OpenAPI document name the same API operations: every
/// `/api/v1` route is documented with its method, and every documented operation is a
/// route (so neither can drift from the other).
#[test]
fn the_route_table_and_the_openapi_document_agree() {
    let doc = campus::api::document();
    let documented: std::collections::BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("path item")
                .keys()
                .filter(|k| ["get", "post", "put", "patch", "delete"].contains(&k.as_str()))
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let routed: std::collections::BTreeSet<(String, String)> = campus::router::routes()
        .specs()
        .into_iter()
        .map(|s| (s.method.to_string(), s.path.to_string()))
        .collect();
    let api_routes: Vec<_> = routed
        .iter()
        .filter(|(_, path)| path.starts_with("/api/v1/"))
        .filter(|route| !documented.contains(*route))
        .collect();
    assert!(
        api_routes.is_empty(),
        "routes missing from the document: {api_routes:?}"
    );
    let phantom: Vec<_> = documented
        .iter()
        .filter(|operation| !routed.contains(*operation))
        .collect();
    assert!(phantom.is_empty(), "documented but not routed: {phantom:?}");
}
