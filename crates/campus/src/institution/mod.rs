//! Institution: colleges (the tenants) and their campuses, buildings, departments,
//! programs, academic years and terms. It serves the public side (the directory of
//! colleges and each college's landing page, in HTML and JSON), the college's settings,
//! and the setup registers (`setup/`, `places/`, `departments/`).

pub mod api;
pub mod calendar;
pub mod departments;
pub mod model;
pub mod pages;
pub mod places;
pub mod queries;
pub mod settings;
pub mod setup;

use crate::access::permissions::Permission::{CollegeSettings, InstitutionRead};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/", Access::Public, pages::directory)
        .get("/c/{slug}", Access::Public, pages::landing)
        .get("/api/v1/colleges", Access::Public, api::list_colleges)
        .get("/api/v1/colleges/{slug}", Access::Public, api::get_college)
        .get(
            "/admin/settings",
            Access::Allowed(CollegeSettings),
            settings::page,
        )
        .post(
            "/admin/settings",
            Access::Allowed(CollegeSettings),
            settings::update,
        )
        .get(
            "/api/v1/college/settings",
            Access::Allowed(CollegeSettings),
            settings::get_api,
        )
        .put(
            "/api/v1/college/settings",
            Access::Allowed(CollegeSettings),
            settings::put_api,
        )
        .get(
            "/setup",
            Access::Allowed(InstitutionRead),
            setup::pages::index,
        )
        .merge(places::routes())
        .merge(departments::routes())
        .merge(calendar::routes())
}
