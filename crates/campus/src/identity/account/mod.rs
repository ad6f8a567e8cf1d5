//! A user's own account: their sessions (with revoke), changing their password, and
//! `/api/v1/users/me`, the caller as the API sees them.

pub mod api;
pub mod model;
pub mod pages;
pub mod panels;
pub mod queries;

use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/account/sessions", Access::SignedIn, pages::sessions_page)
        .post(
            "/account/sessions/{id}/revoke",
            Access::SignedIn,
            pages::revoke_session,
        )
        .get("/account/password", Access::SignedIn, pages::password_page)
        .post(
            "/account/password",
            Access::SignedIn,
            pages::change_password,
        )
        .get("/api/v1/users/me", Access::SignedIn, api::me)
}
