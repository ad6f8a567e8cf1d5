//! The application's state: everything a handler may reach, built once at start-up.
//! It names no domain; the server (`server`) and the route table (`router`) sit above.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use sqlx::PgPool;

use crate::config::Config;
use crate::web::throttle::Throttle;

/// Everything a handler may reach, shared by all requests.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: PgPool,
    pub metrics: PrometheusHandle,
    pub throttle: Arc<Throttle>,
    pub files: crate::files::Storage,
    pub live: crate::live::Hub,
    /// Signed-in users resolved from their sessions and tokens (see principal_cache).
    pub principals: Arc<crate::access::principal_cache::PrincipalCache>,
    /// What pages read on every request and rarely changes (see db::remembered).
    pub remembered: Arc<crate::db::remembered::Remembered>,
    /// Whether the database answers (see db::health).
    pub db_health: Arc<crate::db::health::DbHealth>,
}

impl AppState {
    pub fn new(config: Config, db: PgPool) -> anyhow::Result<AppState> {
        crate::crypto::install_tls_provider();
        let files = crate::files::Storage::local(&config.data_dir.join("files"))?;
        Ok(AppState {
            files,
            live: crate::live::Hub::default(),
            principals: Arc::default(),
            remembered: Arc::default(),
            db_health: Arc::default(),
            throttle: Arc::new(Throttle::new(config.auth_attempts_per_minute)),
            config: Arc::new(config),
            db,
            metrics: crate::web::observe::recorder(),
        })
    }
}
