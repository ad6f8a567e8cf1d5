//! Identity: sign-in, browser sessions, second factor, single sign-on, tokens and
//! account pages.

pub mod account;
pub mod account_tokens;
pub mod api;
pub mod authenticate;
pub mod mfa;
pub mod mfa_pages;
pub mod outbound;
pub mod pages;
pub mod password;
pub mod recovery;
pub mod session;
pub mod signin;
pub mod sso;
pub mod tokens;

use crate::access::permissions::Permission::CollegeSettings;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/login", Access::Public, pages::login_page)
        .get("/c/{slug}/login", Access::Public, pages::college_login_page)
        .post("/login", Access::Public, pages::login)
        .post("/logout", Access::SignedIn, pages::logout)
        .get("/c/{slug}/sso", Access::Public, sso::start)
        .get("/sso/callback", Access::Public, sso::callback)
        .get(
            "/admin/sso",
            Access::Allowed(CollegeSettings),
            sso::settings_page,
        )
        .post("/admin/sso", Access::Allowed(CollegeSettings), sso::save)
        .get("/login/mfa", Access::Public, mfa_pages::code_page)
        .post("/login/mfa", Access::Public, mfa_pages::submit_code)
        .get("/account/mfa", Access::SignedIn, mfa_pages::page)
        .post("/account/mfa/confirm", Access::SignedIn, mfa_pages::confirm)
        .post(
            "/account/mfa/recovery-codes",
            Access::SignedIn,
            mfa_pages::new_recovery_codes,
        )
        .post("/account/mfa/disable", Access::SignedIn, mfa_pages::disable)
        .get(
            "/account/sessions",
            Access::SignedIn,
            account::sessions_page,
        )
        .post(
            "/account/sessions/{id}/revoke",
            Access::SignedIn,
            account::revoke_session,
        )
        .get(
            "/account/password",
            Access::SignedIn,
            account::password_page,
        )
        .post(
            "/account/password",
            Access::SignedIn,
            account::change_password,
        )
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
        .post("/api/v1/auth/login", Access::Public, api::login)
        .post("/api/v1/auth/refresh", Access::Public, api::refresh)
        .post("/api/v1/auth/logout", Access::Public, api::logout)
        .get("/api/v1/users/me", Access::SignedIn, api::me)
}
