//! Ticket types: a ticket as entered and as listed, its comments, the list's filters,
//! the changes a handler makes, the categories and statuses, and how far a principal's
//! handling of tickets reaches.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::Principal;

pub const CATEGORIES: [&str; 7] = [
    "it",
    "maintenance",
    "hostel",
    "academic",
    "finance",
    "library",
    "other",
];

pub const STATUSES: [&str; 4] = ["open", "in_progress", "resolved", "closed"];

/// The live topic a ticket's page follows.
pub fn topic(ticket: Uuid) -> String {
    format!("ticket:{ticket}")
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TicketInput {
    /// it, maintenance, hostel, academic, finance, library or other.
    pub category: String,
    pub title: String,
    pub body: String,
    /// Where, for maintenance (a room, a block).
    #[serde(default)]
    pub location: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Ticket {
    pub id: Uuid,
    pub number: i32,
    pub requester_id: Uuid,
    pub requester: String,
    pub category: String,
    pub title: String,
    pub body: String,
    pub location: String,
    pub status: String,
    pub assignee: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Comment {
    pub author: Option<String>,
    pub body: String,
    /// A change of status or assignee, written by Campus.
    pub is_event: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// open, in_progress, resolved or closed.
    #[serde(default)]
    #[param(pattern = "^(open|in_progress|resolved|closed)$")]
    pub status: String,
    /// it, maintenance, hostel, academic, finance, library or other.
    #[serde(default)]
    #[param(pattern = "^(it|maintenance|hostel|academic|finance|library|other)$")]
    pub category: String,
    /// Only tickets assigned to the caller.
    #[serde(default)]
    pub mine: bool,
}

/// The columns the queue sorts by, the first its default (`web::list`; latest change first
/// when no sort is asked).
pub const TICKET_SORTS: [&str; 7] = [
    "updated",
    "number",
    "title",
    "category",
    "status",
    "requester",
    "assignee",
];

/// What the queue is narrowed to (each ignored when empty or false).
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub status: String,
    pub category: String,
    /// Only tickets assigned to the caller.
    pub mine: bool,
}

/// A ticket as the queue shows it, with how many tickets the filters select.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketLine {
    pub id: Uuid,
    pub number: i32,
    pub title: String,
    pub category: String,
    pub location: String,
    pub status: String,
    pub requester: String,
    pub assignee: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Every ticket the filters select within the caller's reach (the same on each row).
    pub total: i64,
}

/// How far a principal's `tickets.manage` reaches: a college-wide grant every ticket; a
/// narrower one (a college's own role, say) the tickets assigned to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Handling {
    Every,
    Assigned,
    None,
}

pub(super) fn handling(principal: &Principal) -> Handling {
    match principal.grant(Permission::TicketsManage) {
        Some(grant) if grant.scope >= crate::access::permissions::Scope::College => Handling::Every,
        Some(_) => Handling::Assigned,
        None => Handling::None,
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CommentInput {
    pub body: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateInput {
    /// open, in_progress, resolved or closed (unchanged when empty).
    #[serde(default)]
    pub status: String,
    /// The email of whoever takes it (someone who handles tickets); unchanged when empty.
    #[serde(default)]
    pub assignee_email: String,
}
