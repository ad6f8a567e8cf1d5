//! Whether the database answers, known without asking it on every request. A watcher
//! pings it every second (twice a second while it is away); while it is away, requests
//! are answered at once with 503 and Retry-After instead of each waiting for a pool
//! connection that will not come, and `/readyz` says so within a second.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::{ConnectOptions, PgConnection, PgPool};

/// How long one ping may take before the database counts as away.
pub const PING_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct DbHealth {
    up: AtomicBool,
}

impl Default for DbHealth {
    fn default() -> DbHealth {
        DbHealth {
            up: AtomicBool::new(true),
        }
    }
}

impl DbHealth {
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    /// Records what a ping (or a request) found; logs the changes.
    pub fn set(&self, up: bool) {
        let was = self.up.swap(up, Ordering::AcqRel);
        match (was, up) {
            (true, false) => {
                tracing::error!("the database stopped answering: requests get 503 until it is back")
            }
            (false, true) => tracing::info!("the database answers again; serving"),
            _ => {}
        }
    }
}

/// One ping on the watcher's own connection (made when missing): a trivial statement
/// within `PING_TIMEOUT`. Its own connection, not the pool's, so that a pool busy with
/// requests is never taken for a database that is away.
async fn ping(pool: &PgPool, own: &mut Option<PgConnection>) -> bool {
    if own.is_none() {
        let options = pool.connect_options().as_ref().clone();
        if let Ok(Ok(conn)) = tokio::time::timeout(PING_TIMEOUT, options.connect()).await {
            *own = Some(conn);
        }
    }
    let Some(conn) = own.as_mut() else {
        return false;
    };
    let answered = matches!(
        tokio::time::timeout(PING_TIMEOUT, sqlx::query!("SELECT").execute(&mut *conn)).await,
        Ok(Ok(_))
    );
    if !answered {
        *own = None;
    }
    answered
}

/// Pings until `stop` turns true.
pub async fn watch(
    pool: PgPool,
    health: Arc<DbHealth>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut own = None;
    loop {
        let up = ping(&pool, &mut own).await;
        health.set(up);
        let pause = if up {
            Duration::from_secs(1)
        } else {
            Duration::from_millis(500)
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            _ = stop.changed() => return,
        }
    }
}
