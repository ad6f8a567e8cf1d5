//! Student records: search and the list (with the status of ticked students changed
//! together), profiles and status history (pages and API), and the CSV import with
//! guardians (import/).

pub mod account;
pub mod api;
pub mod edit;
pub mod import;
pub mod model;
pub mod order;
pub mod pages;
pub mod panels;
pub mod queries;

use crate::access::permissions::Permission::{StudentsManage, StudentsRead, UsersManage};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/students", Access::Allowed(StudentsRead), pages::search)
        .post(
            "/students/accounts",
            Access::CollegeWide(UsersManage),
            account::give_all_page,
        )
        .post(
            "/api/v1/students/accounts",
            Access::CollegeWide(UsersManage),
            account::give_all_api,
        )
        .post(
            "/students/{id}/account",
            Access::Allowed(UsersManage),
            account::give_page,
        )
        .post(
            "/api/v1/students/{id}/account",
            Access::Allowed(UsersManage),
            account::give_api,
        )
        .post(
            "/students/status",
            Access::Allowed(StudentsManage),
            pages::change_statuses,
        )
        .merge(import::routes())
        .get(
            "/students/{id}",
            Access::Allowed(StudentsRead),
            pages::profile,
        )
        .get(
            "/students/{id}/edit",
            Access::Allowed(StudentsManage),
            edit::edit_page,
        )
        .post(
            "/students/{id}/edit",
            Access::Allowed(StudentsManage),
            edit::edit,
        )
        .patch(
            "/api/v1/students/{id}",
            Access::Allowed(StudentsManage),
            edit::patch,
        )
        .post(
            "/students/{id}/status",
            Access::Allowed(StudentsManage),
            pages::change_status,
        )
        .get(
            "/api/v1/students",
            Access::Allowed(StudentsRead),
            api::search,
        )
        .get(
            "/api/v1/students/{id}",
            Access::Allowed(StudentsRead),
            api::profile,
        )
        .post(
            "/api/v1/students/{id}/status",
            Access::Allowed(StudentsManage),
            api::change_status,
        )
}
