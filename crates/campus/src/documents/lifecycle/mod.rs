//! Issued documents after issue: a student's documents listed, revoked with a reason,
//! superseded when grades they show are amended, and a daily limit per account.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use crate::access::permissions::Permission::{StudentsManage, StudentsRead};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/api/v1/students/{id}/documents",
            Access::Allowed(StudentsRead),
            api::list_api,
        )
        .post(
            "/api/v1/documents/{id}/revoke",
            Access::Allowed(StudentsManage),
            api::revoke_api,
        )
        .get(
            "/documents/{id}/revoke",
            Access::Allowed(StudentsManage),
            pages::revoke_confirm,
        )
        .post(
            "/documents/{id}/revoke",
            Access::Allowed(StudentsManage),
            pages::revoke_page,
        )
}
