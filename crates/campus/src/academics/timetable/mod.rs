//! The timetable: sections' weekly meetings without double-booked rooms or teachers,
//! the weeks of a student, a teacher and a room, and personal iCalendar feeds.

pub mod api;
pub mod builder;
pub mod clashes;
pub mod curriculum;
pub mod model;
pub mod pages;
pub mod queries;
pub mod report;

use crate::access::permissions::Permission::{CatalogManage, CatalogRead, StaffRead};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/api/v1/sections/{id}/meetings",
            Access::Allowed(CatalogManage),
            api::add_meeting,
        )
        .delete(
            "/api/v1/sections/{id}/meetings/{meeting}",
            Access::Allowed(CatalogManage),
            api::remove_meeting,
        )
        .post(
            "/api/v1/timetable/check",
            Access::Allowed(CatalogManage),
            api::check,
        )
        .get(
            "/api/v1/timetable/clashes",
            Access::Allowed(CatalogRead),
            api::clash_report,
        )
        .get(
            "/timetable/clashes",
            Access::Allowed(CatalogRead),
            report::page,
        )
        .get(
            "/api/v1/programs/{id}/years/{year}/courses",
            Access::Allowed(CatalogRead),
            curriculum::get_api,
        )
        .put(
            "/api/v1/programs/{id}/years/{year}/courses",
            Access::Allowed(CatalogManage),
            curriculum::put_api,
        )
        .get(
            "/timetable/builder",
            Access::Allowed(CatalogManage),
            builder::page,
        )
        .post(
            "/timetable/builder/place",
            Access::Allowed(CatalogManage),
            builder::place,
        )
        .post(
            "/timetable/builder/meetings/{id}/remove",
            Access::Allowed(CatalogManage),
            builder::remove,
        )
        .post(
            "/timetable/builder/curriculum",
            Access::Allowed(CatalogManage),
            curriculum::add_page,
        )
        .post(
            "/timetable/builder/curriculum/remove",
            Access::Allowed(CatalogManage),
            curriculum::remove_page,
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
