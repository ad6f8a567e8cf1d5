//! What pages read on every request and rarely changes, remembered by each server between
//! requests: the sign-in page's directory of colleges and a college's sign-on label, each
//! college's order of students for its list. Entries are typed by their users; this store
//! only keys, forgets and guards them.
//!
//! Staying correct is the database's job. Triggers announce changes on the `campus_auth`
//! channel the principal cache already hears (migration 0051: 'd:' when any college
//! changes, 'o:<college>' when a college's sign-on provider does; 'c:<college>' also
//! drops the directory), and the listener forgets what they name. While the listener is
//! not connected nothing is served from here, and a fill that began before a forgetting
//! is dropped (the epoch), as in the principal cache. An entry may also be checked by
//! its user against a version the database keeps (the students list does, in the same
//! statement as the page): such an entry is never served stale, whenever the
//! notification arrives.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use uuid::Uuid;

use crate::db::CollegeId;

/// The directory of colleges (the sign-in page's list).
pub const DIRECTORY: &str = "directory";
/// A college's single sign-on label.
pub const SIGN_ON: &str = "sign-on";
/// A college's order of students.
pub const STUDENTS: &str = "students";

/// Entries kept at most; a full store forgets everything and starts again.
const CAPACITY: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub topic: &'static str,
    pub college: Option<CollegeId>,
    /// What within the topic (a sort order, say); empty when there is one.
    pub name: &'static str,
}

impl Key {
    pub fn new(topic: &'static str, college: Option<CollegeId>, name: &'static str) -> Key {
        Key {
            topic,
            college,
            name,
        }
    }
}

/// Read before going to the database; hand back to `remember`.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

#[derive(Default)]
pub struct Remembered {
    entries: Mutex<HashMap<Key, Arc<dyn Any + Send + Sync>>>,
    epoch: AtomicU64,
    listening: AtomicBool,
}

impl Remembered {
    /// The entry under `key`, when there is one of that type and changes are heard.
    pub fn get<T: Any + Send + Sync>(&self, key: &Key) -> Option<Arc<T>> {
        if !self.listening.load(Ordering::Acquire) {
            return None;
        }
        let found = self.lock().get(key).cloned()?;
        found.downcast::<T>().ok()
    }

    pub fn ticket(&self) -> Ticket {
        Ticket(self.epoch.load(Ordering::Acquire))
    }

    /// Keeps `value` under `key`, unless something was forgotten since `ticket` was taken
    /// or changes are not heard.
    pub fn remember<T: Any + Send + Sync>(&self, ticket: Ticket, key: Key, value: Arc<T>) {
        let mut entries = self.lock();
        if !self.listening.load(Ordering::Acquire) || self.epoch.load(Ordering::Acquire) != ticket.0
        {
            return;
        }
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, value);
    }

    /// Keeps `value` under `key` whatever was forgotten meanwhile: for entries their user
    /// checks against a version the database keeps before every use, which a late
    /// notification cannot make stale.
    pub fn keep<T: Any + Send + Sync>(&self, key: Key, value: Arc<T>) {
        let mut entries = self.lock();
        if !self.listening.load(Ordering::Acquire) {
            return;
        }
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, value);
    }

    /// Forgets one entry (its user found it stale).
    pub fn forget(&self, key: &Key) {
        self.forget_where(|k| k == key);
    }

    fn forget_where(&self, drop: impl Fn(&Key) -> bool) {
        let mut entries = self.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        entries.retain(|k, _| !drop(k));
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Arc<dyn Any + Send + Sync>>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Applies a `campus_auth` notification.
    pub fn apply(&self, payload: &str) {
        let (kind, id) = payload.split_once(':').unwrap_or((payload, ""));
        match (kind, Uuid::parse_str(id)) {
            ("d", _) | ("c", _) => self.forget_where(|k| k.topic == DIRECTORY),
            ("o", Ok(college)) => {
                let college = Some(CollegeId(college));
                self.forget_where(|k| k.topic == SIGN_ON && k.college == college);
            }
            // One user's sign-in changes, and the principal cache's barrier.
            ("u", _) | ("b", _) => {}
            _ => self.forget_where(|_| true),
        }
    }

    /// Whether changes are heard; starting or stopping forgets everything (a change
    /// committed while nothing was heard was never announced here).
    pub fn set_listening(&self, listening: bool) {
        if listening {
            self.forget_where(|_| true);
            self.listening.store(true, Ordering::Release);
        } else {
            self.listening.store(false, Ordering::Release);
            self.forget_where(|_| true);
        }
    }

    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_forget_what_they_name_and_raced_fills_are_dropped() {
        let store = Remembered::default();
        let (a, b) = (CollegeId(Uuid::new_v4()), CollegeId(Uuid::new_v4()));
        let directory = Key::new(DIRECTORY, None, "");
        let (sign_on_a, sign_on_b) = (
            Key::new(SIGN_ON, Some(a), ""),
            Key::new(SIGN_ON, Some(b), ""),
        );
        store.remember(store.ticket(), directory.clone(), Arc::new(1u8));
        assert!(
            store.get::<u8>(&directory).is_none(),
            "nothing is kept unheard"
        );
        store.set_listening(true);
        for key in [&directory, &sign_on_a, &sign_on_b] {
            store.remember(store.ticket(), key.clone(), Arc::new(1u8));
        }
        assert_eq!(store.get::<u8>(&directory).as_deref(), Some(&1));
        assert!(
            store.get::<u16>(&directory).is_none(),
            "another type is not this entry"
        );
        store.apply(&format!("u:{}", Uuid::new_v4()));
        assert!(store.get::<u8>(&directory).is_some());
        let ticket = store.ticket();
        store.apply("d:");
        assert!(store.get::<u8>(&directory).is_none());
        store.remember(ticket, directory.clone(), Arc::new(2u8));
        assert!(
            store.get::<u8>(&directory).is_none(),
            "a fill begun before the change"
        );
        store.apply(&format!("o:{a}"));
        assert!(store.get::<u8>(&sign_on_a).is_none());
        assert!(store.get::<u8>(&sign_on_b).is_some());
        store.set_listening(false);
        store.set_listening(true);
        assert!(store.get::<u8>(&sign_on_b).is_none());
    }
}
