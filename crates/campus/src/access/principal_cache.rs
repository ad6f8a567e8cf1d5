//! Who a session cookie or an access token belongs to, remembered between requests so a
//! page does not pay for resolving the session, the account and its roles every time.
//!
//! Staying correct is the database's job: triggers on sessions, refresh tokens, accounts,
//! role assignments, custom roles and colleges announce every change that could alter a
//! cached principal on the `campus_auth` channel (`u:<user>` or `c:<college>`), and every
//! server listens and forgets what changed. The lag is the notification's delivery time
//! (milliseconds on one host); this server's own sign-outs forget at once. While the
//! listener is not connected, nothing is served from the cache. An entry also lives at
//! most `REVALIDATE_EVERY`: then the request goes to the database again, which also
//! records the session as seen.
//!
//! A request that read the database before a change but fills the cache after the
//! change's notification would keep stale rights; the epoch counter closes that window
//! (any notification between the read and the fill drops the fill).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::db::CollegeId;

/// The notification channel the triggers of migration 0031 write to.
pub const CHANNEL: &str = "campus_auth";
/// How long an entry is trusted before the database is asked again.
pub const REVALIDATE_EVERY: Duration = Duration::from_secs(60);
/// Sessions and tokens remembered at most; a full cache simply stops remembering more.
const CAPACITY: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// A browser session, by the SHA-256 of its token.
    Session([u8; 32]),
    /// An access token's refresh-token family and user.
    Family(Uuid, Uuid),
}

struct Entry {
    principal: Arc<Principal>,
    valid_until: Instant,
}

#[derive(Default)]
struct Entries {
    by_key: HashMap<Key, Entry>,
    by_user: HashMap<Uuid, Vec<Key>>,
}

impl Entries {
    fn remove_user(&mut self, user: Uuid) {
        for key in self.by_user.remove(&user).unwrap_or_default() {
            self.by_key.remove(&key);
        }
    }

    fn remove_where(&mut self, drop: impl Fn(&Entry) -> bool) {
        self.by_key.retain(|_, entry| !drop(entry));
        let by_key = &self.by_key;
        self.by_user.retain(|_, keys| {
            keys.retain(|key| by_key.contains_key(key));
            !keys.is_empty()
        });
    }
}

/// The cache, shared by every request of a server.
#[derive(Default)]
pub struct PrincipalCache {
    entries: Mutex<Entries>,
    /// Bumped by every forgetting; a fill that saw another epoch is dropped.
    epoch: AtomicU64,
    /// True while the listener is connected and listening.
    listening: AtomicBool,
    /// The last barrier the listener has seen (see `barrier`).
    barrier_seen: tokio::sync::watch::Sender<u64>,
    barrier_next: AtomicU64,
}

/// Read before going to the database; hand back to `remember`.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

impl PrincipalCache {
    /// The principal remembered under `key`, when the cache may be trusted now.
    pub fn get(&self, key: &Key) -> Option<Arc<Principal>> {
        if !self.listening.load(Ordering::Acquire) {
            return None;
        }
        let entries = self.entries.lock().expect("principal cache lock");
        let entry = entries.by_key.get(key)?;
        (entry.valid_until > Instant::now()).then(|| entry.principal.clone())
    }

    pub fn ticket(&self) -> Ticket {
        Ticket(self.epoch.load(Ordering::Acquire))
    }

    /// Remembers `principal` under `key` until `REVALIDATE_EVERY` from now or `ends_at`
    /// (the session's or token's own end), whichever is sooner; unless something was
    /// forgotten since `ticket` was taken.
    pub fn remember(
        &self,
        ticket: Ticket,
        key: Key,
        principal: Principal,
        ends_at: OffsetDateTime,
    ) {
        if !self.listening.load(Ordering::Acquire) {
            return;
        }
        let left = (ends_at - OffsetDateTime::now_utc()).clamp(
            time::Duration::ZERO,
            time::Duration::try_from(REVALIDATE_EVERY).unwrap_or(time::Duration::ZERO),
        );
        let Ok(left) = Duration::try_from(left) else {
            return;
        };
        if left.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut entries = self.entries.lock().expect("principal cache lock");
        if self.epoch.load(Ordering::Acquire) != ticket.0 {
            return;
        }
        if entries.by_key.len() >= CAPACITY && !entries.by_key.contains_key(&key) {
            entries.remove_where(|entry| entry.valid_until <= now);
            if entries.by_key.len() >= CAPACITY {
                return;
            }
        }
        let user = principal.user_id;
        entries.by_key.insert(
            key,
            Entry {
                principal: Arc::new(principal),
                valid_until: now + left,
            },
        );
        let keys = entries.by_user.entry(user).or_default();
        if !keys.contains(&key) {
            keys.push(key);
        }
    }

    /// Forgets every session and token of `user`.
    pub fn forget_user(&self, user: Uuid) {
        let mut entries = self.entries.lock().expect("principal cache lock");
        self.epoch.fetch_add(1, Ordering::AcqRel);
        entries.remove_user(user);
    }

    /// Forgets everyone of `college`.
    pub fn forget_college(&self, college: CollegeId) {
        let mut entries = self.entries.lock().expect("principal cache lock");
        self.epoch.fetch_add(1, Ordering::AcqRel);
        entries.remove_where(|entry| entry.principal.college == college);
    }

    pub fn forget_all(&self) {
        let mut entries = self.entries.lock().expect("principal cache lock");
        self.epoch.fetch_add(1, Ordering::AcqRel);
        *entries = Entries::default();
    }

    pub fn len(&self) -> usize {
        self.entries
            .lock()
            .expect("principal cache lock")
            .by_key
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True while changes are being heard (and the cache is in use).
    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    fn set_listening(&self, listening: bool) {
        if !listening {
            self.listening.store(false, Ordering::Release);
            self.forget_all();
        } else {
            // Whatever was read while nothing was heard may be stale (a change committed
            // in the gap was never announced to us): start from nothing, and drop fills
            // that began before this point.
            self.forget_all();
            self.listening.store(true, Ordering::Release);
        }
    }

    /// Applies one notification's payload.
    fn apply(&self, payload: &str) {
        let (kind, id) = payload.split_once(':').unwrap_or((payload, ""));
        match (kind, Uuid::parse_str(id)) {
            ("u", Ok(user)) => self.forget_user(user),
            ("c", Ok(college)) => self.forget_college(CollegeId(college)),
            // The directory and sign-on labels (`db::remembered`, on the same channel).
            ("d", _) | ("o", _) => {}
            ("b", _) => {
                if let Ok(n) = id.parse::<u64>() {
                    self.barrier_seen.send_modify(|seen| *seen = (*seen).max(n));
                }
            }
            // Unknown news: forgetting everything is always safe.
            _ => self.forget_all(),
        }
    }

    /// Returns once every change committed before the call has been applied here:
    /// notifications arrive in commit order, so seeing our own marker means seeing all
    /// before it. Tests use it to read their own writes; without a listener it returns
    /// at once (nothing is cached then).
    pub async fn barrier(&self, pool: &PgPool) -> Result<(), sqlx::Error> {
        if !self.listening.load(Ordering::Acquire) {
            return Ok(());
        }
        let n = self.barrier_next.fetch_add(1, Ordering::AcqRel) + 1;
        let mut seen = self.barrier_seen.subscribe();
        sqlx::query!("SELECT pg_notify($1, $2)", CHANNEL, format!("b:{n}"))
            .execute(pool)
            .await?;
        let reached = tokio::time::timeout(Duration::from_secs(5), seen.wait_for(|s| *s >= n));
        if !matches!(reached.await, Ok(Ok(_))) {
            // The listener is behind or gone: stop trusting the cache rather than wait.
            tracing::warn!("the principal cache's listener did not answer; forgetting all");
            self.forget_all();
        }
        Ok(())
    }
}

/// Listens for changes until `stop` turns true, reconnecting with backoff when the
/// connection drops (the caches are off and empty meanwhile). What else is remembered hears the
/// same channel (`db::remembered`).
pub async fn listen(
    cache: Arc<PrincipalCache>,
    remembered: Arc<crate::db::remembered::Remembered>,
    pool: PgPool,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut delay = Duration::from_millis(100);
    loop {
        let connected = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        let mut listener = tokio::select! {
            result = connected => match result {
                Ok(listener) => listener,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot LISTEN for sign-in changes; sessions are not cached");
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        _ = stop.changed() => return,
                    }
                    delay = (delay * 2).min(Duration::from_secs(10));
                    continue;
                }
            },
            _ = stop.changed() => return,
        };
        delay = Duration::from_millis(100);
        cache.set_listening(true);
        remembered.set_listening(true);
        loop {
            tokio::select! {
                message = listener.try_recv() => match message {
                    Ok(Some(notification)) => {
                        cache.apply(notification.payload());
                        remembered.apply(notification.payload());
                    }
                    // The connection dropped: changes may have been missed.
                    Ok(None) | Err(_) => {
                        tracing::warn!("lost the LISTEN connection for sign-in changes; reconnecting");
                        cache.set_listening(false);
                        remembered.set_listening(false);
                        break;
                    }
                },
                _ = stop.changed() => {
                    cache.set_listening(false);
                    remembered.set_listening(false);
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::principal::Principal;

    fn principal(user: Uuid, college: Uuid) -> Principal {
        Principal {
            user_id: user,
            college: CollegeId(college),
            college_slug: "c".into(),
            college_name: "C".into(),
            timezone: "UTC".into(),
            email: "a@b.edu".into(),
            display_name: "A".into(),
            roles: vec![],
            grants: vec![],
            session_id: None,
            mfa_enrollment_required: false,
        }
    }

    fn later() -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::hours(1)
    }

    #[test]
    fn nothing_is_served_without_a_listener() {
        let cache = PrincipalCache::default();
        let key = Key::Session([1; 32]);
        cache.remember(
            cache.ticket(),
            key,
            principal(Uuid::new_v4(), Uuid::new_v4()),
            later(),
        );
        assert!(cache.get(&key).is_none());
    }

    #[test]
    fn forgetting_a_user_or_college_drops_their_entries_only() {
        let cache = PrincipalCache::default();
        cache.set_listening(true);
        let (ann, bob, college, other) = (
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
        );
        let (a1, a2, b, c) = (
            Key::Session([1; 32]),
            Key::Family(Uuid::new_v4(), ann),
            Key::Session([2; 32]),
            Key::Session([3; 32]),
        );
        cache.remember(cache.ticket(), a1, principal(ann, college), later());
        cache.remember(cache.ticket(), a2, principal(ann, college), later());
        cache.remember(cache.ticket(), b, principal(bob, college), later());
        cache.remember(cache.ticket(), c, principal(Uuid::new_v4(), other), later());
        cache.apply(&format!("u:{ann}"));
        assert!(cache.get(&a1).is_none() && cache.get(&a2).is_none());
        assert!(cache.get(&b).is_some());
        cache.apply(&format!("c:{college}"));
        assert!(cache.get(&b).is_none());
        assert!(cache.get(&c).is_some());
        cache.apply("nonsense");
        assert!(cache.is_empty());
    }

    #[test]
    fn a_fill_that_raced_a_change_is_dropped() {
        let cache = PrincipalCache::default();
        cache.set_listening(true);
        let user = Uuid::new_v4();
        let ticket = cache.ticket();
        // A change lands between the database read and the fill.
        cache.apply(&format!("u:{}", Uuid::new_v4()));
        cache.remember(
            ticket,
            Key::Session([9; 32]),
            principal(user, Uuid::new_v4()),
            later(),
        );
        assert!(cache.is_empty());
    }

    #[test]
    fn entries_never_outlive_their_session() {
        let cache = PrincipalCache::default();
        cache.set_listening(true);
        let key = Key::Session([4; 32]);
        let ended = OffsetDateTime::now_utc() - time::Duration::seconds(1);
        cache.remember(
            cache.ticket(),
            key,
            principal(Uuid::new_v4(), Uuid::new_v4()),
            ended,
        );
        assert!(cache.get(&key).is_none());
    }

    #[test]
    fn losing_the_listener_empties_the_cache() {
        let cache = PrincipalCache::default();
        cache.set_listening(true);
        let key = Key::Session([5; 32]);
        cache.remember(
            cache.ticket(),
            key,
            principal(Uuid::new_v4(), Uuid::new_v4()),
            later(),
        );
        assert!(cache.get(&key).is_some());
        cache.set_listening(false);
        cache.set_listening(true);
        assert!(cache.get(&key).is_none());
    }

    #[test]
    fn a_fill_begun_before_the_listener_came_back_is_dropped() {
        let cache = PrincipalCache::default();
        cache.set_listening(true);
        let key = Key::Session([6; 32]);
        // A request reads the database while the listener is reconnecting...
        cache.set_listening(false);
        let ticket = cache.ticket();
        // ...the listener comes back...
        cache.set_listening(true);
        // ...and what the request read in the gap is not kept.
        cache.remember(
            ticket,
            key,
            principal(Uuid::new_v4(), Uuid::new_v4()),
            later(),
        );
        assert!(cache.get(&key).is_none());
        // A fill that begins now is kept.
        cache.remember(
            cache.ticket(),
            key,
            principal(Uuid::new_v4(), Uuid::new_v4()),
            later(),
        );
        assert!(cache.get(&key).is_some());
    }
}
