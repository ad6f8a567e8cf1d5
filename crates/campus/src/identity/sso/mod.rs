//! Single sign-on with OpenID Connect, configured per college (issuer, client id and
//! secret, allowed email domain): off to the college's provider and back, and the
//! college's settings page.

pub mod model;
pub mod outbound;
pub mod pages;
pub mod protocol;
pub mod queries;

use crate::access::permissions::Permission::CollegeSettings;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/c/{slug}/sso", Access::Public, pages::start)
        .get("/sso/callback", Access::Public, pages::callback)
        .get(
            "/admin/sso",
            Access::Allowed(CollegeSettings),
            pages::settings_page,
        )
        .post("/admin/sso", Access::Allowed(CollegeSettings), pages::save)
}
