//! Leave: requests with an approval chain (advisor, registrar, principal), asked for,
//! followed and withdrawn by the requester and decided stage by stage.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use crate::access::permissions::Permission::{LeaveApprove, LeaveRequest};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/requests/leave",
            Access::Allowed(LeaveRequest),
            pages::submit_leave_page,
        )
        .post(
            "/requests/leave/{id}/cancel",
            Access::Allowed(LeaveRequest),
            pages::cancel_leave_page,
        )
        .post(
            "/requests/leave/{id}/decision",
            Access::Allowed(LeaveApprove),
            pages::decide_leave_page,
        )
        .post(
            "/api/v1/me/leave",
            Access::Allowed(LeaveRequest),
            api::submit_leave_api,
        )
        .get(
            "/api/v1/me/leave",
            Access::Allowed(LeaveRequest),
            api::my_leave_api,
        )
        .post(
            "/api/v1/leave/{id}/cancel",
            Access::Allowed(LeaveRequest),
            api::cancel_leave_api,
        )
        .get(
            "/api/v1/leave/waiting",
            Access::Allowed(LeaveApprove),
            api::waiting_api,
        )
        .post(
            "/api/v1/leave/{id}/decision",
            Access::Allowed(LeaveApprove),
            api::decide_leave_api,
        )
}
