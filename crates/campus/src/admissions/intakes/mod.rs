//! Intakes: a program's admission round, with its seats, application fee and dates; the
//! admissions office's list of an intake's applications (by merit rank) and seat
//! allocation per intake.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use crate::access::permissions::Permission::AdmissionsManage;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/admissions/intakes",
            Access::Allowed(AdmissionsManage),
            pages::intakes_page,
        )
        .post(
            "/admissions/intakes",
            Access::Allowed(AdmissionsManage),
            pages::create_intake,
        )
        .get(
            "/admissions/intakes/{id}",
            Access::Allowed(AdmissionsManage),
            pages::intake_page,
        )
        // The list's ticked applications moved under review at once: the same access
        // as one application's decision.
        .post(
            "/admissions/intakes/{id}/review",
            Access::Allowed(AdmissionsManage),
            pages::review,
        )
        .post(
            "/admissions/intakes/{id}/allocate",
            Access::Allowed(AdmissionsManage),
            pages::allocate,
        )
        .get(
            "/api/v1/colleges/{slug}/intakes",
            Access::Public,
            api::open_intakes,
        )
        .get(
            "/api/v1/intakes",
            Access::Allowed(AdmissionsManage),
            api::list_intakes,
        )
        .post(
            "/api/v1/intakes",
            Access::Allowed(AdmissionsManage),
            api::create_intake,
        )
        .get(
            "/api/v1/intakes/{id}/merit-list",
            Access::Allowed(AdmissionsManage),
            api::merit_list,
        )
        .get(
            "/api/v1/intakes/{id}/applications",
            Access::Allowed(AdmissionsManage),
            api::of_intake,
        )
        .post(
            "/api/v1/intakes/{id}/allocate",
            Access::Allowed(AdmissionsManage),
            api::allocate,
        )
}
