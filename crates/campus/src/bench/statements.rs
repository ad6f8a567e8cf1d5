//! Where a scenario's database time goes: with `--statements`, the benchmark's cluster
//! loads pg_stat_statements (planning tracked too), every scenario starts from cleared
//! figures, and its costliest statements are printed under it with their calls per
//! request and their mean planning and execution times. Off by default: it costs a
//! little on every statement, and the folder's cluster is set back without it.

use sqlx::{Connection, PgConnection};
use tokio::sync::Mutex;

use crate::db::embedded::{EmbeddedCluster, SUPERUSER};

/// The campus database's superuser connection while statements are tracked.
static TRACKER: Mutex<Option<PgConnection>> = Mutex::const_new(None);

/// Sets the cluster to load pg_stat_statements at its next start, or not to.
pub async fn configure(cluster: &EmbeddedCluster, on: bool) -> anyhow::Result<()> {
    use sqlx::Executor;
    let mut conn = cluster.superuser().await?;
    if on {
        conn.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
            .await?;
    } else {
        conn.execute("ALTER SYSTEM RESET shared_preload_libraries")
            .await?;
        // Known only while the library is loaded (it is when an earlier run tracked).
        let _ = conn
            .execute("ALTER SYSTEM RESET pg_stat_statements.track_planning")
            .await;
    }
    conn.close().await?;
    Ok(())
}

/// Starts tracking (after the cluster restarted with the library loaded).
pub async fn start(cluster: &EmbeddedCluster) -> anyhow::Result<()> {
    use sqlx::Executor;
    let mut conn: PgConnection =
        sqlx::ConnectOptions::connect(&cluster.options(SUPERUSER, crate::db::DATABASE)).await?;
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .await?;
    conn.execute("ALTER SYSTEM SET pg_stat_statements.track_planning = on")
        .await?;
    conn.execute("SELECT pg_reload_conf()").await?;
    *TRACKER.lock().await = Some(conn);
    Ok(())
}

/// Clears the figures before a scenario.
pub async fn reset() {
    use sqlx::Executor;
    if let Some(conn) = TRACKER.lock().await.as_mut() {
        let _ = conn.execute("SELECT pg_stat_statements_reset()").await;
    }
}

/// The scenario's costliest statements of the runtime role, one line each.
pub async fn costliest(requests: usize) -> Vec<String> {
    let mut guard = TRACKER.lock().await;
    let Some(conn) = guard.as_mut() else {
        return Vec::new();
    };
    let rows: Vec<(i64, f64, f64, i64, String)> = sqlx::query_as(
        "SELECT s.calls, s.total_plan_time, s.total_exec_time, s.rows, \
                regexp_replace(s.query, '\\s+', ' ', 'g') \
         FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid \
         WHERE r.rolname = 'campus_app' \
         ORDER BY s.total_plan_time + s.total_exec_time DESC LIMIT 8",
    )
    .fetch_all(conn)
    .await
    .unwrap_or_default();
    let requests = requests.max(1) as f64;
    rows.into_iter()
        .map(|(calls, plan, exec, rows, query)| {
            let calls_f = calls.max(1) as f64;
            format!(
                "{:>5.2}/req plan {:>6.3} ms exec {:>6.3} ms rows {:>7.1}  {}",
                calls as f64 / requests,
                plan / calls_f,
                exec / calls_f,
                rows as f64 / calls_f,
                query.chars().take(150).collect::<String>()
            )
        })
        .collect()
}
