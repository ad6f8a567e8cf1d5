//! Logging: structured JSON lines (or human-readable ones) on standard error, filtered by
//! `log_filter`. Each request's lines carry its request id through the request span.

use crate::config::{Config, LogFormat};

pub fn init(config: &Config) {
    init_with(config.log_format, &config.log_filter);
}

pub fn init_with(format: LogFormat, filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // Fails only if a subscriber is already set (tests set one per process).
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}
