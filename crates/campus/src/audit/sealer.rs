//! Seals the audit trail: chains each college's committed, unsealed entries in order
//! (sequence number, link to the previous hash, own hash; see migration 0032). Every
//! server and worker runs `run`; two sealers never work on the same college at once
//! (the second skips it), so any number may run.

use std::time::Duration;

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::db::{CollegeId, begin_for_college};

/// Entries sealed per statement (one transaction may run several).
const BATCH: i32 = 2_000;
/// How often the sealer looks for waiting entries.
pub const EVERY: Duration = Duration::from_secs(1);

/// Seals everything of the transaction's college committed before now; returns how many
/// entries it sealed (0 also when another sealer holds the college).
pub async fn seal(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    let mut total = 0u64;
    loop {
        let sealed: i32 = sqlx::query_scalar!("SELECT audit_seal($1) AS \"v!\"", BATCH)
            .fetch_one(&mut *conn)
            .await?;
        total += sealed as u64;
        if sealed < BATCH {
            return Ok(total);
        }
    }
}

/// Seals the waiting entries of every college; returns how many.
pub async fn seal_pending(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let colleges: Vec<Uuid> = sqlx::query_scalar!("SELECT audit_pending_colleges() AS \"v!\"")
        .fetch_all(pool)
        .await?;
    let mut total = 0;
    for college in colleges {
        let mut tx = begin_for_college(pool, CollegeId(college)).await?;
        total += seal(&mut tx).await?;
        tx.commit().await?;
    }
    Ok(total)
}

/// Seals every `EVERY` until `stop` turns true.
pub async fn run(pool: PgPool, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = seal_pending(&pool).await {
            tracing::warn!(error = %e, "sealing the audit trail failed; will retry");
        }
        tokio::select! {
            () = tokio::time::sleep(EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}
