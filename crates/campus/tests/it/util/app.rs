//! The application wired to a test database, driven through its real router.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use campus::access::routes::Routes;
use campus::app::AppState;
use campus::config::{Config, Overrides};
use sqlx::PgPool;
use tower::ServiceExt;

use super::TestDb;

pub struct TestApp {
    pub db: TestDb,
    pub pool: PgPool,
    pub state: AppState,
    pub router: Router,
    /// Stops the principal cache's listener when the test ends.
    _stop_listening: tokio::sync::watch::Sender<bool>,
}

/// A test configuration: development mode, a throw-away data folder, plus `settings`
/// given as the environment variables an operator would set.
pub fn test_config(settings: &[(&str, &str)]) -> Config {
    let mut env: HashMap<String, String> = settings
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    env.entry("CAMPUS_SECRET_KEY".into())
        .or_insert_with(|| "test-3f9a81c2d4e5b6a7f8091a2b3c4d5e6f7".into());
    let overrides = Overrides {
        data_dir: Some(std::env::temp_dir().join("campus-test-data")),
        ..Overrides::default()
    };
    Config::load(&overrides, &|name| env.get(name).cloned()).expect("test config")
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with_settings(&[]).await
    }

    pub async fn with_settings(settings: &[(&str, &str)]) -> TestApp {
        TestApp::with_routes(settings, Routes::new()).await
    }

    /// The real application plus `extra` routes behind the same middleware.
    pub async fn with_routes(settings: &[(&str, &str)], extra: Routes) -> TestApp {
        // Failing tests show the server's warnings and errors.
        campus::telemetry::init_with(campus::config::LogFormat::Pretty, "warn");
        let db = TestDb::new().await;
        let pool = db.app_pool().await;
        let state = AppState::new(test_config(settings), pool.clone()).expect("state");
        let routes = campus::router::routes().merge(extra);
        let router = campus::router::with_middleware(routes, state.clone());
        // As in a server: sessions are cached, and changes heard from the database.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(campus::access::principal_cache::listen(
            state.principals.clone(),
            state.remembered.clone(),
            pool.clone(),
            stopped,
        ));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !state.principals.is_listening() {
            assert!(
                std::time::Instant::now() < deadline,
                "the cache's listener never started"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        TestApp {
            db,
            pool,
            state,
            router,
            _stop_listening: stop,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Response<Body> {
        // A test reads its own writes (made through the app or straight in SQL) at once;
        // a server hears of them milliseconds later.
        self.state
            .principals
            .barrier(&self.pool)
            .await
            .expect("principal cache barrier");
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("the router never fails")
    }

    pub async fn get(&self, uri: &str) -> Response<Body> {
        self.send(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }
}

pub async fn body_text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
        .await
        .expect("body");
    String::from_utf8(bytes.to_vec()).expect("utf-8 body")
}

pub async fn body_json(response: Response<Body>) -> serde_json::Value {
    let text = body_text(response).await;
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}
