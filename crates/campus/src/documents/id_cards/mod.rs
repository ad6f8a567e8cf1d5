//! Student and staff identity cards: a credit-card-size PDF with the student's photo and a QR code
//! to the card's public verification page; and the photo upload that goes with them.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;
pub mod service;
pub mod staff;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;

use crate::access::permissions::Permission::{StaffManage, StudentsManage, StudentsRead};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/api/v1/staff/{id}/id-card",
            Access::Allowed(StaffManage),
            staff::download,
        )
        .post(
            "/staff/{id}/id-card",
            Access::Allowed(StaffManage),
            staff::download,
        )
        .post(
            "/api/v1/students/{id}/id-card",
            Access::Allowed(StudentsRead),
            api::download,
        )
        .post(
            "/students/{id}/id-card",
            Access::Allowed(StudentsRead),
            api::download,
        )
        .post(
            "/api/v1/students/{id}/photo",
            Access::Allowed(StudentsManage),
            api::add_photo.layer(DefaultBodyLimit::disable()),
        )
        .post(
            "/students/{id}/photo",
            Access::Allowed(StudentsManage),
            pages::add_photo_page.layer(DefaultBodyLimit::disable()),
        )
}
