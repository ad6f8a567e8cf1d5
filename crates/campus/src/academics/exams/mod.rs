//! Exams: sittings of the assessments they examine in the calendar's exam periods, with
//! rooms, seats and invigilators and every clash refused by name; the exam timetable by
//! program, student, room and invigilator; seating plans; hall tickets.

pub mod api;
pub mod model;
pub mod pages;
pub mod seating;
pub mod sittings;
pub mod tickets;
pub mod timetable;

use crate::access::permissions::Permission::{CatalogManage, CatalogRead, RegistrationEnrol};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/exams", Access::Allowed(CatalogRead), pages::list)
        .post("/exams", Access::Allowed(CatalogManage), pages::create)
        .get(
            "/exams/new",
            Access::Allowed(CatalogManage),
            pages::new_page,
        )
        .get(
            "/exams/clashes",
            Access::Allowed(CatalogRead),
            pages::clashes,
        )
        .get(
            "/exams/mine",
            Access::Allowed(RegistrationEnrol),
            pages::mine,
        )
        .get(
            "/exams/hall-ticket",
            Access::Allowed(RegistrationEnrol),
            pages::hall_ticket,
        )
        .get("/exams/{id}", Access::Allowed(CatalogRead), pages::sitting)
        .get(
            "/exams/{id}/edit",
            Access::Allowed(CatalogManage),
            pages::edit_page,
        )
        .post(
            "/exams/{id}/edit",
            Access::Allowed(CatalogManage),
            pages::edit,
        )
        .post(
            "/exams/{id}/seat",
            Access::Allowed(CatalogManage),
            pages::seat,
        )
        .get(
            "/exams/{id}/cancel",
            Access::Allowed(CatalogManage),
            pages::cancel_confirm,
        )
        .post(
            "/exams/{id}/cancel",
            Access::Allowed(CatalogManage),
            pages::cancel,
        )
        .get(
            "/api/v1/exam-sittings",
            Access::Allowed(CatalogRead),
            api::list,
        )
        .post(
            "/api/v1/exam-sittings",
            Access::Allowed(CatalogManage),
            api::create,
        )
        .get(
            "/api/v1/exam-sittings/{id}",
            Access::Allowed(CatalogRead),
            api::get,
        )
        .patch(
            "/api/v1/exam-sittings/{id}",
            Access::Allowed(CatalogManage),
            api::patch,
        )
        .delete(
            "/api/v1/exam-sittings/{id}",
            Access::Allowed(CatalogManage),
            api::delete,
        )
        .post(
            "/api/v1/exam-sittings/{id}/seating",
            Access::Allowed(CatalogManage),
            api::seat,
        )
        .get(
            "/api/v1/exam-sittings/{id}/seating",
            Access::Allowed(CatalogManage),
            api::seating_plan,
        )
        .get(
            "/api/v1/exams/clashes",
            Access::Allowed(CatalogRead),
            api::clashes,
        )
        .get(
            "/api/v1/me/exams",
            Access::Allowed(RegistrationEnrol),
            api::mine,
        )
        .get(
            "/api/v1/me/hall-ticket",
            Access::Allowed(RegistrationEnrol),
            api::hall_ticket,
        )
}
