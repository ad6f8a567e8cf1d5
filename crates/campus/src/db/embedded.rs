//! Campus's own PostgreSQL: the private cluster in the data folder, started on a Unix
//! socket, with the owner and runtime roles and the database made on first start.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use pgcluster::{Cluster, ClusterOptions, Durability};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection};

use super::{APP_ROLE, OWNER_ROLE};

/// The superuser `initdb` made; only used over the private socket, for set-up.
pub const SUPERUSER: &str = "postgres";
pub const PORT: u16 = 5432;

/// How a command may treat a cluster another Campus process already runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenBusy {
    /// Refuse: two servers must not share a cluster (`serve`, `demo`).
    Refuse,
    /// Use the running server without managing it (shell tools beside a server).
    Attach,
}

#[derive(Clone)]
pub struct EmbeddedCluster {
    socket_dir: PathBuf,
    /// The cluster this process manages (and stops); `None` when attached to one that
    /// another process manages.
    managed: Option<Arc<Cluster>>,
}

impl EmbeddedCluster {
    /// Opens the cluster folder `root`, runs `initdb` the first time, and starts the server.
    pub async fn start(
        root: PathBuf,
        durability: Durability,
        patience: Duration,
    ) -> anyhow::Result<EmbeddedCluster> {
        EmbeddedCluster::start_or_attach(root, durability, patience, WhenBusy::Refuse).await
    }

    pub async fn start_or_attach(
        root: PathBuf,
        durability: Durability,
        patience: Duration,
        when_busy: WhenBusy,
    ) -> anyhow::Result<EmbeddedCluster> {
        let options = ClusterOptions {
            durability,
            port: PORT,
            ..ClusterOptions::default()
        };
        let folder = root.clone();
        let opened = tokio::task::spawn_blocking(move || -> Result<Cluster, pgcluster::Error> {
            let cluster = Cluster::open(&folder, options)?;
            if cluster.account().is_switched() {
                tracing::info!(
                    account = cluster.account().name(),
                    "this process runs as root and PostgreSQL refuses to: the private server \
                     runs as the unprivileged account `{}`, which owns the cluster folder",
                    cluster.account().name()
                );
            }
            if cluster.ensure_initialized()? {
                tracing::info!(data_dir = %cluster.data_dir().display(), "created a new private PostgreSQL cluster");
            }
            cluster.start()?;
            Ok(cluster)
        })
        .await
        .context("the task starting PostgreSQL panicked")?;
        let cluster = match opened {
            Ok(cluster) => EmbeddedCluster {
                socket_dir: cluster.socket_dir().to_path_buf(),
                managed: Some(Arc::new(cluster)),
            },
            Err(pgcluster::Error::Busy { path }) if when_busy == WhenBusy::Attach => {
                tracing::info!(folder = %path.display(), "another Campus runs the private server; using it");
                EmbeddedCluster {
                    socket_dir: path.join("run"),
                    managed: None,
                }
            }
            Err(e) => return Err(e).context("starting Campus's private PostgreSQL server"),
        };
        cluster.wait_ready(patience).await?;
        Ok(cluster)
    }

    pub fn options(&self, role: &str, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(PORT)
            .username(role)
            .database(database)
    }

    /// The cluster this process manages, if it manages one.
    pub fn managed(&self) -> Option<&Cluster> {
        self.managed.as_deref()
    }

    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    pub async fn superuser(&self) -> anyhow::Result<PgConnection> {
        self.options(SUPERUSER, "postgres")
            .connect()
            .await
            .context("connecting to the private PostgreSQL server as its superuser")
    }

    /// Creates, when missing, the owner role, the runtime role (no superuser, no RLS
    /// bypass, owns nothing) and `database` owned by the owner.
    pub async fn bootstrap(&self, database: &str) -> anyhow::Result<()> {
        let mut conn = self.superuser().await?;
        ensure_roles(&mut conn).await?;
        let exists: bool = sqlx::query_scalar!(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS \"v!\"",
            database
        )
        .fetch_one(&mut conn)
        .await?;
        if !exists {
            create_database(&mut conn, database, None).await?;
        }
        conn.close().await?;
        Ok(())
    }

    /// Stops the server if this process manages it.
    pub async fn stop(self) {
        let Some(cluster) = self.managed else {
            return;
        };
        let stopped = tokio::task::spawn_blocking(move || cluster.stop()).await;
        match stopped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::error!(error = %e, "could not stop the private PostgreSQL server")
            }
            Err(e) => tracing::error!(error = %e, "the task stopping PostgreSQL panicked"),
        }
    }

    /// Watches the server this process manages and restarts it when it dies, with
    /// backoff (1 s, doubling to 30 s) while restarts fail, until `stop` turns true. A
    /// server that stopped because Campus is stopping is left alone.
    pub async fn supervise(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let Some(cluster) = self.managed.clone() else {
            return;
        };
        let mut backoff = Duration::from_secs(1);
        loop {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
            let running = {
                let cluster = cluster.clone();
                tokio::task::spawn_blocking(move || cluster.is_running())
                    .await
                    .unwrap_or(true)
            };
            if running {
                backoff = Duration::from_secs(1);
                continue;
            }
            tracing::error!(
                data_dir = %cluster.data_dir().display(),
                log = %cluster.log_file().display(),
                "the private PostgreSQL server is not running (crashed or killed); restarting it"
            );
            let started = {
                let cluster = cluster.clone();
                tokio::task::spawn_blocking(move || cluster.start()).await
            };
            match started {
                Ok(Ok(())) => {
                    tracing::info!("the private PostgreSQL server was restarted");
                    backoff = Duration::from_secs(1);
                }
                Ok(Err(e)) => {
                    tracing::error!(error = %e, retry_in_secs = backoff.as_secs(), "restarting the private PostgreSQL server failed");
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        _ = stop.changed() => return,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
                Err(e) => tracing::error!(error = %e, "the task restarting PostgreSQL panicked"),
            }
        }
    }

    async fn wait_ready(&self, patience: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            match self.superuser().await {
                Ok(conn) => {
                    conn.close().await.ok();
                    return Ok(());
                }
                Err(e) if tokio::time::Instant::now() < deadline => {
                    tracing::debug!(error = %e, "private server not accepting connections yet");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

pub async fn ensure_roles(conn: &mut PgConnection) -> anyhow::Result<()> {
    let statement = format!(
        "DO $$ BEGIN \
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN \
             CREATE ROLE {OWNER_ROLE} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB; \
           END IF; \
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN \
             CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOINHERIT; \
           END IF; \
         END $$"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
        .execute(&mut *conn)
        .await
        .context("creating the Campus database roles")?;
    Ok(())
}

/// Creates `database` owned by the owner role, optionally as a copy of `template`.
pub async fn create_database(
    conn: &mut PgConnection,
    database: &str,
    template: Option<&str>,
) -> anyhow::Result<()> {
    let plain = |name: &str| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    anyhow::ensure!(plain(database), "database names here are plain identifiers");
    let template = match template {
        Some(t) => {
            anyhow::ensure!(plain(t), "database names here are plain identifiers");
            format!(" TEMPLATE {t} STRATEGY FILE_COPY")
        }
        None => String::new(),
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {database} OWNER {OWNER_ROLE}{template}"
    )))
    .execute(&mut *conn)
    .await
    .with_context(|| format!("creating the database {database}"))?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "REVOKE ALL ON DATABASE {database} FROM PUBLIC; \
         GRANT CONNECT ON DATABASE {database} TO {APP_ROLE}"
    )))
    .execute(&mut *conn)
    .await?;
    Ok(())
}
