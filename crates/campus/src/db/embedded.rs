//! Campus's own PostgreSQL: the private cluster in the data folder, started on a Unix
//! socket, with the owner and runtime roles and the database made on first start.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use pgcluster::{Cluster, ClusterOptions, Durability};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection};

use super::{APP_ROLE, OWNER_ROLE};

#[derive(Clone)]
pub struct EmbeddedCluster {
    cluster: Arc<Cluster>,
}

impl EmbeddedCluster {
    /// Opens the cluster folder `root`, runs `initdb` the first time, and starts the server.
    pub async fn start(
        root: PathBuf,
        durability: Durability,
        patience: Duration,
    ) -> anyhow::Result<EmbeddedCluster> {
        let options = ClusterOptions {
            durability,
            ..ClusterOptions::default()
        };
        let cluster = tokio::task::spawn_blocking(move || -> Result<Cluster, pgcluster::Error> {
            let cluster = Cluster::open(&root, options)?;
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
        .context("the task starting PostgreSQL panicked")?
        .context("starting Campus's private PostgreSQL server")?;
        let cluster = EmbeddedCluster {
            cluster: Arc::new(cluster),
        };
        cluster.wait_ready(patience).await?;
        Ok(cluster)
    }

    pub fn options(&self, role: &str, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(self.cluster.socket_dir())
            .port(self.cluster.port())
            .username(role)
            .database(database)
    }

    pub fn superuser_options(&self, database: &str) -> PgConnectOptions {
        self.options(self.cluster.superuser(), database)
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    pub async fn superuser(&self) -> anyhow::Result<PgConnection> {
        self.superuser_options("postgres")
            .connect()
            .await
            .context("connecting to the private PostgreSQL server as its superuser")
    }

    /// Creates, when missing, the owner role, the runtime role (no superuser, no RLS
    /// bypass, owns nothing) and `database` owned by the owner.
    pub async fn bootstrap(&self, database: &str) -> anyhow::Result<()> {
        let mut conn = self.superuser().await?;
        ensure_roles(&mut conn).await?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(database)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            create_database(&mut conn, database, None).await?;
        }
        conn.close().await?;
        Ok(())
    }

    pub async fn stop(self) {
        let cluster = self.cluster;
        let stopped = tokio::task::spawn_blocking(move || cluster.stop()).await;
        match stopped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "could not stop the private PostgreSQL server"),
            Err(e) => tracing::error!(error = %e, "the task stopping PostgreSQL panicked"),
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
    anyhow::ensure!(
        database.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "database names here are plain identifiers"
    );
    let template = match template {
        Some(t) => {
            anyhow::ensure!(t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
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
         GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {APP_ROLE}"
    )))
    .execute(&mut *conn)
    .await?;
    Ok(())
}
