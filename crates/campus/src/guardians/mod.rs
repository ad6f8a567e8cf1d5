//! Guardians: parents ask to be linked to their children and the college confirms; the
//! parent portal shows each confirmed child's attendance, results, week and notices.

pub mod api;
pub mod model;
pub mod pages;
pub mod panels;
pub mod queries;
pub mod service;

use crate::access::permissions::Permission::{GuardiansLink, GuardiansManage};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/children",
            Access::Allowed(GuardiansLink),
            pages::portal_page,
        )
        .post(
            "/children/link-requests",
            Access::Allowed(GuardiansLink),
            pages::request_page,
        )
        .get(
            "/guardians/requests",
            Access::Allowed(GuardiansManage),
            pages::requests_page,
        )
        .post(
            "/guardians/requests/{id}",
            Access::Allowed(GuardiansManage),
            pages::decide_page,
        )
        .get(
            "/students/{id}/guardians",
            Access::Allowed(GuardiansManage),
            pages::unlink_confirm,
        )
        .post(
            "/students/{id}/guardians",
            Access::Allowed(GuardiansManage),
            pages::link_page,
        )
        .get(
            "/api/v1/me/children",
            Access::Allowed(GuardiansLink),
            api::portal_api,
        )
        .post(
            "/api/v1/me/guardian-links",
            Access::Allowed(GuardiansLink),
            api::request_api,
        )
        .get(
            "/api/v1/me/guardian-links",
            Access::Allowed(GuardiansLink),
            api::my_requests_api,
        )
        .get(
            "/api/v1/guardian-links",
            Access::Allowed(GuardiansManage),
            api::pending_api,
        )
        .post(
            "/api/v1/guardian-links/{id}/decision",
            Access::Allowed(GuardiansManage),
            api::decide_api,
        )
        .post(
            "/api/v1/students/{id}/guardians",
            Access::Allowed(GuardiansManage),
            api::link_api,
        )
        .post(
            "/api/v1/students/{id}/guardians/unlink",
            Access::Allowed(GuardiansManage),
            api::unlink_api,
        )
}
