//! Delivers the mail outbox. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several
//! senders (one per instance) never send a mail twice; a failure is retried with
//! exponential backoff. The sender wakes on `LISTEN mail_outbox` and also polls.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use uuid::Uuid;

use crate::config::{Config, MailTransport};
use crate::db::begin_for_college;

const BATCH: i64 = 50;
const POLL: Duration = Duration::from_secs(30);

pub enum Transport {
    /// Each mail becomes `DIR/<id>.eml`.
    Folder(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

pub struct Sender {
    transport: Transport,
    from: Mailbox,
}

impl Sender {
    pub fn from_config(config: &Config) -> anyhow::Result<Sender> {
        let from: Mailbox = config
            .mail_from
            .parse()
            .context("mail_from is not a mail address")?;
        let transport = match &config.mail_transport {
            MailTransport::Folder(dir) => Transport::Folder(dir.clone()),
            MailTransport::Smtp(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .context("smtp_url is not a valid SMTP URL")?
                    .build(),
            ),
        };
        Ok(Sender { transport, from })
    }

    async fn send(&self, id: Uuid, to: &str, subject: &str, body: &str) -> anyhow::Result<()> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.parse().context("the recipient is not a mail address")?)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())?;
        match &self.transport {
            Transport::Folder(dir) => {
                let folder = dir.clone();
                tokio::task::spawn_blocking(move || crate::files::private_folder(&folder))
                    .await??;
                let path = dir.join(format!("{id}.eml"));
                let partial = dir.join(format!("{id}.eml.partial"));
                tokio::fs::write(&partial, message.formatted()).await?;
                tokio::fs::rename(&partial, &path).await?;
            }
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
        }
        Ok(())
    }

    /// Sends every due mail of every college once; returns how many were sent.
    pub async fn deliver_due(&self, pool: &PgPool) -> anyhow::Result<usize> {
        let mut sent = 0;
        for college in crate::db::tenancy::active_colleges(pool).await? {
            let mut tx = begin_for_college(pool, college).await?;
            let due = sqlx::query!(
                r#"SELECT id, to_address::text AS "to!", subject, body_text FROM mail_outbox
                   WHERE sent_at IS NULL AND next_attempt_at <= now()
                   ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED"#,
                BATCH,
            )
            .fetch_all(&mut *tx)
            .await?;
            for mail in due {
                let (id, to, subject, body) = (mail.id, mail.to, mail.subject, mail.body_text);
                match self.send(id, &to, &subject, &body).await {
                    Ok(()) => {
                        // The body goes once delivered: it may hold a live sign-in link.
                        sqlx::query!(
                            "UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1, body_text = '' WHERE id = $1",
                            id,
                        )
                        .execute(&mut *tx)
                        .await?;
                        sent += 1;
                    }
                    Err(e) => {
                        tracing::warn!(mail = %id, error = format!("{e:#}"), "mail not sent; will retry");
                        sqlx::query!(
                            "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2, \
                                next_attempt_at = now() + make_interval(mins => least(power(2, attempts)::int, 360)) \
                             WHERE id = $1",
                            id,
                            format!("{e:#}"),
                        )
                        .execute(&mut *tx)
                        .await?;
                    }
                }
            }
            tx.commit().await?;
        }
        Ok(sent)
    }

    /// Delivers mail until `stop` turns true.
    pub async fn run(self, pool: PgPool, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen("mail_outbox").await {
                Ok(()) => Some(listener),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot LISTEN for mail; polling only");
                    None
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot LISTEN for mail; polling only");
                None
            }
        };
        loop {
            if let Err(e) = self.deliver_due(&pool).await {
                tracing::error!(error = format!("{e:#}"), "delivering mail failed");
            }
            let woken = async {
                match listener.as_mut() {
                    Some(l) => {
                        let _ = tokio::time::timeout(POLL, l.recv()).await;
                    }
                    None => tokio::time::sleep(POLL).await,
                }
            };
            tokio::select! {
                () = woken => {}
                _ = stop.changed() => return,
            }
        }
    }
}
