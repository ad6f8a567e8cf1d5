//! The second factor: TOTP codes from an authenticator app and single-use recovery codes,
//! asked for at sign-in after the first step, enrolled and managed from the account.

pub mod codes;
pub mod model;
pub mod pages;
pub mod queries;
pub mod ticket;

use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/login/mfa", Access::Public, pages::code_page)
        .post("/login/mfa", Access::Public, pages::submit_code)
        .get("/account/mfa", Access::SignedIn, pages::page)
        .post("/account/mfa/confirm", Access::SignedIn, pages::confirm)
        .post(
            "/account/mfa/recovery-codes",
            Access::SignedIn,
            pages::new_recovery_codes,
        )
        .post("/account/mfa/disable", Access::SignedIn, pages::disable)
}
