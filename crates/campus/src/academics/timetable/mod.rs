//! The timetable: sections' weekly meetings without double-booked rooms or teachers,
//! the weeks of a student, a teacher and a room, and personal iCalendar feeds.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use crate::access::permissions::Permission::{CatalogManage, CatalogRead, StaffRead};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/api/v1/sections/{id}/meetings",
            Access::Allowed(CatalogManage),
            api::add_meeting,
        )
        .get("/api/v1/me/timetable", Access::SignedIn, api::my_timetable)
        .get("/timetable", Access::SignedIn, pages::timetable)
        .get("/timetable/go", Access::SignedIn, pages::timetable_go)
        .get(
            "/api/v1/rooms/{id}/timetable",
            Access::Allowed(CatalogRead),
            api::room_timetable,
        )
        .get(
            "/timetable/rooms/{id}",
            Access::Allowed(CatalogRead),
            pages::room_timetable,
        )
        .get(
            "/timetable/teachers/{id}",
            Access::Allowed(StaffRead),
            pages::teacher_timetable,
        )
        .get("/account/calendar", Access::SignedIn, pages::page)
        .post("/account/calendar", Access::SignedIn, pages::renew)
        .post("/account/calendar/revoke", Access::SignedIn, pages::revoke)
        .get("/ical/{name}", Access::Public, pages::feed)
}
