//! Verification queries: an issued document by its code, as recorded when issued, with
//! its revocation and supersession.

use sqlx::PgConnection;
use time::OffsetDateTime;

/// A document by its code: (contents, issued at, revoked at, revocation's reason,
/// superseded at).
#[allow(clippy::type_complexity)]
pub async fn by_code(
    conn: &mut PgConnection,
    code: &str,
) -> Result<
    Option<(
        serde_json::Value,
        OffsetDateTime,
        Option<OffsetDateTime>,
        Option<String>,
        Option<OffsetDateTime>,
    )>,
    sqlx::Error,
> {
    sqlx::query!(
        "SELECT contents, issued_at, revoked_at, revoked_reason, superseded_at FROM issued_documents WHERE code = $1",
        code
    )
    .fetch_optional(conn)
    .await
    .map(|o| o.map(|r| (r.contents, r.issued_at, r.revoked_at, r.revoked_reason, r.superseded_at)))
}
