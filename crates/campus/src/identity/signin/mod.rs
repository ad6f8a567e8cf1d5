//! Signing in with a password and the browser session it starts, who is asking (from the
//! session cookie or a bearer token), password hashing and policy, and getting into an
//! account by a mailed link (forgotten password, invitation, email verification).

pub mod authenticate;
pub mod model;
pub mod pages;
pub mod password;
pub mod queries;
pub mod recovery;
pub mod service;
pub mod session;
pub mod site;

use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/login", Access::Public, pages::login_page)
        .get("/c/{slug}/login", Access::Public, pages::college_login_page)
        .post("/login", Access::Public, pages::login)
        .post("/logout", Access::SignedIn, pages::logout)
        .get("/password/forgot", Access::Public, recovery::forgot_page)
        .post("/password/forgot", Access::Public, recovery::forgot)
        .get("/password/reset", Access::Public, recovery::reset_page)
        .post("/password/reset", Access::Public, recovery::reset)
        .get("/invite", Access::Public, recovery::invite_page)
        .post("/invite", Access::Public, recovery::accept_invite)
        .get(
            "/account/verify-email",
            Access::Public,
            recovery::verify_email,
        )
}
