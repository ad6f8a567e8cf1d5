//! API credentials and mailed links: short-lived signed access tokens, rotating refresh
//! tokens (sign-in, refresh and sign-out of the JSON API), and the single-use tokens of
//! invitations, password resets and email verification.

pub mod api;
pub mod credentials;
pub mod model;
pub mod queries;

use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .post("/api/v1/auth/login", Access::Public, api::login)
        .post("/api/v1/auth/refresh", Access::Public, api::refresh)
        .post("/api/v1/auth/logout", Access::Public, api::logout)
}
