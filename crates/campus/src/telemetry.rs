//! Logging: structured JSON lines (or human-readable ones) on standard error, filtered by
//! `log_filter`. Each request's lines carry its request id through the request span.
//! A second layer counts the statements sqlx runs (`campus_db_queries_total` in
//! /metrics), whatever the log filter, so queries per request can be measured.

use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{Config, LogFormat};

pub fn init(config: &Config) {
    init_with(config.log_format, &config.log_filter);
}

/// Counts sqlx's statement events.
struct QueryCounter;

impl<S: tracing::Subscriber> Layer<S> for QueryCounter {
    fn on_event(
        &self,
        _event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        metrics::counter!("campus_db_queries_total").increment(1);
    }
}

pub fn init_with(format: LogFormat, filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let queries =
        QueryCounter.with_filter(Targets::new().with_target("sqlx::query", tracing::Level::TRACE));
    let registry = tracing_subscriber::registry().with(queries);
    // Fails only if a subscriber is already set (tests set one per process).
    let _ = match format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false)
                    .flatten_event(true)
                    .with_writer(std::io::stderr)
                    .with_filter(filter),
            )
            .try_init(),
        LogFormat::Pretty => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_filter(filter),
            )
            .try_init(),
    };
}
