//! The catalog: courses and their prerequisites, sections and who teaches them,
//! registration windows, and enrolment within a section's capacity with a waitlist.

pub mod api;
pub mod course_edit;
pub mod model;
pub mod pages;
pub mod panels;
pub mod queries;
pub mod service;
pub mod windows;

use crate::access::permissions::Permission::{
    CatalogManage, CatalogRead, RegistrationEnrol, RegistrationManage,
};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/catalog", Access::Allowed(CatalogRead), pages::catalog)
        .post(
            "/catalog/courses",
            Access::Allowed(CatalogManage),
            pages::create_course,
        )
        .get(
            "/catalog/courses/{id}",
            Access::Allowed(CatalogRead),
            pages::course,
        )
        .get(
            "/catalog/courses/{id}/edit",
            Access::Allowed(CatalogManage),
            course_edit::edit_page,
        )
        .post(
            "/catalog/courses/{id}/edit",
            Access::Allowed(CatalogManage),
            course_edit::edit,
        )
        .post(
            "/catalog/courses/{id}/retire",
            Access::Allowed(CatalogManage),
            course_edit::retire_page,
        )
        .post(
            "/catalog/courses/{id}/restore",
            Access::Allowed(CatalogManage),
            course_edit::restore_page,
        )
        .patch(
            "/api/v1/courses/{id}",
            Access::Allowed(CatalogManage),
            course_edit::patch_api,
        )
        .delete(
            "/api/v1/courses/{id}",
            Access::Allowed(CatalogManage),
            course_edit::delete_api,
        )
        .post(
            "/api/v1/courses/{id}/retire",
            Access::Allowed(CatalogManage),
            course_edit::retire_api,
        )
        .post(
            "/api/v1/courses/{id}/restore",
            Access::Allowed(CatalogManage),
            course_edit::restore_api,
        )
        .post(
            "/catalog/courses/{id}/sections",
            Access::Allowed(CatalogManage),
            pages::create_section,
        )
        .get(
            "/registration",
            Access::Allowed(RegistrationEnrol),
            pages::registration,
        )
        .get(
            "/registration/windows",
            Access::Allowed(RegistrationManage),
            windows::page,
        )
        .post(
            "/registration/windows",
            Access::Allowed(RegistrationManage),
            windows::create,
        )
        .post(
            "/registration/windows/{id}/close",
            Access::Allowed(RegistrationManage),
            windows::close,
        )
        .post(
            "/registration/sections/{id}/enrol",
            Access::Allowed(RegistrationEnrol),
            pages::enrol,
        )
        .get(
            "/registration/sections/{id}/drop",
            Access::Allowed(RegistrationEnrol),
            pages::drop_page,
        )
        .post(
            "/registration/sections/{id}/drop",
            Access::Allowed(RegistrationEnrol),
            pages::drop,
        )
        .get(
            "/api/v1/courses",
            Access::Allowed(CatalogRead),
            api::list_courses,
        )
        .post(
            "/api/v1/courses",
            Access::Allowed(CatalogManage),
            api::create_course,
        )
        .get(
            "/api/v1/courses/{id}",
            Access::Allowed(CatalogRead),
            api::get_course,
        )
        .post(
            "/api/v1/sections",
            Access::Allowed(CatalogManage),
            api::create_section,
        )
        .post(
            "/api/v1/registration-windows",
            Access::Allowed(RegistrationManage),
            api::create_window,
        )
        .post(
            "/api/v1/sections/{id}/enroll",
            Access::Allowed(RegistrationEnrol),
            api::enrol,
        )
        .post(
            "/api/v1/sections/{id}/drop",
            Access::Allowed(RegistrationEnrol),
            api::drop,
        )
        .post(
            "/api/v1/sections/{id}/override",
            Access::Allowed(RegistrationManage),
            api::override_enrol,
        )
        .get(
            "/api/v1/me/enrollments",
            Access::Allowed(RegistrationEnrol),
            api::my_enrollments,
        )
}
