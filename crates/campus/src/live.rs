//! Live updates: a change publishes a topic (`session:<id>`) with `NOTIFY campus_live`
//! inside its transaction, so the notice goes out only if the change commits. Each
//! instance runs one listener that fans notices out to the pages following them as
//! server-sent events; a page then reloads what changed through the same authorization as
//! any request. A lost connection loses notices, so pages resync when they reconnect.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use sqlx::{PgConnection, PgPool};
use tokio::sync::broadcast;
use uuid::Uuid;

const CHANNEL: &str = "campus_live";

/// A change of a topic in a college.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Notice {
    pub college: Uuid,
    pub topic: String,
}

/// Publishes a notice with the caller's transaction.
pub async fn publish(conn: &mut PgConnection, topic: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("SELECT pg_notify($1, json_build_object('college', app_current_college(), 'topic', $2::text)::text)", CHANNEL, topic)
    .execute(conn)
    .await?;
    Ok(())
}

/// One instance's fan-out of notices; the listener starts with the first follower.
#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<Notice>,
    started: Arc<OnceLock<()>>,
}

impl Default for Hub {
    fn default() -> Hub {
        Hub {
            sender: broadcast::channel(1024).0,
            started: Arc::new(OnceLock::new()),
        }
    }
}

impl Hub {
    /// Follows every notice of this instance (callers filter by college and topic).
    pub fn follow(&self, pool: &PgPool) -> broadcast::Receiver<Notice> {
        let receiver = self.sender.subscribe();
        if self.started.set(()).is_ok() {
            tokio::spawn(listen(pool.clone(), self.sender.clone()));
        }
        receiver
    }
}

/// Listens for notices for as long as the process runs, reconnecting after failures.
async fn listen(pool: PgPool, sender: broadcast::Sender<Notice>) {
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => {
                if let Err(e) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %e, "cannot LISTEN for live updates");
                } else {
                    loop {
                        match listener.recv().await {
                            Ok(n) => {
                                if let Ok(notice) = serde_json::from_str::<Notice>(n.payload()) {
                                    // No follower at the moment is fine.
                                    let _ = sender.send(notice);
                                }
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "live updates listener lost its connection");
                                break;
                            }
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot connect for live updates"),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// How often an open stream checks that its follower may still follow it.
pub const RECHECK_EVERY: Duration = Duration::from_secs(60);

/// Whether a stream's follower may still follow it (signed in, and still allowed to see
/// what the stream is about); asked every `RECHECK_EVERY`.
pub type Recheck = Box<
    dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>> + Send + Sync,
>;

/// A server-sent event stream that says `changed` whenever `topic` of `college` is
/// published, for at most 15 minutes (the page's script then reconnects). The caller
/// authorizes the follower first and hands over `recheck`, which the stream asks at
/// least once a minute: a signed-out, deactivated or no longer entitled follower's
/// stream ends then. The page refetches itself through the usual checks, so the event
/// carries nothing.
pub fn changes(
    state: &crate::app::AppState,
    college: crate::db::CollegeId,
    topic: String,
    recheck: Recheck,
) -> axum::response::Response {
    changes_every(state, college, topic, recheck, RECHECK_EVERY)
}

/// `changes`, re-checking every `every` (tests use a short one).
pub fn changes_every(
    state: &crate::app::AppState,
    college: crate::db::CollegeId,
    topic: String,
    recheck: Recheck,
    every: Duration,
) -> axum::response::Response {
    let changed: MakeEvent = Box::new(|| {
        Box::pin(async {
            Some(
                axum::response::sse::Event::default()
                    .event("changed")
                    .data("{}"),
            )
        })
    });
    events(state, college, topic, recheck, every, changed)
}

/// Builds the event sent when a topic changes (`None` ends the stream).
pub type MakeEvent = Box<
    dyn Fn() -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Option<axum::response::sse::Event>> + Send>,
        > + Send
        + Sync,
>;

/// A server-sent event stream sending `make()`'s event whenever `topic` of `college` is
/// published, for at most 15 minutes, asking `recheck` every `every`.
pub fn events(
    state: &crate::app::AppState,
    college: crate::db::CollegeId,
    topic: String,
    recheck: Recheck,
    every: Duration,
    make: MakeEvent,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use axum::response::sse::{KeepAlive, Sse};
    use tokio::sync::broadcast::error::RecvError;

    let make = std::sync::Arc::new(make);
    let receiver = state.live.follow(&state.db);
    let until = tokio::time::Instant::now() + Duration::from_secs(15 * 60);
    let recheck = std::sync::Arc::new(recheck);
    let next_check = tokio::time::Instant::now() + every;
    let stream = futures_util::stream::unfold(
        (receiver, next_check),
        move |(mut receiver, mut next_check)| {
            let topic = topic.clone();
            let recheck = recheck.clone();
            let make = make.clone();
            async move {
                loop {
                    let wake = next_check.min(until);
                    let next = match tokio::time::timeout_at(wake, receiver.recv()).await {
                        Ok(next) => next,
                        Err(_) if wake >= until => return None,
                        Err(_) => {
                            if !recheck().await {
                                return None;
                            }
                            next_check = tokio::time::Instant::now() + every;
                            continue;
                        }
                    };
                    let due = match next {
                        Ok(notice) => notice.college == college.0 && notice.topic == topic,
                        // Notices were dropped: one of them may have been ours.
                        Err(RecvError::Lagged(_)) => true,
                        Err(RecvError::Closed) => return None,
                    };
                    if due {
                        let event = make().await?;
                        return Some((
                            Ok::<_, std::convert::Infallible>(event),
                            (receiver, next_check),
                        ));
                    }
                }
            }
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
