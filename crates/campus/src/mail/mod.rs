//! Outgoing mail. Code that sends mail queues it with `queue` in the transaction of the
//! change that causes it; `sender` delivers the outbox through SMTP or, in development and
//! tests, into a folder of .eml files.

pub mod sender;

use sqlx::PgConnection;

/// Queues a plain-text mail to `to` in the transaction's college.
pub async fn queue(
    conn: &mut PgConnection,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO mail_outbox (college_id, to_address, subject, body_text) \
         VALUES (app_current_college(), $1::text, $2, $3)",
        to,
        subject,
        body,
    )
    .execute(conn)
    .await?;
    Ok(())
}
