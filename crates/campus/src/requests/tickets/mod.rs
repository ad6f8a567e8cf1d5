//! Tickets: support and maintenance requests, raised by anyone and handled by those who
//! handle tickets; requesters follow theirs live.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use crate::access::permissions::Permission::TicketsManage;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .post("/tickets", Access::SignedIn, pages::open_ticket_page)
        .get(
            "/tickets",
            Access::Allowed(TicketsManage),
            pages::queue_page,
        )
        // The queue's ticked tickets changed at once: the same access as one ticket's
        // change.
        .post(
            "/tickets/bulk",
            Access::Allowed(TicketsManage),
            pages::bulk_page,
        )
        .get("/tickets/{id}", Access::SignedIn, pages::ticket_page)
        .get(
            "/tickets/{id}/events",
            Access::SignedIn,
            pages::ticket_events,
        )
        .post(
            "/tickets/{id}/comments",
            Access::SignedIn,
            pages::comment_page,
        )
        .post(
            "/tickets/{id}/update",
            Access::Allowed(TicketsManage),
            pages::update_page,
        )
        .post("/api/v1/tickets", Access::SignedIn, api::open_ticket_api)
        .get("/api/v1/tickets", Access::SignedIn, api::tickets_api)
        .get("/api/v1/tickets/{id}", Access::SignedIn, api::ticket_api)
        .post(
            "/api/v1/tickets/{id}/comments",
            Access::SignedIn,
            api::comment_api,
        )
        .post(
            "/api/v1/tickets/{id}/update",
            Access::Allowed(TicketsManage),
            api::update_api,
        )
}
