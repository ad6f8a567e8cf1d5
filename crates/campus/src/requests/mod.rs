//! Requests: leave with an approval chain, and support and maintenance tickets whose
//! requesters follow them live.

pub mod http;
pub mod leave;
pub mod tickets;

use crate::access::permissions::Permission::{LeaveApprove, LeaveRequest, TicketsManage};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/requests", Access::SignedIn, http::requests_page)
        .post(
            "/requests/leave",
            Access::Allowed(LeaveRequest),
            http::submit_leave_page,
        )
        .post(
            "/requests/leave/{id}/cancel",
            Access::Allowed(LeaveRequest),
            http::cancel_leave_page,
        )
        .post(
            "/requests/leave/{id}/decision",
            Access::Allowed(LeaveApprove),
            http::decide_leave_page,
        )
        .post("/tickets", Access::SignedIn, http::open_ticket_page)
        .get("/tickets", Access::Allowed(TicketsManage), http::queue_page)
        .get("/tickets/{id}", Access::SignedIn, http::ticket_page)
        .get(
            "/tickets/{id}/events",
            Access::SignedIn,
            http::ticket_events,
        )
        .post(
            "/tickets/{id}/comments",
            Access::SignedIn,
            http::comment_page,
        )
        .post(
            "/tickets/{id}/update",
            Access::Allowed(TicketsManage),
            http::update_page,
        )
        .post(
            "/api/v1/me/leave",
            Access::Allowed(LeaveRequest),
            http::submit_leave_api,
        )
        .get(
            "/api/v1/me/leave",
            Access::Allowed(LeaveRequest),
            http::my_leave_api,
        )
        .post(
            "/api/v1/leave/{id}/cancel",
            Access::Allowed(LeaveRequest),
            http::cancel_leave_api,
        )
        .get(
            "/api/v1/leave/waiting",
            Access::Allowed(LeaveApprove),
            http::waiting_api,
        )
        .post(
            "/api/v1/leave/{id}/decision",
            Access::Allowed(LeaveApprove),
            http::decide_leave_api,
        )
        .post("/api/v1/tickets", Access::SignedIn, http::open_ticket_api)
        .get("/api/v1/tickets", Access::SignedIn, http::tickets_api)
        .get("/api/v1/tickets/{id}", Access::SignedIn, http::ticket_api)
        .post(
            "/api/v1/tickets/{id}/comments",
            Access::SignedIn,
            http::comment_api,
        )
        .post(
            "/api/v1/tickets/{id}/update",
            Access::Allowed(TicketsManage),
            http::update_api,
        )
}
