//! Guardians: parents ask to be linked to their children and the college confirms; the
//! parent portal shows each confirmed child's attendance, results, week and notices.

pub mod http;
pub mod links;
pub mod portal;

use crate::access::permissions::Permission::{GuardiansLink, GuardiansManage};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/children",
            Access::Allowed(GuardiansLink),
            http::portal_page,
        )
        .post(
            "/children/link-requests",
            Access::Allowed(GuardiansLink),
            http::request_page,
        )
        .get(
            "/guardians/requests",
            Access::Allowed(GuardiansManage),
            http::requests_page,
        )
        .post(
            "/guardians/requests/{id}",
            Access::Allowed(GuardiansManage),
            http::decide_page,
        )
        .post(
            "/students/{id}/guardians",
            Access::Allowed(GuardiansManage),
            http::link_page,
        )
        .get(
            "/api/v1/me/children",
            Access::Allowed(GuardiansLink),
            http::portal_api,
        )
        .post(
            "/api/v1/me/guardian-links",
            Access::Allowed(GuardiansLink),
            http::request_api,
        )
        .get(
            "/api/v1/me/guardian-links",
            Access::Allowed(GuardiansLink),
            http::my_requests_api,
        )
        .get(
            "/api/v1/guardian-links",
            Access::Allowed(GuardiansManage),
            http::pending_api,
        )
        .post(
            "/api/v1/guardian-links/{id}/decision",
            Access::Allowed(GuardiansManage),
            http::decide_api,
        )
        .post(
            "/api/v1/students/{id}/guardians",
            Access::Allowed(GuardiansManage),
            http::link_api,
        )
        .post(
            "/api/v1/students/{id}/guardians/unlink",
            Access::Allowed(GuardiansManage),
            http::unlink_api,
        )
}
