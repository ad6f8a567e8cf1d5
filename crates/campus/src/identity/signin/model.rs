//! What signing in speaks of: the outcome of a password check, of re-checking one's own
//! password, the browser starting a session, a live session and a row of the sessions
//! list, and the account a principal is loaded from.

use std::net::IpAddr;

use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::CollegeId;
use crate::error::AppError;

/// Failed attempts allowed before the account locks; each further failure doubles the
/// lock, up to an hour.
pub const FREE_ATTEMPTS: i32 = 5;
pub const MAX_LOCK_MINUTES: i32 = 60;

/// A successful check: the transaction stays open so the caller's session or tokens and
/// the audit entry commit together with the reset counters.
pub struct SignedIn {
    pub tx: Transaction<'static, Postgres>,
    pub college: CollegeId,
    pub user_id: Uuid,
}

#[derive(Debug)]
pub enum SignInError {
    /// Wrong college, email or password, or a locked or inactive account: callers show
    /// one message for all.
    Refused,
    Internal(AppError),
}

impl<E: Into<AppError>> From<E> for SignInError {
    fn from(error: E) -> SignInError {
        SignInError::Internal(error.into())
    }
}

/// The outcome of re-checking a signed-in user's own password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recheck {
    Right,
    Wrong,
    /// Too many wrong passwords or codes: nothing is checked until the lock ends, as at
    /// sign-in, so a stolen session is no way around the lock.
    Locked,
}

impl Recheck {
    /// What to tell the user when the check did not pass.
    pub fn problem(self, field: &str) -> Option<crate::error::FieldError> {
        match self {
            Recheck::Right => None,
            Recheck::Wrong => Some(crate::error::FieldError::new(
                field,
                "is not your current password",
            )),
            Recheck::Locked => Some(crate::error::FieldError::new(
                field,
                "cannot be checked now: the account is locked after too many wrong attempts; \
                 try again later",
            )),
        }
    }
}

/// How the browser starting a session is seen: its address and its User-Agent, kept
/// with the session so its owner can recognise it in their list of sessions.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub client: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl Visitor {
    pub fn of(
        client: &crate::web::client_ip::ClientIp,
        headers: &axum::http::HeaderMap,
    ) -> Visitor {
        Visitor {
            client: client.0,
            user_agent: headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        }
    }
}

/// A live session found by its token.
pub struct Live {
    pub id: Uuid,
    pub user_id: Uuid,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// One row of the "your sessions" page.
#[derive(Debug)]
pub struct SessionRow {
    pub id: Uuid,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// An active user of an active college, as a principal is loaded from it.
#[derive(sqlx::FromRow)]
pub struct AccountRow {
    pub college_id: CollegeId,
    pub college_slug: String,
    pub college_name: String,
    pub college_timezone: String,
    pub email: String,
    pub display_name: String,
    pub has_mfa: bool,
    pub staff_mfa: bool,
    pub platform: bool,
    pub guidance_admins: bool,
}
