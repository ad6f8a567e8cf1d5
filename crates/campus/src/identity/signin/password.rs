//! Passwords: Argon2id with parameters stated here and nowhere else, and a strength check
//! in the spirit of NIST SP 800-63B: a minimum length, no composition rules, and refusal
//! of common or guessable passwords (zxcvbn, which also knows the user's own details).

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{AppError, FieldError};

/// OWASP's first recommended Argon2id setting: 19 MiB, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A PHC string (`$argon2id$v=19$m=...`) for `password` with a fresh salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Whether `password` matches `phc`. A malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    hasher().verify_password(password.as_bytes(), phc).is_ok()
}

/// Argon2 costs 19 MiB and tens of milliseconds of a core by design, and anyone can make
/// the server hash (a sign-in needs no account). So hashing runs on at most this many
/// blocking threads at once per core, and at most `MAX_WAITING` requests queue for them;
/// beyond that the answer is "busy, try again" instead of a pile of memory and latency.
const SLOTS_PER_CORE: usize = 2;
const MAX_WAITING: usize = 64;
/// How long a queued request waits for a slot before being told the server is busy.
const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

struct Slots {
    permits: tokio::sync::Semaphore,
    waiting: std::sync::atomic::AtomicUsize,
}

fn slots() -> &'static Slots {
    static SLOTS: std::sync::OnceLock<Slots> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Slots {
            permits: tokio::sync::Semaphore::new(cores * SLOTS_PER_CORE),
            waiting: std::sync::atomic::AtomicUsize::new(0),
        }
    })
}

fn busy() -> AppError {
    AppError::Unavailable(
        "Too many sign-ins are being checked at once. Try again in a few seconds.".into(),
    )
}

/// Runs `work` (hashing or verifying) on a blocking thread once a slot is free.
async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    use std::sync::atomic::Ordering;
    let slots = slots();
    if slots.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
        slots.waiting.fetch_sub(1, Ordering::SeqCst);
        return Err(busy());
    }
    let permit = tokio::time::timeout(MAX_WAIT, slots.permits.acquire()).await;
    slots.waiting.fetch_sub(1, Ordering::SeqCst);
    let _permit = match permit {
        Ok(Ok(permit)) => permit,
        _ => return Err(busy()),
    };
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

/// `verify` on a bounded blocking thread.
pub async fn verify_bounded(password: &str, phc: &str) -> Result<bool, AppError> {
    let (password, phc) = (password.to_string(), phc.to_string());
    bounded(move || verify(&password, &phc)).await
}

/// `hash` on a bounded blocking thread.
pub async fn hash_bounded(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    bounded(move || hash(&password))
        .await?
        .map_err(AppError::Internal)
}

/// Whether a stored hash was made with other parameters than today's, so a successful
/// sign-in should store a new one.
pub fn needs_rehash(phc: &str) -> bool {
    let expected = format!("$m={MEMORY_KIB},t={PASSES},p={LANES}$");
    !(phc.starts_with("$argon2id$v=19") && phc.contains(&expected))
}

/// A hash that matches nothing, verified when the account does not exist so that a
/// sign-in takes as long either way and does not reveal which accounts exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password that is never used").unwrap_or_default())
}

/// Checks a new password; `context` holds the user's own words (email, name, college)
/// that must not carry it.
pub fn check_strength(field: &str, password: &str, context: &[&str]) -> Result<(), FieldError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(FieldError::new(
            field,
            format!(
                "must be at least {MIN_LENGTH} characters; a few unrelated words make a good one"
            ),
        ));
    }
    if length > MAX_LENGTH {
        return Err(FieldError::new(
            field,
            format!("must be at most {MAX_LENGTH} characters"),
        ));
    }
    // zxcvbn matches whole inputs, so give it each word of an email or a name too.
    let words: Vec<String> = context
        .iter()
        .flat_map(|text| {
            std::iter::once(text.to_lowercase()).chain(
                text.split(|c: char| !c.is_alphanumeric())
                    .filter(|w| w.len() >= 3)
                    .map(str::to_lowercase),
            )
        })
        .collect();
    let lower = password.to_lowercase();
    if words
        .iter()
        .any(|w| w.chars().count() >= 4 && lower.contains(w.as_str()))
    {
        return Err(FieldError::new(
            field,
            "must not contain your name, your email or the college's name",
        ));
    }
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(password, &words);
    if (estimate.score() as u8) < 3 {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning().map(|w| w.to_string()))
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| "it is too easy to guess".into());
        return Err(FieldError::new(
            field,
            format!("is too easy to guess ({hint}); try a longer phrase of unrelated words"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_report_their_parameters() {
        let phc = hash("correct horse battery staple").expect("hash");
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse battery staple", &phc));
        assert!(!verify("correct horse battery stapler", &phc));
        assert!(!verify("anything", "not a hash"));
        assert!(!needs_rehash(&phc));
        let weaker = phc.replace(&format!("m={MEMORY_KIB}"), "m=4096");
        assert!(needs_rehash(&weaker));
    }

    #[test]
    fn weak_passwords_are_refused_without_composition_rules() {
        for weak in [
            "short",
            "password123",
            "qwertyuiop",
            "aaaaaaaaaaaa",
            "ada.lovelace2024",
        ] {
            assert!(
                check_strength(
                    "password",
                    weak,
                    &["ada.lovelace@example.edu", "Ada Lovelace"]
                )
                .is_err(),
                "{weak}"
            );
        }
        // Long passphrases pass without digits, capitals or symbols.
        assert!(check_strength("password", "lantern orchard velvet thunder", &[]).is_ok());
    }
}
