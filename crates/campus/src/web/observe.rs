//! Observability at the edge: a span per request carrying its id (so every log line of
//! the request names it), one log line per answered request, and Prometheus metrics:
//! request count and latency histogram by route and status.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing::Instrument;

use crate::web::client_ip::ClientIp;
use crate::web::request_id::RequestId;

const LATENCY: &str = "http_request_duration_seconds";
const REQUESTS: &str = "http_requests_total";
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process-wide metrics recorder (the `metrics` macros need one global recorder).
pub fn recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(LATENCY.into()), &BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // Fails only when another recorder is installed, then ours just stays unused.
            let _ = metrics::set_global_recorder(recorder);
            metrics::describe_counter!(REQUESTS, "HTTP requests answered, by route and status");
            metrics::describe_histogram!(
                LATENCY,
                metrics::Unit::Seconds,
                "HTTP request latency, by route and status"
            );
            handle
        })
        .clone()
}

/// Routes whose addresses carry a secret (a calendar feed's key, a verification code,
/// a payment reference): the log names the route, never the address.
const SECRET_ROUTES: [&str; 3] = ["/ical/{name}", "/c/{slug}/verify/{code}", "/pay/test/{id}"];

pub async fn middleware(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let path = if SECRET_ROUTES.contains(&route.as_str()) {
        route.clone()
    } else {
        request.uri().path().to_string()
    };
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let client = request
        .extensions()
        .get::<ClientIp>()
        .and_then(|c| c.0)
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    let span = tracing::info_span!("request", %request_id, %method, %route);

    let response = next.run(request).instrument(span.clone()).await;

    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    let labels = [
        ("method", method.to_string()),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!(REQUESTS, &labels).increment(1);
    metrics::histogram!(LATENCY, &labels).record(elapsed.as_secs_f64());
    span.in_scope(|| {
        tracing::info!(
            status,
            path,
            client,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "answered"
        );
    });
    response
}
