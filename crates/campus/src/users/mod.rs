//! User administration for college administrators: list and search (with invitations
//! sent again to ticked users), create and invite, edit, deactivate, assign roles, bulk
//! import from CSV; and the college's own roles.
//! In HTML and JSON.

pub mod api;
pub mod import;
pub mod list;
pub mod model;
pub mod pages;
pub mod panels;
pub mod queries;
pub mod roles;
pub mod service;

use crate::access::permissions::Permission::{RolesManage, UsersManage, UsersRead};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/admin/users", Access::Allowed(UsersRead), list::page)
        .get(
            "/admin/users/new",
            Access::Allowed(UsersManage),
            pages::new_page,
        )
        .post("/admin/users", Access::Allowed(UsersManage), pages::create)
        .post(
            "/admin/users/invitations",
            Access::Allowed(UsersManage),
            list::invite_many,
        )
        .get(
            "/admin/users/import",
            Access::Allowed(UsersManage),
            pages::import_page,
        )
        .post(
            "/admin/users/import",
            Access::Allowed(UsersManage),
            pages::import,
        )
        .get("/admin/users/{id}", Access::Allowed(UsersRead), pages::show)
        .post(
            "/admin/users/{id}",
            Access::Allowed(UsersManage),
            pages::update,
        )
        .post(
            "/admin/users/{id}/roles",
            Access::Allowed(UsersManage),
            pages::set_roles,
        )
        .post(
            "/admin/users/{id}/invite",
            Access::Allowed(UsersManage),
            pages::invite,
        )
        .post(
            "/admin/users/{id}/reset-mfa",
            Access::Allowed(UsersManage),
            pages::reset_mfa,
        )
        .get("/admin/roles", Access::Allowed(RolesManage), roles::page)
        .post("/admin/roles", Access::Allowed(RolesManage), roles::create)
        .get("/api/v1/users", Access::Allowed(UsersRead), api::list)
        .post("/api/v1/users", Access::Allowed(UsersManage), api::create)
        .post(
            "/api/v1/users/import",
            Access::Allowed(UsersManage),
            api::import,
        )
        .get("/api/v1/users/{id}", Access::Allowed(UsersRead), api::get)
        .put(
            "/api/v1/users/{id}",
            Access::Allowed(UsersManage),
            api::update,
        )
        .put(
            "/api/v1/users/{id}/roles",
            Access::Allowed(UsersManage),
            api::set_roles,
        )
        .post(
            "/api/v1/users/{id}/invite",
            Access::Allowed(UsersManage),
            api::invite,
        )
        .post(
            "/api/v1/users/{id}/reset-mfa",
            Access::Allowed(UsersManage),
            api::reset_mfa,
        )
        .get("/api/v1/roles", Access::Allowed(UsersRead), api::roles)
        .post(
            "/api/v1/roles",
            Access::Allowed(RolesManage),
            api::create_role,
        )
}
