//! What the setup overview counts.

use sqlx::PgConnection;

/// Records of each register in use (retired ones left out).
pub struct Counts {
    pub campuses: i64,
    pub buildings: i64,
    pub rooms: i64,
    pub departments: i64,
    pub programs: i64,
    pub years: i64,
    pub terms: i64,
    pub entries: i64,
    pub periods: i64,
}

pub async fn counts(conn: &mut PgConnection) -> Result<Counts, sqlx::Error> {
    sqlx::query_as!(
        Counts,
        r#"SELECT (SELECT count(*) FROM campuses WHERE retired_at IS NULL) AS "campuses!",
                  (SELECT count(*) FROM buildings WHERE retired_at IS NULL) AS "buildings!",
                  (SELECT count(*) FROM rooms WHERE retired_at IS NULL) AS "rooms!",
                  (SELECT count(*) FROM departments WHERE retired_at IS NULL) AS "departments!",
                  (SELECT count(*) FROM programs WHERE retired_at IS NULL) AS "programs!",
                  (SELECT count(*) FROM academic_years) AS "years!",
                  (SELECT count(*) FROM terms) AS "terms!",
                  (SELECT count(*) FROM calendar_entries) AS "entries!",
                  (SELECT count(*) FROM bell_periods) AS "periods!""#
    )
    .fetch_one(conn)
    .await
}
