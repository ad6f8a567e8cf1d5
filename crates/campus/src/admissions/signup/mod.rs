//! Applicant sign-up: the college's public application page, where applicants make their
//! own accounts with a draft application to the intake they choose.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;
pub mod service;

use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/c/{slug}/apply", Access::Public, pages::apply_page)
        .post("/c/{slug}/apply", Access::Public, pages::apply)
        .post(
            "/api/v1/colleges/{slug}/applicants",
            Access::Public,
            api::sign_up,
        )
}
