//! What the dashboard shows of the audit trail: its latest entries.

use sqlx::PgConnection;
use time::OffsetDateTime;

pub struct RecentEntry {
    pub at: OffsetDateTime,
    pub action: String,
    pub actor: Option<String>,
    pub object_type: Option<String>,
}

/// The eight latest entries, newest first.
pub async fn latest(conn: &mut PgConnection) -> Result<Vec<RecentEntry>, sqlx::Error> {
    sqlx::query_as!(
        RecentEntry,
        r#"SELECT a.at, a.action, u.email::text AS actor, a.object_type AS "object_type?" FROM audit_log a
         LEFT JOIN users u ON u.college_id = a.college_id AND u.id = a.actor_user_id
         ORDER BY a.id DESC LIMIT 8"#
    )
    .fetch_all(conn)
    .await
}
