//! Operations endpoints for load balancers and monitoring: liveness, readiness, metrics.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::routes::{Access, Routes};
use crate::app::AppState;
use crate::db::migrate;

pub fn routes() -> Routes {
    Routes::new()
        .get("/healthz", Access::Public, healthz)
        .get("/readyz", Access::Public, readyz)
        .get("/metrics", Access::Public, metrics)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the process answers.
    pub status: &'static str,
    pub version: &'static str,
}

/// Liveness: the process is up and answering.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is up", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `not_ready`.
    pub status: &'static str,
    /// `ok` or `unreachable`.
    pub database: &'static str,
    /// `current`, `pending` or `unknown`.
    pub migrations: &'static str,
    /// The newest migration this binary carries.
    pub expected_migration: i64,
}

/// Readiness: the database answers and has every migration this binary expects.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "Not ready: database unreachable or migrations pending", body = Readiness)))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    // Within a second, whatever the database is doing: a load balancer waits no longer.
    let checked = tokio::time::timeout(
        crate::db::health::PING_TIMEOUT,
        migrate::is_current(&state.db),
    )
    .await;
    let (database, migrations) = match checked {
        Ok(Ok(true)) => ("ok", "current"),
        Ok(Ok(false)) => ("ok", "pending"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            ("unreachable", "unknown")
        }
        Err(_) => {
            tracing::warn!("readiness check: the database did not answer within a second");
            ("unreachable", "unknown")
        }
    };
    // An answer brings serving back at once; only the watcher, on its own connection,
    // decides the database is away (a busy pool is not an absent database).
    if database == "ok" {
        state.db_health.set(true);
    }
    let ready = database == "ok" && migrations == "current";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Readiness {
            status: if ready { "ready" } else { "not_ready" },
            database,
            migrations,
            expected_migration: migrate::latest_version(),
        }),
    )
}

/// Prometheus metrics: HTTP requests and latency by route and status, database pool use.
/// With `metrics_token` set, only requests bearing it are answered.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain"),
        (status = 401, description = "A metrics token is set and the request does not bear it", body = crate::web::errors::ProblemDocument, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn metrics(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<impl IntoResponse, crate::error::AppError> {
    if let Some(token) = &state.config.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let expected = token.expose().as_bytes();
        if !bool::from(subtle::ConstantTimeEq::ct_eq(given.as_bytes(), expected)) {
            return Err(crate::error::AppError::Unauthorized);
        }
    }
    let pool = &state.db;
    metrics::gauge!("db_pool_connections").set(f64::from(pool.size()));
    metrics::gauge!("db_pool_idle_connections").set(pool.num_idle() as f64);
    metrics::gauge!("db_pool_max_connections").set(f64::from(pool.options().get_max_connections()));
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    ))
}
