//! Migrations, embedded in the binary and applied by the owner role. sqlx holds a
//! PostgreSQL advisory lock while it migrates, so instances starting together take turns.

use anyhow::Context;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, PgPool};

pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// Applies every pending migration as the owner role.
pub async fn run(owner: &PgConnectOptions) -> anyhow::Result<()> {
    let mut conn = owner
        .clone()
        .application_name("campus-migrate")
        .connect()
        .await
        .with_context(|| format!("connecting as the owner role {}", super::describe(owner)))?;
    MIGRATOR
        .run(&mut conn)
        .await
        .context("applying database migrations")?;
    Ok(())
}

/// The newest migration this binary knows.
pub fn latest_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Whether the database has every migration this binary knows, all applied successfully.
pub async fn is_current(pool: &PgPool) -> Result<bool, sqlx::Error> {
    let applied: Vec<(i64, bool)> = sqlx::query!("SELECT version, success FROM _sqlx_migrations")
        .fetch_all(pool)
        .await
        .map(|v| {
            v.into_iter()
                .map(|r| (r.version, r.success))
                .collect::<Vec<_>>()
        })?;
    Ok(MIGRATOR.iter().all(|migration| {
        applied
            .iter()
            .any(|(version, success)| *version == migration.version && *success)
    }))
}
