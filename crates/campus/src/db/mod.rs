//! The database: where it is (the private cluster or DATABASE_URL), the runtime pool,
//! migrations, and the tenant-scoped transaction every request runs in.

pub mod embedded;
pub mod health;
pub mod migrate;
pub mod remembered;
pub mod tenancy;

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};

use crate::config::{Config, Mode};

pub use embedded::{EmbeddedCluster, WhenBusy};
pub use tenancy::{CollegeId, begin_for_college, begin_for_college_generic};

/// The name of the runtime role: it neither owns tables nor bypasses row-level security.
pub const APP_ROLE: &str = "campus_app";
/// The role that owns the tables and runs migrations.
pub const OWNER_ROLE: &str = "campus_owner";
/// The database the private cluster keeps Campus in.
pub const DATABASE: &str = "campus";

/// Where Campus connects: the two roles' connection options, and the private cluster when
/// Campus runs its own.
pub struct Database {
    pub app: PgConnectOptions,
    pub owner: PgConnectOptions,
    pub cluster: Option<EmbeddedCluster>,
}

impl Database {
    /// Starts the private cluster (when no DATABASE_URL is set) and works out the roles'
    /// connection options. Nothing is migrated yet.
    pub async fn locate(config: &Config, when_busy: WhenBusy) -> anyhow::Result<Database> {
        match &config.database_url {
            Some(url) => {
                let app: PgConnectOptions = url
                    .expose()
                    .parse()
                    .context("DATABASE_URL is not a valid PostgreSQL URL")?;
                let owner = match &config.database_owner_url {
                    Some(url) => url
                        .expose()
                        .parse()
                        .context("DATABASE_OWNER_URL is not a valid PostgreSQL URL")?,
                    None => app.clone(),
                };
                Ok(Database {
                    app,
                    owner,
                    cluster: None,
                })
            }
            None => {
                let cluster = EmbeddedCluster::start_or_attach(
                    config.data_dir.clone(),
                    pgcluster::Durability::Durable,
                    config.database_connect_timeout,
                    when_busy,
                )
                .await?;
                cluster.bootstrap(DATABASE).await?;
                Ok(Database {
                    app: cluster.options(APP_ROLE, DATABASE),
                    owner: cluster.options(OWNER_ROLE, DATABASE),
                    cluster: Some(cluster),
                })
            }
        }
    }

    /// Stops the private cluster, if Campus runs one.
    pub async fn stop(self) {
        if let Some(cluster) = self.cluster {
            cluster.stop().await;
        }
    }
}

/// Opens the runtime pool, first waiting (with backoff, for up to `patience`) until the
/// server accepts a connection: at start-up it may still be booting or restarting.
pub async fn connect_pool(
    options: &PgConnectOptions,
    max_connections: u32,
    patience: Duration,
) -> anyhow::Result<PgPool> {
    let options = options
        .clone()
        .application_name("campus")
        .options([("statement_timeout", "30s"), ("lock_timeout", "10s")])
        .log_statements(tracing::log::LevelFilter::Trace);
    wait_for_server(&options, patience).await?;
    PgPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(1)
        // The health watcher answers for a database that is away; a request waits this
        // long for a connection only when the pool is busy.
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options.clone())
        .await
        .with_context(|| format!("could not connect to the database {}", describe(&options)))
}

async fn wait_for_server(options: &PgConnectOptions, patience: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + patience;
    let mut delay = Duration::from_millis(100);
    loop {
        let attempt = tokio::time::timeout(Duration::from_secs(5), options.connect()).await;
        let error = match attempt {
            Ok(Ok(conn)) => {
                conn.close().await.ok();
                return Ok(());
            }
            Ok(Err(e)) if is_transient(&e) => e,
            Ok(Err(e)) => {
                return Err(e).with_context(|| {
                    format!("could not connect to the database {}", describe(options))
                });
            }
            Err(_) => sqlx::Error::PoolTimedOut,
        };
        if Instant::now() + delay >= deadline {
            return Err(error).with_context(|| {
                format!(
                    "could not connect to the database {} (tried for {}s)",
                    describe(options),
                    patience.as_secs()
                )
            });
        }
        tracing::warn!(error = %error, retry_in_ms = delay.as_millis() as u64, target = %describe(options), "database unreachable; retrying");
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// Refusals that waiting can cure: the server is down, starting, or overloaded.
fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(db) => matches!(
            db.code().as_deref(),
            Some("57P03") | Some("53300") | Some("08006") | Some("08001")
        ),
        _ => false,
    }
}

/// Where a connection goes, without its password.
pub fn describe(options: &PgConnectOptions) -> String {
    format!(
        "{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("(default)")
    )
}

/// Refuses (in production) or warns about a runtime role that could sidestep tenancy.
pub async fn check_runtime_role(pool: &PgPool, mode: Mode) -> anyhow::Result<()> {
    let (superuser, bypass, owns): (bool, bool, bool) = sqlx::query!(
        "SELECT r.rolsuper AS \"rolsuper!\", r.rolbypassrls AS \"rolbypassrls!\", \
                EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = 'public' \
                        AND t.tableowner = current_user) AS \"owns_tables!\" \
         FROM pg_roles r WHERE r.rolname = current_user"
    )
    .fetch_one(pool)
    .await
    .map(|r| (r.rolsuper, r.rolbypassrls, r.owns_tables))
    .context("checking the runtime database role")?;
    if superuser || bypass || owns {
        let why = format!(
            "the runtime database role is a superuser ({superuser}), bypasses row-level security \
             ({bypass}) or owns tables ({owns}); connect DATABASE_URL as `{APP_ROLE}` and put the \
             owner in DATABASE_OWNER_URL so the database itself keeps colleges apart"
        );
        if mode == Mode::Production {
            bail!(why);
        }
        tracing::warn!("{why}");
    }
    Ok(())
}

/// Makes transactions that act for `id` under `purpose` take turns until they end (a
/// transaction-scoped advisory lock): a count and the insert after it then see every
/// earlier one, however many requests arrive at once.
pub async fn take_turns(
    conn: &mut sqlx::PgConnection,
    purpose: &str,
    id: uuid::Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT FROM pg_advisory_xact_lock(hashtextextended($1 || ':' || $2::uuid::text, 0))",
        purpose,
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}
