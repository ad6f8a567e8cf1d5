//! The tenant-scoped transaction. Row-level security shows and accepts only rows of the
//! college named by `app.college_id`, set here at the start of each transaction and gone
//! at its end, so a pooled connection never carries one request's college into another.

use std::fmt;

use serde::{Deserialize, Serialize};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct CollegeId(pub Uuid);

impl fmt::Display for CollegeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Every active college: the tenants that background work (the mail sender, document
/// jobs) goes through one by one.
pub async fn active_colleges(pool: &PgPool) -> Result<Vec<CollegeId>, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT id AS "id!: CollegeId" FROM public_colleges()"#)
        .fetch_all(pool)
        .await
}

/// Begins a transaction acting for `college`. Every tenant query goes through one.
pub async fn begin_for_college(
    pool: &PgPool,
    college: CollegeId,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    // One round trip, not two: the id is a UUID's own text (hex digits and dashes), so
    // it can sit in the statement itself.
    pool.begin_with(sqlx::AssertSqlSafe(format!(
        "BEGIN; SELECT set_config('app.college_id', '{}', true)",
        college.0.hyphenated()
    )))
    .await
}

/// As `begin_for_college`, for handlers whose statements are fixed-shape, selective
/// lookups by key (a dashboard, marking a session): planning each statement afresh for
/// its values cost more than running it (measured: 0.1–5 ms of planning against 0.02–0.5
/// ms of execution), so the transaction uses the generic plan kept per statement.
/// Searches and bulk work keep `begin_for_college`: their best plan depends on values.
pub async fn begin_for_college_generic(
    pool: &PgPool,
    college: CollegeId,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    pool.begin_with(sqlx::AssertSqlSafe(format!(
        "BEGIN; SELECT set_config('app.college_id', '{}', true); \
         SET LOCAL plan_cache_mode = force_generic_plan",
        college.0.hyphenated()
    )))
    .await
}
